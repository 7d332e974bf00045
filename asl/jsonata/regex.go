package jsonata

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// regexLiteral is a compiled /pattern/flags literal.
type regexLiteral struct {
	source string
	re     *regexp.Regexp
	m      *matcher
}

// regexValue is the value of a regex literal: a function of a string that
// returns the first match (see matcherResult).
type regexValue struct {
	lit *regexLiteral
}

// compileRegex translates a JavaScript-style pattern to Go's RE2 syntax and
// compiles it. Flags i and m are honoured; g is accepted and ignored (every
// function that uses a regex scans all matches).
func compileRegex(pattern, flags string) (*regexLiteral, error) {
	var prefix strings.Builder
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			prefix.WriteRune(f)
		}
	}
	translated := translateRegex(pattern)
	if prefix.Len() > 0 {
		translated = "(?" + prefix.String() + ")" + translated
	}
	re, err := regexp.Compile(translated)
	if err != nil {
		return nil, errorf("S0303", 0, "Unsupported regular expression /%s/: %v", pattern, err)
	}
	m, err := newMatcher(translated)
	if err != nil {
		return nil, errorf("S0303", 0, "Unsupported regular expression /%s/: %v", pattern, err)
	}
	return &regexLiteral{source: pattern, re: re, m: m}, nil
}

// translateRegex rewrites the JavaScript escapes RE2 spells differently:
// \uXXXX becomes \x{XXXX} and \/ becomes /.
func translateRegex(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' || i+1 >= len(p) {
			b.WriteByte(c)
			continue
		}
		n := p[i+1]
		switch {
		case n == 'u' && i+6 <= len(p) && isHex(p[i+2:i+6]):
			b.WriteString(`\x{` + p[i+2:i+6] + `}`)
			i += 5
		case n == '/':
			b.WriteByte('/')
			i++
		default:
			b.WriteByte(c)
			b.WriteByte(n)
			i++
		}
	}
	return b.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// regexMatch is one match of a regular expression, with offsets in runes
// and, for a regex's own matches, in bytes.
type regexMatch struct {
	match      string
	start      int // rune offset
	end        int // rune offset
	groups     []any
	byteStart  int // byte offsets, set when hasByteOff: a custom
	byteEnd    int // matcher gives character offsets only
	hasByteOff bool
}

// allMatches returns the matches of lit in s, at most limit of them when
// limit >= 0. Offsets are counted in characters (runes), counted on from
// the previous match, so that the cost is linear in the length of s
// whatever the number of matches.
func allMatches(lit *regexLiteral, s string, limit int) []regexMatch {
	var locs [][]int
	if lit.m.fits(s) {
		locs = lit.m.findAll(s, limit)
	} else {
		locs = lit.re.FindAllStringSubmatchIndex(s, limit)
	}
	out := make([]regexMatch, len(locs))
	var groups []any // every match's groups, in one array
	if len(locs) > 0 && len(locs[0]) > 2 {
		groups = make([]any, len(locs)*(len(locs[0])/2-1))
	}
	var runes runeCounter
	for i, loc := range locs {
		m := &out[i]
		*m = regexMatch{
			match:      s[loc[0]:loc[1]],
			start:      runes.at(s, loc[0]),
			end:        runes.at(s, loc[1]),
			byteStart:  loc[0],
			byteEnd:    loc[1],
			hasByteOff: true,
		}
		n := len(loc)/2 - 1
		m.groups, groups = groups[:n:n], groups[n:]
		for g := range n {
			if loc[2*g+2] < 0 {
				m.groups[g] = ""
				continue
			}
			m.groups[g] = s[loc[2*g+2]:loc[2*g+3]]
		}
		if m.groups == nil {
			m.groups = []any{}
		}
	}
	return out
}

// runeCounter converts increasing byte offsets of one string to rune
// offsets, counting only the runes between one offset and the next.
type runeCounter struct{ byteOff, runeOff int }

func (rc *runeCounter) at(s string, byteOff int) int {
	if byteOff < rc.byteOff {
		*rc = runeCounter{}
	}
	rc.runeOff += utf8.RuneCountInString(s[rc.byteOff:byteOff])
	rc.byteOff = byteOff
	return rc.runeOff
}

// matchObject renders a match as the object $match returns.
func (m regexMatch) object() *Object {
	o := NewObject(3)
	o.Set("match", m.match)
	o.Set("index", float64(m.start))
	o.Set("groups", m.groups)
	return o
}

// matchObjects renders matches as $match's objects, in four allocations
// beside each match's own values.
func matchObjects(ms []regexMatch) []any {
	objs := make([]Object, len(ms))
	keys := make([]string, 3*len(ms))
	vals := make([]any, 3*len(ms))
	out := make([]any, len(ms))
	for i, m := range ms {
		k := keys[3*i : 3*i+3 : 3*i+3]
		k[0], k[1], k[2] = "match", "index", "groups"
		v := vals[3*i : 3*i+3 : 3*i+3]
		v[0], v[1], v[2] = m.match, float64(m.start), m.groups
		objs[i] = Object{keys: k, vals: v}
		out[i] = &objs[i]
	}
	return out
}
