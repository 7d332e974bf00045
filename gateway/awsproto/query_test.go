package awsproto_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// A small SNS on the query protocol, enough for the SDK's SNS client to
// create topics, list them and publish with attributes: the SDK is the
// judge of the XML and of the parameter names.

type createTopicInput struct {
	Name       string
	Attributes map[string]string
	Tags       []struct{ Key, Value string }
}

type createTopicResult struct {
	TopicArn string
}

type publishInput struct {
	TopicArn          string
	Message           string
	MessageAttributes map[string]struct {
		DataType    string
		StringValue *string
	} `query:"MessageAttributes,key=Name,value=Value"`
}

type publishResult struct {
	MessageId string
}

type listTopicsResult struct {
	Topics []struct {
		TopicArn string
	} `xml:"Topics>member"`
}

type fakeSNS struct {
	mu        sync.Mutex
	topics    map[string]createTopicInput
	published []publishInput
}

func (f *fakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := awsproto.NewRequestID()
	result, action, err := f.serve(r)
	if err != nil {
		e, ok := awsproto.As(err)
		if !ok {
			e = &awsproto.Error{Status: http.StatusInternalServerError, Code: awsproto.InternalFailure, Message: err.Error()}
		}
		w.Header().Set("Content-Type", awsproto.QueryContentType)
		w.WriteHeader(e.Status)
		_, _ = w.Write(awsproto.QueryErrorBody(e, id))
		return
	}
	b, err := awsproto.EncodeQueryResponse(action, "http://sns.amazonaws.com/doc/2010-03-31/", result, id)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", awsproto.QueryContentType)
	_, _ = w.Write(b)
}

func (f *fakeSNS) serve(r *http.Request) (any, string, error) {
	body, err := awsproto.ReadBody(r, 1<<20)
	if err != nil {
		return nil, "", err
	}
	q, err := awsproto.ParseQuery(r, body)
	if err != nil {
		return nil, "", err
	}
	if q.Version != "2010-03-31" {
		return nil, q.Action, awsproto.Errorf(awsproto.InvalidParameterValue, "version %q", q.Version)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch q.Action {
	case "CreateTopic":
		var in createTopicInput
		if err := awsproto.DecodeQuery(q.Params, &in); err != nil {
			return nil, q.Action, err
		}
		f.topics[in.Name] = in
		return &createTopicResult{TopicArn: "arn:aws:sns:us-east-1:123456789012:" + in.Name}, q.Action, nil
	case "ListTopics":
		var out listTopicsResult
		names := make([]string, 0, len(f.topics))
		for n := range f.topics {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out.Topics = append(out.Topics, struct{ TopicArn string }{"arn:aws:sns:us-east-1:123456789012:" + n})
		}
		return &out, q.Action, nil
	case "Publish":
		var in publishInput
		if err := awsproto.DecodeQuery(q.Params, &in); err != nil {
			return nil, q.Action, err
		}
		if _, ok := f.topics[in.TopicArn[len("arn:aws:sns:us-east-1:123456789012:"):]]; !ok {
			return nil, q.Action, &awsproto.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "Topic does not exist"}
		}
		f.published = append(f.published, in)
		return &publishResult{MessageId: "m-1"}, q.Action, nil
	case "DeleteTopic":
		return nil, q.Action, nil // an action without a result
	}
	return nil, q.Action, awsproto.Errorf(awsproto.InvalidAction, "unknown action %s", q.Action)
}

