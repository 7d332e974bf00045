package runtime

import "github.com/signalbox/signalbox/asl"

// A TestState mock's result is checked against the result its Task's
// integration answers with (AWS's mock field validation): in STRICT mode
// (the default) the members AWS's API model requires must be there and
// the members there must have the model's types; in PRESENT mode only the
// types; in NONE mode nothing. Members the model does not know pass in
// every mode. The models are those of the integrations Signalbox serves
// (Lambda Invoke, SQS SendMessage, SNS Publish, EventBridge PutEvents,
// Step Functions StartExecution and, for .sync, DescribeExecution); a
// mock of any other resource (http:invoke, aws-sdk:*, an activity, a
// .waitForTaskToken task, whose result is what its worker sends) is not
// checked, as AWS checks none for the HTTP task.

// Mock field validation modes.
const (
	MockValidateStrict  = "STRICT"
	MockValidatePresent = "PRESENT"
	MockValidateNone    = "NONE"
)

// shape is a member's type in an integration's result.
type shape struct {
	kind     string  // "string", "number", "array", "object", "any"
	elem     *shape  // an array's elements
	members  []field // an object's known members, in the model's order
	required []string
}

type field struct {
	name string
	s    *shape
}

var (
	anyShape    = &shape{kind: "any"}
	stringShape = &shape{kind: "string"}
	numberShape = &shape{kind: "number"}
)

func object(required []string, members ...field) *shape {
	return &shape{kind: "object", members: members, required: required}
}

// describeExecution is DescribeExecution's result, what a .sync start of
// an execution answers with.
var describeExecution = object([]string{"ExecutionArn", "StateMachineArn", "Status", "StartDate"},
	field{"ExecutionArn", stringShape}, field{"StateMachineArn", stringShape}, field{"Name", stringShape},
	field{"Status", stringShape}, field{"StartDate", stringShape}, field{"StopDate", stringShape},
	field{"Input", anyShape}, field{"Output", anyShape}, field{"Error", stringShape}, field{"Cause", stringShape},
	field{"MapRunArn", stringShape}, field{"RedriveCount", numberShape}, field{"RedriveStatus", stringShape})

// mockShapes are the results of the integrations Signalbox serves, by
// resource (pattern included).
var mockShapes = map[string]*shape{
	"arn:aws:states:::lambda:invoke": object(nil,
		field{"ExecutedVersion", stringShape}, field{"FunctionError", stringShape}, field{"LogResult", stringShape},
		field{"Payload", anyShape}, field{"StatusCode", numberShape}),
	"arn:aws:states:::sqs:sendMessage": object(nil,
		field{"MD5OfMessageAttributes", stringShape}, field{"MD5OfMessageBody", stringShape},
		field{"MD5OfMessageSystemAttributes", stringShape}, field{"MessageId", stringShape}, field{"SequenceNumber", stringShape}),
	"arn:aws:states:::sns:publish": object(nil, field{"MessageId", stringShape}, field{"SequenceNumber", stringShape}),
	"arn:aws:states:::events:putEvents": object(nil,
		field{"Entries", &shape{kind: "array", elem: object(nil,
			field{"ErrorCode", stringShape}, field{"ErrorMessage", stringShape}, field{"EventId", stringShape})}},
		field{"FailedEntryCount", numberShape}),
	"arn:aws:states:::states:startExecution": object([]string{"ExecutionArn", "StartDate"},
		field{"ExecutionArn", stringShape}, field{"StartDate", stringShape}),
	"arn:aws:states:::states:startExecution.sync":   describeExecution,
	"arn:aws:states:::states:startExecution.sync:2": describeExecution,
}

// checkMockResult checks a mocked result of a task of resource in mode
// ("" is STRICT): nil, or AWS's validation error.
func checkMockResult(resource, mode string, result any) error {
	s := mockShapes[resource]
	if s == nil || mode == MockValidateNone {
		return nil
	}
	if problem := s.check(result, mode != MockValidatePresent, ""); problem != "" {
		return validationf("Mock result schema validation error: %s", problem)
	}
	return nil
}

// check reports the first problem of v against s ("" for none); name is
// v's member name ("" at the top). AWS names only the member itself, not
// its path.
func (s *shape) check(v any, strict bool, name string) string {
	must := func(what string) string {
		if name == "" {
			return "The mocked result must be " + what
		}
		return "Field '" + name + "' must be " + what
	}
	switch s.kind {
	case "any":
		return ""
	case "string":
		if _, ok := v.(string); !ok {
			return must("a string")
		}
	case "number":
		if _, ok := asl.AsFloat(v); !ok {
			return must("a number")
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return must("an array")
		}
		for _, e := range arr {
			if p := s.elem.check(e, strict, name); p != "" {
				return p
			}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return must("an object")
		}
		if strict {
			for _, r := range s.required {
				if _, ok := obj[r]; !ok {
					return "Required field '" + r + "' is missing"
				}
			}
		}
		for _, f := range s.members {
			if mv, ok := obj[f.name]; ok {
				if p := f.s.check(mv, strict, f.name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}
