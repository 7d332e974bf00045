package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenKind classifies lexer tokens.
type tokenKind int

const (
	tokEnd tokenKind = iota
	tokOperator
	tokName     // field name, possibly `quoted`
	tokVariable // $name (value without the $)
	tokString
	tokNumber
	tokValue // true, false, null
	tokRegex
)

// token is one lexical token. pos is the offset just past the token, as
// JSONata reports positions; start is its first byte.
type token struct {
	kind  tokenKind
	value string  // operator, name, variable or string text
	num   float64 // tokNumber
	lit   any     // tokValue: true, false or nil
	re    *regexLiteral
	start int
	pos   int
}

// operatorChars are the single characters that are operators, and so end
// a name.
const operatorChars = ".[]{}(),@#;:?+-*/%|=<>^&!~"

// twoCharOperators are the operators of two characters.
var twoCharOperators = []string{"..", ":=", "!=", ">=", "<=", "**", "~>"}

// lexer splits an expression into tokens.
type lexer struct {
	src string
	pos int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
}

// next returns the next token. prefix tells whether the parser expects an
// operand, in which case / starts a regular expression.
func (l *lexer) next(prefix bool) (token, error) {
	src := l.src
	for {
		for l.pos < len(src) && isSpace(src[l.pos]) {
			l.pos++
		}
		if strings.HasPrefix(src[l.pos:], "/*") {
			end := strings.Index(src[l.pos+2:], "*/")
			if end < 0 {
				l.pos = len(src)
				return token{}, newError("S0106", l.pos, "", Undefined)
			}
			l.pos += end + 4
			continue
		}
		break
	}
	start := l.pos
	if l.pos >= len(src) {
		return token{kind: tokEnd, start: start, pos: start}, nil
	}
	c := src[l.pos]
	if prefix && c == '/' {
		return l.regex()
	}
	for _, op := range twoCharOperators {
		if strings.HasPrefix(src[l.pos:], op) {
			l.pos += 2
			return token{kind: tokOperator, value: op, start: start, pos: l.pos}, nil
		}
	}
	if c == '!' || c == '~' {
		l.pos++
		return token{}, newError("S0204", l.pos, string(c), Undefined)
	}
	if strings.IndexByte(operatorChars, c) >= 0 {
		l.pos++
		return token{kind: tokOperator, value: string(c), start: start, pos: l.pos}, nil
	}
	switch {
	case c == '"' || c == '\'':
		return l.str(c)
	case c >= '0' && c <= '9':
		return l.number()
	case c == '`':
		end := strings.IndexByte(src[l.pos+1:], '`')
		if end < 0 {
			l.pos = len(src)
			return token{}, newError("S0105", l.pos, "", Undefined)
		}
		name := src[l.pos+1 : l.pos+1+end]
		l.pos += end + 2
		return token{kind: tokName, value: name, start: start, pos: l.pos}, nil
	}
	// a name or variable runs to the next space or operator character
	i := l.pos
	for i < len(src) && !isSpace(src[i]) && strings.IndexByte(operatorChars, src[i]) < 0 {
		i++
	}
	word := src[l.pos:i]
	l.pos = i
	if word[0] == '$' {
		return token{kind: tokVariable, value: word[1:], start: start, pos: i}, nil
	}
	switch word {
	case "and", "or", "in":
		return token{kind: tokOperator, value: word, start: start, pos: i}, nil
	case "true":
		return token{kind: tokValue, value: word, lit: true, start: start, pos: i}, nil
	case "false":
		return token{kind: tokValue, value: word, lit: false, start: start, pos: i}, nil
	case "null":
		return token{kind: tokValue, value: word, lit: nil, start: start, pos: i}, nil
	}
	return token{kind: tokName, value: word, start: start, pos: i}, nil
}

// str scans a string literal quoted by q.
func (l *lexer) str(q byte) (token, error) {
	start := l.pos
	src := l.src
	var b strings.Builder
	i := l.pos + 1
	for i < len(src) {
		c := src[i]
		if c == q {
			l.pos = i + 1
			return token{kind: tokString, value: b.String(), start: start, pos: l.pos}, nil
		}
		if c != '\\' {
			r, size := utf8.DecodeRuneInString(src[i:])
			b.WriteString(src[i : i+size])
			_ = r
			i += size
			continue
		}
		i++
		if i >= len(src) {
			break
		}
		switch e := src[i]; e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(src, i+1)
			if !ok {
				l.pos = i
				return token{}, newError("S0104", i, "", Undefined)
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// combine with a following \uXXXX low surrogate
				if i+6 < len(src)+0 && src[i+1] == '\\' && src[i+2] == 'u' {
					if r2, ok := hex4(src, i+3); ok {
						if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
							b.WriteRune(c)
							i += 6
							break
						}
					}
				}
			}
			if utf16.IsSurrogate(r) {
				// a lone surrogate, kept as its three-byte (WTF-8) form so
				// that functions can tell it apart from U+FFFD
				b.WriteByte(byte(0xE0 | r>>12))
				b.WriteByte(byte(0x80 | (r>>6)&0x3F))
				b.WriteByte(byte(0x80 | r&0x3F))
				break
			}
			b.WriteRune(r)
		default:
			l.pos = i
			return token{}, newError("S0103", i, string(e), Undefined)
		}
		i++
	}
	l.pos = len(src)
	return token{}, newError("S0101", l.pos, "", Undefined)
}

// hex4 decodes four hex digits at src[i:].
func hex4(src string, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	n, err := strconv.ParseUint(src[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// number scans a number literal: (0|[1-9][0-9]*)(.[0-9]+)?([Ee][-+]?[0-9]+)?
func (l *lexer) number() (token, error) {
	src := l.src
	start := l.pos
	i := l.pos
	digits := func() {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if src[i] == '0' {
		i++
	} else {
		digits()
	}
	if i+1 < len(src) && src[i] == '.' && src[i+1] >= '0' && src[i+1] <= '9' {
		i++
		digits()
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && src[j] >= '0' && src[j] <= '9' {
			i = j
			digits()
		}
	}
	text := src[start:i]
	l.pos = i
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return token{}, newError("S0102", i, text, Undefined)
	}
	return token{kind: tokNumber, value: text, num: f, start: start, pos: i}, nil
}

// regex scans a regular expression literal /pattern/flags.
func (l *lexer) regex() (token, error) {
	src := l.src
	start := l.pos
	i := l.pos + 1
	inClass := false
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\':
			i += 2
			continue
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			pattern := src[start+1 : i]
			if pattern == "" {
				l.pos = i + 1
				return token{}, newError("S0301", l.pos, "", Undefined)
			}
			i++
			fstart := i
			for i < len(src) && src[i] >= 'a' && src[i] <= 'z' {
				i++
			}
			l.pos = i
			re, err := compileRegex(pattern, src[fstart:i])
			if err != nil {
				return token{}, withPosition(err, i, "")
			}
			return token{kind: tokRegex, value: src[start:i], re: re, start: start, pos: i}, nil
		}
		i++
	}
	l.pos = len(src)
	return token{}, newError("S0302", l.pos, "", Undefined)
}
