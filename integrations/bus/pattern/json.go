package pattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
// maxDepth containers.
func parseJSON(s string, maxDepth int) (*jnode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n, err := readValue(dec, tok, 0, maxDepth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the pattern")
		}
		return nil, err
	}
	return n, nil
}

func readValue(dec *json.Decoder, tok json.Token, depth, maxDepth int) (*jnode, error) {
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxDepth {
			return nil, errTooDeep
		}
		if t == '{' {
			n := &jnode{kind: jObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				vt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := readValue(dec, vt, depth+1, maxDepth)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, jmember{key: key, val: v})
			}
			_, err := dec.Token()
			return n, err
		}
		n := &jnode{kind: jArray}
		for dec.More() {
			et, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readValue(dec, et, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, v)
		}
		_, err := dec.Token()
		return n, err
	case string:
		return &jnode{kind: jString, text: t}, nil
	case json.Number:
		return &jnode{kind: jNumber, text: t.String()}, nil
	case bool:
		if t {
			return &jnode{kind: jTrue}, nil
		}
		return &jnode{kind: jFalse}, nil
	case nil:
		return &jnode{kind: jNull}, nil
	}
	return nil, errors.New("unexpected token")
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
