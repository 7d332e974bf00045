package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// Whole executions of JSONata states and workflow variables (M2 items 2, 3,
// 5, 6 and 8) on the in-memory engine with a virtual clock: how variables
// flow from state to state and how Parallel branches, Map iterations and
// Catch scope them.

// fails answers every Task call with the error name.
func fails(name string) func(context.Context, *integrations.Request) (any, error) {
	return func(context.Context, *integrations.Request) (any, error) {
		return nil, &integrations.Error{Name: name, Cause: "cause of " + name}
	}
}

func TestJSONataVariablesFlowBetweenStates(t *testing.T) {
	t.Parallel()
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"a":1,"b":2},"Next":"Swap"},
		"Swap":{"Type":"Pass","Assign":{"a":"{% $b %}","b":"{% $a %}"},"Output":{"seenA":"{% $a %}"},"Next":"Read"},
		"Read":{"Type":"Pass","Output":{"a":"{% $a %}","b":"{% $b %}","in":"{% $states.input %}"},"End":true}}}`, "", nil)
	requireSucceeded(t, res, `{"a":2,"b":1,"in":{"seenA":1}}`)
}

// TestOutputSeesVariablesFromBeforeTheState replays the recorded case
// BASE_EVALUATION_ORDER_PASS_STATE (JSONPath) and its JSONata equivalent:
// a state's output reads the variables as they were when it was entered.
func TestOutputSeesVariablesFromBeforeTheState(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"State0","States":{
		"State0":{"Type":"Pass","Next":"State1","Result":{"theQuestion":"What is the answer to life the universe and everything?"},"Assign":{"answer":42,"question.$":"$.theQuestion"}},
		"State1":{"Type":"Pass","End":true,"Assign":{"answer":"<omitted>"},"InputPath":"$answer","ResultPath":"$.theAnswer","OutputPath":"$answer"}}}`, "", nil)
	requireSucceeded(t, res, `42`)

	res = run(t, `{"QueryLanguage":"JSONata","StartAt":"State0","States":{
		"State0":{"Type":"Pass","Next":"State1","Assign":{"answer":42}},
		"State1":{"Type":"Pass","Next":"State2","Assign":{"answer":"<omitted>"},"Output":"{% $answer %}"},
		"State2":{"Type":"Pass","End":true,"Output":{"before":"{% $states.input %}","now":"{% $answer %}"}}}}`, "", nil)
	requireSucceeded(t, res, `{"before":42,"now":"<omitted>"}`)
}

// TestParallelBranchScope checks that branches read the outer variables,
// that what they assign (even under an outer name) stays in the branch,
// and that each branch has its own scope (recorded case
// BASE_SCOPE_PARALLEL for the JSONPath side).
func TestParallelBranchScope(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"State0","States":{
		"State0":{"Type":"Pass","Assign":{"x":42},"Next":"State1"},
		"State1":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"Branch1","States":{"Branch1":{"Type":"Pass","Assign":{"innerX.$":"$x","value.$":"$"},"End":true}}},
			{"StartAt":"Branch21","States":{"Branch21":{"Type":"Pass","Assign":{"innerX.$":"$x","value.$":"$"},"End":true}}},
			{"StartAt":"Branch31","States":{"Branch31":{"Type":"Pass","Assign":{"innerX.$":"$x","value.$":"$"},"End":true}}}]}}}`, "", nil)
	requireSucceeded(t, res, `[{},{},{}]`)

	def := `{"QueryLanguage":"JSONata","StartAt":"Init","States":{
		"Init":{"Type":"Pass","Assign":{"x":42},"Next":"Fork"},
		"Fork":{"Type":"Parallel","Next":"After","Branches":[
			{"StartAt":"B1","States":{
				"B1":{"Type":"Pass","Assign":{"x":1,"inner":"{% $x %}"},"Next":"B1b"},
				"B1b":{"Type":"Pass","Output":{"x":"{% $x %}","inner":"{% $inner %}"},"End":true}}},
			{"StartAt":"B2","States":{
				"B2":{"Type":"Pass","Output":{"x":"{% $x %}","innerFromOtherBranch":"{% $exists($inner) %}"},"End":true}}}]},
		"After":{"Type":"Pass","Output":{"x":"{% $x %}","branches":"{% $states.input %}","inner":"{% $exists($inner) %}"},"End":true}}}`
	requireSucceeded(t, run(t, def, "", nil), `{"x":42,"branches":[{"x":1,"inner":42},{"x":42,"innerFromOtherBranch":false}],"inner":false}`)
}

// TestParallelBranchVariableInvisibleAfter checks that referencing, after a
// Parallel, a variable only a branch assigned fails as undefined.
func TestParallelBranchVariableInvisibleAfter(t *testing.T) {
	t.Parallel()
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"Fork","States":{
		"Fork":{"Type":"Parallel","Next":"After","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"inner":1},"End":true}}}]},
		"After":{"Type":"Pass","Output":"{% $inner %}","End":true}}}`, "", nil)
	requireFailed(t, res, runtime.StatusFailed, aslerr.QueryEvaluationError)
	require.Contains(t, res.Cause, "An error occurred while executing the state 'After'")
	require.Contains(t, res.Cause, "The JSONata expression '$inner' specified for the field 'Output' returned nothing (undefined).")
}

