package jsonata

// sequence is an array built by the engine that carries JSONata's flags.
//
// A result sequence (sequence set) collapses to its only item when it has one
// and to Undefined when empty, unless keepSingleton is set (the `[]` step
// suffix). cons marks the result of an array constructor used as a path step,
// which path evaluation must not flatten. outerWrapper marks the singleton
// sequence that wraps an array input. tupleStream marks a stream of tuples
// carrying variable bindings (see tuple).
type sequence struct {
	items         []any
	sequence      bool
	keepSingleton bool
	cons          bool
	outerWrapper  bool
	tupleStream   bool
}

// newSeq returns an empty result sequence.
func newSeq(capacity int) *sequence {
	return &sequence{items: make([]any, 0, capacity), sequence: true}
}

func (s *sequence) push(v any) { s.items = append(s.items, v) }

// isSeq reports whether v is a result sequence.
func isSeq(v any) bool {
	s, ok := v.(*sequence)
	return ok && s.sequence
}

// tuple is one item of a tuple stream: the context value under "@" and the
// variables bound by focus (@$v), index (#$i) and parent (%) steps.
type tuple map[string]any

// clone copies a tuple.
func (t tuple) clone() tuple {
	c := make(tuple, len(t)+2)
	for k, v := range t {
		c[k] = v
	}
	return c
}

// appendValues implements $append: the concatenation of two values, each an
// array or a single value, ignoring Undefined.
func appendValues(a, b any) any {
	if a == Undefined {
		return b
	}
	if b == Undefined {
		return a
	}
	ai, aok := arrayItems(a)
	bi, bok := arrayItems(b)
	out := make([]any, 0, len(ai)+len(bi)+2)
	if aok {
		out = append(out, ai...)
	} else {
		out = append(out, a)
	}
	if bok {
		out = append(out, bi...)
	} else {
		out = append(out, b)
	}
	return out
}

// flattenInto appends v to out, recursively flattening arrays.
func flattenInto(out []any, v any) []any {
	if items, ok := arrayItems(v); ok {
		for _, it := range items {
			out = flattenInto(out, it)
		}
		return out
	}
	return append(out, v)
}

// collapse applies the end-of-evaluation rule to a result sequence: empty
// becomes Undefined, a singleton becomes its item unless keepSingleton.
func collapse(v any, keepArray bool) any {
	s, ok := v.(*sequence)
	if !ok || !s.sequence || s.tupleStream {
		return v
	}
	if keepArray {
		s.keepSingleton = true
	}
	switch len(s.items) {
	case 0:
		return Undefined
	case 1:
		if s.keepSingleton {
			return s
		}
		return s.items[0]
	}
	return s
}

// Sequence returns items as a result sequence, for a Function's Impl that
// answers as JSONata's own sequence-building functions do: the caller sees
// the only item of a one-item sequence, Undefined for an empty one, and an
// array otherwise (unless a [] step keeps it an array). items is not copied.
func Sequence(items []any) any {
	return &sequence{items: items, sequence: true}
}
