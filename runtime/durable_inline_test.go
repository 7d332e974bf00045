package runtime_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

// TestDurableInlineMapWritesTheInMemoryHistory: a Map whose processor only
// decides runs inside the transition that starts it; its history is the
// in-memory engine's, event for event (MaxConcurrency 1 keeps the
// in-memory iterations in item order), failures tolerated or not, a
// Choice loop too long to run inline included (it is forked).
func TestDurableInlineMapWritesTheInMemoryHistory(t *testing.T) {
	t.Parallel()
	processor := `"ItemProcessor":{"StartAt":"Check","States":{
		"Check":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":3,"Next":"Bad"},{"Variable":"$.n","NumericGreaterThan":100,"Next":"Loop"}],"Default":"Tag"},
		"Loop":{"Type":"Pass","Next":"Check"},
		"Bad":{"Type":"Fail","Error":"Three","Cause":"no threes"},
		"Tag":{"Type":"Pass","Parameters":{"n.$":"$.n","id.$":"$$.Map.Item.Index","q.$":"$question"},"End":true}}}`
	cases := map[string]struct{ tolerated, input string }{
		"all succeed":       {`"ToleratedFailureCount":0`, `[{"n":1},{"n":2},{"n":4}]`},
		"tolerated failure": {`"ToleratedFailureCount":1`, `[{"n":1},{"n":3},{"n":4}]`},
		"failure caught":    {`"ToleratedFailureCount":0`, `[{"n":1},{"n":3},{"n":4},{"n":5}]`},
		"too long a loop":   {`"ToleratedFailureCount":0`, `[{"n":1},{"n":101}]`},
		"too much history":  {`"ToleratedFailureCount":0`, ``},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			def := `{"StartAt":"Ask","States":{
				"Ask":{"Type":"Pass","Assign":{"question":"which?"},"Next":"Each"},
				"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,` + tc.tolerated + `,` + processor + `,
					"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Caught"}],"Next":"Done"},
				"Caught":{"Type":"Pass","End":true},
				"Done":{"Type":"Succeed"}}}`
			input := `{"items":` + tc.input + `}`
			if name == "too long a loop" {
				// n goes round the loop for ever on both engines: give it
				// an end the engines agree on
				def = `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
					"ItemProcessor":{"StartAt":"Count","States":{
						"Count":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"Enough?"},
						"Enough?":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":140,"Next":"Out"}],"Default":"Count"},
						"Out":{"Type":"Succeed"}}},"End":true}}}`
			}
			if name == "too much history" {
				// each iteration's output is 200 KB: past maxInlineBytes
				// of history, the Map is forked
				big := strings.Repeat("x", 200_000)
				def = `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
					"ItemProcessor":{"StartAt":"Big","States":{"Big":{"Type":"Pass","Parameters":{"big.$":"$$.Execution.Input.big"},"End":true}}},
					"ResultSelector":{"n.$":"States.ArrayLength($)"},"End":true}}}`
				input = `{"big":"` + big + `","items":[` + strings.TrimSuffix(strings.Repeat(`1,`, 45), ",") + `]}`
			}
			mem := runWith(t, context.Background(), &runtime.Engine{}, def, input)
			want := normalizeHistory(t, events(t, mem))

			evs, e := runDurableVirtual(t, nil, []byte(def), input)
			require.JSONEq(t, want, normalizeHistory(t, evs))
			require.Equal(t, string(mem.Status), e.Status)
		})
	}
}
