package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWorkItemEncoding(t *testing.T) {
	t.Parallel()
	w := WorkItem{Exec: "e1", Thread: "0.2", Seq: 17, Kind: KindWake}
	require.Equal(t, "e1|0.2|17|wake", w.String())
	got, err := parseWorkItem(w.String())
	require.NoError(t, err)
	require.Equal(t, w, got)

	for _, s := range []string{"", "e1|0|1", "e1|0|x|step", "e1|0|1|step|x", "|0|1|step", "e1|0|-1|step"} {
		_, err := parseWorkItem(s)
		require.ErrorIs(t, err, ErrCorrupt, s)
	}
}

func TestOutboxItemEncoding(t *testing.T) {
	t.Parallel()
	w := WorkItem{Exec: "e1", Thread: "0", Seq: 1, Kind: KindStep}
	tests := []struct {
		item OutboxItem
		want string
		due  int64
	}{
		{OutboxItem{Item: w}, "0|e1|0|1|step", 0},
		{OutboxItem{Item: w, Due: time.UnixMilli(1234)}, "1234|e1|0|1|step", 1234},
	}
	for _, tt := range tests {
		got, err := tt.item.encode()
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
		e, err := parseOutboxEntry("9|" + got)
		require.NoError(t, err)
		require.Equal(t, outboxEntry{seq: 9, due: tt.due, item: w.String(), raw: "9|" + got}, e)
	}
	for _, s := range []string{"", "1|0", "x|0|e1|0|1|step", "1|x|e1|0|1|step", "1|0|e1|0|1"} {
		_, err := parseOutboxEntry(s)
		require.ErrorIs(t, err, ErrCorrupt, s)
	}
}
