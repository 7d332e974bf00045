package gateway_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// SQS's API through the official SDK for Go v2 (AWS JSON 1.0), with only
// an endpoint override: every action on a standard queue, then what
// differs on a FIFO queue, dead-letter queues and message-move tasks. The
// SDK checks the MD5 of every body it sends and receives; the tests check
// the attributes' digests against attributesMD5, computed here.

// The digest of the tests' oracle is the one AWS documents for these
// attributes (the vectors of the npm package aws-md5-of-message-attributes).
func TestSQSAttributesMD5Oracle(t *testing.T) {
	t.Parallel()
	require.Equal(t, "19e27d4e946b072f3f58da80d94fd778", attributesMD5(map[string]types.MessageAttributeValue{
		"attribName1": {DataType: aws.String("String"), StringValue: aws.String("attribValue 1")}}))
	require.Equal(t, "31a92b15d92f8db860eda32aceb656c3", attributesMD5(map[string]types.MessageAttributeValue{
		"binaryAttribute": {DataType: aws.String("Binary"), BinaryValue: []byte("Hello binary world!")}}))
	require.Equal(t, "c932db14a896c663f83c260297d594ff", attributesMD5(map[string]types.MessageAttributeValue{
		"attribName1":            {DataType: aws.String("String"), StringValue: aws.String("attribValue 1")},
		"customNumberTypeAttrib": {DataType: aws.String("Number.float"), StringValue: aws.String("4563442423554324324264524243.32543234")},
		"binaryAttribute":        {DataType: aws.String("Binary"), BinaryValue: []byte("Hello binary world!")}}))
}

// sampleAttributes are a message's attributes of every data type.
var sampleAttributes = map[string]types.MessageAttributeValue{
	"color":  {DataType: aws.String("String"), StringValue: aws.String("blue ünïcode")},
	"count":  {DataType: aws.String("Number"), StringValue: aws.String("42")},
	"weight": {DataType: aws.String("Number.float"), StringValue: aws.String("1.5")},
	"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xff}},
}

