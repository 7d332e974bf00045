package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/internal/config"
)

// subscriptionsOf lists a topic's subscriptions as "protocol endpoint".
func subscriptionsOf(t *testing.T, svc *topic.Service, topicARN string) map[string]string {
	t.Helper()
	out, err := svc.ListSubscriptionsByTopic(context.Background(), topicARN, "")
	require.NoError(t, err)
	subs := map[string]string{}
	for _, s := range out.Subscriptions {
		subs[s.Protocol+" "+s.Endpoint] = s.SubscriptionARN
	}
	return subs
}

// The file's topics are created at start with their subscriptions, left
// alone when unchanged, and updated (attributes, tags, subscriptions and
// their attributes) when the file changes; subscriptions not in the file
// stay; what the router refuses is reported at the line of the topic or
// subscription.
func TestConfigApplyTopics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.topics
	const file = `topics:
  - name: orders
    attributes: {DisplayName: Orders, DeliveryPolicy: {http: {defaultHealthyRetryPolicy: {numRetries: 5}}}}
    tags: {team: shop}
    subscriptions:
      - {queue: audit, attributes: {RawMessageDelivery: true}}
      - {stateMachine: ship}
  - name: orders.fifo
`
	done, ps := decodeConfig(t, file).ApplyTopics(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{
		"created orders: subscribed sqs arn:aws:sqs:us-east-1:123456789012:audit, subscribed states arn:aws:states:us-east-1:123456789012:stateMachine:ship",
		"created orders.fifo"}, done)
	arn := svc.TopicARN("orders")
	attrs, err := svc.GetTopicAttributes(ctx, arn)
	require.NoError(t, err)
	require.Equal(t, "Orders", attrs["DisplayName"])
	require.JSONEq(t, `{"http":{"defaultHealthyRetryPolicy":{"numRetries":5}}}`, attrs["DeliveryPolicy"])
	tags, err := svc.ListTags(ctx, arn)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "shop"}, tags)
	subs := subscriptionsOf(t, svc, arn)
	require.Len(t, subs, 2)
	audit := subs["sqs arn:aws:sqs:us-east-1:123456789012:audit"]
	sa, err := svc.GetSubscriptionAttributes(ctx, audit)
	require.NoError(t, err)
	require.Equal(t, "true", sa["RawMessageDelivery"])
	fifo, err := svc.GetTopicAttributes(ctx, svc.TopicARN("orders.fifo"))
	require.NoError(t, err)
	require.Equal(t, "true", fifo["FifoTopic"])

	done, ps = decodeConfig(t, file).ApplyTopics(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"unchanged orders", "unchanged orders.fifo"}, done, "a restart changes nothing")

	// a subscription made by hand, not in the file: left alone
	_, err = svc.Subscribe(ctx, &topic.SubscribeInput{TopicARN: arn, Protocol: topic.ProtocolSQS, Endpoint: "arn:aws:sqs:us-east-1:123456789012:by-hand"})
	require.NoError(t, err)
	done, ps = decodeConfig(t, `topics:
  - name: orders
    attributes: {DisplayName: Shop, DeliveryPolicy: {http: {defaultHealthyRetryPolicy: {numRetries: 5}}}}
    tags: {team: ops}
    subscriptions:
      - {queue: audit, attributes: {RawMessageDelivery: false}}
      - {protocol: sqs, endpoint: "arn:aws:sqs:us-east-1:123456789012:more"}
`).ApplyTopics(ctx, svc)
	require.Empty(t, ps)
	require.Equal(t, []string{"updated orders: DisplayName Orders → Shop, tags, subscription sqs arn:aws:sqs:us-east-1:123456789012:audit: RawMessageDelivery true → false, subscribed sqs arn:aws:sqs:us-east-1:123456789012:more"}, done)
	tags, err = svc.ListTags(ctx, arn)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "ops"}, tags)
	sa, err = svc.GetSubscriptionAttributes(ctx, audit)
	require.NoError(t, err)
	require.Equal(t, "false", sa["RawMessageDelivery"])
	subs = subscriptionsOf(t, svc, arn)
	require.Len(t, subs, 4, "the file's, and those not in it: %v", subs)
	require.Contains(t, subs, "sqs arn:aws:sqs:us-east-1:123456789012:by-hand")
	require.Contains(t, subs, "states arn:aws:states:us-east-1:123456789012:stateMachine:ship")

	// refusals, each at its line; the others are applied
	_, ps = decodeConfig(t, `topics:
  - name: "bad name!"
  - name: orders
    attributes: {SignatureVersion: 3}
    subscriptions:
      - {protocol: email, endpoint: someone@example.com}
      - {queue: audit, attributes: {RawMessageDelivery: maybe}}
      - {protocol: https, endpoint: "ftp://example.com/hook"}
  - name: orders.fifo
    attributes: {FifoTopic: false}
  - name: fine
    subscriptions:
      - {queue: fine}
`).ApplyTopics(ctx, svc)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	require.Len(t, got, 6, "%q", got)
	require.Contains(t, got[0], "signalbox.yaml:2: topics[0].name: InvalidParameter: Invalid parameter: Topic Name")
	require.Contains(t, got[1], "signalbox.yaml:4: topics[1].attributes.SignatureVersion: InvalidParameter: Invalid parameter: SignatureVersion")
	require.Contains(t, got[2], "signalbox.yaml:6: topics[1].subscriptions[0].protocol: InvalidParameter: Invalid parameter: Amazon SNS protocol email is not supported by Signalbox")
	require.Contains(t, got[3], "signalbox.yaml:7: topics[1].subscriptions[1].attributes.RawMessageDelivery: InvalidParameter:")
	require.Contains(t, got[4], "signalbox.yaml:8: topics[1].subscriptions[2].endpoint: InvalidParameter: Invalid parameter: Endpoint must match the specified protocol")
	require.Contains(t, got[5], "signalbox.yaml:10: topics[2].attributes.FifoTopic: the stored topic orders.fifo has FifoTopic true: it cannot change")
	require.Contains(t, subscriptionsOf(t, svc, svc.TopicARN("fine")), "sqs arn:aws:sqs:us-east-1:123456789012:fine")
}

