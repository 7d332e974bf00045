package mock

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// call is one expected answer of a Session: a result, or a task failure.
type call struct {
	result any
	err    *integrations.Error
}

func ret(v any) call                { return call{result: v} }
func throw(name, cause string) call { return call{err: &integrations.Error{Name: name, Cause: cause}} }
func runtimeErr(cause string) call  { return throw("States.Runtime", cause) }
func invoke(state string) *integrations.Request {
	return &integrations.Request{Resource: "arn:aws:states:::lambda:invoke", StateName: state}
}

func newTestSession(t *testing.T, stateMachine, testCase string, opts ...SessionOption) *Session {
	t.Helper()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	s, err := cfg.TestCase(stateMachine, testCase, opts...)
	require.NoError(t, err)
	return s
}

func requireCall(t *testing.T, want call, got any, err error, msgAndArgs ...any) {
	t.Helper()
	if want.err != nil {
		require.Nil(t, got, msgAndArgs...)
		var taskErr *integrations.Error
		require.True(t, errors.As(err, &taskErr), "error %v is an *integrations.Error", err)
		require.Equal(t, want.err, taskErr, msgAndArgs...)
		return
	}
	require.NoError(t, err, msgAndArgs...)
	require.Equal(t, want.result, got, msgAndArgs...)
}

func TestSessionSequences(t *testing.T) {
	t.Parallel()
	charged := map[string]any{
		"StatusCode": int64(200),
		"Payload":    map[string]any{"charged": true, "amount": 12.5, "items": int64(3)},
	}
	sent := map[string]any{"MessageId": "5c1ad3f0-0000-4000-8000-000000000001"}
	for _, tc := range []struct {
		name, stateMachine, testCase string
		calls                        []string // state names, in order
		want                         []call
	}{
		{
			name: "one response per state", stateMachine: "OrderFlow", testCase: "HappyPath",
			calls: []string{"ChargeCard", "NotifyCustomer"},
			want:  []call{ret(charged), ret(sent)},
		},
		{
			name: "ranges, then exhaustion", stateMachine: "OrderFlow", testCase: "RetryPath",
			calls: []string{"ChargeCard", "ChargeCard", "ChargeCard", "ChargeCard", "ChargeCard"},
			want: []call{
				throw("Lambda.ServiceException", "card network unavailable"),
				throw("Lambda.TooManyRequestsException", "slow down"),
				throw("Lambda.TooManyRequestsException", "slow down"),
				ret(charged),
				runtimeErr(`the mocked response "ChargeFlaky" of state "ChargeCard" (resource "arn:aws:states:::lambda:invoke") has no entry for invocation 4 (it answers invocations 0, 1-2, 3)`),
			},
		},
		{
			name: "states count separately", stateMachine: "OrderFlow", testCase: "RetryPath",
			calls: []string{"ChargeCard", "NotifyCustomer", "ChargeCard", "NotifyCustomer"},
			want: []call{
				throw("Lambda.ServiceException", "card network unavailable"),
				ret(sent),
				throw("Lambda.TooManyRequestsException", "slow down"),
				runtimeErr(`the mocked response "NotificationSent" of state "NotifyCustomer" (resource "arn:aws:states:::lambda:invoke") has no entry for invocation 1 (it answers invocations 0)`),
			},
		},
		{
			name: "Throw without Cause", stateMachine: "Inventory", testCase: "EachItem",
			calls: []string{"CheckStock", "CheckStock", "CheckStock", "CheckStock"},
			want: []call{
				ret(map[string]any{"inStock": true}),
				ret(map[string]any{"inStock": true}),
				ret(map[string]any{"inStock": false}),
				throw("Inventory.Unavailable", ""),
			},
		},
		{
			name: "state not mocked", stateMachine: "OrderFlow", testCase: "ChargeOnly",
			calls: []string{"ChargeCard", "NotifyCustomer"},
			want: []call{
				ret(charged),
				runtimeErr(`the state "NotifyCustomer" (resource "arn:aws:states:::lambda:invoke") has no mocked response in test case "ChargeOnly" of state machine "OrderFlow", and no integration to fall back on`),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSession(t, tc.stateMachine, tc.testCase)
			require.Len(t, tc.want, len(tc.calls))
			for i, state := range tc.calls {
				got, err := s.Invoke(t.Context(), invoke(state))
				requireCall(t, tc.want[i], got, err, "call %d (%s)", i, state)
			}
		})
	}
}

