package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// Both engines hold a state's output, a task's result, a Map's Items and
// each iteration's input to AWS's 256 KiB, with AWS's error, which no
// Catch (not even States.ALL) and no Retry handles.
func TestPayloadLimitsHoldInBothEngines(t *testing.T) {
	t.Parallel()
	big := `{"s":"` + strings.Repeat("x", 200_000) + `"}`
	catchAll := `"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":3}]`
	caught := `"Caught":{"Type":"Pass","End":true}`
	for _, c := range []struct{ name, def, input string }{
		{"a Pass doubling its input (intrinsic)", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}', $.s, $.s)"},"End":true}}}`, big},
		{"a Pass doubling its input (JSONata)", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $states.input.s & $states.input.s %}","End":true}}}`, big},
		{"a task's result, caught by nothing", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","ResultSelector":{"a.$":"$.s","b.$":"$.s"},` + catchAll + `,"End":true},` + caught + `}}`, big},
		{"a Map's Items", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% [1..100000] %}","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, `{}`},
		{"an iteration's input", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"s.$":"States.Format('{}{}', $.s, $.s)"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, `{"items":[1],"s":"` + strings.Repeat("x", 200_000) + `"}`},
		{"a Parallel's result", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],` + catchAll + `,"End":true},` + caught + `}}`, big},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, c.def, c.input, integrations.HandlerFunc(echo))
			requireFailed(t, res, runtime.StatusFailed, "States.DataLimitExceeded")
			require.Contains(t, res.Cause, "returned a result with a size exceeding the maximum number of bytes service limit")
			require.False(t, entered(res, "Caught"), "caught")

			_, e := runDurable(t, integrations.HandlerFunc(echo), c.def, c.input)
			require.Equal(t, "FAILED", e.Status, "output %.100s", e.Output)
			require.Equal(t, "States.DataLimitExceeded", e.Error)
			require.Equal(t, res.Cause, e.Cause, "both engines say the same")
		})
	}
	// just under the limit passes
	under := `{"s":"` + strings.Repeat("x", asl.MaxPayload/2-20) + `"}`
	res := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}', $.s, $.s)"},"End":true}}}`, under, nil)
	require.Equal(t, runtime.StatusSucceeded, res.Status, res.Cause)
}

