// Package integrations is what a Task state's Resource reaches: one small
// interface, and a mux that routes a call to its handler by resource ARN.
// The queue, topic and bus routers, functions, HTTP tasks, activities and
// nested executions are all Handlers.
package integrations

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Request is one call of a Task state.
type Request struct {
	Resource         string // the Task's Resource ARN, e.g. "arn:aws:states:::sqs:sendMessage"
	Parameters       any    // the effective parameters, after InputPath/Parameters
	StateMachineName string
	ExecutionARN     string
	StateName        string
	Attempt          int    // 0 for the first call, 1 for the first retry, ...
	TaskToken        string // set for the .waitForTaskToken pattern
	TimeoutSeconds   int    // 0: none
	HeartbeatSeconds int    // 0: none
	// IdempotencyKey is the same for every delivery of one attempt
	// (execution, state, attempt); handlers with side effects use it to
	// recognise a redelivered call.
	IdempotencyKey string
}

// Handler runs Task calls. A task failure is returned as *Error; any other
// error is reported as States.TaskFailed with the error's text as cause.
type Handler interface {
	Invoke(ctx context.Context, req *Request) (any, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) (any, error)

// Invoke calls f.
func (f HandlerFunc) Invoke(ctx context.Context, req *Request) (any, error) { return f(ctx, req) }

// Error is a task failure with an ASL error name, which Retry and Catch
// match on.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// Mux routes calls to handlers by resource. A pattern ending in "*" matches
// every resource with that prefix; otherwise the match is exact. The
// longest matching pattern wins.
type Mux struct {
	mu       sync.RWMutex
	exact    map[string]Handler
	prefixes []prefixHandler // longest first
}

type prefixHandler struct {
	prefix string
	h      Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{exact: map[string]Handler{}} }

// Handle registers h for pattern.
func (m *Mux) Handle(pattern string, h Handler) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		m.prefixes = append(m.prefixes, prefixHandler{p, h})
		sort.SliceStable(m.prefixes, func(i, j int) bool { return len(m.prefixes[i].prefix) > len(m.prefixes[j].prefix) })
		return
	}
	m.exact[pattern] = h
}

// Lookup returns the handler for resource.
func (m *Mux) Lookup(resource string) (Handler, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if h, ok := m.exact[resource]; ok {
		return h, true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(resource, p.prefix) {
			return p.h, true
		}
	}
	return nil, false
}

// Invoke routes req to its handler, or fails with a clear error naming the
// resource when none is registered.
func (m *Mux) Invoke(ctx context.Context, req *Request) (any, error) {
	h, ok := m.Lookup(req.Resource)
	if !ok {
		return nil, &Error{Name: "States.Runtime", Cause: fmt.Sprintf("no integration handles the resource %q", req.Resource)}
	}
	return h.Invoke(ctx, req)
}
