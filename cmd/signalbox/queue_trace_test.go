package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// A message a sqs:sendMessage task sends joins the execution's trace
// under the task call's span: its AWSTraceHeader (X-Ray's form) and its
// traceparent attribute name that span, in the caller's trace, as the
// spans serve exports say.
func TestSendMessageTaskCarriesTheTaskSpan(t *testing.T) {
	t.Parallel()
	recv := newOTLPReceiver(t)
	s := startServe(t, "--otlp-endpoint", recv.URL)
	ctx := context.Background()
	queues := sqs.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.URL) })
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("traced")})
	require.NoError(t, err)

	client := sfnAPIClient(s.URL)
	def := `{"StartAt":"Send","States":{"Send":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
		"Parameters":{"QueueUrl":"` + aws.ToString(q.QueueUrl) + `","MessageBody.$":"$"},"End":true}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sends"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	require.NoError(t, err)
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"n":1}`),
		TraceHeader: aws.String("00-" + traceID + "-" + callerSpan + "-01")})
	require.NoError(t, err)
	done := awaitExecution(t, s, client, aws.ToString(out.ExecutionArn), sfntypes.ExecutionStatusSucceeded)
	require.Contains(t, aws.ToString(done.Output), `"MD5OfMessageBody"`)

	got, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAWSTraceHeader}})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	m := got.Messages[0]
	require.JSONEq(t, `{"n":1}`, aws.ToString(m.Body))
	s.Stop(t) // flushes the spans

	var taskSpan string
	for _, sp := range recv.received() {
		if sp.traceID == traceID && sp.name == "task arn:aws:states:::sqs:sendMessage" {
			taskSpan = sp.spanID
		}
	}
	require.NotEmpty(t, taskSpan, "the task call's span: %v", recv.received())
	require.Equal(t, "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent="+taskSpan+";Sampled=1", m.Attributes["AWSTraceHeader"])
	require.Equal(t, "00-"+traceID+"-"+taskSpan+"-01", aws.ToString(m.MessageAttributes["traceparent"].StringValue))
}
