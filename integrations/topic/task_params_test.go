package topic

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

func TestParsePublish(t *testing.T) {
	t.Parallel()
	in, err := parsePublish(map[string]any{
		"TopicArn":               "arn:aws:sns:us-east-1:123456789012:orders.fifo",
		"Message":                map[string]any{"TaskToken": "tok", "n": int64(1)},
		"Subject":                "s",
		"MessageStructure":       "json",
		"MessageGroupId":         "g",
		"MessageDeduplicationId": "d",
		"MessageAttributes": map[string]any{
			"kind": map[string]any{"DataType": "String", "StringValue": "order"},
			"img":  map[string]any{"DataType": "Binary.png", "BinaryValue": "AAEC"},
		},
	})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:orders.fifo", in.TopicARN)
	require.Equal(t, `{"TaskToken":"tok","n":1}`, in.Message, "a JSON message is published as its text")
	require.Equal(t, "s", in.Subject)
	require.Equal(t, "json", in.MessageStructure)
	require.Equal(t, "g", in.GroupID)
	require.Equal(t, "d", in.DedupID)
	require.Equal(t, MessageAttribute{DataType: "String", StringValue: "order"}, in.Attributes["kind"])
	require.Equal(t, MessageAttribute{DataType: "Binary.png", BinaryValue: []byte{0, 1, 2}}, in.Attributes["img"])

	for msg, want := range map[any]string{"plain": "plain", int64(7): "7", 1.5: "1.5", true: "true"} {
		in, err = parsePublish(map[string]any{"TargetArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": msg})
		require.NoError(t, err)
		require.Equal(t, want, in.Message)
		require.Equal(t, "arn:aws:sns:us-east-1:123456789012:t", in.TopicARN, "TargetArn names the topic")
	}
	in, err = parsePublish(map[string]any{"TopicArn": "arn:aws:sns:us-east-1:1:t", "TargetArn": "arn:aws:sns:us-east-1:1:t", "Message": []any{"a", nil}})
	require.NoError(t, err, "the same topic twice")
	require.Equal(t, `["a",null]`, in.Message)
	require.Nil(t, in.Attributes)

	const arn = "arn:aws:sns:us-east-1:123456789012:t"
	for _, c := range []struct {
		params any
		name   string
		cause  string
	}{
		{"t", "States.Runtime", "must be an object with TopicArn and Message, not a string"},
		{nil, "States.Runtime", "must be an object"},
		{map[string]any{"TopicArn": arn, "Message": "x", "Foo": int64(1)}, "States.Runtime", "The field 'Foo' is not supported by Step Functions"},
		{map[string]any{"TopicArn": int64(1), "Message": "x"}, "States.Runtime", "'TopicArn' must be a STRING"},
		{map[string]any{"TargetArn": true, "Message": "x"}, "States.Runtime", "'TargetArn' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "Subject": int64(1)}, "States.Runtime", "'Subject' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageStructure": map[string]any{}}, "States.Runtime", "'MessageStructure' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageGroupId": int64(1)}, "States.Runtime", "'MessageGroupId' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageDeduplicationId": []any{}}, "States.Runtime", "'MessageDeduplicationId' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "PhoneNumber": int64(5)}, "States.Runtime", "'PhoneNumber' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": "a"}, "States.Runtime", "'MessageAttributes' must be an OBJECT"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": map[string]any{"a": "b"}}, "States.Runtime", "'MessageAttributes.a' must be an OBJECT"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String", "StringValue": int64(1)}}}, "States.Runtime", "'MessageAttributes.a.StringValue' must be a STRING"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "Binary", "BinaryValue": "!!"}}}, "States.Runtime", "must be base64"},
		{map[string]any{"TopicArn": arn, "Message": "x", "MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String", "Other": "x"}}}, "States.Runtime", "'MessageAttributes.a.Other' is not supported"},
		{map[string]any{"TopicArn": arn}, "SNS.AmazonSNSException", "Value null at 'message' failed to satisfy constraint: Member must not be null (Service: AmazonSNS; Status Code: 400; Error Code: ValidationError; Request ID: "},
		{map[string]any{"Message": nil}, "SNS.AmazonSNSException", "Error Code: ValidationError"},
		{map[string]any{"Message": "x"}, "SNS.InvalidParameterException", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: "},
		{map[string]any{"TopicArn": arn, "TargetArn": arn + "2", "Message": "x"}, "SNS.InvalidParameterException", "only one of TopicArn and TargetArn"},
		{map[string]any{"PhoneNumber": "+15555550100", "Message": "x"}, "SNS.InvalidParameterException", "Invalid parameter: PhoneNumber: publishing SMS messages is not supported by Signalbox"},
		{map[string]any{"TopicArn": arn, "PhoneNumber": "+15555550100", "Message": "x"}, "SNS.InvalidParameterException", "not supported"},
	} {
		_, err := parsePublish(c.params)
		var ie *integrations.Error
		require.ErrorAs(t, err, &ie, "%v", c.params)
		require.Equal(t, c.name, ie.Name, "%v", c.params)
		require.Contains(t, ie.Cause, c.cause, "%v", c.params)
	}
}

