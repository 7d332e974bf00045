package runtimeapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzErrorDocument: whatever a runtime posts, the invocation's error
// document is a JSON object, the runtime's own when it sent one.
func FuzzErrorDocument(f *testing.F) {
	f.Add("Custom.Failure", []byte(`{"errorMessage":"it failed","errorType":"Custom.Failure","stackTrace":[]}`))
	f.Add("", []byte(""))
	f.Add("Runtime.Unknown", []byte("plain text\x00\xff"))
	f.Add("\xff\xfe", []byte(`  {"a":1}  `))
	f.Add("T", []byte(`{"unterminated"`))
	f.Add("T", []byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, errorType string, body []byte) {
		doc := errorDocument(errorType, body)
		var m map[string]any
		if err := json.Unmarshal(doc, &m); err != nil {
			t.Fatalf("not a JSON object: %q: %v", doc, err)
		}
		if strings.HasPrefix(strings.TrimSpace(string(body)), "{") && json.Valid([]byte(strings.TrimSpace(string(body)))) {
			return // handed on as it came
		}
		if et, _ := m["errorType"].(string); et == "" || len(et) > MaxErrorType*3 {
			t.Fatalf("errorType %q", m["errorType"])
		}
	})
}

// FuzzXRayTraceHeader: the Lambda-Runtime-Trace-Id made of any
// traceparent is an X-Ray root header fit for an HTTP header.
func FuzzXRayTraceHeader(f *testing.F) {
	f.Add("00-5bef4de7ad49b0e87f6ef6c87fc2e700-9a9197af755a6419-01")
	f.Add("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
	f.Add("00-00000000000000000000000000000000-0000000000000000-00")
	f.Add("Root=1-\r\nX: y")
	f.Add("")
	f.Fuzz(func(t *testing.T, parent string) {
		h := xrayTraceHeader(parent, time.Unix(1700000000, 0))
		if !strings.HasPrefix(h, "Root=1-") || !printableASCII(h) || len(h) > maxXRayHeader {
			t.Fatalf("%q -> %q", parent, h)
		}
		if w := w3cTraceParent(parent); w != "" && w != parent {
			t.Fatalf("traceparent %q -> %q", parent, w)
		}
	})
}

// FuzzLogLines: any output is logged in records of at most MaxLogLine
// bytes, and reading it ends.
func FuzzLogLines(f *testing.F) {
	f.Add([]byte("one\ntwo\r\nthree"), 0)
	f.Add([]byte(""), MaxLogLine)
	f.Add([]byte("\n\n\n"), 3)
	f.Fuzz(func(t *testing.T, out []byte, longLine int) {
		if longLine > 0 {
			out = append(out, strings.Repeat("z", longLine%(3*MaxLogLine))...)
		}
		h := &countHandler{}
		logLines(strings.NewReader(string(out)), slog.New(h), "stdout")
		if h.longest > MaxLogLine {
			t.Fatalf("a record of %d bytes", h.longest)
		}
	})
}

// countHandler keeps the longest record's message length.
type countHandler struct{ longest int }

func (h *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *countHandler) WithGroup(string) slog.Handler            { return h }
func (h *countHandler) Handle(_ context.Context, r slog.Record) error {
	h.longest = max(h.longest, len(r.Message))
	return nil
}

// FuzzRequestID: an id kept is safe in a header and a URL path segment.
func FuzzRequestID(f *testing.F) {
	f.Add("8476a536-e9f4-11e8-9739-2dfe598c3fcd")
	f.Add("a/b")
	f.Add("x\r\ny")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		if validRequestID(id) && (url.PathEscape(id) != id || strings.ContainsAny(id, "\r\n /?#%")) {
			t.Fatalf("%q kept", id)
		}
	})
}
