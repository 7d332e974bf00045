package sns

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
	oteltrace "go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/topic"
)

// The wire alone: the official SDK's SNS client against the API over a
// recording fake of the topic router, so that every parameter the SDK
// sends is seen decoded, and every answer is read back by the SDK. (The
// gateway's tests drive the real topic router.)

const arnPrefix = "arn:aws:sns:us-east-1:123456789012:"

// fakeTopics records each call's arguments and answers from its fields.
type fakeTopics struct {
	mu    sync.Mutex
	calls []string
	args  map[string][]any
	err   error // returned by every call when set
	// answers
	arns    []string
	next    string
	attrs   map[string]string
	subs    []topic.Subscription
	tags    map[string]string
	results []topic.PublishResult
	policy  string
}

func (f *fakeTopics) record(name string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if f.args == nil {
		f.args = map[string][]any{}
	}
	f.args[name] = args
	return f.err
}

func (f *fakeTopics) got(name string) []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.args[name]
}

func (f *fakeTopics) CreateTopic(_ context.Context, in *topic.CreateTopicInput) (*topic.Topic, error) {
	if err := f.record("CreateTopic", in); err != nil {
		return nil, err
	}
	return &topic.Topic{Name: in.Name, ARN: arnPrefix + in.Name}, nil
}
func (f *fakeTopics) DeleteTopic(_ context.Context, arn string) error {
	return f.record("DeleteTopic", arn)
}
func (f *fakeTopics) ListTopics(_ context.Context, next string) (*topic.ListOutput, error) {
	if err := f.record("ListTopics", next); err != nil {
		return nil, err
	}
	return &topic.ListOutput{ARNs: f.arns, NextToken: f.next}, nil
}
func (f *fakeTopics) GetTopicAttributes(_ context.Context, arn string) (map[string]string, error) {
	if err := f.record("GetTopicAttributes", arn); err != nil {
		return nil, err
	}
	return f.attrs, nil
}
func (f *fakeTopics) SetTopicAttribute(_ context.Context, arn, name, value string) error {
	return f.record("SetTopicAttribute", arn, name, value)
}
func (f *fakeTopics) Subscribe(_ context.Context, in *topic.SubscribeInput) (string, error) {
	if err := f.record("Subscribe", in); err != nil {
		return "", err
	}
	return in.TopicARN + ":sub-1", nil
}
func (f *fakeTopics) ConfirmSubscription(_ context.Context, arn, token string, auth bool) (string, error) {
	if err := f.record("ConfirmSubscription", arn, token, auth); err != nil {
		return "", err
	}
	return arn + ":sub-1", nil
}
func (f *fakeTopics) Unsubscribe(_ context.Context, arn string) error {
	return f.record("Unsubscribe", arn)
}
func (f *fakeTopics) ListSubscriptions(_ context.Context, next string) (*topic.SubscriptionsOutput, error) {
	if err := f.record("ListSubscriptions", next); err != nil {
		return nil, err
	}
	return &topic.SubscriptionsOutput{Subscriptions: f.subs, NextToken: f.next}, nil
}
func (f *fakeTopics) ListSubscriptionsByTopic(_ context.Context, arn, next string) (*topic.SubscriptionsOutput, error) {
	if err := f.record("ListSubscriptionsByTopic", arn, next); err != nil {
		return nil, err
	}
	return &topic.SubscriptionsOutput{Subscriptions: f.subs, NextToken: f.next}, nil
}
func (f *fakeTopics) GetSubscriptionAttributes(_ context.Context, arn string) (map[string]string, error) {
	if err := f.record("GetSubscriptionAttributes", arn); err != nil {
		return nil, err
	}
	return f.attrs, nil
}
func (f *fakeTopics) SetSubscriptionAttribute(_ context.Context, arn, name, value string) error {
	return f.record("SetSubscriptionAttribute", arn, name, value)
}
func (f *fakeTopics) Publish(_ context.Context, in *topic.PublishInput) (*topic.PublishResult, error) {
	if err := f.record("Publish", in); err != nil {
		return nil, err
	}
	return &topic.PublishResult{MessageID: "m-1", SequenceNumber: "10000000000000000001"}, nil
}
func (f *fakeTopics) PublishBatch(_ context.Context, arn string, entries []topic.PublishInput) ([]topic.PublishResult, error) {
	if err := f.record("PublishBatch", arn, entries); err != nil {
		return nil, err
	}
	return f.results, nil
}
func (f *fakeTopics) TagResource(_ context.Context, arn string, tags map[string]string) error {
	return f.record("TagResource", arn, tags)
}
func (f *fakeTopics) UntagResource(_ context.Context, arn string, keys []string) error {
	return f.record("UntagResource", arn, keys)
}
func (f *fakeTopics) ListTags(_ context.Context, arn string) (map[string]string, error) {
	if err := f.record("ListTags", arn); err != nil {
		return nil, err
	}
	return f.tags, nil
}

