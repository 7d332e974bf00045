// Package transform shapes a target's input as EventBridge does: InputPath
// (a JSONPath into the event), Input (constant JSON) and InputTransformer
// (InputPathsMap's JSONPaths into the event, substituted into
// InputTemplate with AWS's quoting rules), validated as AWS validates them
// at PutTargets (ValidationException's messages).
//
// This file is the package's contract; the implementation replaces the
// bodies.
package transform

import "errors"

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

// Shape is a target's compiled input shaping.
type Shape struct{}

// Compile compiles a target's Input, InputPath and InputTransformer (at
// most one set; none: the whole event).
func Compile(input, inputPath string, pathsMap map[string]string, template string) (*Shape, error) {
	return nil, &Error{Message: "input shaping is not implemented yet"}
}

// Apply returns the target's input for event (the envelope's JSON): JSON,
// or for a template that is not JSON, its text.
func (s *Shape) Apply(event []byte, ctx Context) ([]byte, error) {
	return nil, errors.New("transform: not implemented")
}