// The in-memory engine bounds a kept history: a machine with no way out
// fails with States.Runtime instead of growing without end.
func TestEngineBoundsTheHistory(t *testing.T) {
	t.Parallel()
	// (a machine with no terminal state at all is refused at validation;
	// this one has a way out it never takes)
	loop := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.never","IsPresent":true,"Next":"Done"}],"Default":"A"},"Done":{"Type":"Succeed"}}}`
	res := runWith(t, context.Background(), &runtime.Engine{MaxEvents: 1000}, loop, "")
	requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
	require.Equal(t, "The execution reached the maximum number of history events (1000).", res.Cause)
	require.LessOrEqual(t, len(res.History()), 1002)

	// iterations of a Map count too
	mapLoop := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"A","States":` +
		`{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.never","IsPresent":true,"Next":"Done"}],"Default":"A"},"Done":{"Type":"Succeed"}}},"End":true}}}`
	res = runWith(t, context.Background(), &runtime.Engine{MaxEvents: 1000}, mapLoop, "[1,2,3]")
	requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
}

// An Express execution runs at most five minutes, as on AWS.
func TestEngineBoundsAnExpressExecution(t *testing.T) {
	t.Parallel()
	wait := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`
	e := &runtime.Engine{}
	res := e.Run(context.Background(), compile(t, wait), runtime.Execution{Name: "x", Input: map[string]any{}, Clock: runtime.NewVirtualClock(t0), Express: true})
	requireFailed(t, res, runtime.StatusTimedOut, "States.Timeout")
	require.Equal(t, 5*time.Minute, res.StopDate.Sub(res.StartDate))

	// a Standard run of the same machine waits its ten minutes
	res = e.Run(context.Background(), compile(t, wait), runtime.Execution{Name: "x", Input: map[string]any{}, Clock: runtime.NewVirtualClock(t0)})
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	require.Equal(t, 10*time.Minute, res.StopDate.Sub(res.StartDate))
}

// An inline Map runs at most 40 iterations at once whatever its
// MaxConcurrency, as AWS's and as the durable engine (on c2ba32b every item
// of a Map with MaxConcurrency 100000 had its goroutine at once). The calls
// are held until 40 are in flight. (After the runtime-limits helper's test.)
func TestEngineBoundsLiveMapIterations(t *testing.T) {
	flight := newInFlight()
	full := flight.when(40)
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		out := flight.enter()
		defer out()
		select {
		case <-full:
		case <-ctx.Done():
		}
		return 1, nil
	})
	items := make([]string, 1500)
	for i := range items {
		items[i] = "0"
	}
	res := run(t, `{"StartAt":"Each","States":{"Each":{"Type":"Map","MaxConcurrency":100000,"ItemsPath":"$.items","ResultSelector":{"n.$":"States.ArrayLength($)"},
		"ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"r","End":true}}},"End":true}}}`,
		`{"items":[`+strings.Join(items, ",")+`]}`, h)
	requireSucceeded(t, res, `{"n":1500}`)
	require.Equal(t, 40, flight.Max())
}

// A Map's result is held to the limit exactly, measured from the lengths
// its iterations measured: at the limit it passes, a byte over it fails,
// for outputs that are strings and for outputs that are objects.
func TestMapResultAtTheLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, processor string
		overhead        int // the JSON length of an output, less its string's
	}{
		{"strings", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}0123456789', $)"},"OutputPath":"$.s","End":true}}}`, len(`"0123456789"`)},
		{"objects", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"s.$":"$","k":[1]},"End":true}}}`, len(`{"k":[1],"s":""}`)},
	} {
		for _, extra := range []int{0, 1} {
			// 4 outputs: brackets, 3 commas, the outputs
			lengths := []int{1000, 20, 77}
			last := asl.MaxPayload + extra - 2 - 3 - 4*c.overhead - 1000 - 20 - 77
			lengths = append(lengths, last)
			items := make([]string, len(lengths))
			for i, n := range lengths {
				items[i] = `"` + strings.Repeat("x", n) + `"`
			}
			def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":` + c.processor + `,"ResultSelector":{"n.$":"States.ArrayLength($)"},"End":true}}}`
			res := run(t, def, "["+strings.Join(items, ",")+"]", nil)
			if extra == 0 {
				requireSucceeded(t, res, `{"n":4}`)
			} else {
				requireFailed(t, res, runtime.StatusFailed, "States.DataLimitExceeded")
			}
			// the items fit: every iteration ran, the result is what is held
			succeeded := 0
			for _, ev := range res.History() {
				if ev.Type == runtime.MapIterationSucceeded {
					succeeded++
				}
			}
			require.Equal(t, 4, succeeded, "%s, %d over", c.name, extra)
		}
	}
}

// TestEngineMaxPayloadRaisesTheLimitOnPurpose: AWS's 256 KiB by default;
// Engine.MaxPayload raises it for a self-hosted run that needs more.
func TestEngineMaxPayloadRaisesTheLimitOnPurpose(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"Grow","States":{"Grow":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`
	input := `{"s":"` + strings.Repeat("x", 150_000) + `"}`
	requireFailed(t, run(t, def, input, nil), runtime.StatusFailed, "States.DataLimitExceeded")

	res := runWith(t, context.Background(), &runtime.Engine{MaxPayload: 1 << 20}, def, input)
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	require.Len(t, res.Output.(map[string]any)["b"], 150_000)

	res = runWith(t, context.Background(), &runtime.Engine{MaxPayload: 200_000}, def, input)
	requireFailed(t, res, runtime.StatusFailed, "States.DataLimitExceeded")
}
