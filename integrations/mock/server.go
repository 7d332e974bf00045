package mock

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/signalbox/signalbox/integrations"
)

// Counter numbers the invocations of a mocked state within one execution,
// for a server whose executions outlive a process: Next returns the
// 0-based number of the invocation key identifies, the same number for
// every delivery of one call (key is the request's IdempotencyKey), and
// the next free number of state in execution for a new key. The store
// implements it (store.Client.MockInvocation), so that a worker that takes
// an execution over after a restart goes on counting where the last one
// stopped.
type Counter interface {
	MockInvocation(ctx context.Context, execution, state, key string) (int, error)
}

// Server serves the Task calls of a server's executions (`signalbox serve
// --mocks`, or $SFN_MOCK_CONFIG), as Step Functions Local does: a call of an
// execution started with a test case (the "#TestCase" suffix of the state
// machine ARN, which the runtime records on the execution and hands over
// in Request.TestCase) is answered from that test case's mocked response
// for the state; any other call goes to the real integrations (fallback),
// a call of a state the test case does not mock too ("HybridPath").
//
// Unlike a Session, a Server keeps no count of its own: the Counter
// numbers the invocations, so that they survive a restart and a
// redelivered call gets the answer the first delivery got.
type Server struct {
	config   *Config
	fallback integrations.Handler
	counter  Counter
}

// NewServer returns a Server answering from c (nil: no mock configuration,
// every call with a test case fails), counting with counter and passing
// the calls it does not mock to fallback.
func NewServer(c *Config, counter Counter, fallback integrations.Handler) *Server {
	return &Server{config: c, fallback: fallback, counter: counter}
}

// CheckTestCase reports whether the configuration defines testCase for
// stateMachine: an error wrapping ErrNotFound, naming what it defines,
// when not (or when there is no configuration).
func (s *Server) CheckTestCase(stateMachine, testCase string) error {
	if s.config == nil {
		return fmt.Errorf("mock: the test case %q is %w: this server has no mock configuration (start it with --mocks FILE or $%s)", testCase, ErrNotFound, EnvConfig)
	}
	_, err := s.config.TestCase(stateMachine, testCase)
	return err
}

// EnvConfig is the environment variable naming the mock configuration
// file, as Step Functions Local reads it.
const EnvConfig = "SFN_MOCK_CONFIG"

// Invoke answers req from its test case's mocked response, or passes it to
// the fallback.
func (s *Server) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	if req.TestCase == "" {
		return s.fallback.Invoke(ctx, req)
	}
	if s.config == nil {
		return nil, &integrations.Error{Name: errRuntime, Cause: fmt.Sprintf(
			"the execution runs under the test case %q, and this process has no mock configuration (--mocks FILE or $%s)", req.TestCase, EnvConfig)}
	}
	cases, ok := s.config.stateMachines[req.StateMachineName]
	tc, found := cases[req.TestCase]
	if !ok || !found {
		return nil, &integrations.Error{Name: errRuntime, Cause: fmt.Sprintf(
			"the test case %q of state machine %q is not in this process's mock configuration", req.TestCase, req.StateMachineName)}
	}
	r, ok := tc[req.StateName]
	if !ok {
		return s.fallback.Invoke(ctx, req)
	}
	n, err := s.counter.MockInvocation(ctx, req.ExecutionARN, req.StateName, req.IdempotencyKey)
	if err != nil {
		return nil, errors.Join(integrations.ErrTryAgain, err)
	}
	e, ok := r.find(n)
	if !ok {
		return nil, &integrations.Error{Name: errRuntime, Cause: fmt.Sprintf(
			"the mocked response %q of state %q (resource %q) has no entry for invocation %d (it answers invocations %s)",
			r.name, req.StateName, req.Resource, n, r.covered())}
	}
	v, err := e.answer()
	if err == nil && strings.HasSuffix(req.Resource, ".waitForTaskToken") {
		// the mocked response is the task's result: no token to wait for
		return &integrations.Answered{Output: v}, nil
	}
	return v, err
}
