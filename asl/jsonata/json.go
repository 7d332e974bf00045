package jsonata

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
)

// ParseJSON decodes JSON text into engine values that keep object key
// order: objects as *Object, arrays as []any, numbers as float64.
func ParseJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("jsonata: trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxNesting {
		return nil, errors.New("jsonata: JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := NewObject(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o.Set(k, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, errors.New("jsonata: unexpected delimiter")
	case json.Number:
		return t.Float64()
	}
	return tok, nil
}

// FromPlain converts a plain JSON value into engine values with ordered
// objects (a Go map's keys are taken in sorted order). Eval accepts plain
// values directly; FromPlain is for callers that then add or reorder keys.
func FromPlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := NewObject(len(keys))
		for _, k := range keys {
			o.Set(k, FromPlain(x[k]))
		}
		return o
	case *Object:
		o := NewObject(x.Len())
		for i, k := range x.keys {
			o.Set(k, FromPlain(x.vals[i]))
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = FromPlain(it)
		}
		return out
	}
	return v
}

// ToPlain converts an engine value (for example a result of EvalOrdered)
// into a plain JSON value: *Object becomes map[string]any and integral
// numbers int64. A map or array that is already plain is returned as is.
func ToPlain(v any) any {
	r, err := toPlain(v, false, 0)
	if err != nil {
		return Undefined
	}
	return r
}
