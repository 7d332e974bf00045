package runtime

import (
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// A history gives back every event as it was added, numbered in order,
// whatever fields it has: the compact records lose nothing.
func TestHistoryRecordsKeepEveryField(t *testing.T) {
	ts := time.Date(2024, 3, 1, 12, 0, 0, 5, time.FixedZone("X", 3600))
	events := []Event{
		{Type: ExecutionStarted, Timestamp: ts, Payload: map[string]any{"a": 1.5}, Task: &TaskDetails{Resource: "role"}},
		{PreviousID: 1, Type: "PassStateEntered", Timestamp: ts.Add(time.Second), Name: "P", Payload: "in"},
		{PreviousID: 2, Type: MapStateStarted, Timestamp: ts, Length: 10_000},
		{PreviousID: 3, Type: MapIterationStarted, Timestamp: ts, Name: "M", Index: 9_999},
		{PreviousID: 3, Type: TaskFailed, Timestamp: ts, Error: &ErrorDetails{"E", "C"}, Task: &TaskDetails{ResourceType: "lambda", Resource: "invoke", Region: "r", Parameters: []any{1}, TimeoutSeconds: 3, HeartbeatSeconds: 2}},
		{PreviousID: 5, Type: ExecutionFailed, Timestamp: ts, Error: &ErrorDetails{Error: "E"}},
		{PreviousID: math.MaxInt64, Type: MapIterationFailed, Index: math.MaxInt32 + 1, Length: math.MinInt32 - 1},
		{PreviousID: 6, Type: ExecutionRedriven, Index: -3, Length: math.MaxInt32},
		{PreviousID: -math.MaxInt64, Type: MapIterationStarted, Index: math.MinInt32},
		{PreviousID: 9 - math.MaxInt32, Type: MapIterationSucceeded, Index: math.MaxInt32},
		{PreviousID: 9 - math.MaxInt32 - 1, Type: MapIterationSucceeded, Index: math.MinInt32 - 1},
	}
	var h history
	for i, ev := range events {
		require.Equal(t, int64(i+1), h.add(&ev))
		events[i].ID = int64(i + 1)
	}
	require.Equal(t, events, h.snapshot())
	if unsafe.Sizeof(uintptr(0)) == 8 {
		require.Equal(t, uintptr(88), unsafe.Sizeof(record{}), "a record's size, which the comment on record gives")
	}
}
