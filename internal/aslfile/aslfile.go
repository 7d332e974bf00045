// Package aslfile reads a state machine definition from a file, as the
// commands and the configuration file take them: JSON, or YAML (a file
// named .yaml or .yml, as AWS's toolkits and SAM write ASL too), which
// becomes the JSON the language reads. It also knows the line of every
// value, so that a diagnostic at a JSON pointer can name the line where
// the problem is, in the file as the user wrote it.
package aslfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// InvalidYAML is the diagnostic code of a YAML definition that does not
// parse, or holds what JSON cannot (a non-string key, an infinite number).
const InvalidYAML = "INVALID_YAML"

// Definition is a definition as read from a file.
type Definition struct {
	// JSON is the definition as the language reads it: the file itself,
	// or the YAML turned into JSON.
	JSON []byte
	// YAML reports whether the file was YAML.
	YAML bool
	// lines maps a JSON pointer to the line of its value (of its key, for
	// an object's member).
	lines map[string]int
	// values counts the YAML values turned into JSON, aliases expanded.
	values int
}

// Error is a YAML definition that cannot become JSON, at a line (0 when
// the parser did not say).
type Error struct {
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// IsYAML reports whether a file's name says it is YAML.
func IsYAML(file string) bool {
	ext := strings.ToLower(filepath.Ext(file))
	return ext == ".yaml" || ext == ".yml"
}

// Parse reads the definition data of the file named file: YAML when its
// name says so (IsYAML), JSON otherwise. JSON is taken as it is (the
// language reports what is wrong with it); YAML that does not parse is an
// *Error.
func Parse(file string, data []byte) (*Definition, error) {
	if !IsYAML(file) {
		return &Definition{JSON: data, lines: jsonLines(data)}, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(err)
	}
	def := &Definition{YAML: true, lines: map[string]int{}}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{Line: 1, Message: "the file holds no YAML document"}
	}
	v, err := def.value(doc.Content[0], "", 0)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" stays "<" in a JSONata expression
	if err := enc.Encode(v); err != nil {
		return nil, &Error{Message: err.Error()}
	}
	def.JSON = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return def, nil
}

// Line is the line of the value at pointer, or of its nearest enclosing
// value the file has (a missing field's object); 0 when none is known.
func (d *Definition) Line(pointer string) int {
	for p := pointer; ; {
		if n, ok := d.lines[p]; ok {
			return n
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return 0
		}
		p = p[:i]
	}
}

// JSONErrorLine is the line of a JSON syntax error in data, 0 when data
// is valid JSON or the line is unknown.
func JSONErrorLine(data []byte) int {
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(data, &v); errors.As(err, &se) {
		return lineAt(data, se.Offset)
	}
	return 0
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlError(err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{Message: msg}
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		e.Line, _ = strconv.Atoi(msg[m[2]:m[3]])
		e.Message = strings.TrimPrefix(strings.TrimPrefix(msg[m[1]:], ":"), " ")
	}
	return e
}

// maxDepth bounds the nesting of a YAML document, as the language bounds
// a definition's (a JSON pointer grows with it).
const maxDepth = 1000

// maxValues bounds the values a YAML document expands to: aliases of
// aliases double at each level (the "billion laughs"), and AWS bounds a
// definition to 1 MiB of JSON, far fewer values than this.
const maxValues = 1 << 20

// value turns a YAML node into the JSON value it stands for, recording
// the line of every value by its pointer.
func (d *Definition) value(n *yaml.Node, ptr string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, &Error{Line: n.Line, Message: fmt.Sprintf("nested more than %d deep", maxDepth)}
	}
	if d.values++; d.values > maxValues {
		return nil, &Error{Line: n.Line, Message: fmt.Sprintf("the document expands to more than %d values (aliases of aliases?)", maxValues)}
	}
	if _, ok := d.lines[ptr]; !ok {
		d.lines[ptr] = n.Line
	}
	switch n.Kind {
	case yaml.AliasNode:
		return d.value(n.Alias, ptr, depth+1)
	case yaml.MappingNode:
		obj := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!merge") {
				return nil, &Error{Line: k.Line, Message: fmt.Sprintf("a key must be a string, got %s (quote it)", strings.TrimPrefix(k.ShortTag(), "!!"))}
			}
			if k.Tag == "!!merge" {
				return nil, &Error{Line: k.Line, Message: "merge keys (<<) are not supported in a definition"}
			}
			p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k.Value, "~", "~0"), "/", "~1")
			if _, dup := obj[k.Value]; dup {
				return nil, &Error{Line: k.Line, Message: fmt.Sprintf("the key %q appears twice", k.Value)}
			}
			d.lines[p] = k.Line
			val, err := d.value(v, p, depth+1)
			if err != nil {
				return nil, err
			}
			obj[k.Value] = val
		}
		return obj, nil
	case yaml.SequenceNode:
		arr := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			val, err := d.value(item, ptr+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, val)
		}
		return arr, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, &Error{Line: n.Line, Message: "not a YAML value"}
}

// scalar is a YAML scalar's JSON value: numbers as written (an integer
// keeps its digits), timestamps and binary data as the strings they are
// written as (ASL's timestamps are strings).
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &Error{Line: n.Line, Message: err.Error()}
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		var u uint64
		if err := n.Decode(&u); err == nil {
			return json.Number(strconv.FormatUint(u, 10)), nil
		}
		return nil, &Error{Line: n.Line, Message: fmt.Sprintf("the integer %s is out of range", n.Value)}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &Error{Line: n.Line, Message: fmt.Sprintf("the number %s has no JSON form", n.Value)}
		}
		if _, err := strconv.ParseFloat(n.Value, 64); err == nil && json.Valid([]byte(n.Value)) {
			return json.Number(n.Value), nil // as written
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return n.Value, nil
}

// jsonLines maps each JSON pointer of a JSON document to its line (of its
// key, for an object's member); what it cannot read it leaves out.
func jsonLines(data []byte) map[string]int {
	lines := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var walk func(ptr string, line int) error
	walk = func(ptr string, line int) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if _, ok := lines[ptr]; !ok {
			lines[ptr] = cmpLine(line, lineAt(data, dec.InputOffset()))
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch delim {
		case '{':
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := key.(string)
				p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
				if err := walk(p, lineAt(data, dec.InputOffset())); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(ptr+"/"+strconv.Itoa(i), 0); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	if err := walk("", 0); err != nil && !errors.Is(err, io.EOF) {
		return lines // what was read before the error
	}
	return lines
}

// cmpLine is line when it is set, else other.
func cmpLine(line, other int) int {
	if line > 0 {
		return line
	}
	return other
}

// lineAt is the line of the byte at offset (1 for the first).
func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte{'\n'}) + 1
}
