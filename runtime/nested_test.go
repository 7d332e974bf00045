package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/sfn"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// nestedBundle is a durable runtime whose Task states reach the
// nested-execution integration (integrations/sfn) through its Host, as
// the wiring builds it.
type nestedBundle struct {
	d   *runtime.Durable
	clk interface{ Advance(time.Duration) }
	ctx context.Context
}

func newNested(t *testing.T) *nestedBundle {
	t.Helper()
	mux := integrations.NewMux()
	h := sfn.New(nil)
	sfn.Register(mux, h)
	d, clk := newDurable(t, mux)
	h.SetHost(d.Host())
	return &nestedBundle{d: d, clk: clk, ctx: context.Background()}
}

// newNestedOutbox is newNested on the outbox path (a Redis Cluster's,
// where no script touches the ready stream): the ends' notifications and
// stops go through the executions' outboxes.
func newNestedOutbox(t *testing.T) *nestedBundle {
	t.Helper()
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbrtn-")
	opts.Outbox = true
	st, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Purge(context.Background()); _ = st.Close() })
	mux := integrations.NewMux()
	h := sfn.New(nil)
	sfn.Register(mux, h)
	clk := testclock.New(t0)
	d := runtime.NewDurable(st, &runtime.Durable{Tasks: mux, Now: clk.Now, Consumer: "w1"})
	h.SetHost(d.Host())
	return &nestedBundle{d: d, clk: clk, ctx: context.Background()}
}

// TestNestedOnTheOutboxPath: the chain, a failure and a stop, on the
// outbox path.
func TestNestedOnTheOutboxPath(t *testing.T) {
	t.Parallel()
	b := newNestedOutbox(t)
	c := b.machine(t, "C", defC)
	bARN := b.machine(t, "B", fmt.Sprintf(defB, c))
	a := b.machine(t, "A", fmt.Sprintf(defA, bARN))
	exec := b.start(t, a, "run1", `{"x":1}`)
	require.NoError(t, b.d.Drain(b.ctx))
	ea := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", ea.Status, "%s %s", ea.Error, ea.Cause)
	require.Contains(t, string(ea.Output), `"c":2`)

	f := b.machine(t, "F", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}}`)
	pf := b.machine(t, "PF", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"`+f+`"},"End":true}}}`)
	execF := b.start(t, pf, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	require.Equal(t, "States.TaskFailed", b.describe(t, execF).Error)

	w := b.machine(t, "W", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	mid := b.machine(t, "Mid", `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"`+w+`"},"End":true}}}`)
	top := b.machine(t, "Top", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"`+mid+`"},"End":true}}}`)
	execT := b.start(t, top, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	midExec := b.child(t, execT)
	wExec := b.child(t, midExec)
	id, _, _ := b.d.ExecutionIDOf(execT)
	require.NoError(t, b.d.Stop(b.ctx, id, "", ""))
	require.NoError(t, b.d.Drain(b.ctx))
	for _, x := range []string{execT, midExec, wExec} {
		require.Equal(t, "ABORTED", b.describe(t, x).Status, x)
	}
}

// machine creates a Standard state machine and returns its ARN.
func (b *nestedBundle) machine(t *testing.T, name, def string) string {
	t.Helper()
	return b.machineOf(t, name, def, "")
}

func (b *nestedBundle) machineOf(t *testing.T, name, def, typ string) string {
	t.Helper()
	_, err := b.d.CreateStateMachine(b.ctx, runtime.StateMachineParams{Name: name, Definition: []byte(def), Type: typ})
	require.NoError(t, err)
	return b.d.StateMachineARN(name)
}

// start starts an execution of the state machine arn and returns its ARN.
func (b *nestedBundle) start(t *testing.T, arn, name, input string) string {
	t.Helper()
	st, err := b.d.StartExecution(b.ctx, arn, name, decode(t, input), integrations.TraceContext{})
	require.NoError(t, err)
	return st.ExecutionARN
}

func (b *nestedBundle) describe(t *testing.T, arn string) *runtime.ExecutionInfo {
	t.Helper()
	id, _, err := b.d.ExecutionIDOf(arn)
	require.NoError(t, err)
	e, err := b.d.Describe(b.ctx, id)
	require.NoError(t, err)
	return e
}

// child returns the ARN of the nested execution a parent's task started
// (its TaskSubmitted event's output).
func (b *nestedBundle) child(t *testing.T, parent string) string {
	t.Helper()
	id, _, err := b.d.ExecutionIDOf(parent)
	require.NoError(t, err)
	ev := eventOfType(t, historyEvents(t, b.d, id), "TaskSubmitted")
	var out struct{ ExecutionArn string }
	details := ev["taskSubmittedEventDetails"].(map[string]any)
	require.NoError(t, json.Unmarshal([]byte(details["output"].(string)), &out))
	require.NotEmpty(t, out.ExecutionArn)
	return out.ExecutionArn
}

const (
	defC = `{"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"c.$":"States.MathAdd($.x, 1)","by.$":"$.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"},"End":true}}}`
	// B starts C with .sync:2 (the child's output as JSON)
	defB = `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"%s","Input":{"x.$":"$.x","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},
		"ResultSelector":{"fromC.$":"$.Output","status.$":"$.Status","childInput.$":"$.Input.x"},"End":true}}}`
	// A starts B with .sync (the child's output as JSON text)
	defA = `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
		"Parameters":{"StateMachineArn":"%s","Input":{"x.$":"$.x","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},
		"ResultSelector":{"fromB.$":"States.StringToJson($.Output)","outputIsText.$":"States.Format('{}', $.Output)"},"End":true}}}`
)

