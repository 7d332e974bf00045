package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

const lambda = "arn:aws:states:::lambda:invoke"

func TestStepTask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		state string
		input string
		want  CallTask
	}{
		{
			name:  "the effective input is the parameters",
			state: `{"Type":"Task","Resource":"` + lambda + `","Next":"T"}`, input: `{"a":1}`,
			want: CallTask{Resource: lambda, Parameters: map[string]any{"a": int64(1)}},
		},
		{
			name:  "InputPath then Parameters",
			state: `{"Type":"Task","Resource":"` + lambda + `","Next":"T","InputPath":"$.a","Parameters":{"FunctionName":"f","Payload.$":"$","Token.$":"$$.Task.Token"}}`, input: `{"a":{"x":[1]}}`,
			want: CallTask{Resource: lambda, Parameters: map[string]any{"FunctionName": "f", "Payload": map[string]any{"x": []any{int64(1)}}, "Token": "tok"}},
		},
		{
			name:  "InputPath null",
			state: `{"Type":"Task","Resource":"r","End":true,"InputPath":null}`, input: `{"a":1}`,
			want: CallTask{Resource: "r", Parameters: map[string]any{}},
		},
		{
			name:  "fixed timeouts",
			state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSeconds":30,"HeartbeatSeconds":10}`, input: `{}`,
			want: CallTask{Resource: "r", Parameters: map[string]any{}, TimeoutSeconds: 30, HeartbeatSeconds: 10},
		},
		{
			name:  "timeouts from the raw input",
			state: `{"Type":"Task","Resource":"r","End":true,"InputPath":"$.p","TimeoutSecondsPath":"$.t","HeartbeatSecondsPath":"$.h"}`, input: `{"p":{},"t":60,"h":5}`,
			want: CallTask{Resource: "r", Parameters: map[string]any{}, TimeoutSeconds: 60, HeartbeatSeconds: 5},
		},
		{
			name:  "credentials",
			state: `{"Type":"Task","Resource":"r","End":true,"Credentials":{"RoleArn.$":"$.role"}}`, input: `{"role":"arn:role"}`,
			want: CallTask{Resource: "r", Parameters: map[string]any{"role": "arn:role"}, Credentials: map[string]any{"RoleArn": "arn:role"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := newContext("S")
			ctx.TaskToken = "tok"
			o := Step(stateOf(t, tt.state), decode(t, tt.input), ctx)
			require.Equal(t, tt.want, o)
		})
	}
}

func TestStepTaskErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		state string
		input string
		cause string
	}{
		{
			name:  "timeout path selects nothing",
			state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSecondsPath":"$.NoSuchTimeoutSecondsPath"}`, input: `{}`,
			cause: "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']",
		},
		{
			name:  "heartbeat path selects nothing",
			state: `{"Type":"Task","Resource":"r","End":true,"HeartbeatSecondsPath":"$.h"}`, input: `{}`,
			cause: "Invalid path '$.h' : No results for path: $['h']",
		},
		{
			name:  "timeout zero",
			state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSecondsPath":"$.t"}`, input: `{"t":0}`,
			cause: "The TimeoutSecondsPath field refers to value 0 which is not a valid positive integer: $.t",
		},
		{
			name:  "heartbeat not a number",
			state: `{"Type":"Task","Resource":"r","End":true,"HeartbeatSecondsPath":"$.h"}`, input: `{"h":"5"}`,
			cause: `The HeartbeatSecondsPath field refers to value "5" which is not a valid positive integer: $.h`,
		},
		{
			name:  "timeout too large",
			state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSecondsPath":"$.t"}`, input: `{"t":100000000}`,
			cause: "The TimeoutSecondsPath field refers to value 100000000 which is not a valid positive integer: $.t",
		},
		{
			// States.Runtime is never caught, not even by States.ALL.
			name:  "parameters fail despite a catcher",
			state: `{"Type":"Task","Resource":"r","Next":"T","Parameters":{"x.$":"$.x"},"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T"}]}`, input: `{}`,
			cause: "The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{}'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, step(t, tt.state, tt.input), aslerr.Runtime, runtimeCause(tt.cause))
		})
	}
}