func TestSessionGap(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`{
		"StateMachines": {"SM": {"TestCases": {"TC": {"S": "R"}}}},
		"MockedResponses": {"R": {"0": {"Return": "a"}, "2-3": {"Return": "b"}}}
	}`))
	require.NoError(t, err)
	s, err := cfg.TestCase("SM", "TC")
	require.NoError(t, err)
	for i, want := range []call{
		ret("a"),
		runtimeErr(`the mocked response "R" of state "S" (resource "arn:aws:states:::lambda:invoke") has no entry for invocation 1 (it answers invocations 0, 2-3)`),
		ret("b"),
		ret("b"),
	} {
		got, err := s.Invoke(t.Context(), invoke("S"))
		requireCall(t, want, got, err, "call %d", i)
	}
	require.Equal(t, 4, s.Invocations("S"), "an unanswered invocation counts too")
}

func TestSessionsAreIndependent(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	first, err := cfg.TestCase("OrderFlow", "RetryPath")
	require.NoError(t, err)
	_, err = first.Invoke(t.Context(), invoke("ChargeCard"))
	require.Error(t, err)
	require.Equal(t, 1, first.Invocations("ChargeCard"))

	second, err := cfg.TestCase("OrderFlow", "RetryPath")
	require.NoError(t, err)
	require.Equal(t, 0, second.Invocations("ChargeCard"))
	_, err = second.Invoke(t.Context(), invoke("ChargeCard"))
	requireCall(t, throw("Lambda.ServiceException", "card network unavailable"), nil, err)
}

func TestSessionReturnsFreshValues(t *testing.T) {
	t.Parallel()
	s := newTestSession(t, "Inventory", "EachItem")
	got, err := s.Invoke(t.Context(), invoke("CheckStock"))
	require.NoError(t, err)
	got.(map[string]any)["inStock"] = "tampered"

	got, err = s.Invoke(t.Context(), invoke("CheckStock"))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"inStock": true}, got, "altering a result does not alter the configuration")
}

func TestSessionFallback(t *testing.T) {
	t.Parallel()
	var seen []string
	fallback := integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
		seen = append(seen, req.StateName)
		return "real", nil
	})
	s := newTestSession(t, "OrderFlow", "ChargeOnly", WithFallback(fallback))

	got, err := s.Invoke(t.Context(), invoke("NotifyCustomer"))
	require.NoError(t, err)
	require.Equal(t, "real", got)

	got, err = s.Invoke(t.Context(), invoke("ChargeCard"))
	require.NoError(t, err)
	require.Equal(t, int64(200), got.(map[string]any)["StatusCode"], "a mocked state does not reach the fallback")
	require.Equal(t, []string{"NotifyCustomer"}, seen)
	require.Equal(t, 0, s.Invocations("NotifyCustomer"), "calls passed on are not counted")
}

func TestSessionCanceledContext(t *testing.T) {
	t.Parallel()
	s := newTestSession(t, "OrderFlow", "HappyPath")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Invoke(ctx, invoke("ChargeCard"))
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 0, s.Invocations("ChargeCard"))
}

func TestSessionConcurrentInvocations(t *testing.T) {
	t.Parallel()
	const n = 64
	cfg, err := Parse([]byte(`{
		"StateMachines": {"SM": {"TestCases": {"TC": {"Item": "PerItem", "Other": "PerItem"}}}},
		"MockedResponses": {"PerItem": {"0-31": {"Return": "low"}, "32-63": {"Return": "high"}}}
	}`))
	require.NoError(t, err)
	s, err := cfg.TestCase("SM", "TC")
	require.NoError(t, err)

	results := make([]any, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = s.Invoke(t.Context(), invoke("Item")) })
	}
	wg.Wait()

	counts := map[any]int{}
	for i := range n {
		require.NoError(t, errs[i])
		counts[results[i]]++
	}
	require.Equal(t, map[any]int{"low": 32, "high": 32}, counts, "each invocation got its own number")
	require.Equal(t, n, s.Invocations("Item"))
	require.Equal(t, 0, s.Invocations("Other"))

	_, err = s.Invoke(t.Context(), invoke("Item"))
	require.ErrorContains(t, err, "no entry for invocation 64")
}

func TestSessionIsHandler(t *testing.T) {
	t.Parallel()
	mux := integrations.NewMux()
	mux.Handle("arn:aws:states:::lambda:invoke", newTestSession(t, "OrderFlow", "HappyPath"))
	got, err := mux.Invoke(t.Context(), invoke("NotifyCustomer"))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"MessageId": "5c1ad3f0-0000-4000-8000-000000000001"}, got)
}
