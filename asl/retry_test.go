package asl

import (
	"math"
	"testing"
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		errorEquals []string
		name        string
		want        bool
	}{
		{[]string{"Custom"}, "Custom", true},
		{[]string{"Custom"}, "custom", false},
		{[]string{"A", "B"}, "B", true},
		{[]string{"A", "B"}, "C", false},
		{[]string{aslerr.ALL}, "Custom", true},
		{[]string{aslerr.ALL}, aslerr.Timeout, true},
		{[]string{aslerr.ALL}, aslerr.TaskFailed, true},
		{[]string{aslerr.ALL}, aslerr.ResultPathMatchFailure, true},
		{[]string{aslerr.ALL}, aslerr.Runtime, false},
		{[]string{aslerr.ALL}, aslerr.DataLimitExceeded, false},
		{[]string{aslerr.TaskFailed}, "Custom", true},
		{[]string{aslerr.TaskFailed}, aslerr.TaskFailed, true},
		{[]string{aslerr.TaskFailed}, aslerr.HeartbeatTimeout, true},
		{[]string{aslerr.TaskFailed}, aslerr.Timeout, false},
		{[]string{aslerr.TaskFailed}, aslerr.Runtime, false},
		{[]string{aslerr.TaskFailed}, aslerr.DataLimitExceeded, false},
		{[]string{aslerr.Timeout}, aslerr.Timeout, true},
		{[]string{aslerr.Runtime}, aslerr.Runtime, true}, // matches, but HandleError never catches it
		{nil, "Custom", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, Matches(tt.errorEquals, tt.name), "%v %s", tt.errorEquals, tt.name)
	}
}

func TestRetrierBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		r       Retrier
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{name: "defaults, first retry", r: Retrier{IntervalSeconds: 1, BackoffRate: 2}, attempt: 0, want: time.Second},
		{name: "defaults, third retry", r: Retrier{IntervalSeconds: 1, BackoffRate: 2}, attempt: 2, want: 4 * time.Second},
		{name: "rate one", r: Retrier{IntervalSeconds: 3, BackoffRate: 1}, attempt: 5, want: 3 * time.Second},
		{name: "fractional rate", r: Retrier{IntervalSeconds: 2, BackoffRate: 1.5}, attempt: 1, want: 3 * time.Second},
		{name: "fractional seconds", r: Retrier{IntervalSeconds: 1, BackoffRate: 1.5}, attempt: 1, want: 1500 * time.Millisecond},
		{name: "capped", r: Retrier{IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 5}, attempt: 10, want: 5 * time.Second},
		{name: "below the cap", r: Retrier{IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 5}, attempt: 2, want: 4 * time.Second},
		{name: "full jitter", r: Retrier{IntervalSeconds: 4, BackoffRate: 2, JitterFull: true}, attempt: 1, rnd: 0.25, want: 2 * time.Second},
		{name: "full jitter of the capped delay", r: Retrier{IntervalSeconds: 1, BackoffRate: 2, MaxDelaySeconds: 10, JitterFull: true}, attempt: 20, rnd: 0.5, want: 5 * time.Second},
		{name: "full jitter zero", r: Retrier{IntervalSeconds: 4, BackoffRate: 2, JitterFull: true}, attempt: 1, rnd: 0, want: 0},
		{name: "jitter needs FULL", r: Retrier{IntervalSeconds: 4, BackoffRate: 2}, attempt: 1, rnd: 0.25, want: 8 * time.Second},
		{name: "overflow saturates", r: Retrier{IntervalSeconds: 99999999, BackoffRate: 10}, attempt: 500, want: time.Duration(math.MaxInt64/int64(time.Second)) * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.r.Backoff(tt.attempt, tt.rnd))
		})
	}
}

// retryState has two retriers and two catchers.
const retryState = `{"Type":"Task","Resource":"r","Next":"T",
	"Retry":[
		{"ErrorEquals":["A"],"MaxAttempts":2,"IntervalSeconds":3},
		{"ErrorEquals":["A","B"],"MaxAttempts":5,"BackoffRate":1.5,"JitterStrategy":"FULL"},
		{"ErrorEquals":["Never"],"MaxAttempts":0},
		{"ErrorEquals":["States.ALL"],"MaxAttempts":1}
	],
	"Catch":[
		{"ErrorEquals":["A","Never"],"Next":"T","ResultPath":"$.error"},
		{"ErrorEquals":["States.TaskFailed"],"Next":"T","ResultPath":null},
		{"ErrorEquals":["States.ALL"],"Next":"T"}
	]}`

