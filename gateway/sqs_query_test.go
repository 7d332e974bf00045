package gateway_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	v1aws "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	v1credentials "github.com/aws/aws-sdk-go/aws/credentials"
	v1session "github.com/aws/aws-sdk-go/aws/session"
	v1sqs "github.com/aws/aws-sdk-go/service/sqs"
	"github.com/stretchr/testify/require"
)

// The query protocol through a real client: the AWS SDK for Go v1 at
// v1.47.5, the last release whose SQS client speaks query (v1.47.6 moved
// it to AWS JSON 1.0). It serializes the nested members
// (Attribute.N.Name, MessageAttribute.N.Value.BinaryValue,
// SendMessageBatchRequestEntry.N.Id, ...) and reads the XML answers by the
// service model, and checks the MD5 of every body, as the v2 SDK does.

// sqsV1Client is SDK v1's SQS client (query protocol) for url.
func sqsV1Client(t *testing.T, url string) *v1sqs.SQS {
	t.Helper()
	sess, err := v1session.NewSession(&v1aws.Config{
		Endpoint: v1aws.String(url), Region: v1aws.String("us-east-1"), MaxRetries: v1aws.Int(0),
		Credentials: v1credentials.NewStaticCredentials("AKIDTEST", "secret", ""),
		// a client of its own: with AWS_CA_BUNDLE set, the session
		// changes its client's transport (http.DefaultClient's otherwise)
		HTTPClient: &http.Client{},
	})
	require.NoError(t, err)
	return v1sqs.New(sess)
}

