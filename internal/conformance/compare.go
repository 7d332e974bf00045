package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl"
)

// matcher compares an expected value with an actual one under the README's
// rules: JSON by value, numbers by numeric value, objects regardless of key
// order, arrays in order, strings holding JSON objects or arrays as JSON,
// and masked strings loosely when masks is set.
type matcher struct {
	masks *masks // nil: strings must match exactly
}

// equal returns the first difference between exp and got, at or below the
// JSON pointer ptr, or nil.
func (m *matcher) equal(ptr string, exp, got any) *Mismatch {
	ek, gk := typeName(exp), typeName(got)
	if gk == "" {
		return &Mismatch{Pointer: ptr, Problem: ProblemDiffers, Expected: render(exp), Actual: render(got),
			Note: "not a JSON value: " + goType(got)}
	}
	if s, ok := exp.(string); ok && m.masks != nil && m.masks.whole[s] && got != nil && got != "" {
		// The recorder replaced the whole value, whatever its type (a
		// random number, a header list), with the mask's word.
		return nil
	}
	if ek != gk {
		return &Mismatch{Pointer: ptr, Problem: ProblemDiffers, Expected: render(exp), Actual: render(got),
			Note: "expected " + ek + ", got " + gk}
	}
	switch ek {
	case "object":
		return m.objects(ptr, exp, got)
	case "array":
		return m.arrays(ptr, exp, got)
	case "string":
		return m.matchStrings(ptr, exp.(string), got.(string))
	case "number":
		if !numbersEqual(exp, got) {
			return &Mismatch{Pointer: ptr, Problem: ProblemDiffers, Expected: render(exp), Actual: render(got)}
		}
	case "boolean":
		if exp.(bool) != got.(bool) {
			return &Mismatch{Pointer: ptr, Problem: ProblemDiffers, Expected: render(exp), Actual: render(got)}
		}
	}
	return nil
}

// objects compares two objects key by key, in sorted key order, so that
// the first difference reported does not depend on map iteration.
func (m *matcher) objects(ptr string, exp, got any) *Mismatch {
	e, g := asObject(exp), asObject(got)
	keys := make([]string, 0, len(e)+len(g))
	for k := range e {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := e[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		ev, inExp := e[k]
		gv, inGot := g[k]
		switch {
		case !inGot:
			return &Mismatch{Pointer: child(ptr, k), Problem: ProblemMissing, Expected: render(ev)}
		case !inExp:
			return &Mismatch{Pointer: child(ptr, k), Problem: ProblemUnexpected, Actual: render(gv)}
		}
		if d := m.equal(child(ptr, k), ev, gv); d != nil {
			return d
		}
	}
	return nil
}

// arrays compares two arrays element by element.
func (m *matcher) arrays(ptr string, exp, got any) *Mismatch {
	e, g := asArray(exp), asArray(got)
	for i := range max(len(e), len(g)) {
		p := child(ptr, strconv.Itoa(i))
		switch {
		case i >= len(g):
			return &Mismatch{Pointer: p, Problem: ProblemMissing, Expected: render(e[i]),
				Note: fmt.Sprintf("expected %d elements, got %d", len(e), len(g))}
		case i >= len(e):
			return &Mismatch{Pointer: p, Problem: ProblemUnexpected, Actual: render(g[i]),
				Note: fmt.Sprintf("expected %d elements, got %d", len(e), len(g))}
		}
		if d := m.equal(p, e[i], g[i]); d != nil {
			return d
		}
	}
	return nil
}

// matchStrings compares two strings: equal text matches; text that parses
// as a JSON object or array on both sides is compared as JSON; otherwise a
// masked expectation matches loosely.
func (m *matcher) matchStrings(ptr, exp, got string) *Mismatch {
	if exp == got {
		return nil
	}
	if ev, ok := parseComposite(exp); ok {
		if gv, ok := parseComposite(got); ok {
			return m.equal(ptr, ev, gv)
		}
	}
	if m.masks != nil && m.masks.match(exp, got) {
		return nil
	}
	e, g := renderStrings(exp, got)
	return &Mismatch{Pointer: ptr, Problem: ProblemDiffers, Expected: e, Actual: g}
}

// parseComposite parses s when it is the JSON text of an object or array.
func parseComposite(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') || !json.Valid([]byte(t)) {
		return nil, false
	}
	v, err := asl.DecodeJSON([]byte(t))
	if err != nil {
		return nil, false
	}
	return v, true
}

// typeName returns the JSON type of v, or "" when v is not a JSON value.
// Numbers may be any Go integer or float type or a json.Number.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, json.Number:
		return "number"
	}
	return ""
}

// goType names the Go type of v.
func goType(v any) string { return reflect.TypeOf(v).String() }

func asObject(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asArray(v any) []any { a, _ := v.([]any); return a }

// numbersEqual compares two numbers by value: 1 equals 1.0.
func numbersEqual(a, b any) bool {
	fa, specialA := special(a)
	fb, specialB := special(b)
	if specialA || specialB {
		return specialA && specialB && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	ra, okA := rational(a)
	rb, okB := rational(b)
	return okA && okB && ra.Cmp(rb) == 0
}

// special returns v as a float64 and true when v is NaN or an infinity.
func special(v any) (float64, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case float32:
		f = float64(v)
	default:
		return 0, false
	}
	return f, math.IsNaN(f) || math.IsInf(f, 0)
}

// rational returns the exact value of a finite number.
func rational(v any) (*big.Rat, bool) {
	r := new(big.Rat)
	switch v := v.(type) {
	case int:
		return r.SetInt64(int64(v)), true
	case int8:
		return r.SetInt64(int64(v)), true
	case int16:
		return r.SetInt64(int64(v)), true
	case int32:
		return r.SetInt64(int64(v)), true
	case int64:
		return r.SetInt64(v), true
	case uint:
		return r.SetUint64(uint64(v)), true
	case uint8:
		return r.SetUint64(uint64(v)), true
	case uint16:
		return r.SetUint64(uint64(v)), true
	case uint32:
		return r.SetUint64(uint64(v)), true
	case uint64:
		return r.SetUint64(v), true
	case float32:
		return r.SetFloat64(float64(v)), true
	case float64:
		return r.SetFloat64(v), true
	case json.Number:
		s := string(v)
		if strings.ContainsAny(s, "eE") {
			// An exponent could ask big.Rat for an enormous value: go
			// through float64, as JSON decoders do.
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, false
			}
			return r.SetFloat64(f), true
		}
		if _, ok := r.SetString(s); ok {
			return r, true
		}
	}
	return nil, false
}
