package gateway_test

import (
	"context"
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalbox/signalbox/gateway"
	snsapi "github.com/signalbox/signalbox/gateway/sns"
	sqsapi "github.com/signalbox/signalbox/gateway/sqs"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// SNS shares / with Step Functions and SQS. These tests hold the routing
// and the checks of callers; they need no topic router behind the API
// (its errors are SNS's answers too), so they run on the router's
// contract alone.

// snsActions are the SNS client's operations: its methods taking
// (context, *<Name>Input, ...).
func snsActions() []string {
	var names []string
	ct := reflect.TypeOf(&sns.Client{})
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() >= 3 && m.Type.In(2).Kind() == reflect.Pointer && m.Type.In(2).Elem().Name() == m.Name+"Input" {
			names = append(names, m.Name)
		}
	}
	return names
}

// snsAnswer is an SNS answer: <XResponse> or <ErrorResponse>, in SNS's
// namespace.
type snsAnswer struct {
	XMLName xml.Name
	Error   struct{ Code, Message string }
}

// Every action of the SDK's SNS client reaches SNS's action table, with
// its Version or without (but the two SQS has too, which go to SQS without
// a Version): none falls through to Step Functions or SQS.
func TestSNSEveryActionReachesTheTable(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	actions := snsActions()
	require.Len(t, actions, 42)
	shared := []string{}
	for name := range snsapi.Actions() {
		if _, ok := sqsapi.Actions()[name]; ok {
			shared = append(shared, name)
		}
	}
	sort.Strings(shared)
	require.Equal(t, []string{"AddPermission", "RemovePermission"}, shared, "SQS's and SNS's actions are disjoint but these")

	for _, name := range actions {
		for _, version := range []string{snsapi.Version, ""} {
			form := url.Values{"Action": {name}}
			if version != "" {
				form.Set("Version", version)
			}
			status, body := postForm(t, b.url, "/", form)
			var a snsAnswer
			require.NoError(t, xml.Unmarshal([]byte(body), &a), "%s %q: %s", name, version, body)
			if version == "" && slices.Contains(shared, name) {
				require.Equal(t, "AWS.SimpleQueueService.UnsupportedOperation", a.Error.Code, "%s without a version is SQS's", name)
				continue
			}
			require.Equal(t, snsapi.XMLNS, a.XMLName.Space, "%s %q: %s", name, version, body)
			require.NotEqual(t, "Could not find operation "+name+" for version 2010-03-31", a.Error.Message)
			if !snsapi.Actions()[name] {
				require.Equal(t, http.StatusBadRequest, status)
				require.Equal(t, "InvalidAction", a.Error.Code)
				require.Contains(t, a.Error.Message, "Operation ("+name+") is not supported by Signalbox: ")
			}
		}
	}
	// an unknown action with SNS's version is SNS's InvalidAction; without
	// a version it is no one's but Step Functions'
	status, body := postForm(t, b.url, "/", url.Values{"Action": {"Frobnicate"}, "Version": {snsapi.Version}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "<Code>InvalidAction</Code><Message>Could not find operation Frobnicate for version 2010-03-31</Message>")
	status, body = postForm(t, b.url, "/", url.Values{"Action": {"Frobnicate"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.NotContains(t, body, snsapi.XMLNS)

	// Step Functions' API is where it was
	_, err := sfnClient(b.url, "AKIDTEST", "secret").ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	// and SQS's
	_, err = b.sqs.ListQueues(context.Background(), nil)
	require.NoError(t, err)
}

// Without Options.Topics there is no SNS API: its requests are Step
// Functions' (which speaks no query protocol).
func TestSNSOffWithoutTopics(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{})
	r := b.do(t, http.MethodPost, "/", url.Values{"Action": {"ListTopics"}, "Version": {snsapi.Version}}.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	require.NotContains(t, r.body, snsapi.XMLNS)
	require.NotEqual(t, http.StatusOK, r.status)
}

// With credentials, SNS's requests must carry a Signature Version 4 for
// the signing service sns (or a management key) but a subscriber's GETs
// of its SubscribeURL and UnsubscribeURL.
func TestSNSCallersAreChecked(t *testing.T) {
	t.Parallel()
	b := newSNS(t, func(o *gateway.Options) {
		o.Credentials = map[string]string{"AKIDTEST": "secret"}
		o.APIKeys = []string{"mgmt-key"}
	})
	ctx := context.Background()
	add := &sns.AddPermissionInput{TopicArn: aws.String(snsArnPrefix + "t"), Label: aws.String("l"), AWSAccountId: []string{"1"}, ActionName: []string{"Publish"}}

	_, err := b.client.AddPermission(ctx, add)
	requireSNSCode(t, err, "InvalidAction", 400) // past the check
	_, err = snsClient(b.url, "AKIDTEST", "wrong").AddPermission(ctx, add)
	require.Contains(t, requireSNSCode(t, err, "SignatureDoesNotMatch", 400), "signature we calculated does not match")
	_, err = snsClient(b.url, "AKIDOTHER", "secret").AddPermission(ctx, add)
	requireSNSCode(t, err, "InvalidClientTokenId", 400)

	status, body := postForm(t, b.url, "/", url.Values{"Action": {"ListTopics"}, "Version": {snsapi.Version}})
	require.Equal(t, http.StatusBadRequest, status, body) // awsproto's status for the check's errors, as SQS's and Step Functions'
	require.Equal(t, "MissingAuthenticationToken", parseAnswer(t, body).Error.Code)
	r := (&gwBundle{url: b.url}).do(t, http.MethodPost, "/", url.Values{"Action": {"AddPermission"}, "Version": {snsapi.Version}}.Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "x-api-key", "mgmt-key")
	require.Equal(t, http.StatusBadRequest, r.status, r.body)
	require.Equal(t, "InvalidAction", parseAnswer(t, string(r.body)).Error.Code, "a management key is a caller")
	r = (&gwBundle{url: b.url}).do(t, http.MethodGet, "/?"+url.Values{"Action": {"ListTopics"}}.Encode(), "")
	require.Equal(t, "MissingAuthenticationToken", parseAnswer(t, string(r.body)).Error.Code, "a GET of another action is checked")

	// the subscriber's URLs pass unsigned: the answer is the router's
	// (the token and ARN are made up), not the check's
	r = (&gwBundle{url: b.url}).do(t, http.MethodGet, "/?"+url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {snsArnPrefix + "t"}, "Token": {"x"}}.Encode(), "")
	require.NotEqual(t, "MissingAuthenticationToken", parseAnswer(t, string(r.body)).Error.Code, r.body)
	require.Contains(t, string(r.body), snsapi.XMLNS)
	r = (&gwBundle{url: b.url}).do(t, http.MethodGet, "/?"+url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {snsArnPrefix + "t:0"}}.Encode(), "")
	require.NotEqual(t, "MissingAuthenticationToken", parseAnswer(t, string(r.body)).Error.Code, r.body)
	// but not when they carry credentials that fail
	r = (&gwBundle{url: b.url}).do(t, http.MethodGet, "/?"+url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {snsArnPrefix + "t:0"}}.Encode(), "",
		"x-api-key", "wrong")
	require.Equal(t, "InvalidClientTokenId", parseAnswer(t, string(r.body)).Error.Code, r.body)

	open := gateway.New(gateway.Options{Runtime: b.d, Topics: b.topics, Credentials: map[string]string{"AKIDTEST": "secret"}}).OpenEndpoints()
	require.Contains(t, open, "GET /?Action=ConfirmSubscription (SNS's SubscribeURL: the token is the secret)")
}

// SNS's server spans are named after the action, as Step Functions' and
// SQS's are: "POST / Publish", and a subscriber's "GET / Unsubscribe".
func TestSNSServerSpans(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	st := storetest.Open(t, "sbsnss-")
	o := gateway.Options{Runtime: runtime.NewDurable(st, &runtime.Durable{}), Topics: topic.New(st, topic.Config{}), Queues: queue.New(st, queue.Config{}),
		Logger: slog.New(slog.DiscardHandler), TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	srv := httptest.NewServer(gateway.New(o).Handler())
	_, err := snsClient(srv.URL, "AKIDTEST", "secret").Publish(context.Background(), &sns.PublishInput{TopicArn: aws.String(snsArnPrefix + "t"), Message: aws.String("m")})
	require.Error(t, err) // no such topic (or no router yet): named all the same
	postForm(t, srv.URL, "/", url.Values{"Action": {"ListQueues"}})
	resp, err := http.Get(srv.URL + "/?Action=Unsubscribe&SubscriptionArn=x")
	require.NoError(t, err)
	resp.Body.Close()
	srv.Close() // every request ended, and so its span

	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	for _, want := range []string{"POST / Publish", "POST / ListQueues", "GET / Unsubscribe"} {
		require.True(t, slices.Contains(names, want), "no span %q in %q", want, names)
	}
}

// A request body is bounded by sns.MaxBodyBytes, which holds a full
// publish in the worst encoding.
func TestSNSBodyLimit(t *testing.T) {
	t.Parallel()
	b := newSNS(t)
	status, body := postForm(t, b.url, "/", url.Values{"Action": {"Publish"}, "Version": {snsapi.Version}, "Message": {strings.Repeat("a", snsapi.MaxBodyBytes)}})
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	require.Equal(t, "RequestEntityTooLarge", parseAnswer(t, body).Error.Code)
	require.Contains(t, body, snsapi.XMLNS)

	// 256 KiB of binary attribute, base64 of bytes 0xfb 0xff ('+', '/'
	// in base64, %2B %2F in the form): the worst encoding, read whole
	blob := strings.Repeat("\xfb\xef\xbf", snsapi.MaxPayload/3-10)
	form := url.Values{"Action": {"Publish"}, "Version": {snsapi.Version}, "TopicArn": {snsArnPrefix + "none"}, "Message": {"m"},
		"MessageAttributes.entry.1.Name": {"b"}, "MessageAttributes.entry.1.Value.DataType": {"Binary"},
		"MessageAttributes.entry.1.Value.BinaryValue": {base64Std(blob)}}
	require.Greater(t, len(form.Encode()), 1_000_000)
	status, body = postForm(t, b.url, "/", form)
	require.NotEqual(t, http.StatusRequestEntityTooLarge, status, body)
	require.NotEqual(t, "InvalidParameter", parseAnswer(t, body).Error.Code, body)
}

// The URLs SNS hands a subscriber reach SNS although a user route takes
// GET /; the route keeps every other GET /.
func TestSNSSubscriberURLsBeforeUserRoutes(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "sbsnsu-")
	b := newGW(t, gateway.Options{Topics: topic.New(st, topic.Config{}),
		Routes: []gateway.Route{{Method: "GET", Path: "/", StateMachine: "echo"}}}, gwMachine{name: "echo", def: gwEcho})
	r := b.do(t, http.MethodGet, "/?"+url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {snsArnPrefix + "t"}, "Token": {"x"}}.Encode(), "")
	require.Contains(t, string(r.body), snsapi.XMLNS, "%s", r.body)
	r = b.do(t, http.MethodGet, "/?"+url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {snsArnPrefix + "t:1"}}.Encode(), "")
	require.Contains(t, string(r.body), snsapi.XMLNS, "%s", r.body)
	r = b.do(t, http.MethodGet, "/?"+url.Values{"Action": {"ListTopics"}}.Encode(), "")
	require.NotContains(t, string(r.body), snsapi.XMLNS, "another action's GET is the route's")
	require.Contains(t, r.json(t)["executionArn"], ":execution:echo:")
}
