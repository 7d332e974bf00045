package asl

import (
	"sort"

	"github.com/signalbox/signalbox/asl/diag"
)

// object reads the fields of one JSON object of a definition, reporting
// every problem into a shared diagnostic list. Fields read are remembered so
// that finish can report the ones nobody asked for.
type object struct {
	m    map[string]any
	ptr  string
	d    *diag.List
	seen map[string]bool
}

func newObject(v any, ptr string, d *diag.List) (*object, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.Add(ptr, diag.SchemaValidationFailed, "expected a JSON object, got %s", TypeName(v))
		return nil, false
	}
	return &object{m: m, ptr: ptr, d: d, seen: make(map[string]bool, len(m))}, true
}

func (o *object) at(key string) string { return diag.Pointer(o.ptr, key) }

// get returns a field's raw value.
func (o *object) get(key string) (any, bool) {
	o.seen[key] = true
	v, ok := o.m[key]
	return v, ok
}

func (o *object) has(key string) bool {
	_, ok := o.m[key]
	return ok
}

func (o *object) str(key string, required bool) (string, bool) {
	v, ok := o.get(key)
	if !ok {
		if required {
			o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q is required", key)
		}
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q must be a string, got %s", key, TypeName(v))
		return "", false
	}
	return s, true
}

func (o *object) boolean(key string) (bool, bool) {
	v, ok := o.get(key)
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q must be a boolean, got %s", key, TypeName(v))
		return false, false
	}
	return b, true
}

// integer reads a whole number no smaller than min.
func (o *object) integer(key string, min int64) (int64, bool) {
	v, ok := o.get(key)
	if !ok {
		return 0, false
	}
	n, isInt := AsInt(v)
	if !isInt {
		o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q must be an integer, got %s", key, EncodeJSON(v))
		return 0, false
	}
	if n < min {
		o.d.Add(o.at(key), diag.InvalidValue, "the field %q must be at least %d, got %d", key, min, n)
		return 0, false
	}
	return n, true
}

func (o *object) number(key string) (float64, bool) {
	v, ok := o.get(key)
	if !ok {
		return 0, false
	}
	f, isNum := AsFloat(v)
	if !isNum {
		o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q must be a number, got %s", key, TypeName(v))
		return 0, false
	}
	return f, true
}

func (o *object) array(key string, required bool) ([]any, bool) {
	v, ok := o.get(key)
	if !ok {
		if required {
			o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q is required", key)
		}
		return nil, false
	}
	a, isArr := v.([]any)
	if !isArr {
		o.d.Add(o.at(key), diag.SchemaValidationFailed, "the field %q must be an array, got %s", key, TypeName(v))
		return nil, false
	}
	return a, true
}

// exclusive reports when more than one of keys is present.
func (o *object) exclusive(keys ...string) {
	var present []string
	for _, k := range keys {
		if o.has(k) {
			present = append(present, k)
		}
	}
	if len(present) > 1 {
		o.d.Add(o.at(present[1]), diag.SchemaValidationFailed, "the fields %q and %q may not both be set", present[0], present[1])
	}
}

// finish reports every field that was not read.
func (o *object) finish() {
	var unknown []string
	for k := range o.m {
		if !o.seen[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		o.d.Add(o.at(k), diag.SchemaValidationFailed, "the field %q is not supported here", k)
	}
}
