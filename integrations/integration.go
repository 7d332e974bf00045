// Package integrations is what a Task state's Resource reaches: one small
// interface, and a mux that routes a call to its handler by resource ARN.
// The queue, topic and bus routers, functions, HTTP tasks, activities and
// nested executions are all Handlers.
package integrations

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Request is one call of a Task state.
type Request struct {
	Resource         string // the Task's Resource ARN, e.g. "arn:aws:states:::sqs:sendMessage"
	Parameters       any    // the effective parameters, after InputPath/Parameters
	StateMachineName string
	ExecutionARN     string
	StateName        string
	Attempt          int // 0 for the first call, 1 for the first retry, ...
	// TaskToken completes the task through the Host (SendTaskSuccess,
	// SendTaskFailure, SendTaskHeartbeat) when the call is answered
	// later: the .waitForTaskToken pattern, or a handler returning
	// *Pending. Standard executions only; empty in Express ones.
	TaskToken        string
	TimeoutSeconds   int // 0: none
	HeartbeatSeconds int // 0: none
	// IdempotencyKey is the same for every delivery of one attempt
	// (execution, state, attempt); handlers with side effects use it to
	// recognise a redelivered call.
	IdempotencyKey string
	// Credentials is the Task's Credentials field, evaluated (for
	// example {"RoleArn": "..."}); nil when the Task has none. Handlers
	// that call out on a role's behalf take it from here.
	Credentials any
	// Deadline is when the call's TimeoutSeconds runs out; zero for none.
	// The context carries it too when the engine bounds the call.
	Deadline time.Time
	// EnteredEventID is the id of the state's StateEntered event, which
	// AWS's error causes name.
	EnteredEventID int64
	// TraceParent is the W3C trace context of the execution (a
	// traceparent header's value): a call that reaches another service
	// passes it on, so that the work joins the execution's trace. Empty
	// when the execution has none (an in-memory run).
	TraceParent string
	// TraceState and Baggage are the W3C tracestate and baggage the
	// execution was started with ("" for none), handed on with
	// TraceParent.
	TraceState, Baggage string
	// TestCase is the mock test case the execution runs under: the
	// "#TestCase" suffix of the state machine ARN it was started with,
	// as in Step Functions Local (integrations/mock). Empty for an
	// execution that calls its integrations for real.
	TestCase string
	// Exchange, when set, asks an HTTP integration to record the request
	// it sent and the response it got (TestState at TRACE).
	Exchange *HTTPExchange
}

// HTTPExchange is an HTTP call as an HTTP integration records it for
// TestState's TRACE (AWS's InspectionDataRequest and
// InspectionDataResponse): every field text. Without Reveal, what a
// connection adds to the request (its credentials and invocation
// parameters: headers, query, body) is left out, as AWS leaves it out
// without revealSecrets.
type HTTPExchange struct {
	Reveal bool
	// Sent is set once the request was made; Answered once a response
	// came.
	Sent, Answered bool
	Request        struct{ Protocol, Method, URL, Headers, Body string }
	Response       struct{ Protocol, StatusCode, StatusMessage, Headers, Body string }
}

// Trace is the request's trace context, to hand on.
func (r *Request) Trace() TraceContext {
	return TraceContext{Parent: r.TraceParent, State: r.TraceState, Baggage: r.Baggage}
}

// ErrTryAgain wraps the error of a call that could not be made for a
// reason of the runtime's own (its store unreachable): the runtime calls
// again a little later, the attempt unchanged, instead of failing the task.
var ErrTryAgain = errors.New("try the call again later")

// Pending is the result of a call that is answered later, through the
// Host by the request's TaskToken: an activity's task handed to its
// worker, a job a .sync task waits for. The execution waits for
// SendTaskSuccess or SendTaskFailure, or the task's TimeoutSeconds and
// HeartbeatSeconds. Output is what the history records as submitted.
type Pending struct {
	Output any
	// Nested is the ARN of the execution the task waits for (a .sync
	// nested execution), "" for none: the runtime stops it when the task
	// is abandoned (its execution stopped or timed out, its TimeoutSeconds
	// run out).
	Nested string
}

