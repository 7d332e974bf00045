package sqs

import (
	"context"
	"strings"

	"github.com/signalbox/signalbox/integrations/queue"
)

// The actions on messages: send, receive, delete, change visibility, each
// alone and in batches.

// sendEntry is SendMessage's request, and one entry of SendMessageBatch's
// (one type for both: DecodeQuery sets no embedded struct's fields).
type sendEntry struct {
	QueueURL                string `json:"QueueUrl" query:"QueueUrl"` // SendMessage only
	ID                      string `json:"Id" query:"Id"`             // batches only
	MessageBody             string
	DelaySeconds            *int
	MessageAttributes       map[string]attributeValue `query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]attributeValue `query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationID  string                    `json:"MessageDeduplicationId" query:"MessageDeduplicationId"`
	MessageGroupID          string                    `json:"MessageGroupId" query:"MessageGroupId"`
}

// input is the queue router's form of the entry, sent by sender (the
// SenderId attribute).
func (e *sendEntry) input(sender string) (queue.SendInput, error) {
	attrs, err := toAttributes(e.MessageAttributes, "message attribute")
	if err != nil {
		return queue.SendInput{}, err
	}
	sys, err := toAttributes(e.MessageSystemAttributes, "message system attribute")
	if err != nil {
		return queue.SendInput{}, err
	}
	return queue.SendInput{ID: e.ID, Body: e.MessageBody, DelaySeconds: e.DelaySeconds, Attributes: attrs,
		SystemAttributes: sys, GroupID: e.MessageGroupID, DedupID: e.MessageDeduplicationID, SenderID: sender}, nil
}

