package intrinsic

import (
	"github.com/signalbox/signalbox/asl/jsontext"

	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// writeText renders v as States.Format inserts it, which is how the Java
// runtime of AWS prints values: strings as they are, null as "null",
// objects as {key=value, ...} and arrays as [a, b], nested values likewise.
// Object keys are sorted: the decoded input keeps no key order.
func writeText(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeText(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeText(b, e)
		}
		b.WriteByte(']')
	default:
		writeScalar(b, v)
	}
}

// writeScalar writes null, a boolean or a number as JSON does, with
// non-integral numbers in Java's notation.
func writeScalar(b *strings.Builder, v any) {
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
		b.WriteString(javaDouble(x))
	case json.Number:
		b.WriteString(x.String())
	default:
		fmt.Fprint(b, x)
	}
}

// compactJSON renders v as compact JSON the way AWS does (Jackson): no
// spaces, non-ASCII characters as they are, doubles in Java's notation.
func compactJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		writeJSONString(b, x)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case nil, bool, int64, int, float64, json.Number:
		writeScalar(b, v)
	default:
		writeJSONString(b, fmt.Sprint(x))
	}
}

// writeJSONString writes s quoted, escaping what JSON requires and nothing
// more, as Jackson does.
func writeJSONString(b *strings.Builder, s string) { jsontext.WriteString(b, s, jsontext.UpperHex) }

// javaDouble formats f as Java's Double.toString does: at least one digit
// after the point, and scientific notation ("1.0E10") outside [1e-3, 1e7).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if abs := math.Abs(f); abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "1.5e+10", "1e-05"
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
