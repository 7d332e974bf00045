package bus

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
)

// Tracing. A put keeps its caller's W3C trace context with the event
// (PutEventsEntry.Trace: the gateway's request, the events:putEvents
// task's execution; else the entry's TraceHeader); every delivery carries
// it out: a queue as the AWSTraceHeader system attribute and a
// traceparent message attribute, a topic as the publisher's trace, a
// state machine as the execution's parent, an API destination as
// traceparent, tracestate and baggage headers, another bus with the event.
// With Config.Tracer, each delivery of a traced event is a producer span
// in the putter's trace ("EventBridge deliver <kind>", its attempt and
// outcome), and the context carried out names that span, so that each
// target's work nests under its delivery.

// traceDelivery starts a delivery's span when the event is traced and the
// Service has a tracer; it returns the context to carry out and the
// function that ends the span with the delivery's outcome.
func (s *Service) traceDelivery(ctx context.Context, j job, tv *targetView, tc integrations.TraceContext, eventID string) (context.Context, integrations.TraceContext, func(outcome)) {
	parent, ok := integrations.SpanContextOf(tc)
	if s.cfg.Tracer == nil || !ok {
		return ctx, tc, func(outcome) {}
	}
	ctx, span := s.cfg.Tracer.Start(trace.ContextWithRemoteSpanContext(ctx, parent), "EventBridge deliver "+tv.kind.String(),
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
			attribute.String("messaging.system", "aws_eventbridge"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", j.bus),
			attribute.String("messaging.message.id", eventID),
			attribute.String("signalbox.bus", s.BusARN(j.bus)),
			attribute.String("signalbox.rule", s.RuleARN(j.bus, j.rule)),
			attribute.String("signalbox.target", tv.t.Arn),
			attribute.String("signalbox.target_id", j.target),
			attribute.Int("signalbox.attempt", j.attempts+1),
		))
	out := tc
	if sc := span.SpanContext(); sc.IsValid() {
		out.Parent = integrations.TraceParentOf(sc)
	}
	return ctx, out, func(o outcome) {
		if !o.OK {
			span.SetStatus(codes.Error, o.Reason)
		}
		span.End()
	}
}