// TestComplete covers what follows a Task's result: ResultSelector,
// ResultPath, OutputPath, Assign and the transition.
func TestComplete(t *testing.T) {
	t.Parallel()
	const input = `{"in":1}`
	const result = `{"Payload":{"v":2,"l":[1,2]},"StatusCode":200}`
	tests := []struct {
		name  string
		state string
		want  string
	}{
		{name: "the result replaces the input", state: `{"Type":"Task","Resource":"r","Next":"T"}`, want: result},
		{name: "ResultSelector", state: `{"Type":"Task","Resource":"r","Next":"T","ResultSelector":{"v.$":"$.Payload.v","n":{"l.$":"$.Payload.l[*]"},"e.$":"$$.Execution.Name"}}`, want: `{"v":2,"n":{"l":[1,2]},"e":"exec-1"}`},
		{name: "ResultPath", state: `{"Type":"Task","Resource":"r","Next":"T","ResultPath":"$.out"}`, want: `{"in":1,"out":` + result + `}`},
		{name: "ResultPath null", state: `{"Type":"Task","Resource":"r","Next":"T","ResultPath":null}`, want: input},
		{name: "InputPath does not affect ResultPath", state: `{"Type":"Task","Resource":"r","Next":"T","InputPath":"$.in","ResultPath":"$.out","ResultSelector":{"v.$":"$.Payload.v"}}`, want: `{"in":1,"out":{"v":2}}`},
		{name: "OutputPath", state: `{"Type":"Task","Resource":"r","Next":"T","ResultPath":"$.out","OutputPath":"$.out.Payload"}`, want: `{"v":2,"l":[1,2]}`},
		{name: "OutputPath null", state: `{"Type":"Task","Resource":"r","Next":"T","OutputPath":null}`, want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, res := decode(t, input), decode(t, result)
			o := Complete(stateOf(t, tt.state), in, res, newContext("S"))
			requireNext(t, o, "T", tt.want)
			requireJSON(t, input, in)
			requireJSON(t, result, res)
		})
	}

	t.Run("End succeeds and assigns", func(t *testing.T) {
		t.Parallel()
		s := stateOf(t, `{"Type":"Task","Resource":"r","End":true,"ResultSelector":{"v.$":"$.v"},"Assign":{"got.$":"$.v"}}`)
		o := Complete(s, decode(t, `{}`), decode(t, `{"v":3}`), newContext("S"))
		require.Equal(t, Succeed{Output: map[string]any{"v": int64(3)}, Assign: map[string]any{"got": int64(3)}}, o)
	})
	t.Run("a failing ResultSelector is a runtime error", func(t *testing.T) {
		t.Parallel()
		s := stateOf(t, `{"Type":"Task","Resource":"r","Next":"T","ResultSelector":{"v.$":"$.nope"},"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T"}]}`)
		o := Complete(s, decode(t, `{}`), decode(t, `{"v":3}`), newContext("S"))
		requireFail(t, o, aslerr.Runtime, runtimeCause(`The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '{"v":3}'`))
	})
	t.Run("a failing ResultPath can be caught", func(t *testing.T) {
		t.Parallel()
		s := stateOf(t, `{"Type":"Task","Resource":"r","Next":"T","ResultPath":"$.in.x","Catch":[{"ErrorEquals":["States.ResultPathMatchFailure"],"Next":"T","ResultPath":"$.error"}]}`)
		o := Complete(s, decode(t, `{"in":1}`), decode(t, `2`), newContext("S"))
		requireNext(t, o, "T", `{"in":1,"error":{"Error":"States.ResultPathMatchFailure","Cause":"Unable to apply ResultPath '$.in.x' to input '{\"in\":1}': cannot set field \"x\" of a non-object value"}}`)
	})
	t.Run("a failing OutputPath is not caught", func(t *testing.T) {
		t.Parallel()
		// As recorded in the conformance case CATCH_STATE_RUNTIME.
		s := stateOf(t, `{"Type":"Task","Resource":"r","Next":"T","OutputPath":"$.no.such.result.path","Catch":[{"ErrorEquals":["States.Runtime"],"Next":"T"}]}`)
		o := Complete(s, decode(t, `{}`), decode(t, `{}`), newContext("S"))
		requireFail(t, o, aslerr.Runtime, runtimeCause("Invalid path '$.no.such.result.path' : Missing property in path $['no']"))
	})
}
