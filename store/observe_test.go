package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// With a meter, every round trip to Redis is measured by command; with a
// tracer, each is a client span too.
func TestStoreObservesItsRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbobs-")
	opts.Meter = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")
	opts.Tracer = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("test")
	c, err := store.Open(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Purge(context.Background())
		_ = c.Close()
	})
	_, err = c.ExecutionGet(ctx, "0123456789abcdef0123456789abcdef")
	require.ErrorIs(t, err, store.ErrNotFound)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	commands := map[string]uint64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "signalbox.redis.duration" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				name, _ := dp.Attributes.Value("command")
				commands[name.AsString()] += dp.Count
			}
		}
	}
	require.Positive(t, commands["hgetall"]+commands["pipeline"], "the execution's read was measured: %v", commands)
	var names []string
	for _, s := range spans.Ended() {
		names = append(names, s.Name())
	}
	require.Condition(t, func() bool {
		for _, n := range names {
			if n == "redis hgetall" || n == "redis pipeline" {
				return true
			}
		}
		return false
	}, "a span per round trip: %v", names)
}
