package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

func TestStateMachinesLifecycle(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	v1 := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"one","End":true}}}`)
	v2 := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"two","End":true}}}`)

	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "bad name", Definition: v1})
	require.ErrorIs(t, err, runtime.ErrInvalidName)
	_, err = d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: []byte(`{"StartAt":"X","States":{}}`)})
	var de *diag.Error
	require.ErrorAs(t, err, &de, "an invalid definition is refused with its diagnostics")

	sm, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: v1, RoleARN: "role", Publish: true})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:m", sm.ARN)
	require.Equal(t, sm.ARN+":1", sm.VersionARN)
	require.Equal(t, "STANDARD", sm.Type)
	_, err = d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: v2, RoleARN: "role"})
	require.ErrorIs(t, err, runtime.ErrStateMachineAlreadyExists)

	up, err := d.UpdateStateMachine(ctx, runtime.StateMachineParams{Name: "m", Definition: v2, Publish: true})
	require.NoError(t, err)
	require.Equal(t, sm.ARN+":2", up.VersionARN)
	require.JSONEq(t, string(v2), string(up.Definition))
	require.NotEqual(t, sm.RevisionID, up.RevisionID)

	// New executions use the new definition; a version ARN pins the old.
	latest, err := d.StartExecution(ctx, sm.ARN, "latest", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	pinned, err := d.StartExecution(ctx, sm.ARN+":1", "pinned", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, latest.ID)
	require.NoError(t, err)
	require.JSONEq(t, `"two"`, string(e.Output))
	e, err = d.Describe(ctx, pinned.ID)
	require.NoError(t, err)
	require.JSONEq(t, `"one"`, string(e.Output))

	_, err = d.StartExecution(ctx, sm.ARN+":9", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
	_, err = d.StartExecution(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:ghost", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
	_, err = d.StartExecution(ctx, "not-an-arn", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrInvalidInput)

	execs, cursor, err := d.ListExecutions(ctx, "m", "", "", 10)
	require.NoError(t, err)
	require.Len(t, execs, 2)
	require.Empty(t, cursor)
	execs, _, err = d.ListExecutions(ctx, "m", "FAILED", "", 10)
	require.NoError(t, err)
	require.Empty(t, execs)

	names, next, err := d.ListStateMachines(ctx, "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"m"}, names)
	require.Empty(t, next)
	require.NoError(t, d.DeleteStateMachine(ctx, "m"))
	_, err = d.DescribeStateMachine(ctx, "m")
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
}

func TestStartSyncExecutionRunsExpressMachines(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)","arn.$":"$$.Execution.Id"},"End":true}}}`)
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "fast", Definition: def, Type: "EXPRESS"})
	require.NoError(t, err)
	res, err := d.StartSyncExecution(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:fast", "call-1", map[string]any{"a": int64(2), "b": int64(3)}, integrations.TraceContext{})
	require.NoError(t, err)
	require.Equal(t, runtime.StatusSucceeded, res.Status)
	out := res.Output.(map[string]any)
	require.Equal(t, int64(5), out["sum"])
	require.Contains(t, out["arn"], ":express:fast:call-1:", "an Express execution ARN")

	_, err = d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "slow", Definition: def})
	require.NoError(t, err)
	_, err = d.StartSyncExecution(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:slow", "", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrInvalidInput, "STANDARD machines do not run synchronously")
	_, err = d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "odd", Definition: def, Type: "FAST"})
	require.ErrorIs(t, err, runtime.ErrInvalidInput)
}

// An execution runs with its state machine's role: $$.Execution.RoleArn and
// the ExecutionStarted event name it, whichever process reads them.
func TestStartExecutionCarriesTheStateMachinesRole(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	role := "arn:aws:iam::123456789012:role/orders"
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"role.$":"$$.Execution.RoleArn"},"End":true}}}`)
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "roled", Definition: def, RoleARN: role})
	require.NoError(t, err)
	s, err := d.StartExecution(ctx, d.StateMachineARN("roled"), "", map[string]any{}, integrations.TraceContext{})
	require.NoError(t, err)
	other := runtime.NewDurable(runtime.StoreOf(d), &runtime.Durable{Now: d.Now, Consumer: "w2"}) // no cache of this execution
	require.NoError(t, other.Drain(ctx))
	e, err := d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.JSONEq(t, `{"role":"`+role+`"}`, string(e.Output))
	page, err := runtime.StoreOf(d).HistoryPage(ctx, &store.HistoryPageParams{ExecutionID: s.ID, Limit: 1})
	require.NoError(t, err)
	require.Contains(t, string(page.Events[0].JSON), `"roleArn":"`+role+`"`)
}
