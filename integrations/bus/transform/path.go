package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl/jpath"
)

// path is a compiled JSONPath into the event. AWS documents "dot notation,
// dashes, underscores, alphanumeric characters, array indices, wildcards"
// (Amazon EventBridge input transformation): asl/jpath reads all of them
// (and more); only paths rooted at the event ("$") are taken.
type path struct{ p *jpath.Path }

func compilePath(src string) (*path, error) {
	if utf8.RuneCountInString(src) > MaxPath {
		return nil, fmt.Errorf("Member must have length less than or equal to %d", MaxPath)
	}
	p, err := jpath.Compile(src)
	if err != nil {
		return nil, errors.New("Member must be a valid JSON path")
	}
	if p.Root() != jpath.Input {
		return nil, errors.New("Member must be a valid JSON path")
	}
	return &path{p: p}, nil
}

// get selects from doc: a definite path its node (false when none), a
// wildcard path the array of its matches (false when empty).
func (p *path) get(doc any) (any, bool) {
	v, ok := p.p.Get(jpath.Scope{Input: doc})
	if !ok {
		return nil, false
	}
	if a, isArr := v.([]any); isArr && !p.p.Definite() && len(a) == 0 {
		return nil, false
	}
	return v, true
}

// decode reads the event keeping numbers as written.
func decode(event []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("transform: the event is not JSON: %w", err)
	}
	return v, nil
}

// marshal is JSON text without HTML escaping (AWS passes <, > and & as
// they are).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
