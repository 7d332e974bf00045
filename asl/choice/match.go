package choice

import "strings"

// pattern is a compiled StringMatches pattern: the literal text between its
// '*' wildcards. A pattern without wildcards has one part; "a*b" has
// parts "a" and "b"; "*" has two empty parts.
type pattern struct {
	src   string
	parts []string
}

// compilePattern splits a StringMatches pattern at its unescaped '*'.
// "\*" stands for a literal '*' and "\\" for a literal '\'; a backslash
// before any other character, or at the end, is itself literal.
func compilePattern(src string) pattern {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && (src[i+1] == '*' || src[i+1] == '\\'):
			i++
			b.WriteByte(src[i])
		case c == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return pattern{src: src, parts: append(parts, b.String())}
}

// match reports whether s matches the pattern, where each '*' stands for
// any run of characters, the empty run included. It does not allocate.
func (p pattern) match(s string) bool {
	first, last := p.parts[0], p.parts[len(p.parts)-1]
	if len(p.parts) == 1 {
		return s == first
	}
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	// The middle parts must appear in order between prefix and suffix;
	// taking the leftmost occurrence of each leaves the most room.
	rest := s[len(first) : len(s)-len(last)]
	for _, part := range p.parts[1 : len(p.parts)-1] {
		k := strings.Index(rest, part)
		if k < 0 {
			return false
		}
		rest = rest[k+len(part):]
	}
	return true
}