func (f *fakeTopics) UnsubscribeByURL(_ context.Context, arn string) error {
	return f.record("UnsubscribeByURL", arn)
}
func (f *fakeTopics) DataProtectionPolicy(_ context.Context, arn string) (string, error) {
	if err := f.record("DataProtectionPolicy", arn); err != nil {
		return "", err
	}
	return f.policy, nil
}
func (f *fakeTopics) SetDataProtectionPolicy(_ context.Context, arn, policy string) error {
	return f.record("SetDataProtectionPolicy", arn, policy)
}

// serve starts the API over topics on a loopback server (POST / and GET /
// of the query protocol, and nothing else) and returns its URL.
func serve(t *testing.T, topics Topics, authorize func(*http.Request, []byte) error) string {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	api := New(Options{Topics: topics, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Authorize: authorize})
	h := func(c *gin.Context) {
		if !api.ServeQuery(c) {
			c.String(http.StatusTeapot, "not SNS's")
		}
	}
	e.POST("/", h)
	e.GET("/", h)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func client(url string) *sns.Client {
	return sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

// Every implemented action through the SDK: what it sends arrives whole
// at the topic router, and what the router answers reaches the SDK whole.
func TestEveryActionThroughTheSDK(t *testing.T) {
	t.Parallel()
	f := &fakeTopics{}
	c := client(serve(t, f, nil))
	ctx := context.Background()
	arn := arnPrefix + "orders"

	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"),
		Attributes:           map[string]string{"DisplayName": "Orders & <co>", "FifoTopic": "false"},
		Tags:                 []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("")}},
		DataProtectionPolicy: aws.String(`{"Name":"p"}`)})
	require.NoError(t, err)
	require.Equal(t, arn, aws.ToString(created.TopicArn))
	require.Equal(t, &topic.CreateTopicInput{Name: "orders", Attributes: map[string]string{"DisplayName": "Orders & <co>", "FifoTopic": "false"},
		Tags: map[string]string{"team": "a", "env": ""}, DataProtectionPolicy: `{"Name":"p"}`}, f.got("CreateTopic")[0])

	_, err = c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, []any{arn}, f.got("DeleteTopic"))

	f.arns, f.next = []string{arn, arnPrefix + "b"}, "tok 2"
	list, err := c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: aws.String("tok 1")})
	require.NoError(t, err)
	require.Equal(t, []types.Topic{{TopicArn: aws.String(arn)}, {TopicArn: aws.String(arnPrefix + "b")}}, list.Topics)
	require.Equal(t, "tok 2", aws.ToString(list.NextToken))
	require.Equal(t, []any{"tok 1"}, f.got("ListTopics"))
	f.arns, f.next = nil, ""
	list, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	require.NotNil(t, list.Topics, "an empty <Topics/>")
	require.Empty(t, list.Topics)
	require.Nil(t, list.NextToken)

	f.attrs = map[string]string{"TopicArn": arn, "Policy": `{"Version":"2012-10-17"}`, "DisplayName": ""}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, f.attrs, attrs.Attributes)
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("x y")})
	require.NoError(t, err)
	require.Equal(t, []any{arn, "DisplayName", "x y"}, f.got("SetTopicAttribute"))
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("DeliveryPolicy")})
	require.NoError(t, err)
	require.Equal(t, []any{arn, "DeliveryPolicy", ""}, f.got("SetTopicAttribute"), "no value is the empty value")

	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("https"), Endpoint: aws.String("https://h/x?a=1&b=2"),
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"a":["b"]}`}, ReturnSubscriptionArn: true})
	require.NoError(t, err)
	require.Equal(t, arn+":sub-1", aws.ToString(sub.SubscriptionArn))
	require.Equal(t, &topic.SubscribeInput{TopicARN: arn, Protocol: "https", Endpoint: "https://h/x?a=1&b=2",
		Attributes: map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"a":["b"]}`}, ReturnSubscriptionARN: true}, f.got("Subscribe")[0])

	conf, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("t0k"), AuthenticateOnUnsubscribe: aws.String("true")})
	require.NoError(t, err)
	require.Equal(t, arn+":sub-1", aws.ToString(conf.SubscriptionArn))
	require.Equal(t, []any{arn, "t0k", true}, f.got("ConfirmSubscription"), "signed: the flag holds")
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("t0k")})
	require.NoError(t, err)
	require.Equal(t, []any{arn, "t0k", false}, f.got("ConfirmSubscription"))

	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn + ":sub-1")})
	require.NoError(t, err)
	require.Equal(t, []any{arn + ":sub-1"}, f.got("Unsubscribe"))

	f.subs, f.next = []topic.Subscription{
		{SubscriptionARN: arn + ":sub-1", Owner: "123456789012", Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:123456789012:q", TopicARN: arn},
		{SubscriptionARN: "PendingConfirmation", Owner: "123456789012", Protocol: "https", Endpoint: "https://h/", TopicARN: arn},
	}, "n"
	want := []types.Subscription{
		{SubscriptionArn: aws.String(arn + ":sub-1"), Owner: aws.String("123456789012"), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:q"), TopicArn: aws.String(arn)},
		{SubscriptionArn: aws.String("PendingConfirmation"), Owner: aws.String("123456789012"), Protocol: aws.String("https"), Endpoint: aws.String("https://h/"), TopicArn: aws.String(arn)},
	}
	subs, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{NextToken: aws.String("p")})
	require.NoError(t, err)
	require.Equal(t, want, subs.Subscriptions)
	require.Equal(t, "n", aws.ToString(subs.NextToken))
	require.Equal(t, []any{"p"}, f.got("ListSubscriptions"))
	byTopic, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, want, byTopic.Subscriptions)
	require.Equal(t, []any{arn, ""}, f.got("ListSubscriptionsByTopic"))

	subAttrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn + ":sub-1")})
	require.NoError(t, err)
	require.Equal(t, f.attrs, subAttrs.Attributes)
	_, err = c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn + ":sub-1"),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"x":[{"numeric":[">",1]}]}`)})
	require.NoError(t, err)
	require.Equal(t, []any{arn + ":sub-1", "FilterPolicy", `{"x":[{"numeric":[">",1]}]}`}, f.got("SetSubscriptionAttribute"))

	_, err = c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	require.Equal(t, []any{arn, map[string]string{"k": "v"}}, f.got("TagResource"))
	_, err = c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"k", "j"}})
	require.NoError(t, err)
	require.Equal(t, []any{arn, []string{"k", "j"}}, f.got("UntagResource"))
	_, err = c.PutDataProtectionPolicy(ctx, &sns.PutDataProtectionPolicyInput{ResourceArn: aws.String(arn), DataProtectionPolicy: aws.String(`{"Name":"p"}`)})
	require.NoError(t, err)
	require.Equal(t, []any{arn, `{"Name":"p"}`}, f.got("SetDataProtectionPolicy"))
	f.policy = `{"Name":"q"}`
	dpp, err := c.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, `{"Name":"q"}`, aws.ToString(dpp.DataProtectionPolicy))
	require.Equal(t, []any{arn}, f.got("DataProtectionPolicy"))

	f.tags = map[string]string{"b": "2", "a": "1"}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}, tags.Tags)
}

// Publish and PublishBatch: the message, its attributes of every type
// (binary decoded from base64), FIFO's ids, and each batch entry's outcome.
func TestPublishThroughTheSDK(t *testing.T) {
	t.Parallel()
	f := &fakeTopics{}
	c := client(serve(t, f, nil))
	ctx := context.Background()
	arn := arnPrefix + "jobs.fifo"
	attrs := map[string]types.MessageAttributeValue{
		"s": {DataType: aws.String("String"), StringValue: aws.String("ünï & <x>")},
		"n": {DataType: aws.String("Number.float"), StringValue: aws.String("1.5")},
		"b": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 0xfb, 0xff}},
		"l": {DataType: aws.String("String.Array"), StringValue: aws.String(`["a",1]`)},
	}
	wantAttrs := map[string]topic.MessageAttribute{
		"s": {DataType: "String", StringValue: "ünï & <x>"},
		"n": {DataType: "Number.float", StringValue: "1.5"},
		"b": {DataType: "Binary", BinaryValue: []byte{0, 0xfb, 0xff}},
		"l": {DataType: "String.Array", StringValue: `["a",1]`},
	}

	out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(`{"default":"d","sqs":"q"}`), Subject: aws.String("Hi"),
		MessageStructure: aws.String("json"), MessageAttributes: attrs, MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")})
	require.NoError(t, err)
	require.Equal(t, "m-1", aws.ToString(out.MessageId))
	require.Equal(t, "10000000000000000001", aws.ToString(out.SequenceNumber))
	require.Equal(t, &topic.PublishInput{TopicARN: arn, Message: `{"default":"d","sqs":"q"}`, Subject: "Hi", MessageStructure: "json",
		Attributes: wantAttrs, GroupID: "g", DedupID: "d"}, f.got("Publish")[0])
	_, err = c.Publish(ctx, &sns.PublishInput{TargetArn: aws.String(arn), Message: aws.String("m")})
	require.NoError(t, err)
	require.Equal(t, arn, f.got("Publish")[0].(*topic.PublishInput).TopicARN, "TargetArn names the topic")

	f.results = []topic.PublishResult{
		{ID: "a", MessageID: "m-a", SequenceNumber: "1"},
		{ID: "b-2", Err: &topic.Error{Code: "InvalidParameter", Message: "Invalid parameter: MessageGroupId", Status: 400}},
		{ID: "c_3", Err: &topic.Error{Code: "InternalError", Message: "store down", Status: 500}},
	}
	batch, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(arn), PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("one"), MessageAttributes: attrs, MessageGroupId: aws.String("g")},
		{Id: aws.String("b-2"), Message: aws.String("two"), Subject: aws.String("S")},
		{Id: aws.String("c_3"), Message: aws.String("three"), MessageDeduplicationId: aws.String("x")},
	}})
	require.NoError(t, err)
	require.Equal(t, []types.PublishBatchResultEntry{{Id: aws.String("a"), MessageId: aws.String("m-a"), SequenceNumber: aws.String("1")}}, batch.Successful)
	require.Equal(t, []types.BatchResultErrorEntry{
		{Id: aws.String("b-2"), Code: aws.String("InvalidParameter"), Message: aws.String("Invalid parameter: MessageGroupId"), SenderFault: true},
		{Id: aws.String("c_3"), Code: aws.String("InternalError"), Message: aws.String("store down"), SenderFault: false},
	}, batch.Failed)
	args := f.got("PublishBatch")
	require.Equal(t, arn, args[0])
	require.Equal(t, []topic.PublishInput{
		{ID: "a", TopicARN: arn, Message: "one", Attributes: wantAttrs, GroupID: "g"},
		{ID: "b-2", TopicARN: arn, Message: "two", Subject: "S"},
		{ID: "c_3", TopicARN: arn, Message: "three", DedupID: "x"},
	}, args[1])
}

// requireCode asserts that err is SNS's error code with the status, and
// returns its message.
func requireCode(t *testing.T, err error, code string, status int) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "%v", err)
	return ae.ErrorMessage()
}

// Validation at the wire, before the topic router: required parameters,
// the batch's rules, the payload's bound. The SDK checks required members
// itself, so the requests are forms.
func TestWireValidation(t *testing.T) {
	t.Parallel()
	f := &fakeTopics{}
	base := serve(t, f, nil)
	arn := arnPrefix + "t"
	entry := func(n int, id, msg string) url.Values {
		p := "PublishBatchRequestEntries.member." + strconv.Itoa(n) + "."
		return url.Values{p + "Id": {id}, p + "Message": {msg}}
	}
	merge := func(vs ...url.Values) url.Values {
		out := url.Values{}
		for _, v := range vs {
			for k, x := range v {
				out[k] = x
			}
		}
		return out
	}
	batch := func(n int) url.Values {
		v := url.Values{"Action": {"PublishBatch"}, "Version": {Version}, "TopicArn": {arn}}
		for i := range n {
			v = merge(v, entry(i+1, "e"+strconv.Itoa(i), "m"))
		}
		return v
	}
	big := strings.Repeat("x", MaxPayload/10)
	for _, c := range []struct {
		form          url.Values
		code, message string
		status        int
	}{
		{url.Values{"Action": {"CreateTopic"}}, "InvalidParameter", "Invalid parameter: Name Reason: no value for required parameter", 400},
		{url.Values{"Action": {"DeleteTopic"}, "TopicArn": {""}}, "InvalidParameter", "Invalid parameter: TopicArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"SetTopicAttributes"}, "TopicArn": {arn}}, "InvalidParameter", "Invalid parameter: AttributeName Reason: no value for required parameter", 400},
		{url.Values{"Action": {"Subscribe"}, "TopicArn": {arn}}, "InvalidParameter", "Invalid parameter: Protocol Reason: no value for required parameter", 400},
		{url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}}, "InvalidParameter", "Invalid parameter: Token Reason: no value for required parameter", 400},
		{url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}, "Token": {"t"}, "AuthenticateOnUnsubscribe": {"yes"}}, "InvalidParameter", "Invalid parameter: AuthenticateOnUnsubscribe Reason: must be true or false", 400},
		{url.Values{"Action": {"Unsubscribe"}}, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"ListSubscriptionsByTopic"}}, "InvalidParameter", "Invalid parameter: TopicArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"GetSubscriptionAttributes"}}, "InvalidParameter", "Invalid parameter: SubscriptionArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"TagResource"}, "ResourceArn": {arn}}, "InvalidParameter", "Invalid parameter: Tags Reason: no value for required parameter", 400},
		{url.Values{"Action": {"TagResource"}, "ResourceArn": {arn}, "Tags.member.1.Key": {"k"}, "Tags.member.2.Key": {"k"}}, "InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", 400},
		{url.Values{"Action": {"UntagResource"}, "ResourceArn": {arn}}, "InvalidParameter", "Invalid parameter: TagKeys Reason: no value for required parameter", 400},
		{url.Values{"Action": {"ListTagsForResource"}}, "InvalidParameter", "Invalid parameter: ResourceArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"Subscribe"}, "TopicArn": {arn}, "Protocol": {"sqs"}, "ReturnSubscriptionArn": {"maybe"}}, "InvalidParameter", "Value (maybe) for parameter ReturnSubscriptionArn is invalid. Must be a boolean.", 400},
		{url.Values{"Action": {"CreateTopic"}, "Name": {"n"}, "Attributes.entry.1.value": {"v"}}, "InvalidParameter", "parameter Attributes.entry.1 has no key", 400},
		// Publish
		{url.Values{"Action": {"Publish"}, "Message": {"m"}}, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"Publish"}, "Message": {"m"}, "PhoneNumber": {"+15555550100"}}, "InvalidParameter", "Invalid parameter: PhoneNumber Reason: not supported by Signalbox: SMS is not supported: publish to a topic", 400},
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}}, "InvalidParameter", "Invalid parameter: Message Reason: no value for required parameter", 400},
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "Message": {""}}, "InvalidParameter", "Invalid parameter: Empty message", 400},
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "TargetArn": {arn + "2"}, "Message": {"m"}}, "InvalidParameter", "Invalid parameter: TopicArn Reason: TopicArn and TargetArn may not both be given", 400},
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "Message": {strings.Repeat("é", MaxPayload/2) + "x"}}, "InvalidParameter", "Invalid parameter: Message too long", 400},
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "Message": {strings.Repeat("x", MaxPayload-10)},
			"MessageAttributes.entry.1.Name": {"attr"}, "MessageAttributes.entry.1.Value.DataType": {"String"}, "MessageAttributes.entry.1.Value.StringValue": {"value"}},
			"InvalidParameter", "Invalid parameter: Message too long", 400}, // 10 bytes under, 4 + 6 + 5 of attribute
		{url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "Message": {"m"},
			"MessageAttributes.entry.1.Name": {"b"}, "MessageAttributes.entry.1.Value.DataType": {"Binary"}, "MessageAttributes.entry.1.Value.BinaryValue": {"%%"}},
			"ParameterValueInvalid", "The message attribute 'b' has an invalid binary value: it is not base64.", 400},
		// PublishBatch
		{url.Values{"Action": {"PublishBatch"}, "Version": {Version}}, "InvalidParameter", "Invalid parameter: TopicArn Reason: no value for required parameter", 400},
		{batch(0), "EmptyBatchRequest", "The batch request doesn't contain any entries.", 400},
		{batch(11), "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible (more than 10): it has 11.", 400},
		{merge(batch(1), entry(2, "e0", "m")), "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id: e0.", 400},
		{merge(batch(1), entry(2, "a.b", "m")), "InvalidBatchEntryId", `The Id of a batch entry in a batch request doesn't abide by the specification: "a.b" is not 1 to 80 letters, digits, hyphens and underscores.`, 400},
		{merge(batch(1), entry(2, strings.Repeat("a", 81), "m")), "InvalidBatchEntryId", `The Id of a batch entry in a batch request doesn't abide by the specification: "` + strings.Repeat("a", 81) + `" is not 1 to 80 letters, digits, hyphens and underscores.`, 400},
		{merge(batch(1), entry(2, "", "m")), "InvalidBatchEntryId", `The Id of a batch entry in a batch request doesn't abide by the specification: "" is not 1 to 80 letters, digits, hyphens and underscores.`, 400},
		{merge(batch(1), url.Values{"PublishBatchRequestEntries.member.2.Id": {"x"}}), "InvalidParameter", "Invalid parameter: PublishBatchRequestEntries.member.2.Message Reason: no value for required parameter", 400},
		{merge(batch(0), entry(1, "a", strings.Repeat("x", MaxPayload/2)), entry(2, "b", strings.Repeat("x", MaxPayload/2+1))), "BatchRequestTooLong",
			"The length of all the batch messages put together is more than the limit: 262145 bytes, of 262144.", 400},
		// unsupported and unknown actions
		{url.Values{"Action": {"CreatePlatformApplication"}}, "InvalidAction", "Operation (CreatePlatformApplication) is not supported by Signalbox: mobile push (platform applications and endpoints) is not supported.", 400},
		{url.Values{"Action": {"SetSMSAttributes"}}, "InvalidAction", "Operation (SetSMSAttributes) is not supported by Signalbox: SMS is not supported: publish to a topic.", 400},
		{url.Values{"Action": {"AddPermission"}, "Version": {Version}}, "InvalidAction", "Operation (AddPermission) is not supported by Signalbox: topic policies are not enforced.", 400},
		{url.Values{"Action": {"PutDataProtectionPolicy"}, "ResourceArn": {arn}}, "InvalidParameter", "Invalid parameter: DataProtectionPolicy Reason: no value for required parameter", 400},
		{url.Values{"Action": {"GetDataProtectionPolicy"}}, "InvalidParameter", "Invalid parameter: ResourceArn Reason: no value for required parameter", 400},
		{url.Values{"Action": {"Frobnicate"}, "Version": {Version}}, "InvalidAction", "Could not find operation Frobnicate for version 2010-03-31", 400},
	} {
		if c.form.Get("Version") == "" {
			c.form.Set("Version", Version)
		}
		status, body := post(t, base, c.form)
		require.Equal(t, c.status, status, "%v: %s", c.form.Get("Action"), body)
		e := parseError(t, body)
		require.Equal(t, c.code, e.Error.Code, "%s", body)
		require.Equal(t, c.message, e.Error.Message)
		require.Equal(t, "Sender", e.Error.Type)
	}
	require.Empty(t, f.calls, "no invalid request reached the router")

	// the largest valid batch passes: ten entries, 256 KiB in all
	form := batch(0)
	for i := range 9 {
		form = merge(form, entry(i+1, "e"+strconv.Itoa(i), big))
	}
	form = merge(form, entry(10, "e9", strings.Repeat("y", MaxPayload-9*len(big))))
	f.results = []topic.PublishResult{}
	status, body := post(t, base, form)
	require.Equal(t, http.StatusOK, status, body)
	require.Len(t, f.got("PublishBatch")[1], 10)
}

