package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// The node's function runtime serves lambda:invoke Tasks in the durable
// runtime built as serve builds it.
func TestNewFunctionsServesLambdaInvoke(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append(append([]byte(`{"echo":`), b...), '}'))
	}))
	t.Cleanup(srv.Close)
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "echo", Endpoint: srv.URL, ReservedConcurrency: -1})
	require.NoError(t, err)
	st := storetest.Open(t, "sbfnwire-")
	mux := newIntegrations(newQueues(st, nodeOptions{}), nil, nil)
	require.Nil(t, newFunctions(nil, nil, mux, nil, nil), "no resolver, no functions")
	fns := newFunctions(r, nil, mux, nil, nil)
	t.Cleanup(fns.Close)
	d := newRuntime(st, nodeOptions{}, mux, nil, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "f", Input: map[string]any{"n": int64(1)}, Definition: []byte(`{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"echo","Payload.$":"$"},"OutputPath":"$.Payload","Next":"B"},
		"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"echo":{"echo":{"n":1}}}`, string(e.Output))
}