// v1Attributes are v1's form of sampleAttributes.
func v1Attributes() map[string]*v1sqs.MessageAttributeValue {
	out := map[string]*v1sqs.MessageAttributeValue{}
	for n, a := range sampleAttributes {
		out[n] = &v1sqs.MessageAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return out
}

// requireV1Code asserts SDK v1's error code (the query protocol's <Code>)
// and HTTP status.
func requireV1Code(t *testing.T, err error, code string, status int) {
	t.Helper()
	var rf awserr.RequestFailure
	require.ErrorAs(t, err, &rf)
	require.Equal(t, code, rf.Code(), "%v", err)
	require.Equal(t, status, rf.StatusCode(), "%v", err)
}

// One queue's life through SDK v1, long for the same reason as
// TestSQSStandardQueueThroughTheSDK's.
func TestSQSQueryProtocolThroughSDKv1(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	c := sqsV1Client(t, b.url)

	created, err := c.CreateQueueWithContext(ctx, &v1sqs.CreateQueueInput{QueueName: v1aws.String("legacy"),
		Attributes: map[string]*string{"VisibilityTimeout": v1aws.String("45")}, Tags: map[string]*string{"team": v1aws.String("core")}})
	require.NoError(t, err)
	qurl := v1aws.StringValue(created.QueueUrl)
	require.Equal(t, b.queueURL("legacy"), qurl)
	got, err := c.GetQueueUrlWithContext(ctx, &v1sqs.GetQueueUrlInput{QueueName: v1aws.String("legacy")})
	require.NoError(t, err)
	require.Equal(t, qurl, v1aws.StringValue(got.QueueUrl))
	list, err := c.ListQueuesWithContext(ctx, &v1sqs.ListQueuesInput{QueueNamePrefix: v1aws.String("leg")})
	require.NoError(t, err)
	require.Equal(t, []*string{&qurl}, list.QueueUrls)

	attrs, err := c.GetQueueAttributesWithContext(ctx, &v1sqs.GetQueueAttributesInput{QueueUrl: &qurl, AttributeNames: v1aws.StringSlice([]string{"VisibilityTimeout", "QueueArn"})})
	require.NoError(t, err)
	require.Equal(t, "45", v1aws.StringValue(attrs.Attributes["VisibilityTimeout"]))
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:legacy", v1aws.StringValue(attrs.Attributes["QueueArn"]))
	_, err = c.SetQueueAttributesWithContext(ctx, &v1sqs.SetQueueAttributesInput{QueueUrl: &qurl, Attributes: map[string]*string{"DelaySeconds": v1aws.String("0")}})
	require.NoError(t, err)
	_, err = c.TagQueueWithContext(ctx, &v1sqs.TagQueueInput{QueueUrl: &qurl, Tags: map[string]*string{"env": v1aws.String("ci")}})
	require.NoError(t, err)
	_, err = c.UntagQueueWithContext(ctx, &v1sqs.UntagQueueInput{QueueUrl: &qurl, TagKeys: v1aws.StringSlice([]string{"team"})})
	require.NoError(t, err)
	tags, err := c.ListQueueTagsWithContext(ctx, &v1sqs.ListQueueTagsInput{QueueUrl: &qurl})
	require.NoError(t, err)
	require.Equal(t, map[string]*string{"env": v1aws.String("ci")}, tags.Tags)

	sent, err := c.SendMessageWithContext(ctx, &v1sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: v1aws.String("héllo <xml> & more"), MessageAttributes: v1Attributes()})
	require.NoError(t, err) // the SDK checked MD5OfMessageBody
	require.Equal(t, attributesMD5(sampleAttributes), v1aws.StringValue(sent.MD5OfMessageAttributes))
	batch, err := c.SendMessageBatchWithContext(ctx, &v1sqs.SendMessageBatchInput{QueueUrl: &qurl, Entries: []*v1sqs.SendMessageBatchRequestEntry{
		{Id: v1aws.String("b1"), MessageBody: v1aws.String("batch one"), MessageAttributes: map[string]*v1sqs.MessageAttributeValue{
			"blob": {DataType: v1aws.String("Binary"), BinaryValue: []byte("+/=?&")}}},
		{Id: v1aws.String("b2"), MessageBody: v1aws.String("batch two"), DelaySeconds: v1aws.Int64(0)},
	}})
	require.NoError(t, err)
	require.Len(t, batch.Successful, 2)
	require.Empty(t, batch.Failed)

	bodies := map[string]*v1sqs.Message{}
	for len(bodies) < 3 {
		recv, err := c.ReceiveMessageWithContext(ctx, &v1sqs.ReceiveMessageInput{QueueUrl: &qurl, MaxNumberOfMessages: v1aws.Int64(10), WaitTimeSeconds: v1aws.Int64(1),
			AttributeNames: v1aws.StringSlice([]string{"All"}), MessageAttributeNames: v1aws.StringSlice([]string{"All"})})
		require.NoError(t, err) // the SDK checked each MD5OfBody
		require.NotEmpty(t, recv.Messages, "received %d of 3", len(bodies))
		for _, m := range recv.Messages {
			bodies[v1aws.StringValue(m.Body)] = m
		}
	}
	first := bodies["héllo <xml> & more"]
	require.Equal(t, attributesMD5(sampleAttributes), v1aws.StringValue(first.MD5OfMessageAttributes))
	require.Equal(t, []byte{0, 1, 2, 0xff}, first.MessageAttributes["blob"].BinaryValue)
	require.Equal(t, "blue ünïcode", v1aws.StringValue(first.MessageAttributes["color"].StringValue))
	require.Equal(t, "1", v1aws.StringValue(first.Attributes["ApproximateReceiveCount"]))
	require.Equal(t, []byte("+/=?&"), bodies["batch one"].MessageAttributes["blob"].BinaryValue)
	require.Equal(t, attributesMD5(map[string]types.MessageAttributeValue{"blob": {DataType: aws.String("Binary"), BinaryValue: []byte("+/=?&")}}),
		v1aws.StringValue(bodies["batch one"].MD5OfMessageAttributes))

	_, err = c.ChangeMessageVisibilityWithContext(ctx, &v1sqs.ChangeMessageVisibilityInput{QueueUrl: &qurl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: v1aws.Int64(60)})
	require.NoError(t, err)
	vis, err := c.ChangeMessageVisibilityBatchWithContext(ctx, &v1sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &qurl, Entries: []*v1sqs.ChangeMessageVisibilityBatchRequestEntry{
		{Id: v1aws.String("ok"), ReceiptHandle: bodies["batch one"].ReceiptHandle, VisibilityTimeout: v1aws.Int64(60)},
		{Id: v1aws.String("bad"), ReceiptHandle: v1aws.String("made-up"), VisibilityTimeout: v1aws.Int64(60)},
	}})
	require.NoError(t, err)
	require.Len(t, vis.Successful, 1)
	require.Len(t, vis.Failed, 1)
	require.Equal(t, "ReceiptHandleIsInvalid", v1aws.StringValue(vis.Failed[0].Code))
	require.True(t, v1aws.BoolValue(vis.Failed[0].SenderFault))
	_, err = c.DeleteMessageWithContext(ctx, &v1sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: first.ReceiptHandle})
	require.NoError(t, err)
	del, err := c.DeleteMessageBatchWithContext(ctx, &v1sqs.DeleteMessageBatchInput{QueueUrl: &qurl, Entries: []*v1sqs.DeleteMessageBatchRequestEntry{
		{Id: v1aws.String("x"), ReceiptHandle: bodies["batch one"].ReceiptHandle}, {Id: v1aws.String("y"), ReceiptHandle: bodies["batch two"].ReceiptHandle}}})
	require.NoError(t, err)
	require.Len(t, del.Successful, 2)

	_, err = c.PurgeQueueWithContext(ctx, &v1sqs.PurgeQueueInput{QueueUrl: &qurl})
	require.NoError(t, err)
	_, err = c.AddPermissionWithContext(ctx, &v1sqs.AddPermissionInput{QueueUrl: &qurl, Label: v1aws.String("l"),
		AWSAccountIds: v1aws.StringSlice([]string{"210987654321"}), Actions: v1aws.StringSlice([]string{"SendMessage"})})
	requireV1Code(t, err, "AWS.SimpleQueueService.UnsupportedOperation", 400)
	_, err = c.DeleteQueueWithContext(ctx, &v1sqs.DeleteQueueInput{QueueUrl: &qurl})
	require.NoError(t, err)
	_, err = c.GetQueueUrlWithContext(ctx, &v1sqs.GetQueueUrlInput{QueueName: v1aws.String("legacy")})
	requireV1Code(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400)
	_, err = c.DeleteMessageWithContext(ctx, &v1sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: v1aws.String("x")})
	requireV1Code(t, err, "AWS.SimpleQueueService.NonExistentQueue", 400)
}

