package runtime_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// TestHostLetsAnIntegrationActOnExecutions: an integration completes the
// token of the task that called it and starts another execution through
// the Host the wiring hands it, importing nothing of the runtime's.
func TestHostLetsAnIntegrationActOnExecutions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var host integrations.Host
	var child string
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		started, err := host.StartExecution(ctx, integrations.StartRequest{StateMachineARN: req.Parameters.(map[string]any)["machine"].(string), Input: map[string]any{"n": 1}})
		if err != nil {
			return nil, err
		}
		child = started.ExecutionARN
		// a consumer that answers at once, before the call returns
		return map[string]any{}, host.SendTaskSuccess(ctx, req.TaskToken, map[string]any{"child": started.ExecutionARN})
	})
	d, _ := newDurable(t, h)
	host = d.Host()
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "child", Definition: []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	require.NoError(t, err)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "parent", Input: map[string]any{"machine": d.StateMachineARN("child")}, Definition: []byte(`{"StartAt":"T","States":{"T":{
		"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"machine.$":"$.machine","token.$":"$$.Task.Token"},"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `{"child":"`+child+`"}`, string(e.Output))
	require.Contains(t, child, ":execution:child:")
}

// TestTaskCredentialsReachTheIntegration: a Task's Credentials, evaluated,
// are in the request on both engines (they were evaluated and dropped).
func TestTaskCredentialsReachTheIntegration(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Credentials":{"RoleArn.$":"$.role"},"TimeoutSeconds":30,"End":true}}}`
	var got []any
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		got = append(got, req.Credentials)
		return map[string]any{}, nil
	})
	want := map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/caller"}

	requireSucceeded(t, run(t, def, `{"role":"arn:aws:iam::123456789012:role/caller"}`, h), `{}`)
	require.Equal(t, []any{want}, got)

	got = nil
	d, _ := newDurable(t, h)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{"role": "arn:aws:iam::123456789012:role/caller"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.Equal(t, []any{want}, got)
}

// TestPendingResultWaitsForTheToken: a handler that answers later returns
// *Pending; the execution waits (TaskSubmitted) until the Host completes
// the task by the request's token, on a resource without
// .waitForTaskToken, as an activity or a .sync job does.
func TestPendingResultWaitsForTheToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var token string
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		token = req.TaskToken
		return &integrations.Pending{Output: map[string]any{"jobId": "j-1"}}, nil
	})
	d, clk := newDurable(t, h)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: map[string]any{}, Definition: []byte(`{"StartAt":"Job","States":{"Job":{
		"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","TimeoutSeconds":60,"ResultPath":"$.job","End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "waiting for the job")
	require.NotEmpty(t, token)

	clk.Advance(30 * time.Second)
	require.NoError(t, d.Host().SendTaskSuccess(ctx, token, map[string]any{"state": "SUCCEEDED"}))
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `{"job":{"state":"SUCCEEDED"}}`, string(e.Output))
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"},
		historyTypes(t, d, started.ID))
	require.ErrorIs(t, d.Host().SendTaskSuccess(ctx, token, map[string]any{}), runtime.ErrTaskDoesNotExist, "the token is used once")

	// in an Express (in-memory) execution there is no token to wait for
	res := run(t, `{"StartAt":"Job","States":{"Job":{"Type":"Task","Resource":"arn:aws:states:::glue:startJobRun.sync","End":true}}}`, `{}`, h)
	requireFailed(t, res, runtime.StatusFailed, "States.Runtime")
	require.Contains(t, res.Cause, "Express executions do not support")
}

// TestTaskCallsCarryTheExecutionsTrace: a durable execution's task call
// carries its W3C trace context (traceparent, and the starter's
// tracestate and baggage, kept with the execution by a worker that did not
// start it), so that what the call reaches joins the execution's trace.
func TestTaskCallsCarryTheExecutionsTrace(t *testing.T) {
	t.Parallel()
	var got integrations.TraceContext
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		got = req.Trace()
		return map[string]any{}, nil
	})
	d, clk := newDurable(t, h)
	ctx := context.Background()
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", TraceParent: parent, Input: map[string]any{},
		TraceState: "rojo=00f067aa0ba902b7", Baggage: "tenant=acme",
		Definition: []byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`)})
	require.NoError(t, err)
	// another process's worker (no cache of the start) takes the call
	other := runtime.NewDurable(runtime.StoreOf(d), &runtime.Durable{Tasks: h, Now: clk.Now, Consumer: "w2"})
	require.NoError(t, other.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.Equal(t, integrations.TraceContext{Parent: "00-0af7651916cd43dd8448eb211c80319c-" + e.SpanID + "-01",
		State: "rojo=00f067aa0ba902b7", Baggage: "tenant=acme"}, got)
	require.Equal(t, "0af7651916cd43dd8448eb211c80319c", e.TraceID)
}

// TestHandlerMayAskToBeCalledAgain: a handler that cannot make its call
// for a reason of the runtime's own (integrations.ErrTryAgain: its store
// unreachable) is called again a second later, the attempt unchanged, and
// the task does not fail; nothing is recorded of the failed try. In memory
// there is nothing to put the call off on: the task fails.
func TestHandlerMayAskToBeCalledAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var attempts []int
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		attempts = append(attempts, req.Attempt)
		if len(attempts) == 1 {
			return nil, fmt.Errorf("%w: the queue's store is down", integrations.ErrTryAgain)
		}
		return map[string]any{"ok": true}, nil
	})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`
	d, clk := newDurable(t, h)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "the call is put off")
	require.Equal(t, []int{0}, attempts)

	clk.Advance(time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.Equal(t, []int{0, 0}, attempts, "called again, the same attempt")
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"},
		historyTypes(t, d, started.ID))

	attempts = nil
	res := run(t, def, `{}`, h)
	requireFailed(t, res, runtime.StatusFailed, "States.TaskFailed")
}
