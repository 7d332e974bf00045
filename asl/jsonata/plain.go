package jsonata

import (
	"maps"
	"math"
)

// toPlain converts an engine value to a result: sequences become []any,
// integral numbers int64; objects become map[string]any unless ordered.
// Functions become Undefined at the top and are dropped inside values, as
// are Undefined values.
//
// A map[string]any or []any that is already plain (it holds nothing
// toPlain would change: typically a value from the input) is returned as
// is, not copied. Values built by the engine are always new.
func toPlain(v any, ordered bool, depth int) (any, error) {
	r, _, err := plainValue(v, ordered, depth)
	return r, err
}

// plainValue is toPlain, also reporting whether the result differs from v
// (when it does not, it is v itself).
func plainValue(v any, ordered bool, depth int) (any, bool, error) {
	if depth > maxNesting {
		return nil, false, newError("U1001", 0, "", Undefined)
	}
	switch x := v.(type) {
	case nil, bool, string, int64, undefinedType:
		return v, false, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), true, nil
		}
		return v, false, nil
	case map[string]any:
		return plainMap(x, ordered, depth)
	case []any:
		out, changed, err := plainArray(x, x == nil, ordered, depth)
		if err != nil || !changed {
			// v, not x: boxing x again would allocate
			return v, false, err
		}
		return out, true, nil
	case *sequence:
		out, _, err := plainArray(x.items, true, ordered, depth)
		if err != nil {
			return nil, false, err
		}
		return out, true, nil
	case *Object:
		return plainObject(x, ordered, depth)
	}
	if f, ok := toNumber(v); ok {
		r, _, err := plainValue(f, ordered, depth)
		return r, true, err
	}
	return Undefined, true, nil
}

// plainMap converts the values of m, copying m only when one of them
// changes or is dropped. A nil map becomes an empty one.
func plainMap(m map[string]any, ordered bool, depth int) (any, bool, error) {
	var out map[string]any
	if m == nil {
		out = map[string]any{}
	}
	for k, val := range m {
		c, changed, err := plainValue(val, ordered, depth+1)
		if err != nil {
			return nil, false, err
		}
		if out == nil {
			if !changed && c != Undefined {
				continue
			}
			// the entries seen so far are unchanged: start from a copy
			out = maps.Clone(m)
		}
		if c == Undefined {
			delete(out, k)
		} else {
			out[k] = c
		}
	}
	if out == nil {
		return m, false, nil
	}
	return out, true, nil
}

// plainArray converts items, copying them only when one changes or is
// dropped, or when force is set; it reports whether it made a copy.
func plainArray(items []any, force, ordered bool, depth int) ([]any, bool, error) {
	var out []any
	if force {
		out = make([]any, 0, len(items))
	}
	for i, it := range items {
		c, changed, err := plainValue(it, ordered, depth+1)
		if err != nil {
			return nil, false, err
		}
		if out == nil {
			if !changed && c != Undefined {
				continue
			}
			// the items before i are unchanged
			out = append(make([]any, 0, len(items)), items[:i]...)
		}
		if c != Undefined {
			out = append(out, c)
		}
	}
	if out == nil {
		return items, false, nil
	}
	return out, true, nil
}

// plainObject converts an *Object to a new *Object when ordered, else to a
// map.
func plainObject(o *Object, ordered bool, depth int) (any, bool, error) {
	if ordered {
		out := NewObject(o.Len())
		for i, k := range o.keys {
			c, _, err := plainValue(o.vals[i], ordered, depth+1)
			if err != nil {
				return nil, false, err
			}
			if c != Undefined {
				out.Set(k, c)
			}
		}
		return out, true, nil
	}
	out := make(map[string]any, o.Len())
	for i, k := range o.keys {
		c, _, err := plainValue(o.vals[i], ordered, depth+1)
		if err != nil {
			return nil, false, err
		}
		if c != Undefined {
			out[k] = c
		}
	}
	return out, true, nil
}
