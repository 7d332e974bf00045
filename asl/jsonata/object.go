package jsonata

import "sort"

// Object is a JSON object that keeps its keys in insertion order. The engine
// builds its objects as *Object; input objects may be *Object or
// map[string]any.
type Object struct {
	keys  []string
	vals  []any
	index map[string]int // built once the object grows past smallObject keys
}

// smallObject is the size up to which lookups scan the key slice.
const smallObject = 8

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

// Keys returns the keys in insertion order. The slice must not be modified.
func (o *Object) Keys() []string { return o.keys }

func (o *Object) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k.
func (o *Object) Get(k string) (any, bool) {
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Set sets key k, appending it when new.
func (o *Object) Set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	} else if len(o.keys) > smallObject {
		o.index = make(map[string]int, len(o.keys)*2)
		for i, key := range o.keys {
			o.index[key] = i
		}
	}
}

// Delete removes key k.
func (o *Object) Delete(k string) {
	i := o.find(k)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i], o.vals[i+1:]...)
	if o.index != nil {
		delete(o.index, k)
		for j := i; j < len(o.keys); j++ {
			o.index[o.keys[j]] = j
		}
	}
}

// objectGet looks a key up in either kind of object.
func objectGet(o any, k string) (any, bool) {
	switch m := o.(type) {
	case *Object:
		return m.Get(k)
	case map[string]any:
		v, ok := m[k]
		return v, ok
	}
	return nil, false
}

// objectLen returns the number of keys of either kind of object.
func objectLen(o any) int {
	switch m := o.(type) {
	case *Object:
		return m.Len()
	case map[string]any:
		return len(m)
	}
	return 0
}

// objectKeys returns the keys of either kind of object: insertion order for
// *Object, sorted for a Go map (which has no order).
func objectKeys(o any) []string {
	switch m := o.(type) {
	case *Object:
		return m.keys
	case map[string]any:
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	return nil
}

// objectRange calls f for each key of either kind of object, in objectKeys
// order, until f returns false.
func objectRange(o any, f func(k string, v any) bool) {
	switch m := o.(type) {
	case *Object:
		for i, k := range m.keys {
			if !f(k, m.vals[i]) {
				return
			}
		}
	case map[string]any:
		for _, k := range objectKeys(m) {
			if !f(k, m[k]) {
				return
			}
		}
	}
}
