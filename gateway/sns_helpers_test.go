package gateway_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// snsBundle is one SNS endpoint under test: the topic router (with the
// queue router for sqs subscriptions, and the runtime as its host) on a
// store of the test's own, gateway.New over them on a loopback server
// whose URL is the router's PublicURL, and the official SDK's SNS and SQS
// clients pointed at it.
type snsBundle struct {
	url    string
	topics *topic.Service
	client *sns.Client
	sqs    *sqs.Client
	d      *runtime.Durable
}

// newSNS starts the bundle; opts adjust the gateway's options.
func newSNS(t *testing.T, opts ...func(*gateway.Options)) *snsBundle {
	t.Helper()
	st := storetest.Open(t, "sbsns-")
	l := newLoopback()
	b := &snsBundle{url: l.url, d: runtime.NewDurable(st, &runtime.Durable{})}
	queues := queue.New(st, queue.Config{})
	b.topics = topic.New(st, topic.Config{Queues: queues, Host: b.d.Host(), PublicURL: b.url})
	l.serve(t, gateway.Options{Runtime: b.d, Queues: queues, Topics: b.topics, Logger: testLogger(t)}, opts)
	b.topics.Start(context.Background()) // the deliveries
	t.Cleanup(b.topics.Close)
	b.client = snsClient(b.url, "AKIDTEST", "secret")
	b.sqs = sqsClient(b.url, "AKIDTEST", "secret")
	return b
}

// snsClient is the SDK's SNS client for url, signing with the given key.
func snsClient(url, keyID, secret string) *sns.Client {
	return sns.NewFromConfig(sdkConfig(keyID, secret), func(o *sns.Options) { o.BaseEndpoint = aws.String(url) })
}

// requireSNSCode asserts SNS's error code and HTTP status, and returns the
// message.
var requireSNSCode = requireAPICode

const snsArnPrefix = "arn:aws:sns:us-east-1:123456789012:"

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
