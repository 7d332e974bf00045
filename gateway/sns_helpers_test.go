package gateway_test

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

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
	srv := httptest.NewUnstartedServer(nil)
	b := &snsBundle{url: "http://" + srv.Listener.Addr().String(), d: runtime.NewDurable(st, &runtime.Durable{})}
	queues := queue.New(st, queue.Config{})
	b.topics = topic.New(st, topic.Config{Queues: queues, Host: b.d.Host(), PublicURL: b.url})
	o := gateway.Options{Runtime: b.d, Queues: queues, Topics: b.topics, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, f := range opts {
		f(&o)
	}
	srv.Config.Handler = gateway.New(o).Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	b.topics.Start(context.Background()) // the deliveries
	t.Cleanup(b.topics.Close)
	b.client = snsClient(b.url, "AKIDTEST", "secret")
	b.sqs = sqsClient(b.url, "AKIDTEST", "secret")
	return b
}

// snsClient is the SDK's SNS client for url, signing with the given key.
func snsClient(url, keyID, secret string) *sns.Client {
	return sns.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")},
		func(o *sns.Options) { o.BaseEndpoint = aws.String(url) })
}

// requireSNSCode asserts SNS's error code and HTTP status, and returns the
// message.
func requireSNSCode(t *testing.T, err error, code string, status int) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "%v", err)
	return ae.ErrorMessage()
}

const snsArnPrefix = "arn:aws:sns:us-east-1:123456789012:"

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