// serve --config creates the file's queue and topic with its subscription
// at start: a state machine's sns:publish task, started through the Step
// Functions API, reaches the queue, which the SQS API reads.
func TestServeConfigCreatesTopics(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": `queues:
  - name: audit
topics:
  - name: orders
    attributes: {DisplayName: Orders}
    subscriptions:
      - {queue: audit, attributes: {RawMessageDelivery: true}}
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	log := s.WaitLog(t, "topic created orders")
	require.Contains(t, log, "topic created orders: subscribed sqs arn:aws:sqs:us-east-1:123456789012:audit")

	ctx := context.Background()
	client := sfnAPIClient(s.URL)
	def := `{"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::sns:publish",
		"Parameters":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:orders","Message.$":"$"},"End":true}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("publisher"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	require.NoError(t, err)
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"order":"o-1"}`)})
	require.NoError(t, err)
	done := awaitExecution(t, s, client, aws.ToString(out.ExecutionArn), sfntypes.ExecutionStatusSucceeded)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(done.Output)), &res))
	require.NotEmpty(t, res["MessageId"])

	queues := sqs.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")},
		func(o *sqs.Options) { o.BaseEndpoint = aws.String(s.URL) })
	got, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/audit"), WaitTimeSeconds: 10})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	require.JSONEq(t, `{"order":"o-1"}`, aws.ToString(got.Messages[0].Body))
}

// A subscription to this server's queue or state machine names one in the
// file or the store: Apply (state machines) and ApplyQueues check, at the
// subscription's line, before any topic is made.
func TestConfigChecksTheEndpointsOfTopics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	c, ps := config.Decode("signalbox.yaml", []byte(`queues:
  - name: audit
topics:
  - name: orders
    subscriptions:
      - {queue: audit}
      - {queue: absent}
      - {stateMachine: absent}
      - {protocol: states, endpoint: "arn:aws:states:us-east-1:123456789012:stateMachine:elsewhere"}
`))
	require.Empty(t, ps)
	_, ps = c.Apply(ctx, n.runtime)
	require.Len(t, ps, 1)
	require.Equal(t, `signalbox.yaml:8: topics[0].subscriptions[2].stateMachine: no state machine "absent" in stateMachines nor in the store`, ps[0].String())
	_, ps = c.ApplyQueues(ctx, n.queues)
	require.Len(t, ps, 1)
	require.Equal(t, `signalbox.yaml:7: topics[0].subscriptions[1].queue: no queue "absent" in queues nor in the store`, ps[0].String())
}

// Two processes applying the file at once (serve and a worker starting
// together) leave one subscription per endpoint (the store keeps one per
// endpoint: before it did, 15 of 20 such races made two, and each message
// went twice).
func TestConfigApplyTopicsTwiceAtOnce(t *testing.T) {
	t.Parallel()
	n, _ := openTestNode(t, nil)
	for round := range 10 {
		name := fmt.Sprintf("race-%d", round)
		c, ps := config.Decode("signalbox.yaml", []byte("topics:\n  - name: "+name+"\n    subscriptions:\n      - {queue: audit}\n      - {stateMachine: ship}\n"))
		require.Empty(t, ps)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ps := c.ApplyTopics(context.Background(), n.topics)
				assert.Empty(t, ps)
			}()
		}
		wg.Wait()
		subs, err := n.topics.ListSubscriptionsByTopic(context.Background(), n.topics.TopicARN(name), "")
		require.NoError(t, err)
		require.Len(t, subs.Subscriptions, 2, "round %d: %v", round, subs.Subscriptions)
	}
}
