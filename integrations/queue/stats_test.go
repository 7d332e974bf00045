package queue

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestStats(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		b.send(t, "q", SendInput{Body: "old"})
		b.clock.Advance(time.Minute)
		b.send(t, "q", SendInput{Body: "new"})
		b.send(t, "q", SendInput{Body: "later", DelaySeconds: ptr(60)})
		st, err := b.svc.Stats(b.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, Stats{Name: "q", Visible: 2, Delayed: 1, OldestAge: time.Minute}, *st)
		// the oldest message in flight is not counted (ApproximateAgeOfOldestMessage
		// here is the oldest not in flight), until its visibility timeout has
		// ended and a sweep (a send's, a receive's, Sweep's) puts it back
		require.Len(t, b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(30)}), 1)
		st, err = b.svc.Stats(b.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, Stats{Name: "q", Visible: 1, NotVisible: 1, Delayed: 1, OldestAge: 0}, *st)
		b.clock.Advance(30 * time.Second)
		require.NoError(t, b.svc.Sweep(b.ctx))
		st, err = b.svc.Stats(b.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, Stats{Name: "q", Visible: 2, Delayed: 1, OldestAge: 90 * time.Second}, *st)
		all, err := b.svc.AllStats(b.ctx)
		require.NoError(t, err)
		require.Equal(t, []Stats{*st}, all)
		_, err = b.svc.Stats(b.ctx, "none")
		require.Equal(t, "QueueDoesNotExist", codeOf(t, err))
	})
}

func TestMeter(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	reader := sdkmetric.NewManualReader()
	b.svc = New(b.st, Config{Now: b.clock.Now, Meter: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")})
	b.create(t, "q", nil)
	b.send(t, "q", SendInput{Body: "a"})
	b.send(t, "q", SendInput{Body: "b"})
	msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
	b.deleteMsg(t, "q", msgs[0].ReceiptHandle)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				op, _ := dp.Attributes.Value("operation")
				got[op.AsString()] = dp.Value
			}
		}
	}
	require.Equal(t, map[string]int64{"send": 2, "receive": 2, "delete": 1}, got)
}
