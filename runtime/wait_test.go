package runtime_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

// TestWaitOnVirtualClock checks that a Wait moves the virtual clock by
// exactly its duration and takes no real time: the waits here last up to
// a year.
func TestWaitOnVirtualClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		wait  string
		input string
		want  time.Duration
	}{
		{"Seconds", `"Seconds":3600`, `{}`, time.Hour},
		{"a year of Seconds", `"Seconds":31536000`, `{}`, 365 * 24 * time.Hour},
		{"SecondsPath", `"SecondsPath":"$.s"`, `{"s":90}`, 90 * time.Second},
		{"Timestamp", `"Timestamp":"2024-03-02T12:00:00Z"`, `{}`, 24 * time.Hour},
		{"Timestamp with offset", `"Timestamp":"2024-03-01T13:30:00+01:00"`, `{}`, 30 * time.Minute},
		{"TimestampPath", `"TimestampPath":"$.at"`, `{"at":"2024-03-01T12:00:42Z"}`, 42 * time.Second},
		{"Timestamp in the past does not wait", `"Timestamp":"2020-01-01T00:00:00Z"`, `{}`, 0},
		{"zero Seconds", `"Seconds":0`, `{}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			begin := time.Now()
			res := run(t, `{"StartAt":"W","States":{"W":{"Type":"Wait",`+tt.wait+`,"Next":"After"},
				"After":{"Type":"Pass","Parameters":{"entered.$":"$$.State.EnteredTime"},"End":true}}}`, tt.input, nil)
			require.Less(t, time.Since(begin), safety, "the wait took real time")
			require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
			require.Equal(t, tt.want, elapsed(res.StopDate))

			entered := ofType(res, runtime.StateEntered("Wait"))[0]
			exited := ofType(res, runtime.StateExited("Wait"))[0]
			require.Equal(t, t0, entered.Timestamp)
			require.Equal(t, t0.Add(tt.want), exited.Timestamp)
			requireJSON(t, `{"entered":"`+t0.Add(tt.want).Format("2006-01-02T15:04:05.000Z")+`"}`, res.Output)
		})
	}
}

func TestWaitsAddUp(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"A","States":{
		"A":{"Type":"Wait","Seconds":10,"Next":"B"},
		"B":{"Type":"Wait","Seconds":20,"Next":"C"},
		"C":{"Type":"Wait","Timestamp":"2024-03-01T12:01:00Z","End":true}}}`, "", nil)
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	require.Equal(t, time.Minute, elapsed(res.StopDate))
	exits := ofType(res, runtime.StateExited("Wait"))
	require.Len(t, exits, 3)
	require.Equal(t, []time.Duration{10 * time.Second, 30 * time.Second, time.Minute},
		[]time.Duration{elapsed(exits[0].Timestamp), elapsed(exits[1].Timestamp), elapsed(exits[2].Timestamp)})
}

func TestWaitBadPathFails(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.missing","End":true}}}`, "", nil)
	requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
	require.Zero(t, elapsed(res.StopDate))
}
