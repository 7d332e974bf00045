package runtime_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
)

// goldenCase is one file of testdata/history (see its README.md).
type goldenCase struct {
	Definition json.RawMessage  `json:"definition"`
	Input      json.RawMessage  `json:"input"`
	Events     []map[string]any `json:"events"`
}

// goldenHandlers serve the Task states of the golden cases.
var goldenHandlers = map[string]integrations.Handler{
	"task_retry_catch": newRecorder(failTimes(1000, "Boom")),
}

// TestGoldenHistories runs each golden case on both engines, the
// in-memory one and the durable one (its timers fired on a virtual clock):
// both must write the history of the file.
func TestGoldenHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/history/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	engines := map[string]func(t *testing.T, name string, gc goldenCase) []map[string]any{
		"memory": func(t *testing.T, name string, gc goldenCase) []map[string]any {
			res := runWith(t, context.Background(), &runtime.Engine{Tasks: goldenHandlers[name]}, string(gc.Definition), string(gc.Input))
			return events(t, res)
		},
		"durable": func(t *testing.T, name string, gc goldenCase) []map[string]any {
			evs, _ := runDurableVirtual(t, goldenHandlers[name], gc.Definition, string(gc.Input))
			return evs
		},
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		for engine, run := range engines {
			t.Run(engine+"/"+name, func(t *testing.T) {
				t.Parallel()
				data, err := os.ReadFile(file)
				require.NoError(t, err)
				var gc goldenCase
				require.NoError(t, json.Unmarshal(data, &gc))
				got := normalizeHistory(t, run(t, name, gc))
				want, err := json.MarshalIndent(gc.Events, "", "  ")
				require.NoError(t, err)
				require.JSONEq(t, string(want), got)
			})
		}
	}
}

// runDurableVirtual runs one execution of def on the durable engine to its end,
// on a store of its own and a virtual clock from t0, and returns its
// history, decoded event by event, and its description.
func runDurableVirtual(t *testing.T, h integrations.Handler, def []byte, input string) ([]map[string]any, *runtime.ExecutionInfo) {
	t.Helper()
	ctx := context.Background()
	clk := testclock.New(t0)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: h, Now: clk.Now, Consumer: "virtual"})
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "StateMachine", Definition: def, Input: decode(t, input)})
	require.NoError(t, err)
	return finishVirtual(t, d, clk, started.ID)
}

// finishVirtual runs a started execution to its end on the virtual clock
// clk, and returns its history, decoded event by event, and its
// description.
func finishVirtual(t *testing.T, d *runtime.Durable, clk *testclock.Clock, id string) ([]map[string]any, *runtime.ExecutionInfo) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, d.DrainVirtual(ctx, id, func(to time.Time) { clk.Advance(to.Sub(clk.Now())) }))
	page, err := d.Inspector().History(ctx, id, runtime.HistoryQuery{Limit: 100000})
	require.NoError(t, err)
	evs := make([]map[string]any, len(page.Events))
	for i, ev := range page.Events {
		require.NoError(t, json.Unmarshal(ev.JSON, &evs[i]))
	}
	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	return evs, e
}

// normalizeHistory makes a rendered history comparable with a golden
// file: timestamps become offsets from t0, the role ARN a placeholder, and
// the JSON text of payloads the value it encodes.
func normalizeHistory(t *testing.T, evs []map[string]any) string {
	t.Helper()
	for _, ev := range evs {
		ts, err := time.Parse(time.RFC3339Nano, ev["timestamp"].(string))
		require.NoError(t, err)
		ev["timestamp"] = "+" + ts.Sub(t0).String()
		for key, v := range ev {
			details, ok := v.(map[string]any)
			if !ok || !strings.HasSuffix(key, "EventDetails") {
				continue
			}
			if _, ok := details["roleArn"]; ok {
				details["roleArn"] = "<roleArn>"
			}
			for _, field := range []string{"input", "output", "parameters"} {
				raw, ok := details[field]
				if !ok {
					continue
				}
				text, isString := raw.(string)
				require.True(t, isString, "%s.%s is JSON text, as in AWS", key, field)
				var decoded any
				require.NoError(t, json.Unmarshal([]byte(text), &decoded), "%s.%s", key, field)
				details[field] = decoded
			}
		}
	}
	out, err := json.MarshalIndent(evs, "", "  ")
	require.NoError(t, err)
	return string(out)
}

// requireWellFormedHistory checks what holds of every history: ids count
// from 1, ExecutionStarted comes first and exactly one terminal execution
// event last, and every previousEventId names an earlier event.
func requireWellFormedHistory(t *testing.T, res *runtime.Result) {
	t.Helper()
	h := res.History()
	require.GreaterOrEqual(t, len(h), 2)
	require.Equal(t, runtime.ExecutionStarted, h[0].Type)
	require.Zero(t, h[0].PreviousID)
	terminal := map[runtime.EventType]bool{
		runtime.ExecutionSucceeded: true, runtime.ExecutionFailed: true,
		runtime.ExecutionTimedOut: true, runtime.ExecutionAborted: true,
	}
	for i, ev := range h {
		require.Equal(t, int64(i+1), ev.ID, "ids are sequential from 1")
		require.Less(t, ev.PreviousID, ev.ID, "event %d follows an earlier event", ev.ID)
		require.GreaterOrEqual(t, ev.PreviousID, int64(0))
		require.Equal(t, i == len(h)-1, terminal[ev.Type], "event %d (%s): only the last event is terminal", ev.ID, ev.Type)
		if i > 0 {
			require.False(t, ev.Timestamp.Before(res.StartDate), "event %d before the start", ev.ID)
		}
	}
	require.Equal(t, res.StopDate, h[len(h)-1].Timestamp)
}

