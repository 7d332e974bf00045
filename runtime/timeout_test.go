package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// requireLastEvent asserts that the history ends with exactly one
// terminal execution event, of type typ.
func requireLastEvent(t *testing.T, res *runtime.Result, typ runtime.EventType) {
	t.Helper()
	h := res.History()
	require.NotEmpty(t, h)
	require.Equal(t, typ, h[len(h)-1].Type)
	terminal := 0
	for _, ev := range h {
		switch ev.Type {
		case runtime.ExecutionSucceeded, runtime.ExecutionFailed, runtime.ExecutionTimedOut, runtime.ExecutionAborted:
			terminal++
		}
	}
	require.Equal(t, 1, terminal, "exactly one terminal execution event")
}

func TestExecutionTimeoutOnVirtualClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		states string
	}{
		{
			name:   "Wait past the deadline",
			states: `"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}`,
		},
		{
			name: "retry delays past the deadline",
			states: `"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
				"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":4,"MaxAttempts":5}],"End":true}}`,
		},
		{
			name: "a Parallel branch past the deadline is not caught",
			states: `"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}},
				{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
				"C":{"Type":"Pass","End":true}}`,
		},
		{
			name: "a Map iteration past the deadline is not caught",
			states: `"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{
				"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$","End":true}}},
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
				"C":{"Type":"Pass","End":true}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, `{"TimeoutSeconds":10,`+tt.states+`}`, `{"items":[1,60,2]}`,
				newRecorder(failTimes(100, "Boom")))
			requireFailed(t, res, runtime.StatusTimedOut, "States.Timeout")
			require.Equal(t, 10*time.Second, elapsed(res.StopDate), "the execution ends at its deadline")
			requireLastEvent(t, res, runtime.ExecutionTimedOut)
			require.False(t, entered(res, "C"), "no Catch ran")
		})
	}
}

func TestExecutionWithinTimeoutSucceeds(t *testing.T) {
	t.Parallel()
	res := run(t, `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`, "", nil)
	require.Equal(t, runtime.StatusSucceeded, res.Status, "a wait that ends exactly at the deadline is in time")
	requireLastEvent(t, res, runtime.ExecutionSucceeded)
}

// TestExecutionTimeoutOnRealClock needs the wall clock: the deadline must
// interrupt a task call that never returns by itself.
func TestExecutionTimeoutOnRealClock(t *testing.T) {
	t.Parallel()
	h := integrations.HandlerFunc(func(ctx context.Context, _ *integrations.Request) (any, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(safety):
			return "not interrupted", nil
		}
	})
	m := compile(t, `{"TimeoutSeconds":1,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}}`)
	res := (&runtime.Engine{Tasks: h}).Run(t.Context(), m, runtime.Execution{Clock: runtime.RealClock{}})
	requireFailed(t, res, runtime.StatusTimedOut, "States.Timeout")
	requireLastEvent(t, res, runtime.ExecutionTimedOut)
	require.Less(t, res.StopDate.Sub(res.StartDate), safety)
}

func TestCancelAborts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		states string
		calls  int // Task calls in flight before the test cancels
	}{
		{
			name: "a blocked Task, with a Catch that must not run",
			states: `"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}`,
			calls: 1,
		},
		{
			name: "blocked Parallel branches",
			states: `"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"T1","States":{"T1":{"Type":"Task","Resource":"r","End":true}}},
				{"StartAt":"T2","States":{"T2":{"Type":"Task","Resource":"r","End":true}}}],
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}`,
			calls: 2,
		},
		{
			name: "blocked Map iterations",
			states: `"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{
				"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}},"ToleratedFailurePercentage":100,
				"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}`,
			calls: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			flight := newInFlight()
			h := integrations.HandlerFunc(func(ctx context.Context, _ *integrations.Request) (any, error) {
				defer flight.enter()()
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(safety):
					return "not interrupted", nil
				}
			})
			go func() {
				<-flight.when(tt.calls)
				cancel()
			}()
			res := runWith(t, ctx, &runtime.Engine{Tasks: h}, `{`+tt.states+`}`, `[1,2,3]`)
			requireFailed(t, res, runtime.StatusAborted, "States.Aborted")
			requireLastEvent(t, res, runtime.ExecutionAborted)
			require.False(t, entered(res, "C"), "no Catch ran")
		})
	}
}

func TestCancelledBeforeStartAborts(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := runWith(t, ctx, &runtime.Engine{}, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, "")
	requireFailed(t, res, runtime.StatusAborted, "States.Aborted")
	requireLastEvent(t, res, runtime.ExecutionAborted)
}