// errorAnswer is <ErrorResponse>.
type errorAnswer struct {
	XMLName xml.Name `xml:"http://sns.amazonaws.com/doc/2010-03-31/ ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

func parseError(t *testing.T, body string) errorAnswer {
	t.Helper()
	var e errorAnswer
	require.NoError(t, xml.Unmarshal([]byte(body), &e), body)
	require.NotEmpty(t, e.RequestID)
	return e
}

func post(t *testing.T, base string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, awsproto.QueryContentType, resp.Header.Get("Content-Type"))
	require.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))
	return resp.StatusCode, string(b)
}

func get(t *testing.T, base string, query url.Values, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/?"+query.Encode(), nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// The router's errors reach the SDK typed, with their status and fault;
// an internal error's detail stays in the log.
func TestRouterErrorsReachTheSDK(t *testing.T) {
	t.Parallel()
	f := &fakeTopics{}
	c := client(serve(t, f, nil))
	ctx := context.Background()
	arn := aws.String(arnPrefix + "t")

	f.err = &topic.Error{Code: "NotFound", Message: "Topic does not exist", Status: 404}
	_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: arn})
	var nf *types.NotFoundException
	require.ErrorAs(t, err, &nf)
	require.Equal(t, "Topic does not exist", requireCode(t, err, "NotFound", 404))

	f.err = &topic.Error{Code: "AuthorizationError", Message: "no", Status: 403}
	_, err = c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: arn})
	var ae *types.AuthorizationErrorException
	require.ErrorAs(t, err, &ae)

	f.err = &topic.Error{Code: "TopicLimitExceeded", Message: "too many"} // a status of 0: the code's
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("x")})
	var tl *types.TopicLimitExceededException
	require.ErrorAs(t, err, &tl)
	requireCode(t, err, "TopicLimitExceeded", 403)

	f.err = &topic.Error{Code: "InternalError", Message: "the store said no", Status: 500}
	_, err = c.Publish(ctx, &sns.PublishInput{TopicArn: arn, Message: aws.String("m")})
	var ie *types.InternalErrorException
	require.ErrorAs(t, err, &ie)
	msg := requireCode(t, err, "InternalError", 500)
	require.Contains(t, msg, "An internal error occurred (request id ")
	require.NotContains(t, msg, "store")
	var se smithy.APIError
	require.True(t, errors.As(err, &se))
	require.Equal(t, smithy.FaultServer, se.ErrorFault())

	f.err = errors.New("boom")
	_, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	requireCode(t, err, "InternalError", 500)

	f.err = context.DeadlineExceeded
	_, err = c.ListTopics(ctx, &sns.ListTopicsInput{})
	requireCode(t, err, "ServiceUnavailable", 503)
}

// Every action of the SDK's SNS client is in the action table, and the
// table holds no other.
func TestEveryActionOfTheSDKIsInTheTable(t *testing.T) {
	t.Parallel()
	got := sdkActions()
	require.Len(t, got, 42, "aws-sdk-go-v2/service/sns v1.48.0 has 42 actions")
	require.ElementsMatch(t, got, slices.Collect(mapsKeys(actions)))
	n := 0
	for _, ok := range Actions() {
		if ok {
			n++
		}
	}
	require.Equal(t, 19, n)
}

// sdkActions are the SNS client's operations: its methods taking
// (context, *<Name>Input, ...).
func sdkActions() []string {
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

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Each answer's envelope, byte for byte, against the SDK's response
// snapshots' shapes and AWS's namespace.
func TestAnswerShapes(t *testing.T) {
	t.Parallel()
	f := &fakeTopics{arns: []string{arnPrefix + "a"}, attrs: map[string]string{"b": "2", "a": "<1>"}}
	base := serve(t, f, nil)
	re := func(body string) string {
		i, j := strings.Index(body, "<RequestId>"), strings.Index(body, "</RequestId>")
		return body[:i] + "<RequestId>ID" + body[j:]
	}
	status, body := post(t, base, url.Values{"Action": {"ListTopics"}, "Version": {Version}})
	require.Equal(t, 200, status)
	require.Equal(t, `<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics><member><TopicArn>`+arnPrefix+`a</TopicArn></member></Topics></ListTopicsResult>`+
		`<ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></ListTopicsResponse>`, re(body))
	_, body = post(t, base, url.Values{"Action": {"GetTopicAttributes"}, "TopicArn": {"x"}})
	require.Equal(t, `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes>`+
		`<entry><key>a</key><value>&lt;1&gt;</value></entry><entry><key>b</key><value>2</value></entry></Attributes></GetTopicAttributesResult>`+
		`<ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></GetTopicAttributesResponse>`, re(body))
	_, body = post(t, base, url.Values{"Action": {"DeleteTopic"}, "TopicArn": {"x"}})
	require.Equal(t, `<DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></DeleteTopicResponse>`, re(body))
	_, body = post(t, base, url.Values{"Action": {"TagResource"}, "ResourceArn": {"x"}, "Tags.member.1.Key": {"k"}})
	require.Equal(t, `<TagResourceResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><TagResourceResult></TagResourceResult><ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></TagResourceResponse>`, re(body))
	f.results = []topic.PublishResult{{ID: "a", MessageID: "m"}, {ID: "b", Err: &topic.Error{Code: "X", Message: "y", Status: 400}}}
	_, body = post(t, base, url.Values{"Action": {"PublishBatch"}, "TopicArn": {"x"}, "PublishBatchRequestEntries.member.1.Id": {"a"}, "PublishBatchRequestEntries.member.1.Message": {"m"},
		"PublishBatchRequestEntries.member.2.Id": {"b"}, "PublishBatchRequestEntries.member.2.Message": {"m"}})
	require.Equal(t, `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful><member><Id>a</Id><MessageId>m</MessageId></member></Successful>`+
		`<Failed><member><Id>b</Id><Code>X</Code><Message>y</Message><SenderFault>true</SenderFault></member></Failed></PublishBatchResult>`+
		`<ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></PublishBatchResponse>`, re(body))
	status, body = post(t, base, url.Values{"Action": {"Nope"}, "Version": {Version}})
	require.Equal(t, 400, status)
	require.Equal(t, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidAction</Code>`+
		`<Message>Could not find operation Nope for version 2010-03-31</Message></Error><RequestId>ID</RequestId></ErrorResponse>`, re(body))
}

