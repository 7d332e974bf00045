package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// A record logged with a span in its context carries the trace's ids;
// one without, none; the JSON format is one object a line.
func TestLoggerAddsTheTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewLogger(&buf, "json")
	if err != nil {
		t.Fatal(err)
	}
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	log.With("execution", "arn:x").ErrorContext(ctx, "a task call failed")
	log.Info("no execution")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	var first, second map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(lines[1], &second); err != nil {
		t.Fatal(err)
	}
	if first["trace_id"] != tid.String() || first["span_id"] != sid.String() || first["execution"] != "arn:x" {
		t.Fatalf("first record: %v", first)
	}
	if _, ok := second["trace_id"]; ok {
		t.Fatalf("a record without a span has a trace id: %v", second)
	}
	if _, err := NewLogger(&buf, "xml"); err == nil {
		t.Fatal("an unknown format is refused")
	}
}
