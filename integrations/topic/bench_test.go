package topic

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/signalbox/signalbox/store"
)

// BenchmarkPublishFanout: Publish of a 100-byte message to a topic with n
// sqs subscriptions, from 8 goroutines, on SIGNALBOX_REDIS_URL (else the
// embedded store); the clock stops when every delivery has been made.
// pubs/s is publishes per second, deliveries/s the queue messages;
// cpu-µs/op this process's CPU per publish (rusage: the embedded store's
// server counted, a real Redis not).
func BenchmarkPublishFanout(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprint(n, "queues"), func(b *testing.B) {
			tb := setup(b, os.Getenv(store.EnvRedisURL), true)
			arn := tb.topic(b, "bench", nil)
			for i := range n {
				tb.subscribeQueue(b, arn, fmt.Sprint("q", i), map[string]string{"RawMessageDelivery": "true"})
			}
			body := fmt.Sprintf("%0100d", 7)
			b.SetParallelism(8)
			start := time.Now()
			b.ResetTimer()
			cpu0 := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := tb.svc.Publish(tb.ctx, &PublishInput{TopicARN: arn, Message: body}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			tb.settle(b, "bench")
			cpu := cpuTime() - cpu0
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/el, "pubs/s")
			b.ReportMetric(float64(b.N*n)/el, "deliveries/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// BenchmarkRoute: what a publish does in this process for each message
// before its script (route: filter policies, the direct writes' queue
// messages), to 10 sqs subscriptions, raw and enveloped, on the embedded
// store (route reads the store only for the signing key, once).
func BenchmarkRoute(b *testing.B) {
	for _, kind := range []string{"raw", "envelope"} {
		b.Run(kind, func(b *testing.B) {
			tb := setup(b, "", false)
			arn := tb.topic(b, "bench", nil)
			attrs := map[string]string{"RawMessageDelivery": fmt.Sprint(kind == "raw")}
			for i := range 10 {
				tb.subscribeQueue(b, arn, fmt.Sprint("q", i), attrs)
			}
			v, err := tb.svc.view(tb.ctx, "bench", 0)
			if err != nil {
				b.Fatal(err)
			}
			in := &PublishInput{TopicARN: arn, Message: fmt.Sprintf("%0100d", 7),
				Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: "red"}}}
			now := tb.clock.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				m, e := tb.svc.prepare(in, v, now)
				if e != nil {
					b.Fatal(e)
				}
				tm, _, _ := tb.svc.route(tb.ctx, v, m, now)
				if len(tm.Direct) != 10 {
					b.Fatalf("%d direct writes", len(tm.Direct))
				}
			}
		})
	}
}

// BenchmarkPublishBatchFanout: PublishBatch of 10 100-byte messages to a
// topic of 10 sqs subscriptions with RawMessageDelivery (every message
// written straight into every queue: the direct writes), from one
// goroutine, so that each op is exactly one publish script of 10 messages
// and 100 queue writes, as the group commit makes them under load: the
// figure to read Redis' cost per publish by (callgrind, commands) on
// SIGNALBOX_REDIS_URL. Each op's 10 messages count as 10 publishes.
func BenchmarkPublishBatchFanout(b *testing.B) {
	tb := setup(b, os.Getenv(store.EnvRedisURL), true)
	arn := tb.topic(b, "bench", nil)
	for i := range 10 {
		tb.subscribeQueue(b, arn, fmt.Sprint("q", i), map[string]string{"RawMessageDelivery": "true"})
	}
	entries := make([]PublishInput, 10)
	for i := range entries {
		entries[i] = PublishInput{ID: fmt.Sprint("e", i), Message: fmt.Sprintf("%0100d", i)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		res, err := tb.svc.PublishBatch(tb.ctx, arn, entries)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	b.StopTimer()
	tb.requireOwed(b, "bench", 0) // every message went straight into the queues
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "pubs/s")
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
