package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// mapLiveRun runs a Map of n numbers whose iterations call a task, and
// returns the execution, the most threads the execution had when a task
// ran (its top-level thread and its iterations' threads: those created and
// not ended), and the threads left at its end.
func mapLiveRun(t *testing.T, st *store.Client, maxConcurrency string, n int) (e *runtime.ExecutionInfo, most, left int64) {
	t.Helper()
	ctx := context.Background()
	var id string
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		c, err := st.ThreadCount(ctx, id)
		if err != nil {
			return nil, err
		}
		most = max(most, c)
		return req.Parameters, nil
	})
	d := runtime.NewDurable(st, &runtime.Durable{Tasks: h, Consumer: "w1"})
	items := make([]int, n)
	for i := range items {
		items[i] = i * 10
	}
	input, err := json.Marshal(map[string]any{"items": items})
	require.NoError(t, err)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: decode(t, string(input)),
		Definition: []byte(`{"StartAt":"M","States":{"M":{"Type":"Map",` + maxConcurrency + `"ItemsPath":"$.items",
		"ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}},"End":true}}}`)})
	require.NoError(t, err)
	id = started.ID
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out []struct{ V, I int }
	require.NoError(t, json.Unmarshal(e.Output, &out))
	require.Len(t, out, n)
	for i, o := range out {
		require.Equal(t, i, o.I, "results in item order")
		require.Equal(t, 10*i, o.V)
	}
	left, err = st.ThreadCount(ctx, id)
	require.NoError(t, err)
	return e, most, left
}

// mapLive returns the most iterations of an execution's Map running at once
// in its history (started and not ended), and how many started.
func mapLive(t *testing.T, st *store.Client, id string) (most, started int) {
	t.Helper()
	live := 0
	seen := map[int]bool{}
	var from int64
	for {
		page, err := st.HistoryPage(context.Background(), &store.HistoryPageParams{ExecutionID: id, From: from, Limit: 1000})
		require.NoError(t, err)
		for _, ev := range page.Events {
			var v struct{ Type string }
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(ev.JSON, &raw))
			require.NoError(t, json.Unmarshal(raw["type"], &v.Type))
			switch v.Type {
			case "MapIterationStarted":
				var det struct{ Index int }
				require.NoError(t, json.Unmarshal(raw["mapIterationStartedEventDetails"], &det))
				require.False(t, seen[det.Index], "iteration %d started twice", det.Index)
				seen[det.Index] = true
				live++
				started++
			case "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted":
				live--
			}
			most = max(most, live)
		}
		if page.Next == 0 {
			return most, started
		}
		from = page.Next
	}
}

// A Map over 2,000 items with MaxConcurrency 3 never has more than 3
// iterations in the store: an iteration's thread is created when it starts
// and removed when it ends (before, all 2,000 were created at once).
func TestDurableMapCreatesIterationsAsTheyStart(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	e, most, left := mapLiveRun(t, st, `"MaxConcurrency":3,`, 2000)
	require.EqualValues(t, 1+3, most, "the top-level thread and 3 iterations")
	require.EqualValues(t, 1, left, "the iterations' threads are gone")
	live, started := mapLive(t, st, e.ID)
	require.LessOrEqual(t, live, 3)
	require.Equal(t, 2000, started)
}

// With no MaxConcurrency, a Map runs 40 iterations at a time, as AWS runs an
// inline Map; a MaxConcurrency above 40 is held to 40 too.
func TestDurableMapConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	for _, mc := range []string{``, `"MaxConcurrency":0,`, `"MaxConcurrency":100000,`} {
		t.Run(strings.TrimSuffix(mc, ","), func(t *testing.T) {
			t.Parallel()
			st := openStore(t)
			e, most, left := mapLiveRun(t, st, mc, 200)
			require.EqualValues(t, 1+40, most)
			require.EqualValues(t, 1, left)
			live, started := mapLive(t, st, e.ID)
			require.LessOrEqual(t, live, 40)
			require.Equal(t, 200, started)
		})
	}
}

