package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

// An execution whose history would pass its limit fails, with
// ExecutionFailed as its last event; one whose success is exactly the
// limit-th event succeeds, as on AWS.
func TestDurableHistoryLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	chain := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`) // 4 events
	loop := []byte(`{"StartAt":"Count","States":{
		"Count":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Again"},
		"Again":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":1000000,"Next":"Count"}],"Default":"Done"},
		"Done":{"Type":"Succeed"}}}`)
	for _, tt := range []struct {
		name   string
		def    []byte
		limit  int64
		status string
	}{
		{"success is the limit-th event", chain, 4, "SUCCEEDED"},
		{"success would pass the limit", chain, 3, "FAILED"},
		{"a loop reaches the limit", loop, 50, "FAILED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, _ := newDurable(t, nil)
			d.MaxHistoryEvents = tt.limit
			s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: tt.def, Input: decode(t, `{"n":0}`)})
			require.NoError(t, err)
			require.NoError(t, d.Drain(ctx))
			e, err := d.Describe(ctx, s.ID)
			require.NoError(t, err)
			require.Equal(t, tt.status, e.Status)
			types := historyTypes(t, d, s.ID)
			require.LessOrEqual(t, int64(len(types)), tt.limit)
			require.GreaterOrEqual(t, int64(len(types)), tt.limit-2, "the history fills up to the limit, whatever steps a worker batches")
			if tt.status == "FAILED" {
				require.Equal(t, "States.Runtime", e.Error)
				require.Contains(t, e.Cause, "maximum number of history events")
				require.Equal(t, "ExecutionFailed", types[len(types)-1])
			} else {
				require.Equal(t, "ExecutionSucceeded", types[len(types)-1])
			}
		})
	}
}
