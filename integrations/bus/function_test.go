package bus

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
)

// A function target is invoked asynchronously with the event (or what the
// target makes of it), in the event's trace.
func TestFunctionTarget(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		type got struct {
			event       any
			traceparent string
		}
		calls := make(chan got, 10)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var ev any
			_ = json.Unmarshal(body, &ev)
			calls <- got{ev, r.Header.Get("traceparent")}
		}))
		t.Cleanup(srv.Close)
		r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "onOrder", Endpoint: srv.URL, ReservedConcurrency: -1})
		require.NoError(t, err)
		async := function.NewAsync(function.NewDispatcher(nil), function.AsyncOptions{})
		t.Cleanup(async.Close)
		b.svc.SetFunctions(function.NewTarget(r, async))
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)

		b.rule(t, "", "fn", `{"source":["shop"]}`,
			Target{ID: "whole", Arn: "arn:aws:lambda:us-east-1:123456789012:function:onOrder"},
			Target{ID: "detail", Arn: "arn:aws:lambda:us-east-1:123456789012:function:onOrder:$LATEST", InputPath: "$.detail"})
		res := b.put(t, PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `{"id":"o-9"}`, TraceHeader: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
		var whole, detail bool
		for range 2 {
			select {
			case c := <-calls:
				require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", c.traceparent)
				if m, ok := c.event.(map[string]any); ok && m["id"] == res[0].EventID {
					whole = true
					require.Equal(t, "OrderPlaced", m["detail-type"])
				} else {
					detail = true
					require.Equal(t, map[string]any{"id": "o-9"}, c.event)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the function was not invoked")
			}
		}
		require.True(t, whole && detail)
	})
}
