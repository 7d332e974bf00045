package intrinsic

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// toFloat returns v as a float64 when v is a finite JSON number.
func toFloat(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		f = x
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(x), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// toInt32Trunc returns v truncated toward zero, when v is a number whose
// integer part fits in a Java int. AWS truncates the numeric arguments of
// States.ArrayRange, ArrayPartition, ArrayGetItem and MathRandom.
func toInt32Trunc(v any) (int64, bool) {
	if i, ok := v.(int64); ok {
		return i, math.MinInt32 <= i && i <= math.MaxInt32
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	f = math.Trunc(f)
	if f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int64(f), true
}

// toInt32Round returns v rounded as Java's Math.round does (half up), when
// v is a number that rounds into a Java int. States.MathAdd rounds.
func toInt32Round(v any) (int64, bool) {
	if i, ok := v.(int64); ok {
		return i, math.MinInt32 <= i && i <= math.MaxInt32
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	r := math.Floor(f)
	if f-r >= 0.5 {
		r++
	}
	if r < math.MinInt32 || r > math.MaxInt32 {
		return 0, false
	}
	return int64(r), true
}

// toInt64Trunc returns v truncated toward zero, saturated to the int64
// range, when v is a number. It reads MathRandom seeds (a Java long).
func toInt64Trunc(v any) (int64, bool) {
	if i, ok := v.(int64); ok {
		return i, true
	}
	f, ok := toFloat(v)
	if !ok {
		return 0, false
	}
	switch f = math.Trunc(f); {
	case f >= math.MaxInt64:
		return math.MaxInt64, true
	case f <= math.MinInt64:
		return math.MinInt64, true
	}
	return int64(f), true
}

// equal reports whether two JSON values are equal by value: numbers by
// numeric value (1 equals 1.0), objects without regard to key order.
func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	if xi, ok := a.(int64); ok {
		if yi, ok := b.(int64); ok {
			return xi == yi
		}
	}
	xf, ok1 := toFloat(a)
	yf, ok2 := toFloat(b)
	return ok1 && ok2 && xf == yf
}

// canonicalKey renders v so that two values have the same key exactly
// when they are equal: object keys sorted, numbers by value.
func canonicalKey(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	case int64:
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 64))
		if int64(float64(x)) != x {
			b.WriteString("#" + strconv.FormatInt(x, 10)) // beyond float64 precision
		}
	default:
		if f, ok := toFloat(v); ok {
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		writeJSON(b, v)
	}
}
