package filter

import (
	"net/netip"
	"strings"
)

// vkind is the kind of a message value: a body's JSON scalar, or an
// attribute's value (String → string, Number → number, String.Array →
// its elements).
type vkind uint8

const (
	vString vkind = iota
	vNumber
	vBool
	vNull
)

// value is one value a message holds at a policy's key.
type value struct {
	kind  vkind
	s     string // a string; a number's literal text
	b     bool
	num   int64 // a number's key (numberKey), when numOK
	numOK bool  // the number is within -1e9..1e9
}

func stringValue(s string) value { return value{kind: vString, s: s} }

func numberValue(lit string) value {
	k, ok := numberKey(lit)
	return value{kind: vNumber, s: lit, num: k, numOK: ok}
}

// present reports whether the value makes its key exist: AWS's exists
// needs "a non-null and non-empty value".
func (v *value) present() bool {
	switch v.kind {
	case vNull:
		return false
	case vString:
		return v.s != ""
	}
	return true
}

// cond is one of a key's match values: it tests one message value.
type cond interface {
	match(v *value) bool
}

type (
	condExact      string // "value"
	condNumEq      int64  // 5, or {"numeric": ["=", 5]}
	condBool       bool   // true, false
	condNull       struct{}
	condPrefix     string // {"prefix": "..."}
	condSuffix     string // {"suffix": "..."}
	condIgnoreCase string // {"equals-ignore-case": "..."}
	condExists     bool   // {"exists": true|false}: tested per key, never per value
	condCIDR       struct{ p netip.Prefix }
	condNotStrings map[string]bool // {"anything-but": "a" | ["a", "b"]}
	condNotNumbers map[int64]bool  // {"anything-but": 1 | [1, 2]}
	condNotPrefix  string          // {"anything-but": {"prefix": "..."}}
	condNotSuffix  string          // {"anything-but": {"suffix": "..."}}
)

// condRange is {"numeric": [...]} other than "=".
type condRange struct {
	hasLo, loOpen, hasHi, hiOpen bool
	lo, hi                       int64
}

func (c condExact) match(v *value) bool { return v.kind == vString && v.s == string(c) }
func (c condNumEq) match(v *value) bool { return v.kind == vNumber && v.numOK && v.num == int64(c) }
func (c condBool) match(v *value) bool  { return v.kind == vBool && v.b == bool(c) }
func (condNull) match(v *value) bool    { return v.kind == vNull }
func (c condPrefix) match(v *value) bool {
	return v.kind == vString && strings.HasPrefix(v.s, string(c))
}
func (c condSuffix) match(v *value) bool {
	return v.kind == vString && strings.HasSuffix(v.s, string(c))
}
func (c condIgnoreCase) match(v *value) bool {
	return v.kind == vString && strings.EqualFold(v.s, string(c))
}
func (condExists) match(*value) bool { return false }
func (c condCIDR) match(v *value) bool {
	if v.kind != vString {
		return false
	}
	a, err := netip.ParseAddr(v.s)
	return err == nil && a.Zone() == "" && c.p.Contains(a)
}

func (c condRange) match(v *value) bool {
	if v.kind != vNumber || !v.numOK {
		return false
	}
	if c.hasLo && (v.num < c.lo || (c.loOpen && v.num == c.lo)) {
		return false
	}
	if c.hasHi && (v.num > c.hi || (c.hiOpen && v.num == c.hi)) {
		return false
	}
	return true
}

// anything-but matches any value but null that is not one it names: a
// number is anything but a string, and the reverse.
func (c condNotStrings) match(v *value) bool {
	return v.kind != vNull && !(v.kind == vString && c[v.s])
}
func (c condNotNumbers) match(v *value) bool {
	return v.kind != vNull && !(v.kind == vNumber && v.numOK && c[v.num])
}
func (c condNotPrefix) match(v *value) bool {
	return v.kind != vNull && !(v.kind == vString && strings.HasPrefix(v.s, string(c)))
}
func (c condNotSuffix) match(v *value) bool {
	return v.kind != vNull && !(v.kind == vString && strings.HasSuffix(v.s, string(c)))
}

// matchValue reports whether one value of the field's key matches one of
// its conditions ({"exists": true} counts a present value).
func (f *field) matchValue(v *value) bool {
	if f.existsTrue && v.present() {
		return true
	}
	for _, c := range f.conds {
		if c.match(v) {
			return true
		}
	}
	return false
}
