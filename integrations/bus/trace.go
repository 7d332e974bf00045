package bus

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
)

// Tracing. An event keeps its caller's W3C trace context (the entry's
// Trace, else its TraceHeader) with its deliveries (pending.stored), and
// every delivery carries it out: a queue's AWSTraceHeader and traceparent
// attributes, a topic's publish, a state machine's execution, another
// bus's event, an API destination's W3C headers. With Config.Tracer, each
// delivery of an event traced with a W3C traceparent is a producer span
// in the event's trace ("EventBridge deliver <kind>", its attempts and
// outcome), and the context carried out names that span, so that each
// target's work nests under its delivery, as the topic's deliveries do.
// An archive's keeping of an event is no delivery to trace.

// kindNames name the target kinds in spans.
var kindNames = map[TargetKind]string{TargetQueue: "sqs", TargetTopic: "sns", TargetStateMachine: "states",
	TargetBus: "events", TargetAPIDestination: "api-destination"}

// traceDelivery starts an attempt's span when the event is traced and the
// Service has a tracer, and returns the context the attempt carries out;
// end closes the span with the attempt's outcome.
func (s *Service) traceDelivery(ctx context.Context, j job, tv *targetView, tc integrations.TraceContext) (context.Context, integrations.TraceContext, func(outcome)) {
	parent, ok := tc.SpanContext()
	if s.cfg.Tracer == nil || !ok || tv.kind == TargetArchive {
		return ctx, tc, func(outcome) {}
	}
	ctx, span := s.cfg.Tracer.Start(trace.ContextWithRemoteSpanContext(ctx, parent), "EventBridge deliver "+kindNames[tv.kind],
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
			attribute.String("messaging.system", "aws_eventbridge"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", j.bus),
			attribute.String("messaging.message.id", j.id),
			attribute.String("signalbox.bus", s.BusARN(j.bus)),
			attribute.String("signalbox.rule", s.RuleARN(j.bus, j.rule)),
			attribute.String("signalbox.target", j.target),
			attribute.String("signalbox.target.arn", tv.t.Arn),
			attribute.Int("signalbox.attempts", j.attempts+1),
		))
	if sc := span.SpanContext(); sc.IsValid() {
		tc.Parent = integrations.TraceParentOf(sc)
	}
	return ctx, tc, func(o outcome) {
		if !o.OK {
			span.SetAttributes(attribute.Bool("signalbox.permanent", o.Permanent))
			if o.Code != "" {
				span.SetAttributes(attribute.String("signalbox.error_code", o.Code))
			}
			span.SetStatus(codes.Error, o.Reason)
		}
		span.End()
	}
}
