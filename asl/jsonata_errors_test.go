package asl

import (
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// M2 items 6 and 8: failed evaluations are States.QueryEvaluationError with
// a cause naming the state and the expression; expressions that do not
// parse are validation errors (TestJSONataCompileErrors); States.ALL
// catches neither States.Runtime nor States.DataLimitExceeded.

// TestQueryEvaluationErrorCause checks the parts of the cause: the state's
// name and entered event, the expression as written (trimmed) and the field
// holding it, then what went wrong.
func TestQueryEvaluationErrorCause(t *testing.T) {
	t.Parallel()
	c := newContext("Check order")
	c.EnteredEventID = 7
	prefix := "An error occurred while executing the state 'Check order' (entered at the event id #7). "
	tests := []struct {
		name, state, cause string
		prefix             bool // the engine's own message follows
	}{
		{name: "undefined", state: `{"Type":"Pass","End":true,"Output":{"deep":{"list":[0,"{%   $states.input.nope   %}"]}}}`,
			cause: "The JSONata expression '$states.input.nope' specified for the field 'Output/deep/list[1]' returned nothing (undefined)."},
		{name: "thrown by a function", state: `{"Type":"Pass","End":true,"Output":"{% $number('abc') %}"}`,
			cause: "The JSONata expression '$number('abc')' specified for the field 'Output' threw an error during evaluation. D3030: Unable to cast value to a number: \"abc\""},
		{name: "thrown by an operator", state: `{"Type":"Pass","End":true,"Assign":{"v":"{% 'a' + 1 %}"}}`,
			cause: "The JSONata expression ''a' + 1' specified for the field 'Assign/v' threw an error during evaluation. T2001: The left side of the \"+\" operator must evaluate to a number"},
		{name: "a function as the result", state: `{"Type":"Pass","End":true,"Output":{"f":"{% $uppercase %}"}}`,
			cause: "The JSONata expression '$uppercase' specified for the field 'Output/f' returned an unsupported result type."},
		{name: "wrong result type", state: `{"Type":"Wait","End":true,"Seconds":"{% 'soon' %}"}`,
			cause: `The JSONata expression ''soon'' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was 'string' for value: "soon"`},
	}
	for _, tt := range tests {
		o := Step(jstateOf(t, tt.state), decode(t, `{}`), c)
		if tt.prefix {
			f, ok := o.(Fail)
			require.True(t, ok, "%s: %#v", tt.name, o)
			require.Equal(t, aslerr.QueryEvaluationError, f.Error, tt.name)
			require.True(t, strings.HasPrefix(f.Cause, prefix+tt.cause), "%s: %s", tt.name, f.Cause)
			continue
		}
		require.Equal(t, Fail{Error: aslerr.QueryEvaluationError, Cause: prefix + tt.cause}, o, tt.name)
	}
}

// TestQueryEvaluationErrorRecorded replays the recorded cases
// BASE_UNDEFINED_* (assign_test_assign_reference_variables): AWS's field
// paths for Arguments, Assign and Output, as whole values and nested.
func TestQueryEvaluationErrorRecorded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state, field string
	}{
		{state: `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Arguments":{"FunctionName":"{% $doesNotExist %}"}}`, field: "Arguments/FunctionName"},
		{state: `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Arguments":"{% $doesNotExist %}"}`, field: "Arguments"},
		{state: `{"Type":"Pass","End":true,"Assign":{"result":"{% $doesNotExist %}"}}`, field: "Assign/result"},
		{state: `{"Type":"Pass","End":true,"Output":{"result":"{% $doesNotExist %}"}}`, field: "Output/result"},
		{state: `{"Type":"Pass","End":true,"Output":"{% $doesNotExist %}"}`, field: "Output"},
	}
	for _, tt := range tests {
		requireQueryError(t, jstep(t, tt.state, `{}`), undefinedCause("$doesNotExist", tt.field))
	}
}

// TestQueryEvaluationErrorHandling checks that a failed evaluation in the
// fields evaluated before the state's work (Arguments, Items, ItemSelector)
// or after it (Output, Assign on completion) goes through the state's own
// Retry and Catch, like any error of the state, and that States.ALL
// catches it.
func TestQueryEvaluationErrorHandling(t *testing.T) {
	t.Parallel()
	const handlers = `"Retry":[{"ErrorEquals":["States.QueryEvaluationError"],"MaxAttempts":1}],
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T","Output":{"caught":"{% $states.errorOutput.Error %}"}}]`
	states := []struct {
		name, state string
		complete    bool
	}{
		{name: "Task Arguments", state: `{"Type":"Task","Resource":"r","End":true,"Arguments":{"x":"{% $nope %}"},` + handlers + `}`},
		{name: "Task Output", state: `{"Type":"Task","Resource":"r","End":true,"Output":"{% $nope %}",` + handlers + `}`, complete: true},
		{name: "Task Assign", state: `{"Type":"Task","Resource":"r","End":true,"Assign":{"v":"{% $nope %}"},` + handlers + `}`, complete: true},
		{name: "Parallel Arguments", state: `{"Type":"Parallel","End":true,"Arguments":"{% $nope %}","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}],` + handlers + `}`},
		{name: "Map Items", state: `{"Type":"Map","End":true,` + proc + `,"Items":"{% 1 %}",` + handlers + `}`},
		{name: "Map ItemSelector", state: `{"Type":"Map","End":true,` + proc + `,"Items":[1],"ItemSelector":"{% $nope %}",` + handlers + `}`},
		{name: "Map Output", state: `{"Type":"Map","End":true,` + proc + `,"Output":"{% $nope %}",` + handlers + `}`, complete: true},
	}
	for _, tt := range states {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := jstateOf(t, tt.state)
			run := func(c *Context) Outcome {
				if tt.complete {
					return Complete(s, decode(t, `[]`), decode(t, `[]`), c)
				}
				return Step(s, decode(t, `[]`), c)
			}
			require.Equal(t, Retry{Delay: 1e9, Retrier: 0}, run(newContext("S")))
			c := newContext("S")
			c.Retries = []int{1}
			requireNext(t, run(c), "T", `{"caught":"States.QueryEvaluationError"}`)
		})
	}
}

// TestStatesALLDoesNotCatchTerminalErrors pins M2 item 8 for JSONata
// states: States.ALL, in Retry or Catch, never takes States.Runtime or
// States.DataLimitExceeded, which end the execution (AWS's error-handling
// page; the JSONPath side is TestHandleError).
func TestStatesALLDoesNotCatchTerminalErrors(t *testing.T) {
	t.Parallel()
	const handlers = `"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T"}]`
	states := []string{
		`{"Type":"Task","Resource":"r","End":true,` + handlers + `}`,
		`{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}],` + handlers + `}`,
		`{"Type":"Map","End":true,` + proc + `,` + handlers + `}`,
	}
	for _, st := range states {
		s := jstateOf(t, st)
		for _, name := range []string{aslerr.Runtime, aslerr.DataLimitExceeded} {
			o := HandleError(s, decode(t, `{}`), &aslerr.Error{Name: name, Cause: "c"}, newContext("S"))
			require.Equal(t, Fail{Error: name, Cause: "c"}, o, "%s in %s", name, st)
		}
		// Anything else, States.QueryEvaluationError included, is retried.
		o := HandleError(s, decode(t, `{}`), &aslerr.Error{Name: aslerr.QueryEvaluationError, Cause: "c"}, newContext("S"))
		require.IsType(t, Retry{}, o)
	}
}
