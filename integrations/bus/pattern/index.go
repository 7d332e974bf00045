package pattern

import (
	"net/netip"
	"sort"
)

// index holds every condition leaving one edge (a path, from one state)
// in structures that find the conditions a value meets without trying
// them one by one: hash maps for exact values, numbers and folded
// strings; maps keyed by length for prefixes and suffixes (one lookup per
// distinct length, bounded by the value's length); sorted elementary
// intervals for numeric ranges (one binary search); maps per mask length
// for CIDR blocks; wildcards indexed by their literal head or tail and
// then checked. Only anything-but conditions (and wildcards with neither
// head nor tail, like "*x*") are tried one by one; each of the former
// matches most values anyway, so the work stays proportional to the
// matches.
type index struct {
	exact   map[string][]*state
	ip      map[netip.Addr][]*state
	literal map[string][]*state
	numEq   map[int64][]*state
	foldEq  map[string][]*state

	prefix, suffix         lenMap[*state]
	prefixFold, suffixFold lenMap[*state]

	wcHead, wcTail lenMap[wcTarget]
	wcScan         []wcTarget

	cidr     map[netip.Prefix][]*state
	cidrBits []int // distinct mask lengths, ascending

	ranges []rangeTarget
	bounds []int64    // finite range bounds, sorted, distinct (built)
	slots  [][]*state // elementary interval -> targets (built)

	exists []*state
	absent []*state
	others []condTarget // anything-but
}

type wcTarget struct {
	w *wildcard
	t *state
}

type rangeTarget struct {
	c *cond
	t *state
}

type condTarget struct {
	c *cond
	t *state
}

// lenMap maps strings to targets and remembers the distinct lengths of
// its keys, so that the prefixes (or suffixes) of a value that are keys
// are found with one lookup per length.
type lenMap[T any] struct {
	m    map[string][]T
	lens []int
}

func (l *lenMap[T]) add(k string, t T) {
	if l.m == nil {
		l.m = map[string][]T{}
	}
	if _, ok := l.m[k]; !ok {
		i := sort.SearchInts(l.lens, len(k))
		if i == len(l.lens) || l.lens[i] != len(k) {
			l.lens = append(l.lens, 0)
			copy(l.lens[i+1:], l.lens[i:])
			l.lens[i] = len(k)
		}
	}
	l.m[k] = append(l.m[k], t)
}

// prefix returns the targets of the i-th shortest key length that is a
// prefix (or, with suffix set, a suffix) of v; false past the last length
// that fits.
func (l *lenMap[T]) at(v string, i int, suffix bool) ([]T, bool) {
	if i >= len(l.lens) || l.lens[i] > len(v) {
		return nil, false
	}
	n := l.lens[i]
	if suffix {
		return l.m[v[len(v)-n:]], true
	}
	return l.m[v[:n]], true
}

func addTo[K comparable](m *map[K][]*state, k K, t *state) {
	if *m == nil {
		*m = map[K][]*state{}
	}
	(*m)[k] = append((*m)[k], t)
}

// add indexes the conditions of one field, all leading to t. It reports
// whether the index needs building (a numeric range was added).
func (x *index) add(conds []cond, t *state) (dirty bool) {
	for i := range conds {
		c := &conds[i]
		switch c.op {
		case opExact:
			addTo(&x.exact, c.s, t)
		case opIP:
			addTo(&x.ip, c.addr, t)
		case opLiteral:
			addTo(&x.literal, c.s, t)
		case opNumEq:
			addTo(&x.numEq, c.lo, t)
		case opFold:
			addTo(&x.foldEq, c.s, t)
		case opPrefix:
			x.prefix.add(c.s, t)
		case opSuffix:
			x.suffix.add(c.s, t)
		case opPrefixFold:
			x.prefixFold.add(c.s, t)
		case opSuffixFold:
			x.suffixFold.add(c.s, t)
		case opWildcard:
			w := c.wc
			if s, ok := w.literal(); ok {
				addTo(&x.exact, s, t)
			} else if h := w.head(); h != "" {
				x.wcHead.add(h, wcTarget{w, t})
			} else if tl := w.tail(); tl != "" {
				x.wcTail.add(tl, wcTarget{w, t})
			} else {
				x.wcScan = append(x.wcScan, wcTarget{w, t})
			}
		case opCIDR:
			addTo(&x.cidr, c.pfx, t)
			i := sort.SearchInts(x.cidrBits, c.pfx.Bits())
			if i == len(x.cidrBits) || x.cidrBits[i] != c.pfx.Bits() {
				x.cidrBits = append(x.cidrBits, 0)
				copy(x.cidrBits[i+1:], x.cidrBits[i:])
				x.cidrBits[i] = c.pfx.Bits()
			}
		case opRange:
			x.ranges = append(x.ranges, rangeTarget{c, t})
			dirty = true
		case opExists:
			x.exists = append(x.exists, t)
		case opAbsent:
			x.absent = append(x.absent, t)
		default:
			x.others = append(x.others, condTarget{c, t})
		}
	}
	return dirty
}