// TestNestedSyncChainThreeDeep: A starts B (.sync), which starts C
// (.sync:2); each parent waits for its child and takes its result as AWS
// renders it, and each child's input names its parent
// (AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID, passed by the definition).
func TestNestedSyncChainThreeDeep(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", defC)
	bARN := b.machine(t, "B", fmt.Sprintf(defB, c))
	a := b.machine(t, "A", fmt.Sprintf(defA, bARN))
	exec := b.start(t, a, "run1", `{"x":41}`)
	require.NoError(t, b.d.Drain(b.ctx))

	ea := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", ea.Status, "%s %s", ea.Error, ea.Cause)
	bExec := b.child(t, exec)
	cExec := b.child(t, bExec)
	require.JSONEq(t, `{"fromB":{"fromC":{"c":42,"by":"`+bExec+`"},"status":"SUCCEEDED","childInput":41},
		"outputIsText":"{\"childInput\":41,\"fromC\":{\"by\":\"`+bExec+`\",\"c\":42},\"status\":\"SUCCEEDED\"}"}`, string(ea.Output))
	require.Contains(t, bExec, ":execution:B:")
	require.Contains(t, cExec, ":execution:C:")
	eb := b.describe(t, bExec)
	require.Equal(t, "SUCCEEDED", eb.Status)
	require.JSONEq(t, `{"x":41,"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":"`+exec+`"}`, string(eb.Input))
	require.Equal(t, "SUCCEEDED", b.describe(t, cExec).Status)

	aID, _, _ := b.d.ExecutionIDOf(exec)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"},
		historyTypes(t, b.d, aID))
	// The result of .sync: DescribeExecution's fields, Input and Output as
	// JSON text, dates in unix milliseconds.
	ev := eventOfType(t, historyEvents(t, b.d, aID), "TaskSucceeded")
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(ev["taskSucceededEventDetails"].(map[string]any)["output"].(string)), &res))
	require.Equal(t, bExec, res["ExecutionArn"])
	require.Equal(t, bARN, res["StateMachineArn"])
	require.Equal(t, "SUCCEEDED", res["Status"])
	require.IsType(t, "", res["Input"])
	require.IsType(t, "", res["Output"])
	require.Equal(t, map[string]any{"Included": true}, res["OutputDetails"])
	require.Equal(t, float64(eb.StartDate.UnixMilli()), res["StartDate"])
	require.Equal(t, float64(eb.StopDate.UnixMilli()), res["StopDate"])
}

