package telemetry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/signalbox/signalbox/integrations"
)

var (
	wireTrace, _  = trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	wireSpan, _   = trace.SpanIDFromHex("00f067aa0ba902b7")
	wireParent, _ = trace.SpanIDFromHex("b7ad6b7169203331")
	wireStart     = time.Date(2026, 12, 6, 10, 0, 0, 123456789, time.UTC)
)

// wireSpanOf is a failed span with every kind of attribute.
func wireSpanOf(name string) *integrations.FinishedSpan {
	ts, _ := trace.ParseTraceState("rojo=00f067aa0ba902b7")
	return &integrations.FinishedSpan{
		Name:        name,
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: wireTrace, SpanID: wireSpan, TraceFlags: trace.FlagsSampled, TraceState: ts}),
		Parent:      trace.NewSpanContext(trace.SpanContextConfig{TraceID: wireTrace, SpanID: wireParent, TraceFlags: trace.FlagsSampled, Remote: true}),
		Start:       wireStart, End: wireStart.Add(1500 * time.Millisecond),
		Attributes: []attribute.KeyValue{attribute.String("s", "v"), attribute.Int("i", -7), attribute.Bool("b", true),
			attribute.Float64("f", 2.5), attribute.StringSlice("ss", []string{"a", "b"})},
		Error: true, ErrorName: "States.Timeout", ErrorCause: "too slow",
	}
}

// requireWireSpan checks a span decoded from the wire against wireSpanOf.
func requireWireSpan(t *testing.T, s *tracepb.Span, name string) {
	t.Helper()
	want := &tracepb.Span{
		TraceId: wireTrace[:], SpanId: wireSpan[:], ParentSpanId: wireParent[:], TraceState: "rojo=00f067aa0ba902b7",
		Name: name, Kind: tracepb.Span_SPAN_KIND_CLIENT,
		StartTimeUnixNano: uint64(wireStart.UnixNano()), EndTimeUnixNano: uint64(wireStart.Add(1500 * time.Millisecond).UnixNano()),
		Flags: 0x301,
	}
	got := proto.Clone(s).(*tracepb.Span)
	attrs, events, status := got.Attributes, got.Events, got.Status
	got.Attributes, got.Events, got.Status = nil, nil, nil
	if !proto.Equal(want, got) {
		t.Fatalf("span\n got %v\nwant %v", got, want)
	}
	kv := map[string]string{}
	for _, a := range attrs {
		kv[a.Key] = a.Value.String()
	}
	for k, v := range map[string]string{"s": `string_value:"v"`, "i": `int_value:-7`, "b": `bool_value:true`, "f": `double_value:2.5`,
		"ss": `array_value:{values:{string_value:"a"} values:{string_value:"b"}}`, "extra": `string_value:"x"`} {
		if got := kv[k]; normalize(got) != normalize(v) {
			t.Fatalf("attribute %s = %s, want %s", k, got, v)
		}
	}
	if status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || status.GetMessage() != "States.Timeout" {
		t.Fatalf("status %v", status)
	}
	if len(events) != 1 || events[0].Name != "error" || len(events[0].Attributes) != 2 ||
		events[0].Attributes[1].Value.GetStringValue() != "too slow" || events[0].TimeUnixNano != want.EndTimeUnixNano {
		t.Fatalf("events %v", events)
	}
}

// normalize drops the spaces prototext may put in, at random.
func normalize(s string) string {
	out := make([]byte, 0, len(s))
	for i := range len(s) {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// A span written in its wire form decodes, with the generated types, to
// every field the SDK's exporter would have sent.
func TestWireFormDecodes(t *testing.T) {
	var e spanEncoder
	var batch []byte
	for range 2 { // the encoder's buffers are reused
		batch = e.appendScopeSpan(batch, wireSpanOf("Task Call"), trace.SpanKindClient, []attribute.KeyValue{attribute.String("extra", "x")})
	}
	ss := &tracepb.ScopeSpans{}
	ss.ProtoReflect().SetUnknown(batch)
	raw, err := proto.Marshal(&tracepb.TracesData{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{ss}}}})
	if err != nil {
		t.Fatal(err)
	}
	var back tracepb.TracesData
	if err := proto.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	spans := back.ResourceSpans[0].ScopeSpans[0].Spans
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	for _, s := range spans {
		requireWireSpan(t, s, "Task Call")
	}
}

