package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// A node given a function resolver serves lambda:invoke Tasks and bare
// function ARNs, and its topics invoke functions; without one, none.
func TestANodeInvokesFunctions(t *testing.T) {
	t.Parallel()
	invoked := make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		invoked <- b
		_, _ = w.Write(append(append([]byte(`{"echo":`), b...), '}'))
	}))
	t.Cleanup(srv.Close)
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "echo", Endpoint: srv.URL, ReservedConcurrency: -1})
	require.NoError(t, err)
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbfnnode-")
	ctx := context.Background()
	n, _, err := openNode(ctx, nodeOptions{Store: opts, Functions: r}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, n.store.Purge(context.Background()))
		require.NoError(t, n.Close())
	})

	started, err := n.runtime.Start(ctx, runtime.StartParams{StateMachineName: "f", Input: map[string]any{"n": int64(1)}, Definition: []byte(`{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"echo","Payload.$":"$"},"OutputPath":"$.Payload","Next":"B"},
		"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, n.runtime.Drain(ctx))
	e, err := n.runtime.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"echo":{"echo":{"n":1}}}`, string(e.Output))
	<-invoked
	<-invoked

	tp, err := n.topics.CreateTopic(ctx, &topic.CreateTopicInput{Name: "orders"})
	require.NoError(t, err)
	_, err = n.topics.Subscribe(ctx, &topic.SubscribeInput{TopicARN: tp.ARN, Protocol: topic.ProtocolLambda, Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:echo"})
	require.NoError(t, err)
	_, err = n.topics.Publish(ctx, &topic.PublishInput{TopicARN: tp.ARN, Message: "hello"})
	require.NoError(t, err)
	require.Contains(t, string(<-invoked), `"Message":"hello"`)

	// without options naming a resolver, the store's functions (the
	// Lambda API's) are the node's, and its process pool runs programs
	plain, _ := openTestNode(t, nil)
	require.NotNil(t, plain.functions)
	require.NotNil(t, plain.functionPool)
	_, ok := plain.integrations.Lookup("arn:aws:states:::lambda:invoke")
	require.True(t, ok, "the store's functions serve lambda:invoke")
}
