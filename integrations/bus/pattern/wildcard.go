package pattern

import (
	"strconv"
	"strings"
)

// wildcard is a compiled "wildcard" operand: literal segments separated
// by '*' (any run of characters, empty included). lead and trail report
// whether the pattern starts or ends with '*'.
//
// Matching is linear-time in practice and O(len(value) * len(pattern)) at
// worst: the greedy algorithm with one backtrack point (the last '*'),
// never exponential, whatever the pattern.
type wildcard struct {
	segs        []string
	lead, trail bool
}

// maxWildcards bounds the '*' of one operand. AWS refuses a wildcard it
// deems too complex (a score over its automaton that we do not
// reproduce): recorded against AWS, "*:*:*:*:*:event-bus/*" (six) is
// refused and "/Users/*/dir/dir/dir/dir/dir/doc.txt" accepted; five is
// the bound that agrees. The matcher here needs no such bound.
const maxWildcards = 5

const errTooComplex = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"

// parseWildcard reads a wildcard operand as AWS does: '*' is the
// wildcard, "\*" a literal '*', "\\" a literal '\'; any other backslash
// and two consecutive '*' are errors. Positions count UTF-8 bytes from
// the operand's opening quote, as AWS's messages do.
func parseWildcard(s string) (*wildcard, *Error) {
	w := &wildcard{}
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return nil, invalid("Consecutive wildcard characters at pos " + strconv.Itoa(i+1))
			}
			if i == 0 {
				w.lead = true
			} else {
				w.segs = append(w.segs, string(cur))
				cur = cur[:0]
			}
			if i == len(s)-1 {
				w.trail = true
			}
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur = append(cur, s[i+1])
				i++
				continue
			}
			return nil, invalid("Invalid escape character at pos " + strconv.Itoa(i+1))
		default:
			cur = append(cur, c)
		}
	}
	if !w.trail {
		w.segs = append(w.segs, string(cur))
	}
	if stars := len(w.segs) - 1 + b2i(w.lead) + b2i(w.trail); stars > maxWildcards {
		return nil, invalid(errTooComplex)
	}
	return w, nil
}

// literal reports whether the wildcard has no '*' (it is an exact
// string) and returns that string.
func (w *wildcard) literal() (string, bool) {
	if w.lead || w.trail || len(w.segs) != 1 {
		return "", false
	}
	return w.segs[0], true
}

// head is the literal before the first '*' ("" when it starts with one);
// tail the literal after the last.
func (w *wildcard) head() string {
	if w.lead || len(w.segs) == 0 {
		return ""
	}
	return w.segs[0]
}

func (w *wildcard) tail() string {
	if w.trail || len(w.segs) == 0 {
		return ""
	}
	return w.segs[len(w.segs)-1]
}

func (w *wildcard) match(v string) bool {
	segs := w.segs
	if len(segs) == 0 { // "*"
		return true
	}
	// Anchor the first segment unless the pattern starts with '*'.
	if !w.lead {
		if len(v) < len(segs[0]) || v[:len(segs[0])] != segs[0] {
			return false
		}
		v = v[len(segs[0]):]
		segs = segs[1:]
		if len(segs) == 0 {
			return w.trail || v == ""
		}
	}
	// Anchor the last segment unless the pattern ends with '*'.
	if !w.trail {
		last := segs[len(segs)-1]
		if len(v) < len(last) || v[len(v)-len(last):] != last {
			return false
		}
		v = v[:len(v)-len(last)]
		segs = segs[:len(segs)-1]
	}
	// Every remaining segment floats between stars: the leftmost
	// occurrence of each, in order, is the best choice (no backtracking
	// is ever needed between '*'s).
	for _, s := range segs {
		i := strings.Index(v, s)
		if i < 0 {
			return false
		}
		v = v[i+len(s):]
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