// TestMapIterationScope checks that iterations and their ItemSelector read
// the outer variables, that each iteration has a scope of its own (what one
// assigns, the next does not see, even run one at a time), and that nothing
// they assign is visible after the Map (recorded case
// MAP_STATE_ITEM_SELECTOR_JSONATA for the selector).
func TestMapIterationScope(t *testing.T) {
	t.Parallel()
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"Init","States":{
		"Init":{"Type":"Pass","Assign":{"ItemsVar":["Item1","Item2"],"base":10},"Next":"Loop"},
		"Loop":{"Type":"Map","MaxConcurrency":1,"Items":"{% $ItemsVar %}","Next":"After",
			"ItemSelector":{"value":"{% $states.context.Map.Item.Value %}","index":"{% $states.context.Map.Item.Index %}","var_sample":"{% $ItemsVar %}"},
			"ItemProcessor":{"StartAt":"First","States":{
				"First":{"Type":"Pass","Output":{"in":"{% $states.input %}","sawPrevious":"{% $exists($mine) %}","base":"{% $base %}"},"Assign":{"mine":"{% $states.input.value %}","base":0},"Next":"Second"},
				"Second":{"Type":"Pass","Output":{"sawPrevious":"{% $states.input.sawPrevious %}","mine":"{% $mine %}","base":"{% $base %}","index":"{% $states.context.Map.Item.Index %}"},"End":true}}}},
		"After":{"Type":"Pass","Output":{"results":"{% $states.input %}","mine":"{% $exists($mine) %}","base":"{% $base %}"},"End":true}}}`, "", nil)
	requireSucceeded(t, res, `{"results":[
		{"sawPrevious":false,"mine":"Item1","base":0,"index":0},
		{"sawPrevious":false,"mine":"Item2","base":0,"index":1}],
		"mine":false,"base":10}`)
}

// TestCatchAssigns checks that a Catch's Assign sets variables for the
// states after it, in both query languages, reading the error output and
// the state's input.
func TestCatchAssigns(t *testing.T) {
	t.Parallel()
	h := newRecorder(fails("Boom"))
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Done","Assign":{"ok":true},
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handle","Assign":{"err":"{% $states.errorOutput.Error %}","input":"{% $states.input %}"}}]},
		"Handle":{"Type":"Pass","Output":{"err":"{% $err %}","input":"{% $input %}","ok":"{% $exists($ok) %}","in":"{% $states.input %}"},"End":true},
		"Done":{"Type":"Succeed"}}}`, `{"n":1}`, h)
	requireSucceeded(t, res, `{"err":"Boom","input":{"n":1},"ok":false,"in":{"Error":"Boom","Cause":"cause of Boom"}}`)
	require.Len(t, h.Calls(), 1)

	res = run(t, `{"StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handle","ResultPath":"$.error","Assign":{"err.$":"$.Error"}}]},
		"Handle":{"Type":"Pass","Parameters":{"err.$":"$err","in.$":"$"},"End":true}}}`, `{"n":1}`, newRecorder(fails("Boom")))
	requireSucceeded(t, res, `{"err":"Boom","in":{"n":1,"error":{"Error":"Boom","Cause":"cause of Boom"}}}`)
}

// TestStatesALLDoesNotCatchTerminalErrorsInAFlow pins M2 item 8 end to end:
// States.Runtime and States.DataLimitExceeded end the execution although a
// States.ALL retrier and catcher are there.
func TestStatesALLDoesNotCatchTerminalErrorsInAFlow(t *testing.T) {
	t.Parallel()
	const handlers = `"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":3}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handled"}]`
	for _, name := range []string{aslerr.Runtime, aslerr.DataLimitExceeded} {
		h := newRecorder(fails(name))
		res := run(t, `{"StartAt":"Work","States":{
			"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,`+handlers+`},
			"Handled":{"Type":"Succeed"}}}`, "", h)
		requireFailed(t, res, runtime.StatusFailed, name)
		require.Len(t, h.Calls(), 1, "%s is not retried", name)
		require.False(t, entered(res, "Handled"), "%s is not caught", name)
	}

	// A States.Runtime raised by the state itself (a JSONPath InputPath
	// that selects nothing) is not caught either.
	h := newRecorder(echo)
	res := run(t, `{"StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.missing","End":true,`+handlers+`},
		"Handled":{"Type":"Succeed"}}}`, "", h)
	requireFailed(t, res, runtime.StatusFailed, aslerr.Runtime)
	require.Empty(t, h.Calls())
	require.False(t, entered(res, "Handled"))
}

