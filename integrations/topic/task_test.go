package topic

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
)

const (
	taskTraceParent = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
	taskTraceState  = "vendor=abc"
	taskBaggage     = "tenant=t-1"
)

// recordingHost is a Host that records the executions it is asked to
// start, each sent on started.
type recordingHost struct {
	started chan integrations.StartRequest
}

func (h *recordingHost) SendTaskSuccess(context.Context, string, any) error { return nil }
func (h *recordingHost) SendTaskFailure(context.Context, string, string, string) error {
	return nil
}
func (h *recordingHost) SendTaskHeartbeat(context.Context, string) error { return nil }
func (h *recordingHost) StartExecution(_ context.Context, req integrations.StartRequest) (*integrations.Started, error) {
	h.started <- req
	return &integrations.Started{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:ship:" + req.Name}, nil
}

func publishReq(params map[string]any) *integrations.Request {
	return &integrations.Request{Resource: ResourcePublish, Parameters: params,
		TraceParent: taskTraceParent, TraceState: taskTraceState, Baggage: taskBaggage}
}

// A sns:publish task publishes to every subscription: the queue gets the
// envelope with the task's message (an object as its JSON text), subject
// and attributes, and the execution's trace; the result is SNS's answer
// as Step Functions shows it.
func TestPublishTaskPublishes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "orders", nil)
		b.subscribeQueue(t, arn, "audit", nil)
		out, err := NewTask(b.svc).Invoke(b.ctx, publishReq(map[string]any{
			"TopicArn": arn, "Subject": "new order",
			"Message":           map[string]any{"order": "o-1", "qty": int64(2)},
			"MessageAttributes": map[string]any{"kind": map[string]any{"DataType": "String", "StringValue": "new"}},
		}))
		require.NoError(t, err)
		res := out.(map[string]any)

		m := b.receive(t, "audit", 1)[0]
		var env map[string]any
		require.NoError(t, json.Unmarshal([]byte(m.Body), &env))
		require.Equal(t, `{"order":"o-1","qty":2}`, env["Message"], "an object is published as its JSON text")
		require.Equal(t, "new order", env["Subject"])
		require.Equal(t, res["MessageId"], env["MessageId"])
		require.Equal(t, map[string]any{"Type": "String", "Value": "new"}, env["MessageAttributes"].(map[string]any)["kind"])

		// the trace travels with the delivery
		require.Equal(t, queue.MessageAttribute{DataType: "String", StringValue: taskTraceParent}, m.MessageAttributes["traceparent"])
		require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", m.Attributes["AWSTraceHeader"])

		require.NotContains(t, res, "SequenceNumber")
		meta := res["SdkHttpMetadata"].(map[string]any)
		require.Equal(t, int64(200), meta["HttpStatusCode"])
		require.Equal(t, "294", meta["HttpHeaders"].(map[string]any)["Content-Length"], "as AWS's recordings")
		require.Equal(t, res["SdkResponseMetadata"].(map[string]any)["RequestId"], meta["HttpHeaders"].(map[string]any)["x-amzn-RequestId"])
	})
}

// TargetArn is TopicArn's other name; the handler publishes for
// .waitForTaskToken too (the message carries the token, the runtime
// waits).
func TestPublishTaskTargetArnAndTaskToken(t *testing.T) {
	t.Parallel()
	b := setup(t, "", true)
	arn := b.topic(t, "approvals", nil)
	b.subscribeQueue(t, arn, "inbox", map[string]string{"RawMessageDelivery": "true"})
	req := publishReq(map[string]any{"TargetArn": arn, "Message": map[string]any{"TaskToken": "tok-1"}})
	req.Resource, req.TaskToken = ResourcePublishToken, "tok-1"
	_, err := NewTask(b.svc).Invoke(b.ctx, req)
	require.NoError(t, err)
	require.Equal(t, `{"TaskToken":"tok-1"}`, b.receive(t, "inbox", 1)[0].Body)
}

// The trace context, tracestate and baggage included, reaches the
// executions a states subscription starts.
func TestPublishTaskCarriesTheTraceToExecutions(t *testing.T) {
	t.Parallel()
	b := setup(t, "", true)
	host := &recordingHost{started: make(chan integrations.StartRequest, 1)}
	b.svc.SetHost(host)
	arn := b.topic(t, "ship", nil)
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolStates,
		Endpoint: "arn:aws:states:us-east-1:123456789012:stateMachine:ship", Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	_, err = NewTask(b.svc).Invoke(b.ctx, publishReq(map[string]any{"TopicArn": arn, "Message": map[string]any{"n": int64(1)}}))
	require.NoError(t, err)
	var got integrations.StartRequest
	select {
	case got = <-host.started:
	case <-time.After(30 * time.Second): // a safety net: the delivery is made at once
		t.Fatal("no execution was started")
	}
	require.Equal(t, taskTraceParent, got.TraceParent)
	require.Equal(t, taskTraceState, got.TraceState)
	require.Equal(t, taskBaggage, got.Baggage)
	require.Equal(t, map[string]any{"n": float64(1)}, got.Input)
}

