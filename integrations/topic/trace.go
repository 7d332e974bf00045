package topic

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
)

// Tracing. A publish keeps its caller's W3C trace context with the
// message (PublishInput.Trace: the gateway's request, the sns:publish
// task's execution); every delivery carries it out: sqs as the
// AWSTraceHeader system attribute and a traceparent message attribute, http/https as traceparent, tracestate
// and baggage headers, states as the execution's parent. With
// Config.Tracer, each delivery of a traced message is a producer span in
// the publisher's trace ("SNS deliver <protocol>", its attempts and
// outcome), and the context carried out names that span, so that each
// consumer's work nests under its delivery.

// tracesDeliveries reports whether m's deliveries may be spans of their
// own: the Service has a tracer and m a trace context (traceDelivery
// checks it is valid).
func (s *Service) tracesDeliveries(m *message) bool {
	return s.cfg.Tracer != nil && m.Trace.Parent != ""
}

// noSpan ends the span of a delivery that has none.
func noSpan(outcome) {}

// traceDelivery starts a delivery's span when the message is traced and
// the Service has a tracer, and sets the context the delivery carries
// out; end closes the span with the delivery's outcome.
func (s *Service) traceDelivery(ctx context.Context, v *view, sv *subView, j *job) (context.Context, func(outcome)) {
	j.trace = j.msg.Trace
	if !s.tracesDeliveries(j.msg) {
		return ctx, noSpan
	}
	parent, ok := integrations.SpanContextOf(j.msg.Trace)
	if !ok {
		return ctx, noSpan
	}
	ctx, span := s.cfg.Tracer.Start(trace.ContextWithRemoteSpanContext(ctx, parent), "SNS deliver "+sv.rec.Protocol,
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(
			attribute.String("messaging.system", "aws_sns"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", v.name),
			attribute.String("messaging.message.id", j.msg.ID),
			attribute.String("signalbox.topic", v.arn),
			attribute.String("signalbox.subscription", sv.sub.ARN),
			attribute.String("signalbox.protocol", sv.rec.Protocol),
			attribute.String("signalbox.endpoint", sv.rec.Endpoint),
		))
	if sc := span.SpanContext(); sc.IsValid() {
		j.trace.Parent = integrations.TraceParentOf(sc)
	}
	return ctx, func(o outcome) {
		span.SetAttributes(attribute.Int("signalbox.attempts", j.attempts+1))
		switch {
		case o.OK:
		case o.Permanent || o.Exhausted:
			span.SetStatus(codes.Error, o.Reason)
		default:
			span.SetAttributes(attribute.String("signalbox.retry_in", o.RetryAfter.String()))
			span.SetStatus(codes.Error, o.Reason)
		}
		span.End()
	}
}
