package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/snstest"
)

func snsServeClient(base string) *sns.Client {
	return sns.New(sns.Options{BaseEndpoint: aws.String(base), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  awshttp.NewBuildableClient(), RetryMaxAttempts: 1})
}

// snsCode is the AWS error code of err.
func snsCode(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	return ae.ErrorCode()
}

// Every action of SNS's API that Signalbox serves, and each protocol,
// through the official SDK against a real `signalbox serve`: topics and
// their attributes and tags; sqs subscriptions raw and enveloped, with a
// filter policy; an http subscriber (a real server on loopback) that
// confirms through the SubscribeURL and verifies every signature with the
// certificate the server publishes; a states subscription that starts
// executions; PublishBatch; FIFO fanout in order; a failing webhook
// retried by its delivery policy, then its dead-letter queue; Unsubscribe.
func TestSNSAgainstServe(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--addr", "127.0.0.1:0")
	ctx := context.Background()
	c := snsServeClient(s.URL)
	q := crashSQSClient(s.URL)
	sf := sfnAPIClient(s.URL)

	queue := func(name string) string {
		in := &sqs.CreateQueueInput{QueueName: aws.String(name)}
		if strings.HasSuffix(name, ".fifo") {
			in.Attributes = map[string]string{"FifoQueue": "true"}
		}
		_, err := q.CreateQueue(ctx, in)
		require.NoError(t, err)
		return "arn:aws:sqs:us-east-1:123456789012:" + name
	}
	receive := func(name string, n int) []sqstypes.Message {
		var out []sqstypes.Message
		safety := time.Now().Add(60 * time.Second) // a net against a hang, not a synchronisation
		for len(out) < n {
			require.True(t, time.Now().Before(safety), "%s: %d of %d; the server's log:\n%s", name, len(out), n, s.Log())
			r, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/" + name),
				MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageAttributeNames: []string{"All"},
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
			require.NoError(t, err)
			for _, m := range r.Messages {
				_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/" + name), ReceiptHandle: m.ReceiptHandle})
				require.NoError(t, err)
			}
			out = append(out, r.Messages...)
		}
		return out
	}

	// topics
	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events"),
		Attributes: map[string]string{"DisplayName": "Events"}, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	require.NoError(t, err)
	topic := aws.ToString(created.TopicArn)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:events", topic)
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})
	require.Equal(t, "InvalidParameter", snsCode(t, err))
	list, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	require.Len(t, list.Topics, 1)
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: created.TopicArn, AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("2")})
	require.NoError(t, err)
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: created.TopicArn})
	require.NoError(t, err)
	require.Equal(t, "Events", attrs.Attributes["DisplayName"])
	require.Equal(t, "2", attrs.Attributes["SignatureVersion"])
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic + "-nope")})
	require.Equal(t, "NotFound", snsCode(t, err))
	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: created.TopicArn, Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	_, err = c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: created.TopicArn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: created.TopicArn})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	require.Equal(t, "env", aws.ToString(tags.Tags[0].Key))
	_, err = c.PutDataProtectionPolicy(ctx, &sns.PutDataProtectionPolicyInput{ResourceArn: created.TopicArn, DataProtectionPolicy: aws.String(`{"Name":"p","Version":"2021-06-01","Statement":[]}`)})
	require.NoError(t, err)
	dp, err := c.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: created.TopicArn})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(dp.DataProtectionPolicy), `"Name":"p"`)
	_, err = c.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: created.TopicArn, Label: aws.String("l"), AWSAccountId: []string{"1"}, ActionName: []string{"Publish"}})
	require.Equal(t, "InvalidAction", snsCode(t, err))

	// subscriptions: sqs raw with a filter, sqs enveloped, http, states
	rawSub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queue("raw")),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["order"]}`}, ReturnSubscriptionArn: true})
	require.NoError(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queue("env"))})
	require.NoError(t, err)
	hook := snstest.New(t)
	pending, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(hook.URL + "/hook")})
	require.NoError(t, err)
	require.Equal(t, "pending confirmation", aws.ToString(pending.SubscriptionArn))
	conf := hook.WaitConfirmations(t, 1)[0]
	require.NoError(t, conf.Err)
	require.Equal(t, http.StatusOK, conf.Status, "the SubscribeURL answered")
	require.True(t, strings.HasPrefix(conf.SubscribeURL, s.URL+"/?Action=ConfirmSubscription"), conf.SubscribeURL)
	// ConfirmSubscription with the token again: the subscription it is
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: created.TopicArn, Token: aws.String("not-the-token")})
	require.Equal(t, "InvalidParameter", snsCode(t, err))

	sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("consume"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"got.$":"$.Message"},"End":true}}}`)})
	require.NoError(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("states"), Endpoint: sm.StateMachineArn,
		Attributes: map[string]string{"FilterPolicyScope": "MessageBody", "FilterPolicy": `{"kind":["order"]}`}})
	require.NoError(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")})
	require.Equal(t, "InvalidParameter", snsCode(t, err))

	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: created.TopicArn})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 4)
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	require.NoError(t, err)
	require.Len(t, all.Subscriptions, 4)
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: rawSub.SubscriptionArn,
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":["order","refund"]}`)})
	require.NoError(t, err)
	sa, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: rawSub.SubscriptionArn})
	require.NoError(t, err)
	require.Equal(t, "true", sa.Attributes["RawMessageDelivery"])
	require.JSONEq(t, `{"kind":["order","refund"]}`, sa.Attributes["FilterPolicy"])

	// Publish and PublishBatch
	body := `{"kind":"order","id":1}`
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: created.TopicArn, Message: aws.String(body), Subject: aws.String("New order"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("order")}}})
	require.NoError(t, err)
	batch, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: created.TopicArn, PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String(`{"kind":"other"}`)},
		{Id: aws.String("b"), Message: aws.String("x"), MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"n": {DataType: aws.String("Number"), StringValue: aws.String("not a number")}}},
	}})
	require.NoError(t, err)
	require.Len(t, batch.Successful, 1)
	require.Len(t, batch.Failed, 1)
	require.Equal(t, "b", aws.ToString(batch.Failed[0].Id))

	raw := receive("raw", 1)[0]
	require.Equal(t, body, aws.ToString(raw.Body))
	require.Equal(t, "order", aws.ToString(raw.MessageAttributes["kind"].StringValue))
	env := receive("env", 2)
	var ids []string
	for _, m := range env {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &e))
		require.Equal(t, "2", e["SignatureVersion"])
		ids = append(ids, e["MessageId"].(string))
	}
	require.Contains(t, ids, aws.ToString(pub.MessageId))
	notes := hook.WaitNotifications(t, 2) // both verified with the served certificate
	require.Empty(t, hook.Errors())
	require.Equal(t, "New order", notes[0].Field("Subject")+notes[1].Field("Subject"))
	safety := time.Now().Add(60 * time.Second)
	for {
		ex, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusSucceeded})
		require.NoError(t, err)
		if len(ex.Executions) == 1 {
			d, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.Executions[0].ExecutionArn})
			require.NoError(t, err)
			require.JSONEq(t, `{"got":`+strconv.Quote(body)+`}`, aws.ToString(d.Output))
			break
		}
		require.True(t, time.Now().Before(safety), "the states subscription started no execution; the log:\n%s", s.Log())
	}

	// a failing webhook: its policy's retries, then its dead-letter queue
	failing := snstest.New(t)
	dlq := queue("hook-dlq")
	fsub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: created.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(failing.URL),
		ReturnSubscriptionArn: true, Attributes: map[string]string{
			"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlq + `"}`,
			"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":3,"numNoDelayRetries":3,"minDelayTarget":1,"maxDelayTarget":1}}`,
			"FilterPolicy":   `{"kind":["failing"]}`,
		}})
	require.NoError(t, err)
	failing.WaitConfirmations(t, 1)
	failing.FailNext(1_000, http.StatusInternalServerError)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: created.TopicArn, Message: aws.String("doomed"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("failing")}}})
	require.NoError(t, err)
	dead := receive("hook-dlq", 1)[0]
	var de map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(dead.Body)), &de))
	require.Equal(t, "doomed", de["Message"])
	require.Equal(t, 1+4, failing.Requests(), "the confirmation, then the first attempt and 3 retries")
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: fsub.SubscriptionArn})
	require.NoError(t, err)

	// FIFO: each group's messages in order to a FIFO queue
	fifo, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events.fifo"), Attributes: map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}})
	require.NoError(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: fifo.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queue("ordered.fifo")),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	for i := range 20 {
		_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: fifo.TopicArn, Message: aws.String(strconv.Itoa(i)), MessageGroupId: aws.String("g" + strconv.Itoa(i%2))})
		require.NoError(t, err)
	}
	got := map[string][]int{}
	for _, m := range receive("ordered.fifo", 20) {
		n, err := strconv.Atoi(aws.ToString(m.Body))
		require.NoError(t, err)
		g := m.Attributes["MessageGroupId"]
		got[g] = append(got[g], n)
	}
	for g, ns := range got {
		require.True(t, sort.IntsAreSorted(ns), "group %s out of order: %v", g, ns)
	}

	// Unsubscribe and DeleteTopic
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: rawSub.SubscriptionArn})
	require.NoError(t, err)
	_, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: rawSub.SubscriptionArn})
	require.Equal(t, "NotFound", snsCode(t, err))
	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: created.TopicArn})
	require.NoError(t, err)
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: created.TopicArn, Message: aws.String("x")})
	require.Equal(t, "NotFound", snsCode(t, err))
}