func snsClient(url string) *sns.Client {
	return sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

func TestQueryProtocolServesTheSDKsSNSClient(t *testing.T) {
	t.Parallel()
	f := &fakeSNS{topics: map[string]createTopicInput{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	client := snsClient(srv.URL)

	created, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"),
		Attributes: map[string]string{"DisplayName": "Orders", "FifoTopic": "false"},
		Tags:       []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:orders", aws.ToString(created.TopicArn))
	got := f.topics["orders"]
	require.Equal(t, map[string]string{"DisplayName": "Orders", "FifoTopic": "false"}, got.Attributes)
	require.Equal(t, []struct{ Key, Value string }{{"team", "a"}, {"env", "dev"}}, got.Tags)
	_, err = client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("audit")})
	require.NoError(t, err)

	list, err := client.ListTopics(ctx, &sns.ListTopicsInput{})
	require.NoError(t, err)
	require.Len(t, list.Topics, 2)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:audit", aws.ToString(list.Topics[0].TopicArn))

	pub, err := client.Publish(ctx, &sns.PublishInput{TopicArn: created.TopicArn, Message: aws.String("hello & <world>"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("new")}}})
	require.NoError(t, err)
	require.Equal(t, "m-1", aws.ToString(pub.MessageId))
	require.Len(t, f.published, 1)
	require.Equal(t, "hello & <world>", f.published[0].Message)
	require.Equal(t, "String", f.published[0].MessageAttributes["kind"].DataType)
	require.Equal(t, "new", *f.published[0].MessageAttributes["kind"].StringValue)

	_, err = client.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: created.TopicArn})
	require.NoError(t, err, "an answer without a result")

	// an error in the query protocol's envelope reaches the SDK whole
	_, err = client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:gone"), Message: aws.String("x")})
	var nf *snstypes.NotFoundException
	require.ErrorAs(t, err, &nf, "%v", err)
	require.Equal(t, "Topic does not exist", nf.ErrorMessage())
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, smithy.FaultClient, ae.ErrorFault())
}

