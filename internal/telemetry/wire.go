package telemetry

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/signalbox/signalbox/integrations"
)

// The OTLP wire form of a finished span, written straight from it: the
// fields of opentelemetry/proto/trace/v1/trace.proto's Span, each encoded
// once into a batch, with no intermediate objects. The SDK's exporter
// copies a span into a read-only snapshot, transforms that into the
// generated Go types and marshals those: about three quarters of what a
// traced execution costs this process (BenchmarkSpanPath, "exported"
// against "writer").

// Field numbers of trace.proto and common.proto.
const (
	spanTraceID      = 1
	spanSpanID       = 2
	spanTraceState   = 3
	spanParentSpanID = 4
	spanName         = 5
	spanKind         = 6
	spanStart        = 7
	spanEnd          = 8
	spanAttributes   = 9
	spanEvents       = 11
	spanStatus       = 15
	spanFlags        = 16

	eventTime       = 1
	eventName       = 2
	eventAttributes = 3

	statusMessage = 2
	statusCode    = 3
	statusError   = 2 // STATUS_CODE_ERROR

	keyValueKey   = 1
	keyValueValue = 2

	anyString = 1
	anyBool   = 2
	anyInt    = 3
	anyDouble = 4
	anyArray  = 5

	arrayValues = 1

	scopeSpansSpans = 2

	// Span.flags: the W3C trace flags in the low byte, and whether the
	// parent is remote (bit 9), which bit 8 says is known.
	flagsHasIsRemote = 0x100
	flagsIsRemote    = 0x200
)

// spanEncoder appends spans in their wire form; its scratch buffers are
// reused from span to span (it is not safe for concurrent use).
type spanEncoder struct {
	span, nested, value []byte
	out                 []byte // the last span, as add encodes it
}

// appendScopeSpan appends s, with extra attributes, to b as one entry of
// ScopeSpans.spans.
func (e *spanEncoder) appendScopeSpan(b []byte, s *integrations.FinishedSpan, kind trace.SpanKind, extra []attribute.KeyValue) []byte {
	p := e.span[:0]
	tid, sid := s.SpanContext.TraceID(), s.SpanContext.SpanID()
	p = protowire.AppendTag(p, spanTraceID, protowire.BytesType)
	p = protowire.AppendBytes(p, tid[:])
	p = protowire.AppendTag(p, spanSpanID, protowire.BytesType)
	p = protowire.AppendBytes(p, sid[:])
	if ts := s.SpanContext.TraceState().String(); ts != "" {
		p = protowire.AppendTag(p, spanTraceState, protowire.BytesType)
		p = protowire.AppendString(p, ts)
	}
	if s.Parent.IsValid() {
		pid := s.Parent.SpanID()
		p = protowire.AppendTag(p, spanParentSpanID, protowire.BytesType)
		p = protowire.AppendBytes(p, pid[:])
	}
	p = protowire.AppendTag(p, spanName, protowire.BytesType)
	p = protowire.AppendString(p, s.Name)
	p = protowire.AppendTag(p, spanKind, protowire.VarintType)
	p = protowire.AppendVarint(p, uint64(kind)) // trace.SpanKind's values are OTLP's
	p = protowire.AppendTag(p, spanStart, protowire.Fixed64Type)
	p = protowire.AppendFixed64(p, uint64(s.Start.UnixNano()))
	p = protowire.AppendTag(p, spanEnd, protowire.Fixed64Type)
	p = protowire.AppendFixed64(p, uint64(s.End.UnixNano()))
	for _, kv := range s.Attributes {
		p = e.appendKeyValue(p, spanAttributes, kv)
	}
	for _, kv := range extra {
		p = e.appendKeyValue(p, spanAttributes, kv)
	}
	if s.Error {
		ev := e.nested[:0]
		ev = protowire.AppendTag(ev, eventTime, protowire.Fixed64Type)
		ev = protowire.AppendFixed64(ev, uint64(s.End.UnixNano()))
		ev = protowire.AppendTag(ev, eventName, protowire.BytesType)
		ev = protowire.AppendString(ev, "error")
		ev = e.appendKeyValue(ev, eventAttributes, attribute.String("signalbox.error", s.ErrorName))
		ev = e.appendKeyValue(ev, eventAttributes, attribute.String("signalbox.cause", s.ErrorCause))
		p = protowire.AppendTag(p, spanEvents, protowire.BytesType)
		p = protowire.AppendBytes(p, ev)
		e.nested = ev

		var st []byte
		st = protowire.AppendTag(st, statusMessage, protowire.BytesType)
		st = protowire.AppendString(st, s.ErrorName)
		st = protowire.AppendTag(st, statusCode, protowire.VarintType)
		st = protowire.AppendVarint(st, statusError)
		p = protowire.AppendTag(p, spanStatus, protowire.BytesType)
		p = protowire.AppendBytes(p, st)
	}
	flags := uint32(s.SpanContext.TraceFlags()) | flagsHasIsRemote
	if s.Parent.IsValid() && s.Parent.IsRemote() {
		flags |= flagsIsRemote
	}
	p = protowire.AppendTag(p, spanFlags, protowire.Fixed32Type)
	p = protowire.AppendFixed32(p, flags)
	e.span = p
	b = protowire.AppendTag(b, scopeSpansSpans, protowire.BytesType)
	return protowire.AppendBytes(b, p)
}

