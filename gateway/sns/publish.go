package sns

import (
	"cmp"
	"context"
	"strconv"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/topic"
)

// The actions that publish: Publish and PublishBatch.

// MaxPayload is the most a message may carry, its message and its message
// attributes together (names, data types and values): 256 KiB, for one
// Publish and for a whole PublishBatch alike, as SNS's quotas have it.
const MaxPayload = 256 << 10

// maxBatch is the most entries a PublishBatch may carry; maxEntryID the
// longest entry id.
const (
	maxBatch   = 10
	maxEntryID = 80
)

// publishEntry is Publish's request, and one entry of PublishBatch's (with
// its Id; TopicArn, TargetArn and PhoneNumber are Publish's alone).
type publishEntry struct {
	TopicARN               string `query:"TopicArn"`
	TargetARN              string `query:"TargetArn"`
	PhoneNumber            string
	ID                     string `query:"Id"`
	Message                *string
	Subject                string
	MessageStructure       string
	MessageAttributes      map[string]attributeValue `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationID string                    `query:"MessageDeduplicationId"`
	MessageGroupID         string                    `query:"MessageGroupId"`
}

// input is the topic router's form of the entry, and its payload's size;
// member names the entry in error messages ("" for Publish).
func (e *publishEntry) input(ctx context.Context, member string) (topic.PublishInput, int, error) {
	if e.Message == nil {
		return topic.PublishInput{}, 0, missing(member + "Message")
	}
	if *e.Message == "" {
		return topic.PublishInput{}, 0, invalid("Empty message")
	}
	attrs, size, err := toAttributes(e.MessageAttributes)
	if err != nil {
		return topic.PublishInput{}, 0, err
	}
	return topic.PublishInput{ID: e.ID, Message: *e.Message, Subject: e.Subject, MessageStructure: e.MessageStructure,
		Attributes: attrs, GroupID: e.MessageGroupID, DedupID: e.MessageDeduplicationID, Trace: traceOf(ctx)}, len(*e.Message) + size, nil
}

type publishResult struct {
	MessageID      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

func publish(s *API, ctx context.Context, in *publishEntry) (*publishResult, error) {
	if in.TopicARN != "" && in.TargetARN != "" && in.TopicARN != in.TargetARN {
		return nil, invalid("TopicArn Reason: TopicArn and TargetArn may not both be given")
	}
	arn := cmp.Or(in.TopicARN, in.TargetARN)
	if arn == "" {
		if in.PhoneNumber != "" {
			return nil, invalid("PhoneNumber Reason: not supported by Signalbox: %s", whySMS)
		}
		return nil, missing("TopicArn or TargetArn")
	}
	in.ID = "" // not a member of Publish
	msg, size, err := in.input(ctx, "")
	if err != nil {
		return nil, err
	}
	if size > MaxPayload {
		return nil, invalid("Message too long")
	}
	msg.TopicARN = arn
	res, err := s.t().Publish(ctx, &msg)
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, res.Err
	}
	return &publishResult{MessageID: res.MessageID, SequenceNumber: res.SequenceNumber}, nil
}

type publishBatchInput struct {
	TopicARN string         `query:"TopicArn"`
	Entries  []publishEntry `query:"PublishBatchRequestEntries"`
}

type batchResultEntry struct {
	ID             string `xml:"Id"`
	MessageID      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

type publishBatchResult struct {
	Successful members[batchResultEntry] `xml:"Successful"`
	Failed     members[batchResultError] `xml:"Failed"`
}

// checkBatch checks a batch's entries as SNS does before publishing any:
// their number, their ids (well formed, distinct).
func checkBatch(entries []publishEntry) error {
	switch n := len(entries); {
	case n == 0:
		return errorf("EmptyBatchRequest", "The batch request doesn't contain any entries.")
	case n > maxBatch:
		return errorf("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible (more than %d): it has %d.", maxBatch, n)
	}
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if !validEntryID(e.ID) {
			return errorf("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification: %q is not 1 to %d letters, digits, hyphens and underscores.", truncate(e.ID, maxEntryID+1), maxEntryID)
		}
		if seen[e.ID] {
			return errorf("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id: %s.", e.ID)
		}
		seen[e.ID] = true
	}
	return nil
}

// validEntryID: 1 to 80 ASCII letters, digits, hyphens and underscores.
func validEntryID(id string) bool {
	if id == "" || len(id) > maxEntryID {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func publishBatch(s *API, ctx context.Context, in *publishBatchInput) (*publishBatchResult, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	if err := checkBatch(in.Entries); err != nil {
		return nil, err
	}
	msgs := make([]topic.PublishInput, len(in.Entries))
	total := 0
	for i := range in.Entries {
		e := &in.Entries[i]
		e.TopicARN, e.TargetARN, e.PhoneNumber = "", "", "" // not members of an entry
		msg, size, err := e.input(ctx, "PublishBatchRequestEntries.member."+strconv.Itoa(i+1)+".")
		if err != nil {
			return nil, err
		}
		msg.TopicARN = in.TopicARN
		msgs[i] = msg
		total += size
	}
	if total > MaxPayload {
		return nil, errorf("BatchRequestTooLong", "The length of all the batch messages put together is more than the limit: %d bytes, of %d.", total, MaxPayload)
	}
	res, err := s.t().PublishBatch(ctx, in.TopicARN, msgs)
	if err != nil {
		return nil, err
	}
	out := &publishBatchResult{Successful: members[batchResultEntry]{}, Failed: members[batchResultError]{}}
	for _, r := range res {
		if r.Err != nil {
			out.Failed = append(out.Failed, batchEntryError(r.ID, r.Err))
			continue
		}
		out.Successful = append(out.Successful, batchResultEntry{ID: r.ID, MessageID: r.MessageID, SequenceNumber: r.SequenceNumber})
	}
	return out, nil
}

// traceOf is the publisher's trace context, carried to every delivery:
// the request's server span when the gateway traces (so that deliveries
// nest under the publish), else the request's W3C traceparent; its
// tracestate and baggage headers with it.
func traceOf(ctx context.Context) integrations.TraceContext {
	r := requestOf(ctx)
	if r == nil {
		return integrations.TraceContext{}
	}
	return integrations.TraceContextOf(ctx, r.Header)
}

// AppendXML writes the result's members as encoding/xml writes them from
// the tags (awsproto.XMLAppender): Publish is SNS's busiest action.
func (r *publishResult) AppendXML(b []byte) []byte {
	b = awsproto.AppendXMLElement(b, "MessageId", r.MessageID)
	if r.SequenceNumber != "" {
		b = awsproto.AppendXMLElement(b, "SequenceNumber", r.SequenceNumber)
	}
	return b
}