func TestSNSErrorName(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"NotFound":              "SNS.NotFoundException",
		"InvalidParameter":      "SNS.InvalidParameterException",
		"ParameterValueInvalid": "SNS.InvalidParameterValueException",
		"AuthorizationError":    "SNS.AuthorizationErrorException",
		"KMSDisabled":           "SNS.KMSDisabledException",
		"ValidationException":   "SNS.ValidationException",
		"ValidationError":       "SNS.AmazonSNSException",
		"SomethingNew":          "SNS.AmazonSNSException",
	} {
		require.Equal(t, want, snsErrorName(code), code)
	}
}

func TestPublishOutputShape(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 4, 18, 6, 27, 1, 0, time.UTC)
	out := publishOutput(&PublishResult{MessageID: "0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11"}, "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", now)
	require.JSONEq(t, `{
		"MessageId":"0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11",
		"SdkHttpMetadata":{
			"AllHttpHeaders":{"Content-Length":["294"],"Content-Type":["text/xml"],"Date":["Thu, 18 Apr 2024 06:27:01 GMT"],"connection":["keep-alive"],"x-amzn-RequestId":["f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"]},
			"HttpHeaders":{"Content-Length":"294","Content-Type":"text/xml","Date":"Thu, 18 Apr 2024 06:27:01 GMT","connection":"keep-alive","x-amzn-RequestId":"f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"},
			"HttpStatusCode":200},
		"SdkResponseMetadata":{"RequestId":"f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"}}`, asl.EncodeJSON(out))
	out = publishOutput(&PublishResult{MessageID: "0b7c1e4a-7a3f-4f7e-9c51-7d2b7e0c9a11", SequenceNumber: "10000000000000003000"}, "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", now)
	require.Equal(t, "10000000000000003000", out["SequenceNumber"])
	require.Equal(t, "352", out["SdkHttpMetadata"].(map[string]any)["HttpHeaders"].(map[string]any)["Content-Length"], "as AWS's recording of a FIFO publish")
}

// FuzzParsePublish: any parameters (any JSON) are a message or a task
// failure with an error name and a cause; never a panic.
func FuzzParsePublish(f *testing.F) {
	for _, s := range []string{
		`{"TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"x"}`,
		`{"TargetArn":"arn:aws:sns:us-east-1:1:t.fifo","Message":{"a":[1,2.5,null]},"MessageGroupId":"g","MessageDeduplicationId":"d","Subject":"s"}`,
		`{"TopicArn":"t","Message":"x","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AAE="}}}`,
		`{"TopicArn":"t","Message":"x","MessageAttributes":{"a":{"DataType":1}}}`,
		`{"PhoneNumber":"+1","Message":null}`, `{"TopicArn":"a","TargetArn":"b","Message":""}`, `[]`, `null`, `"q"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := asl.DecodeJSON(data)
		if err != nil {
			return
		}
		in, err := parsePublish(v)
		if err != nil {
			var ie *integrations.Error
			if !errors.As(err, &ie) || ie.Name == "" || ie.Cause == "" {
				t.Fatalf("not a task failure: %v", err)
			}
			return
		}
		if in == nil || in.TopicARN == "" {
			t.Fatalf("no topic and no error: %+v", in)
		}
	})
}
