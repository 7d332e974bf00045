package pattern

import (
	"net/netip"
	"sort"
	"strings"
)

// op is one kind of condition on a leaf value.
type op uint8

const (
	opExact       op = iota // a string, exactly
	opIP                    // a string that is the same IP address as s (a pattern string that is an address)
	opLiteral               // a number's text, true, false or null, exactly
	opNumEq                 // a number equal to lo
	opRange                 // a number within lo..hi
	opPrefix                // a string starting with s
	opSuffix                // a string ending with s
	opFold                  // a string equal to s, case folded
	opPrefixFold            // a string starting with s, case folded
	opSuffixFold            // a string ending with s, case folded
	opWildcard              // a string matching wc
	opCIDR                  // a string that is an IP address in pfx
	opExists                // any leaf value
	opAbsent                // no leaf value at the path (exists: false)
	opNotStrings            // any value but null and the strings in set
	opNotNumbers            // any value but null and the numbers in keys
	opNotPrefix             // any value but null and strings starting with s
	opNotSuffix             // any value but null and strings ending with s
	opNotFold               // any value but null and the strings in set, case folded
	opNotWildcard           // any value but null and strings matching one of wcs
)

// cond is one value (or operator) of a field's array: the field matches
// when any of its conds does.
type cond struct {
	op             op
	s              string
	set            []string // sorted
	keys           []int64  // sorted
	lo, hi         int64
	loOpen, hiOpen bool
	wc             *wildcard
	wcs            []*wildcard
	pfx            netip.Prefix
	addr           netip.Addr
}

// sig is the condition's canonical text: two conds with one sig are the
// same condition (the Machine shares their states).
func (c *cond) sig() string {
	var b strings.Builder
	b.WriteByte(byte('A' + c.op))
	switch c.op {
	case opNumEq:
		b.WriteString(itoa(c.lo))
	case opRange:
		b.WriteString(itoa(c.lo))
		b.WriteByte(boolByte(c.loOpen))
		b.WriteString(itoa(c.hi))
		b.WriteByte(boolByte(c.hiOpen))
	case opNotNumbers:
		for _, k := range c.keys {
			b.WriteString(itoa(k))
			b.WriteByte(',')
		}
	case opNotStrings, opNotFold, opNotPrefix, opNotSuffix:
		for _, s := range c.set {
			b.WriteString(quote(s))
		}
	case opCIDR:
		b.WriteString(c.pfx.String())
	case opNotWildcard:
		for _, w := range c.wcs {
			b.WriteString(quote(wcString(w)))
		}
	default:
		b.WriteString(quote(c.s))
	}
	return b.String()
}

// match reports whether the leaf value v meets the condition (opAbsent
// never does: it is about the absence of values).
func (c *cond) match(v *value) bool {
	switch c.op {
	case opExact:
		return v.kind == vString && v.s == c.s
	case opIP:
		a, ok := v.addr()
		return ok && a == c.addr
	case opLiteral:
		return v.kind != vString && v.s == c.s
	case opNumEq:
		k, ok := v.key()
		return ok && k == c.lo
	case opRange:
		k, ok := v.key()
		return ok && c.inRange(k)
	case opPrefix:
		return v.kind == vString && strings.HasPrefix(v.s, c.s)
	case opSuffix:
		return v.kind == vString && strings.HasSuffix(v.s, c.s)
	case opFold:
		return v.kind == vString && v.fold() == c.s
	case opPrefixFold:
		return v.kind == vString && strings.HasPrefix(v.fold(), c.s)
	case opSuffixFold:
		return v.kind == vString && strings.HasSuffix(v.fold(), c.s)
	case opWildcard:
		return v.kind == vString && c.wc.match(v.s)
	case opCIDR:
		a, ok := v.addr()
		return ok && c.pfx.Contains(a)
	case opExists:
		return true
	case opAbsent:
		return false
	}
	// anything-but: any present value but those named, null and values of
	// other types included (AWS matches {"anything-but": ["x"]} on null,
	// as recorded by LocalStack's snapshot tests; a missing field has no
	// value and never gets here).
	switch c.op {
	case opNotStrings:
		return v.kind != vString || !inSorted(c.set, v.s)
	case opNotNumbers:
		k, ok := v.key()
		return !ok || !inSortedKeys(c.keys, k)
	case opNotPrefix:
		if v.kind == vString {
			for _, p := range c.set {
				if strings.HasPrefix(v.s, p) {
					return false
				}
			}
		}
		return true
	case opNotSuffix:
		if v.kind == vString {
			for _, p := range c.set {
				if strings.HasSuffix(v.s, p) {
					return false
				}
			}
		}
		return true
	case opNotFold:
		return v.kind != vString || !inSorted(c.set, v.fold())
	case opNotWildcard:
		if v.kind != vString {
			return true
		}
		for _, w := range c.wcs {
			if w.match(v.s) {
				return false
			}
		}
		return true
	}
	return false
}

func (c *cond) inRange(k int64) bool {
	if k < c.lo || (c.loOpen && k == c.lo) {
		return false
	}
	if k > c.hi || (c.hiOpen && k == c.hi) {
		return false
	}
	return true
}

func inSorted(set []string, s string) bool {
	i := sort.SearchStrings(set, s)
	return i < len(set) && set[i] == s
}

func inSortedKeys(keys []int64, k int64) bool {
	i := sort.Search(len(keys), func(i int) bool { return keys[i] >= k })
	return i < len(keys) && keys[i] == k
}
