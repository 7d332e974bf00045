package queue

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

func TestAWSTraceHeader(t *testing.T) {
	t.Parallel()
	h, ok := AWSTraceHeader("00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
	require.True(t, ok)
	require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", h)
	h, ok = AWSTraceHeader("00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00")
	require.True(t, ok)
	require.True(t, strings.HasSuffix(h, ";Sampled=0"), h)
	for _, bad := range []string{
		"", "garbage", "01-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01",
		"00-5759E988BD862E3FE1BE46A994272793-53995c3f42cd8ad8-01", // W3C: lower case only
		"00-00000000000000000000000000000000-53995c3f42cd8ad8-01",
		"00-5759e988bd862e3fe1be46a994272793-0000000000000000-01",
		"00-5759e988bd862e3fe1be46a99427279-53995c3f42cd8ad8-01",
		"00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01-extra",
	} {
		_, ok := AWSTraceHeader(bad)
		require.False(t, ok, bad)
	}
}

func TestQueueNameFromURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/orders":      "orders",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo": "orders.fifo",
		"http://127.0.0.1:8080/123456789012/jobs/":                     "jobs",
		"http://localhost:4566/000000000000/a%2Db":                     "a-b",
		"jobs":                    "jobs",
		"/123456789012/jobs":      "jobs",
		"http://host/q?Action=Go": "q",
	} {
		require.Equal(t, want, QueueNameFromURL(in), in)
	}
}

