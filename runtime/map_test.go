package runtime_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// mapOfTasks is a Map over $.items whose iteration calls the Task "r" with
// the item; extra holds more fields of the Map state.
func mapOfTasks(extra string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",` + extra + `
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}},"End":true}}}`
}

func TestMapOutputsInItemOrder(t *testing.T) {
	t.Parallel()
	// Item 0's call returns only after item 3's has.
	lastDone := make(chan struct{})
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		switch req.Parameters {
		case "a":
			select {
			case <-lastDone:
			case <-time.After(safety):
			}
		case "d":
			defer close(lastDone)
		}
		return map[string]any{"got": req.Parameters}, nil
	})
	res := run(t, mapOfTasks(""), `{"items":["a","b","c","d"]}`, h)
	requireSucceeded(t, res, `[{"got":"a"},{"got":"b"},{"got":"c"},{"got":"d"}]`)
}

func TestMapMaxConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra string
		items int
		want  int
	}{
		{"MaxConcurrency 2", `"MaxConcurrency":2,`, 7, 2},
		{"MaxConcurrency 3", `"MaxConcurrency":3,`, 7, 3},
		{"MaxConcurrency above the item count", `"MaxConcurrency":10,`, 4, 4},
		{"no MaxConcurrency runs every item at once", ``, 6, 6},
		{"MaxConcurrencyPath", `"MaxConcurrencyPath":"$.limit",`, 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flight := newInFlight()
			h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
				defer flight.enter()()
				select { // hold each call until the expected number are in flight
				case <-flight.when(tt.want):
				case <-time.After(safety):
				}
				return req.Parameters, nil
			})
			items := make([]string, tt.items)
			want := make([]string, tt.items)
			for i := range items {
				items[i] = fmt.Sprint(i)
				want[i] = fmt.Sprint(i)
			}
			res := run(t, mapOfTasks(tt.extra), fmt.Sprintf(`{"limit":2,"items":[%s]}`, join(items)), h)
			requireSucceeded(t, res, "["+join(want)+"]")
			require.Equal(t, tt.want, flight.Max())
		})
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestMapEngineDefaultConcurrency(t *testing.T) {
	t.Parallel()
	flight := newInFlight()
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		defer flight.enter()()
		select {
		case <-flight.when(3):
		case <-time.After(safety):
		}
		return req.Parameters, nil
	})
	res := runWith(t, t.Context(), &runtime.Engine{Tasks: h, MaxInlineConcurrency: 3}, mapOfTasks(""), `{"items":[1,2,3,4,5,6,7]}`)
	requireSucceeded(t, res, `[1,2,3,4,5,6,7]`)
	require.Equal(t, 3, flight.Max())
}

func TestMapMaxConcurrencyOneIsSequential(t *testing.T) {
	t.Parallel()
	flight := newInFlight()
	var (
		mu    sync.Mutex
		order []any
	)
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		defer flight.enter()()
		mu.Lock()
		order = append(order, req.Parameters)
		mu.Unlock()
		return req.Parameters, nil
	})
	res := run(t, mapOfTasks(`"MaxConcurrency":1,`), `{"items":[5,4,3,2,1]}`, h)
	requireSucceeded(t, res, `[5,4,3,2,1]`)
	require.Equal(t, 1, flight.Max())
	requireJSON(t, `[5,4,3,2,1]`, order)
}

// TestMapOnTheVirtualClock checks that iterations overlap in virtual time
// as far as the concurrency allows.
func TestMapOnTheVirtualClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra string
		want  time.Duration
	}{
		{"sequential iterations add up", `"MaxConcurrency":1,`, 40 * time.Second},
		{"two at a time", `"MaxConcurrency":2,`, 20 * time.Second},
		{"all at once", ``, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map",`+tt.extra+`
				"ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}},"End":true}}}`,
				`[1,2,3,4]`, nil)
			requireSucceeded(t, res, `[1,2,3,4]`)
			require.Equal(t, tt.want, elapsed(res.StopDate))
		})
	}
}

func TestMapItemSelector(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemSelector":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value","shared.$":"$.shared"},
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
		`{"shared":"s","items":["a",{"b":1},null]}`, nil)
	requireSucceeded(t, res, `[
		{"index":0,"value":"a","shared":"s"},
		{"index":1,"value":{"b":1},"shared":"s"},
		{"index":2,"value":null,"shared":"s"}]`)
}

