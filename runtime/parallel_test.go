package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

func TestParallelOutputsInBranchOrder(t *testing.T) {
	t.Parallel()
	// Branch 0's task returns only after branch 2's has: branch 0 ends
	// last, yet its output comes first.
	lastDone := make(chan struct{})
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		switch req.Resource {
		case "first":
			select {
			case <-lastDone:
			case <-time.After(safety):
			}
		case "last":
			defer close(lastDone)
		}
		return req.Resource, nil
	})
	res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"first","End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"in.$":"$.x"},"End":true}}},
		{"StartAt":"C","States":{"C":{"Type":"Task","Resource":"last","End":true}}}],
		"End":true}}}`, `{"x":7}`, h)
	requireSucceeded(t, res, `["first",{"in":7},"last"]`)
}

func TestParallelBranchesRunConcurrently(t *testing.T) {
	t.Parallel()
	const branches = 4
	flight := newInFlight()
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		defer flight.enter()()
		// Block until every branch's task is in flight: a sequential
		// engine would get here one call at a time.
		select {
		case <-flight.when(branches):
		case <-time.After(safety):
		}
		return req.Parameters, nil
	})
	res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Parameters":{"b":0},"End":true}}},
		{"StartAt":"T1","States":{"T1":{"Type":"Task","Resource":"r","Parameters":{"b":1},"End":true}}},
		{"StartAt":"T2","States":{"T2":{"Type":"Task","Resource":"r","Parameters":{"b":2},"End":true}}},
		{"StartAt":"T3","States":{"T3":{"Type":"Task","Resource":"r","Parameters":{"b":3},"End":true}}}],
		"End":true}}}`, "", h)
	requireSucceeded(t, res, `[{"b":0},{"b":1},{"b":2},{"b":3}]`)
	require.Equal(t, branches, flight.Max())
}

func TestParallelTakesTheLongestBranchOnTheVirtualClock(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"End":true}}},
		{"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":30,"Next":"X"},"X":{"Type":"Wait","Seconds":10,"End":true}}},
		{"StartAt":"W3","States":{"W3":{"Type":"Wait","Seconds":20,"End":true}}}],
		"Next":"After"},"After":{"Type":"Wait","Seconds":1,"End":true}}}`, "", nil)
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	require.Equal(t, 41*time.Second, elapsed(res.StopDate), "branches overlap: 40s, then 1s")
	exited := ofType(res, runtime.StateExited("Parallel"))
	require.Len(t, exited, 1)
	require.Equal(t, 40*time.Second, elapsed(exited[0].Timestamp))
}

func TestParallelBranchFailure(t *testing.T) {
	t.Parallel()
	branches := `"Branches":[
		{"StartAt":"OK","States":{"OK":{"Type":"Pass","End":true}}},
		{"StartAt":"Bad","States":{"Bad":{"Type":"Fail","Error":"Branch.Boom","Cause":"branch 1 failed"}}}]`

	t.Run("fails the state with the branch's error", func(t *testing.T) {
		t.Parallel()
		res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel",`+branches+`,"End":true}}}`, "", nil)
		requireFailed(t, res, runtime.StatusFailed, "Branch.Boom")
		require.Equal(t, "branch 1 failed", res.Cause)
		require.Len(t, ofType(res, runtime.ParallelStateFailed), 1)
		require.Empty(t, ofType(res, runtime.ParallelStateSucceeded))
		require.Empty(t, ofType(res, runtime.StateExited("Parallel")))
	})
	t.Run("is caught by the state's Catch", func(t *testing.T) {
		t.Parallel()
		res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel",`+branches+`,
			"Catch":[{"ErrorEquals":["Branch.Boom"],"ResultPath":"$.error","Next":"Caught"}],"End":true},
			"Caught":{"Type":"Pass","End":true}}}`, `{"in":1}`, nil)
		requireSucceeded(t, res, `{"in":1,"error":{"Error":"Branch.Boom","Cause":"branch 1 failed"}}`)
		require.True(t, entered(res, "Caught"))
	})
	t.Run("is retried by the state's Retry", func(t *testing.T) {
		t.Parallel()
		res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel",`+branches+`,
			"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"MaxAttempts":2}],"End":true}}}`, "", nil)
		requireFailed(t, res, runtime.StatusFailed, "Branch.Boom")
		require.Len(t, ofType(res, runtime.ParallelStateStarted), 3)
		require.Equal(t, 9*time.Second, elapsed(res.StopDate))
	})
}

