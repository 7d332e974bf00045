package jsonata

import (
	"github.com/signalbox/signalbox/asl/jsontext"

	"math"
	"strconv"
	"strings"
)

// maxNesting bounds the nesting of values walked recursively.
const maxNesting = 10000

// formatNumber renders a number as JavaScript's Number.prototype.toString
// does: integers without a fraction, exponent notation below 1e-6 and from
// 1e21.
func formatNumber(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	if f == 0 {
		return "0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	epos := strings.IndexByte(s, 'e')
	mant, expStr := s[:epos], s[epos+1:]
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	n := exp + 1
	var out string
	switch {
	case k <= n && n <= 21:
		out = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		out = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		out = "0." + strings.Repeat("0", -n) + digits
	default:
		e := n - 1
		sign := "+"
		if e < 0 {
			sign = "-"
			e = -e
		}
		if k == 1 {
			out = digits + "e" + sign + strconv.Itoa(e)
		} else {
			out = digits[:1] + "." + digits[1:] + "e" + sign + strconv.Itoa(e)
		}
	}
	if neg {
		return "-" + out
	}
	return out
}

// precision15 rounds a number to 15 significant digits, as $string does to
// hide binary floating point noise.
func precision15(f float64) float64 {
	if f == 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'e', 14, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// stringValue implements $string: strings unchanged, functions as "",
// everything else as JSON with numbers rounded to 15 significant digits.
func stringValue(v any, pretty bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	}
	if isFunction(v) {
		return "", nil
	}
	if f, ok := toNumber(v); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return "", newError("D3001", 0, "", f)
	}
	return stringify(v, pretty)
}

// stringify renders a value as JSON.stringify would, with numbers rounded
// to 15 significant digits and functions as "".
func stringify(v any, pretty bool) (string, error) {
	var b strings.Builder
	indent := ""
	if pretty {
		indent = "  "
	}
	if err := writeJSON(&b, v, indent, "", 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v any, indent, prefix string, depth int) error {
	if depth > maxNesting {
		return newError("U1001", 0, "", Undefined)
	}
	if f, ok := toNumber(v); ok {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return newError("D1001", 0, "", f)
		}
		b.WriteString(formatNumber(precision15(f)))
		return nil
	}
	switch x := v.(type) {
	case nil, undefinedType:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeJSONString(b, x)
	case []any, *sequence:
		items, _ := arrayItems(x)
		if len(items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		inner := prefix + indent
		for i, it := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			if indent != "" {
				b.WriteString("\n" + inner)
			}
			if it == Undefined {
				b.WriteString("null")
				continue
			}
			if err := writeJSON(b, it, indent, inner, depth+1); err != nil {
				return err
			}
		}
		if indent != "" {
			b.WriteString("\n" + prefix)
		}
		b.WriteByte(']')
	case *Object, map[string]any:
		inner := prefix + indent
		first := true
		var err error
		b.WriteByte('{')
		objectRange(x, func(k string, val any) bool {
			if val == Undefined {
				return true
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			if indent != "" {
				b.WriteString("\n" + inner)
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if indent != "" {
				b.WriteByte(' ')
			}
			err = writeJSON(b, val, indent, inner, depth+1)
			return err == nil
		})
		if err != nil {
			return err
		}
		if indent != "" && !first {
			b.WriteString("\n" + prefix)
		}
		b.WriteByte('}')
	default:
		if isFunction(v) {
			b.WriteString(`""`)
			return nil
		}
		b.WriteString("null")
	}
	return nil
}

// writeJSONString writes a JSON string literal as JSON.stringify does.
func writeJSONString(b *strings.Builder, s string) { jsontext.WriteString(b, s, jsontext.LowerHex) }
