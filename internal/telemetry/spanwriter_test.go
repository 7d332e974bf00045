package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

func newWriter(rec sdktrace.SpanProcessor, sampler sdktrace.Sampler) *spanWriter {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sampler), sdktrace.WithIDGenerator(runtime.IDGenerator{}))
	return &spanWriter{Tracer: tp.Tracer("t"), proc: rec, sampler: sampler, byParent: isParentBasedAlwaysOn(sampler), res: resource.Empty(), scope: instrumentation.Scope{Name: "t"}}
}

// A finished span handed to the writer reaches the processor whole, with
// its ids, times, status and error event; the sampler decides as the
// provider's does (a parent not sampled: dropped, parent-based).
func TestSpanWriterHandsFinishedSpansOver(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	w := newWriter(rec, samplerFromEnv(func(string) string { return "" }))
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	pid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: pid, TraceFlags: trace.FlagsSampled, Remote: true})
	w.WriteSpan(integrations.FinishedSpan{Name: "Task Call", SpanContext: sc, Parent: parent, Attributes: []attribute.KeyValue{attribute.Int("n", 1)},
		Error: true, ErrorName: "States.Timeout", ErrorCause: "late"})
	unsampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: pid, Remote: true})
	w.WriteSpan(integrations.FinishedSpan{Name: "dropped", SpanContext: sc, Parent: unsampled})

	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1 (the one whose parent is not sampled is dropped)", len(spans))
	}
	s := spans[0]
	if s.Name() != "Task Call" || s.SpanContext().SpanID() != sid || s.Parent().SpanID() != pid || s.Status().Code != codes.Error ||
		s.Status().Description != "States.Timeout" || len(s.Events()) != 1 || s.Events()[0].Name != "error" {
		t.Fatalf("span %+v", s)
	}
}

// What the writer saves: the in-memory engine traced through the SDK's
// Start and End, and through the writer (go test -bench SpanPath).
func BenchmarkSpanPath(b *testing.B) {
	m, err := asl.Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`))
	if err != nil {
		b.Fatal(err)
	}
	bsp := sdktrace.NewBatchSpanProcessor(tracetest.NewNoopExporter(), sdktrace.WithBlocking())
	w := newWriter(bsp, sdktrace.ParentBased(sdktrace.AlwaysSample()))
	// "exported": the writer, and the spans encoded and sent by OTLP/HTTP
	// (the exporter serve uses) to a loopback receiver that reads and
	// drops them, each batch waited for: the whole cost in this process.
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer sink.Close()
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(sink.URL+"/v1/traces"))
	if err != nil {
		b.Fatal(err)
	}
	otlp := sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBlocking(), sdktrace.WithMaxQueueSize(1<<16), sdktrace.WithMaxExportBatchSize(4096))
	defer func() { _ = otlp.Shutdown(context.Background()) }()
	exported := newWriter(otlp, sdktrace.ParentBased(sdktrace.AlwaysSample()))
	// "wire": what serve does, the spans written in their wire form and
	// sent through the same kind of client (batcher.go).
	client := otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(sink.URL + "/v1/traces"))
	if err := client.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	wired := newWriter(bsp, sdktrace.ParentBased(sdktrace.AlwaysSample()))
	wired.wire = newWireBatcher(client, resource.Empty(), instrumentation.Scope{Name: "t"}, 5*time.Second, 0)
	defer func() { _ = wired.wire.Shutdown(context.Background()) }()
	for _, c := range []struct {
		name   string
		tracer trace.Tracer
	}{{"off", nil}, {"sdk", w.Tracer}, {"writer", w}, {"exported", exported}, {"wire", wired}} {
		b.Run(c.name, func(b *testing.B) {
			e := &runtime.Engine{Tracer: c.tracer}
			for b.Loop() {
				e.Run(context.Background(), m, runtime.Execution{Input: map[string]any{"a": 1}, NoHistory: true})
			}
			switch c.tracer {
			case exported:
				_ = otlp.ForceFlush(context.Background()) // the backlog is this case's
			case wired:
				_ = wired.wire.ForceFlush(context.Background())
			}
		})
	}
}

// A task call traced through the writer is a client span written whole:
// its parent the span in the call's context, its id the one the call
// hands on in TraceParent, its status Error with the ASL error when the
// task fails; a call in an untraced context makes none.
func TestTaskCallsAreWrittenWhole(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	w := newWriter(rec, samplerFromEnv(func(string) string { return "" }))
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	pid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	state := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: pid, TraceFlags: trace.FlagsSampled, Remote: true})
	var handedOn []string
	h := integrations.Chain(integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		handedOn = append(handedOn, req.TraceParent)
		if req.Attempt == 1 {
			return nil, &integrations.Error{Name: "Bad.Thing", Cause: "it broke"}
		}
		return map[string]any{}, nil
	}), integrations.Tracing(w))
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), state)
	for attempt := range 2 {
		_, _ = h.Invoke(ctx, &integrations.Request{Resource: "arn:aws:states:::x", Attempt: attempt})
	}
	_, _ = h.Invoke(context.Background(), &integrations.Request{Resource: "arn:aws:states:::x"})

	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2 (none for the untraced call)", len(spans))
	}
	for i, s := range spans {
		if s.Name() != "task arn:aws:states:::x" || s.SpanKind() != trace.SpanKindClient || s.Parent().SpanID() != pid ||
			s.SpanContext().TraceID() != tid || handedOn[i] != "00-"+tid.String()+"-"+s.SpanContext().SpanID().String()+"-01" ||
			s.EndTime().Before(s.StartTime()) {
			t.Fatalf("span %d: %+v (handed on %q)", i, s, handedOn[i])
		}
	}
	if spans[0].Status().Code == codes.Error || spans[1].Status().Code != codes.Error || spans[1].Status().Description != "Bad.Thing" {
		t.Fatalf("statuses %+v, %+v", spans[0].Status(), spans[1].Status())
	}
	if handedOn[2] != "" {
		t.Fatalf("an untraced call handed on %q", handedOn[2])
	}
}

// What a task call's span costs: the call traced by Tracing, its span
// written whole in its wire form and discarded (go test -bench TaskSpan
// -benchmem).
func BenchmarkTaskSpan(b *testing.B) {
	tel, err := Setup(context.Background(), Options{Client: discardClient{}, Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	h := integrations.Chain(integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		return req.Parameters, nil
	}), integrations.Tracing(tel.Tracer))
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	pid, _ := trace.SpanIDFromHex("b7ad6b7169203331")
	state := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: pid, TraceFlags: trace.FlagsSampled, Remote: true})
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), state)
	req := &integrations.Request{Resource: "arn:aws:states:::signalbox:bench", ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:task5:0b5b1f0e-4f7e-4d55-9a0c-3f3c1d2f9a11", StateName: "A", Parameters: map[string]any{}}
	for b.Loop() {
		_, _ = h.Invoke(ctx, req)
	}
}

// discardClient is an OTLP client that drops what it is given.
type discardClient struct{}

func (discardClient) Start(context.Context) error { return nil }
func (discardClient) Stop(context.Context) error  { return nil }
func (discardClient) UploadTraces(context.Context, []*tracepb.ResourceSpans) error {
	return nil
}
