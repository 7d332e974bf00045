package filter

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer reads a JSON text as a stream of tokens, validating it as
// encoding/json does (RFC 8259; invalid UTF-8 in strings is replaced by
// U+FFFD), without allocating for strings that need no unescaping. It is
// MatchBody's reader: encoding/json's Decoder.Token allocates for every
// token and reads a body about ten times slower.
type lexer struct {
	s     string
	i     int
	stack []byte // open containers: '{' or '['
	state lstate
	buf   []byte // unescaping scratch
}

type lstate uint8

const (
	lsTop      lstate = iota // expecting the top-level value
	lsValue                  // expecting a value
	lsObjFirst               // after '{': a key or '}'
	lsArrFirst               // after '[': a value or ']'
	lsAfter                  // after a value inside a container: ',' or the close
	lsDone                   // the top-level value is complete
)

type tkind uint8

const (
	tkErr tkind = iota
	tkEOF
	tkObjOpen
	tkObjClose
	tkArrOpen
	tkArrClose
	tkKey // text: the key, unescaped; the ':' is consumed
	tkString
	tkNumber // text: the literal
	tkTrue
	tkFalse
	tkNull
)

func (l *lexer) skipSpace() {
	for l.i < len(l.s) {
		switch l.s[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// next returns the next token. decode false skips unescaping strings
// (their text is then not returned): for values nobody reads.
func (l *lexer) next(decode bool) (tkind, string) {
	l.skipSpace()
	switch l.state {
	case lsDone:
		if l.i == len(l.s) {
			return tkEOF, ""
		}
		return tkErr, ""
	case lsObjFirst:
		if l.i < len(l.s) && l.s[l.i] == '}' {
			l.i++
			return l.close('{'), ""
		}
		return l.key()
	case lsArrFirst:
		if l.i < len(l.s) && l.s[l.i] == ']' {
			l.i++
			return l.close('['), ""
		}
		return l.value(decode)
	case lsAfter:
		if l.i == len(l.s) {
			return tkErr, ""
		}
		top := l.stack[len(l.stack)-1]
		c := l.s[l.i]
		l.i++
		switch {
		case c == ',' && top == '{':
			l.skipSpace()
			return l.key()
		case c == ',':
			l.skipSpace()
			return l.value(decode)
		case c == '}' && top == '{', c == ']' && top == '[':
			return l.close(top), ""
		}
		return tkErr, ""
	}
	return l.value(decode)
}

func (l *lexer) close(open byte) tkind {
	l.stack = l.stack[:len(l.stack)-1]
	l.afterValue()
	if open == '{' {
		return tkObjClose
	}
	return tkArrClose
}

func (l *lexer) afterValue() {
	if len(l.stack) == 0 {
		l.state = lsDone
	} else {
		l.state = lsAfter
	}
}

// key reads an object key and the ':' after it.
func (l *lexer) key() (tkind, string) {
	if l.i >= len(l.s) || l.s[l.i] != '"' {
		return tkErr, ""
	}
	k, ok := l.str(true)
	if !ok {
		return tkErr, ""
	}
	l.skipSpace()
	if l.i >= len(l.s) || l.s[l.i] != ':' {
		return tkErr, ""
	}
	l.i++
	l.state = lsValue
	return tkKey, k
}

func (l *lexer) value(decode bool) (tkind, string) {
	if l.i >= len(l.s) {
		return tkErr, ""
	}
	switch c := l.s[l.i]; {
	case c == '{':
		l.i++
		l.stack = append(l.stack, '{')
		l.state = lsObjFirst
		return tkObjOpen, ""
	case c == '[':
		l.i++
		l.stack = append(l.stack, '[')
		l.state = lsArrFirst
		return tkArrOpen, ""
	case c == '"':
		s, ok := l.str(decode)
		if !ok {
			return tkErr, ""
		}
		l.afterValue()
		return tkString, s
	case c == '-' || (c >= '0' && c <= '9'):
		start := l.i
		if !l.number() {
			return tkErr, ""
		}
		l.afterValue()
		return tkNumber, l.s[start:l.i]
	case strings.HasPrefix(l.s[l.i:], "true"):
		l.i += 4
		l.afterValue()
		return tkTrue, ""
	case strings.HasPrefix(l.s[l.i:], "false"):
		l.i += 5
		l.afterValue()
		return tkFalse, ""
	case strings.HasPrefix(l.s[l.i:], "null"):
		l.i += 4
		l.afterValue()
		return tkNull, ""
	}
	return tkErr, ""
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (l *lexer) number() bool {
	s, i := l.s, l.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	l.i = i
	return true
}

// str reads a string at l.i (its opening quote), returning its value
// when decode is set.
func (l *lexer) str(decode bool) (string, bool) {
	s := l.s
	start := l.i + 1
	i := start
	plain := true // no escape, all valid UTF-8
	for {
		if i >= len(s) {
			return "", false
		}
		c := s[i]
		switch {
		case c == '"':
			l.i = i + 1
			if !decode {
				return "", true
			}
			if plain {
				return s[start:i], true
			}
			return l.unquote(s[start:i])
		case c == '\\':
			plain = false
			i++
			if i >= len(s) {
				return "", false
			}
			switch s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if getu4(s[i-1:]) < 0 {
					return "", false
				}
				i += 5
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			i += size
		}
	}
}

// unquote decodes a string's escapes (already validated) as encoding/json
// does: a lone surrogate and invalid UTF-8 become U+FFFD.
func (l *lexer) unquote(s string) (string, bool) {
	b := l.buf[:0]
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRuneInString(s[r:])
			if rr == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, unicode.ReplacementChar)
			} else {
				b = append(b, s[r:r+size]...)
			}
			r += size
		}
	}
	l.buf = b
	return string(b), true
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
