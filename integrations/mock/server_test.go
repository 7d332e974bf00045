package mock

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// memCounter numbers calls as the store does, in memory.
type memCounter struct {
	byKey  map[string]int
	counts map[string]int
	err    error
}

func (c *memCounter) MockInvocation(_ context.Context, execution, state, key string) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if n, ok := c.byKey[key]; ok {
		return n, nil
	}
	n := c.counts[execution+"#"+state]
	c.counts[execution+"#"+state] = n + 1
	c.byKey[key] = n
	return n, nil
}

func newMemCounter() *memCounter {
	return &memCounter{byKey: map[string]int{}, counts: map[string]int{}}
}

func serverCall(testCase, state, key string) *integrations.Request {
	return &integrations.Request{Resource: "arn:aws:states:::lambda:invoke", StateMachineName: "OrderFlow", ExecutionARN: "arn:exec",
		StateName: state, TestCase: testCase, IdempotencyKey: key}
}

func TestServer(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	var real []string
	fallback := integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
		real = append(real, req.StateName)
		return "real", nil
	})
	s := NewServer(cfg, newMemCounter(), fallback)

	// no test case: the real integrations
	got, err := s.Invoke(t.Context(), serverCall("", "ChargeCard", "k0"))
	require.NoError(t, err)
	require.Equal(t, "real", got)

	// RetryPath's ChargeCard: 0 throws, 1-2 throw, 3 returns; a
	// redelivered call (same key) gets the answer of its number again
	for i, want := range []call{
		throw("Lambda.ServiceException", "card network unavailable"),
		throw("Lambda.TooManyRequestsException", "slow down"),
		throw("Lambda.TooManyRequestsException", "slow down"),
		ret(map[string]any{"StatusCode": int64(200), "Payload": map[string]any{"charged": true, "amount": 12.5, "items": int64(3)}}),
	} {
		key := string(rune('a' + i))
		got, err := s.Invoke(t.Context(), serverCall("RetryPath", "ChargeCard", key))
		requireCall(t, want, got, err, "call %d", i)
		got, err = s.Invoke(t.Context(), serverCall("RetryPath", "ChargeCard", key))
		requireCall(t, want, got, err, "call %d redelivered", i)
	}
	got, err = s.Invoke(t.Context(), serverCall("RetryPath", "ChargeCard", "e"))
	requireCall(t, runtimeErr(`the mocked response "ChargeFlaky" of state "ChargeCard" (resource "arn:aws:states:::lambda:invoke") has no entry for invocation 4 (it answers invocations 0, 1-2, 3)`), got, err)

	// a state the test case does not mock: the real integrations
	got, err = s.Invoke(t.Context(), serverCall("ChargeOnly", "NotifyCustomer", "f"))
	require.NoError(t, err)
	require.Equal(t, "real", got)
	require.Equal(t, []string{"ChargeCard", "NotifyCustomer"}, real)

	// a test case that is not there (the configuration changed since the start)
	got, err = s.Invoke(t.Context(), serverCall("SadPath", "ChargeCard", "g"))
	requireCall(t, runtimeErr(`the test case "SadPath" of state machine "OrderFlow" is not in this process's mock configuration`), got, err)

	require.NoError(t, s.CheckTestCase("OrderFlow", "HappyPath"))
	require.ErrorIs(t, s.CheckTestCase("OrderFlow", "SadPath"), ErrNotFound)
}

func TestServerWithoutConfiguration(t *testing.T) {
	t.Parallel()
	s := NewServer(nil, newMemCounter(), integrations.NewMux())
	err := s.CheckTestCase("OrderFlow", "HappyPath")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, "this server has no mock configuration (start it with --mocks FILE or $SFN_MOCK_CONFIG)")
	_, err = s.Invoke(t.Context(), serverCall("HappyPath", "ChargeCard", "k"))
	require.ErrorContains(t, err, `States.Runtime: the execution runs under the test case "HappyPath", and this process has no mock configuration`)
	// no test case: the real integrations, here none
	_, err = s.Invoke(t.Context(), serverCall("", "ChargeCard", "k"))
	var te *integrations.Error
	require.True(t, errors.As(err, &te))
	require.Equal(t, integrations.ErrNoIntegration, te.Name)
}

func TestServerCounterUnavailable(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	c := newMemCounter()
	c.err = errors.New("connection refused")
	s := NewServer(cfg, c, integrations.NewMux())
	_, err = s.Invoke(t.Context(), serverCall("HappyPath", "ChargeCard", "k"))
	require.ErrorIs(t, err, integrations.ErrTryAgain, "the call is made again later")
	require.ErrorContains(t, err, "connection refused")
}

func TestServerAnswersWaitForTaskToken(t *testing.T) {
	t.Parallel()
	cfg, err := LoadFile(sampleFile)
	require.NoError(t, err)
	s := NewServer(cfg, newMemCounter(), integrations.NewMux())
	req := serverCall("HappyPath", "NotifyCustomer", "k")
	req.Resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
	got, err := s.Invoke(t.Context(), req)
	require.NoError(t, err)
	require.Equal(t, &integrations.Answered{Output: map[string]any{"MessageId": "5c1ad3f0-0000-4000-8000-000000000001"}}, got,
		"the mocked response is the result: no token is waited for")
}
