package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// StartExecution of an EXPRESS machine runs it asynchronously in memory and
// records how it ended; its names are not idempotent.
func TestStartExecutionOfExpressMachines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := newDurable(t, nil)
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "fast", Type: runtime.TypeExpress,
		Definition: []byte(`{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"Next":"Check"},
			"Check":{"Type":"Choice","Choices":[{"Variable":"$.sum","NumericGreaterThan":100,"Next":"TooBig"}],"Default":"Done"},
			"TooBig":{"Type":"Fail","Error":"TooBig","Cause":"over 100"},"Done":{"Type":"Succeed"}}}`)})
	require.NoError(t, err)
	arn := d.StateMachineARN("fast")

	ok, err := d.StartExecution(ctx, arn, "call", map[string]any{"a": int64(2), "b": int64(3)}, integrations.TraceContext{})
	require.NoError(t, err)
	require.Regexp(t, `^arn:aws:states:us-east-1:123456789012:express:fast:call:[0-9a-f-]{36}$`, ok.ExecutionARN)
	again, err := d.StartExecution(ctx, arn, "call", map[string]any{"a": int64(200), "b": int64(3)}, integrations.TraceContext{})
	require.NoError(t, err, "an EXPRESS name may repeat")
	require.NotEqual(t, ok.ExecutionARN, again.ExecutionARN)
	require.False(t, again.Existing)

	require.NoError(t, d.WaitExpress(ctx))
	id, sm, err := d.ExecutionIDOf(ok.ExecutionARN)
	require.NoError(t, err)
	require.Equal(t, "fast", sm)
	require.Equal(t, ok.ID, id)
	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `{"sum":5}`, string(e.Output))
	require.False(t, e.StopDate.IsZero())

	id, _, err = d.ExecutionIDOf(again.ExecutionARN)
	require.NoError(t, err)
	e, err = d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "TooBig", e.Error)
	require.Nil(t, e.Output)

	_, err = d.StartExecution(ctx, arn, "bad name", map[string]any{}, integrations.TraceContext{})
	require.ErrorIs(t, err, runtime.ErrInvalidName)
	_, _, err = d.ExecutionIDOf("arn:aws:states:us-east-1:123456789012:stateMachine:fast")
	require.ErrorIs(t, err, runtime.ErrInvalidArn)
}
