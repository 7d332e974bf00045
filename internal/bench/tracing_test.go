package bench

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// The tracing comparison exports every span its traced runs make (it
// counts them, and fails otherwise) and reads a sample trace back, whole,
// from the query API: here a loopback OTLP/HTTP receiver that keeps the
// spans by trace and answers Jaeger's /api/traces/ID with them.
func TestBenchDurableTracingExportsEverySpan(t *testing.T) {
	var mu sync.Mutex
	traces := map[string][]string{} // trace id: span names
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/api/traces/"); ok {
			mu.Lock()
			names := traces[id]
			mu.Unlock()
			type span struct {
				OperationName string `json:"operationName"`
			}
			out := struct {
				Data []struct {
					Spans []span `json:"spans"`
				} `json:"data"`
			}{Data: make([]struct {
				Spans []span `json:"spans"`
			}, 1)}
			for _, n := range names {
				out.Data[0].Spans = append(out.Data[0].Spans, span{n})
			}
			_ = json.NewEncoder(w).Encode(out)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					id := hex.EncodeToString(s.TraceId)
					traces[id] = append(traces[id], s.Name)
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	res := runOnRedis(t, "", "durable", "--workloads", "pass5 by the workers", "--executions", "20", "--seconds", "0.2",
		"--otlp-endpoint", srv.URL, "--jaeger-query", srv.URL)
	for _, re := range []string{
		`tracing: state transitions with tracing off and on \(OTLP/http/protobuf to http://127\.0\.0\.1:\d+, no span dropped\)`,
		`pass5 by the workers: every span exported \(6 an execution; a run: 120 expected, made \[[\d ]+\]\)`,
		`pass5 by the workers: a sample trace in Jaeger, whole: http://127\.0\.0\.1:\d+/api/traces/[0-9a-f]{32} has its 6 spans`,
		`task5: every span exported \(11 an execution; a run: 220 expected, made \[[\d ]+\]\)`,
		`task5: per CPU second off \d+ .*: on is \d+% of off`,
		`task5: a sample trace in Jaeger, whole: .* has its 11 spans`,
	} {
		require.Regexp(t, re, res.stdout)
	}
}