func TestParallelFailureCancelsOtherBranches(t *testing.T) {
	t.Parallel()
	// Branch 1 fails once branch 0's task is in flight; branch 0's task
	// then sees its context cancelled rather than run to completion.
	started := make(chan struct{})
	cancelled := make(chan bool, 1)
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		switch req.Resource {
		case "block":
			close(started)
			select {
			case <-ctx.Done():
				cancelled <- true
				return nil, ctx.Err()
			case <-time.After(safety):
				cancelled <- false
				return "done", nil
			}
		default:
			<-started
			return nil, &integrations.Error{Name: "Fast.Fail", Cause: "fast"}
		}
	})
	res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"Slow","States":{"Slow":{"Type":"Task","Resource":"block","End":true}}},
		{"StartAt":"Fast","States":{"Fast":{"Type":"Task","Resource":"fail","End":true}}}],"End":true}}}`, "", h)
	requireFailed(t, res, runtime.StatusFailed, "Fast.Fail")
	require.True(t, <-cancelled, "the other branch was cancelled")
}

func TestParallelBranchesSeeTheirOwnContext(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":{"v.$":"$.v"},"Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"state.$":"$$.State.Name","v.$":"$.v"},"End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":2,"Next":"C"},
			"C":{"Type":"Pass","Parameters":{"state.$":"$$.State.Name","at.$":"$$.State.EnteredTime"},"End":true}}}],
		"End":true}}}`, `{"v":1,"ignored":true}`, nil)
	requireSucceeded(t, res, `[{"state":"A","v":1},{"state":"C","at":"2024-03-01T12:00:02.000Z"}]`)
}

// On virtual clocks the Parallel's failure is the earliest in virtual time,
// whatever the order in which the branches' goroutines get there: branch
// B fails at 5 s but, held in a Task call, only after branch A has failed
// at 10 s. B's failure is the Parallel's, and the execution stops at 5 s
// (not at 10 s, nor at the 60 s of branch C's Wait).
func TestParallelEarliestVirtualFailureWins(t *testing.T) {
	t.Parallel()
	aFailing := make(chan struct{})
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		switch req.Resource {
		case "arn:aws:states:::a":
			close(aFailing)
		case "arn:aws:states:::b":
			select {
			case <-aFailing:
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(safety):
				return nil, errors.New("branch A never failed")
			}
		}
		return map[string]any{}, nil
	})
	def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
		{"StartAt": "WaitA", "States": {
			"WaitA": {"Type": "Wait", "Seconds": 10, "Next": "TaskA"},
			"TaskA": {"Type": "Task", "Resource": "arn:aws:states:::a", "Next": "FailA"},
			"FailA": {"Type": "Fail", "Error": "A", "Cause": "at 10 s"}}},
		{"StartAt": "WaitB", "States": {
			"WaitB": {"Type": "Wait", "Seconds": 5, "Next": "TaskB"},
			"TaskB": {"Type": "Task", "Resource": "arn:aws:states:::b", "Next": "FailB"},
			"FailB": {"Type": "Fail", "Error": "B", "Cause": "at 5 s"}}},
		{"StartAt": "WaitC", "States": {
			"WaitC": {"Type": "Wait", "Seconds": 60, "End": true}}}
	]}}}`
	res := run(t, def, "", h)
	requireFailed(t, res, runtime.StatusFailed, "B")
	require.Equal(t, "at 5 s", res.Cause)
	require.Equal(t, t0.Add(5*time.Second), res.StopDate)
}
