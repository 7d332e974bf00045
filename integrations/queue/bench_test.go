package queue

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signalbox/signalbox/store"
)

// benchBundle is a bundle on SIGNALBOX_REDIS_URL, or the embedded store.
func benchBundle(b *testing.B) *testBundle {
	return setup(b, os.Getenv(store.EnvRedisURL))
}

// BenchmarkSendBatch10: SendMessageBatch of 10 messages of 100 bytes, from
// 8 goroutines; msgs/s is messages sent per second.
func BenchmarkSendBatch10(b *testing.B) {
	tb := benchBundle(b)
	tb.create(b, "q", nil)
	batch := make([]SendInput, 10)
	for i := range batch {
		batch[i] = SendInput{ID: fmt.Sprint("e", i), Body: string(repeat('x', 100))}
	}
	b.SetParallelism(8)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tb.svc.Send(tb.ctx, "q", batch); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*10)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkReceiveDelete: ReceiveMessage of up to 10 then
// DeleteMessageBatch of what came, from 8 goroutines, on a queue filled
// with b.N messages first; an op is one message received and deleted.
func BenchmarkReceiveDelete(b *testing.B) {
	tb := benchBundle(b)
	tb.create(b, "q", nil)
	batch := make([]SendInput, 10)
	for i := range batch {
		batch[i] = SendInput{ID: fmt.Sprint("e", i), Body: string(repeat('x', 100))}
	}
	for range (b.N + 9) / 10 {
		if _, err := tb.svc.Send(tb.ctx, "q", batch); err != nil {
			b.Fatal(err)
		}
	}
	var (
		left atomic.Int64
		wg   sync.WaitGroup
	)
	left.Store(int64(b.N))
	start := time.Now()
	b.ResetTimer()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Load() > 0 {
				msgs, err := tb.svc.Receive(tb.ctx, "q", &ReceiveInput{MaxMessages: 10, WaitTimeSeconds: ptr(0)})
				if err != nil {
					b.Error(err)
					return
				}
				entries := make([]HandleEntry, len(msgs))
				for i, m := range msgs {
					entries[i] = HandleEntry{ID: fmt.Sprint("e", i), ReceiptHandle: m.ReceiptHandle}
				}
				if len(entries) > 0 {
					if _, err := tb.svc.Delete(tb.ctx, "q", entries); err != nil {
						b.Error(err)
						return
					}
				}
				left.Add(-int64(len(msgs)))
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
