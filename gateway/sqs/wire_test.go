package sqs

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/queue"
)

func testAPI() *API { return New(Options{AccountID: "123456789012"}) }

func TestParseQueueURL(t *testing.T) {
	t.Parallel()
	s := testAPI()
	for _, raw := range []string{
		"http://127.0.0.1:8080/123456789012/orders",
		"https://sqs.eu-west-1.amazonaws.com/123456789012/orders",
		"https://eu-west-1.queue.amazonaws.com/123456789012/orders",
		"https://queue.amazonaws.com/123456789012/orders",
		"http://localhost/123456789012/orders/",
		"/123456789012/orders",
	} {
		name, err := s.parseQueueURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, "orders", name, raw)
	}
	name, err := s.parseQueueURL("http://h/123456789012/jobs.fifo")
	require.NoError(t, err)
	require.Equal(t, "jobs.fifo", name)

	for raw, code := range map[string]string{
		"":                                 "MissingParameter",
		"http://h/210987654321/orders":     "QueueDoesNotExist", // another account's
		"http://h/orders":                  "InvalidAddress",
		"http://h/123456789012/a/b":        "InvalidAddress",
		"http://h/123456789012/":           "InvalidAddress",
		"ftp://h/123456789012/orders":      "InvalidAddress",
		"http://h/123456789012/orders?x=1": "InvalidAddress",
		"http://h/%zz/orders":              "InvalidAddress",
		"http://h/123456789012/" + strings.Repeat("a", maxQueueURL): "InvalidAddress",
	} {
		_, err := s.parseQueueURL(raw)
		var qe *queue.Error
		require.True(t, errors.As(err, &qe), "%q: %v", raw, err)
		require.Equal(t, code, qe.Code, raw)
	}

	r := &http.Request{Host: "127.0.0.1:4566"}
	require.Equal(t, "http://127.0.0.1:4566/123456789012/orders", s.queueURL(r, "orders"))
}