func TestHandleError(t *testing.T) {
	t.Parallel()
	s := stateOf(t, retryState)
	tests := []struct {
		name    string
		err     string
		retries []int
		want    Outcome
	}{
		{name: "first matching retrier", err: "A", want: Retry{Delay: 3 * time.Second, Retrier: 0}},
		{name: "backoff grows with the attempt", err: "A", retries: []int{1}, want: Retry{Delay: 6 * time.Second, Retrier: 0}},
		{
			// The first matching retrier is exhausted: the second, which also
			// matches, is not tried; the first matching catcher takes over.
			name: "exhausted retrier then catch", err: "A", retries: []int{2, 0},
			want: Next{State: "T", Output: map[string]any{"in": int64(1), "error": map[string]any{"Error": "A", "Cause": "boom"}}},
		},
		{name: "second retrier, with jitter from the context", err: "B", retries: []int{0, 2}, want: Retry{Delay: 562500 * time.Microsecond, Retrier: 1}}, // 1 × 1.5² × 0.25,
		{name: "MaxAttempts 0 never retries", err: "Never", want: Next{State: "T", Output: map[string]any{"in": int64(1), "error": map[string]any{"Error": "Never", "Cause": "boom"}}}},
		{name: "States.ALL retries the rest", err: "Other", want: Retry{Delay: time.Second, Retrier: 3}},
		{name: "catcher with ResultPath null", err: "Other", retries: []int{0, 0, 0, 1}, want: Next{State: "T", Output: map[string]any{"in": int64(1)}}},
		{name: "States.TaskFailed does not catch States.Timeout", err: aslerr.Timeout, retries: []int{0, 0, 0, 1}, want: Next{State: "T", Output: map[string]any{"Error": aslerr.Timeout, "Cause": "boom"}}},
		{name: "States.Runtime is never retried or caught", err: aslerr.Runtime, want: Fail{Error: aslerr.Runtime, Cause: "boom"}},
		{name: "States.DataLimitExceeded is never retried or caught", err: aslerr.DataLimitExceeded, want: Fail{Error: aslerr.DataLimitExceeded, Cause: "boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := newContext("S")
			ctx.Retries = tt.retries
			in := decode(t, `{"in":1}`)
			o := HandleError(s, in, &aslerr.Error{Name: tt.err, Cause: "boom"}, ctx)
			require.Equal(t, tt.want, o)
			requireJSON(t, `{"in":1}`, in)
		})
	}
}

func TestHandleErrorWithoutHandlers(t *testing.T) {
	t.Parallel()
	s := stateOf(t, `{"Type":"Task","Resource":"r","End":true}`)
	o := HandleError(s, map[string]any{}, &aslerr.Error{Name: "Custom", Cause: "c"}, newContext("S"))
	require.Equal(t, Fail{Error: "Custom", Cause: "c"}, o)

	// A retrier matching nothing leaves the error alone.
	s = stateOf(t, `{"Type":"Task","Resource":"r","End":true,"Retry":[{"ErrorEquals":["Other"]}]}`)
	o = HandleError(s, map[string]any{}, &aslerr.Error{Name: "Custom"}, newContext("S"))
	require.Equal(t, Fail{Error: "Custom"}, o)
}

func TestHandleErrorJitterWithoutRand(t *testing.T) {
	t.Parallel()
	s := stateOf(t, `{"Type":"Task","Resource":"r","End":true,"Retry":[{"ErrorEquals":["X"],"IntervalSeconds":2,"JitterStrategy":"FULL"}]}`)
	ctx := newContext("S")
	ctx.Rand = nil
	o := HandleError(s, map[string]any{}, &aslerr.Error{Name: "X"}, ctx)
	require.Equal(t, Retry{Delay: 2 * time.Second, Retrier: 0}, o)
}

func TestHandleErrorCatcher(t *testing.T) {
	t.Parallel()
	t.Run("assigns from the error output", func(t *testing.T) {
		t.Parallel()
		s := stateOf(t, `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"T","Assign":{"err.$":"$.Error","cause.$":"$.Cause"}}]}`)
		o := HandleError(s, map[string]any{}, &aslerr.Error{Name: "X", Cause: "why"}, newContext("S"))
		require.Equal(t, Next{State: "T", Output: map[string]any{"Error": "X", "Cause": "why"}, Assign: map[string]any{"err": "X", "cause": "why"}}, o)
	})
	t.Run("a catcher ResultPath that cannot apply fails", func(t *testing.T) {
		t.Parallel()
		s := stateOf(t, `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"T","ResultPath":"$.a.b"}]}`)
		o := HandleError(s, map[string]any{"a": "s"}, &aslerr.Error{Name: "X", Cause: "why"}, newContext("S"))
		requireFail(t, o, aslerr.ResultPathMatchFailure, `Unable to apply ResultPath '$.a.b' to input '{"a":"s"}': cannot set field "b" of a non-object value`)
	})
	t.Run("Parallel and Map catch too", func(t *testing.T) {
		t.Parallel()
		for _, state := range []string{
			`{"Type":"Parallel","Next":"T","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}],"Catch":[{"ErrorEquals":["States.BranchFailed"],"Next":"T"}]}`,
			`{"Type":"Map","Next":"T","ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}},"Catch":[{"ErrorEquals":["States.BranchFailed"],"Next":"T"}]}`,
		} {
			o := HandleError(stateOf(t, state), map[string]any{}, &aslerr.Error{Name: aslerr.BranchFailed, Cause: "c"}, newContext("S"))
			require.Equal(t, Next{State: "T", Output: map[string]any{"Error": aslerr.BranchFailed, "Cause": "c"}}, o)
		}
	})
}

func TestErrorOutputs(t *testing.T) {
	t.Parallel()
	require.Equal(t, map[string]any{"Error": "E", "Cause": "C"}, ErrorOutput(&aslerr.Error{Name: "E", Cause: "C"}))
	e := MapThresholdError()
	require.Equal(t, aslerr.ExceedToleratedFailureThreshold, e.Name)
	require.Equal(t, "The specified tolerated failure threshold was exceeded", e.Cause)
}
