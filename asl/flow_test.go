package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// choiceState routes on $.n: below 10 to T, equal to 10 to U, else the
// default (V) when given.
func choiceState(extra string) string {
	return `{"Type":"Choice","Choices":[
		{"Variable":"$.n","NumericLessThan":10,"Next":"T","Assign":{"rule":0}},
		{"Variable":"$.n","NumericEquals":10,"Next":"U"}
	]` + extra + `}`
}

func TestStepChoice(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, `{"StartAt":"S","States":{
		"S":`+choiceState(`,"Default":"V","InputPath":"$.in","OutputPath":"$.n","Assign":{"default":true}`)+`,
		"T":{"Type":"Succeed"},"U":{"Type":"Succeed"},"V":{"Type":"Succeed"}}}`)
	s, _ := m.State("S")
	tests := []struct {
		input  string
		next   string
		assign map[string]any
	}{
		{input: `{"in":{"n":1}}`, next: "T", assign: map[string]any{"rule": int64(0)}},
		{input: `{"in":{"n":10}}`, next: "U"},
		{input: `{"in":{"n":11}}`, next: "V", assign: map[string]any{"default": true}},
	}
	for _, tt := range tests {
		in := decode(t, tt.input)
		o := Step(s, in, newContext("S"))
		n := requireNext(t, o, tt.next, EncodeJSON(in.(map[string]any)["in"].(map[string]any)["n"]))
		require.Equal(t, tt.assign, n.Assign, tt.input)
	}
}

func TestStepChoiceErrors(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, `{"StartAt":"S","States":{"S":`+choiceState("")+`,"T":{"Type":"Succeed"},"U":{"Type":"Succeed"}}}`)
	s, _ := m.State("S")

	o := Step(s, decode(t, `{"n":11}`), newContext("S"))
	requireFail(t, o, aslerr.NoChoiceMatched, "No Matches!")

	// A rule whose Variable selects nothing is a runtime error naming the
	// state.
	o = Step(s, decode(t, `{}`), newContext("S"))
	f, ok := o.(Fail)
	require.True(t, ok, "%#v", o)
	require.Equal(t, aslerr.Runtime, f.Error)
	require.Contains(t, f.Cause, runtimeCause("Invalid path '$.n'"))

	o = Step(s, decode(t, `{"n":1}`), newContext("S"))
	requireNext(t, o, "T", `{"n":1}`)
}

// TestStepChoiceContext checks a rule reading the Context object, as the
// recorded case CONTEXT_OBJECT_VARIABLE does.
func TestStepChoiceContext(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, `{"StartAt":"S","States":{
		"S":{"Type":"Choice","Default":"U","Choices":[{"Variable":"$$.Execution.Input.input-value","NumericLessThanEquals":0,"Next":"T"}]},
		"T":{"Type":"Succeed"},"U":{"Type":"Succeed"}}}`)
	s, _ := m.State("S")
	ctx := newContext("S")
	ctx.ExecutionInput = map[string]any{"input-value": int64(0)}
	requireNext(t, Step(s, map[string]any{}, ctx), "T", `{}`)
}

func TestStepSucceed(t *testing.T) {
	t.Parallel()
	require.Equal(t, Succeed{Output: map[string]any{"a": int64(1)}}, step(t, `{"Type":"Succeed"}`, `{"a":1}`))
	require.Equal(t, Succeed{Output: int64(1)}, step(t, `{"Type":"Succeed","InputPath":"$.a"}`, `{"a":1}`))
	require.Equal(t, Succeed{Output: map[string]any{}}, step(t, `{"Type":"Succeed","OutputPath":null}`, `{"a":1}`))
	requireFail(t, step(t, `{"Type":"Succeed","OutputPath":"$.b"}`, `{"a":1}`), aslerr.Runtime, runtimeCause("Invalid path '$.b' : No results for path: $['b']"))
}

func TestStepFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		state string
		input string
		want  Fail
	}{
		{name: "empty", state: `{"Type":"Fail"}`, input: `{}`, want: Fail{}},
		{name: "fixed", state: `{"Type":"Fail","Error":"E","Cause":"C"}`, input: `{}`, want: Fail{Error: "E", Cause: "C"}},
		{name: "paths", state: `{"Type":"Fail","ErrorPath":"$.e","CausePath":"$.c"}`, input: `{"e":"error string","c":"cause string"}`, want: Fail{Error: "error string", Cause: "cause string"}},
		{name: "context paths", state: `{"Type":"Fail","ErrorPath":"$$.State.Name","CausePath":"$$.StateMachine.Name"}`, input: `{}`, want: Fail{Error: "S", Cause: "sm"}},
		{
			name:  "intrinsic",
			state: `{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('This is a custom error message for {}, caused by {}.', $.e, $.c)"}`,
			input: `{"e":"error string","c":"cause string"}`,
			want:  Fail{Error: "error string", Cause: "This is a custom error message for error string, caused by cause string."},
		},
		{name: "CausePath selects nothing", state: `{"Type":"Fail","CausePath":"$.NoSuchCausePath"}`, input: `{}`, want: Fail{Error: aslerr.Runtime, Cause: runtimeCause("The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input '{}'")}},
		{name: "ErrorPath not a string", state: `{"Type":"Fail","ErrorPath":"$.e"}`, input: `{"e":1}`, want: Fail{Error: aslerr.Runtime, Cause: runtimeCause("The ErrorPath '$.e' did not resolve to a string: 1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, step(t, tt.state, tt.input))
		})
	}
}

