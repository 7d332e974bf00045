package runtime_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

func TestPassChains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, input, want string
	}{
		{
			name:  "single Pass passes its input through",
			def:   `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
			input: `{"x":1}`,
			want:  `{"x":1}`,
		},
		{
			name: "each state's output is the next state's input",
			def: `{"StartAt":"A","States":{
				"A":{"Type":"Pass","Parameters":{"n.$":"$.n","step":"a"},"Next":"B"},
				"B":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 10)","prev.$":"$.step"},"Next":"C"},
				"C":{"Type":"Pass","Result":{"c":true},"ResultPath":"$.c","End":true}}}`,
			input: `{"n":1}`,
			want:  `{"n":11,"prev":"a","c":{"c":true}}`,
		},
		{
			name: "Choice and Succeed end the chain",
			def: `{"StartAt":"A","States":{
				"A":{"Type":"Pass","Next":"Pick"},
				"Pick":{"Type":"Choice","Choices":[{"Variable":"$.go","BooleanEquals":true,"Next":"Done"}],"Default":"Other"},
				"Other":{"Type":"Pass","Result":"other","End":true},
				"Done":{"Type":"Succeed","OutputPath":"$.v"}}}`,
			input: `{"go":true,"v":[1,2]}`,
			want:  `[1,2]`,
		},
		{
			name: "the Context object is visible to Pass",
			def: `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{
				"name.$":"$$.Execution.Name","state.$":"$$.State.Name","start.$":"$$.Execution.StartTime"},"End":true}}}`,
			want: `{"name":"test","state":"A","start":"2024-03-01T12:00:00.000Z"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireSucceeded(t, run(t, tt.def, tt.input, nil), tt.want)
		})
	}
}

func TestFailStateFailsTheExecution(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"F"},"F":{"Type":"Fail","Error":"Custom.Err","Cause":"because"}}}`, "", nil)
	requireFailed(t, res, runtime.StatusFailed, "Custom.Err")
	require.Equal(t, "because", res.Cause)
	require.Nil(t, res.Output)
	require.Equal(t, []string{
		"ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed",
	}, types(res))
}

func TestResultDescribesTheExecution(t *testing.T) {
	t.Parallel()
	e := &runtime.Engine{Region: "eu-west-3", Account: "111122223333"}
	m := compile(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":7,"End":true}}}`)
	res := e.Run(t.Context(), m, runtime.Execution{
		StateMachineName: "Orders",
		Name:             "run-1",
		Input:            map[string]any{},
		Clock:            runtime.NewVirtualClock(t0),
	})
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	require.Equal(t, "arn:aws:states:eu-west-3:111122223333:execution:Orders:run-1", res.ExecutionARN)
	require.Equal(t, t0, res.StartDate)
	require.Equal(t, t0.Add(7*time.Second), res.StopDate)
}

func TestExpressExecutionARN(t *testing.T) {
	t.Parallel()
	m := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	res := (&runtime.Engine{}).Run(t.Context(), m, runtime.Execution{StateMachineName: "Fast", Name: "x", Express: true, Clock: runtime.NewVirtualClock(t0)})
	require.Regexp(t, `^arn:aws:states:us-east-1:123456789012:express:Fast:x:[0-9a-f-]{36}$`, res.ExecutionARN)
}

func TestDefaultNameIsAUUID(t *testing.T) {
	t.Parallel()
	m := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"n.$":"$$.Execution.Name"},"End":true}}}`)
	res := (&runtime.Engine{}).Run(t.Context(), m, runtime.Execution{Clock: runtime.NewVirtualClock(t0)})
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	name := res.Output.(map[string]any)["n"].(string)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, name)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:StateMachine:"+name, res.ExecutionARN)
}