// queryAnswer is the part of an XML answer the tests read.
type queryAnswer struct {
	XMLName xml.Name
	NS      string `xml:"xmlns,attr"`
	Result  struct {
		MessageID        string   `xml:"MessageId"`
		MD5OfMessageBody string   `xml:"MD5OfMessageBody"`
		QueueURLs        []string `xml:"QueueUrl"` // one for CreateQueue
	} `xml:",any"`
	Error struct {
		Type, Code, Message string
	} `xml:"Error"`
	RequestID     string `xml:"RequestId"`
	MetaRequestID string `xml:"ResponseMetadata>RequestId"`
}

func parseAnswer(t *testing.T, body string) queryAnswer {
	t.Helper()
	var a queryAnswer
	require.NoError(t, xml.Unmarshal([]byte(body), &a), body)
	return a
}

// Query-protocol requests built by hand: POSTed to a queue's URL (the
// queue taken from the path), a GET with the form in its query string,
// and the errors' XML.
func TestSQSQueryProtocolByHand(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	status, body := postForm(t, b.url, "/", url.Values{"Action": {"CreateQueue"}, "Version": {"2012-11-05"}, "QueueName": {"hand"}})
	require.Equal(t, http.StatusOK, status, body)
	a := parseAnswer(t, body)
	require.Equal(t, "CreateQueueResponse", a.XMLName.Local)
	require.Equal(t, "http://queue.amazonaws.com/doc/2012-11-05/", a.NS)
	require.Equal(t, []string{b.queueURL("hand")}, a.Result.QueueURLs)
	require.NotEmpty(t, a.MetaRequestID)

	// POSTed to the queue's URL, without QueueUrl nor Version
	status, body = postForm(t, b.url, "/"+sqsAccount+"/hand", url.Values{"Action": {"SendMessage"}, "MessageBody": {"hi"}})
	require.Equal(t, http.StatusOK, status, body)
	a = parseAnswer(t, body)
	require.Equal(t, "SendMessageResponse", a.XMLName.Local)
	require.Equal(t, md5Hex("hi"), a.Result.MD5OfMessageBody)
	require.NotEmpty(t, a.Result.MessageID)

	// a GET, its form in the query string
	resp, err := http.Get(b.url + "/?Action=ListQueues&Version=2012-11-05")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list queryAnswer
	require.NoError(t, xml.NewDecoder(resp.Body).Decode(&list))
	resp.Body.Close()
	require.Equal(t, []string{b.queueURL("hand")}, list.Result.QueueURLs)

	for _, c := range []struct {
		path       string
		form       url.Values
		status     int
		code, typ  string
		msgContain string
	}{
		{"/", url.Values{"Action": {"GetQueueUrl"}, "Version": {"2012-11-05"}, "QueueName": {"nope"}}, 400, "AWS.SimpleQueueService.NonExistentQueue", "Sender", ""},
		{"/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {b.queueURL("hand")}}, 400, "MissingParameter", "Sender", "MessageBody"},
		{"/", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {b.queueURL("hand")}, "MaxNumberOfMessages": {"eleven"}}, 400, "InvalidParameterValue", "Sender", "MaxNumberOfMessages"},
		{"/", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {b.queueURL("hand")}, "MaxNumberOfMessages": {"11"}}, 400, "InvalidParameterValue", "Sender", "MaxNumberOfMessages"},
		{"/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {"http://h/not-a-queue-url"}, "MessageBody": {"x"}}, 404, "InvalidAddress", "Sender", "not valid"},
		{"/", url.Values{"Action": {"Frobnicate"}, "Version": {"2012-11-05"}}, 400, "InvalidAction", "Sender", "Frobnicate"},
		{"/", url.Values{"Action": {"DeleteMessageBatch"}, "QueueUrl": {b.queueURL("hand")}}, 400, "AWS.SimpleQueueService.EmptyBatchRequest", "Sender", ""},
		{"/210987654321/hand", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}, 400, "AWS.SimpleQueueService.NonExistentQueue", "Sender", ""},
		{"/" + sqsAccount + "/hand", url.Values{"Action": {"AddPermission"}, "Label": {"l"}}, 400, "AWS.SimpleQueueService.UnsupportedOperation", "Sender", "not supported by Signalbox"},
	} {
		status, body := postForm(t, b.url, c.path, c.form)
		require.Equal(t, c.status, status, "%v: %s", c.form, body)
		a := parseAnswer(t, body)
		require.Equal(t, "ErrorResponse", a.XMLName.Local, body)
		require.Equal(t, c.code, a.Error.Code, body)
		require.Equal(t, c.typ, a.Error.Type, body)
		require.Contains(t, a.Error.Message, c.msgContain, body)
		require.NotEmpty(t, a.RequestID, body)
	}

	// a form whose Action is not SQS's goes on to Step Functions, which
	// answers as it did before SQS was mounted
	status, body = postForm(t, b.url, "/", url.Values{"Action": {"StartExecution"}})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `"__type":"UnknownOperationException"`)
	// and one to a path that is no queue URL finds no route
	status, _ = postForm(t, b.url, "/a/b/c", url.Values{"Action": {"SendMessage"}})
	require.Equal(t, http.StatusNotFound, status)
}

