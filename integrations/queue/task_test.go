package queue_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

const taskTraceParent = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"

// taskService is a queue router on a store of the test's own, with the
// queues named created.
func taskService(t *testing.T, queues ...string) *queue.Service {
	t.Helper()
	svc := queue.New(storetest.Open(t, "sbqtask-"), queue.Config{})
	for _, name := range queues {
		_, err := svc.CreateQueue(context.Background(), &queue.CreateInput{Name: name})
		require.NoError(t, err)
	}
	return svc
}

// receiveOne receives the one message of a queue, with every attribute.
func receiveOne(t *testing.T, svc *queue.Service, name string) queue.Message {
	t.Helper()
	wait := 0
	msgs, err := svc.Receive(context.Background(), name, &queue.ReceiveInput{MaxMessages: 10, WaitTimeSeconds: &wait,
		AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	return msgs[0]
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSendMessageTaskSends(t *testing.T) {
	t.Parallel()
	svc := taskService(t, "orders")
	task := queue.NewTask(svc)
	out, err := task.Invoke(context.Background(), &integrations.Request{
		Resource: queue.ResourceSendMessage, TraceParent: taskTraceParent,
		Parameters: map[string]any{
			"QueueUrl":          "https://sqs.eu-west-1.amazonaws.com/111111111111/orders",
			"MessageBody":       map[string]any{"order": "o-1", "qty": int64(2)},
			"MessageAttributes": map[string]any{"kind": map[string]any{"DataType": "String", "StringValue": "new"}},
		},
	})
	require.NoError(t, err)
	m := receiveOne(t, svc, "orders")
	require.Equal(t, `{"order":"o-1","qty":2}`, m.Body)
	res := out.(map[string]any)
	require.Equal(t, m.MessageID, res["MessageId"])
	require.Equal(t, md5hex(m.Body), res["MD5OfMessageBody"])
	require.NotEmpty(t, res["MD5OfMessageAttributes"])
	require.Equal(t, int64(200), res["SdkHttpMetadata"].(map[string]any)["HttpStatusCode"])
	require.Equal(t, res["SdkResponseMetadata"].(map[string]any)["RequestId"],
		res["SdkHttpMetadata"].(map[string]any)["HttpHeaders"].(map[string]any)["x-amzn-RequestId"])

	// the trace travels with the message, beside the task's own attribute
	require.Equal(t, queue.MessageAttribute{DataType: "String", StringValue: "new"}, m.MessageAttributes["kind"])
	require.Equal(t, queue.MessageAttribute{DataType: "String", StringValue: taskTraceParent}, m.MessageAttributes["traceparent"])
	require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", m.Attributes["AWSTraceHeader"])
}

func TestSendMessageTaskFailures(t *testing.T) {
	t.Parallel()
	svc := taskService(t, "orders")
	task := queue.NewTask(svc)
	for _, c := range []struct {
		params map[string]any
		cause  string
	}{
		{map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nope", "MessageBody": "x"},
			"The specified queue does not exist. (Service: AmazonSQS; Status Code: 400; Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: "},
		{map[string]any{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "MessageBody": nil},
			"The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; Request ID: "},
		{map[string]any{"QueueUrl": "orders", "MessageBody": "x", "DelaySeconds": int64(901)},
			"Status Code: 400; Error Code: InvalidParameterValue"},
	} {
		_, err := task.Invoke(context.Background(), &integrations.Request{Resource: queue.ResourceSendMessage, Parameters: c.params})
		var ie *integrations.Error
		require.ErrorAs(t, err, &ie, "%v", c.params)
		require.Equal(t, queue.ErrSQS, ie.Name)
		require.Contains(t, ie.Cause, c.cause)
		require.True(t, strings.HasSuffix(ie.Cause, "; Proxy: null)"), ie.Cause)
	}
}

// A queue whose MaximumMessageSize leaves no room for the traceparent
// attribute still takes a message that fits without it.
func TestSendMessageTaskDropsTheTraceAttributeToFit(t *testing.T) {
	t.Parallel()
	svc := taskService(t)
	_, err := svc.CreateQueue(context.Background(), &queue.CreateInput{Name: "small", Attributes: map[string]string{"MaximumMessageSize": "1024"}})
	require.NoError(t, err)
	_, err = queue.NewTask(svc).Invoke(context.Background(), &integrations.Request{Resource: queue.ResourceSendMessage, TraceParent: taskTraceParent,
		Parameters: map[string]any{"QueueUrl": "small", "MessageBody": strings.Repeat("x", 1000)}})
	require.NoError(t, err)
	m := receiveOne(t, svc, "small")
	require.Empty(t, m.MessageAttributes)
	require.NotEmpty(t, m.Attributes["AWSTraceHeader"], "the system attribute carries the trace")
}

// waitDefinition sends the task token to a queue and waits for it; a
// missing queue is caught by its SQS error name.
const waitDefinition = `{"StartAt":"Ask","States":{
	"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl.$":"$.queue","MessageBody":{"TaskToken.$":"$$.Task.Token","item.$":"$.item"}},
		"Catch":[{"ErrorEquals":["SQS.AmazonSQSException"],"ResultPath":"$.error","Next":"NoQueue"}],
		"ResultPath":"$.answer","End":true},
	"NoQueue":{"Type":"Pass","End":true}}}`

func TestSendMessageWaitForTaskTokenInADurableExecution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := taskService(t, "approvals")
	mux := integrations.NewMux()
	mux.Handle(queue.ResourceSendMessageToken, queue.NewTask(svc))
	clk := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	d := runtime.NewDurable(storetest.Open(t, "sbqtaskrt-"), &runtime.Durable{Tasks: mux, Now: clk.Now, Consumer: "w1"})

	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "approve", Definition: []byte(waitDefinition), Name: "a-1",
		Input: map[string]any{"queue": "http://127.0.0.1:1/123456789012/approvals", "item": "i-7"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "waiting for the token")

	// the consumer: the message carries the token; its answer is the task's
	m := receiveOne(t, svc, "approvals")
	body, err := asl.DecodeJSON([]byte(m.Body))
	require.NoError(t, err)
	require.Equal(t, "i-7", body.(map[string]any)["item"])
	token := body.(map[string]any)["TaskToken"].(string)
	require.NotEmpty(t, token)
	require.NoError(t, d.SendTaskSuccess(ctx, token, map[string]any{"approved": true}))
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"queue":"http://127.0.0.1:1/123456789012/approvals","item":"i-7","answer":{"approved":true}}`, string(e.Output))

	// no such queue: the task fails with SQS's error, which Catch takes
	started, err = d.Start(ctx, runtime.StartParams{StateMachineName: "approve", Definition: []byte(waitDefinition), Name: "a-2",
		Input: map[string]any{"queue": "nope", "item": "i-8"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	out, err := asl.DecodeJSON(e.Output)
	require.NoError(t, err)
	caught := out.(map[string]any)["error"].(map[string]any)
	require.Equal(t, "SQS.AmazonSQSException", caught["Error"])
	require.Contains(t, caught["Cause"], "Error Code: AWS.SimpleQueueService.NonExistentQueue")
}

// On a FIFO queue: the group and deduplication ids go with the message,
// the result has its sequence number, and a redelivered call with the same
// MessageDeduplicationId sends nothing more.
func TestSendMessageTaskFIFO(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := taskService(t)
	_, err := svc.CreateQueue(ctx, &queue.CreateInput{Name: "orders.fifo", Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	task := queue.NewTask(svc)
	req := &integrations.Request{Resource: queue.ResourceSendMessage, Parameters: map[string]any{
		"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo", "MessageBody": "o-1",
		"MessageGroupId": "customer-7", "MessageDeduplicationId": "o-1-attempt-0"}}
	first, err := task.Invoke(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, first.(map[string]any)["SequenceNumber"])
	again, err := task.Invoke(ctx, req)
	require.NoError(t, err)
	require.Equal(t, first.(map[string]any)["MessageId"], again.(map[string]any)["MessageId"], "deduplicated")
	m := receiveOne(t, svc, "orders.fifo")
	require.Equal(t, "customer-7", m.Attributes["MessageGroupId"])
	require.Equal(t, "o-1-attempt-0", m.Attributes["MessageDeduplicationId"])

	// without a group: SQS's MissingParameter, as a task failure
	delete(req.Parameters.(map[string]any), "MessageGroupId")
	_, err = task.Invoke(ctx, req)
	var ie *integrations.Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, queue.ErrSQS, ie.Name)
	require.Contains(t, ie.Cause, "The request must contain the parameter MessageGroupId. (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter;")
}

// An Express (in-memory) execution has no task tokens: a
// .waitForTaskToken send fails with States.Runtime and sends nothing.
func TestSendMessageWaitForTaskTokenInAnExpressExecution(t *testing.T) {
	t.Parallel()
	svc := taskService(t, "approvals")
	mux := integrations.NewMux()
	mux.Handle(queue.ResourceSendMessageToken, queue.NewTask(svc))
	// no $$.Task.Token in the parameters (which an Express execution
	// could not evaluate): the handler itself refuses
	m, diags := asl.Compile([]byte(`{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl.$":"$.queue","MessageBody.$":"$.item"},"End":true}}}`))
	require.Empty(t, diags)
	res := (&runtime.Engine{Tasks: mux}).Run(context.Background(), m, runtime.Execution{Express: true,
		Input: map[string]any{"queue": "approvals", "item": "i-1"}, Clock: runtime.NewVirtualClock(time.Now())})
	require.Equal(t, runtime.StatusFailed, res.Status)
	require.Equal(t, "States.Runtime", res.Error)
	require.Contains(t, res.Cause, "Express executions")
	wait := 0
	msgs, err := svc.Receive(context.Background(), "approvals", &queue.ReceiveInput{WaitTimeSeconds: &wait})
	require.NoError(t, err)
	require.Empty(t, msgs, "nothing was sent")
}