// The batcher sends its spans through a real OTLP/HTTP client to a
// receiver on loopback, with the resource and scope, when flushed and
// when a batch is full; none is lost or sent twice.
func TestWireBatcherSendsEverySpan(t *testing.T) {
	var mu sync.Mutex
	var got []*coltracepb.ExportTraceServiceRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, &req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	defer srv.Close()
	ctx := context.Background()
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(srv.URL + "/v1/traces"))
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()
	res := resource.NewSchemaless(attribute.String("service.name", "wire-test"))
	b := newWireBatcher(client, res, instrumentation.Scope{Name: "scope"}, time.Hour, 3) // only full batches and flushes send
	for i := range 7 {
		b.add(wireSpanOf("s"+string(rune('0'+i))), trace.SpanKindClient, []attribute.KeyValue{attribute.String("extra", "x")})
	}
	if err := b.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	b.add(wireSpanOf("late"), trace.SpanKindClient, nil) // dropped, no panic

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3 (two full batches and the flush)", len(got))
	}
	seen := map[string]bool{}
	for _, req := range got {
		rs := req.ResourceSpans[0]
		if rs.Resource.Attributes[0].Key != "service.name" || rs.Resource.Attributes[0].Value.GetStringValue() != "wire-test" ||
			rs.ScopeSpans[0].Scope.Name != "scope" {
			t.Fatalf("resource %v scope %v", rs.Resource, rs.ScopeSpans[0].Scope)
		}
		for _, s := range rs.ScopeSpans[0].Spans {
			if seen[s.Name] {
				t.Fatalf("span %s sent twice", s.Name)
			}
			seen[s.Name] = true
			requireWireSpan(t, s, s.Name)
		}
	}
	if len(seen) != 7 {
		t.Fatalf("%d spans sent, want 7", len(seen))
	}
	if e, l := b.exported.Load(), b.lost.Load(); e != 7 || l != 0 || b.written != 8 { // written: the late one too
		t.Fatalf("counted %d spans exported, %d lost; want 7, 0", e, l)
	}
}

// A batch the receiver refuses is counted lost, not exported; and the
// writer with the default sampler (parent-based, always on) writes a root
// span and a span whose parent is sampled, and drops one whose parent is
// not, as the SDK's sampler would.
func TestWireWriterCountsAndSamples(t *testing.T) {
	var refuse sync.Mutex // held: the receiver refuses
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if !refuse.TryLock() {
			http.Error(w, "no", http.StatusBadRequest) // not retried
			return
		}
		refuse.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	ctx := context.Background()
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(srv.URL + "/v1/traces"))
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Stop(ctx) }()
	w := newWriter(tracetest.NewSpanRecorder(), samplerFromEnv(func(string) string { return "" }))
	w.wire = newWireBatcher(client, resource.Empty(), instrumentation.Scope{Name: "scope"}, time.Hour, 0)
	defer func() { _ = w.wire.Shutdown(ctx) }()

	root := wireSpanOf("root")
	root.Parent = trace.SpanContext{}
	unsampled := wireSpanOf("unsampled")
	unsampled.Parent = unsampled.Parent.WithTraceFlags(0)
	for _, s := range []*integrations.FinishedSpan{root, wireSpanOf("child"), unsampled} {
		w.WriteSpan(*s)
	}
	if err := w.wire.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	if e, l := w.wire.exported.Load(), w.wire.lost.Load(); e != 2 || l != 0 {
		t.Fatalf("counted %d spans exported, %d lost; want 2, 0", e, l)
	}
	refuse.Lock()
	w.WriteSpan(*wireSpanOf("refused"))
	if err := w.wire.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	if e, l := w.wire.exported.Load(), w.wire.lost.Load(); e != 2 || l != 1 {
		t.Fatalf("counted %d spans exported, %d lost; want 2, 1", e, l)
	}
}

// recordingClient is an OTLP client that keeps each request as the wire
// bytes it would send (marshalled before UploadTraces returns, as the
// SDK's clients do: the batcher reuses a batch's buffer afterwards).
type recordingClient struct {
	mu   sync.Mutex
	sent [][]byte
}

func (*recordingClient) Start(context.Context) error { return nil }
func (*recordingClient) Stop(context.Context) error  { return nil }
func (c *recordingClient) UploadTraces(_ context.Context, rs []*tracepb.ResourceSpans) error {
	b, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: rs})
	c.mu.Lock()
	c.sent = append(c.sent, b)
	c.mu.Unlock()
	return err
}

// A batch ends at wireMaxBytes whatever its spans (a collector refuses a
// request too large: gRPC's limit is 4 MiB by default), and every span of
// batches sent through reused buffers arrives once, whole.
func TestWireBatchesEndAtTheirBytes(t *testing.T) {
	ctx := context.Background()
	c := &recordingClient{}
	b := newWireBatcher(c, resource.Empty(), instrumentation.Scope{Name: "scope"}, time.Hour, 1000)
	b.maxBytes = 1000 // about three spans of wireSpanOf's
	const n = 20
	for i := range n {
		b.add(wireSpanOf(fmt.Sprintf("s%02d", i)), trace.SpanKindClient, []attribute.KeyValue{attribute.String("extra", "x")})
	}
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, raw := range c.sent {
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(raw, &req); err != nil {
			t.Fatal(err)
		}
		spans := req.ResourceSpans[0].ScopeSpans[0].Spans
		if len(spans) > 4 || len(raw) > 2*b.maxBytes {
			t.Fatalf("a batch of %d spans, %d bytes: past its %d bytes", len(spans), len(raw), b.maxBytes)
		}
		for _, s := range spans {
			if seen[s.Name] {
				t.Fatalf("span %s sent twice", s.Name)
			}
			seen[s.Name] = true
			requireWireSpan(t, s, s.Name)
		}
	}
	if len(seen) != n || len(c.sent) < n/4 {
		t.Fatalf("%d spans in %d batches, want %d in %d or more", len(seen), len(c.sent), n, n/4)
	}
}
