package jsonata

import (
	"math"
)

// undefinedType is the type of Undefined.
type undefinedType struct{}

// String renders Undefined for debugging.
func (undefinedType) String() string { return "undefined" }

// Undefined is the result of an expression that selects nothing, distinct
// from JSON null (Go nil). Pass it as the input to evaluate against no input.
var Undefined any = undefinedType{}

// Values inside the engine are:
//
//   - Undefined, nil (JSON null), bool, string;
//   - numbers: float64, or an integer type coming from the input (int64, int);
//     see toNumber;
//   - objects: *Object (insertion-ordered, built by the engine) or
//     map[string]any (from the input; iterated in sorted key order);
//   - arrays: []any (plain) or *sequence (an array carrying JSONata's
//     sequence flags);
//   - functions: *lambda, *native, *partial, Function.
//
// Values from the input are never mutated.

// toNumber reports the float64 value of a JSON number.
func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	}
	return 0, false
}

// isNumber reports whether v is a JSON number.
func isNumber(v any) bool {
	_, ok := toNumber(v)
	return ok
}

// isInteger reports whether v is a number with an integral value.
func isInteger(v any) bool {
	f, ok := toNumber(v)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// isString reports whether v is a string.
func isString(v any) bool {
	_, ok := v.(string)
	return ok
}

// isObject reports whether v is a JSON object.
func isObject(v any) bool {
	switch v.(type) {
	case *Object, map[string]any:
		return true
	}
	return false
}

// isArray reports whether v is an array or a sequence.
func isArray(v any) bool {
	switch v.(type) {
	case []any, *sequence:
		return true
	}
	return false
}

// arrayItems returns the items of an array or sequence.
func arrayItems(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case *sequence:
		return a.items, true
	}
	return nil, false
}

// isFunction reports whether v can be invoked.
func isFunction(v any) bool {
	switch v.(type) {
	case *lambda, *native, *partial, *Function, Function, *regexValue, *transformer, func(args []any) (any, error):
		return true
	}
	return false
}

// typeSymbol is the one-letter type of a value used by function signatures.
func typeSymbol(v any) byte {
	switch v.(type) {
	case float64, int64: // the common numbers first
		return 'n'
	case nil:
		return 'l'
	case undefinedType:
		return 'm'
	case string:
		return 's'
	case bool:
		return 'b'
	case *Object, map[string]any:
		return 'o'
	case []any, *sequence:
		return 'a'
	}
	if isNumber(v) {
		return 'n'
	}
	if isFunction(v) {
		return 'f'
	}
	return 'm'
}

// typeName is the name $type returns for v.
func typeName(v any) string {
	switch typeSymbol(v) {
	case 'l':
		return "null"
	case 's':
		return "string"
	case 'b':
		return "boolean"
	case 'o':
		return "object"
	case 'a':
		return "array"
	case 'n':
		return "number"
	case 'f':
		return "function"
	}
	return ""
}

// deepEqual reports whether two values are equal, comparing arrays and
// objects structurally and numbers by value.
func deepEqual(a, b any) bool {
	if fa, ok := toNumber(a); ok {
		fb, ok := toNumber(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case undefinedType:
		return b == Undefined
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any, *sequence:
		xa, _ := arrayItems(a)
		ya, ok := arrayItems(b)
		if !ok || len(xa) != len(ya) {
			return false
		}
		for i := range xa {
			if !deepEqual(xa[i], ya[i]) {
				return false
			}
		}
		return true
	case *Object, map[string]any:
		if !isObject(b) {
			return false
		}
		if objectLen(a) != objectLen(b) {
			return false
		}
		equal := true
		objectRange(a, func(k string, v any) bool {
			w, ok := objectGet(b, k)
			if !ok || !deepEqual(v, w) {
				equal = false
				return false
			}
			return true
		})
		return equal
	}
	return a == b
}
