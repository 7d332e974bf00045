package codegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Limits on the schema Generate accepts. The registry caps a schema's
// content at 100,000 characters (CreateSchema's Content); a megabyte leaves
// room for content stored by other means. The other limits bound the work
// and the output: at 1,000 classes of 1,000 properties the bindings of one
// language stay under ~10 MB (a property writes ~1 KB at most).
const (
	MaxContent       = 1 << 20 // bytes of schema document
	MaxDepth         = 64      // nesting of JSON objects and arrays in the document
	MaxClasses       = 1000    // classes written (components and inline objects)
	MaxProperties    = 10000   // properties over all classes
	MaxClassFields   = 1000    // properties of one class: a Java class file holds 65,535 constants and a method 64 KB of code
	maxIdentifierLen = 80      // longer names are cut and given a hash suffix
)

// object is a JSON object that keeps its keys' order: the order of
// components and properties is the order of the classes and fields
// written, so the bindings read like the schema.
type object struct {
	keys []string
	vals map[string]any
}

func (o *object) get(k string) any {
	if o == nil {
		return nil
	}
	return o.vals[k]
}

// parseDocument decodes a JSON document into *object, []any, string,
// json.Number, bool and nil, refusing documents over MaxContent bytes or
// nested deeper than MaxDepth.
func parseDocument(b []byte) (any, error) {
	if len(b) > MaxContent {
		return nil, fmt.Errorf("schema content is %d bytes, over the limit of %d", len(b), MaxContent)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, fmt.Errorf("schema content is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("schema content is not valid JSON: data after the document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return nil, fmt.Errorf("nested deeper than %d levels", MaxDepth)
		}
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return tok, nil
	}
}
