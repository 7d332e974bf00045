// Package transform shapes a target's input as EventBridge does: InputPath
// (a JSONPath into the event), Input (constant JSON) and InputTransformer
// (InputPathsMap's JSONPaths into the event, substituted into
// InputTemplate with AWS's quoting rules), validated as AWS validates them
// at PutTargets (ValidationException's messages).
//
// The reference is AWS's "Amazon EventBridge input transformation" page
// and the API reference's InputTransformer and Target shapes. Paths are
// compiled once (asl/jpath, the same JSONPath the state machines use);
// Apply only walks them.
package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Error is an input shape AWS refuses at PutTargets: Message is AWS's text
// for ValidationException.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Context is what a template may name besides its paths: AWS's reserved
// variables <aws.events.rule-arn>, <aws.events.rule-name>,
// <aws.events.event.ingestion-time>, <aws.events.event> and
// <aws.events.event.json>.
type Context struct {
	RuleArn       string
	RuleName      string
	IngestionTime string // RFC 3339
}

// MaxOutput bounds what Apply produces. A template of 8,192 characters may
// name a 256 KB event thousands of times; AWS's own bound on a target's
// input is the event's 256 KB, so 1 MiB refuses only the absurd.
const MaxOutput = 1 << 20

// Shape is a target's compiled input shaping.
type Shape struct {
	kind     kind
	input    []byte    // Input: the constant
	path     *path     // InputPath
	template *template // InputTransformer
}

type kind uint8

const (
	wholeEvent kind = iota
	constant
	selected
	transformed
)

// Compile compiles a target's Input, InputPath and InputTransformer (at
// most one set; none: the whole event). An InputTransformer is set when
// its template is not empty (InputTemplate's minimum length is 1) or its
// map is not nil.
func Compile(input, inputPath string, pathsMap map[string]string, template string) (*Shape, error) {
	return CompileTarget("", input, inputPath, pathsMap, template)
}

// CompileTarget is Compile for the target with Id id, which AWS's messages
// name ("Input for target t1 is not a valid JSON text.").
func CompileTarget(id, input, inputPath string, pathsMap map[string]string, tmpl string) (*Shape, error) {
	hasTransformer := tmpl != "" || pathsMap != nil
	n := 0
	for _, set := range []bool{input != "", inputPath != "", hasTransformer} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, errorf("Only one of Input, InputPath, or InputTransformer must be provided%s.", forTarget(id))
	}
	switch {
	case input != "":
		if err := checkInput(id, input); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(input)); err != nil {
			return nil, errorf("Input%s is not a valid JSON text.", forTarget(id))
		}
		return &Shape{kind: constant, input: buf.Bytes()}, nil
	case inputPath != "":
		p, err := compilePath(inputPath)
		if err != nil {
			return nil, errorf("1 validation error detected: Value '%s' at 'inputPath' failed to satisfy constraint: %s", inputPath, err)
		}
		return &Shape{kind: selected, path: p}, nil
	case hasTransformer:
		t, err := compileTemplate(id, pathsMap, tmpl)
		if err != nil {
			return nil, err
		}
		return &Shape{kind: transformed, template: t}, nil
	}
	return &Shape{kind: wholeEvent}, nil
}

// Apply returns the target's input for event (the envelope's JSON): JSON,
// or for a template that is not JSON, its text.
func (s *Shape) Apply(event []byte, ctx Context) ([]byte, error) {
	switch s.kind {
	case constant:
		return s.input, nil
	case selected:
		doc, err := decode(event)
		if err != nil {
			return nil, err
		}
		v, ok := s.path.get(doc)
		if !ok {
			// Nothing selected: the target gets JSON's null, the only
			// JSON text that says "no value".
			return []byte("null"), nil
		}
		return marshal(v)
	case transformed:
		return s.template.render(event, ctx)
	}
	return event, nil
}

// IsJSON reports whether Apply produces JSON (every shape but a template
// that is not JSON text).
func (s *Shape) IsJSON() bool { return s.kind != transformed || s.template.json }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

func forTarget(id string) string {
	if id == "" {
		return ""
	}
	return " for target " + id
}
