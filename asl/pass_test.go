package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// TestStepPass covers the InputPath, Parameters, Result, ResultPath and
// OutputPath pipeline on the Pass state.
func TestStepPass(t *testing.T) {
	t.Parallel()
	const input = `{"a":{"b":1,"c":[1,2]},"n":"x"}`
	tests := []struct {
		name  string
		state string
		want  string
	}{
		{name: "passes its input", state: `{"Type":"Pass","Next":"T"}`, want: input},
		{name: "InputPath selects", state: `{"Type":"Pass","Next":"T","InputPath":"$.a"}`, want: `{"b":1,"c":[1,2]}`},
		{name: "InputPath $ is the whole input", state: `{"Type":"Pass","Next":"T","InputPath":"$"}`, want: input},
		{name: "InputPath null gives {}", state: `{"Type":"Pass","Next":"T","InputPath":null}`, want: `{}`},
		{name: "InputPath from the context", state: `{"Type":"Pass","Next":"T","InputPath":"$$.Execution.Input"}`, want: `{"original":true}`},
		{name: "indefinite InputPath", state: `{"Type":"Pass","Next":"T","InputPath":"$.a.c[*]"}`, want: `[1,2]`},
		{name: "Result replaces", state: `{"Type":"Pass","Next":"T","Result":{"r":true}}`, want: `{"r":true}`},
		{name: "Result null", state: `{"Type":"Pass","Next":"T","Result":null}`, want: `null`},
		{name: "Result wins over Parameters", state: `{"Type":"Pass","Next":"T","Parameters":{"p":1},"Result":"r"}`, want: `"r"`},
		{name: "ResultPath into the raw input", state: `{"Type":"Pass","Next":"T","InputPath":"$.a","Result":7,"ResultPath":"$.r"}`, want: `{"a":{"b":1,"c":[1,2]},"n":"x","r":7}`},
		{name: "ResultPath creates objects", state: `{"Type":"Pass","Next":"T","Result":7,"ResultPath":"$.x.y"}`, want: `{"a":{"b":1,"c":[1,2]},"n":"x","x":{"y":7}}`},
		{name: "ResultPath replaces a field", state: `{"Type":"Pass","Next":"T","Result":7,"ResultPath":"$.a"}`, want: `{"a":7,"n":"x"}`},
		{name: "ResultPath into an array element", state: `{"Type":"Pass","Next":"T","Result":7,"ResultPath":"$.a.c[-1]"}`, want: `{"a":{"b":1,"c":[1,7]},"n":"x"}`},
		{name: "ResultPath null keeps the raw input", state: `{"Type":"Pass","Next":"T","InputPath":"$.a","Result":7,"ResultPath":null}`, want: input},
		{name: "OutputPath selects", state: `{"Type":"Pass","Next":"T","Result":{"r":{"s":2}},"OutputPath":"$.r"}`, want: `{"s":2}`},
		{name: "OutputPath null gives {}", state: `{"Type":"Pass","Next":"T","OutputPath":null}`, want: `{}`},
		{name: "the whole pipeline", state: `{"Type":"Pass","Next":"T","InputPath":"$.a","Parameters":{"sum.$":"States.MathAdd($.b, 10)","list.$":"$.c"},"ResultPath":"$.res","OutputPath":"$.res"}`, want: `{"list":[1,2],"sum":11}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := decode(t, input)
			o := Step(stateOf(t, tt.state), in, newContext("S"))
			requireNext(t, o, "T", tt.want)
			requireJSON(t, input, in) // the input is never modified
		})
	}
}

// TestStepPassTemplates covers payload templates: nested objects and
// arrays, paths, the Context object and intrinsic functions.
func TestStepPassTemplates(t *testing.T) {
	t.Parallel()
	state := `{"Type":"Pass","Next":"T","Parameters":{
		"literal": {"n": 1, "s": "x", "l": [true, null, {"deep": "y"}], "notAPath": "$.a"},
		"fromInput.$": "$.a",
		"whole.$": "$",
		"nested": {"b.$": "$.a.b", "list": [1, {"c.$": "$.a.c[1]"}, [{"first.$": "$.a.c[0]"}]]},
		"filtered.$": "$.items[?(@.ok == true)].id",
		"missingSlice.$": "$.none[1:]",
		"exec.$": "$$.Execution.Id",
		"execName.$": "$$.Execution.Name",
		"start.$": "$$.Execution.StartTime",
		"entered.$": "$$.State.EnteredTime",
		"state.$": "$$.State.Name",
		"machine.$": "$$.StateMachine.Name",
		"redrives.$": "$$.Execution.RedriveCount",
		"greeting.$": "States.Format('hi {}', $.name)",
		"uuid.$": "States.UUID()"
	}}`
	input := `{"a":{"b":1,"c":[10,20]},"items":[{"id":1,"ok":true},{"id":2,"ok":false}],"name":"bob"}`
	o := step(t, state, input)
	requireNext(t, o, "T", `{
		"literal": {"n": 1, "s": "x", "l": [true, null, {"deep": "y"}], "notAPath": "$.a"},
		"fromInput": {"b":1,"c":[10,20]},
		"whole": `+input+`,
		"nested": {"b": 1, "list": [1, {"c": 20}, [{"first": 10}]]},
		"filtered": [1],
		"missingSlice": [],
		"exec": "arn:aws:states:us-east-1:111111111111:execution:sm:exec-1",
		"execName": "exec-1",
		"start": "2024-03-04T05:04:37.890Z",
		"entered": "2024-03-04T05:06:07.890Z",
		"state": "S",
		"machine": "sm",
		"redrives": 0,
		"greeting": "hi bob",
		"uuid": "00000000-0000-402a-8000-00000000002a"
	}`)
}

func TestStepPassErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		state   string
		input   string
		errName string
		cause   string
	}{
		{
			name:  "InputPath selects nothing",
			state: `{"Type":"Pass","Next":"T","InputPath":"$.NoSuchInputPath"}`, input: `{}`,
			errName: aslerr.Runtime, cause: runtimeCause("Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"),
		},
		{
			name:  "OutputPath selects nothing",
			state: `{"Type":"Pass","Next":"T","OutputPath":"$.NoSuchOutputPath"}`, input: `{}`,
			errName: aslerr.Runtime, cause: runtimeCause("Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"),
		},
		{
			name:  "OutputPath misses a property on the way",
			state: `{"Type":"Pass","Next":"T","OutputPath":"$.no.such.result.path"}`, input: `{}`,
			errName: aslerr.Runtime, cause: runtimeCause("Invalid path '$.no.such.result.path' : Missing property in path $['no']"),
		},
		{
			name:  "Parameters path selects nothing",
			state: `{"Type":"Pass","Next":"T","Parameters":{"value.$":"$.no_such_jsonpath"}}`, input: `{"a":1}`,
			errName: aslerr.Runtime, cause: runtimeCause(`The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"a":1}'`),
		},
		{
			name:  "Parameters context path selects nothing",
			state: `{"Type":"Pass","Next":"T","Parameters":{"value.$":"$$.Execution.Input.no_such_jsonpath"}}`, input: `{"a":1}`,
			errName: aslerr.Runtime, cause: runtimeCause(`The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"a":1}'`),
		},
		{
			name:  "nested Parameters path selects nothing",
			state: `{"Type":"Pass","Next":"T","Parameters":{"o":{"l":[{"deep.$":"$.x"}]}}}`, input: `{}`,
			errName: aslerr.Runtime, cause: runtimeCause(`The JSONPath '$.x' specified for the field 'deep.$' could not be found in the input '{}'`),
		},
		{
			name:  "intrinsic function fails",
			state: `{"Type":"Pass","Next":"T","Parameters":{"v.$":"States.ArrayGetItem($.a, 5)"}}`, input: `{"a":[1]}`,
			errName: aslerr.Runtime, cause: runtimeCause("The function 'States.ArrayGetItem($.a, 5)' had the following error: Invalid arguments in States.ArrayGetItem"),
		},
		{
			name:  "ResultPath through a number",
			state: `{"Type":"Pass","Next":"T","Result":1,"ResultPath":"$.a.b"}`, input: `{"a":5}`,
			errName: aslerr.ResultPathMatchFailure, cause: `Unable to apply ResultPath '$.a.b' to input '{"a":5}': cannot set field "b" of a non-object value`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, step(t, tt.state, tt.input), tt.errName, tt.cause)
		})
	}
}