// TestNestedSyncFailureIsCaught: a child that fails fails its .sync task
// with States.TaskFailed, the cause the child's description (its Error and
// Cause in it), which a Catch takes.
func TestNestedSyncFailureIsCaught(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"bad input"}}}`)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+c+`"},
		"Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","Parameters":{"error.$":"$.err.Error","cause.$":"States.StringToJson($.err.Cause)"},"End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	ea := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", ea.Status, "%s %s", ea.Error, ea.Cause)
	var out struct {
		Error string
		Cause map[string]any
	}
	require.NoError(t, json.Unmarshal(ea.Output, &out))
	require.Equal(t, "States.TaskFailed", out.Error)
	require.Equal(t, "FAILED", out.Cause["Status"])
	require.Equal(t, "Boom", out.Cause["Error"])
	require.Equal(t, "bad input", out.Cause["Cause"])
	require.Equal(t, map[string]any{}, out.Cause["Input"], ".sync:2 renders the input as JSON")
	require.NotContains(t, out.Cause, "Output")

	// Uncaught, the parent fails with it.
	a2 := b.machine(t, "A2", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
		"Parameters":{"StateMachineArn":"`+c+`","Input":"{\"as\":\"text\"}"},"End":true}}}`)
	exec2 := b.start(t, a2, "run2", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	e2 := b.describe(t, exec2)
	require.Equal(t, "FAILED", e2.Status)
	require.Equal(t, "States.TaskFailed", e2.Error)
	var cause map[string]any
	require.NoError(t, json.Unmarshal([]byte(e2.Cause), &cause))
	require.Equal(t, `{"as":"text"}`, cause["Input"], ".sync renders the input as text; a string Input is JSON text")
}

// TestNestedStopPropagates: stopping A stops B, which stops C: all three
// end ABORTED, and the stops of the children notify no one.
func TestNestedStopPropagates(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	bARN := b.machine(t, "B", `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"`+c+`"},"End":true}}}`)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"`+bARN+`"},"End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	bExec := b.child(t, exec)
	cExec := b.child(t, bExec)
	for _, x := range []string{exec, bExec, cExec} {
		require.Equal(t, "RUNNING", b.describe(t, x).Status)
	}
	aID, _, _ := b.d.ExecutionIDOf(exec)
	require.NoError(t, b.d.Stop(b.ctx, aID, "Cancelled", "by the test"))
	require.NoError(t, b.d.Drain(b.ctx))
	for _, x := range []string{exec, bExec, cExec} {
		require.Equal(t, "ABORTED", b.describe(t, x).Status, x)
	}
	require.Equal(t, "Cancelled", b.describe(t, exec).Error)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "ExecutionAborted"}, historyTypes(t, b.d, aID))
}

// TestNestedTaskTimeoutStopsTheChild: a .sync task whose TimeoutSeconds
// run out stops its child; the parent goes on (here, a Catch).
func TestNestedTaskTimeoutStopsTheChild(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
		"Parameters":{"StateMachineArn":"`+c+`"},"TimeoutSeconds":10,
		"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"Late"}],"End":true},"Late":{"Type":"Pass","Result":"late","End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	child := b.child(t, exec)
	b.clk.Advance(10 * time.Second)
	require.NoError(t, b.d.Drain(b.ctx))
	ea := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", ea.Status)
	require.JSONEq(t, `"late"`, string(ea.Output))
	require.Equal(t, "ABORTED", b.describe(t, child).Status)
}

// TestNestedExecutionTimeoutStopsTheChild: the parent's own TimeoutSeconds
// end it TIMED_OUT and stop its child.
func TestNestedExecutionTimeoutStopsTheChild(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	a := b.machine(t, "A", `{"TimeoutSeconds":5,"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
		"Parameters":{"StateMachineArn":"`+c+`"},"End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	child := b.child(t, exec)
	b.clk.Advance(5 * time.Second)
	require.NoError(t, b.d.Drain(b.ctx))
	require.Equal(t, "TIMED_OUT", b.describe(t, exec).Status)
	require.Equal(t, "ABORTED", b.describe(t, child).Status)
}

