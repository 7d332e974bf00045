package sfn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// startingHost records the starts it is asked for; the other methods are
// not used by the integration.
type startingHost struct {
	starts []integrations.StartRequest
	err    error
}

func (h *startingHost) SendTaskSuccess(context.Context, string, any) error            { return nil }
func (h *startingHost) SendTaskFailure(context.Context, string, string, string) error { return nil }
func (h *startingHost) SendTaskHeartbeat(context.Context, string) error               { return nil }
func (h *startingHost) StartExecution(_ context.Context, req integrations.StartRequest) (*integrations.Started, error) {
	if h.err != nil {
		return nil, h.err
	}
	h.starts = append(h.starts, req)
	return &integrations.Started{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:C:" + req.Name, StartDate: time.UnixMilli(1700000000123)}, nil
}

const smARN = "arn:aws:states:us-east-1:123456789012:stateMachine:C"

func request(resource string, params string) *integrations.Request {
	v, err := asl.DecodeJSON([]byte(params))
	if err != nil {
		panic(err)
	}
	return &integrations.Request{Resource: resource, Parameters: v, ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:P:p",
		StateName: "T", TaskToken: "tok", IdempotencyKey: "e/0/T-1/0"}
}

func TestInvokeModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	host := &startingHost{}
	h := New(host)
	out, err := h.Invoke(ctx, request(ResourceStartExecution, `{"StateMachineArn":"`+smARN+`","Name":"n1","Input":{"a":1}}`))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:C:n1", "StartDate": int64(1700000000123)}, out)
	require.Nil(t, host.starts[0].Parent)
	require.Equal(t, map[string]any{"a": int64(1)}, host.starts[0].Input)

	out, err = h.Invoke(ctx, request(ResourceSync2, `{"StateMachineArn":"`+smARN+`","Input":"{\"b\":2}"}`))
	require.NoError(t, err)
	p, ok := out.(*integrations.Pending)
	require.True(t, ok)
	require.Equal(t, &integrations.ParentLink{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:P:p", Token: "tok", Mode: integrations.NestedSync2}, host.starts[1].Parent)
	require.Equal(t, map[string]any{"b": int64(2)}, host.starts[1].Input, "a string Input is JSON text")
	require.Equal(t, nameFor("e/0/T-1/0"), host.starts[1].Name, "unnamed: after the idempotency key")
	require.Equal(t, p.Nested, p.Output.(map[string]any)["ExecutionArn"])

	_, err = h.Invoke(ctx, request(ResourceSync, `{"StateMachineArn":"`+smARN+`"}`))
	require.NoError(t, err)
	require.Equal(t, integrations.NestedSync, host.starts[2].Parent.Mode)
	require.Equal(t, map[string]any{}, host.starts[2].Input, "no Input: {}")

	out, err = h.Invoke(ctx, request(ResourceWaitForToken, `{"StateMachineArn":"`+smARN+`"}`))
	require.NoError(t, err)
	require.IsType(t, map[string]any{}, out, "the token comes back through SendTaskSuccess")
	require.Nil(t, host.starts[3].Parent)
}

func TestInvokeRefusesBadParameters(t *testing.T) {
	t.Parallel()
	h := New(&startingHost{})
	for params, want := range map[string]string{
		`[]`:                                  "must be an object",
		`{}`:                                  "StateMachineArn is required",
		`{"StateMachineArn":1}`:               "StateMachineArn is required",
		`{"StateMachineArn":"x","N":1}`:       "unknown parameters N",
		`{"StateMachineArn":"x","Name":1}`:    "Name must be a string",
		`{"StateMachineArn":"x","Input":"{"}`: "not JSON text",
		`{"StateMachineArn":"x","Input":"` + strings.Repeat("a", maxParamBytes) + `"}`: "over the limit",
	} {
		_, err := h.Invoke(context.Background(), request(ResourceStartExecution, params))
		var ae *integrations.Error
		require.True(t, errors.As(err, &ae), params)
		require.Equal(t, ErrValidation, ae.Name)
		require.Contains(t, ae.Cause, want)
	}
}

func TestInvokeMapsStartErrors(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"StateMachineDoesNotExist: arn:...":  ErrStateMachineNotFound,
		"InvalidName: a b":                   ErrInvalidName,
		"ExecutionAlreadyExists: n (FAILED)": ErrExecutionAlreadyExists,
		"something else":                     "States.TaskFailed",
	} {
		h := New(&startingHost{err: errors.New(msg)})
		_, err := h.Invoke(context.Background(), request(ResourceStartExecution, `{"StateMachineArn":"`+smARN+`","Name":"n"}`))
		var ae *integrations.Error
		require.True(t, errors.As(err, &ae))
		require.Equal(t, want, ae.Name, msg)
	}
	// unavailable: the runtime calls again
	h := New(&startingHost{err: integrations.ErrTryAgain})
	_, err := h.Invoke(context.Background(), request(ResourceSync, `{"StateMachineArn":"`+smARN+`"}`))
	require.ErrorIs(t, err, integrations.ErrTryAgain)
}

func TestResultShapes(t *testing.T) {
	t.Parallel()
	e := Execution{ExecutionARN: "arn:x", StateMachineARN: smARN, Name: "n", Status: "SUCCEEDED", Input: []byte(`{"a":1}`), Output: []byte(`[1]`),
		StartDate: time.UnixMilli(1000), StopDate: time.UnixMilli(2000)}
	out, fail := Result(integrations.NestedSync, e)
	require.Nil(t, fail)
	require.JSONEq(t, `{"ExecutionArn":"arn:x","StateMachineArn":"`+smARN+`","Name":"n","Status":"SUCCEEDED","StartDate":1000,"StopDate":2000,
		"Input":"{\"a\":1}","InputDetails":{"Included":true},"Output":"[1]","OutputDetails":{"Included":true}}`, asl.EncodeJSON(out))
	out, _ = Result(integrations.NestedSync2, e)
	require.JSONEq(t, `{"ExecutionArn":"arn:x","StateMachineArn":"`+smARN+`","Name":"n","Status":"SUCCEEDED","StartDate":1000,"StopDate":2000,
		"Input":{"a":1},"InputDetails":{"Included":true},"Output":[1],"OutputDetails":{"Included":true}}`, asl.EncodeJSON(out))

	e.Status, e.Output, e.Error, e.Cause = "ABORTED", nil, "Cancelled", "by hand"
	out, fail = Result(integrations.NestedSync, e)
	require.Nil(t, out)
	require.Equal(t, "States.TaskFailed", fail.Name)
	require.JSONEq(t, `{"ExecutionArn":"arn:x","StateMachineArn":"`+smARN+`","Name":"n","Status":"ABORTED","StartDate":1000,"StopDate":2000,
		"Input":"{\"a\":1}","InputDetails":{"Included":true},"Error":"Cancelled","Cause":"by hand"}`, fail.Cause)
}

func TestNames(t *testing.T) {
	t.Parallel()
	n := nameFor("k")
	require.Len(t, n, 36)
	require.Equal(t, n, nameFor("k"))
	require.NotEqual(t, n, nameFor("k2"))
}

func FuzzInvoke(f *testing.F) {
	for _, s := range []string{`{"StateMachineArn":"` + smARN + `","Input":"{\"a\":[1,2]}","Name":"x"}`, `{}`, `[]`, `null`, `{"Input":"\"s\""}`, `{"StateMachineArn":"a","Input":{"b":null}}`} {
		f.Add(s, "")
		f.Add(s, ".sync:2")
	}
	f.Fuzz(func(t *testing.T, params, mode string) {
		v, err := asl.DecodeJSON([]byte(params))
		if err != nil {
			return
		}
		req := &integrations.Request{Resource: ResourceStartExecution + mode, Parameters: v, TaskToken: "t", IdempotencyKey: "k"}
		out, err := New(&startingHost{}).Invoke(context.Background(), req)
		if err == nil && out == nil {
			t.Fatal("no result and no error")
		}
	})
}
