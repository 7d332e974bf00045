package store

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// observeHook measures the calls to Redis: their round trip in the
// histogram signalbox.redis.duration (by command; "pipeline" for a
// pipeline), and, only when a tracer is given (they would drown an
// execution's trace otherwise), a client span each, in the caller's trace
// when its context carries one.
type observeHook struct {
	duration metric.Float64Histogram // nil: no metric
	tracer   trace.Tracer            // nil: no span
	// byCommand holds each command's attribute option, built once (the
	// hook runs on every round trip).
	byCommand sync.Map // string -> []metric.RecordOption (as Record takes them: no allocation a record)
}

func newObserveHook(meter metric.Meter, tracer trace.Tracer) (*observeHook, error) {
	h := &observeHook{tracer: tracer}
	if meter != nil {
		var err error
		h.duration, err = meter.Float64Histogram("signalbox.redis.duration", metric.WithUnit("s"),
			metric.WithDescription("Round trips to Redis, by command (pipeline: a pipeline of them)."),
			metric.WithExplicitBucketBoundaries(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))
		if err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (h *observeHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *observeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return h.observe(ctx, cmd.Name(), 1, func(ctx context.Context) error { return next(ctx, cmd) })
	}
}

func (h *observeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return h.observe(ctx, "pipeline", len(cmds), func(ctx context.Context) error { return next(ctx, cmds) })
	}
}

func (h *observeHook) observe(ctx context.Context, name string, n int, call func(context.Context) error) error {
	var span trace.Span
	if h.tracer != nil {
		ctx, span = h.tracer.Start(ctx, "redis "+name, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String("db.system.name", "redis"), attribute.String("db.operation.name", name), attribute.Int("db.operation.batch.size", n)))
	}
	start := time.Now()
	err := call(ctx)
	if h.duration != nil {
		opt, ok := h.byCommand.Load(name)
		if !ok {
			opt, _ = h.byCommand.LoadOrStore(name, []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("command", name)))})
		}
		h.duration.Record(ctx, time.Since(start).Seconds(), opt.([]metric.RecordOption)...)
	}
	if span != nil {
		if err != nil && err != redis.Nil {
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
	return err
}