// TestNestedChildTimesOut: a child that times out fails its .sync task.
func TestNestedChildTimesOut(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"`+c+`"},"End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	b.clk.Advance(5 * time.Second)
	require.NoError(t, b.d.Drain(b.ctx))
	e := b.describe(t, exec)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.TaskFailed", e.Error)
	require.Contains(t, e.Cause, `"Status":"TIMED_OUT"`)
	require.Contains(t, e.Cause, `"Error":"States.Timeout"`)
}

// TestNestedRequestResponseAndCallback: startExecution answers the new
// execution's ARN and start date at once; .waitForTaskToken starts it and
// waits for SendTaskSuccess with the token the definition passed.
func TestNestedRequestResponseAndCallback(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	a := b.machine(t, "A", `{"StartAt":"Fire","States":{
		"Fire":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"`+c+`","Name":"fired"},"ResultPath":"$.fired","Next":"Call"},
		"Call":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.waitForTaskToken","Parameters":{"StateMachineArn":"`+c+`","Input":{"token.$":"$$.Task.Token"}},"ResultPath":"$.answer","End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	require.Equal(t, "RUNNING", b.describe(t, exec).Status)
	fired := b.describe(t, executionOf("C", "fired"))
	require.Equal(t, "RUNNING", fired.Status)
	called := b.describe(t, b.child(t, exec))
	var in struct{ Token string }
	require.NoError(t, json.Unmarshal(called.Input, &in))
	require.NoError(t, b.d.SendTaskSuccess(b.ctx, in.Token, map[string]any{"ok": true}))
	require.NoError(t, b.d.Drain(b.ctx))
	e := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", e.Status)
	var out struct {
		Fired  map[string]any
		Answer map[string]any
	}
	require.NoError(t, json.Unmarshal(e.Output, &out))
	require.Equal(t, fired.ARN, out.Fired["ExecutionArn"])
	require.Equal(t, float64(fired.StartDate.UnixMilli()), out.Fired["StartDate"])
	require.Len(t, out.Fired, 2)
	require.Equal(t, map[string]any{"ok": true}, out.Answer)
}

// executionOf is the ARN of a named execution of the tests' account.
func executionOf(machine, name string) string {
	return fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:%s:%s", machine, name)
}

// TestNestedStartIsIdempotentPerAttempt: a call delivered twice (the same
// idempotency key) starts one child; a Task that names its child and is
// called again after the child ended fails as AWS does.
func TestNestedStartIsIdempotentPerAttempt(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	h := sfn.New(b.d.Host())
	req := &integrations.Request{Resource: sfn.ResourceStartExecution, Parameters: map[string]any{"StateMachineArn": c, "Input": map[string]any{"n": int64(1)}},
		ExecutionARN: executionOf("A", "x"), StateName: "T", IdempotencyKey: "exec/0/T-1/0"}
	first, err := h.Invoke(b.ctx, req)
	require.NoError(t, err)
	again, err := h.Invoke(b.ctx, req)
	require.NoError(t, err)
	require.Equal(t, first, again)
	req2 := *req
	req2.IdempotencyKey = "exec/0/T-1/1"
	other, err := h.Invoke(b.ctx, &req2)
	require.NoError(t, err)
	require.NotEqual(t, first.(map[string]any)["ExecutionArn"], other.(map[string]any)["ExecutionArn"])

	// another input under the same name
	req3 := *req
	req3.Parameters = map[string]any{"StateMachineArn": c, "Input": map[string]any{"n": int64(2)}}
	_, err = h.Invoke(b.ctx, &req3)
	var ae *integrations.Error
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, sfn.ErrExecutionAlreadyExists, ae.Name)

	// A .sync call made again after its named child ended (a crash before
	// the parent's transition) is that child, linked to the same token;
	// another task's call of that name is refused.
	p := b.machine(t, "P", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	sync := &integrations.Request{Resource: sfn.ResourceSync, Parameters: map[string]any{"StateMachineArn": p, "Name": "named"},
		ExecutionARN: executionOf("A", "x"), StateName: "T", TaskToken: "not-a-real-token", IdempotencyKey: "exec/0/T-2/0"}
	started, err := h.Invoke(b.ctx, sync)
	require.NoError(t, err)
	require.NoError(t, b.d.Drain(b.ctx))
	require.Equal(t, "SUCCEEDED", b.describe(t, started.(*integrations.Pending).Nested).Status)
	again, err = h.Invoke(b.ctx, sync)
	require.NoError(t, err)
	require.Equal(t, started.(*integrations.Pending).Nested, again.(*integrations.Pending).Nested)
	another := *sync
	another.TaskToken = "another-token"
	_, err = h.Invoke(b.ctx, &another)
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, sfn.ErrExecutionAlreadyExists, ae.Name)

	// a state machine that does not exist
	req4 := *req
	req4.Parameters = map[string]any{"StateMachineArn": b.d.StateMachineARN("nope")}
	_, err = h.Invoke(b.ctx, &req4)
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, sfn.ErrStateMachineNotFound, ae.Name)
}

// TestNestedSyncFromExpressIsRefused: an Express execution cannot wait for
// a nested one (.sync, .waitForTaskToken): its task fails with a clear
// error, and no child is started.
func TestNestedSyncFromExpressIsRefused(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{".sync", ".sync:2", ".waitForTaskToken"} {
		res := run(t, `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution`+suffix+`",
			"Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:C"},"End":true}}}`, `{}`, sfn.New(nil))
		requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
		require.Contains(t, res.Cause, "Express state machines do not support")
	}
}

// TestNestedSyncOfAnExpressChild: a Standard parent waits for an EXPRESS
// child (.sync:2), which completes the task from the process it ran in.
func TestNestedSyncOfAnExpressChild(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machineOf(t, "C", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"End":true}}}`, "EXPRESS")
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"`+c+`"},"OutputPath":"$.Output","End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	require.NoError(t, b.d.WaitExpress(b.ctx))
	require.NoError(t, b.d.Drain(b.ctx))
	e := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", e.Status, "%s %s", e.Error, e.Cause)
	require.JSONEq(t, `{"done":true}`, string(e.Output))
}