// appendKeyValue appends kv to b as field num, a KeyValue.
func (e *spanEncoder) appendKeyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	v := appendAnyValue(e.value[:0], kv.Value)
	e.value = v
	size := protowire.SizeTag(keyValueKey) + protowire.SizeBytes(len(kv.Key)) +
		protowire.SizeTag(keyValueValue) + protowire.SizeBytes(len(v))
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	b = protowire.AppendTag(b, keyValueKey, protowire.BytesType)
	b = protowire.AppendString(b, string(kv.Key))
	b = protowire.AppendTag(b, keyValueValue, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// appendAnyValue appends the fields of an AnyValue holding v.
func appendAnyValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		b = protowire.AppendTag(b, anyBool, protowire.VarintType)
		return protowire.AppendVarint(b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		b = protowire.AppendTag(b, anyInt, protowire.VarintType)
		return protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, anyDouble, protowire.Fixed64Type)
		return protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		b = protowire.AppendTag(b, anyString, protowire.BytesType)
		return protowire.AppendString(b, v.AsString())
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE:
		var arr []byte
		for _, x := range sliceValues(v) {
			elem := appendAnyValue(nil, x)
			arr = protowire.AppendTag(arr, arrayValues, protowire.BytesType)
			arr = protowire.AppendBytes(arr, elem)
		}
		b = protowire.AppendTag(b, anyArray, protowire.BytesType)
		return protowire.AppendBytes(b, arr)
	}
	b = protowire.AppendTag(b, anyString, protowire.BytesType) // what the SDK does with an invalid value
	return protowire.AppendString(b, "INVALID")
}

// sliceValues are the elements of a slice value, each a value.
func sliceValues(v attribute.Value) []attribute.Value {
	switch v.Type() {
	case attribute.BOOLSLICE:
		return valuesOf(v.AsBoolSlice(), attribute.BoolValue)
	case attribute.INT64SLICE:
		return valuesOf(v.AsInt64Slice(), attribute.Int64Value)
	case attribute.FLOAT64SLICE:
		return valuesOf(v.AsFloat64Slice(), attribute.Float64Value)
	case attribute.STRINGSLICE:
		return valuesOf(v.AsStringSlice(), attribute.StringValue)
	}
	return nil
}

func valuesOf[T any](xs []T, value func(T) attribute.Value) []attribute.Value {
	out := make([]attribute.Value, len(xs))
	for i, x := range xs {
		out[i] = value(x)
	}
	return out
}