// One queue's life, every action in the order a user meets them: long, as
// each step reads the state the steps before it left (split, each part
// would rebuild it).
func TestSQSStandardQueueThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	c := b.client

	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"),
		Attributes: map[string]string{"VisibilityTimeout": "40", "DelaySeconds": "0"}, Tags: map[string]string{"team": "core"}})
	require.NoError(t, err)
	qurl := aws.ToString(created.QueueUrl)
	require.Equal(t, b.queueURL("orders"), qurl)
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, qurl, aws.ToString(got.QueueUrl))
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders"), QueueOwnerAWSAccountId: aws.String("210987654321")})
	requireSQSType[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue", 400)

	for _, n := range []string{"orders-b", "other"} {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)})
		require.NoError(t, err)
	}
	// ListQueues: by prefix, and in pages
	list, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("orders")})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{qurl, b.queueURL("orders-b")}, list.QueueUrls)
	var paged []string
	var token *string
	for range 5 {
		page, err := c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: token})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.QueueUrls), 2)
		paged = append(paged, page.QueueUrls...)
		if token = page.NextToken; token == nil {
			break
		}
	}
	require.ElementsMatch(t, []string{qurl, b.queueURL("orders-b"), b.queueURL("other")}, paged)
	_, err = c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	requireSQSCode(t, err, "InvalidParameterValue")

	// attributes
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &qurl, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	require.NoError(t, err)
	require.Equal(t, "40", attrs.Attributes["VisibilityTimeout"])
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:orders", attrs.Attributes["QueueArn"])
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: &qurl, Attributes: map[string]string{"VisibilityTimeout": "50"}})
	require.NoError(t, err)
	attrs, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &qurl, AttributeNames: []types.QueueAttributeName{"VisibilityTimeout"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"VisibilityTimeout": "50"}, attrs.Attributes)

	// tags
	_, err = c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: &qurl, Tags: map[string]string{"env": "test", "tier": "1"}})
	require.NoError(t, err)
	_, err = c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: &qurl, TagKeys: []string{"tier"}})
	require.NoError(t, err)
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: &qurl})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "core", "env": "test"}, tags.Tags)

	// send, one and a batch
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: aws.String(`{"order": 1}`), MessageAttributes: sampleAttributes,
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")}}})
	require.NoError(t, err) // the SDK checked MD5OfMessageBody
	require.Equal(t, md5Hex(`{"order": 1}`), aws.ToString(sent.MD5OfMessageBody))
	require.Equal(t, attributesMD5(sampleAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	require.NotEmpty(t, aws.ToString(sent.MD5OfMessageSystemAttributes))
	require.Nil(t, sent.SequenceNumber)

	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &qurl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("two"), MessageBody: aws.String("second"), MessageAttributes: map[string]types.MessageAttributeValue{"color": sampleAttributes["color"]}},
		{Id: aws.String("three"), MessageBody: aws.String("third")},
	}})
	require.NoError(t, err)
	require.Empty(t, batch.Failed)
	require.Len(t, batch.Successful, 2)
	for _, e := range batch.Successful {
		if aws.ToString(e.Id) == "two" {
			require.Equal(t, attributesMD5(map[string]types.MessageAttributeValue{"color": sampleAttributes["color"]}), aws.ToString(e.MD5OfMessageAttributes))
		}
	}

	// AWS's forms of the queue's URL name it too
	for _, awsURL := range []string{"https://sqs.us-east-1.amazonaws.com/123456789012/orders", "https://us-east-1.queue.amazonaws.com/123456789012/orders"} {
		n, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(awsURL), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
		require.NoError(t, err, awsURL)
		require.Equal(t, "3", n.Attributes["ApproximateNumberOfMessages"], awsURL)
	}

	// receive them all, with their attributes
	byBody := map[string]types.Message{}
	for len(byBody) < 3 {
		recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qurl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"}})
		require.NoError(t, err) // the SDK checked each MD5OfBody
		require.NotEmpty(t, recv.Messages, "received %d of 3", len(byBody))
		for _, m := range recv.Messages {
			byBody[aws.ToString(m.Body)] = m
		}
	}
	first := byBody[`{"order": 1}`]
	require.Equal(t, aws.ToString(sent.MessageId), aws.ToString(first.MessageId))
	require.Equal(t, attributesMD5(sampleAttributes), aws.ToString(first.MD5OfMessageAttributes))
	require.Equal(t, sampleAttributes["blob"].BinaryValue, first.MessageAttributes["blob"].BinaryValue)
	require.Equal(t, "blue ünïcode", aws.ToString(first.MessageAttributes["color"].StringValue))
	require.Equal(t, "Number.float", aws.ToString(first.MessageAttributes["weight"].DataType))
	require.Equal(t, "1", first.Attributes["ApproximateReceiveCount"])
	require.Equal(t, "AKIDTEST", first.Attributes["SenderId"], "the signature's access key")
	sentAt, err := strconv.ParseInt(first.Attributes["SentTimestamp"], 10, 64)
	require.NoError(t, err)
	require.Positive(t, sentAt)
	require.Empty(t, byBody["third"].MessageAttributes)

	// change visibility, alone and in a batch (one handle made up)
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &qurl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 100})
	require.NoError(t, err)
	vis, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &qurl, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("ok"), ReceiptHandle: byBody["second"].ReceiptHandle, VisibilityTimeout: 100},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("made-up"), VisibilityTimeout: 100},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, batchIDs(vis.Successful, func(e types.ChangeMessageVisibilityBatchResultEntry) *string { return e.Id }))
	require.Len(t, vis.Failed, 1)
	require.Equal(t, "bad", aws.ToString(vis.Failed[0].Id))
	require.True(t, vis.Failed[0].SenderFault)
	require.Equal(t, "ReceiptHandleIsInvalid", aws.ToString(vis.Failed[0].Code))

	// delete, alone and in a batch
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: first.ReceiptHandle})
	require.NoError(t, err)
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &qurl, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: byBody["second"].ReceiptHandle},
		{Id: aws.String("b"), ReceiptHandle: byBody["third"].ReceiptHandle},
	}})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a", "b"}, batchIDs(del.Successful, func(e types.DeleteMessageBatchResultEntry) *string { return e.Id }))
	require.Empty(t, del.Failed)
	attrs, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &qurl,
		AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, attrs.Attributes)

	// purge, then an empty receive
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: aws.String("doomed")})
	require.NoError(t, err)
	_, err = c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: &qurl})
	require.NoError(t, err)
	empty, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qurl, WaitTimeSeconds: 0})
	require.NoError(t, err)
	require.Empty(t, empty.Messages)

	// batch errors of the whole request
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &qurl, Entries: []types.SendMessageBatchRequestEntry{}})
	requireSQSType[*types.EmptyBatchRequest](t, err, "AWS.SimpleQueueService.EmptyBatchRequest", 400)
	eleven := make([]types.SendMessageBatchRequestEntry, 11)
	for i := range eleven {
		eleven[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("x")}
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &qurl, Entries: eleven})
	requireSQSType[*types.TooManyEntriesInBatchRequest](t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400)
	_, err = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &qurl, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("same"), ReceiptHandle: aws.String("x")}, {Id: aws.String("same"), ReceiptHandle: aws.String("y")}}})
	requireSQSType[*types.BatchEntryIdsNotDistinct](t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400)
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: aws.String("made-up")})
	requireSQSType[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid", 404)

	// delete the queue: then it does not exist
	_, err = c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &qurl})
	require.NoError(t, err)
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: aws.String("late")})
	msg := requireSQSType[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue", 400)
	require.NotEmpty(t, msg)
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	requireSQSType[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue", 400)
}

func batchIDs[E any](entries []E, id func(E) *string) []string {
	var ids []string
	for _, e := range entries {
		ids = append(ids, aws.ToString(id(e)))
	}
	return ids
}

func TestSQSFIFOQueueThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	c := b.client
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}})
	require.NoError(t, err)
	qurl := aws.ToString(created.QueueUrl)
	require.Equal(t, b.queueURL("jobs.fifo"), qurl)

	var seqs []string
	for i, body := range []string{"one", "two", "one"} { // the third is a duplicate of the first
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: aws.String(body), MessageGroupId: aws.String("g1"),
			MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(i))}}})
		require.NoError(t, err)
		require.NotEmpty(t, aws.ToString(out.SequenceNumber))
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	require.Equal(t, seqs[0], seqs[2], "a duplicate answers the first message's sequence number")
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &qurl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("three"), MessageGroupId: aws.String("g1"), MessageDeduplicationId: aws.String("d3")},
		{Id: aws.String("b"), MessageBody: aws.String("four"), MessageGroupId: aws.String("g1"), MessageDeduplicationId: aws.String("d4")},
	}})
	require.NoError(t, err)
	require.Len(t, batch.Successful, 2)
	for _, e := range batch.Successful {
		require.NotEmpty(t, aws.ToString(e.SequenceNumber))
	}

	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &qurl, MessageBody: aws.String("no group")})
	requireSQSCode(t, err, "MissingParameter")

	recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qurl, MaxNumberOfMessages: 10, ReceiveRequestAttemptId: aws.String("attempt-1"),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameMessageGroupId, types.MessageSystemAttributeNameSequenceNumber}})
	require.NoError(t, err)
	var bodies []string
	for _, m := range recv.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
		require.Equal(t, "g1", m.Attributes["MessageGroupId"])
		require.NotEmpty(t, m.Attributes["SequenceNumber"])
	}
	require.Equal(t, []string{"one", "two", "three", "four"}, bodies, "in order, once each")

	// the same attempt id answers the same messages again
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qurl, MaxNumberOfMessages: 10, ReceiveRequestAttemptId: aws.String("attempt-1")})
	require.NoError(t, err)
	require.Equal(t, len(recv.Messages), len(again.Messages))
	for _, m := range again.Messages {
		require.True(t, slices.ContainsFunc(recv.Messages, func(r types.Message) bool { return aws.ToString(r.MessageId) == aws.ToString(m.MessageId) }))
	}

	// the first made visible again, the rest deleted in a batch: the
	// group's next receive starts with the first again
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &qurl, ReceiptHandle: again.Messages[0].ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)
	var entries []types.DeleteMessageBatchRequestEntry
	for i, m := range again.Messages[1:] {
		entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
	}
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &qurl, Entries: entries})
	require.NoError(t, err)
	require.Len(t, del.Successful, 3)
	last, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &qurl, MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Len(t, last.Messages, 1)
	require.Equal(t, "one", aws.ToString(last.Messages[0].Body))
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &qurl, ReceiptHandle: last.Messages[0].ReceiptHandle})
	require.NoError(t, err)
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &qurl,
		AttributeNames: []types.QueueAttributeName{"FifoQueue", "ContentBasedDeduplication", "ApproximateNumberOfMessages"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "ApproximateNumberOfMessages": "0"}, attrs.Attributes)
}