// Which requests are SNS's: its Version, or none and one of its actions;
// others are left, their body in place, for the next handler.
func TestTakes(t *testing.T) {
	t.Parallel()
	require.True(t, Takes("Publish", Version))
	require.True(t, Takes("Publish", ""))
	require.True(t, Takes("Frobnicate", Version), "answered InvalidAction")
	require.False(t, Takes("Frobnicate", ""))
	require.False(t, Takes("SendMessage", "2012-11-05"))
	require.False(t, Takes("Publish", "2012-11-05"), "another API's version")

	base := serve(t, &fakeTopics{}, nil)
	resp, err := http.Post(base+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=SendMessage&Version=2012-11-05"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusTeapot, resp.StatusCode)
	resp, err = http.Post(base+"/", "application/json", strings.NewReader(`{"Action":"Publish"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusTeapot, resp.StatusCode)

	// a body beyond the bound is refused, read no further
	resp, err = http.Post(base+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=Publish&Message="+strings.Repeat("a", MaxBodyBytes)))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Equal(t, "RequestEntityTooLarge", parseError(t, string(b)).Error.Code)
}

// A caller is checked before every action, but a subscriber's GETs of its
// SubscribeURL and UnsubscribeURL without credentials; an unsigned
// Unsubscribe goes to UnsubscribeByURL.
func TestCallersAndSubscriberURLs(t *testing.T) {
	t.Parallel()
	deny := func(r *http.Request, _ []byte) error {
		if r.Header.Get("Authorization") == "good" {
			return nil
		}
		return awsproto.Errorf(awsproto.MissingAuthToken, "Missing Authentication Token")
	}
	f := &fakeTopics{}
	base := serve(t, f, deny)
	arn := arnPrefix + "t"

	status, body := post(t, base, url.Values{"Action": {"ListTopics"}, "Version": {Version}})
	require.Equal(t, 400, status)
	require.Equal(t, "MissingAuthenticationToken", parseError(t, body).Error.Code)
	status, body = get(t, base, url.Values{"Action": {"ListTopics"}})
	require.Equal(t, 400, status)
	require.Equal(t, "MissingAuthenticationToken", parseError(t, body).Error.Code)
	// an unknown action is not told apart from a known one before the check
	status, body = post(t, base, url.Values{"Action": {"Frobnicate"}, "Version": {Version}})
	require.Equal(t, 400, status)
	require.Equal(t, "MissingAuthenticationToken", parseError(t, body).Error.Code)

	// the SubscribeURL: in unsigned, AuthenticateOnUnsubscribe not set
	status, body = get(t, base, url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}, "Token": {"tok"}, "AuthenticateOnUnsubscribe": {"true"}})
	require.Equal(t, 200, status, body)
	require.Contains(t, body, "<SubscriptionArn>"+arn+":sub-1</SubscriptionArn>")
	require.Equal(t, []any{arn, "tok", false}, f.got("ConfirmSubscription"))
	// the same GET with credentials is checked, and then sets it
	status, body = get(t, base, url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}, "Token": {"tok"}, "AuthenticateOnUnsubscribe": {"true"}}, "Authorization", "bad")
	require.Equal(t, 400, status)
	require.Equal(t, "MissingAuthenticationToken", parseError(t, body).Error.Code)
	status, _ = get(t, base, url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}, "Token": {"tok"}, "AuthenticateOnUnsubscribe": {"true"}}, "Authorization", "good")
	require.Equal(t, 200, status)
	require.Equal(t, []any{arn, "tok", true}, f.got("ConfirmSubscription"))
	// a POST of ConfirmSubscription is an API call: checked
	status, _ = post(t, base, url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {arn}, "Token": {"tok"}})
	require.Equal(t, 400, status)

	// signed, the UnsubscribeURL is Unsubscribe
	status, _ = get(t, base, url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {arn + ":s"}}, "Authorization", "good")
	require.Equal(t, 200, status)
	require.Equal(t, []any{arn + ":s"}, f.got("Unsubscribe"))
	require.Nil(t, f.got("UnsubscribeByURL"))

	// unsigned, it is UnsubscribeByURL, whose refusal is the answer
	g := &fakeTopics{}
	base = serve(t, g, deny)
	status, body = get(t, base, url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {arn + ":s"}})
	require.Equal(t, 200, status, body)
	require.Equal(t, []any{arn + ":s"}, g.got("UnsubscribeByURL"))
	require.Nil(t, g.got("Unsubscribe"))
	g.err = &topic.Error{Code: "AuthorizationError", Message: "the subscription requires authentication", Status: 403}
	status, body = get(t, base, url.Values{"Action": {"Unsubscribe"}, "SubscriptionArn": {arn + ":s"}})
	require.Equal(t, 403, status)
	require.Equal(t, "the subscription requires authentication", parseError(t, body).Error.Message)
}

// A publish carries the publisher's trace context: the request's
// traceparent, or the server span's when the gateway traces.
func TestPublishCarriesTheTraceContext(t *testing.T) {
	t.Parallel()
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	r := &http.Request{Header: http.Header{"Traceparent": {parent}, "Baggage": {"k=v"}}}
	ctx := context.WithValue(context.Background(), requestKey{}, &caller{r: r})
	require.Equal(t, integrations.TraceContext{Parent: parent, Baggage: "k=v"}, traceOf(ctx))

	tid, _ := oteltrace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := oteltrace.SpanIDFromHex("00f067aa0ba902b7")
	span := oteltrace.NewSpanContext(oteltrace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: oteltrace.FlagsSampled})
	tc := traceOf(oteltrace.ContextWithSpanContext(ctx, span))
	require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tc.Parent)
	require.Equal(t, "k=v", tc.Baggage)
	require.Equal(t, integrations.TraceContext{}, traceOf(context.Background()))
}
