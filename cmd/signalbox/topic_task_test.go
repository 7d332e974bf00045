package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// openTestNode opens a node as serve and worker open theirs, on a store of
// the test's own (the embedded one, or $SIGNALBOX_REDIS_URL's), with the
// configuration cfg (nil for none).
func openTestNode(t *testing.T, cfg *config.Config) (*node, []config.Problem) {
	t.Helper()
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbnode-")
	n, problems, err := openNode(context.Background(), nodeOptions{Store: opts, Config: cfg, FunctionsDir: t.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	if n != nil {
		t.Cleanup(func() {
			require.NoError(t, n.store.Purge(context.Background()))
			require.NoError(t, n.Close())
		})
	}
	return n, problems
}

// receiveFrom long-polls a queue until it has a message (the long poll
// wakes at a send).
func receiveFrom(t *testing.T, svc *queue.Service, name string) queue.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a safety net: the delivery is made at once
	for {
		wait := 2
		msgs, err := svc.Receive(context.Background(), name, &queue.ReceiveInput{MaxMessages: 1, WaitTimeSeconds: &wait,
			MessageAttributeNames: []string{"All"}, AttributeNames: []string{"All"}})
		require.NoError(t, err)
		if len(msgs) == 1 {
			return msgs[0]
		}
		require.True(t, time.Now().Before(deadline), "no message in %s", name)
	}
}

// A state machine's sns:publish task, run by the node's runtime, publishes
// to a topic whose sqs subscription's queue receives the message with the
// execution's trace; the task's result is SNS's answer.
func TestPublishTaskThroughTheNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	_, err := n.queues.CreateQueue(ctx, &queue.CreateInput{Name: "audit"})
	require.NoError(t, err)
	tp, err := n.topics.CreateTopic(ctx, &topic.CreateTopicInput{Name: "orders"})
	require.NoError(t, err)
	_, err = n.topics.Subscribe(ctx, &topic.SubscribeInput{TopicARN: tp.ARN, Protocol: topic.ProtocolSQS, Endpoint: n.queues.ARN("audit"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)

	def := `{"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
		"Parameters":{"TopicArn":"` + tp.ARN + `","Message.$":"$.order","MessageAttributes":{"kind":{"DataType":"String","StringValue.$":"$.kind"}}},
		"ResultSelector":{"id.$":"$.MessageId"},"ResultPath":"$.published","End":true}}}`
	const traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	started, err := n.runtime.Start(ctx, runtimeStart("publisher", def, `{"order":{"id":"o-1"},"kind":"new"}`, traceParent))
	require.NoError(t, err)
	require.NoError(t, n.runtime.Drain(ctx))
	e, err := n.runtime.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	out, err := asl.DecodeJSON(e.Output)
	require.NoError(t, err)
	id := out.(map[string]any)["published"].(map[string]any)["id"]
	require.NotEmpty(t, id)

	m := receiveFrom(t, n.queues, "audit")
	require.JSONEq(t, `{"id":"o-1"}`, m.Body, "the message object, as its JSON text")
	require.Equal(t, "new", m.MessageAttributes["kind"].StringValue)
	require.True(t, strings.HasPrefix(m.Attributes["AWSTraceHeader"], "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;"), "the execution's trace: %s", m.Attributes["AWSTraceHeader"])

	// a topic that does not exist: the task fails with SNS's error name
	def = `{"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
		"Parameters":{"TopicArn":"` + tp.ARN + `-gone","Message":"x"},"End":true}}}`
	started, err = n.runtime.Start(ctx, runtimeStart("lost", def, `{}`, ""))
	require.NoError(t, err)
	require.NoError(t, n.runtime.Drain(ctx))
	e, err = n.runtime.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "SNS.NotFoundException", e.Error)
	require.Contains(t, e.Cause, "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound;")
}

// runtimeStart is the start of an execution of def with input (JSON).
func runtimeStart(name, def, input, traceParent string) runtime.StartParams {
	in, err := asl.DecodeJSON([]byte(input))
	if err != nil {
		panic(err)
	}
	return runtime.StartParams{StateMachineName: name, Definition: []byte(def), Input: in, TraceParent: traceParent}
}
