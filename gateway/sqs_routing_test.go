package gateway_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	v1sqs "github.com/aws/aws-sdk-go/service/sqs"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalbox/signalbox/gateway"
	sqsapi "github.com/signalbox/signalbox/gateway/sqs"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// SQS shares its address with Step Functions' API and the user routes:
// each keeps its requests. A user route takes a queue URL's path before
// SQS does; POST / goes to SQS by X-Amz-Target or by the form's Action.
func TestSQSBesideStepFunctionsAndUserRoutes(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{
		Queues: queue.New(storetest.Open(t, "sbsqsr-"), queue.Config{}),
		Routes: []gateway.Route{{Method: "POST", Path: "/{tenant}/{item}", StateMachine: "echo"}},
	}, gwMachine{name: "echo", def: gwEcho})

	// the user route takes /<account>/<name>, a query form and all
	r := b.do(t, http.MethodPost, "/"+sqsAccount+"/orders", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	require.Contains(t, r.json(t)["executionArn"], ":execution:echo:")

	// Step Functions' API is where it was
	machines, err := sfnClient(b.url, "AKIDTEST", "secret").ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Len(t, machines.StateMachines, 1)

	// SQS's JSON protocol at POST /, its errors in SQS's shape
	r = b.do(t, http.MethodPost, "/", `{"QueueUrl":"http://h/123456789012/q","Label":"l"}`,
		"X-Amz-Target", "AmazonSQS.AddPermission", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "AWS.SimpleQueueService.UnsupportedOperation;Sender", r.header.Get("x-amzn-query-error"))
	require.Equal(t, "application/x-amz-json-1.0", r.header.Get("Content-Type"))
	require.NotEmpty(t, r.header.Get("x-amzn-RequestId"))
	require.Equal(t, "com.amazonaws.sqs#UnsupportedOperation", r.json(t)["__type"])
	r = b.do(t, http.MethodPost, "/", `{}`, "X-Amz-Target", "AmazonSQS.Frobnicate", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidAction;Sender", r.header.Get("x-amzn-query-error"))
	r = b.do(t, http.MethodPost, "/", `{"QueueUrl":5}`, "X-Amz-Target", "AmazonSQS.DeleteQueue", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "SerializationException", r.json(t)["__type"])
}

// With credentials, SQS's requests must carry a Signature Version 4 for
// the signing service sqs, in either protocol.
func TestSQSCallersAreChecked(t *testing.T) {
	t.Parallel()
	b := newSQS(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })
	ctx := context.Background()
	qurl := b.queueURL("q")
	add := &sqs.AddPermissionInput{QueueUrl: &qurl, Label: aws.String("l"), AWSAccountIds: []string{"1"}, Actions: []string{"SendMessage"}}

	_, err := b.client.AddPermission(ctx, add)
	requireSQSType[*types.UnsupportedOperation](t, err, "AWS.SimpleQueueService.UnsupportedOperation", 400) // past the check
	_, err = sqsClient(b.url, "AKIDTEST", "wrong").AddPermission(ctx, add)
	require.Contains(t, requireSQSCode(t, err, "SignatureDoesNotMatch"), "signature we calculated does not match")
	_, err = sqsClient(b.url, "AKIDOTHER", "secret").AddPermission(ctx, add)
	requireSQSCode(t, err, "InvalidClientTokenId")

	// the query protocol: signed by SDK v1 (sqs), or not at all
	_, err = sqsV1Client(t, b.url).ListQueuesWithContext(ctx, &v1sqs.ListQueuesInput{})
	require.NoError(t, err)
	status, body := postForm(t, b.url, "/", url.Values{"Action": {"ListQueues"}, "Version": {"2012-11-05"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "MissingAuthenticationToken", parseAnswer(t, body).Error.Code)
	status, body = postForm(t, b.url, "/"+sqsAccount+"/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "MissingAuthenticationToken", parseAnswer(t, body).Error.Code)
}

// A request body is bounded by sqs.MaxBodyBytes, which holds a batch of
// 1 MiB of messages in the worst encoding: the form's %XX of every byte.
func TestSQSBodyLimit(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	r := (&gwBundle{url: b.url}).do(t, http.MethodPost, "/", `{"QueueUrl":"`+strings.Repeat("a", sqsapi.MaxBodyBytes)+`"}`,
		"X-Amz-Target", "AmazonSQS.DeleteQueue", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Equal(t, "RequestEntityTooLarge;Sender", r.header.Get("x-amzn-query-error"))

	// ten messages of 100 KiB of 'é' (two bytes, %C3%A9: six in the form)
	form := url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {b.queueURL("none")}}
	body := strings.Repeat("é", 50*1024)
	for i := range 10 {
		p := "SendMessageBatchRequestEntry." + strconv.Itoa(i+1)
		form.Set(p+".Id", "m"+strconv.Itoa(i))
		form.Set(p+".MessageBody", body)
	}
	require.Greater(t, len(form.Encode()), 3_000_000)
	status, answer := postForm(t, b.url, "/", form)
	// read whole, decoded, and answered by the queue router: the queue
	// does not exist
	require.Equal(t, http.StatusBadRequest, status, answer)
	require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", parseAnswer(t, answer).Error.Code)
}

// SQS's server spans are named after their route and action, as Step
// Functions' are: "POST / SendMessage", and at a queue URL
// "POST /{account}/{queueName} SendMessage".
func TestSQSServerSpans(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	st := storetest.Open(t, "sbsqss-")
	o := gateway.Options{Runtime: runtime.NewDurable(st, &runtime.Durable{}), Queues: queue.New(st, queue.Config{}),
		Logger: slog.New(slog.DiscardHandler), TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	srv := httptest.NewServer(gateway.New(o).Handler())
	qurl := srv.URL + "/" + sqsAccount + "/q"
	_, err := sqsClient(srv.URL, "AKIDTEST", "secret").AddPermission(context.Background(), &sqs.AddPermissionInput{QueueUrl: &qurl,
		Label: aws.String("l"), AWSAccountIds: []string{"1"}, Actions: []string{"SendMessage"}})
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re))
	postForm(t, srv.URL, "/"+sqsAccount+"/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}})
	postForm(t, srv.URL, "/", url.Values{"Action": {"ListQueues"}})
	srv.Close() // every request ended, and so its span

	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	for _, want := range []string{"POST / AddPermission", "POST /{account}/{queueName} SendMessage", "POST / ListQueues"} {
		require.True(t, slices.Contains(names, want), "no span %q in %q", want, names)
	}
}
