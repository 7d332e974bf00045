package intrinsic

import (
	"errors"
	"strings"
)

// template is a compiled States.Format template: literal text around "{}"
// placeholders. There is always one more text than placeholders.
type template struct {
	texts        []string
	placeholders int
	size         int // total length of the texts
}

var errUnmatchedBrace = errors.New("matching '}' not found for '{'")

// parseTemplate splits a States.Format template at its "{}" placeholders.
// A backslash before ', {, } or \ makes that character literal. In a
// template written as a literal (raw, as between the quotes) every other
// backslash was rejected by the lexer; in a template that comes from a
// path it is kept as is. A '{' that does not open "{}" is an error.
func parseTemplate(s string, raw bool) (*template, error) {
	t := &template{}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isTemplateEscape(s[i+1]):
			b.WriteByte(s[i+1])
			i++
		case c == '\\' && raw:
			return nil, errors.New("invalid escape sequence")
		case c == '{':
			if i+1 >= len(s) || s[i+1] != '}' {
				return nil, errUnmatchedBrace
			}
			t.texts = append(t.texts, b.String())
			t.size += b.Len()
			b.Reset()
			t.placeholders++
			i++
		default:
			b.WriteByte(c)
		}
	}
	t.texts = append(t.texts, b.String())
	t.size += b.Len()
	return t, nil
}

func isTemplateEscape(c byte) bool { return c == '\'' || c == '{' || c == '}' || c == '\\' }

// evalFormat implements States.Format: the template with each "{}"
// replaced by the positionally corresponding argument, rendered as AWS
// renders values (strings as they are, objects as {key=value, ...}).
func evalFormat(c *call, env *Env) (any, error) {
	vals, err := c.argsAll(env)
	if err != nil {
		return nil, err
	}
	t := c.tmpl
	if t == nil {
		s, ok := vals[0].(string)
		if !ok {
			return nil, c.fn.invalid
		}
		if t, err = parseTemplate(s, false); err != nil {
			return nil, &evalError{msg: "Invalid template in States.Format: " + err.Error()}
		}
	}
	args := vals[1:]
	if t.placeholders != len(args) {
		return nil, &evalError{msg: "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."}
	}
	var b strings.Builder
	b.Grow(t.size + 16*len(args))
	for i, text := range t.texts {
		b.WriteString(text)
		if i < len(args) {
			writeText(&b, args[i])
		}
	}
	return b.String(), nil
}
