package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/store/storetest"
)

// gaugeValues collects the queue gauges: "queue/state" → messages, and
// "queue" → the oldest message's age.
func gaugeValues(t *testing.T, reader *sdkmetric.ManualReader) (map[string]int64, map[string]float64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	messages, ages := map[string]int64{}, map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case "signalbox.queue.depth":
				for _, dp := range m.Data.(metricdata.Gauge[int64]).DataPoints {
					q, _ := dp.Attributes.Value("queue")
					s, _ := dp.Attributes.Value("state")
					messages[q.AsString()+"/"+s.AsString()] = dp.Value
				}
			case "signalbox.queue.oldest_message.age":
				require.Equal(t, "s", m.Unit)
				for _, dp := range m.Data.(metricdata.Gauge[float64]).DataPoints {
					q, _ := dp.Attributes.Value("queue")
					ages[q.AsString()] = dp.Value
				}
			}
		}
	}
	return messages, ages
}

func TestQueueGauges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := testclock.New(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	svc := queue.New(storetest.Open(t, "sbqgauge-"), queue.Config{Now: clk.Now})
	reader := sdkmetric.NewManualReader()
	require.NoError(t, svc.RegisterGauges(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")))

	for _, name := range []string{"jobs", "empty"} {
		_, err := svc.CreateQueue(ctx, &queue.CreateInput{Name: name})
		require.NoError(t, err)
	}
	delay := 60
	_, err := svc.Send(ctx, "jobs", []queue.SendInput{{ID: "a", Body: "a"}, {ID: "b", Body: "b"}, {ID: "c", Body: "c", DelaySeconds: &delay}})
	require.NoError(t, err)
	clk.Advance(10 * time.Second)
	wait := 0
	got, err := svc.Receive(ctx, "jobs", &queue.ReceiveInput{MaxMessages: 1, WaitTimeSeconds: &wait})
	require.NoError(t, err)
	require.Len(t, got, 1)

	messages, ages := gaugeValues(t, reader)
	require.Equal(t, map[string]int64{
		"jobs/visible": 1, "jobs/in_flight": 1, "jobs/delayed": 1,
		"empty/visible": 0, "empty/in_flight": 0, "empty/delayed": 0,
	}, messages)
	require.Equal(t, map[string]float64{"jobs": 10, "empty": 0}, ages)

	_, err = svc.Delete(ctx, "jobs", []queue.HandleEntry{{ReceiptHandle: got[0].ReceiptHandle}})
	require.NoError(t, err)
	clk.Advance(5 * time.Second)
	messages, ages = gaugeValues(t, reader)
	require.Equal(t, int64(0), messages["jobs/in_flight"])
	require.Equal(t, 15.0, ages["jobs"], "the oldest left was sent 15 s ago")
}