// Each error has its two spellings and its status, from the service
// model; a code given in the query spelling is recognised too.
func TestErrorsInBothSpellings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err                  error
		jsonType, query      string
		status               int
		fault                string
		messageContainsInput string
	}{
		{&queue.Error{Code: "QueueDoesNotExist", Message: "m"}, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, "Sender", "m"},
		{&queue.Error{Code: "AWS.SimpleQueueService.NonExistentQueue", Message: "m"}, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, "Sender", "m"},
		{&queue.Error{Code: "QueueNameExists", Message: "m"}, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400, "Sender", "m"},
		{&queue.Error{Code: "QueueAlreadyExists", Message: "m"}, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400, "Sender", "m"},
		{&queue.Error{Code: "ReceiptHandleIsInvalid", Message: "m"}, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, "Sender", "m"},
		{&queue.Error{Code: "PurgeQueueInProgress", Message: "m"}, "com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403, "Sender", "m"},
		{&queue.Error{Code: "BatchEntryIdsNotDistinct", Message: "m"}, "com.amazonaws.sqs#BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "Sender", "m"},
		{&queue.Error{Code: "MissingParameter", Message: "m"}, "com.amazonaws.sqs#MissingParameter", "MissingParameter", 400, "Sender", "m"},
		{&queue.Error{Code: "SomethingNew", Message: "m", Server: true}, "com.amazonaws.sqs#SomethingNew", "SomethingNew", 500, "Receiver", "m"},
		{awsproto.Errorf(awsproto.InvalidParameterValue, "bad"), "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue", 400, "Sender", "bad"},
		{awsproto.Errorf(awsproto.UnknownOperation, "nope"), "UnknownOperationException", "InvalidAction", 400, "Sender", "nope"},
		{awsproto.Errorf(awsproto.InvalidSignature, "sig"), "InvalidSignatureException", "SignatureDoesNotMatch", 400, "Sender", "sig"},
		{errors.New("redis: connection refused"), "InternalError", "InternalError", 500, "Receiver", "redis"},
	} {
		e := toSQSError(c.err)
		require.Equal(t, c.jsonType, e.jsonType(), "%v", c.err)
		require.Equal(t, c.query+";"+c.fault, e.queryHeader(), "%v", c.err)
		require.Equal(t, c.status, e.status, "%v", c.err)
		require.Contains(t, e.message, c.messageContainsInput)
	}
	be := batchEntryError("e1", &queue.Error{Code: "ReceiptHandleIsInvalid", Message: "bad handle"})
	require.Equal(t, batchResultError{ID: "e1", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: "bad handle"}, be)
}

// The query protocol's nested members, as aws-sdk-go v1.47.5 (the last
// one speaking query to SQS) serializes them, decode into the inputs.
func TestQueryDecodesNestedMembers(t *testing.T) {
	t.Parallel()
	form := "QueueUrl=http%3A%2F%2Fh%2F123456789012%2Fq&" +
		"SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=hello&" +
		"SendMessageBatchRequestEntry.1.DelaySeconds=5&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=color&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=blue&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.2.Name=blob&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType=Binary&" +
		"SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.BinaryValue=AAEC&" +
		"SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Name=AWSTraceHeader&" +
		"SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.DataType=String&" +
		"SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.StringValue=Root%3D1-a-b&" +
		"SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=world&" +
		"SendMessageBatchRequestEntry.2.MessageGroupId=g&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d"
	params, err := url.ParseQuery(form)
	require.NoError(t, err)
	var in sendMessageBatchInput
	require.NoError(t, awsproto.DecodeQuery(params, &in))
	require.Equal(t, "http://h/123456789012/q", in.QueueURL)
	require.Len(t, in.Entries, 2)
	first, err := in.Entries[0].input("")
	require.NoError(t, err)
	five := 5
	require.Equal(t, queue.SendInput{ID: "a", Body: "hello", DelaySeconds: &five,
		Attributes: map[string]queue.MessageAttribute{
			"color": {DataType: "String", StringValue: "blue"},
			"blob":  {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		},
		SystemAttributes: map[string]queue.MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: "Root=1-a-b"}},
	}, first)
	second, err := in.Entries[1].input("")
	require.NoError(t, err)
	require.Equal(t, queue.SendInput{ID: "b", Body: "world", GroupID: "g", DedupID: "d"}, second)

	params, err = url.ParseQuery("QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3&Attribute.2.Name=FifoQueue&Attribute.2.Value=true&Tag.1.Key=team&Tag.1.Value=core")
	require.NoError(t, err)
	var create createQueueInput
	require.NoError(t, awsproto.DecodeQuery(params, &create))
	require.Equal(t, createQueueInput{QueueName: "q", Attributes: map[string]string{"DelaySeconds": "3", "FifoQueue": "true"},
		Tags: map[string]string{"team": "core"}}, create)

	params, err = url.ParseQuery("QueueUrl=u&AttributeName.1=All&AttributeName.2=SentTimestamp&MessageAttributeName.1=color&MaxNumberOfMessages=10&WaitTimeSeconds=0&ReceiveRequestAttemptId=x")
	require.NoError(t, err)
	var recv receiveMessageInput
	require.NoError(t, awsproto.DecodeQuery(params, &recv))
	require.Equal(t, []string{"All", "SentTimestamp"}, mergeNames(recv.AttributeNames, recv.MessageSystemAttributeNames))
	require.Equal(t, []string{"color"}, recv.MessageAttributeNames)
	require.Equal(t, 10, *recv.MaxNumberOfMessages)
	require.Equal(t, 0, *recv.WaitTimeSeconds)
	require.Nil(t, recv.VisibilityTimeout)

	params, err = url.ParseQuery("QueueUrl=u&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=60&TagKey.1=k")
	require.NoError(t, err)
	var vis changeMessageVisibilityBatchInput
	require.NoError(t, awsproto.DecodeQuery(params, &vis))
	require.Equal(t, "h", vis.Entries[0].ReceiptHandle)
	require.Equal(t, 60, *vis.Entries[0].VisibilityTimeout)
	var untag untagQueueInput
	require.NoError(t, awsproto.DecodeQuery(params, &untag))
	require.Equal(t, []string{"k"}, untag.TagKeys)

	// a binary value that is no base64, an integer that is none
	params, _ = url.ParseQuery("MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=not*base64")
	var bad sendEntry
	require.NoError(t, awsproto.DecodeQuery(params, &bad))
	_, err = bad.input("")
	require.Equal(t, "InvalidParameterValue", toSQSError(err).query)
	params, _ = url.ParseQuery("DelaySeconds=soon")
	require.Equal(t, "InvalidParameterValue", toSQSError(awsproto.DecodeQuery(params, &bad)).query)
}