// build lays the numeric ranges out as elementary intervals: with the
// distinct finite bounds b0 < b1 < ... < bk-1, slot 2j is the open gap
// below bj, slot 2j+1 the point bj, slot 2k the gap above the last. A
// range covers a run of slots; a number falls in exactly one.
func (x *index) build() {
	x.bounds = x.bounds[:0]
	for _, r := range x.ranges {
		if r.c.lo != keyMin {
			x.bounds = append(x.bounds, r.c.lo)
		}
		if r.c.hi != keyMax {
			x.bounds = append(x.bounds, r.c.hi)
		}
	}
	x.bounds = sortedKeys(x.bounds)
	k := len(x.bounds)
	x.slots = make([][]*state, 2*k+1)
	for _, r := range x.ranges {
		lo, hi := 0, 2*k
		if r.c.lo != keyMin {
			j := x.bound(r.c.lo)
			lo = 2*j + 1
			if r.c.loOpen {
				lo++
			}
		}
		if r.c.hi != keyMax {
			j := x.bound(r.c.hi)
			hi = 2*j + 1
			if r.c.hiOpen {
				hi--
			}
		}
		for s := lo; s <= hi; s++ {
			x.slots[s] = append(x.slots[s], r.t)
		}
	}
}

func (x *index) bound(v int64) int {
	return sort.Search(len(x.bounds), func(i int) bool { return x.bounds[i] >= v })
}

func (x *index) slot(v int64) int {
	j := x.bound(v)
	if j < len(x.bounds) && x.bounds[j] == v {
		return 2*j + 1
	}
	return 2 * j
}

// sink receives the targets a value reaches.
type sink interface{ emit(*state) }

// collect passes to out the target of every condition v meets (a target
// may come more than once).
func (x *index) collect(v *value, out sink) {
	for _, t := range x.exists {
		out.emit(t)
	}
	switch v.kind {
	case vString:
		for _, t := range x.exact[v.s] {
			out.emit(t)
		}
		affixes(&x.prefix, v.s, false, out)
		affixes(&x.suffix, v.s, true, out)
		if x.foldEq != nil || x.prefixFold.m != nil || x.suffixFold.m != nil {
			f := v.fold()
			for _, t := range x.foldEq[f] {
				out.emit(t)
			}
			affixes(&x.prefixFold, f, false, out)
			affixes(&x.suffixFold, f, true, out)
		}
		wildcards(&x.wcHead, v.s, false, out)
		wildcards(&x.wcTail, v.s, true, out)
		for _, w := range x.wcScan {
			if w.w.match(v.s) {
				out.emit(w.t)
			}
		}
		if x.ip != nil || x.cidr != nil {
			if a, ok := v.addr(); ok {
				for _, t := range x.ip[a] {
					out.emit(t)
				}
				for _, bits := range x.cidrBits {
					if bits > a.BitLen() {
						break
					}
					p, _ := a.Prefix(bits)
					for _, t := range x.cidr[p] {
						out.emit(t)
					}
				}
			}
		}
	case vNumber, vLiteral:
		for _, t := range x.literal[v.s] {
			out.emit(t)
		}
		if v.kind == vNumber && (x.numEq != nil || x.slots != nil) {
			if k, ok := v.key(); ok {
				for _, t := range x.numEq[k] {
					out.emit(t)
				}
				if x.slots != nil {
					for _, t := range x.slots[x.slot(k)] {
						out.emit(t)
					}
				}
			}
		}
	}
	for _, o := range x.others {
		if o.c.match(v) {
			out.emit(o.t)
		}
	}
}

func affixes(l *lenMap[*state], v string, suffix bool, out sink) {
	for i := 0; ; i++ {
		ts, ok := l.at(v, i, suffix)
		if !ok {
			return
		}
		for _, t := range ts {
			out.emit(t)
		}
	}
}

// wildcards checks the wildcards whose literal head (or tail) v has.
func wildcards(l *lenMap[wcTarget], v string, tail bool, out sink) {
	for i := 0; ; i++ {
		ws, ok := l.at(v, i, tail)
		if !ok {
			return
		}
		for _, w := range ws {
			if w.w.match(v) {
				out.emit(w.t)
			}
		}
	}
}
