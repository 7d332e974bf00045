package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// serve mounts SQS's API on the queue router, in the region and account
// of its flags: queue URLs and ARNs name them.
func TestServeServesSQS(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--region", "eu-west-1", "--account", "111122223333")
	client := sqs.NewFromConfig(aws.Config{Region: "eu-west-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.URL) })
	ctx := context.Background()
	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	require.NoError(t, err)
	require.Equal(t, s.URL+"/111122223333/inbox", aws.ToString(created.QueueUrl))
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sqs:eu-west-1:111122223333:inbox", attrs.Attributes["QueueArn"])
	_, err = client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: aws.String("hello")})
	require.NoError(t, err)
	got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, WaitTimeSeconds: 5})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	require.Equal(t, "hello", aws.ToString(got.Messages[0].Body))
}
