package integrations

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Metrics records how long each task call takes, by resource and outcome
// (succeeded, failed, pending: answered later, by a token), in the
// histogram signalbox.task.duration (seconds).
func Metrics(meter metric.Meter) (Middleware, error) {
	h, err := meter.Float64Histogram("signalbox.task.duration", metric.WithUnit("s"),
		metric.WithDescription("Task calls' duration, by resource and outcome (a call answered later ends when it returns)."),
		metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
	if err != nil {
		return nil, err
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, req *Request) (any, error) {
			start := time.Now()
			out, err := next.Invoke(ctx, req)
			outcome := "succeeded"
			if err != nil {
				outcome = "failed"
			} else if _, later := out.(*Pending); later {
				outcome = "pending"
			}
			h.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attribute.String("resource", req.Resource), attribute.String("outcome", outcome)))
			return out, err
		})
	}, nil
}