func TestSQSDeadLetterQueuesAndMoveTasksThroughTheSDK(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	c := b.client
	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dead")})
	require.NoError(t, err)
	dlqURL := aws.ToString(dlq.QueueUrl)
	dlqARN := "arn:aws:sqs:us-east-1:123456789012:dead"
	// visible again at once after a receive (the SDK leaves a request's
	// VisibilityTimeout of 0 out: the queue's is 0)
	src, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work"), Attributes: map[string]string{
		"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`}})
	require.NoError(t, err)
	srcURL := aws.ToString(src.QueueUrl)

	sources, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: &dlqURL})
	require.NoError(t, err)
	require.Equal(t, []string{srcURL}, sources.QueueUrls)

	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &srcURL, MessageBody: aws.String("poison")})
	require.NoError(t, err)
	// received once, made visible again, received again: past
	// maxReceiveCount it goes to the dead-letter queue
	for range 2 {
		recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &srcURL})
		require.NoError(t, err)
		if len(recv.Messages) == 0 {
			break
		}
	}
	var moved []types.Message
	for range 3 {
		recv, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlqURL, VisibilityTimeout: 1, WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameDeadLetterQueueSourceArn}})
		require.NoError(t, err)
		if moved = recv.Messages; len(moved) > 0 {
			break
		}
	}
	require.Len(t, moved, 1)
	require.Equal(t, "poison", aws.ToString(moved[0].Body))
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:work", moved[0].Attributes["DeadLetterQueueSourceArn"])
	// visible again, for the move task to take
	_, err = c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &dlqURL, ReceiptHandle: moved[0].ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)

	// move it back
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(task.TaskHandle))
	tasks, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN), MaxResults: aws.Int32(10)})
	require.NoError(t, err)
	require.NotEmpty(t, tasks.Results)
	require.Equal(t, dlqARN, aws.ToString(tasks.Results[0].SourceArn))
	require.Contains(t, []string{"RUNNING", "COMPLETED"}, aws.ToString(tasks.Results[0].Status))
	require.Positive(t, tasks.Results[0].StartedTimestamp)
	// cancelled while it runs, or refused once it has ended (one message
	// moves fast: either may happen)
	if _, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle}); err != nil {
		require.Contains(t, requireSQSType[*types.UnsupportedOperation](t, err, "AWS.SimpleQueueService.UnsupportedOperation", 400), "active")
		tasks, err = c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
		require.NoError(t, err)
		require.Equal(t, "COMPLETED", aws.ToString(tasks.Results[0].Status))
		require.Equal(t, int64(1), tasks.Results[0].ApproximateNumberOfMessagesMoved)
		back, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &srcURL, WaitTimeSeconds: 1})
		require.NoError(t, err)
		require.Len(t, back.Messages, 1, "moved back to its source")
		require.Equal(t, "poison", aws.ToString(back.Messages[0].Body))
	}
	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("made-up")})
	requireSQSType[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
}

// AddPermission and RemovePermission are in the API, and refused as not
// supported: UnsupportedOperation, typed by the SDK.
func TestSQSPermissionsAreNotSupported(t *testing.T) {
	t.Parallel()
	b := newSQS(t)
	ctx := context.Background()
	qurl := b.queueURL("q")
	_, err := b.client.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: &qurl, Label: aws.String("l"),
		AWSAccountIds: []string{"210987654321"}, Actions: []string{"SendMessage"}})
	require.Contains(t, requireSQSType[*types.UnsupportedOperation](t, err, "AWS.SimpleQueueService.UnsupportedOperation", 400), "not supported by Signalbox")
	_, err = b.client.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: &qurl, Label: aws.String("l")})
	requireSQSType[*types.UnsupportedOperation](t, err, "AWS.SimpleQueueService.UnsupportedOperation", 400)
}