// The query protocol's answers are XML as the service model spells them:
// flattened lists and maps, Name/Value and Key/Value entries, base64
// binary values.
func TestQueryAnswersXML(t *testing.T) {
	t.Parallel()
	str := "blue"
	out := &receiveMessageOutput{Messages: []message{{
		MessageID: "m1", ReceiptHandle: "h1", MD5OfBody: "md5", Body: "a<b",
		Attributes:             nameValues{"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"},
		MD5OfMessageAttributes: "md5a",
		MessageAttributes: fromAttributes(map[string]queue.MessageAttribute{
			"color": {DataType: "String", StringValue: str}, "blob": {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		}),
	}}}
	b, err := awsproto.EncodeQueryResponse("ReceiveMessage", XMLNS, out, "rid")
	require.NoError(t, err)
	require.Equal(t, `<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><ReceiveMessageResult>`+
		`<Message><MessageId>m1</MessageId><ReceiptHandle>h1</ReceiptHandle><MD5OfBody>md5</MD5OfBody><Body>a&lt;b</Body>`+
		`<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute><Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>`+
		`<MD5OfMessageAttributes>md5a</MD5OfMessageAttributes>`+
		`<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAEC</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>`+
		`<MessageAttribute><Name>color</Name><Value><StringValue>blue</StringValue><DataType>String</DataType></Value></MessageAttribute>`+
		`</Message></ReceiveMessageResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></ReceiveMessageResponse>`, string(b))

	b, err = awsproto.EncodeQueryResponse("ListQueueTags", XMLNS, &listQueueTagsOutput{Tags: tagMap{"team": "core"}}, "rid")
	require.NoError(t, err)
	require.Contains(t, string(b), `<ListQueueTagsResult><Tag><Key>team</Key><Value>core</Value></Tag></ListQueueTagsResult>`)

	b, err = awsproto.EncodeQueryResponse("DeleteMessageBatch", XMLNS, &deleteMessageBatchOutput{
		Successful: []batchResultID{{ID: "a"}}, Failed: []batchResultError{{ID: "b", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: "m"}}}, "rid")
	require.NoError(t, err)
	require.Contains(t, string(b), `<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>`+
		`<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code><Message>m</Message></BatchResultErrorEntry></DeleteMessageBatchResult>`)

	b, err = awsproto.EncodeQueryResponse("ListQueues", XMLNS, &listQueuesOutput{QueueURLs: []string{"u1", "u2"}}, "rid")
	require.NoError(t, err)
	require.Contains(t, string(b), `<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>`)
}

// Every action of the API is in the table; the two it does not implement
// say so with UnsupportedOperation.
func TestActionTable(t *testing.T) {
	t.Parallel()
	all := []string{"AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "CreateQueue",
		"DeleteMessage", "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
		"ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage", "RemovePermission", "SendMessage",
		"SendMessageBatch", "SetQueueAttributes", "StartMessageMoveTask", "TagQueue", "UntagQueue"}
	got := Actions()
	require.Len(t, got, len(all))
	for _, a := range all {
		supported, ok := got[a]
		require.True(t, ok, a)
		require.Equal(t, a != "AddPermission" && a != "RemovePermission", supported, a)
	}
	_, err := actions["AddPermission"].json(testAPI(), t.Context(), []byte(`{}`))
	e := toSQSError(err)
	require.Equal(t, "AWS.SimpleQueueService.UnsupportedOperation;Sender", e.queryHeader())
	require.Contains(t, e.message, "not supported by Signalbox")
}

// The detail of a server's error (an address, the store's words) goes to
// the log only; the answer gives the request id.
func TestServerErrorsKeepTheirDetailInTheLog(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	s := New(Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	gin.SetMode(gin.ReleaseMode)
	for code, want := range map[string]string{
		"InternalError":      "An internal error occurred (request id rid)",
		"ServiceUnavailable": "The service is unavailable: its store did not answer (request id rid)",
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", nil)
		c.Header("x-amzn-RequestId", "rid")
		e := s.logError(c, "SendMessage", &queue.Error{Code: code, Message: "dial tcp 10.1.2.3:6379: refused", Server: true})
		require.Contains(t, e.message, want)
		require.NotContains(t, e.message, "10.1.2.3")
		require.GreaterOrEqual(t, e.status, 500)
	}
	require.Contains(t, log.String(), "10.1.2.3")
}