func TestParseSend(t *testing.T) {
	t.Parallel()
	name, in, err := parseSend(map[string]any{
		"QueueUrl":               "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo",
		"MessageBody":            map[string]any{"TaskToken": "tok", "n": int64(1)},
		"DelaySeconds":           float64(5),
		"MessageGroupId":         "g",
		"MessageDeduplicationId": "d",
		"MessageAttributes": map[string]any{
			"kind": map[string]any{"DataType": "String", "StringValue": "order"},
			"img":  map[string]any{"DataType": "Binary.png", "BinaryValue": "AAEC"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, "orders.fifo", name)
	require.Equal(t, `{"TaskToken":"tok","n":1}`, in.Body, "a JSON body is sent as its text")
	require.Equal(t, 5, *in.DelaySeconds)
	require.Equal(t, "g", in.GroupID)
	require.Equal(t, "d", in.DedupID)
	require.Equal(t, MessageAttribute{DataType: "String", StringValue: "order"}, in.Attributes["kind"])
	require.Equal(t, MessageAttribute{DataType: "Binary.png", BinaryValue: []byte{0, 1, 2}}, in.Attributes["img"])

	_, in, err = parseSend(map[string]any{"QueueUrl": "q", "MessageBody": "plain"})
	require.NoError(t, err)
	require.Equal(t, "plain", in.Body)
	require.Nil(t, in.DelaySeconds, "the queue's delay")

	for _, c := range []struct {
		params any
		name   string
		cause  string
	}{
		{map[string]any{"QueueUrl": "q", "MessageBody": nil}, ErrSQS, "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: 400; Error Code: MissingParameter; Request ID: "},
		{map[string]any{"QueueUrl": "q"}, ErrSQS, "Error Code: MissingParameter"},
		{map[string]any{"MessageBody": "x"}, ErrSQS, "The request must contain the parameter QueueUrl."},
		{"q", "States.Runtime", "must be an object"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "Foo": 1}, "States.Runtime", "The field 'Foo' is not supported"},
		{map[string]any{"QueueUrl": int64(1), "MessageBody": "x"}, "States.Runtime", "'QueueUrl' must be a STRING"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "DelaySeconds": "5"}, "States.Runtime", "'DelaySeconds' must be an INTEGER"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "DelaySeconds": 1.5}, "States.Runtime", "'DelaySeconds' must be an INTEGER"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": "a"}, "States.Runtime", "'MessageAttributes' must be an OBJECT"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": map[string]any{"a": "b"}}, "States.Runtime", "'MessageAttributes.a' must be an OBJECT"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String", "StringValue": int64(1)}}}, "States.Runtime", "'MessageAttributes.a.StringValue' must be a STRING"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "Binary", "BinaryValue": "!!"}}}, "States.Runtime", "must be base64"},
		{map[string]any{"QueueUrl": "q", "MessageBody": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String", "Other": "x"}}}, "States.Runtime", "'MessageAttributes.a.Other' is not supported"},
	} {
		_, _, err := parseSend(c.params)
		var ie *integrations.Error
		require.ErrorAs(t, err, &ie, "%v", c.params)
		require.Equal(t, c.name, ie.Name, "%v", c.params)
		require.Contains(t, ie.Cause, c.cause)
	}
}

func TestAddTrace(t *testing.T) {
	t.Parallel()
	const tp = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
	in := &SendInput{Body: "b"}
	addTrace(in, tp)
	require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", in.SystemAttributes["AWSTraceHeader"].StringValue)
	require.Equal(t, MessageAttribute{DataType: "String", StringValue: tp}, in.Attributes[TraceParentAttribute])

	// the sender's own traceparent wins
	in = &SendInput{Body: "b", Attributes: map[string]MessageAttribute{"TraceParent": {DataType: "String", StringValue: "mine"}}}
	addTrace(in, tp)
	require.Len(t, in.Attributes, 1)
	require.Equal(t, "mine", in.Attributes["TraceParent"].StringValue)
	require.NotEmpty(t, in.SystemAttributes)

	// ten attributes: no eleventh
	ten := map[string]MessageAttribute{}
	for i := range 10 {
		ten[string(rune('a'+i))] = MessageAttribute{DataType: "String", StringValue: "v"}
	}
	in = &SendInput{Body: "b", Attributes: ten}
	addTrace(in, tp)
	require.Len(t, in.Attributes, 10)
	require.NotEmpty(t, in.SystemAttributes, "the system attribute still carries the trace")

	// a message at SQS's size limit stays within it
	in = &SendInput{Body: strings.Repeat("x", maxMessageBytes-10)}
	addTrace(in, tp)
	require.Empty(t, in.Attributes)

	// no trace, or a malformed one: nothing added
	in = &SendInput{Body: "b"}
	addTrace(in, "")
	addTrace(in, "nonsense")
	require.Nil(t, in.SystemAttributes)
	require.Nil(t, in.Attributes)
}

func TestSendOutputShape(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 4, 18, 6, 27, 1, 0, time.UTC)
	out := sendOutput(SendResult{MessageID: "0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11", MD5OfBody: "6a1559560f67c5e7a7d5d838bf0272ee"}, "req-1", now)
	// AWS's recordings: 106 bytes of answer for a message without attributes
	require.JSONEq(t, `{
		"MD5OfMessageBody":"6a1559560f67c5e7a7d5d838bf0272ee","MessageId":"0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11",
		"SdkHttpMetadata":{
			"AllHttpHeaders":{"Content-Length":["106"],"Content-Type":["application/x-amz-json-1.0"],"Date":["Thu, 18 Apr 2024 06:27:01 GMT"],"connection":["keep-alive"],"x-amzn-RequestId":["req-1"]},
			"HttpHeaders":{"Content-Length":"106","Content-Type":"application/x-amz-json-1.0","Date":"Thu, 18 Apr 2024 06:27:01 GMT","connection":"keep-alive","x-amzn-RequestId":"req-1"},
			"HttpStatusCode":200},
		"SdkResponseMetadata":{"RequestId":"req-1"}}`, asl.EncodeJSON(out))
	out = sendOutput(SendResult{MessageID: "0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11", MD5OfBody: "6a1559560f67c5e7a7d5d838bf0272ee",
		MD5OfAttributes: "1f2e3d4c5b6a79881f2e3d4c5b6a7988"}, "req-1", now)
	require.Equal(t, "166", out["SdkHttpMetadata"].(map[string]any)["HttpHeaders"].(map[string]any)["Content-Length"], "as AWS's recording with attributes")
	require.Equal(t, "1f2e3d4c5b6a79881f2e3d4c5b6a7988", out["MD5OfMessageAttributes"])
	require.NotContains(t, out, "SequenceNumber")
}

// FuzzParseSend: any parameters (any JSON) are a message or a task
// failure with an ASL error name; never a panic.
func FuzzParseSend(f *testing.F) {
	for _, s := range []string{
		`{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/1/q","MessageBody":"x"}`,
		`{"QueueUrl":"q","MessageBody":{"a":[1,2.5,null]},"DelaySeconds":3,"MessageGroupId":"g","MessageDeduplicationId":"d"}`,
		`{"QueueUrl":"q","MessageBody":"x","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AAE="}}}`,
		`{"QueueUrl":"q","MessageBody":"x","MessageAttributes":{"a":{"DataType":1}}}`,
		`{"QueueUrl":"%zz","MessageBody":null}`, `[]`, `null`, `"q"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := asl.DecodeJSON(data)
		if err != nil {
			return
		}
		name, in, err := parseSend(v)
		if err != nil {
			var ie *integrations.Error
			if !errors.As(err, &ie) || ie.Name == "" || ie.Cause == "" {
				t.Fatalf("not a task failure: %v", err)
			}
			return
		}
		if in == nil {
			t.Fatal("no message and no error")
		}
		_ = name
		addTrace(in, "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
	})
}
