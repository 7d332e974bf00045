package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
)

// The call of a Task state's integration, shared by the in-memory and the
// durable engines.

// taskCall is what a Task state's call needs to know.
type taskCall struct {
	resource            string
	params              any
	machine, arn, state string
	enteredID           int64 // the state's StateEntered event: with attempt, the idempotency key
	attempt             int
	timeout, heartbeat  int
	credentials         any
	tc                  integrations.TraceContext
}

func (c taskCall) request() *integrations.Request {
	return &integrations.Request{
		Resource:         c.resource,
		Parameters:       c.params,
		StateMachineName: c.machine,
		ExecutionARN:     c.arn,
		StateName:        c.state,
		Attempt:          c.attempt,
		TimeoutSeconds:   c.timeout,
		HeartbeatSeconds: c.heartbeat,
		IdempotencyKey:   fmt.Sprintf("%s#%s#%d#%d", c.arn, c.state, c.enteredID, c.attempt),
		Credentials:      c.credentials,
		EnteredEventID:   c.enteredID,
		TraceParent:      c.tc.Parent,
		TraceState:       c.tc.State,
		Baggage:          c.tc.Baggage,
	}
}

// invokeTask calls h (nil: no integration, a clear error) with req,
// bounded by its TimeoutSeconds when bounded is set, and translates a
// failure into an ASL error (nil on success). again is set, with no error,
// when the handler asks to be called again later (integrations.ErrTryAgain).
func invokeTask(ctx context.Context, h integrations.Handler, req *integrations.Request, bounded bool) (result any, ae *aslerr.Error, again bool) {
	if h == nil {
		h = integrations.NewMux()
	}
	if bounded && req.TimeoutSeconds > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, secondsDuration(req.TimeoutSeconds))
		defer cancel()
		req.Deadline, _ = ctx.Deadline()
	}
	result, err := h.Invoke(ctx, req)
	if errors.Is(err, integrations.ErrTryAgain) {
		slog.ErrorContext(ctx, "a task call asks to be made again; calling again in a second", "resource", req.Resource, "execution", req.ExecutionARN, "state", req.StateName, "err", err)
		return nil, nil, true
	}
	if err != nil {
		return nil, taskError(err, ctx), false
	}
	return result, nil, false
}

// failureEvent is the history event of a failed task call.
func failureEvent(ae *aslerr.Error) EventType {
	if ae.Name == aslerr.Timeout {
		return TaskTimedOut
	}
	return TaskFailed
}