func TestPublishTaskFailures(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "orders", nil)
	fifo := b.topic(t, "orders.fifo", map[string]string{"FifoTopic": "true"})
	task := NewTask(b.svc)
	for _, c := range []struct {
		params map[string]any
		name   string
		cause  string
	}{
		{map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:nope", "Message": "x"},
			"SNS.NotFoundException", "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: "},
		{map[string]any{"TopicArn": arn, "Message": ""},
			"SNS.InvalidParameterException", "Invalid parameter: Empty message (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: "},
		{map[string]any{"TopicArn": arn, "Message": nil},
			"SNS.AmazonSNSException", "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null (Service: AmazonSNS; Status Code: 400; Error Code: ValidationError;"},
		{map[string]any{"Message": "x"},
			"SNS.InvalidParameterException", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter (Service: AmazonSNS;"},
		{map[string]any{"PhoneNumber": "+15555550100", "Message": "x"},
			"SNS.InvalidParameterException", "SMS messages is not supported by Signalbox"},
		{map[string]any{"TopicArn": fifo, "Message": "x", "MessageDeduplicationId": "d"},
			"SNS.InvalidParameterException", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageStructure": "json"},
			"SNS.InvalidParameterException", "Message Structure - JSON message body failed to parse"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "Color", "StringValue": "red"}}},
			"SNS.InvalidParameterException", "invalid message attribute type"},
		{map[string]any{"TopicArn": "not-an-arn", "Message": "x"},
			"SNS.InvalidParameterException", "Error Code: InvalidParameter"},
	} {
		_, err := task.Invoke(b.ctx, publishReq(c.params))
		var ie *integrations.Error
		require.ErrorAs(t, err, &ie, "%v", c.params)
		require.Equal(t, c.name, ie.Name, "%v", c.params)
		require.Contains(t, ie.Cause, c.cause, "%v", c.params)
		require.True(t, strings.HasSuffix(ie.Cause, "; Proxy: null)"), ie.Cause)
	}
}

// On a FIFO topic: the group and deduplication ids go with the message,
// the result has its sequence number, and a call made again with the same
// MessageDeduplicationId publishes nothing more.
func TestPublishTaskFIFO(t *testing.T) {
	t.Parallel()
	b := setup(t, "", true)
	arn := b.topic(t, "orders.fifo", map[string]string{"FifoTopic": "true"})
	b.subscribeQueue(t, arn, "audit.fifo", map[string]string{"RawMessageDelivery": "true"})
	task := NewTask(b.svc)
	req := publishReq(map[string]any{"TopicArn": arn, "Message": "o-1", "MessageGroupId": "customer-7", "MessageDeduplicationId": "o-1-attempt-0"})
	first, err := task.Invoke(b.ctx, req)
	require.NoError(t, err)
	res := first.(map[string]any)
	require.Len(t, res["SequenceNumber"], 20)
	require.Equal(t, "352", res["SdkHttpMetadata"].(map[string]any)["HttpHeaders"].(map[string]any)["Content-Length"], "as AWS's recordings")
	again, err := task.Invoke(b.ctx, req)
	require.NoError(t, err)
	require.Equal(t, res["MessageId"], again.(map[string]any)["MessageId"], "deduplicated")
	b.settle(t, "orders.fifo")
	m := b.receive(t, "audit.fifo", 1)[0]
	require.Equal(t, "o-1", m.Body)
	require.Equal(t, "customer-7", m.Attributes["MessageGroupId"])
	b.requireEmpty(t, "audit.fifo")
}

// An Express (in-memory) execution has no task tokens: a
// .waitForTaskToken publish fails with States.Runtime and publishes
// nothing.
func TestPublishTaskWaitForTaskTokenWithoutAToken(t *testing.T) {
	t.Parallel()
	b := setup(t, "", true)
	arn := b.topic(t, "approvals", nil)
	b.subscribeQueue(t, arn, "inbox", nil)
	req := publishReq(map[string]any{"TopicArn": arn, "Message": "x"})
	req.Resource = ResourcePublishToken
	_, err := NewTask(b.svc).Invoke(b.ctx, req)
	var ie *integrations.Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "States.Runtime", ie.Name)
	require.Contains(t, ie.Cause, "Express executions")
	b.settle(t, "approvals")
	b.requireEmpty(t, "inbox")
}
