package integrations_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
)

// A request's trace context is read checked: a malformed tracestate or
// baggage is dropped, a long tracestate loses its last entries; and it
// goes out without overriding headers already set.
func TestTraceContextFromHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.Set("tracestate", "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")
	h.Set("baggage", "userId=alice,serverNode=DF%2028")
	tc := integrations.TraceContextFrom(h)
	require.Equal(t, integrations.TraceContext{Parent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		State: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", Baggage: "userId=alice,serverNode=DF%2028"}, tc)

	require.Empty(t, integrations.CleanTraceState("not a list member"))
	require.Empty(t, integrations.CleanBaggage("=broken"))
	require.Empty(t, integrations.CleanBaggage("k="+strings.Repeat("v", 9000)), "over 8,192 bytes")

	var members []string
	for i := range 30 {
		members = append(members, "v"+strings.Repeat("x", 2)+string(rune('a'+i%26))+string(rune('a'+i/26))+"="+strings.Repeat("y", 30))
	}
	long := integrations.CleanTraceState(strings.Join(members, ","))
	require.LessOrEqual(t, len(long), integrations.MaxTraceState)
	require.True(t, strings.HasPrefix(long, members[0]+","), "the first entries kept: %s", long)
	require.NotContains(t, long, members[29], "the last dropped")

	out := http.Header{}
	out.Set("baggage", "mine=1")
	tc.SetHeaders(out)
	require.Equal(t, tc.Parent, out.Get("traceparent"))
	require.Equal(t, tc.State, out.Get("tracestate"))
	require.Equal(t, "mine=1", out.Get("baggage"), "a header already set wins")

	xray := http.Header{}
	integrations.TraceContext{Parent: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}.SetHeaders(xray)
	require.Empty(t, xray.Get("traceparent"), "an X-Ray header is not a traceparent")
}

// A span context goes out as the W3C traceparent the SDK's propagator
// writes, its flags as they are, and reads back as itself.
func TestTraceParentOf(t *testing.T) {
	t.Parallel()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	for flags, want := range map[trace.TraceFlags]string{
		trace.FlagsSampled: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		0:                  "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
	} {
		sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, Remote: true})
		require.Equal(t, want, integrations.TraceParentOf(sc))
		back, ok := integrations.SpanContextOf(integrations.TraceContext{Parent: want})
		require.True(t, ok)
		require.True(t, back.Equal(sc), "read back: %v", back)
	}
}
