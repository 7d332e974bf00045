package asl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// M2 item 2, validation: which fields each kind of JSONata state accepts,
// the JSONPath fields it rejects, and expressions that do not compile.

// proc is a minimal ItemProcessor.
const proc = `"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Succeed"}}}`

func TestJSONataFieldValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		state string // the JSONata state A
		want  []string
	}{
		// Accepted.
		{name: "Pass with Output and Assign", state: `{"Type":"Pass","End":true,"Output":{"a":"{% 1 %}"},"Assign":{"v":"{% 2 %}"}}`},
		{name: "Task with Arguments, Output, Assign, timeouts, Retry and Catch", state: `{"Type":"Task","Resource":"r","End":true,"Arguments":{"a":"{% 1 %}"},"Output":"{% $states.result %}","Assign":{"v":1},"TimeoutSeconds":"{% 10 %}","HeartbeatSeconds":"{% 5 %}","Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A","Output":"{% $states.errorOutput %}","Assign":{"e":"{% $states.errorOutput.Error %}"}}]}`},
		{name: "Choice with Condition, rule Assign and Output, state Assign and Output", state: `{"Type":"Choice","Choices":[{"Condition":"{% true %}","Next":"T","Assign":{"r":1},"Output":{"o":1},"Comment":"c"}],"Default":"A","Assign":{"d":1},"Output":"{% 1 %}"},"T":{"Type":"Succeed"}`},
		{name: "Choice with a constant Condition", state: `{"Type":"Choice","Choices":[{"Condition":true,"Next":"T"}]},"T":{"Type":"Succeed"}`},
		{name: "Wait Seconds expression with Output and Assign", state: `{"Type":"Wait","End":true,"Seconds":"{% 1 %}","Output":{},"Assign":{"v":1}}`},
		{name: "Wait Timestamp expression", state: `{"Type":"Wait","End":true,"Timestamp":"{% '2024-01-01T00:00:00Z' %}"}`},
		{name: "Wait Seconds number", state: `{"Type":"Wait","End":true,"Seconds":1}`},
		{name: "Succeed with Output", state: `{"Type":"Succeed","Output":"{% 1 %}"}`},
		{name: "Fail with Error and Cause expressions", state: `{"Type":"Fail","Error":"{% 'E' %}","Cause":"{% 'C' %}"}`},
		{name: "Fail with literal Error and Cause", state: `{"Type":"Fail","Error":"E","Cause":"C"}`},
		{name: "Parallel with Arguments, Output and Assign", state: `{"Type":"Parallel","End":true,"Arguments":{"a":1},"Output":"{% $states.result %}","Assign":{"v":1},"Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`},
		{name: "Map with Items, ItemSelector, Output and Assign", state: `{"Type":"Map","End":true,"Items":[1,"{% 2 %}"],"ItemSelector":{"i":"{% $states.context.Map.Item.Index %}"},"Output":"{% $states.result %}","Assign":{"v":1},` + proc + `}`},

		// JSONPath fields.
		{name: "Pass with JSONPath fields", state: `{"Type":"Pass","End":true,"InputPath":"$","Parameters":{},"ResultPath":"$.r","OutputPath":"$"}`, want: []string{"/States/A/InputPath", "/States/A/OutputPath", "/States/A/Parameters", "/States/A/ResultPath"}},
		{name: "Pass with Result", state: `{"Type":"Pass","End":true,"Result":{"a":1}}`, want: []string{"/States/A/Result"}},
		{name: "Task with JSONPath fields", state: `{"Type":"Task","Resource":"r","End":true,"InputPath":"$","Parameters":{},"ResultSelector":{},"ResultPath":"$.r","OutputPath":"$"}`, want: []string{"/States/A/InputPath", "/States/A/OutputPath", "/States/A/Parameters", "/States/A/ResultPath", "/States/A/ResultSelector"}},
		{name: "Task with the ...Path forms of its timeouts", state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSecondsPath":"$.t","HeartbeatSecondsPath":"$.h"}`, want: []string{"/States/A/HeartbeatSecondsPath", "/States/A/TimeoutSecondsPath"}},
		{name: "Choice with JSONPath fields", state: `{"Type":"Choice","InputPath":"$","OutputPath":"$","Choices":[{"Condition":"{% true %}","Next":"A"}]}`, want: []string{"/States/A/InputPath", "/States/A/OutputPath"}},
		{name: "Choice rule in JSONPath form", state: `{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}]}`, want: []string{"/States/A/Choices/0/Condition", "/States/A/Choices/0/IsPresent", "/States/A/Choices/0/Variable"}},
		{name: "Wait with the ...Path forms", state: `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, want: []string{"/States/A/SecondsPath"}},
		{name: "Wait with TimestampPath", state: `{"Type":"Wait","End":true,"TimestampPath":"$.t"}`, want: []string{"/States/A/TimestampPath"}},
		{name: "Succeed with JSONPath fields", state: `{"Type":"Succeed","InputPath":"$","OutputPath":"$"}`, want: []string{"/States/A/InputPath", "/States/A/OutputPath"}},
		{name: "Fail with ErrorPath and CausePath", state: `{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}`, want: []string{"/States/A/CausePath", "/States/A/ErrorPath"}},
		{name: "Parallel with JSONPath fields", state: `{"Type":"Parallel","End":true,"InputPath":"$","Parameters":{},"ResultSelector":{},"ResultPath":"$.r","OutputPath":"$","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`, want: []string{"/States/A/InputPath", "/States/A/OutputPath", "/States/A/Parameters", "/States/A/ResultPath", "/States/A/ResultSelector"}},
		{name: "Map with JSONPath fields", state: `{"Type":"Map","End":true,"ItemsPath":"$.i","Parameters":{},"ResultSelector":{},"ResultPath":"$.r",` + proc + `}`, want: []string{"/States/A/ItemsPath", "/States/A/Parameters", "/States/A/ResultPath", "/States/A/ResultSelector"}},
		{name: "Map with the ...Path forms", state: `{"Type":"Map","End":true,"MaxConcurrencyPath":"$.m","ToleratedFailureCountPath":"$.c","ToleratedFailurePercentagePath":"$.p",` + proc + `}`, want: []string{"/States/A/MaxConcurrencyPath", "/States/A/ToleratedFailureCountPath", "/States/A/ToleratedFailurePercentagePath"}},
		{name: "Catch with ResultPath", state: `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A","ResultPath":"$.e"}]}`, want: []string{"/States/A/Catch/0/ResultPath"}},

		// Fields a kind does not have in JSONata either.
		{name: "Pass with Arguments", state: `{"Type":"Pass","End":true,"Arguments":{}}`, want: []string{"/States/A/Arguments"}},
		{name: "Map with Arguments", state: `{"Type":"Map","End":true,"Arguments":{},` + proc + `}`, want: []string{"/States/A/Arguments"}},
		{name: "Succeed with Assign", state: `{"Type":"Succeed","Assign":{"v":1}}`, want: []string{"/States/A/Assign"}},
		{name: "Fail with Output and Assign", state: `{"Type":"Fail","Output":{},"Assign":{"v":1}}`, want: []string{"/States/A/Assign", "/States/A/Output"}},
		{name: "Choice rule without Condition", state: `{"Type":"Choice","Choices":[{"Next":"A"}]}`, want: []string{"/States/A/Choices/0/Condition"}},
		{name: "Wait Seconds as a plain string", state: `{"Type":"Wait","End":true,"Seconds":"5"}`, want: []string{"/States/A/Seconds"}},
		{name: "Task TimeoutSeconds as a plain string", state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSeconds":"5"}`, want: []string{"/States/A/TimeoutSeconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, p := range tt.want {
				want = append(want, p+" SCHEMA_VALIDATION_FAILED")
			}
			require.Equal(t, want, nilIfEmpty(found(Validate([]byte(jmachine(`"A":`+tt.state))))))
		})
	}
}

// TestJSONataFieldMessages checks that a rejected JSONPath field says why
// and what to use instead.
func TestJSONataFieldMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state, ptr, want string
	}{
		{state: `{"Type":"Pass","End":true,"InputPath":"$"}`, ptr: "/States/A/InputPath", want: `the field "InputPath" is not supported in a JSONata state: use Arguments, Output and Assign`},
		{state: `{"Type":"Task","Resource":"r","End":true,"ResultSelector":{}}`, ptr: "/States/A/ResultSelector", want: `the field "ResultSelector" is not supported in a JSONata state`},
		{state: `{"Type":"Pass","End":true,"Result":1}`, ptr: "/States/A/Result", want: `the field "Result" is not supported in a JSONata state`},
		{state: `{"Type":"Fail","ErrorPath":"$.e"}`, ptr: "/States/A/ErrorPath", want: `the field "ErrorPath" is not supported in a JSONata state: use an expression in Error or Cause`},
		{state: `{"Type":"Map","End":true,"ItemsPath":"$.i",` + proc + `}`, ptr: "/States/A/ItemsPath", want: `the field "ItemsPath" is not supported in a JSONata state`},
		{state: `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, ptr: "/States/A/SecondsPath", want: `the field "SecondsPath" is not supported in a JSONata state`},
		{state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSecondsPath":"$.t"}`, ptr: "/States/A/TimeoutSecondsPath", want: `the field "TimeoutSecondsPath" is not supported in a JSONata state`},
		{state: `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"A","ResultPath":"$"}]}`, ptr: "/States/A/Catch/0/ResultPath", want: `the field "ResultPath" is not supported in a JSONata state: use Output`},
		{state: `{"Type":"Choice","Choices":[{"Next":"A"}]}`, ptr: "/States/A/Choices/0/Condition", want: `the field "Condition" is required in a JSONata Choice rule`},
		{state: `{"Type":"Wait","End":true,"Seconds":"5"}`, ptr: "/States/A/Seconds", want: `the field "Seconds" must be an integer`},
	}
	for _, tt := range tests {
		got := diagnostic(t, jmachine(`"A":`+tt.state), tt.ptr)
		require.True(t, strings.HasPrefix(got, "SCHEMA_VALIDATION_FAILED: "+tt.want), "%s: got %q", tt.ptr, got)
	}
}

