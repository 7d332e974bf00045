package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// BenchmarkDurablePassChain5 starts b.N executions of a 5-state Pass chain
// in the Redis of SIGNALBOX_REDIS_URL (the embedded server otherwise, much
// slower: it interprets Lua) and carries them out with one Drain, on this
// goroutine: transitions/s is one worker's rate.
func BenchmarkDurablePassChain5(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`)
	d := runtime.NewDurable(st, &runtime.Durable{Consumer: "bench"})
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: "bench", Definition: def, Input: map[string]any{"i": int64(i)}}); err != nil {
			b.Fatal(err)
		}
	}
	started := time.Since(start)
	if err := d.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	total := time.Since(start)
	b.ReportMetric(float64(b.N)/started.Seconds(), "starts/s")
	b.ReportMetric(float64(5*b.N)/(total-started).Seconds(), "transitions/s")
}

// BenchmarkDurablePassChain5Workers is BenchmarkDurablePassChain5 carried
// out by Run: Concurrency goroutines of one worker process.
func BenchmarkDurablePassChain5Workers(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`)
	d := runtime.NewDurable(st, &runtime.Durable{Consumer: "bench", Concurrency: 32})
	for i := 0; i < b.N; i++ {
		if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: "bench", Definition: def, Input: map[string]any{"i": int64(i)}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(runCtx); close(done) }()
	for {
		open, err := st.OpenExecutions(ctx, &store.OpenExecutionsParams{Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(open) == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond) // polling another goroutine's progress
	}
	elapsed := time.Since(start)
	stop()
	<-done
	b.ReportMetric(float64(5*b.N)/elapsed.Seconds(), "transitions/s")
}

// BenchmarkDurableStartParallel starts executions from many goroutines,
// as a gateway serving many clients would.
func BenchmarkDurableStartParallel(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	d := runtime.NewDurable(st, &runtime.Durable{Consumer: "bench"})
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: "bench", Definition: def, Input: map[string]any{}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "starts/s")
}
