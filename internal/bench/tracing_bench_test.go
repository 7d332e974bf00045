package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// What tracing adds to a durable execution of five Task states (the
// bench's task5) in this process: started and carried out by one Drain on
// the Redis of SIGNALBOX_REDIS_URL, untraced, and traced with the spans
// encoded in their wire form and discarded (go test -bench DurableTask5
// -benchmem ./internal/bench/: the allocations per execution are the steady figure).
func BenchmarkDurableTask5(b *testing.B) {
	mux := integrations.NewMux()
	mux.Handle("arn:aws:states:::signalbox:bench", integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		return req.Parameters, nil
	}))
	tel, err := telemetry.Setup(context.Background(), telemetry.Options{Client: discardClient{}, Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	for _, c := range []struct {
		name   string
		tracer trace.Tracer
	}{{"off", nil}, {"wire", tel.Tracer}} {
		b.Run(c.name, func(b *testing.B) {
			var tasks integrations.Handler = mux
			if c.tracer != nil {
				tasks = integrations.Chain(mux, integrations.Tracing(c.tracer))
			}
			d := runtime.NewDurable(storetest.Open(b, "sbtel-"), &runtime.Durable{Tasks: tasks, Tracer: c.tracer, Consumer: "bench"})
			ctx := context.Background()
			cpu0 := cpu(b)
			for b.Loop() {
				if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: "task5", Definition: benchTask5.def, Input: map[string]any{}}); err != nil {
					b.Fatal(err)
				}
				if err := d.Drain(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpu(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpu is the CPU this process has used, its garbage collector's
// included, to the 10 ms.
func cpu(b *testing.B) time.Duration {
	d, err := processCPU(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return d
}
