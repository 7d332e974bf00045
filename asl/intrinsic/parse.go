package intrinsic

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl/jpath"
)

// maxDepth is how deeply calls may nest in one field, as AWS documents.
const maxDepth = 10

// Parse compiles an intrinsic function call such as
// "States.Format('Hello {}', $.name)". Arguments are string literals in
// single quotes (with the escapes \' \{ \} and \\), numbers, true, false,
// null, JSONPaths and nested calls. A *ParseError says what is wrong and
// where.
func Parse(src string) (*Call, error) {
	p := &parser{src: src}
	if !strings.HasPrefix(src, prefix) {
		return nil, p.errorf(0, "an intrinsic function call must start with %q", prefix)
	}
	root, err := p.call()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(src) {
		return nil, p.errorf(p.pos, "unexpected %q after the call", src[p.pos:])
	}
	return &Call{src: src, root: root}, nil
}

// MustParse is Parse for calls known to be valid; it panics otherwise.
func MustParse(src string) *Call {
	c, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return c
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return newParseError(p.src, pos, format, args...)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNameChar(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// call parses "States.Name(arg, ...)" at p.pos.
func (p *parser) call() (*call, error) {
	start := p.pos
	p.depth++
	if p.depth > maxDepth {
		return nil, p.errorf(start, "intrinsic functions may be nested at most %d deep", maxDepth)
	}
	defer func() { p.depth-- }()

	p.pos += len(prefix)
	for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := functions[name]
	if !ok {
		return nil, p.errorf(start, "unknown intrinsic function %q", name)
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf(p.pos, "expected '(' after %s", name)
	}
	p.pos++
	c := &call{fn: fn}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			arg, err := p.arg()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, arg)
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf(p.pos, "missing ')' to close %s", name)
			}
			if p.src[p.pos] == ')' {
				p.pos++
				break
			}
			if p.src[p.pos] != ',' {
				return nil, p.errorf(p.pos, "expected ',' or ')' in the arguments of %s", name)
			}
			p.pos++
		}
	}
	n := len(c.args)
	if n < fn.minArgs || (fn.maxArgs != variadic && n > fn.maxArgs) {
		return nil, p.errorf(start, "%s takes %s, got %d", name, fn.arity(), n)
	}
	if fn.name == "States.Format" {
		if err := p.formatTemplate(c, start); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// formatTemplate compiles the template of a States.Format call when it is a
// string literal, and checks that the placeholders match the arguments.
func (p *parser) formatTemplate(c *call, start int) error {
	lit, ok := c.args[0].(*literal)
	if !ok {
		return nil
	}
	if _, isString := lit.value.(string); !isString {
		return nil // AWS fails at run time; so do we.
	}
	t, err := parseTemplate(lit.raw[1:len(lit.raw)-1], true)
	if err != nil {
		return p.errorf(start, "States.Format: %v", err)
	}
	if t.placeholders != len(c.args)-1 {
		return p.errorf(start, "States.Format: the template has %s but %s follow",
			plural(t.placeholders, "%d placeholder"), plural(len(c.args)-1, "%d argument"))
	}
	c.tmpl = t
	return nil
}

// arg parses one argument at p.pos.
func (p *parser) arg() (node, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "missing argument")
	}
	switch c := p.src[p.pos]; {
	case c == '\'':
		return p.stringLiteral()
	case c == '$':
		return p.path()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.src[p.pos:], prefix):
		return p.call()
	case isNameChar(c):
		return p.keyword()
	default:
		return nil, p.errorf(p.pos, "unexpected %q where an argument was expected", rune(c))
	}
}

// stringLiteral parses a single-quoted string. The escapes \' \{ \} and \\
// stand for the character after the backslash; any other backslash is an
// error, as AWS documents.
func (p *parser) stringLiteral() (node, error) {
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\'':
			p.pos++
			return &literal{value: b.String(), raw: p.src[start:p.pos]}, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errorf(p.pos, "unterminated escape sequence")
			}
			e := p.src[p.pos+1]
			if e != '\'' && e != '{' && e != '}' && e != '\\' {
				return nil, p.errorf(p.pos, "invalid escape sequence %q: only \\', \\{, \\} and \\\\ are allowed", p.src[p.pos:p.pos+2])
			}
			b.WriteByte(e)
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return nil, p.errorf(start, "unterminated string literal")
}

// path parses a JSONPath argument: everything up to the ',' or ')' that
// ends the argument, outside brackets, parentheses and quotes.
func (p *parser) path() (node, error) {
	start := p.pos
	depth := 0
	var quote byte
scan:
	for ; p.pos < len(p.src); p.pos++ {
		c := p.src[p.pos]
		switch {
		case quote != 0:
			if c == '\\' {
				p.pos++
			} else if c == quote {
				quote = 0
			}
		case depth > 0 && (c == '\'' || c == '"'):
			quote = c
		case c == '[' || (depth > 0 && c == '('):
			depth++
		case depth > 0 && (c == ']' || c == ')'):
			depth--
		case c == ',' || c == ')':
			break scan
		}
	}
	if p.pos > len(p.src) {
		p.pos = len(p.src)
	}
	if depth != 0 || quote != 0 {
		return nil, p.errorf(start, "unterminated bracket or quote in path %q", p.src[start:p.pos])
	}
	text := strings.TrimRight(p.src[start:p.pos], " \t\n\r")
	path, err := jpath.Compile(text)
	if err != nil {
		return nil, p.errorf(start, "%v", err)
	}
	return newPathArg(path), nil
}

// number parses an integer or a decimal number, optionally negative and
// with an exponent. Integers that fit in an int64 are int64.
func (p *parser) number() (node, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := p.digits()
	isFloat := false
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		isFloat = true
		if p.digits() == 0 {
			return nil, p.errorf(p.pos, "expected digits after '.'")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		isFloat = true
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return nil, p.errorf(p.pos, "expected digits in the exponent")
		}
	}
	raw := p.src[start:p.pos]
	if digits == 0 || (p.pos < len(p.src) && isNameChar(p.src[p.pos])) {
		return nil, p.errorf(start, "invalid number %q", p.src[start:p.endOfToken()])
	}
	if !isFloat {
		if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return &literal{value: i, raw: raw}, nil
		}
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, p.errorf(start, "number %s is out of range", raw)
	}
	return &literal{value: f, raw: raw}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.src) && '0' <= p.src[p.pos] && p.src[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

func (p *parser) endOfToken() int {
	end := p.pos
	for end < len(p.src) && isNameChar(p.src[end]) {
		end++
	}
	return end
}

// keyword parses true, false or null.
func (p *parser) keyword() (node, error) {
	start := p.pos
	end := p.endOfToken()
	word := p.src[start:end]
	var v any
	switch word {
	case "true":
		v = true
	case "false":
		v = false
	case "null":
		v = nil
	default:
		return nil, p.errorf(start, "unexpected %q where an argument was expected (strings are written in single quotes)", word)
	}
	p.pos = end
	return &literal{value: v, raw: word}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// plural formats n into format, adding "s" to the noun unless n is 1.
func plural(n int, format string) string {
	s := fmt.Sprintf(format, n)
	if n != 1 {
		s += "s"
	}
	return s
}