// TestQueryEvaluationErrorNamesTheEnteredEvent replays the recorded case
// BASE_UNDEFINED_OUTPUT_MULTIPLE_STATES: the cause names the failing state
// and the id of its StateEntered event in this execution's history.
func TestQueryEvaluationErrorNamesTheEnteredEvent(t *testing.T) {
	t.Parallel()
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"State0","States":{
		"State0":{"Type":"Pass","Next":"State1"},
		"State1":{"Type":"Pass","Next":"State2"},
		"State2":{"Type":"Pass","End":true,"Output":{"result":"{% $doesNotExist %}"}}}}`, "", nil)
	requireFailed(t, res, runtime.StatusFailed, aslerr.QueryEvaluationError)
	require.Equal(t, "An error occurred while executing the state 'State2' (entered at the event id #6). The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).", res.Cause)
}

// TestQueryEvaluationErrorIsCaught checks that a failed Arguments
// expression goes to the state's Catch, and the execution continues.
func TestQueryEvaluationErrorIsCaught(t *testing.T) {
	t.Parallel()
	h := newRecorder(echo)
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Arguments":{"FunctionName":"{% $nope %}"},
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handle","Output":"{% $states.errorOutput.Error %}"}]},
		"Handle":{"Type":"Succeed"}}}`, "", h)
	requireSucceeded(t, res, `"States.QueryEvaluationError"`)
	require.Empty(t, h.Calls(), "the task is not called")
}

// TestJSONataTaskFlow runs a Task with Arguments, Output and Assign, and its
// timeouts as expressions, through the engine and a recording handler.
func TestJSONataTaskFlow(t *testing.T) {
	t.Parallel()
	h := newRecorder(func(_ context.Context, req *integrations.Request) (any, error) {
		return map[string]any{"echo": req.Parameters, "timeout": int64(req.TimeoutSeconds), "heartbeat": int64(req.HeartbeatSeconds)}, nil
	})
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Read",
			"Arguments":{"FunctionName":"f","Payload":{"n":"{% $states.input.n * 2 %}"}},
			"TimeoutSeconds":"{% $states.input.n * 30 %}","HeartbeatSeconds":"{% $states.input.n * 10 %}",
			"Output":"{% $states.result.echo.Payload %}","Assign":{"limits":"{% [$states.result.timeout, $states.result.heartbeat] %}"}},
		"Read":{"Type":"Pass","Output":{"payload":"{% $states.input %}","limits":"{% $limits %}"},"End":true}}}`, `{"n":2}`, h)
	requireSucceeded(t, res, `{"payload":{"n":4},"limits":[60,20]}`)
	calls := h.Calls()
	require.Len(t, calls, 1)
	requireJSON(t, `{"FunctionName":"f","Payload":{"n":4}}`, calls[0].Parameters)
}

// TestJSONataClockAndRandomnessInAFlow checks that $now() follows the
// virtual clock and that a seeded execution repeats $random() and $uuid().
func TestJSONataClockAndRandomnessInAFlow(t *testing.T) {
	t.Parallel()
	res := run(t, `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"t0":"{% $now() %}"},"Next":"W"},
		"W":{"Type":"Wait","Seconds":"{% 90 %}","Next":"B"},
		"B":{"Type":"Pass","Output":{"t0":"{% $t0 %}","t1":"{% $now() %}","entered":"{% $states.context.State.EnteredTime %}"},"End":true}}}`, "", nil)
	requireSucceeded(t, res, `{"t0":"2024-03-01T12:00:00.000Z","t1":"2024-03-01T12:01:30.000Z","entered":"2024-03-01T12:01:30.000Z"}`)

	const def = `{"QueryLanguage":"JSONata","StartAt":"A","States":{
		"A":{"Type":"Pass","Output":{"r":"{% $random() %}","u":"{% $uuid() %}","s":"{% $random(7) %}"},"End":true}}}`
	first := asl.EncodeJSON(runSeeded(t, def, 42, &runtime.Engine{}).Output)
	require.Equal(t, first, asl.EncodeJSON(runSeeded(t, def, 42, &runtime.Engine{}).Output))
	other := runSeeded(t, def, 43, &runtime.Engine{}).Output.(map[string]any)
	require.NotEqual(t, first, asl.EncodeJSON(other))
	seeded := runSeeded(t, def, 42, &runtime.Engine{}).Output.(map[string]any)
	require.Equal(t, seeded["s"], other["s"], "$random(seed) does not depend on the execution's source")
}
