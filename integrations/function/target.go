package function

import (
	"context"
	"errors"
	"sync"

	"github.com/signalbox/signalbox/integrations"
)

// Target invokes functions for the routers that deliver to them (a topic's
// lambda subscriptions, a bus rule's function targets), as SNS and
// EventBridge invoke Lambda: asynchronously (InvocationType Event). A
// delivery is made once the invocation is queued; the function's own
// failures are the async queue's to retry (Async), not the router's.
type Target struct {
	r     Resolver
	async *Async
}

// NewTarget returns a Target resolving function ARNs with r and queueing
// invocations on async.
func NewTarget(r Resolver, async *Async) *Target { return &Target{r: r, async: async} }

// InvokeAsync queues an invocation of the function functionARN names (an
// ARN, maybe qualified; any FunctionName Lambda takes) with payload as
// the event, carrying the trace context tc, and returns its request id.
// Permanent(err) tells a failure that will not pass (no such function, a
// name or payload Lambda refuses) from one to retry (throttled, the
// resolver's store unreachable).
func (t *Target) InvokeAsync(ctx context.Context, functionARN string, payload []byte, tc integrations.TraceContext) (string, error) {
	fn, err := t.r.Resolve(ctx, functionARN, "")
	if errors.Is(err, ErrNotFound) {
		return "", &Error{Name: ErrResourceNotFound, Cause: "Function not found: " + functionARN}
	}
	if err != nil {
		return "", err
	}
	id := integrations.NewUUID()
	if err := t.async.Enqueue(fn, &Invocation{Payload: payload, RequestID: id, TraceParent: tc.Parent, TraceState: tc.State}, nil); err != nil {
		return "", err
	}
	return id, nil
}

// AsyncInvoker invokes functions asynchronously, as Target does: what the
// routers (topic, bus) deliver to functions through.
type AsyncInvoker interface {
	InvokeAsync(ctx context.Context, functionARN string, payload []byte, tc integrations.TraceContext) (string, error)
}

var _ AsyncInvoker = (*Target)(nil)

// LateInvoker holds the AsyncInvoker a router is handed once both are built
// (its SetFunctions); Get is nil until then. The zero value is ready to
// use; it is safe for concurrent use.
type LateInvoker struct {
	mu  sync.Mutex
	inv AsyncInvoker
}

// Set hands over the AsyncInvoker.
func (l *LateInvoker) Set(inv AsyncInvoker) {
	l.mu.Lock()
	l.inv = inv
	l.mu.Unlock()
}

// Get returns the AsyncInvoker handed over, or nil.
func (l *LateInvoker) Get() AsyncInvoker {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inv
}

// Permanent reports whether a failure of InvokeAsync will happen again
// however often the call is made: no such function, a name, event or
// function Lambda refuses. Throttling, service errors and anything not an
// *Error (a store unreachable) may pass.
func Permanent(err error) bool {
	var fe *Error
	if !errors.As(err, &fe) {
		return false
	}
	switch fe.Name {
	case ErrResourceNotFound, ErrValidation, ErrInvalidParameter, ErrInvalidContent, ErrRequestTooLarge, ErrInvalidRuntime:
		return true
	}
	return false
}

// IsFunctionARN reports whether s is a function's ARN
// (arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]).
func IsFunctionARN(s string) bool {
	ref, err := ParseFunctionRef(s, "")
	return err == nil && ref.Region != "" && ref.Account != ""
}
