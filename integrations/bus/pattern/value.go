package pattern

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// vkind is the JSON type of an event's leaf value.
type vkind uint8

const (
	vString vkind = iota
	vNumber
	vLiteral // true, false or null
)

// value is one leaf of an event: a string (decoded), a number (its text)
// or a literal. The derived forms (number key, folded string, IP address)
// are computed on first use.
type value struct {
	kind vkind
	s    string

	numDone bool
	numOK   bool
	num     int64

	foldDone bool
	folded   string

	ipDone bool
	ipOK   bool
	ip     netip.Addr
}

func (v *value) key() (int64, bool) {
	if !v.numDone {
		v.numDone = true
		if v.kind == vNumber {
			v.num, v.numOK = numberKey(v.s)
		}
	}
	return v.num, v.numOK
}

func (v *value) fold() string {
	if !v.foldDone {
		v.foldDone = true
		v.folded = fold(v.s)
	}
	return v.folded
}

func (v *value) addr() (netip.Addr, bool) {
	if !v.ipDone {
		v.ipDone = true
		if v.kind == vString {
			v.ip, v.ipOK = ipAddress(v.s)
		}
	}
	return v.ip, v.ipOK
}

// fold maps a string to its case-folded form: each rune lowered after
// being raised, so that the two cases of every letter (and the special
// cases Java's equalsIgnoreCase treats alike, such as 'ſ' and 's') meet.
// ASCII-only strings take a fast path.
func fold(s string) string {
	ascii := true
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return s
		}
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}
