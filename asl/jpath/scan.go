package jpath

import (
	"errors"
	"strconv"
	"strings"
)

// scan reads a path rooted at "$". A path of only names and indexes comes
// back as segments. Any other path comes back as text for ojg's parser,
// with dotted names rewritten into bracket notation, because AWS accepts
// names (such as "delivery-partner") that ojg's dot notation does not.
//
// Inside a quoted bracket name only \' (or \" in a double-quoted one) is an
// escape: other characters, backslashes included, are taken literally, as
// AWS does.
func scan(src string) ([]segment, string, error) {
	if !strings.HasPrefix(src, "$") {
		return nil, "", errors.New("a path must start with '$'")
	}
	segs := []segment{}
	simple := true
	var out strings.Builder
	out.WriteByte('$')
	i := 1
	for i < len(src) {
		switch c := src[i]; {
		case c == '.' && i+1 < len(src) && src[i+1] == '.':
			// Descent: hand the rest to ojg as written, once it is known
			// not to explode: each ".." multiplies the nodes visited.
			rest := src[i:]
			if strings.Contains(rest, "...") {
				return nil, "", errors.New("'...' at " + strconv.Itoa(i+strings.Index(rest, "...")) + ": a descent '..' must be followed by a name, '*' or '['")
			}
			if n := strings.Count(rest, ".."); n > maxDescents {
				return nil, "", errors.New("more than " + strconv.Itoa(maxDescents) + " descents '..'")
			}
			simple = false
			out.WriteString(src[i:])
			i = len(src)
		case c == '.' && i+1 < len(src) && src[i+1] == '*':
			simple = false
			out.WriteString(".*")
			i += 2
		case c == '.' && i+1 < len(src) && src[i+1] == '[':
			// "$.abc.['def ghi']", as AWS documents it: the dot is redundant.
			i++
		case c == '.':
			j := i + 1
			for j < len(src) && src[j] != '.' && src[j] != '[' {
				j++
			}
			name := src[i+1 : j]
			if name == "" {
				return nil, "", errors.New("empty name after '.' at " + strconv.Itoa(i))
			}
			if strings.ContainsAny(name, " \t\n\r()?'\"") {
				return nil, "", errors.New("unexpected character in name '" + name + "'")
			}
			segs = append(segs, segment{name: name})
			writeBracketName(&out, name)
			i = j
		case c == '[':
			seg, n, ok, err := bracket(src[i:])
			if err != nil {
				return nil, "", err
			}
			if ok {
				segs = append(segs, seg)
				if seg.isIdx {
					out.WriteString(src[i : i+n])
				} else {
					writeBracketName(&out, seg.name)
				}
			} else {
				simple = false
				out.WriteString(src[i : i+n])
			}
			i += n
		default:
			return nil, "", errors.New("unexpected character '" + string(c) + "' at " + strconv.Itoa(i))
		}
	}
	if simple {
		return segs, "", nil
	}
	return nil, out.String(), nil
}

// bracketEscaper escapes a name for a quoted bracket in ojg's syntax, where
// a backslash starts an escape: the name's own backslashes and quotes are
// escaped so that ojg reads back exactly the name.
var bracketEscaper = strings.NewReplacer(`\`, `\\`, "'", `\'`)

// maxDescents bounds the '..' operators of one path.
const maxDescents = 4

func writeBracketName(b *strings.Builder, name string) {
	b.WriteString("['")
	b.WriteString(bracketEscaper.Replace(name))
	b.WriteString("']")
}

// bracket reads one [...] at the start of s. It returns the segment and
// true for a single quoted name or a single integer index; otherwise false
// and the length of the bracket (wildcards, slices, unions, filters).
func bracket(s string) (segment, int, bool, error) {
	if len(s) >= 2 && (s[1] == '\'' || s[1] == '"') {
		q := s[1]
		var name strings.Builder
		for j := 2; j < len(s); j++ {
			switch {
			case s[j] == '\\' && j+1 < len(s) && s[j+1] == q:
				name.WriteByte(q)
				j++
			case s[j] == q:
				if j+1 < len(s) && s[j+1] == ']' {
					return segment{name: name.String()}, j + 2, true, nil
				}
				// A union of names, or a filter: let ojg read it.
				end := closing(s)
				if end <= 0 {
					return segment{}, 0, false, errors.New("unterminated '['")
				}
				return segment{}, end, false, nil
			default:
				name.WriteByte(s[j])
			}
		}
		return segment{}, 0, false, errors.New("unterminated quoted name")
	}
	end := closing(s)
	if end <= 0 {
		return segment{}, 0, false, errors.New("unterminated '['")
	}
	inner := s[1 : end-1]
	if n, err := strconv.Atoi(inner); err == nil && inner != "" && !strings.HasPrefix(inner, "+") {
		return segment{index: n, isIdx: true}, end, true, nil
	}
	if strings.TrimSpace(inner) == "" {
		return segment{}, 0, false, errors.New("empty '[]'")
	}
	return segment{}, end, false, nil
}

// closing returns the length of the bracket group at the start of s, up to
// and including its matching ']', honouring quotes and nesting; 0 if none.
func closing(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}
