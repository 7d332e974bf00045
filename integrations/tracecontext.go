package integrations

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// TraceContext is W3C trace context as HTTP carries it: the traceparent,
// tracestate and baggage headers' values. The runtime keeps a starter's
// with its execution and hands it on to every call the execution makes.
type TraceContext struct {
	// Parent is a W3C traceparent, or an X-Ray trace header
	// (Root=1-...;Parent=...;Sampled=1), as Step Functions' StartExecution
	// takes one.
	Parent string
	// State is the W3C tracestate: vendors' entries, kept as they came.
	State string
	// Baggage is the W3C baggage: name=value pairs the caller wants
	// every part of the trace to see.
	Baggage string
}

// MaxTraceState is the longest tracestate kept, in bytes: W3C asks
// propagators to keep at least 512 and, beyond that, to drop entries from
// the end.
const MaxTraceState = 512

// TraceContextFrom reads the trace context of an HTTP request's headers,
// each checked: a tracestate or baggage that is malformed is dropped
// (W3C's rule for a broken tracestate; a baggage over OpenTelemetry's
// limits, 8,192 bytes and 180 members, is dropped too), a tracestate too
// long loses its last entries.
func TraceContextFrom(h http.Header) TraceContext {
	return TraceContext{Parent: h.Get("traceparent"), State: CleanTraceState(h.Get("tracestate")), Baggage: CleanBaggage(h.Get("baggage"))}
}

// CleanTraceState returns s parsed and printed again, its last entries
// dropped until it fits MaxTraceState; "" when s is malformed.
func CleanTraceState(s string) string {
	if s == "" {
		return ""
	}
	ts, err := trace.ParseTraceState(s)
	if err != nil {
		return ""
	}
	for ts.Len() > 0 && len(ts.String()) > MaxTraceState {
		var last string
		ts.Walk(func(k, _ string) bool { last = k; return true })
		ts = ts.Delete(last)
	}
	return ts.String()
}

// CleanBaggage returns s as it came when it parses within the limits; ""
// otherwise. (Printed again, its members would come in a map's random
// order.)
func CleanBaggage(s string) string {
	if s == "" {
		return ""
	}
	if _, err := baggage.Parse(s); err != nil {
		return ""
	}
	return s
}

// SetHeaders puts the trace context on h, leaving alone each header h has
// already (a caller's own choice wins). Parent is set only when it is a
// W3C traceparent's shape; an X-Ray header does not go out as one.
func (tc TraceContext) SetHeaders(h http.Header) {
	set := func(name, v string) {
		if v != "" && h.Get(name) == "" {
			h.Set(name, v)
		}
	}
	if len(tc.Parent) == 55 && tc.Parent[2] == '-' {
		set("traceparent", tc.Parent)
	}
	set("tracestate", tc.State)
	set("baggage", tc.Baggage)
}

// TraceParentOf is a span context as a W3C traceparent (version 00),
// written in one allocation (every task call of a traced execution makes
// one or two).
func TraceParentOf(sc trace.SpanContext) string {
	var b [55]byte
	tid, sid, flags := sc.TraceID(), sc.SpanID(), [1]byte{byte(sc.TraceFlags())}
	b[0], b[1], b[2], b[35], b[52] = '0', '0', '-', '-', '-'
	hex.Encode(b[3:35], tid[:])
	hex.Encode(b[36:52], sid[:])
	hex.Encode(b[53:], flags[:])
	return string(b[:])
}

// SpanContextOf parses a trace context's traceparent (version 00) and
// tracestate into a remote span context; ok is false when there is none
// or it is malformed (an X-Ray header is not one).
func SpanContextOf(tc TraceContext) (trace.SpanContext, bool) {
	p := strings.Split(tc.Parent, "-")
	if len(p) != 4 || p[0] != "00" || len(p[1]) != 32 || len(p[2]) != 16 || len(p[3]) != 2 {
		return trace.SpanContext{}, false
	}
	var cfg trace.SpanContextConfig
	if _, err := hex.Decode(cfg.TraceID[:], []byte(p[1])); err != nil {
		return trace.SpanContext{}, false
	}
	if _, err := hex.Decode(cfg.SpanID[:], []byte(p[2])); err != nil {
		return trace.SpanContext{}, false
	}
	flags, err := strconv.ParseUint(p[3], 16, 8)
	if err != nil {
		return trace.SpanContext{}, false
	}
	cfg.TraceFlags = trace.TraceFlags(flags)
	cfg.Remote = true
	if ts, err := trace.ParseTraceState(tc.State); err == nil {
		cfg.TraceState = ts
	}
	sc := trace.NewSpanContext(cfg)
	return sc, sc.IsValid()
}

// TraceContextOf is the trace context a request hands on: the span of ctx
// when it has one (the gateway's server span, so that what the request
// causes nests under it), else the headers' traceparent; the headers'
// tracestate and baggage with it.
func TraceContextOf(ctx context.Context, h http.Header) TraceContext {
	tc := TraceContextFrom(h)
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		tc.Parent = TraceParentOf(sc)
	}
	return tc
}
