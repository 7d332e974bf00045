package function_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
)

// Run together, so that the ratio is measured in one run:
//
//	go test ./integrations/function -run '^$' -bench 'HTTPInvoke|BareHTTPRoundTrip|LambdaInvokeTask' -benchtime 3s
//
// Each has a serial and a parallel (GOMAXPROCS×4 callers) case; the
// parallel one's invocations/s is the throughput.

var benchEvent = []byte(`{"orderId":"o-123","amount":42,"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}`)

// echoServer answers every POST with its body, as a small function does.
func echoServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func perSecond(b *testing.B, run func(b *testing.B)) {
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			start := time.Now()
			if mode == "parallel" {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						run(b)
					}
				})
			} else {
				for b.Loop() {
					run(b)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invocations/s")
		})
	}
}

// BenchmarkBareHTTPRoundTrip is the baseline: a plain http.Client POST of
// the same event to the same server, the answer read.
func BenchmarkBareHTTPRoundTrip(b *testing.B) {
	srv := echoServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	perSecond(b, func(b *testing.B) {
		resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(benchEvent))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	})
}

// BenchmarkHTTPInvoke invokes an HTTP function through the Dispatcher
// (reserved concurrency on) and its HTTPInvoker.
func BenchmarkHTTPInvoke(b *testing.B) {
	srv := echoServer(b)
	d := function.NewDispatcher(nil)
	fn := &function.Config{Name: "echo", ARN: function.FunctionARN("aws", "us-east-1", "123456789012", "echo"), Version: "$LATEST",
		Endpoint: srv.URL, ReservedConcurrency: 1000}
	ctx := context.Background()
	perSecond(b, func(b *testing.B) {
		res, err := d.Invoke(ctx, fn, &function.Invocation{Payload: benchEvent, RequestID: "4f6b1f0e-7d8a-4c1e-9a57-2f1d3c4b5a69",
			TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
		if err != nil || res.FunctionError != "" {
			b.Fatal(err, res)
		}
	})
}

// BenchmarkLambdaInvokeTask is a lambda:invoke Task call (parameters,
// resolution, invocation, the answer parsed into Step Functions' result
// shape), without an engine.
func BenchmarkLambdaInvokeTask(b *testing.B) {
	srv := echoServer(b)
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "echo", Endpoint: srv.URL, ReservedConcurrency: -1})
	if err != nil {
		b.Fatal(err)
	}
	tasks := function.NewTasks(r, function.NewDispatcher(nil))
	b.Cleanup(tasks.Close)
	ctx := context.Background()
	params := map[string]any{"FunctionName": "echo", "Payload": map[string]any{"orderId": "o-123", "amount": int64(42),
		"items": []any{map[string]any{"sku": "a", "qty": int64(1)}, map[string]any{"sku": "b", "qty": int64(2)}}}}
	perSecond(b, func(b *testing.B) {
		_, err := tasks.Invoke(ctx, &integrations.Request{Resource: function.ResourceInvoke, Parameters: params,
			ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:orders:o-1", IdempotencyKey: "k"})
		if err != nil {
			b.Fatal(err)
		}
	})
}
