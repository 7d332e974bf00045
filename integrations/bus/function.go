package bus

import (
	"context"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
)

// Functions invokes functions asynchronously: function.Target.
type Functions = function.AsyncInvoker

// SetFunctions hands the Service what invokes the functions of function
// targets, when it is built after the Service.
func (s *Service) SetFunctions(f Functions) { s.fns.Set(f) }

// toFunction invokes a function target asynchronously, as EventBridge
// invokes Lambda, with the input (the event, or what the target makes of
// it) as the event, in the event's trace. The delivery is made once the
// invocation is queued; no such function, or an event Lambda refuses, is
// a permanent failure (the dead-letter queue's), a throttle is retried by
// the target's retry policy.
func (s *Service) toFunction(ctx context.Context, tv *targetView, input []byte, tc integrations.TraceContext) outcome {
	fns := s.fns.Get()
	if fns == nil {
		return outcome{Reason: "no functions run here"}
	}
	_, err := fns.InvokeAsync(ctx, tv.t.Arn, input, tc)
	switch {
	case err == nil:
		return outcome{OK: true}
	case function.Permanent(err):
		code := errInvalidParameter
		if fe, ok := err.(*function.Error); ok && fe.Name == function.ErrResourceNotFound {
			code = errResourceNotFound
		}
		return outcome{Permanent: true, Code: code, Reason: err.Error()}
	}
	return outcome{Reason: err.Error()}
}