// TestNestedNotificationSurvivesACrash: the worker that takes a child's
// end notification dies before completing the parent's task; another
// runtime takes the notification over and the parent completes.
func TestNestedNotificationSurvivesACrash(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	c := b.machine(t, "C", defC)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+c+`","Input":{"x":1,"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},"OutputPath":"$.Output","End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	st := runtime.StoreOf(b.d)

	// The first worker carries out everything up to the child's end; it
	// takes the notification and dies.
	var lost *store.Work
	for lost == nil {
		works, err := st.WorkRead(b.ctx, "dies", 1, 0)
		require.NoError(t, err)
		require.Len(t, works, 1, "the notification never came")
		if works[0].Item.Kind == runtime.KindNotify {
			lost = &works[0]
			break
		}
		require.NoError(t, b.d.Process(b.ctx, works[0].Item))
		require.NoError(t, st.WorkAck(b.ctx, works[0].ID))
	}
	require.Equal(t, "RUNNING", b.describe(t, exec).Status)
	require.Equal(t, "SUCCEEDED", b.describe(t, b.child(t, exec)).Status)

	// A new runtime takes the lost notification over.
	mux := integrations.NewMux()
	h := sfn.New(nil)
	sfn.Register(mux, h)
	second := runtime.NewDurable(st, &runtime.Durable{Tasks: mux, Now: b.d.Now, Consumer: "alive"})
	h.SetHost(second.Host())
	taken := reclaimAll(t, second)
	require.Len(t, taken, 1)
	require.Equal(t, lost.Item, taken[0].Item)
	require.NoError(t, second.Process(b.ctx, taken[0].Item))
	require.NoError(t, st.WorkAck(b.ctx, taken[0].ID))
	require.NoError(t, second.Drain(b.ctx))
	e := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", e.Status, "%s %s", e.Error, e.Cause)
	require.JSONEq(t, `{"c":2,"by":"`+exec+`"}`, string(e.Output))

	// Delivered once more, the notification finds the token used.
	require.NoError(t, second.Process(b.ctx, lost.Item))
	aID, _, _ := b.d.ExecutionIDOf(exec)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"},
		historyTypes(t, b.d, aID))
}

// TestNestedChildOfACancelledBranchIsStopped: a Parallel branch waits for
// its child while another branch fails; the failure cancels the branch,
// and its child is stopped, whether the Parallel's failure is caught (the
// execution goes on) or ends the execution.
func TestNestedChildOfACancelledBranchIsStopped(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	w := b.machine(t, "W", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	parallel := func(catch string) string {
		caught := ""
		if catch != "" {
			caught = `,"Caught":{"Type":"Wait","Seconds":100,"End":true}`
		}
		return `{"StartAt":"P","States":{"P":{"Type":"Parallel",` + catch + `"End":true,"Branches":[
			{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"` + w + `"},"End":true}}},
			{"StartAt":"Later","States":{"Later":{"Type":"Wait","Seconds":10,"Next":"F"},"F":{"Type":"Fail","Error":"Boom"}}}]}` + caught + `}}`
	}
	for name, c := range map[string]struct{ catch, status string }{
		"caught":   {`"Catch":[{"ErrorEquals":["Boom"],"Next":"Caught"}],`, "RUNNING"},
		"uncaught": {"", "FAILED"},
	} {
		a := b.machine(t, "A-"+name, parallel(c.catch))
		exec := b.start(t, a, "run1", `{}`)
		require.NoError(t, b.d.Drain(b.ctx))
		child := b.child(t, exec)
		require.Equal(t, "RUNNING", b.describe(t, child).Status)
		b.clk.Advance(10 * time.Second)
		require.NoError(t, b.d.Drain(b.ctx))
		require.Equal(t, c.status, b.describe(t, exec).Status, name)
		require.Equal(t, "ABORTED", b.describe(t, child).Status, name)
		if c.status == "RUNNING" { // stopped by the join, not by the end
			b.clk.Advance(100 * time.Second)
			require.NoError(t, b.d.Drain(b.ctx))
			require.Equal(t, "SUCCEEDED", b.describe(t, exec).Status)
		}
	}
}

// TestNestedSyncOfAVersion: a .sync task names a version of the child's
// state machine; the child runs that version's definition.
func TestNestedSyncOfAVersion(t *testing.T) {
	t.Parallel()
	b := newNested(t)
	v1, err := b.d.CreateStateMachine(b.ctx, runtime.StateMachineParams{Name: "C", Publish: true,
		Definition: []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"v1","End":true}}}`)})
	require.NoError(t, err)
	_, err = b.d.UpdateStateMachine(b.ctx, runtime.StateMachineParams{Name: "C",
		Definition: []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"latest","End":true}}}`)})
	require.NoError(t, err)
	a := b.machine(t, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+v1.VersionARN+`"},"OutputPath":"$.Output","End":true}}}`)
	exec := b.start(t, a, "run1", `{}`)
	require.NoError(t, b.d.Drain(b.ctx))
	e := b.describe(t, exec)
	require.Equal(t, "SUCCEEDED", e.Status, "%s %s", e.Error, e.Cause)
	require.JSONEq(t, `"v1"`, string(e.Output))
}
