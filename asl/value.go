package asl

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl/jsontext"
)

// Values flowing through a state machine are plain decoded JSON:
// map[string]any, []any, int64, float64, string, bool and nil. A value is
// never mutated once built: states share them, and history refers to them.

// DecodeJSON parses one JSON document into a value: strictly and exactly
// (jsontext.Decode), the one decoding path of every JSON value Signalbox
// takes in (definitions, inputs, outputs, results, API bodies' documents).
func DecodeJSON(data []byte) (any, error) { return jsontext.Decode(data) }

// EncodeJSON renders a value as compact JSON, with object keys sorted so
// that equal values render equally.
func EncodeJSON(v any) string {
	var b strings.Builder
	appendJSON(&b, v)
	return b.String()
}

// EncodedLen returns len(EncodeJSON(v)) without rendering it, or stops
// counting and returns a number above limit as soon as the length passes
// limit (limit <= 0: no limit): payload limits are checked this way.
func EncodedLen(v any, limit int) int {
	n := 0
	encodedLen(v, &n, limit)
	return n
}

func encodedLen(v any, n *int, limit int) {
	if limit > 0 && *n > limit {
		return
	}
	var buf [32]byte
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		*n += len(strconv.AppendBool(buf[:0], x))
	case int64:
		*n += len(strconv.AppendInt(buf[:0], x, 10))
	case int:
		*n += len(strconv.AppendInt(buf[:0], int64(x), 10))
	case float64:
		*n += len(formatFloat(x))
	case string:
		*n += jsontext.StringLen(x)
	case []any:
		*n += 2 + max(len(x)-1, 0)
		for _, e := range x {
			encodedLen(e, n, limit)
		}
	case map[string]any:
		*n += 2 + max(len(x)-1, 0)
		for k, e := range x {
			*n += jsontext.StringLen(k) + 1
			encodedLen(e, n, limit)
		}
	default:
		data, err := json.Marshal(x)
		if err != nil {
			*n += 4
			return
		}
		*n += len(data)
	}
}

// WriteJSON writes a value as EncodeJSON renders it.
func WriteJSON(b *strings.Builder, v any) { appendJSON(b, v) }

// WriteJSONString writes s as a JSON string literal, escaped as EncodeJSON
// escapes strings.
func WriteJSONString(b *strings.Builder, s string) { appendString(b, s) }

// MarshalJSON is EncodeJSON as bytes.
func MarshalJSON(v any) []byte { return []byte(EncodeJSON(v)) }

func appendJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(formatFloat(x))
	case string:
		appendString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			appendJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			appendString(b, k)
			b.WriteByte(':')
			appendJSON(b, x[k])
		}
		b.WriteByte('}')
	default:
		data, err := json.Marshal(x)
		if err != nil {
			b.WriteString("null")
			return
		}
		b.Write(data)
	}
}

// formatFloat renders a float64 the way JSON needs: integral values keep a
// trailing ".0" as Jackson (AWS's serializer) renders doubles; NaN and
// infinities, which JSON cannot carry, render as null.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func appendString(b *strings.Builder, s string) { jsontext.WriteString(b, s, jsontext.UpperHex) }

// TypeName names a value's JSON type.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, int, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// AsInt returns v as an integer when it is a JSON number with no fraction.
func AsInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	}
	return 0, false
}

// AsFloat returns v as a float64 when it is a JSON number.
func AsFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
