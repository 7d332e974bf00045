package gateway_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// BenchmarkSNSPublishQuery measures the load test's request through
// gateway.New's handler alone (no network): a query-protocol Publish of a
// 100-byte message to a standard topic with n raw sqs subscriptions, one
// request at a time, on SIGNALBOX_REDIS_URL (else the embedded store). Its
// allocations per Publish are the figure to watch; cpu-µs/op is this
// process's CPU per Publish (the store's server not counted).
func BenchmarkSNSPublishQuery(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(fmt.Sprint(n, "queues"), func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, "sbsnsb-")
			d := runtime.NewDurable(st, &runtime.Durable{})
			queues := queue.New(st, queue.Config{})
			b.Cleanup(queues.Close)
			topics := topic.New(st, topic.Config{Queues: queues, Host: d.Host(), PublicURL: "http://sns.test"})
			b.Cleanup(topics.Close)
			tp, err := topics.CreateTopic(ctx, &topic.CreateTopicInput{Name: "bench"})
			require.NoError(b, err)
			for i := range n {
				name := fmt.Sprint("q", i)
				_, err := queues.CreateQueue(ctx, &queue.CreateInput{Name: name})
				require.NoError(b, err)
				_, err = topics.Subscribe(ctx, &topic.SubscribeInput{TopicARN: tp.ARN, Protocol: topic.ProtocolSQS,
					Endpoint: queues.ARN(name), Attributes: map[string]string{"RawMessageDelivery": "true"}})
				require.NoError(b, err)
			}
			h := gateway.New(gateway.Options{Runtime: d, Queues: queues, Topics: topics, Logger: slog.New(slog.DiscardHandler)}).Handler()
			body := "Action=Publish&Version=2010-03-31&TopicArn=" + url.QueryEscape(tp.ARN) + "&Message=" + strings.Repeat("x", 100)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("HTTP %d: %s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