// sendResult is SendMessage's answer, and a successful entry of
// SendMessageBatch's (with its Id).
type sendResult struct {
	ID                           string `json:"Id,omitempty" xml:"Id,omitempty"`
	MessageID                    string `json:"MessageId" xml:"MessageId"`
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty" xml:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty" xml:",omitempty"`
	SequenceNumber               string `json:",omitempty" xml:",omitempty"`
}

func toSendResult(r queue.SendResult) sendResult {
	return sendResult{ID: r.ID, MessageID: r.MessageID, MD5OfMessageBody: r.MD5OfBody, MD5OfMessageAttributes: r.MD5OfAttributes,
		MD5OfMessageSystemAttributes: r.MD5OfSystemAttributes, SequenceNumber: r.SequenceNumber}
}

func sendMessage(s *API, ctx context.Context, in *sendEntry) (*sendResult, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.MessageBody == "" {
		return nil, missing("MessageBody")
	}
	in.ID = "" // not a member of SendMessage
	msg, err := in.input(senderOf(ctx))
	if err != nil {
		return nil, err
	}
	res, err := s.q().Send(ctx, name, []queue.SendInput{msg})
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, errorf("InternalError", "the queue router answered %d results for one message", len(res))
	}
	if res[0].Err != nil {
		return nil, res[0].Err
	}
	out := toSendResult(res[0])
	return &out, nil
}

type sendMessageBatchInput struct {
	QueueURL string      `json:"QueueUrl" query:"QueueUrl"`
	Entries  []sendEntry `query:"SendMessageBatchRequestEntry,flat"`
}

type sendMessageBatchOutput struct {
	Successful []sendResult       `xml:"SendMessageBatchResultEntry"`
	Failed     []batchResultError `xml:"BatchResultErrorEntry"`
}

func sendMessageBatch(s *API, ctx context.Context, in *sendMessageBatchInput) (*sendMessageBatchOutput, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.Entries)); err != nil {
		return nil, err
	}
	msgs := make([]queue.SendInput, len(in.Entries))
	for i := range in.Entries {
		if msgs[i], err = in.Entries[i].input(senderOf(ctx)); err != nil {
			return nil, err
		}
	}
	res, err := s.q().Send(ctx, name, msgs)
	if err != nil {
		return nil, err
	}
	out := &sendMessageBatchOutput{Successful: []sendResult{}, Failed: []batchResultError{}}
	for _, r := range res {
		if r.Err != nil {
			out.Failed = append(out.Failed, batchEntryError(r.ID, r.Err))
			continue
		}
		r := toSendResult(r)
		out.Successful = append(out.Successful, r)
	}
	return out, nil
}

// maxBatch is the most entries a batch may carry.
const maxBatch = 10

// checkBatch refuses an empty batch and one of more than ten entries
// before a batch's entries are converted (a request may hold thousands).
func checkBatch(n int) error {
	switch {
	case n == 0:
		return errorf("EmptyBatchRequest", "There should be at least one entry in the request.")
	case n > maxBatch:
		return errorf("TooManyEntriesInBatchRequest", "Maximum number of entries per request are %d. You have sent %d.", maxBatch, n)
	}
	return nil
}

type receiveMessageInput struct {
	QueueURL                    string   `json:"QueueUrl" query:"QueueUrl"`
	AttributeNames              []string `query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `query:"AttributeName,flat"` // the same parameter in the query protocol
	MessageAttributeNames       []string `query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             *int
	ReceiveRequestAttemptID     string `json:"ReceiveRequestAttemptId" query:"ReceiveRequestAttemptId"`
}

type message struct {
	MessageID              string `json:"MessageId" xml:"MessageId"`
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             nameValues        `json:",omitempty" xml:"Attribute,omitempty"`
	MD5OfMessageAttributes string            `json:",omitempty" xml:",omitempty"`
	MessageAttributes      messageAttributes `json:",omitempty" xml:"MessageAttribute,omitempty"`
}

type receiveMessageOutput struct {
	Messages []message `json:",omitempty" xml:"Message"`
}

func receiveMessage(s *API, ctx context.Context, in *receiveMessageInput) (*receiveMessageOutput, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if n := in.MaxNumberOfMessages; n != nil && (*n < 1 || *n > maxBatch) {
		return nil, invalidValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *n)
	}
	for member, names := range map[string][]string{"AttributeNames": in.AttributeNames,
		"MessageSystemAttributeNames": in.MessageSystemAttributeNames, "MessageAttributeNames": in.MessageAttributeNames} {
		if err := checkNames(member, names); err != nil {
			return nil, err
		}
	}
	msgs, err := s.q().Receive(ctx, name, &queue.ReceiveInput{
		MaxMessages: deref(in.MaxNumberOfMessages), VisibilityTimeout: in.VisibilityTimeout, WaitTimeSeconds: in.WaitTimeSeconds,
		AttributeNames:        mergeNames(in.AttributeNames, in.MessageSystemAttributeNames),
		MessageAttributeNames: in.MessageAttributeNames, ReceiveRequestAttemptID: in.ReceiveRequestAttemptID,
	})
	if err != nil {
		return nil, err
	}
	out := &receiveMessageOutput{}
	for _, m := range msgs {
		out.Messages = append(out.Messages, message{MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody,
			Body: m.Body, Attributes: m.Attributes, MD5OfMessageAttributes: m.MD5OfMessageAttributes,
			MessageAttributes: fromAttributes(m.MessageAttributes)})
	}
	return out, nil
}

// handleEntry is DeleteMessage's and ChangeMessageVisibility's request,
// and one entry of their batches.
type handleEntry struct {
	QueueURL          string `json:"QueueUrl" query:"QueueUrl"` // outside batches
	ID                string `json:"Id" query:"Id"`             // batches only
	ReceiptHandle     string
	VisibilityTimeout *int // ChangeMessageVisibility only
}

// one carries out DeleteMessage or ChangeMessageVisibility through the
// batch call f, with one entry.
func (s *API) one(ctx context.Context, in *handleEntry, visibility bool,
	f func(context.Context, string, []queue.HandleEntry) ([]queue.BatchResult, error)) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, missing("ReceiptHandle")
	}
	if visibility && in.VisibilityTimeout == nil {
		return nil, missing("VisibilityTimeout")
	}
	res, err := f(ctx, name, []queue.HandleEntry{{ReceiptHandle: in.ReceiptHandle, VisibilityTimeout: deref(in.VisibilityTimeout)}})
	if err != nil {
		return nil, err
	}
	if len(res) == 1 && res[0].Err != nil {
		return nil, res[0].Err
	}
	return &empty{}, nil
}

func deleteMessage(s *API, ctx context.Context, in *handleEntry) (*empty, error) {
	return s.one(ctx, in, false, s.q().Delete)
}

func changeMessageVisibility(s *API, ctx context.Context, in *handleEntry) (*empty, error) {
	return s.one(ctx, in, true, s.q().ChangeVisibility)
}

type batchHandlesOutput struct {
	Successful []batchResultID
	Failed     []batchResultError `xml:"BatchResultErrorEntry"`
}

// batch carries out DeleteMessageBatch or ChangeMessageVisibilityBatch
// through f.
func (s *API) batch(ctx context.Context, queueURL string, entries []handleEntry, visibility bool,
	f func(context.Context, string, []queue.HandleEntry) ([]queue.BatchResult, error)) (*batchHandlesOutput, error) {
	name, err := s.parseQueueURL(queueURL)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(len(entries)); err != nil {
		return nil, err
	}
	hs := make([]queue.HandleEntry, len(entries))
	for i, e := range entries {
		if visibility && e.VisibilityTimeout == nil {
			return nil, missing("VisibilityTimeout")
		}
		hs[i] = queue.HandleEntry{ID: e.ID, ReceiptHandle: e.ReceiptHandle, VisibilityTimeout: deref(e.VisibilityTimeout)}
	}
	res, err := f(ctx, name, hs)
	if err != nil {
		return nil, err
	}
	out := &batchHandlesOutput{Successful: []batchResultID{}, Failed: []batchResultError{}}
	for _, r := range res {
		if r.Err != nil {
			out.Failed = append(out.Failed, batchEntryError(r.ID, r.Err))
		} else {
			out.Successful = append(out.Successful, batchResultID{ID: r.ID})
		}
	}
	return out, nil
}

type deleteMessageBatchInput struct {
	QueueURL string        `json:"QueueUrl" query:"QueueUrl"`
	Entries  []handleEntry `query:"DeleteMessageBatchRequestEntry,flat"`
}

// deleteMessageBatchOutput names its successful entries as XML does.
type deleteMessageBatchOutput struct {
	Successful []batchResultID    `xml:"DeleteMessageBatchResultEntry"`
	Failed     []batchResultError `xml:"BatchResultErrorEntry"`
}

func deleteMessageBatch(s *API, ctx context.Context, in *deleteMessageBatchInput) (*deleteMessageBatchOutput, error) {
	out, err := s.batch(ctx, in.QueueURL, in.Entries, false, s.q().Delete)
	if err != nil {
		return nil, err
	}
	return &deleteMessageBatchOutput{Successful: out.Successful, Failed: out.Failed}, nil
}

type changeMessageVisibilityBatchInput struct {
	QueueURL string        `json:"QueueUrl" query:"QueueUrl"`
	Entries  []handleEntry `query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
}

type changeMessageVisibilityBatchOutput struct {
	Successful []batchResultID    `xml:"ChangeMessageVisibilityBatchResultEntry"`
	Failed     []batchResultError `xml:"BatchResultErrorEntry"`
}

func changeMessageVisibilityBatch(s *API, ctx context.Context, in *changeMessageVisibilityBatchInput) (*changeMessageVisibilityBatchOutput, error) {
	out, err := s.batch(ctx, in.QueueURL, in.Entries, true, s.q().ChangeVisibility)
	if err != nil {
		return nil, err
	}
	return &changeMessageVisibilityBatchOutput{Successful: out.Successful, Failed: out.Failed}, nil
}

// senderOf is the SenderId of the messages a request sends: the access key
// id of its signature (Credential=AKID/date/region/service/aws4_request),
// as AWS gives the caller's; "" (the queue router's account) for an
// unsigned request.
func senderOf(ctx context.Context) string {
	auth := requestOf(ctx).Header.Get("Authorization")
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	key, _, ok := strings.Cut(cred, "/")
	if !ok || len(key) > 128 {
		return ""
	}
	return key
}
