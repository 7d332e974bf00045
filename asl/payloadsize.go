package asl

import (
	"math"
	"reflect"

	"github.com/signalbox/signalbox/asl/jsontext"
)

// Payload sizes, measured once per value.
//
// Every state's output, every Task's parameters and every Task, Parallel or
// Map result is held to the Context's payload limit (limits.go), which
// takes the length of its JSON text. Walking the whole value for that at
// every state cost about 30% of a chain of Pass states with Parameters
// (pass_chain_100), most of it in the objects a state passes on unchanged
// from its input. Values are never mutated once built (value.go), so a
// composite value's length is a fact about it: a thread's Context
// remembers the last few it measured, and a template adds up the lengths
// of the parts it builds its value from instead of walking the value it
// built. The answer of every check stays exact; only the walking is saved.
//
// Lengths are counted no further than one past the limit (over): every
// longer value has that length here.

// sizeRing is how many composite values besides the latest a Context
// remembers: the parts of its input a state's templates pass on, mostly
// few. The memory is copied with every thread's Context (a Map iteration
// is a thread), so it is kept small.
const sizeRing = 3

// sizeMemo is a Context's memory of the JSON lengths of composite values
// (objects and arrays) it measured, counted up to over. It is kept by
// value in the Context: a copy of the Context keeps facts that stay true
// (the values are pinned, so their addresses are not reused) and goes on
// with a memory of its own.
type sizeMemo struct {
	over int       // the payload limit + 1; 0 until first used
	last sizeEntry // the latest template result or checked value
	ring [sizeRing]sizeEntry
	hand int
}

type sizeEntry struct {
	ptr uintptr // the object's map or the array's first element
	len int     // the array's length; -1 for an object
	n   int     // the value's JSON length, at most over
	pin any     // the value itself, so that ptr is not reused while remembered
}

// memo is c's memory, counting up to c's payload limit + 1 (forgotten if
// the limit changed since it was filled).
func (c *Context) memo() *sizeMemo {
	over := min(c.payloadLimit(), math.MaxInt-1) + 1
	if c.sizes.over != over {
		c.sizes = sizeMemo{over: over}
	}
	return &c.sizes
}

// memoFor is what a Context-less evaluation counts with: AWS's limit and
// no memory.
func memoFor(c *Context) *sizeMemo {
	if c == nil {
		return &sizeMemo{over: MaxPayload + 1}
	}
	return c.memo()
}

// add is a + b counted no further than over (a, b at most over).
func (m *sizeMemo) add(a, b int) int {
	if b >= m.over-a {
		return m.over
	}
	return a + b
}

// compositeKey identifies an object or a non-empty array, whose length is
// worth remembering; ok is false for anything else.
func compositeKey(v any) (ptr uintptr, n int, ok bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return 0, 0, false
		}
		return reflect.ValueOf(v).Pointer(), -1, true
	case []any:
		if len(x) == 0 {
			return 0, 0, false
		}
		return reflect.ValueOf(v).Pointer(), len(x), true
	}
	return 0, 0, false
}

func (m *sizeMemo) empty() bool { return m.last.pin == nil && m.ring[0].pin == nil }

// find returns the remembered length of the composite at ptr.
func (m *sizeMemo) find(ptr uintptr, l int) (int, bool) {
	if m.last.ptr == ptr && m.last.len == l && m.last.pin != nil {
		return m.last.n, true
	}
	for i := range m.ring {
		if e := &m.ring[i]; e.ptr == ptr && e.len == l && e.pin != nil {
			return e.n, true
		}
	}
	return 0, false
}

// lookup returns the remembered length of v.
func (m *sizeMemo) lookup(v any) (int, bool) {
	if m.empty() {
		return 0, false
	}
	if ptr, l, ok := compositeKey(v); ok {
		return m.find(ptr, l)
	}
	return 0, false
}

// rememberLast records the length of v, the value about to be checked.
func (m *sizeMemo) rememberLast(v any, n int) {
	if ptr, l, ok := compositeKey(v); ok {
		m.last = sizeEntry{ptr: ptr, len: l, n: n, pin: v}
	}
}

// remember records the length of v, a part that later values may share.
func (m *sizeMemo) remember(v any, n int) {
	ptr, l, ok := compositeKey(v)
	if !ok {
		return
	}
	m.ring[m.hand] = sizeEntry{ptr: ptr, len: l, n: n, pin: v}
	m.hand = (m.hand + 1) % sizeRing
}

