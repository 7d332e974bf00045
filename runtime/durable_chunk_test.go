package runtime_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

// chunkDef is a Distributed Map whose processor only decides: every item
// that is a multiple of 100 fails.
func chunkDef(tolerance string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",` + tolerance + `
	"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$.v","NumericEquals":0,"Next":"F"}],"Default":"P"},
		"F":{"Type":"Fail","Error":"Zero","Cause":"a multiple of 100"},
		"P":{"Type":"Pass","Parameters":{"v.$":"$.v","i.$":"$.i"},"End":true}}},"End":true}}}`
}

func chunkInput(t *testing.T, n int) any {
	items := make([]int, n)
	for i := range items {
		items[i] = i % 100
	}
	b, err := json.Marshal(map[string]any{"items": items})
	require.NoError(t, err)
	return decode(t, string(b))
}

// A Distributed Map of a pure processor over 2,500 items runs in chunks:
// the results are per item, in item order, the map run counts items, and
// the tolerance judges items.
func TestDurableDistributedMapInChunks(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "chunks", Input: chunkInput(t, 2500),
		Definition: []byte(chunkDef(`"ToleratedFailurePercentage":1,"MaxConcurrency":50,`))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(e.Output, &out))
	require.Len(t, out, 2500)
	for i, o := range out {
		if i%100 == 0 {
			require.Equal(t, "Zero", o["Error"], "item %d", i)
			require.Equal(t, "FAILED", o["Status"])
			continue
		}
		require.Equal(t, float64(i), o["i"], "item %d in order", i)
		require.Equal(t, float64(i%100), o["v"])
	}
	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, runtime.MapRunCounts{Succeeded: 2475, Failed: 25, Total: 2500}, runs[0].Items)
	require.Equal(t, 50, runs[0].MaxConcurrency)
	require.Equal(t, []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
		"MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}, historyTypes(t, d, started.ID))
	left, err := runtime.StoreOf(d).ThreadCount(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), left, "only the top-level thread is left")

	// 25 failures past a tolerated count of 10: the run fails, and the
	// items of the chunks not run are aborted.
	started, err = d.Start(ctx, runtime.StartParams{StateMachineName: "chunks", Name: "strict", Input: chunkInput(t, 2500),
		Definition: []byte(chunkDef(`"ToleratedFailureCount":10,"MaxConcurrency":20,`))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.ExceedToleratedFailureThreshold", e.Error)
	runs, err = d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	c := runs[0].Items
	require.Equal(t, runtime.StatusFailed, runs[0].Status)
	require.Equal(t, int64(2500), c.Total)
	require.Greater(t, c.Failed, int64(10))
	require.Equal(t, c.Total, c.Succeeded+c.Failed+c.Aborted)
	require.Positive(t, c.Aborted)
}

// An inline Map of a pure processor over more items than run inline
// (1,000) runs in chunks too: each iteration's events are in the history,
// once, and the output is the in-memory engine's.
func TestDurableInlineMapInChunks(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":30,
	"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
	"ItemProcessor":{"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$.v","NumericEquals":0,"Next":"F"}],"Default":"P"},
		"F":{"Type":"Fail","Error":"Zero","Cause":"a multiple of 100"},
		"P":{"Type":"Pass","Parameters":{"v.$":"$.v","i.$":"$.i"},"End":true}}},"End":true}}}`
	in := chunkInput(t, 2500)
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "inl", Input: in, Definition: []byte(def)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	mem := runWith(t, ctx, &runtime.Engine{}, def, string(mustJSON(t, in)))
	require.Equal(t, runtime.StatusSucceeded, mem.Status)
	require.JSONEq(t, string(mustJSON(t, mem.Output)), string(e.Output))
	most, iterations := mapLive(t, runtime.StoreOf(d), started.ID)
	require.Equal(t, 2500, iterations, "every iteration in the history, once")
	require.LessOrEqual(t, most, 40, "at most 40 items' worth of iterations at a time")
	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	require.Empty(t, runs, "an inline Map is no map run")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
