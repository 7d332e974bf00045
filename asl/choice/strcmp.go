package choice

import (
	"strings"
	"unicode/utf8"
)

// compareUTF16 compares two strings in UTF-16 code unit order, the order of
// Java's String.compareTo that AWS uses. It differs from Go's byte order
// only between a character above U+FFFF (a surrogate pair, whose first
// unit is in D800–DBFF) and one in U+E000–U+FFFF: Go orders the former
// last, Java first. It returns -1, 0 or 1 and does not allocate.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				return compareInts(int64(ua), int64(ub))
			}
			// Both are surrogate pairs with the same high surrogate: the
			// low surrogates order as the code points do.
			return compareInts(int64(ra), int64(rb))
		}
		i += na
		j += nb
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	// The strings decode to the same characters, yet differ: they hold
	// invalid UTF-8. Fall back to bytes for a total order.
	return strings.Compare(a, b)
}

// firstUnit returns the first UTF-16 code unit that encodes r.
func firstUnit(r rune) rune {
	if r < 0x10000 {
		return r
	}
	return 0xD800 + (r-0x10000)>>10
}
