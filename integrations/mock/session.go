package mock

import (
	"context"
	"fmt"
	"sync"

	"github.com/signalbox/signalbox/integrations"
)

// errRuntime is the error name of a call the mock cannot answer. Like Step
// Functions Local, which fails the execution, it uses States.Runtime, which
// Retry and Catch do not handle.
const errRuntime = "States.Runtime"

// Session serves the Task calls of one execution from a test case. It counts
// the invocations of each mocked state, whatever their cause (a retry, a loop
// back to the state, a Map iteration), and answers invocation n (0-based)
// from the entry whose range holds n. Concurrent invocations of one state get
// distinct numbers, in the order they reach the Session.
//
// A Session is safe for concurrent use. It implements integrations.Handler.
type Session struct {
	stateMachine, testCase string
	states                 testCase
	fallback               integrations.Handler

	mu     sync.Mutex
	counts map[string]int // state name → invocations so far
}

// SessionOption configures a Session.
type SessionOption func(*Session)

// WithFallback makes the Session pass a call of a state the test case does
// not mock to h, as Step Functions Local calls the real service. Without a
// fallback such a call fails with States.Runtime.
func WithFallback(h integrations.Handler) SessionOption {
	return func(s *Session) { s.fallback = h }
}

func newSession(stateMachine, testCaseName string, tc testCase, opts []SessionOption) *Session {
	s := &Session{
		stateMachine: stateMachine,
		testCase:     testCaseName,
		states:       tc,
		counts:       map[string]int{},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Invoke answers the call of req.StateName: the Return value of its entry
// as the task result (a fresh copy), or its Throw as an *integrations.Error.
// Every call of a mocked state counts, a redelivered one too.
func (s *Session) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, ok := s.states[req.StateName]
	if !ok {
		if s.fallback != nil {
			return s.fallback.Invoke(ctx, req)
		}
		return nil, &integrations.Error{Name: errRuntime, Cause: fmt.Sprintf(
			"the state %q (resource %q) has no mocked response in test case %q of state machine %q, and no integration to fall back on",
			req.StateName, req.Resource, s.testCase, s.stateMachine)}
	}
	n := s.next(req.StateName)
	e, ok := r.find(n)
	if !ok {
		return nil, &integrations.Error{Name: errRuntime, Cause: fmt.Sprintf(
			"the mocked response %q of state %q (resource %q) has no entry for invocation %d (it answers invocations %s)",
			r.name, req.StateName, req.Resource, n, r.covered())}
	}
	return e.answer()
}

// Invocations returns how many invocations of state the Session has counted.
func (s *Session) Invocations(state string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[state]
}

// next numbers a new invocation of state.
func (s *Session) next(state string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.counts[state]
	s.counts[state] = n + 1
	return n
}