// size returns the length of v's JSON text (EncodedLen), or over when it
// is longer than the limit; remembered values are not walked.
func (m *sizeMemo) size(v any) int {
	limit := m.over - 1
	n := 0
	switch x := v.(type) {
	case string:
		return min(jsontext.StringLen(x), m.over)
	case int64:
		return min(intLen(x), m.over)
	case bool:
		if x {
			return min(len("true"), m.over)
		}
		return min(len("false"), m.over)
	case nil:
		return min(len("null"), m.over)
	case map[string]any:
		if len(x) > 0 && !m.empty() {
			if k, ok := m.find(reflect.ValueOf(v).Pointer(), -1); ok {
				return k
			}
		}
		n = 2 + max(len(x)-1, 0)
		for k, e := range x {
			n += jsontext.StringLen(k) + 1
			if n > limit {
				return m.over
			}
			n = m.add(n, m.size(e))
			if n > limit {
				return m.over
			}
		}
	case []any:
		if len(x) > 0 && !m.empty() {
			if k, ok := m.find(reflect.ValueOf(v).Pointer(), len(x)); ok {
				return k
			}
		}
		n = 2 + max(len(x)-1, 0)
		if n > limit {
			return m.over
		}
		for _, e := range x {
			n = m.add(n, m.size(e))
			if n > limit {
				return m.over
			}
		}
	default:
		encodedLen(v, &n, limit)
	}
	return min(n, m.over)
}

// payloadSize is the length of v's JSON text, at most the payload limit +
// 1, as the limits see it; c remembers it as its latest. A nil Context
// walks v and holds it to AWS's limit.
func (c *Context) payloadSize(v any) int {
	if c == nil {
		return memoFor(nil).size(v)
	}
	m := c.memo()
	ptr, l, ok := compositeKey(v)
	if !ok {
		return m.size(v)
	}
	if m.last.ptr == ptr && m.last.len == l && m.last.pin != nil {
		return m.last.n // a template's value, checked as it leaves
	}
	n, ok := m.find(ptr, l)
	if !ok {
		n = m.size(v)
	}
	m.last = sizeEntry{ptr: ptr, len: l, n: n, pin: v}
	return n
}

// partSize is the length of v, a part of the input (or of the Context
// object, or a variable) that a template takes as it is, at most the
// limit + 1; c remembers it among the parts.
func (c *Context) partSize(v any) int { return c.memo().part(v) }

// part is Context.partSize with the memory at hand.
func (m *sizeMemo) part(v any) int {
	switch v.(type) {
	case map[string]any, []any:
		if n, ok := m.lookup(v); ok {
			return n
		}
		n := m.size(v)
		m.remember(v, n)
		return n
	}
	return m.size(v)
}

// intLen is the length of x in decimal, as EncodeJSON writes it.
func intLen(x int64) int {
	n, u := 1, uint64(x)
	if x < 0 {
		n, u = 2, -u
	}
	for ; u >= 10; u /= 10 {
		n++
	}
	return n
}

// memo is the Context's memory (memoFor).
func (e *env) memo() *sizeMemo { return memoFor(e.ctx) }

// RememberedSize returns the JSON length of v, at most the payload limit +
// 1, when v is an object or array c remembers (the output a thread's last
// state checked, for one) or a string, number, boolean or null; it walks
// no object or array.
func (c *Context) RememberedSize(v any) (int, bool) {
	m := c.memo()
	switch v.(type) {
	case map[string]any, []any:
		return m.lookup(v)
	}
	return m.size(v), true
}

// RememberArraySize tells c the JSON length of items, an array the
// runtime assembled (a Map's outputs), from the lengths of its elements,
// each as RememberedSize gave it in a Context with the same payload limit:
// the check of the array then adds them up instead of walking every
// element again (the walk of 4,000 iteration outputs was 8% of a Map's
// time, on one core while the iterations had used two).
func (c *Context) RememberArraySize(items []any, sizes []int) {
	if len(items) != len(sizes) {
		return
	}
	m := c.memo()
	n := min(2+max(len(items)-1, 0), m.over)
	for _, s := range sizes {
		n = m.add(n, min(s, m.over))
	}
	m.rememberLast(items, n)
}