// The envelopes, byte for byte, against the shapes AWS documents.
func TestQueryEnvelopes(t *testing.T) {
	t.Parallel()
	b, err := awsproto.EncodeQueryResponse("CreateQueue", "https://sqs.us-east-2.amazonaws.com/doc/2012-11-05/",
		struct {
			QueueUrl string
		}{"https://sqs.us-east-2.amazonaws.com/770098461991/queue2"}, "cb919c0a-9bce-4afe-9b48-9bdf2412bb67")
	require.NoError(t, err)
	require.Equal(t, `<CreateQueueResponse xmlns="https://sqs.us-east-2.amazonaws.com/doc/2012-11-05/">`+
		`<CreateQueueResult><QueueUrl>https://sqs.us-east-2.amazonaws.com/770098461991/queue2</QueueUrl></CreateQueueResult>`+
		`<ResponseMetadata><RequestId>cb919c0a-9bce-4afe-9b48-9bdf2412bb67</RequestId></ResponseMetadata></CreateQueueResponse>`, string(b))

	b, err = awsproto.EncodeQueryResponse("DeleteQueue", "", nil, "r-1")
	require.NoError(t, err)
	require.Equal(t, `<DeleteQueueResponse><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DeleteQueueResponse>`, string(b))

	require.Equal(t, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>`+
		`<Message>Value (quename_nonalpha) for parameter QueueName is invalid.</Message></Error>`+
		`<RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId></ErrorResponse>`,
		string(awsproto.QueryErrorBody(awsproto.Errorf("InvalidParameterValue", "Value (quename_nonalpha) for parameter QueueName is invalid."), "42d59b56-7407-4c4a-be0f-4c88daeea257")))
	require.Contains(t, string(awsproto.QueryErrorBody(&awsproto.Error{Status: 500, Code: "InternalError", Message: "a < b"}, "r")),
		`<Type>Receiver</Type><Code>InternalError</Code><Message>a &lt; b</Message>`, "a server's fault, escaped")
}

// SQS's flattened lists and maps, and the errors of values that do not
// parse, decoded from the parameters a client sends.
func TestDecodeQuery(t *testing.T) {
	t.Parallel()
	type attr struct {
		Name  string
		Value struct{ StringValue string }
	}
	var in struct {
		QueueUrl        string
		MaxMessages     int    `query:"MaxNumberOfMessages"`
		Wait            *int64 `query:"WaitTimeSeconds"`
		Visible         bool
		AttributeNames  []string          `query:"AttributeName,flat"`
		Attributes      map[string]string `query:"Attribute,flat,key=Name,value=Value"`
		MessageAttr     []attr            `query:"MessageAttribute,flat"`
		Ignored         string            `query:"-"`
		NotSent         *string
		DelaySeconds    float64
		ReceiveAttempts []int
	}
	params, err := url.ParseQuery("QueueUrl=q&MaxNumberOfMessages=10&WaitTimeSeconds=20&Visible=true&DelaySeconds=1.5" +
		"&AttributeName.1=All&AttributeName.2=Policy&AttributeName.4=Skipped" +
		"&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Attribute.2.Name=Policy&Attribute.2.Value=%7B%7D" +
		"&MessageAttribute.1.Name=k&MessageAttribute.1.Value.StringValue=v&ReceiveAttempts.member.1=3&Ignored=x")
	require.NoError(t, err)
	require.NoError(t, awsproto.DecodeQuery(params, &in))
	require.Equal(t, "q", in.QueueUrl)
	require.Equal(t, 10, in.MaxMessages)
	require.Equal(t, int64(20), *in.Wait)
	require.True(t, in.Visible)
	require.Equal(t, 1.5, in.DelaySeconds)
	require.Equal(t, []string{"All", "Policy"}, in.AttributeNames, "a list ends at its first gap")
	require.Equal(t, map[string]string{"DelaySeconds": "5", "Policy": "{}"}, in.Attributes)
	require.Equal(t, []attr{{Name: "k", Value: struct{ StringValue string }{"v"}}}, in.MessageAttr)
	require.Equal(t, []int{3}, in.ReceiveAttempts)
	require.Empty(t, in.Ignored)
	require.Nil(t, in.NotSent)

	for q, msg := range map[string]string{
		"MaxNumberOfMessages=ten":     "Value (ten) for parameter MaxNumberOfMessages is invalid. Must be an integer.",
		"Visible=yes":                 "Value (yes) for parameter Visible is invalid. Must be a boolean.",
		"Attribute.1.Value=5":         "parameter Attribute.1 has no Name",
		"ReceiveAttempts.member.1=x1": "Value (x1) for parameter ReceiveAttempts.member.1 is invalid. Must be an integer.",
	} {
		params, err := url.ParseQuery(q)
		require.NoError(t, err)
		err = awsproto.DecodeQuery(params, &in)
		e, ok := awsproto.As(err)
		require.True(t, ok, "%s: %v", q, err)
		require.Equal(t, awsproto.InvalidParameterValue, e.Code)
		require.Equal(t, msg, e.Message)
		require.Equal(t, http.StatusBadRequest, e.Status)
	}

	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, err = awsproto.ParseQuery(r, []byte("Version=2012-11-05"))
	e, _ := awsproto.As(err)
	require.Equal(t, awsproto.MissingAction, e.Code)
	r.Header.Set("Content-Type", "application/json")
	_, err = awsproto.ParseQuery(r, []byte("Action=X"))
	e, _ = awsproto.As(err)
	require.Equal(t, awsproto.Serialization, e.Code)
	q, err := awsproto.ParseQuery(httptest.NewRequest(http.MethodGet, "/?Action=ListQueues&Version=2012-11-05&QueueNamePrefix=a", nil), nil)
	require.NoError(t, err)
	require.Equal(t, &awsproto.QueryRequest{Action: "ListQueues", Version: "2012-11-05", Params: url.Values{"QueueNamePrefix": {"a"}}}, q)
}

// IsForm takes a form's content type as the SDKs send it and as media
// types may be written (case, parameters), and nothing else.
func TestIsForm(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/x-www-form-urlencoded":                true,
		"application/x-www-form-urlencoded; charset=utf-8": true,
		"Application/X-WWW-Form-Urlencoded":                true,
		"application/json":                                 false,
		"application/x-www-form-urlencoded-not":            false,
		"":                                                 false,
	} {
		require.Equal(t, want, awsproto.IsForm(ct), ct)
	}
}
