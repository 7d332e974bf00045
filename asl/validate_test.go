package asl

import (
	"errors"
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/stretchr/testify/require"
)

// found renders diagnostics as "pointer CODE" lines, in reported order.
func found(d diag.List) []string {
	out := make([]string, len(d))
	for i, x := range d {
		out[i] = x.Path + " " + x.Code
	}
	return out
}

// machine wraps states (the inside of "States") into a definition starting
// at A.
func machine(states string) string {
	return `{"StartAt":"A","States":{` + states + `}}`
}

// task is a minimal valid Task state with extra fields.
func task(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true` + extra + `}`
}

func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 81)
	tests := []struct {
		name string
		def  string
		want []string
	}{
		// The document.
		{name: "not JSON", def: `{"StartAt":`, want: []string{" INVALID_JSON"}},
		{name: "not UTF-8", def: "{\"StartAt\":\"\xff\"}", want: []string{" INVALID_JSON"}},
		{name: "not an object", def: `[]`, want: []string{" SCHEMA_VALIDATION_FAILED"}},
		{name: "empty object", def: `{}`, want: []string{"/StartAt SCHEMA_VALIDATION_FAILED", "/States SCHEMA_VALIDATION_FAILED"}},
		{name: "no states", def: `{"StartAt":"A","States":{}}`, want: []string{"/StartAt MISSING_TRANSITION_TARGET", "/States SCHEMA_VALIDATION_FAILED"}},
		{name: "States not an object", def: `{"StartAt":"A","States":[]}`, want: []string{"/States SCHEMA_VALIDATION_FAILED"}},
		{name: "StartAt not a string", def: `{"StartAt":1,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/StartAt SCHEMA_VALIDATION_FAILED"}},
		{name: "StartAt names no state", def: `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, want: []string{"/StartAt MISSING_TRANSITION_TARGET"}},
		{name: "unknown top-level field", def: `{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/Foo SCHEMA_VALIDATION_FAILED"}},
		{name: "TimeoutSeconds zero", def: `{"StartAt":"A","TimeoutSeconds":0,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/TimeoutSeconds INVALID_VALUE"}},
		{name: "TimeoutSeconds not an integer", def: `{"StartAt":"A","TimeoutSeconds":1.5,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/TimeoutSeconds SCHEMA_VALIDATION_FAILED"}},
		{name: "Version not a string", def: `{"StartAt":"A","Version":1,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/Version SCHEMA_VALIDATION_FAILED"}},
		{name: "Comment not a string", def: `{"StartAt":"A","Comment":true,"States":{"A":{"Type":"Succeed"}}}`, want: []string{"/Comment SCHEMA_VALIDATION_FAILED"}},
		{name: "QueryLanguage unknown", def: `{"StartAt":"A","QueryLanguage":"XPath","States":{"A":{"Type":"Succeed"}}}`, want: []string{"/QueryLanguage INVALID_VALUE"}},

		// State names and types.
		{name: "name of 81 characters", def: `{"StartAt":"` + long + `","States":{"` + long + `":{"Type":"Succeed"}}}`, want: []string{"/States/" + long + " INVALID_STATE_NAME"}},
		{name: "empty name", def: `{"StartAt":"","States":{"":{"Type":"Succeed"}}}`, want: []string{"/States/ INVALID_STATE_NAME"}},
		{name: "name escaped in the pointer", def: machine(`"A":{"Type":"Succeed"},"a/b~c":{"Type":"Succeed"}`), want: []string{"/States/a~1b~0c UNREACHABLE_STATE"}},
		{name: "state not an object", def: machine(`"A":[]`), want: []string{"/States/A SCHEMA_VALIDATION_FAILED"}},
		{name: "Type missing", def: machine(`"A":{"End":true}`), want: []string{"/States/A/Type SCHEMA_VALIDATION_FAILED"}},
		{name: "Type unknown", def: machine(`"A":{"Type":"Foo"}`), want: []string{"/States/A/Type SCHEMA_VALIDATION_FAILED"}},
		{name: "unknown state field", def: machine(`"A":{"Type":"Pass","End":true,"Foo":1}`), want: []string{"/States/A/Foo SCHEMA_VALIDATION_FAILED"}},

		// Transitions.
		{name: "neither Next nor End", def: machine(`"A":{"Type":"Pass"}`), want: []string{"/States/A MISSING_NEXT_OR_END"}},
		{name: "End false", def: machine(`"A":{"Type":"Pass","End":false}`), want: []string{"/States/A MISSING_NEXT_OR_END"}},
		{name: "both Next and End", def: machine(`"A":{"Type":"Pass","Next":"B","End":true},"B":{"Type":"Succeed"}`), want: []string{"/States/A/End SCHEMA_VALIDATION_FAILED"}},
		{name: "End not a boolean", def: machine(`"A":{"Type":"Pass","End":"yes"}`), want: []string{"/States/A MISSING_NEXT_OR_END", "/States/A/End SCHEMA_VALIDATION_FAILED"}},
		{name: "Next names no state", def: machine(`"A":{"Type":"Pass","Next":"Z"}`), want: []string{"/States/A/Next MISSING_TRANSITION_TARGET"}},
		{name: "Next empty", def: machine(`"A":{"Type":"Pass","Next":""}`), want: []string{"/States/A/Next MISSING_TRANSITION_TARGET"}},
		{name: "StartAt empty", def: `{"StartAt":"","States":{"A":{"Type":"Succeed"}}}`, want: []string{"/StartAt MISSING_TRANSITION_TARGET"}},
		{name: "Catch Next empty", def: machine(task(`"Catch":[{"ErrorEquals":["X"],"Next":""}]`)), want: []string{"/States/A/Catch/0/Next MISSING_TRANSITION_TARGET"}},
		{name: "Choice Default empty", def: machine(`"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}],"Default":""}`), want: []string{"/States/A/Default MISSING_TRANSITION_TARGET"}},
		{name: "unreachable state and its transitions", def: machine(`"A":{"Type":"Succeed"},"B":{"Type":"Pass","Next":"Y"}`), want: []string{"/States/B UNREACHABLE_STATE", "/States/B/Next MISSING_TRANSITION_TARGET"}},
		{name: "reachable through Catch only", def: machine(task(`"Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"}]`) + `,"B":{"Type":"Succeed"}`)},
		{name: "Catch Next names no state", def: machine(task(`"Catch":[{"ErrorEquals":["X"],"Next":"Z"}]`)), want: []string{"/States/A/Catch/0/Next MISSING_TRANSITION_TARGET"}},
		{name: "Choice Next and Default name no state", def: machine(`"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Z"}],"Default":"Y"}`), want: []string{"/States/A/Choices/0/Next MISSING_TRANSITION_TARGET", "/States/A/Default MISSING_TRANSITION_TARGET"}},
		{name: "Next missing inside a branch", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"Q"}}}]}`), want: []string{"/States/A/Branches/0/States/B/Next MISSING_TRANSITION_TARGET"}},
		{name: "branch names an outer state", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"A"}}}]}`), want: []string{"/States/A/Branches/0/States/B/Next MISSING_TRANSITION_TARGET"}},
		{name: "StartAt missing inside a processor", def: machine(`"A":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Q","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/ItemProcessor/StartAt MISSING_TRANSITION_TARGET"}},
		{name: "Next missing inside a processor", def: machine(`"A":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"C"}}}}`), want: []string{"/States/A/ItemProcessor/States/B/Next MISSING_TRANSITION_TARGET"}},
		{name: "unreachable inside a legacy Iterator", def: machine(`"A":{"Type":"Map","End":true,"Iterator":{"StartAt":"B","States":{"B":{"Type":"Succeed"},"C":{"Type":"Succeed"}}}}`), want: []string{"/States/A/Iterator/States/C UNREACHABLE_STATE"}},

		// Paths.
		{name: "InputPath invalid", def: machine(`"A":{"Type":"Pass","End":true,"InputPath":"$."}`), want: []string{"/States/A/InputPath INVALID_JSON_PATH"}},
		{name: "OutputPath not a string", def: machine(`"A":{"Type":"Pass","End":true,"OutputPath":3}`), want: []string{"/States/A/OutputPath SCHEMA_VALIDATION_FAILED"}},
		{name: "ResultPath indefinite", def: machine(`"A":{"Type":"Pass","End":true,"ResultPath":"$.a[*]"}`), want: []string{"/States/A/ResultPath INVALID_JSON_PATH"}},
		{name: "ResultPath into the context", def: machine(`"A":{"Type":"Pass","End":true,"ResultPath":"$$.Execution"}`), want: []string{"/States/A/ResultPath INVALID_JSON_PATH"}},
		{name: "ResultPath not a string", def: machine(`"A":{"Type":"Pass","End":true,"ResultPath":{}}`), want: []string{"/States/A/ResultPath SCHEMA_VALIDATION_FAILED"}},
		{name: "paths may be null", def: machine(`"A":{"Type":"Pass","End":true,"InputPath":null,"OutputPath":null,"ResultPath":null}`)},

		// Payload templates.
		{name: "template problems each reported", def: machine(`"A":{"Type":"Pass","End":true,"Parameters":{"a.$":"$.","b.$":"States.Nope()","c.$":5,"d":{"e.$":"x"}}}`), want: []string{
			"/States/A/Parameters/a.$ INVALID_JSON_PATH",
			"/States/A/Parameters/b.$ INVALID_INTRINSIC_FUNCTION",
			"/States/A/Parameters/c.$ SCHEMA_VALIDATION_FAILED",
			"/States/A/Parameters/d/e.$ INVALID_JSON_PATH",
		}},
		{name: "template inside an array", def: machine(`"A":{"Type":"Pass","End":true,"Parameters":{"l":[1,{"x.$":"nope"}]}}`), want: []string{"/States/A/Parameters/l/1/x.$ INVALID_JSON_PATH"}},
		{name: "ResultSelector problem", def: machine(task(`"ResultSelector":{"x.$":"$["}`)), want: []string{"/States/A/ResultSelector/x.$ INVALID_JSON_PATH"}},

		// Fields a kind does not allow.
		{name: "Pass with ResultSelector", def: machine(`"A":{"Type":"Pass","End":true,"ResultSelector":{}}`), want: []string{"/States/A/ResultSelector SCHEMA_VALIDATION_FAILED"}},
		{name: "Pass with Retry and Catch", def: machine(`"A":{"Type":"Pass","End":true,"Retry":[],"Catch":[]}`), want: []string{"/States/A/Catch SCHEMA_VALIDATION_FAILED", "/States/A/Retry SCHEMA_VALIDATION_FAILED"}},
		{name: "Succeed with Next and ResultPath", def: machine(`"A":{"Type":"Succeed","Next":"A","ResultPath":"$"}`), want: []string{"/States/A/Next SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath SCHEMA_VALIDATION_FAILED"}},
		{name: "Succeed with End", def: machine(`"A":{"Type":"Succeed","End":true}`), want: []string{"/States/A/End SCHEMA_VALIDATION_FAILED"}},
		{name: "Fail with paths", def: machine(`"A":{"Type":"Fail","InputPath":"$","OutputPath":"$"}`), want: []string{"/States/A/InputPath SCHEMA_VALIDATION_FAILED", "/States/A/OutputPath SCHEMA_VALIDATION_FAILED"}},
		{name: "Wait with Parameters", def: machine(`"A":{"Type":"Wait","Seconds":1,"End":true,"Parameters":{}}`), want: []string{"/States/A/Parameters SCHEMA_VALIDATION_FAILED"}},
		{name: "Choice with Next", def: machine(`"A":{"Type":"Choice","Next":"A","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}]}`), want: []string{"/States/A SCHEMA_VALIDATION_FAILED"}},
		{name: "Choice with ResultPath", def: machine(`"A":{"Type":"Choice","ResultPath":"$","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}]}`), want: []string{"/States/A/ResultPath SCHEMA_VALIDATION_FAILED"}},
		{name: "Map with Parameters and ItemSelector", def: machine(`"A":{"Type":"Map","End":true,"Parameters":{},"ItemSelector":{},"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/Parameters SCHEMA_VALIDATION_FAILED"}},

		// Task.
		{name: "Task without Resource", def: machine(`"A":{"Type":"Task","End":true}`), want: []string{"/States/A/Resource SCHEMA_VALIDATION_FAILED"}},
		{name: "Task Resource not a string", def: machine(`"A":{"Type":"Task","End":true,"Resource":1}`), want: []string{"/States/A/Resource SCHEMA_VALIDATION_FAILED"}},
		{name: "Task timeouts", def: machine(task(`"TimeoutSeconds":0,"HeartbeatSeconds":100000000`)), want: []string{"/States/A/HeartbeatSeconds INVALID_VALUE", "/States/A/TimeoutSeconds INVALID_VALUE"}},
		{name: "Task heartbeat not below timeout", def: machine(task(`"TimeoutSeconds":10,"HeartbeatSeconds":10`)), want: []string{"/States/A/HeartbeatSeconds INVALID_VALUE"}},
		{name: "Task timeout and its path", def: machine(task(`"TimeoutSeconds":10,"TimeoutSecondsPath":"$.t","HeartbeatSeconds":1,"HeartbeatSecondsPath":"$.h"`)), want: []string{"/States/A/HeartbeatSecondsPath SCHEMA_VALIDATION_FAILED", "/States/A/TimeoutSecondsPath SCHEMA_VALIDATION_FAILED"}},
		{name: "Task timeout path indefinite", def: machine(task(`"TimeoutSecondsPath":"$.t[*]"`)), want: []string{"/States/A/TimeoutSecondsPath INVALID_JSON_PATH"}},
		{name: "Task Credentials not an object", def: machine(task(`"Credentials":"x"`)), want: []string{"/States/A/Credentials SCHEMA_VALIDATION_FAILED"}},

		// Retry and Catch.
		{name: "Retry not an array", def: machine(task(`"Retry":{}`)), want: []string{"/States/A/Retry SCHEMA_VALIDATION_FAILED"}},
		{name: "retrier not an object", def: machine(task(`"Retry":[1]`)), want: []string{"/States/A/Retry/0 SCHEMA_VALIDATION_FAILED"}},
		{name: "retrier without ErrorEquals", def: machine(task(`"Retry":[{}]`)), want: []string{"/States/A/Retry/0/ErrorEquals SCHEMA_VALIDATION_FAILED"}},
		{name: "ErrorEquals empty", def: machine(task(`"Retry":[{"ErrorEquals":[]}]`)), want: []string{"/States/A/Retry/0/ErrorEquals SCHEMA_VALIDATION_FAILED"}},
		{name: "ErrorEquals with a non-string", def: machine(task(`"Retry":[{"ErrorEquals":["X",1,""]}]`)), want: []string{"/States/A/Retry/0/ErrorEquals/1 SCHEMA_VALIDATION_FAILED", "/States/A/Retry/0/ErrorEquals/2 SCHEMA_VALIDATION_FAILED"}},
		{name: "States.ALL not alone", def: machine(task(`"Retry":[{"ErrorEquals":["X","States.ALL"]}]`)), want: []string{"/States/A/Retry/0/ErrorEquals/1 STATES_ALL_NOT_LAST"}},
		{name: "States.ALL retrier not last", def: machine(task(`"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}]`)), want: []string{"/States/A/Retry/0/ErrorEquals STATES_ALL_NOT_LAST"}},
		{name: "States.ALL catcher not last", def: machine(task(`"Catch":[{"ErrorEquals":["States.ALL"],"Next":"A"},{"ErrorEquals":["X"],"Next":"A"}]`)), want: []string{"/States/A/Catch/0/ErrorEquals STATES_ALL_NOT_LAST"}},
		{name: "States.ALL last and alone", def: machine(task(`"Retry":[{"ErrorEquals":["X"]},{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["X"],"Next":"A"},{"ErrorEquals":["States.ALL"],"Next":"A"}]`))},
		{name: "retrier bounds below", def: machine(task(`"Retry":[{"ErrorEquals":["X"],"IntervalSeconds":0,"MaxAttempts":-1,"BackoffRate":0.5,"MaxDelaySeconds":0,"JitterStrategy":"SOME"}]`)), want: []string{
			"/States/A/Retry/0/BackoffRate INVALID_VALUE",
			"/States/A/Retry/0/IntervalSeconds INVALID_VALUE",
			"/States/A/Retry/0/JitterStrategy INVALID_VALUE",
			"/States/A/Retry/0/MaxAttempts INVALID_VALUE",
			"/States/A/Retry/0/MaxDelaySeconds INVALID_VALUE",
		}},
		{name: "retrier bounds above", def: machine(task(`"Retry":[{"ErrorEquals":["X"],"IntervalSeconds":100000000,"MaxAttempts":100000000,"MaxDelaySeconds":31622401}]`)), want: []string{
			"/States/A/Retry/0/IntervalSeconds INVALID_VALUE",
			"/States/A/Retry/0/MaxAttempts INVALID_VALUE",
			"/States/A/Retry/0/MaxDelaySeconds INVALID_VALUE",
		}},
		{name: "retrier bounds at the limits", def: machine(task(`"Retry":[{"ErrorEquals":["X"],"IntervalSeconds":99999999,"MaxAttempts":0,"BackoffRate":1,"MaxDelaySeconds":31622400,"JitterStrategy":"NONE","Comment":"c"}]`))},
		{name: "retrier field types", def: machine(task(`"Retry":[{"ErrorEquals":["X"],"IntervalSeconds":"1","MaxAttempts":1.5,"BackoffRate":"2"}]`)), want: []string{
			"/States/A/Retry/0/BackoffRate SCHEMA_VALIDATION_FAILED",
			"/States/A/Retry/0/IntervalSeconds SCHEMA_VALIDATION_FAILED",
			"/States/A/Retry/0/MaxAttempts SCHEMA_VALIDATION_FAILED",
		}},
		{name: "retrier unknown field", def: machine(task(`"Retry":[{"ErrorEquals":["X"],"Next":"A"}]`)), want: []string{"/States/A/Retry/0/Next SCHEMA_VALIDATION_FAILED"}},
		{name: "catcher without Next", def: machine(task(`"Catch":[{"ErrorEquals":["X"]}]`)), want: []string{"/States/A/Catch/0/Next SCHEMA_VALIDATION_FAILED"}},
		{name: "catcher ResultPath indefinite", def: machine(task(`"Catch":[{"ErrorEquals":["X"],"Next":"A","ResultPath":"$..e"}]`)), want: []string{"/States/A/Catch/0/ResultPath INVALID_JSON_PATH"}},

		// Choice.
		{name: "Choice without Choices", def: machine(`"A":{"Type":"Choice","Default":"A"}`), want: []string{"/States/A/Choices SCHEMA_VALIDATION_FAILED"}},
		{name: "Choice with no rules", def: machine(`"A":{"Type":"Choice","Choices":[],"Default":"A"}`), want: []string{"/States/A/Choices SCHEMA_VALIDATION_FAILED"}},
		{name: "Choice rule without operator", def: machine(`"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}`), want: []string{"/States/A/Choices/0 INVALID_CHOICE_RULE"}},

		// Wait.
		{name: "Wait with none of its fields", def: machine(`"A":{"Type":"Wait","End":true}`), want: []string{"/States/A SCHEMA_VALIDATION_FAILED"}},
		{name: "Wait with two of its fields", def: machine(`"A":{"Type":"Wait","End":true,"Seconds":1,"SecondsPath":"$.s"}`), want: []string{"/States/A SCHEMA_VALIDATION_FAILED"}},
		{name: "Wait Seconds out of range", def: machine(`"A":{"Type":"Wait","End":true,"Seconds":100000000}`), want: []string{"/States/A/Seconds INVALID_VALUE"}},
		{name: "Wait Seconds negative", def: machine(`"A":{"Type":"Wait","End":true,"Seconds":-1}`), want: []string{"/States/A/Seconds INVALID_VALUE"}},
		{name: "Wait Timestamp malformed", def: machine(`"A":{"Type":"Wait","End":true,"Timestamp":"2024-01-01 00:00:00Z"}`), want: []string{"/States/A/Timestamp INVALID_VALUE"}},
		{name: "Wait Timestamp without offset", def: machine(`"A":{"Type":"Wait","End":true,"Timestamp":"2024-01-01T00:00:00"}`), want: []string{"/States/A/Timestamp INVALID_VALUE"}},
		{name: "Wait SecondsPath indefinite", def: machine(`"A":{"Type":"Wait","End":true,"SecondsPath":"$.s[0:1]"}`), want: []string{"/States/A/SecondsPath INVALID_JSON_PATH"}},
		{name: "Wait TimestampPath invalid", def: machine(`"A":{"Type":"Wait","End":true,"TimestampPath":"t"}`), want: []string{"/States/A/TimestampPath INVALID_JSON_PATH"}},

		// Fail.
		{name: "Fail Error and ErrorPath, Cause and CausePath", def: machine(`"A":{"Type":"Fail","Error":"e","ErrorPath":"$.e","Cause":"c","CausePath":"$.c"}`), want: []string{"/States/A/CausePath SCHEMA_VALIDATION_FAILED", "/States/A/ErrorPath SCHEMA_VALIDATION_FAILED"}},
		{name: "Fail ErrorPath indefinite", def: machine(`"A":{"Type":"Fail","ErrorPath":"$.e[*]"}`), want: []string{"/States/A/ErrorPath INVALID_JSON_PATH"}},
		{name: "Fail CausePath bad intrinsic", def: machine(`"A":{"Type":"Fail","CausePath":"States.Format("}`), want: []string{"/States/A/CausePath INVALID_INTRINSIC_FUNCTION"}},

		// Parallel.
		{name: "Parallel without Branches", def: machine(`"A":{"Type":"Parallel","End":true}`), want: []string{"/States/A/Branches SCHEMA_VALIDATION_FAILED"}},
		{name: "Parallel with no branch", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[]}`), want: []string{"/States/A/Branches SCHEMA_VALIDATION_FAILED"}},
		{name: "Parallel branch not an object", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[1]}`), want: []string{"/States/A/Branches/0 SCHEMA_VALIDATION_FAILED"}},
		{name: "Parallel branch with a top-level field", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","TimeoutSeconds":1,"States":{"B":{"Type":"Succeed"}}}]}`), want: []string{"/States/A/Branches/0/TimeoutSeconds SCHEMA_VALIDATION_FAILED"}},

		// Map.
		{name: "Map without ItemProcessor", def: machine(`"A":{"Type":"Map","End":true}`), want: []string{"/States/A/ItemProcessor SCHEMA_VALIDATION_FAILED"}},
		{name: "Map with ItemProcessor and Iterator", def: machine(`"A":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}},"Iterator":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/Iterator SCHEMA_VALIDATION_FAILED"}},
		{name: "Map ItemReader", def: machine(`"A":{"Type":"Map","End":true,"ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/ItemReader SCHEMA_VALIDATION_FAILED", "/States/A/ItemReader/ReaderConfig/InputType SCHEMA_VALIDATION_FAILED"}},
		{name: "Map ResultWriter", def: machine(`"A":{"Type":"Map","End":true,"ResultWriter":{},"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/ResultWriter SCHEMA_VALIDATION_FAILED", "/States/A/ResultWriter SCHEMA_VALIDATION_FAILED"}},
		{name: "Map ProcessorConfig", def: machine(`"A":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"REMOTE","ExecutionType":"FAST","Foo":1},"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{
			"/States/A/ItemProcessor/ProcessorConfig/ExecutionType INVALID_VALUE",
			"/States/A/ItemProcessor/ProcessorConfig/Foo SCHEMA_VALIDATION_FAILED",
			"/States/A/ItemProcessor/ProcessorConfig/Mode INVALID_VALUE",
		}},
		{name: "Map numbers out of range", def: machine(`"A":{"Type":"Map","End":true,"MaxConcurrency":-1,"ToleratedFailureCount":-1,"ToleratedFailurePercentage":100.5,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{
			"/States/A/MaxConcurrency INVALID_VALUE",
			"/States/A/ToleratedFailureCount INVALID_VALUE",
			"/States/A/ToleratedFailurePercentage INVALID_VALUE",
		}},
		{name: "Map numbers and their paths", def: machine(`"A":{"Type":"Map","End":true,"MaxConcurrency":1,"MaxConcurrencyPath":"$.m","ToleratedFailureCount":1,"ToleratedFailureCountPath":"$.c","ToleratedFailurePercentage":1,"ToleratedFailurePercentagePath":"$.p","ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{
			"/States/A/MaxConcurrencyPath SCHEMA_VALIDATION_FAILED",
			"/States/A/ToleratedFailureCountPath SCHEMA_VALIDATION_FAILED",
			"/States/A/ToleratedFailurePercentagePath SCHEMA_VALIDATION_FAILED",
		}},
		{name: "Map ItemsPath indefinite", def: machine(`"A":{"Type":"Map","End":true,"ItemsPath":"$.a[*]","ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{"/States/A/ItemsPath INVALID_JSON_PATH"}},
		{name: "Map ItemBatcher", def: machine(`"A":{"Type":"Map","End":true,"ItemBatcher":{"MaxItemsPerBatch":0,"MaxInputBytesPerBatch":0,"MaxItemsPerBatchPath":"$[*]","Foo":1},"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}`), want: []string{
			"/States/A/ItemBatcher/Foo SCHEMA_VALIDATION_FAILED",
			"/States/A/ItemBatcher/MaxInputBytesPerBatch INVALID_VALUE",
			"/States/A/ItemBatcher/MaxItemsPerBatch INVALID_VALUE",
			"/States/A/ItemBatcher/MaxItemsPerBatchPath INVALID_JSON_PATH",
		}},

		// Workflow variables and JSONata.
		{name: "Assign accepted", def: machine(`"A":{"Type":"Pass","End":true,"Assign":{"x":1,"y.$":"$.y"}}`)},
		{name: "Assign bad names", def: machine(`"A":{"Type":"Pass","End":true,"Assign":{"states":1,"1x":2,"a-b.$":"$"}}`), want: []string{
			"/States/A/Assign/1x INVALID_VALUE",
			"/States/A/Assign/a-b.$ INVALID_VALUE",
			"/States/A/Assign/states INVALID_VALUE",
		}},
		{name: "Assign not an object", def: machine(`"A":{"Type":"Pass","End":true,"Assign":[]}`), want: []string{"/States/A/Assign SCHEMA_VALIDATION_FAILED"}},
		{name: "Assign on Succeed", def: machine(`"A":{"Type":"Succeed","Assign":{"x":1}}`), want: []string{"/States/A/Assign SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONata machine", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`},
		{name: "JSONata state", def: machine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONata"}`)},
		{name: "JSONPath state in a JSONata machine", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}}}`, want: []string{"/States/A/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONPath state explicitly", def: machine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, d := Compile([]byte(tt.def))
			if len(tt.want) == 0 {
				require.Empty(t, found(d))
				require.NotNil(t, m)
				return
			}
			require.Equal(t, tt.want, found(d))
			require.Nil(t, m)
			for _, x := range d {
				require.NotEmpty(t, x.Message)
			}
		})
	}
}

// TestValidateReportsEverything checks that one bad definition yields
// every one of its problems, sorted by pointer, and that Parse, Validate
// and Compile agree.
func TestValidateReportsEverything(t *testing.T) {
	t.Parallel()
	def := `{
		"StartAt": "Start",
		"States": {
			"Start": {"Type": "Pass", "Next": "Missing", "InputPath": "$."},
			"Work": {"Type": "Task", "End": true},
			"Branch": {"Type": "Parallel", "Next": "Start", "Branches": [
				{"StartAt": "In", "States": {"In": {"Type": "Wait", "End": true}}}
			]},
			"Loop": {"Type": "Map", "End": true, "ItemReader": {}},
			"Check": {"Type": "Choice"}
		}
	}`
	want := []string{
		"/States/Branch/Branches/0/States/In SCHEMA_VALIDATION_FAILED",
		"/States/Check/Choices SCHEMA_VALIDATION_FAILED",
		"/States/Loop/ItemProcessor SCHEMA_VALIDATION_FAILED",
		"/States/Loop/ItemReader SCHEMA_VALIDATION_FAILED",
		"/States/Loop/ItemReader/Resource SCHEMA_VALIDATION_FAILED",
		"/States/Start/InputPath INVALID_JSON_PATH",
		"/States/Start/Next MISSING_TRANSITION_TARGET",
		"/States/Work/Resource SCHEMA_VALIDATION_FAILED",
		// Unreachable states are reported too.
		"/States/Branch UNREACHABLE_STATE",
		"/States/Check UNREACHABLE_STATE",
		"/States/Loop UNREACHABLE_STATE",
		"/States/Work UNREACHABLE_STATE",
	}
	d := Validate([]byte(def))
	require.ElementsMatch(t, want, found(d))
	for i := 1; i < len(d); i++ {
		require.LessOrEqual(t, d[i-1].Path, d[i].Path, "diagnostics are sorted by pointer")
	}

	m, err := Parse([]byte(def))
	require.Nil(t, m)
	var de *diag.Error
	require.True(t, errors.As(err, &de))
	require.Equal(t, d, de.Diagnostics)
	require.Contains(t, err.Error(), "/States/Start/Next: MISSING_TRANSITION_TARGET: the state \"Missing\" does not exist")
}

// TestValidateGoesOnAfterStructuralErrors checks that a state that does
// not parse (no Type, an unknown Type, not an object) and a Choice rule
// that does not parse hide nothing: the other states' transitions are
// checked, theirs are read from their fields, each at its own place.
func TestValidateGoesOnAfterStructuralErrors(t *testing.T) {
	t.Parallel()
	def := `{
		"StartAt": "A",
		"States": {
			"A": {"Next": "B"},
			"B": {"Type": "Passs", "Next": "C", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]},
			"C": {"Type": "Pass", "Next": "Nowhere"},
			"D": 5,
			"E": {"Type": "Choice", "Choices": [
				{"Variable": "$.x", "Next": "Lost"},
				{"Variable": "$.y", "StringEquals": "y", "Next": "Also"}
			], "Default": "A"},
			"F": {"Type": "Pass", "End": true}
		}
	}`
	want := []string{
		"/States/A/Type SCHEMA_VALIDATION_FAILED",
		"/States/B/Type SCHEMA_VALIDATION_FAILED",
		"/States/B/Catch/0/Next MISSING_TRANSITION_TARGET",
		"/States/C/Next MISSING_TRANSITION_TARGET",
		"/States/D SCHEMA_VALIDATION_FAILED",
		"/States/D UNREACHABLE_STATE",
		"/States/E UNREACHABLE_STATE",
		"/States/E/Choices/0 INVALID_CHOICE_RULE",
		"/States/E/Choices/0/Next MISSING_TRANSITION_TARGET",
		"/States/E/Choices/1/Next MISSING_TRANSITION_TARGET",
		"/States/F UNREACHABLE_STATE",
	}
	require.ElementsMatch(t, want, found(Validate([]byte(def))))

	// A state reached only through one that did not parse is reachable.
	def = `{"StartAt": "A", "States": {"A": {"Type": "Nope", "Next": "B"}, "B": {"Type": "Succeed"}}}`
	require.Equal(t, []string{"/States/A/Type SCHEMA_VALIDATION_FAILED"}, found(Validate([]byte(def))))
	// StartAt may name a state that did not parse.
	def = `{"StartAt": "A", "States": {"A": {"Next": "B"}, "B": {"Type": "Pass", "Next": "Missing"}}}`
	require.Equal(t, []string{"/States/A/Type SCHEMA_VALIDATION_FAILED", "/States/B/Next MISSING_TRANSITION_TARGET"}, found(Validate([]byte(def))))
	// JSONata rules likewise.
	def = `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
		{"Next": "X"}, {"Condition": "{% true %}", "Next": "Y"}], "Default": "B"}, "B": {"Type": "Succeed"}}}`
	require.ElementsMatch(t, []string{"/States/A/Choices/0/Condition SCHEMA_VALIDATION_FAILED",
		"/States/A/Choices/0/Next MISSING_TRANSITION_TARGET", "/States/A/Choices/1/Next MISSING_TRANSITION_TARGET"}, found(Validate([]byte(def))))
}

func TestValidateMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		def  string
		want diag.Diagnostic
	}{
		{def: machine(`"A":{"Type":"Pass"}`), want: diag.Diagnostic{Path: "/States/A", Code: diag.MissingNextOrEnd, Message: `the state "A" needs either Next or "End": true`}},
		{def: machine(`"A":{"Type":"Pass","Next":"Z"}`), want: diag.Diagnostic{Path: "/States/A/Next", Code: diag.MissingTransition, Message: `the state "Z" does not exist`}},
		{def: machine(`"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}`), want: diag.Diagnostic{Path: "/States/B", Code: diag.UnreachableState, Message: `the state "B" is not reachable from StartAt`}},
		{def: machine(task(`"Retry":[{"ErrorEquals":["States.ALL","X"]}]`)), want: diag.Diagnostic{Path: "/States/A/Retry/0/ErrorEquals/0", Code: diag.StatesAllNotLast, Message: "States.ALL must appear alone in ErrorEquals"}},
		{def: machine(`"A":{"Type":"Wait","End":true}`), want: diag.Diagnostic{Path: "/States/A", Code: diag.SchemaValidationFailed, Message: "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath"}},
		{def: machine(`"A":{"Type":"Foo"}`), want: diag.Diagnostic{Path: "/States/A/Type", Code: diag.SchemaValidationFailed, Message: `unknown state type "Foo"`}},
		{def: machine(`"A":{"Type":"Pass","End":true,"InputPath":"$."}`), want: diag.Diagnostic{Path: "/States/A/InputPath", Code: diag.InvalidJSONPath, Message: `invalid JSONPath "$.": empty name after '.' at 1`}},
		{def: `{"StartAt":"` + strings.Repeat("é", 81) + `","States":{"` + strings.Repeat("é", 81) + `":{"Type":"Succeed"}}}`, want: diag.Diagnostic{Path: "/States/" + strings.Repeat("é", 81), Code: diag.InvalidStateName, Message: `the state name "` + strings.Repeat("é", 81) + `" is longer than 80 characters`}},
	}
	for _, tt := range tests {
		d := Validate([]byte(tt.def))
		require.Equal(t, diag.List{tt.want}, d, tt.def)
	}
	// 80 characters, counted as characters rather than bytes, are fine.
	name := strings.Repeat("é", 80)
	require.Empty(t, Validate([]byte(`{"StartAt":"`+name+`","States":{"`+name+`":{"Type":"Succeed"}}}`)))
}