func TestMapEmptyAndInvalidItems(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`

	res := run(t, def, `{"items":[]}`, nil)
	requireSucceeded(t, res, `[]`)
	started := events(t, res)[2]
	require.Equal(t, "MapStateStarted", started["type"])
	require.Equal(t, map[string]any{"length": float64(0)}, started["mapStateStartedEventDetails"])

	res = run(t, def, `{"items":{"not":"an array"}}`, nil)
	requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
}

// failOdd is an iteration that fails on odd numbers.
const failOdd = `"ItemProcessor":{"StartAt":"Odd?","States":{
	"Odd?":{"Type":"Choice","Choices":[{"Variable":"$.odd","BooleanEquals":true,"Next":"Fail"}],"Default":"Ok"},
	"Fail":{"Type":"Fail","Error":"Item.Odd","Cause":"odd item"},
	"Ok":{"Type":"Pass","OutputPath":"$.n","End":true}}}`

// oddItems are the items 0..3: 1 and 3 fail under failOdd.
const oddItems = `{"items":[{"n":0,"odd":false},{"n":1,"odd":true},{"n":2,"odd":false},{"n":3,"odd":true}]}`

func TestMapToleratedFailures(t *testing.T) {
	t.Parallel()
	// A tolerated failed iteration contributes its execution result, as
	// AWS's ResultWriter documentation has it for a failed child
	// execution: an object with the iteration's Error, Cause and Status.
	const failed = `{"Error":"Item.Odd","Cause":"odd item","Status":"FAILED"}`
	tolerated := "[0," + failed + ",2," + failed + "]"
	tests := []struct {
		name      string
		tolerance string
		wantErr   string // "" when the Map succeeds
	}{
		{"count equal to failures", `"ToleratedFailureCount":2,`, ""},
		{"count above failures", `"ToleratedFailureCount":3,`, ""},
		{"count below failures", `"ToleratedFailureCount":1,`, "States.ExceedToleratedFailureThreshold"},
		{"count zero", `"ToleratedFailureCount":0,`, "States.ExceedToleratedFailureThreshold"},
		{"percentage equal to failures", `"ToleratedFailurePercentage":50,`, ""},
		{"percentage 100", `"ToleratedFailurePercentage":100,`, ""},
		{"percentage below failures", `"ToleratedFailurePercentage":49.9,`, "States.ExceedToleratedFailureThreshold"},
		{"either threshold tolerates", `"ToleratedFailureCount":0,"ToleratedFailurePercentage":50,`, ""},
		{"count from a path", `"ToleratedFailureCountPath":"$.tolerate",`, ""},
		{"no tolerance fails with the iteration's error", ``, "Item.Odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := `{"tolerate":2,` + oddItems[1:]
			res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,`+
				tt.tolerance+failOdd+`,"End":true}}}`, input, nil)
			if tt.wantErr == "" {
				requireSucceeded(t, res, tolerated)
				require.Len(t, ofType(res, runtime.MapIterationFailed), 2)
				require.Len(t, ofType(res, runtime.MapStateSucceeded), 1)
				return
			}
			requireFailed(t, res, runtime.StatusFailed, tt.wantErr)
			require.Len(t, ofType(res, runtime.MapStateFailed), 1)
		})
	}
}

func TestMapThresholdErrorIsCatchable(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":1,`+failOdd+`,
		"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"ResultPath":"$.error","Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","OutputPath":"$.error.Error","End":true}}}`, oddItems, nil)
	requireSucceeded(t, res, `"States.ExceedToleratedFailureThreshold"`)
}

func TestMapIterationFailureIsCatchable(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",`+failOdd+`,
		"Catch":[{"ErrorEquals":["Item.Odd"],"Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","End":true}}}`, oddItems, nil)
	requireSucceeded(t, res, `{"Error":"Item.Odd","Cause":"odd item"}`)
}

func TestMapHistoryEvents(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, `{"items":[10,20,30]}`, nil)
	requireSucceeded(t, res, `[10,20,30]`)
	evs := events(t, res)
	require.Equal(t, map[string]any{"length": float64(3)}, evs[2]["mapStateStartedEventDetails"])

	var startedIdx, succeededIdx []int
	for _, ev := range res.History() {
		require.True(t, ev.Type != runtime.MapIterationStarted || ev.Name == "M", "iteration events name the Map state")
		switch ev.Type {
		case runtime.MapIterationStarted:
			startedIdx = append(startedIdx, ev.Index)
		case runtime.MapIterationSucceeded:
			succeededIdx = append(succeededIdx, ev.Index)
		}
	}
	sort.Ints(startedIdx)
	sort.Ints(succeededIdx)
	require.Equal(t, []int{0, 1, 2}, startedIdx)
	require.Equal(t, []int{0, 1, 2}, succeededIdx)
	require.Len(t, ofType(res, runtime.StateEntered("Pass")), 3)
}