func TestStepParallel(t *testing.T) {
	t.Parallel()
	s := stateOf(t, `{"Type":"Parallel","Next":"T","InputPath":"$.in","Parameters":{"x.$":"$.x","id.$":"$$.Execution.Id"},"Branches":[
		{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},
		{"StartAt":"B2","States":{"B2":{"Type":"Pass","Next":"B3"},"B3":{"Type":"Succeed"}}}]}`)
	o := Step(s, decode(t, `{"in":{"x":1}}`), newContext("S"))
	r, ok := o.(RunParallel)
	require.True(t, ok, "%#v", o)
	requireJSON(t, `{"x":1,"id":"arn:aws:states:us-east-1:111111111111:execution:sm:exec-1"}`, r.Input)
	require.Len(t, r.Branches, 2)
	require.Equal(t, "B1", r.Branches[0].StartAt)
	require.Equal(t, []string{"B2", "B3"}, r.Branches[1].StateNames())

	// The result of the branches goes through ResultSelector and ResultPath.
	s = stateOf(t, `{"Type":"Parallel","Next":"T","ResultSelector":{"flat.$":"$[*][*]"},"ResultPath":"$.r","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`)
	o = Complete(s, decode(t, `{"in":1}`), decode(t, `[[1,2],[3]]`), newContext("S"))
	requireNext(t, o, "T", `{"in":1,"r":{"flat":[1,2,3]}}`)

	o = Step(s, decode(t, `{}`), newContext("S"))
	require.Equal(t, RunParallel{Branches: s.(*Parallel).Branches, Input: map[string]any{}}, o)

	bad := stateOf(t, `{"Type":"Parallel","End":true,"Parameters":{"x.$":"$.x"},"Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`)
	requireFail(t, Step(bad, map[string]any{}, newContext("S")), aslerr.Runtime, runtimeCause("The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{}'"))
}

func TestContextObject(t *testing.T) {
	t.Parallel()
	ctx := newContext("S")
	requireJSON(t, `{
		"Execution": {
			"Id": "arn:aws:states:us-east-1:111111111111:execution:sm:exec-1",
			"Name": "exec-1",
			"Input": {"original": true},
			"StartTime": "2024-03-04T05:04:37.890Z",
			"RoleArn": "arn:aws:iam::111111111111:role/sfn",
			"RedriveCount": 0
		},
		"StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm", "Name": "sm"},
		"State": {"Name": "S", "EnteredTime": "2024-03-04T05:06:07.890Z"}
	}`, ctx.Object())

	ctx = newContext("S")
	ctx.Express = true
	ctx.CanRetry = true
	ctx.RetryCount = 2
	ctx.TaskToken = "tok"
	ctx.InMap = true
	ctx.MapItemIndex = 3
	ctx.MapItemValue = "v"
	obj := ctx.Object().(map[string]any)
	require.NotContains(t, obj["Execution"], "RedriveCount")
	requireJSON(t, `{"Name":"S","EnteredTime":"2024-03-04T05:06:07.890Z","RetryCount":2}`, obj["State"])
	requireJSON(t, `{"Token":"tok"}`, obj["Task"])
	requireJSON(t, `{"Item":{"Index":3,"Value":"v"}}`, obj["Map"])

	// The object is cached until invalidated.
	ctx.StateName = "Other"
	require.Equal(t, "S", ctx.Object().(map[string]any)["State"].(map[string]any)["Name"])
	ctx.Invalidate()
	require.Equal(t, "Other", ctx.Object().(map[string]any)["State"].(map[string]any)["Name"])
}

func TestStateAccessors(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, `{"Comment":"c","Version":"1.0","TimeoutSeconds":5,"StartAt":"A","States":{
		"A":{"Type":"Pass","Next":"B","Comment":"first"},"B":{"Type":"Wait","Seconds":1,"Next":"C"},"C":{"Type":"Succeed"}}}`)
	require.Equal(t, "c", m.Comment)
	require.Equal(t, "1.0", m.Version)
	require.Equal(t, int64(5), m.TimeoutSeconds)
	require.Equal(t, []string{"A", "B", "C"}, m.StateNames())
	a, ok := m.State("A")
	require.True(t, ok)
	require.Equal(t, "A", a.Name())
	require.Equal(t, KindPass, a.Kind())
	b, _ := m.State("B")
	require.Equal(t, KindWait, b.Kind())
	_, ok = m.State("Z")
	require.False(t, ok)

	p, err := Parse([]byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`))
	require.NoError(t, err)
	require.Equal(t, "A", p.StartAt)
}
