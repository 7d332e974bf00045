package pattern

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// jkind is the JSON type of a pattern's node.
type jkind uint8

const (
	jObject jkind = iota
	jArray
	jString
	jNumber
	jTrue
	jFalse
	jNull
)

// jnode is a parsed pattern: members keep their order (and duplicates,
// of which the last wins, as at AWS); numbers keep their text.
type jnode struct {
	kind    jkind
	text    string // string value or number text
	members []jmember
	elems   []*jnode
}

type jmember struct {
	key string
	val *jnode
}

// String renders a scalar as AWS's messages quote it (the JSON parser's
// text: a string without its quotes).
func (n *jnode) String() string {
	switch n.kind {
	case jString, jNumber:
		return n.text
	case jTrue:
		return "true"
	case jFalse:
		return "false"
	case jNull:
		return "null"
	case jArray:
		return "["
	}
	return "{"
}

var errTooDeep = errors.New("too deep")

// parseJSON parses one JSON value, and nothing after it, nesting at most
// maxDepth containers. It reads with the event scanner's lexer (strings,
// numbers, whitespace): a third of the time encoding/json's Decoder took
// to parse a rule.
func parseJSON(src string, maxDepth int) (*jnode, error) {
	s := scanner{b: []byte(src), maxDepth: maxDepth, deep: errTooDeep}
	n, err := s.jvalue()
	if err != nil {
		return nil, err
	}
	s.space()
	if s.i != len(s.b) {
		return nil, s.fail("unexpected data after the value")
	}
	return n, nil
}

func (s *scanner) jvalue() (*jnode, error) {
	s.space()
	if s.i >= len(s.b) {
		return nil, s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		if err := s.enter(); err != nil {
			return nil, err
		}
		n := &jnode{kind: jObject}
		s.space()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			s.depth--
			return n, nil
		}
		for {
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				return nil, s.fail("expected a member name")
			}
			key, err := s.str(true)
			if err != nil {
				return nil, err
			}
			s.space()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				return nil, s.fail("expected ':'")
			}
			s.i++
			v, err := s.jvalue()
			if err != nil {
				return nil, err
			}
			n.members = append(n.members, jmember{key: string(key), val: v})
			if done, err := s.next('}'); err != nil || done {
				return n, err
			}
		}
	case c == '[':
		if err := s.enter(); err != nil {
			return nil, err
		}
		n := &jnode{kind: jArray}
		s.space()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			s.depth--
			return n, nil
		}
		for {
			v, err := s.jvalue()
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, v)
			if done, err := s.next(']'); err != nil || done {
				return n, err
			}
		}
	case c == '"':
		str, err := s.str(true)
		if err != nil {
			return nil, err
		}
		return &jnode{kind: jString, text: string(str)}, nil
	case c == '-' || ('0' <= c && c <= '9'):
		start := s.i
		if !s.number() {
			return nil, s.fail("malformed number")
		}
		return &jnode{kind: jNumber, text: string(s.b[start:s.i])}, nil
	}
	for _, l := range [...]struct {
		text string
		kind jkind
	}{{"true", jTrue}, {"false", jFalse}, {"null", jNull}} {
		if len(s.b)-s.i >= len(l.text) && string(s.b[s.i:s.i+len(l.text)]) == l.text {
			s.i += len(l.text)
			return &jnode{kind: l.kind}, nil
		}
	}
	return nil, s.fail("unexpected character")
}

// next reads the ',' between members or elements, or the closing
// delimiter (done).
func (s *scanner) next(close byte) (done bool, err error) {
	s.space()
	if s.i >= len(s.b) {
		return false, s.fail("unexpected end")
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return false, nil
	case close:
		s.i++
		s.depth--
		return true, nil
	}
	return false, s.fail("expected ',' or '" + string(close) + "'")
}

// Small text helpers for condition signatures.

func itoa(k int64) string { return strconv.FormatInt(k, 10) }

func boolByte(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}

func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// wcString renders a wildcard back in its escaped form.
func wcString(w *wildcard) string {
	var b strings.Builder
	if w.lead {
		b.WriteByte('*')
	}
	for i, s := range w.segs {
		if i > 0 {
			b.WriteByte('*')
		}
		for j := 0; j < len(s); j++ {
			if s[j] == '*' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
	}
	if w.trail && (len(w.segs) > 0 || !w.lead) {
		b.WriteByte('*')
	}
	return b.String()
}
