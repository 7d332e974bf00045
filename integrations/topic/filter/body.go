package filter

import "math/bits"

// MatchBody reports whether a message body is delivered under a
// MessageBody policy (false for a MessageAttributes policy; a nil policy
// matches every message). A body that is not a JSON object, is not valid
// JSON, or nests deeper than MaxBodyDepth matches no policy.
//
// A key names a leaf by its path: {"a":{"b":["x"]}} and {"a.b":["x"]}
// both read the leaf at a.b, and so do the bodies {"a":{"b":"x"}} and
// {"a.b":"x"}. An array in the body holds several values for one path:
// a key matches when any of them does. When one branch of the policy
// reads several keys under the same array of objects, their values must
// come from the same element of that array, as AWS's matcher requires.
//
// The body is read once, as a stream: the work is linear in its size
// (times a constant bounded by the policy's limits), and the memory is
// proportional to its nesting, not its size.
func (p *Policy) MatchBody(body string) bool {
	if p == nil {
		return true
	}
	if p.scope != MessageBody {
		return false
	}
	m := bodyMatcher{p: p, lex: lexer{s: body}}
	return m.run()
}

// pstate is where a body node sits relative to the policy's paths: for
// each path, how many of its bytes the node's own path has consumed, or
// -1 when the node is on no way to it.
type pstate struct {
	root bool
	off  [MaxKeys]int32
}

// frame is an open object or array of the body on a way to a policy
// path. sets holds, per branch, the set of field masks its subtree can
// satisfy together (bit m set: the fields of mask m can all match values
// taken consistently from this subtree); mask 0 is always in it.
type frame struct {
	obj  bool
	st   pstate
	sets []uint32
}

type bodyMatcher struct {
	p   *Policy
	lex lexer
	// stack holds the open frames; frames are reused as the stack
	// shrinks and grows again.
	stack []frame
	n     int
	// depth counts every open container, on a policy path or not.
	depth int
	// present has bit p set once path p held a present value.
	present uint32
	// final is the answer, decided when the root object closes.
	final bool
}

func (m *bodyMatcher) run() bool {
	if k, _ := m.lex.next(false); k != tkObjOpen {
		return false
	}
	m.depth = 1
	m.push(true, pstate{root: true})
	for m.n > 0 {
		k, text := m.lex.next(true)
		top := &m.stack[m.n-1]
		st := top.st
		switch k {
		case tkErr, tkEOF:
			return false
		case tkObjClose, tkArrClose:
			m.depth--
			m.pop()
			continue
		case tkKey:
			var live bool
			if st, live = m.advance(st, text); !live {
				if !m.skip() {
					return false
				}
				continue
			}
			if k, text = m.lex.next(true); k == tkErr {
				return false
			}
		}
		switch k {
		case tkObjOpen, tkArrOpen:
			m.depth++
			if m.depth > MaxBodyDepth {
				return false
			}
			m.push(k == tkObjOpen, st)
		default:
			m.leaf(st, k, text)
		}
	}
	if k, _ := m.lex.next(false); k != tkEOF {
		return false
	}
	return m.final
}

// advance is the state of an object member named key, and whether it is
// on a way to any policy path.
func (m *bodyMatcher) advance(st pstate, key string) (pstate, bool) {
	out := pstate{}
	live := false
	for i, path := range m.p.paths {
		o := int(st.off[i])
		out.off[i] = -1
		if o < 0 {
			continue
		}
		var start int
		if st.root {
			start = 0
		} else {
			if o >= len(path) || path[o] != '.' {
				continue
			}
			start = o + 1
		}
		end := start + len(key)
		if end > len(path) || path[start:end] != key || (end < len(path) && path[end] != '.') {
			continue
		}
		out.off[i] = int32(end)
		live = true
	}
	return out, live
}

// skip consumes a member's value, off every policy path, without
// unescaping its strings.
func (m *bodyMatcher) skip() bool {
	depth := 0
	for {
		switch k, _ := m.lex.next(false); k {
		case tkErr, tkEOF:
			return false
		case tkObjOpen, tkArrOpen:
			depth++
			if m.depth+depth > MaxBodyDepth {
				return false
			}
		case tkObjClose, tkArrClose:
			depth--
		}
		if depth == 0 {
			return true
		}
	}
}

func (m *bodyMatcher) push(obj bool, st pstate) {
	nb := len(m.p.branches)
	if m.n == len(m.stack) {
		m.stack = append(m.stack, frame{sets: make([]uint32, nb)})
	}
	f := &m.stack[m.n]
	m.n++
	f.obj, f.st = obj, st
	for i := range f.sets {
		f.sets[i] = 1 // {mask 0}
	}
}

// pop closes the top frame into its parent; closing the root decides.
func (m *bodyMatcher) pop() {
	m.n--
	child := &m.stack[m.n]
	if m.n == 0 {
		m.final = m.decide(child.sets)
		return
	}
	m.combine(&m.stack[m.n-1], child.sets)
}

// combine adds a child's sets to a frame: an object's members combine
// (the fields one member satisfies join those the others satisfy); an
// array's elements are alternatives (values of one element only).
func (m *bodyMatcher) combine(parent *frame, sets []uint32) {
	for b, s := range sets {
		if s == 1 {
			continue
		}
		if parent.obj {
			parent.sets[b] = join(parent.sets[b], s)
		} else {
			parent.sets[b] |= s
		}
	}
}

// join is {a|b : a in x, b in y} for sets of masks of at most 5 bits.
func join(x, y uint32) uint32 {
	if x == 1 {
		return y
	}
	var out uint32
	for xs := x; xs != 0; xs &= xs - 1 {
		a := uint32(bits.TrailingZeros32(xs))
		for ys := y; ys != 0; ys &= ys - 1 {
			out |= 1 << (a | uint32(bits.TrailingZeros32(ys)))
		}
	}
	return out
}

// leaf handles a scalar at state st.
func (m *bodyMatcher) leaf(st pstate, k tkind, text string) {
	pi := -1
	for i, path := range m.p.paths {
		if int(st.off[i]) == len(path) && !st.root {
			pi = i
			break
		}
	}
	if pi < 0 {
		return
	}
	v := scalarValue(k, text)
	if v.present() {
		m.present |= 1 << pi
	}
	top := &m.stack[m.n-1]
	for b := range m.p.branches {
		br := &m.p.branches[b]
		i := br.byPath[pi]
		if i < 0 || !br.fields[i].matchValue(&v) {
			continue
		}
		s := uint32(1) | 1<<(uint32(1)<<i)
		if top.obj {
			top.sets[b] = join(top.sets[b], s)
		} else {
			top.sets[b] |= s
		}
	}
}

// decide reports whether one branch is satisfied by the root's sets and
// the keys that are absent.
func (m *bodyMatcher) decide(sets []uint32) bool {
	for b := range m.p.branches {
		br := &m.p.branches[b]
		full := uint32(1)<<len(br.fields) - 1
		var absent uint32
		for i, f := range br.fields {
			if f.existsFalse && m.present&(1<<f.path) == 0 {
				absent |= 1 << i
			}
		}
		for s := sets[b]; s != 0; s &= s - 1 {
			if uint32(bits.TrailingZeros32(s))|absent == full {
				return true
			}
		}
	}
	return false
}
