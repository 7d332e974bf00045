package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jkind is the kind of a JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jnode is a JSON value that keeps its object members in document order
// (and duplicates), as the filter-policy compiler of AWS reads them.
type jnode struct {
	kind jkind
	b    bool
	s    string // a string's value, or a number's literal text
	arr  []*jnode
	obj  []jmember
}

type jmember struct {
	key string
	val *jnode
}

// text is the value as a JSON parser names a token in AWS's messages: a
// scalar's text, "[" or "{" for a container.
func (n *jnode) text() string {
	switch n.kind {
	case jNull:
		return "null"
	case jBool:
		if n.b {
			return "true"
		}
		return "false"
	case jArray:
		return "["
	case jObject:
		return "{"
	}
	return clip(n.s, 128)
}

var errTooDeep = errors.New("nesting too deep")

// parseJSON parses one JSON value (and nothing after it) nested at most
// maxDepth deep.
func parseJSON(s string, maxDepth int) (*jnode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n, err := readValue(dec, tok, 1, maxDepth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the top-level value")
		}
		return nil, err
	}
	return n, nil
}

func readValue(dec *json.Decoder, tok json.Token, depth, maxDepth int) (*jnode, error) {
	switch t := tok.(type) {
	case json.Delim:
		if depth > maxDepth {
			return nil, errTooDeep
		}
		if t == '[' {
			n := &jnode{kind: jArray}
			for {
				tok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				if d, ok := tok.(json.Delim); ok && d == ']' {
					return n, nil
				}
				v, err := readValue(dec, tok, depth+1, maxDepth)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
		}
		n := &jnode{kind: jObject}
		for {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if d, ok := tok.(json.Delim); ok && d == '}' {
				return n, nil
			}
			key, _ := tok.(string)
			tok, err = dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readValue(dec, tok, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			n.obj = append(n.obj, jmember{key: key, val: v})
		}
	case string:
		return &jnode{kind: jString, s: t}, nil
	case json.Number:
		return &jnode{kind: jNumber, s: string(t)}, nil
	case bool:
		return &jnode{kind: jBool, b: t}, nil
	case nil:
		return &jnode{kind: jNull}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}