// Every work item of a Map's execution delivered twice (a worker that died
// after its transition and before acknowledging it), in direct and outbox
// mode: each iteration still starts once, the results come out in order,
// and no more iterations exist than run at a time.
func TestDurableMapRedeliveredItemsRunOnce(t *testing.T) {
	t.Parallel()
	for _, outbox := range []bool{false, true} {
		t.Run(fmt.Sprintf("outbox=%v", outbox), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			opts := store.OptionsFromEnv()
			opts.Prefix = storetest.Prefix("sbrtm-")
			opts.Outbox = outbox
			st, err := store.Open(ctx, opts)
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Purge(context.Background()); _ = st.Close() })
			var id string
			var most int64
			d := runtime.NewDurable(st, &runtime.Durable{Consumer: "w1"})
			started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: decode(t, `{"items":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}`),
				Definition: []byte(`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemsPath":"$.items",
				"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":0,"Next":"B"},
				"B":{"Type":"Pass","Parameters":{"x.$":"$","i.$":"$$.Map.Item.Index"},"End":true}}},"End":true}}}`)})
			require.NoError(t, err)
			id = started.ID
			for {
				if _, err := st.OutboxFlush(ctx, id); err != nil {
					require.NoError(t, err)
				}
				works, err := st.WorkRead(ctx, "w1", 10, 0)
				require.NoError(t, err)
				if len(works) == 0 {
					break
				}
				for _, w := range works {
					require.NoError(t, d.Process(ctx, w.Item))
					c, err := st.ThreadCount(ctx, id)
					require.NoError(t, err)
					most = max(most, c)
					require.NoError(t, d.Process(ctx, w.Item), "the same item again")
					require.NoError(t, st.WorkAck(ctx, w.ID))
				}
			}
			e, err := d.Describe(ctx, id)
			require.NoError(t, err)
			require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
			want := make([]string, 20)
			for i := range want {
				want[i] = fmt.Sprintf(`{"x":%d,"i":%d}`, i, i)
			}
			require.JSONEq(t, "["+strings.Join(want, ",")+"]", string(e.Output))
			require.LessOrEqual(t, most, int64(1+2))
			live, n := mapLive(t, st, id)
			require.LessOrEqual(t, live, 2)
			require.Equal(t, 20, n)
		})
	}
}

// A Map stopped while its iterations wait, then redriven, runs again from
// its start, each item once more: the stopped run's iterations, whose
// timers fire after the redrive, start no further iterations and add no
// events.
func TestDurableMapStoppedAndRedriven(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: decode(t, `{"items":[0,1,2,3,4,5]}`),
		Definition: []byte(`{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemsPath":"$.items",
		"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"x.$":"$","r.$":"$$.Execution.RedriveCount"},"End":true}}},"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.Stop(ctx, started.ID, "Cancelled", ""))
	_, err = d.Redrive(ctx, started.ID)
	require.NoError(t, err)
	for range 6 {
		clk.Advance(10 * time.Second)
		require.NoError(t, d.Drain(ctx))
	}
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `[{"x":0,"r":1},{"x":1,"r":1},{"x":2,"r":1},{"x":3,"r":1},{"x":4,"r":1},{"x":5,"r":1}]`, string(e.Output))
	types := historyTypes(t, d, started.ID)
	count := map[string]int{}
	for _, ty := range types {
		count[ty]++
	}
	require.Equal(t, 2+6, count["MapIterationStarted"], "2 before the stop, 6 after the redrive: %v", types)
	require.Equal(t, 6, count["MapIterationSucceeded"], "%v", types)
	left, err := runtime.StoreOf(d).ThreadCount(ctx, started.ID)
	require.NoError(t, err)
	require.LessOrEqual(t, left, int64(1+2), "the stopped run's 2 iterations at most")
}