// Answered is the result of a call that is final although the Task's
// resource waits for a task token (".waitForTaskToken"): the runtime takes
// Output as the task's result at once instead of waiting for
// SendTaskSuccess. A mock answers so, as Step Functions Local answers a
// mocked .waitForTaskToken task with its mocked response.
type Answered struct {
	Output any
}

// Middleware wraps a Handler with a concern every call shares: tracing,
// metrics, retries of transport errors.
type Middleware func(Handler) Handler

// Chain wraps h in ms, the first outermost: Chain(h, a, b) calls a, then
// b, then h.
func Chain(h Handler, ms ...Middleware) Handler {
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}

// Host is what an integration may ask of the runtime that runs the
// executions: complete, fail or heartbeat a task by its token (a queue's
// consumer answering a .waitForTaskToken task, an activity's worker), and
// start an execution. The runtime implements it and the wiring hands it
// to the integrations that need it, so that no integration imports the
// runtime.
type Host interface {
	SendTaskSuccess(ctx context.Context, token string, output any) error
	SendTaskFailure(ctx context.Context, token, errName, cause string) error
	SendTaskHeartbeat(ctx context.Context, token string) error
	StartExecution(ctx context.Context, req StartRequest) (*Started, error)
}

// StartRequest starts an execution of a state machine through a Host.
type StartRequest struct {
	StateMachineARN string
	Name            string // "" for a generated one
	Input           any
	TraceParent     string // a W3C traceparent: the execution joins that trace
	// TraceState and Baggage go with TraceParent (W3C tracestate and
	// baggage), kept with the execution.
	TraceState, Baggage string
	// Parent, when set, links the new execution to the Task that waits
	// for its end (.sync): when it ends, the runtime completes that task
	// by Parent.Token. The start is then idempotent by name: a Name and
	// input already started return that execution.
	Parent *ParentLink
}

// ParentLink names the Task waiting for a nested execution.
type ParentLink struct {
	ExecutionARN string // the parent execution's
	Token        string // the parent task's token (Request.TaskToken)
	// Mode is how the task waits: NestedSync (.sync: the result's Input
	// and Output are JSON text) or NestedSync2 (.sync:2: JSON values).
	Mode string
}

// The ParentLink modes.
const (
	NestedSync  = "sync"
	NestedSync2 = "sync:2"
)

// Started is the execution a StartRequest started.
type Started struct {
	ExecutionARN string
	StartDate    time.Time
}

// Handler runs Task calls. A task failure is returned as *Error; any other
// error is reported as States.TaskFailed with the error's text as cause.
// A call whose result comes later returns *Pending.
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

// ErrNoIntegration is the error name of a Task call whose resource no
// integration handles. It is States.TaskFailed, which AWS documents as "a
// Task state failed during the execution": a Retry or Catch on
// States.TaskFailed or States.ALL handles it, unlike States.Runtime; the
// cause names the state and the resource.
const ErrNoIntegration = "States.TaskFailed"

// Invoke routes req to its handler, or fails with ErrNoIntegration, naming
// the resource, when none is registered.
func (m *Mux) Invoke(ctx context.Context, req *Request) (any, error) {
	h, ok := m.Lookup(req.Resource)
	if !ok {
		return nil, NoIntegration(req)
	}
	return h.Invoke(ctx, req)
}

// NoIntegration is the failure of a call whose resource no integration
// handles.
func NoIntegration(req *Request) *Error {
	return &Error{Name: ErrNoIntegration, Cause: fmt.Sprintf(
		"the Task state %q calls the resource %q, which no integration of Signalbox handles (not built, or not configured)", req.StateName, req.Resource)}
}