func TestStepPassEndAndAssign(t *testing.T) {
	t.Parallel()
	o := step(t, `{"Type":"Pass","End":true,"Result":{"v":1},"Assign":{"fixed":"x","fromResult.$":"$.v","state.$":"$$.State.Name"}}`, `{"in":true}`)
	s, ok := o.(Succeed)
	require.True(t, ok, "%#v", o)
	requireJSON(t, `{"v":1}`, s.Output)
	require.Equal(t, map[string]any{"fixed": "x", "fromResult": int64(1), "state": "S"}, s.Assign)

	n := requireNext(t, step(t, `{"Type":"Pass","Next":"T"}`, `{}`), "T", `{}`)
	require.Nil(t, n.Assign)
}

// TestStepReadsVariables checks that "$name" paths read the workflow
// variables the Context resolves.
func TestStepReadsVariables(t *testing.T) {
	t.Parallel()
	s := stateOf(t, `{"Type":"Pass","Next":"T","Parameters":{"v.$":"$order.id","all.$":"$order"}}`)
	ctx := newContext("S")
	ctx.Vars = func(name string) (any, bool) {
		if name == "order" {
			return map[string]any{"id": "o-1"}, true
		}
		return nil, false
	}
	requireNext(t, Step(s, map[string]any{}, ctx), "T", `{"v":"o-1","all":{"id":"o-1"}}`)

	missing := stateOf(t, `{"Type":"Pass","Next":"T","Parameters":{"v.$":"$nope"}}`)
	o := Step(missing, map[string]any{}, newContext("S"))
	requireFail(t, o, aslerr.Runtime, runtimeCause(`The JSONPath '$nope' specified for the field 'v.$' could not be found in the input '{}'`))
}
