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

func (l *lenMap[T]) prefixes(v string, f func(T)) {
	for _, n := range l.lens {
		if n > len(v) {
			return
		}
		for _, t := range l.m[v[:n]] {
			f(t)
		}
	}
}

func (l *lenMap[T]) suffixes(v string, f func(T)) {
	for _, n := range l.lens {
		if n > len(v) {
			return
		}
		for _, t := range l.m[v[len(v)-n:]] {
			f(t)
		}
	}
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

// collect calls emit with the target of every condition v meets (a
// target may come more than once).
func (x *index) collect(v *value, emit func(*state)) {
	for _, t := range x.exists {
		emit(t)
	}
	switch v.kind {
	case vString:
		for _, t := range x.exact[v.s] {
			emit(t)
		}
		x.prefix.prefixes(v.s, emit)
		x.suffix.suffixes(v.s, emit)
		if x.foldEq != nil || x.prefixFold.m != nil || x.suffixFold.m != nil {
			f := v.fold()
			for _, t := range x.foldEq[f] {
				emit(t)
			}
			x.prefixFold.prefixes(f, emit)
			x.suffixFold.suffixes(f, emit)
		}
		wc := func(w wcTarget) {
			if w.w.match(v.s) {
				emit(w.t)
			}
		}
		x.wcHead.prefixes(v.s, wc)
		x.wcTail.suffixes(v.s, wc)
		for _, w := range x.wcScan {
			wc(w)
		}
		if x.ip != nil || x.cidr != nil {
			if a, ok := v.addr(); ok {
				for _, t := range x.ip[a] {
					emit(t)
				}
				for _, bits := range x.cidrBits {
					if bits > a.BitLen() {
						break
					}
					p, _ := a.Prefix(bits)
					for _, t := range x.cidr[p] {
						emit(t)
					}
				}
			}
		}
	case vNumber, vLiteral:
		for _, t := range x.literal[v.s] {
			emit(t)
		}
		if v.kind == vNumber && (x.numEq != nil || x.slots != nil) {
			if k, ok := v.key(); ok {
				for _, t := range x.numEq[k] {
					emit(t)
				}
				if x.slots != nil {
					for _, t := range x.slots[x.slot(k)] {
						emit(t)
					}
				}
			}
		}
	}
	for _, o := range x.others {
		if o.c.match(v) {
			emit(o.t)
		}
	}
}
