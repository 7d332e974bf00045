package queue

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/signalbox/signalbox/store"
)

// maxBatch is the most entries of a batch request.
const maxBatch = 10

// batchIDRE: a batch entry's Id, 1 to 80 alphanumeric characters, hyphens
// and underscores.
var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch checks a batch's entry ids (what names the request type in
// AWS's message: SendMessageBatchRequestEntry, ...).
func checkBatch(ids []string, what string) *Error {
	if len(ids) == 0 {
		return errorf("EmptyBatchRequest", "There should be at least one %s in the request.", what)
	}
	if len(ids) > maxBatch {
		return errorf("TooManyEntriesInBatchRequest", "Maximum number of entries per request are %d. You have sent %d.", maxBatch, len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !batchIDRE.MatchString(id) {
			return errorf("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errorf("BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

// queueConf is what a send or receive reads of a queue's attributes.
type queueConf struct {
	fifo, contentDedup, groupScope bool
	maxSize                        int
	delay, visibility, wait        int
}

func confOf(rec *store.QueueRecord) queueConf {
	a := rec.Attributes
	atoi := func(k string) int { n, _ := strconv.Atoi(a[k]); return n }
	return queueConf{
		fifo: a[attrFifo] == "true", contentDedup: a[attrContentDedup] == "true", groupScope: a[attrDedupScope] == "messageGroup",
		maxSize: atoi(attrMaxSize), delay: atoi(attrDelay), visibility: atoi(attrVisibility), wait: atoi(attrWait),
	}
}

func (s *Service) Send(ctx context.Context, name string, msgs []SendInput) ([]SendResult, error) {
	single := len(msgs) == 1 && msgs[0].ID == ""
	if !single {
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
			return nil, err
		}
	}
	_, conf, err := s.hotConf(ctx, name)
	if err != nil {
		return nil, err
	}
	if !single {
		total := 0
		for _, m := range msgs {
			total += len(m.Body) + attrsSize(m.Attributes)
		}
		if total > conf.maxSize {
			return nil, errorf("BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", conf.maxSize, total)
		}
	}
	now := s.now()
	results := make([]SendResult, len(msgs))
	var (
		sends []store.QueueMessage
		index []int // results' index of each send
	)
	for i := range msgs {
		results[i].ID = msgs[i].ID
		m, res, e := s.prepare(&msgs[i], conf, now)
		if e != nil {
			if single {
				return nil, e
			}
			results[i].Err = e
			continue
		}
		results[i] = res
		sends = append(sends, m)
		index = append(index, i)
	}
	if len(sends) == 0 {
		return results, nil
	}
	sent, err := s.st.QueueSend(ctx, &store.QueueSendParams{Name: name, Messages: sends, Dedup: dedupWindow, Now: now, Limits: s.cfg.Limits})
	if err != nil {
		return nil, storeError(err)
	}
	added := 0
	for _, st := range sent {
		if !st.Duplicate {
			added++
		}
	}
	s.meters.count(ctx, name, "send", added)
	for k, st := range sent {
		r := &results[index[k]]
		r.MessageID = st.ID
		if conf.fifo {
			r.SequenceNumber = formatSeq(st.Seq)
		}
	}
	return results, nil
}

// formatSeq renders a sequence number as AWS does: a string of digits (20
// here, so that they also sort as strings).
func formatSeq(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 20 {
		s = "0" + s
	}
	return s
}

// prepare validates one message and encodes it for the store.
func (s *Service) prepare(in *SendInput, conf queueConf, now time.Time) (store.QueueMessage, SendResult, *Error) {
	var zero store.QueueMessage
	res := SendResult{ID: in.ID}
	if in.Body == "" {
		return zero, res, errorf("MissingParameter", "The request must contain the parameter MessageBody.")
	}
	if r, ok := checkChars(in.Body); !ok {
		return zero, res, errInvalidChars(r, "message body")
	}
	if len(in.Attributes) > maxAttributes {
		return zero, res, errInvalidValue("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in.Attributes), maxAttributes)
	}
	for n, a := range in.Attributes {
		if e := checkAttrName(n); e != nil {
			return zero, res, e
		}
		if e := checkAttribute(n, a, "user"); e != nil {
			return zero, res, e
		}
	}
	for n, a := range in.SystemAttributes {
		if n != "AWSTraceHeader" {
			return zero, res, errInvalidValue("Message system attribute name '%s' is invalid.", clip(n, 64))
		}
		if baseType(a.DataType) != "String" || a.DataType != "String" {
			return zero, res, errInvalidValue("Message system attribute 'AWSTraceHeader' must be of type String.")
		}
		if e := checkAttribute(n, a, "system"); e != nil {
			return zero, res, e
		}
	}
	size := len(in.Body) + attrsSize(in.Attributes)
	if size > conf.maxSize {
		return zero, res, errInvalidValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", conf.maxSize)
	}
	delay := conf.delay
	if in.DelaySeconds != nil {
		if conf.fifo {
			return zero, res, errInvalidValue("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *in.DelaySeconds)
		}
		if *in.DelaySeconds < 0 || *in.DelaySeconds > maxDelaySeconds {
			return zero, res, errInvalidValue("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", *in.DelaySeconds)
		}
		delay = *in.DelaySeconds
	}
	dedupKey, e := s.dedup(in, conf)
	if e != nil {
		return zero, res, e
	}
	p := payload{Body: in.Body, Attrs: in.Attributes, Sys: in.SystemAttributes, MD5Body: md5Hex([]byte(in.Body)),
		Sent: now.UnixMilli(), Sender: in.SenderID, Group: in.GroupID, Dedup: in.DedupID}
	if p.Sender == "" {
		p.Sender = s.cfg.AccountID
	}
	if conf.fifo && p.Dedup == "" {
		p.Dedup = contentDedupID(in.Body)
	}
	b, err := marshalPayload(&p)
	if err != nil {
		return zero, res, &Error{Code: "InternalError", Message: err.Error(), Server: true}
	}
	res.MD5OfBody = p.MD5Body
	res.MD5OfAttributes = md5OfAttributes(in.Attributes)
	res.MD5OfSystemAttributes = md5OfAttributes(in.SystemAttributes)
	return store.QueueMessage{ID: newUUID(), Payload: b, Delay: time.Duration(delay) * time.Second,
		Size: int64(size), Group: in.GroupID, DedupKey: dedupKey}, res, nil
}

// dedup checks a message's group and deduplication ids and returns its
// deduplication key ("" on a standard queue).
func (s *Service) dedup(in *SendInput, conf queueConf) (string, *Error) {
	if in.GroupID != "" && !groupIDRE.MatchString(in.GroupID) {
		return "", errInvalidValue("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", clip(in.GroupID, 140))
	}
	if in.DedupID != "" && !groupIDRE.MatchString(in.DedupID) {
		return "", errInvalidValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", clip(in.DedupID, 140))
	}
	if !conf.fifo {
		if in.DedupID != "" {
			return "", errInvalidValue("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.", in.DedupID)
		}
		return "", nil
	}
	if in.GroupID == "" {
		return "", errorf("MissingParameter", "The request must contain the parameter MessageGroupId.")
	}
	id := in.DedupID
	if id == "" {
		if !conf.contentDedup {
			return "", errInvalidValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		id = contentDedupID(in.Body)
	}
	if conf.groupScope {
		return in.GroupID + "|" + id, nil
	}
	return "|" + id, nil
}

// Prepared is a message prepared for a write into a queue made by another
// router's script (the topic router's direct fanout): the message as Send
// would store it, and what the store's send needs of the queue.
type Prepared struct {
	Message store.QueueMessage
	Queue   store.TopicQueue
}

// Prepare prepares in for the queue named name at now, exactly as Send
// would, for a write the caller makes itself (store.TopicDirect); ok is
// false when Send would refuse it, or the queue is not known (the record
// cache's view): the caller then sends it by Send, which answers as it
// does. Sent counts the write once made.
func (s *Service) Prepare(ctx context.Context, name string, in *SendInput, now time.Time) (Prepared, bool) {
	_, conf, err := s.hotConf(ctx, name)
	if err != nil {
		return Prepared{}, false
	}
	m, _, e := s.prepare(in, conf, now)
	if e != nil {
		return Prepared{}, false
	}
	return s.prepared(name, m), true
}

// prepared is m, prepared for the queue named name.
func (s *Service) prepared(name string, m store.QueueMessage) Prepared {
	return Prepared{Message: m, Queue: store.TopicQueue{Name: name, Limits: s.cfg.Limits, Dedup: dedupWindow}}
}

// Sent counts n messages written into the queue named name by another
// router's script, as Send counts its own.
func (s *Service) Sent(ctx context.Context, name string, n int) { s.meters.count(ctx, name, "send", n) }