// Dead-letter queues and message-move tasks in the query protocol: their
// XML (queueUrls as <QueueUrl>, <ListMessageMoveTasksResultEntry>) read by
// SDK v1.
func TestSQSQueryProtocolMoveTasksThroughSDKv1(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	c := sqsV1Client(t, b.url)
	dlq, err := c.CreateQueueWithContext(ctx, &v1sqs.CreateQueueInput{QueueName: v1aws.String("dead")})
	require.NoError(t, err)
	src, err := c.CreateQueueWithContext(ctx, &v1sqs.CreateQueueInput{QueueName: v1aws.String("work"), Attributes: map[string]*string{
		"RedrivePolicy": v1aws.String(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dead","maxReceiveCount":"3"}`)}})
	require.NoError(t, err)
	sources, err := c.ListDeadLetterSourceQueuesWithContext(ctx, &v1sqs.ListDeadLetterSourceQueuesInput{QueueUrl: dlq.QueueUrl})
	require.NoError(t, err)
	require.Equal(t, []*string{src.QueueUrl}, sources.QueueUrls)

	_, err = c.SendMessageWithContext(ctx, &v1sqs.SendMessageInput{QueueUrl: dlq.QueueUrl, MessageBody: v1aws.String("back home")})
	require.NoError(t, err)
	task, err := c.StartMessageMoveTaskWithContext(ctx, &v1sqs.StartMessageMoveTaskInput{SourceArn: v1aws.String("arn:aws:sqs:us-east-1:123456789012:dead"),
		DestinationArn: v1aws.String("arn:aws:sqs:us-east-1:123456789012:work"), MaxNumberOfMessagesPerSecond: v1aws.Int64(100)})
	require.NoError(t, err)
	require.NotEmpty(t, v1aws.StringValue(task.TaskHandle))
	tasks, err := c.ListMessageMoveTasksWithContext(ctx, &v1sqs.ListMessageMoveTasksInput{SourceArn: v1aws.String("arn:aws:sqs:us-east-1:123456789012:dead")})
	require.NoError(t, err)
	require.Len(t, tasks.Results, 1)
	r := tasks.Results[0]
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:work", v1aws.StringValue(r.DestinationArn))
	require.Equal(t, int64(100), v1aws.Int64Value(r.MaxNumberOfMessagesPerSecond))
	require.Contains(t, []string{"RUNNING", "COMPLETED"}, v1aws.StringValue(r.Status))
	require.Positive(t, v1aws.Int64Value(r.StartedTimestamp))
	_, err = c.CancelMessageMoveTaskWithContext(ctx, &v1sqs.CancelMessageMoveTaskInput{TaskHandle: v1aws.String("made-up")})
	requireV1Code(t, err, "ResourceNotFoundException", http.StatusNotFound)
}
