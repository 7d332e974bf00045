package integrations

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Tracing makes a span of every task call: a client span, child of the
// span in the call's context (the runtime puts its state's there), from the
// call's start to its return, named after the resource. The call hands on
// that span's W3C trace context in Request.TraceParent, so that what the
// integration reaches (an HTTP endpoint, a queue's consumer, an activity's
// worker) joins the execution's trace. A call that answers later (Pending)
// ends its span when it returns: the wait for its token is the state's
// span.
func Tracing(tracer trace.Tracer) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, req *Request) (any, error) {
			ctx, span := tracer.Start(ctx, "task "+req.Resource, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(
					attribute.String("signalbox.execution.arn", req.ExecutionARN),
					attribute.String("signalbox.state.name", req.StateName),
					attribute.String("signalbox.task.resource", req.Resource),
					attribute.Int("signalbox.task.attempt", req.Attempt),
				))
			defer span.End()
			if sc := span.SpanContext(); sc.IsValid() {
				req.TraceParent = "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-" + sc.TraceFlags().String()
			}
			out, err := next.Invoke(ctx, req)
			var ie *Error
			switch {
			case errors.As(err, &ie):
				span.SetStatus(codes.Error, ie.Name)
				span.SetAttributes(attribute.String("signalbox.error", ie.Name), attribute.String("signalbox.cause", ie.Cause))
			case err != nil:
				span.SetStatus(codes.Error, err.Error())
			default:
				if _, later := out.(*Pending); later {
					span.SetAttributes(attribute.Bool("signalbox.task.pending", true))
				}
			}
			return out, err
		})
	}
}