func TestHistoryIsWellFormed(t *testing.T) {
	t.Parallel()
	defs := map[string]string{
		"linear": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Wait","Seconds":1,"End":true}}}`,
		"fails":  `{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E"}}}`,
		"parallel": `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}},
			{"StartAt":"C","States":{"C":{"Type":"Wait","Seconds":3,"End":true}}},
			{"StartAt":"D","States":{"D":{"Type":"Task","Resource":"r","End":true}}}],"End":true}}}`,
		"map": `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":3,"ItemProcessor":{
			"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Next":"B"},"B":{"Type":"Pass","End":true}}},"End":true}}}`,
		"timeout": `{"TimeoutSeconds":1,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":2,"End":true}}}`,
	}
	for name, def := range defs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := run(t, def, `[1,2,3,4,5,6,7]`, newRecorder(echo))
			requireWellFormedHistory(t, res)
		})
	}
}

// TestHistoryChainsPerThread checks previousEventId in concurrent
// branches: the first event of each branch or iteration follows the
// state's ...Started (or MapIterationStarted) event, and each later event
// of a branch follows the previous event of the same branch.
func TestHistoryChainsPerThread(t *testing.T) {
	t.Parallel()
	t.Run("Parallel", func(t *testing.T) {
		t.Parallel()
		res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
			{"StartAt":"A1","States":{"A1":{"Type":"Pass","Next":"A2"},"A2":{"Type":"Pass","End":true}}},
			{"StartAt":"B1","States":{"B1":{"Type":"Pass","Next":"B2"},"B2":{"Type":"Pass","End":true}}},
			{"StartAt":"C1","States":{"C1":{"Type":"Pass","Next":"C2"},"C2":{"Type":"Pass","End":true}}}],"End":true}}}`, "", nil)
		requireWellFormedHistory(t, res)
		h := res.History()
		byID := map[int64]runtime.Event{}
		for _, ev := range h {
			byID[ev.ID] = ev
		}
		started := ofType(res, runtime.ParallelStateStarted)[0]
		for _, branch := range []string{"A", "B", "C"} {
			// The branch's four events, in order, each following the one before.
			var chain []runtime.Event
			for _, ev := range h {
				if strings.HasPrefix(ev.Name, branch) {
					chain = append(chain, ev)
				}
			}
			require.Len(t, chain, 4, "branch %s", branch)
			require.Equal(t, started.ID, chain[0].PreviousID, "branch %s starts from ParallelStateStarted", branch)
			for i := 1; i < len(chain); i++ {
				require.Equal(t, chain[i-1].ID, chain[i].PreviousID, "branch %s event %d", branch, i)
			}
		}
	})
	t.Run("Map", func(t *testing.T) {
		t.Parallel()
		res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{
			"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}},"End":true}}}`, `[1,2,3,4]`, nil)
		requireWellFormedHistory(t, res)
		h := res.History()
		mapStarted := ofType(res, runtime.MapStateStarted)[0]
		next := map[int64]int{} // event id → how many events follow it
		for _, ev := range h {
			next[ev.PreviousID]++
		}
		for _, it := range ofType(res, runtime.MapIterationStarted) {
			require.Equal(t, mapStarted.ID, it.PreviousID)
			// Walk the iteration's chain: A entered, A exited, B entered,
			// B exited, MapIterationSucceeded.
			want := []string{"PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "MapIterationSucceeded"}
			cur := it
			for _, typ := range want {
				var found *runtime.Event
				for i := range h {
					if h[i].PreviousID == cur.ID && h[i].Type != runtime.MapIterationStarted && h[i].Type != runtime.MapStateSucceeded {
						require.Nil(t, found, "one event follows event %d within its iteration", cur.ID)
						found = &h[i]
					}
				}
				require.NotNil(t, found, "iteration %d: %s follows event %d", it.Index, typ, cur.ID)
				require.Equal(t, typ, string(found.Type))
				cur = *found
			}
			require.Equal(t, it.Index, cur.Index)
		}
	})
}

func TestHistoryPayloadsAreJSONText(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"text","End":true}}}`, `{"b":[1,2.5,null],"a":"x"}`, nil)
	evs := events(t, res)
	require.Equal(t, map[string]any{
		"input":        `{"a":"x","b":[1,2.5,null]}`,
		"inputDetails": map[string]any{"truncated": false},
		"roleArn":      "arn:aws:iam::123456789012:role/signalbox",
	}, evs[0]["executionStartedEventDetails"])
	require.Equal(t, map[string]any{
		"name":          "A",
		"output":        `"text"`,
		"outputDetails": map[string]any{"truncated": false},
	}, evs[2]["stateExitedEventDetails"])
	require.Equal(t, `"text"`, evs[3]["executionSucceededEventDetails"].(map[string]any)["output"])
	require.Equal(t, "2024-03-01T12:00:00.000Z", evs[0]["timestamp"])
}

// StateEntered and StateExited name every kind's events as the kind's
// name followed by StateEntered or StateExited.
func TestStateEventTypes(t *testing.T) {
	for _, k := range []asl.Kind{asl.KindPass, asl.KindTask, asl.KindChoice, asl.KindWait, asl.KindSucceed, asl.KindFail, asl.KindParallel, asl.KindMap, "Other"} {
		require.Equal(t, runtime.EventType(string(k)+"StateEntered"), runtime.StateEntered(k))
		require.Equal(t, runtime.EventType(string(k)+"StateExited"), runtime.StateExited(k))
	}
}
