package telemetry

import (
	"context"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/integrations"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// spanWriter is the process's tracer, and an integrations.SpanWriter: the
// runtime's spans and task calls', finished when they are handed over, go to the span
// processor (the batcher) as they are, past the SDK's machinery for spans
// in progress, sampled by the provider's sampler. A finished span is made
// read-only through tracetest.SpanStub, the SDK's one public way to build
// a sdktrace.ReadOnlySpan (its interface has a private method).
type spanWriter struct {
	trace.Tracer
	proc    sdktrace.SpanProcessor
	sampler sdktrace.Sampler
	res     *resource.Resource
	scope   instrumentation.Scope
	// wire, when set, takes the spans in their wire form (batcher.go),
	// past the processor: the OTLP exporter's path.
	wire *wireBatcher
	// byParent is set when sampler is the default, parentbased_always_on:
	// then a span is sampled when its parent is, or it has none, which
	// WriteSpan tells without asking the sampler (and building the
	// context it asks with: two allocations a span).
	byParent bool
}

// isParentBasedAlwaysOn tells whether s samples as the default sampler.
func isParentBasedAlwaysOn(s sdktrace.Sampler) bool {
	return s.Description() == sdktrace.ParentBased(sdktrace.AlwaysSample()).Description()
}

var _ integrations.SpanWriter = (*spanWriter)(nil)

func (w *spanWriter) WriteSpan(s integrations.FinishedSpan) {
	kind := s.Kind
	if kind == trace.SpanKindUnspecified {
		kind = trace.SpanKindInternal
	}
	if w.wire != nil && w.byParent {
		if !s.Parent.IsValid() || s.Parent.IsSampled() {
			w.wire.add(&s, kind, nil)
		}
		return
	}
	ctx := context.Background()
	if s.Parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, s.Parent)
	}
	d := w.sampler.ShouldSample(sdktrace.SamplingParameters{ParentContext: ctx, TraceID: s.SpanContext.TraceID(),
		Name: s.Name, Kind: kind, Attributes: s.Attributes})
	if d.Decision != sdktrace.RecordAndSample {
		return // a span that is only recorded is not exported either
	}
	if w.wire != nil {
		w.wire.add(&s, kind, d.Attributes)
		return
	}
	stub := tracetest.SpanStub{
		Name: s.Name, SpanContext: s.SpanContext, Parent: s.Parent, SpanKind: kind,
		StartTime: s.Start, EndTime: s.End, Attributes: append(s.Attributes, d.Attributes...),
		Resource: w.res, InstrumentationScope: w.scope,
	}
	if s.Error {
		stub.Status = sdktrace.Status{Code: codes.Error, Description: s.ErrorName}
		stub.Events = []sdktrace.Event{{Name: "error", Time: s.End,
			Attributes: []attribute.KeyValue{attribute.String("signalbox.error", s.ErrorName), attribute.String("signalbox.cause", s.ErrorCause)}}}
	}
	w.proc.OnEnd(stub.Snapshot())
}

// samplerFromEnv is the sampler OTEL_TRACES_SAMPLER and its argument name,
// as the SDK reads them (parentbased_always_on by default), so that the
// provider and the span writer sample alike.
func samplerFromEnv(env func(string) string) sdktrace.Sampler {
	ratio := func() float64 {
		r, err := strconv.ParseFloat(strings.TrimSpace(env("OTEL_TRACES_SAMPLER_ARG")), 64)
		if err != nil || r < 0 || r > 1 {
			return 1
		}
		return r
	}
	switch strings.ToLower(strings.TrimSpace(env("OTEL_TRACES_SAMPLER"))) {
	case "always_on":
		return sdktrace.AlwaysSample()
	case "always_off":
		return sdktrace.NeverSample()
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio())
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio()))
	}
	return sdktrace.ParentBased(sdktrace.AlwaysSample())
}
