package runtimeapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/signalbox/signalbox/integrations/function"
)

// The benchmarks compare a warm Runtime API invocation of the echo
// handler (an aws-lambda-go process: GET /next answered, POST /response
// taken, two loopback HTTP exchanges and two process switches) with a
// plain HTTP POST to an echo server on loopback, measured in the same
// run.

var benchEvent = []byte(`{"op":"echo","value":{"orderId":"o-1234","items":[1,2,3]}}`)

func benchPool(b *testing.B) (*Pool, *function.Config) {
	programs(b)
	p := New(Options{Logger: slog.New(slog.DiscardHandler)})
	b.Cleanup(func() { p.Close() })
	fn := handlerFn("bench")
	res, err := p.Invoke(context.Background(), fn, &function.Invocation{Payload: benchEvent})
	if err != nil || res.FunctionError != "" {
		b.Fatal(err, res)
	}
	return p, fn
}

// BenchmarkRuntimeAPIInvoke: warm invocations one after another.
func BenchmarkRuntimeAPIInvoke(b *testing.B) {
	p, fn := benchPool(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := p.Invoke(context.Background(), fn, &function.Invocation{Payload: benchEvent})
		if err != nil || res.FunctionError != "" || !bytes.Equal(res.Payload, benchEvent) {
			b.Fatal(err, res)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invocations/s")
}

// BenchmarkRuntimeAPIInvokeParallel: warm invocations from as many
// callers as the pool has sandboxes.
func BenchmarkRuntimeAPIInvokeParallel(b *testing.B) {
	p, fn := benchPool(b)
	b.ReportAllocs()
	b.SetParallelism(4) // 4×GOMAXPROCS callers: the pool's default bound
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := p.Invoke(context.Background(), fn, &function.Invocation{Payload: benchEvent})
			if err != nil || res.FunctionError != "" {
				b.Error(err, res)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invocations/s")
	b.ReportMetric(float64(p.Sandboxes()), "sandboxes")
}

// BenchmarkHTTPLoopbackRoundTrip: the baseline, a POST to an httptest
// echo server on loopback with a keep-alive client.
func BenchmarkHTTPLoopbackRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(benchEvent))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(body, benchEvent) {
			b.Fatal(string(body))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
