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
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// BenchmarkSNSPublishQuery measures the load test's request through
// gateway.New's handler alone (no network): a query-protocol Publish of a
// 100-byte message to a standard topic with n raw sqs subscriptions, one
// request at a time, on SIGNALBOX_REDIS_URL (else the embedded store). Its
// allocations per Publish are the figure to watch; cpu-µs/op is this
// process's CPU per Publish (the store's server not counted). The
// -metrics cases record the metrics serve records by default (the HTTP
// server's, the store's round trips, the queue and topic routers'
// counters) on an SDK meter provider, as serve's.
func BenchmarkSNSPublishQuery(b *testing.B) {
	for _, c := range []struct {
		n       int
		metrics bool
	}{{1, false}, {10, false}, {1, true}, {10, true}} {
		name := fmt.Sprint(c.n, "queues")
		if c.metrics {
			name += "-metrics"
		}
		n := c.n
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var (
				mp    metric.MeterProvider
				meter metric.Meter
				st    *store.Client
			)
			if c.metrics {
				sdk := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				b.Cleanup(func() { _ = sdk.Shutdown(ctx) })
				mp, meter = sdk, sdk.Meter("bench")
				opts := store.OptionsFromEnv()
				opts.Prefix, opts.Meter = storetest.Prefix("sbsnsb-"), meter
				var err error
				st, err = store.Open(ctx, opts)
				require.NoError(b, err)
				b.Cleanup(func() {
					require.NoError(b, st.Purge(ctx))
					_ = st.Close()
				})
			} else {
				st = storetest.Open(b, "sbsnsb-")
			}
			d := runtime.NewDurable(st, &runtime.Durable{})
			queues := queue.New(st, queue.Config{Meter: meter})
			b.Cleanup(queues.Close)
			topics := topic.New(st, topic.Config{Queues: queues, Host: d.Host(), PublicURL: "http://sns.test", Meter: meter})
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
			h := gateway.New(gateway.Options{Runtime: d, Queues: queues, Topics: topics, Logger: slog.New(slog.DiscardHandler),
				MeterProvider: mp}).Handler()
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