// TestJSONataCompileErrors checks that an expression that does not parse is
// a validation error at the pointer of the field holding it, wherever the
// field is.
func TestJSONataCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state, ptr string
	}{
		{state: `{"Type":"Pass","End":true,"Output":"{% [ %}"}`, ptr: "/States/A/Output"},
		{state: `{"Type":"Pass","End":true,"Output":{"x":[1,{"y":"{% 1 + %}"}]}}`, ptr: "/States/A/Output/x/1/y"},
		{state: `{"Type":"Pass","End":true,"Assign":{"v":"{% $states.input. %}"}}`, ptr: "/States/A/Assign/v"},
		{state: `{"Type":"Task","Resource":"r","End":true,"Arguments":{"FunctionName":"{% ) %}"}}`, ptr: "/States/A/Arguments/FunctionName"},
		{state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSeconds":"{% ( %}"}`, ptr: "/States/A/TimeoutSeconds"},
		{state: `{"Type":"Task","Resource":"r","End":true,"HeartbeatSeconds":"{% ( %}"}`, ptr: "/States/A/HeartbeatSeconds"},
		{state: `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"A","Output":"{% { %}"}]}`, ptr: "/States/A/Catch/0/Output"},
		{state: `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"A","Assign":{"e":"{% } %}"}}]}`, ptr: "/States/A/Catch/0/Assign/e"},
		{state: `{"Type":"Choice","Choices":[{"Condition":"{% = %}","Next":"A"}]}`, ptr: "/States/A/Choices/0/Condition"},
		{state: `{"Type":"Wait","End":true,"Seconds":"{% + %}"}`, ptr: "/States/A/Seconds"},
		{state: `{"Type":"Wait","End":true,"Timestamp":"{% 'unterminated %}"}`, ptr: "/States/A/Timestamp"},
		{state: `{"Type":"Fail","Error":"{% 'x' & %}","Cause":"ok"}`, ptr: "/States/A/Error"},
		{state: `{"Type":"Map","End":true,"Items":"{% [1, %}",` + proc + `}`, ptr: "/States/A/Items"},
		{state: `{"Type":"Map","End":true,"ItemSelector":{"v":"{% ] %}"},` + proc + `}`, ptr: "/States/A/ItemSelector/v"},
		{state: `{"Type":"Parallel","End":true,"Arguments":"{% 1 1 %}","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`, ptr: "/States/A/Arguments"},
	}
	for _, tt := range tests {
		def := jmachine(`"A":` + tt.state)
		require.Equal(t, []string{tt.ptr + " INVALID_VALUE"}, found(Validate([]byte(def))), tt.state)
		require.Contains(t, diagnostic(t, def, tt.ptr), "INVALID_VALUE: invalid JSONata expression", tt.state)
	}
}
