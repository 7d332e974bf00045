package gateway_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// benchPass5 is the load test's workflow: five Pass states.
const benchPass5 = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`

// benchRoute measures a user route's handler alone (no network, no
// workers: async executions are started, not run): its CPU and
// allocations per request.
func benchRoute(b *testing.B, mode, typ, mapping string) {
	d := runtime.NewDurable(storetest.Open(b, "sbgwb-"), nil)
	_, err := d.CreateStateMachine(context.Background(), runtime.StateMachineParams{Name: "m", Definition: []byte(benchPass5), Type: typ})
	require.NoError(b, err)
	h := gateway.New(gateway.Options{Runtime: d, Logger: slog.New(slog.DiscardHandler), Routes: []gateway.Route{
		{Method: "POST", Path: "/r/{id}", StateMachine: "m", Mode: mode, Mapping: mapping},
	}}).Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/r/7?x=1", strings.NewReader(`{"order":"o-1","n":3}`))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code/100 != 2 {
			b.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
	}
}

func BenchmarkRouteAsync(b *testing.B) { benchRoute(b, "async", "STANDARD", "default") }
func BenchmarkRouteSync(b *testing.B)  { benchRoute(b, "sync", "EXPRESS", "default") }

// BenchmarkRouteSyncBody is the load test's sync route: the body alone is
// the input.
func BenchmarkRouteSyncBody(b *testing.B) { benchRoute(b, "sync", "EXPRESS", "body") }
