package queue

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/store"
)

// The system attributes a receive may ask for.
var systemAttrNames = []string{"SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
	"SenderId", "AWSTraceHeader", "MessageGroupId", "MessageDeduplicationId", "SequenceNumber", "DeadLetterQueueSourceArn"}

func (s *Service) Receive(ctx context.Context, name string, in *ReceiveInput) ([]Message, error) {
	max := in.MaxMessages
	if max == 0 {
		max = 1
	}
	if max < 1 || max > maxBatch {
		return nil, errInvalidValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", in.MaxMessages)
	}
	if v := in.VisibilityTimeout; v != nil && (*v < 0 || *v > maxVisibilitySeconds) {
		return nil, errInvalidValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *v)
	}
	if w := in.WaitTimeSeconds; w != nil && (*w < 0 || *w > maxWaitSeconds) {
		return nil, errInvalidValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *w)
	}
	if len(in.AttributeNames) > 100 || len(in.MessageAttributeNames) > 100 {
		return nil, errInvalidValue("Too many AttributeNames or MessageAttributeNames: at most 100.")
	}
	for _, n := range in.AttributeNames {
		if n != "All" && !containsString(systemAttrNames, n) && !settable(n) && !readOnly[n] {
			return nil, errorf("InvalidAttributeName", "Unknown Attribute %s.", clip(n, 64))
		}
	}
	_, conf, err := s.hotConf(ctx, name)
	if err != nil {
		return nil, err
	}
	vis := conf.visibility
	if in.VisibilityTimeout != nil {
		vis = *in.VisibilityTimeout
	}
	wait := conf.wait
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	p := &store.QueueReceiveParams{Name: name, Max: max, Visibility: time.Duration(vis) * time.Second, Limits: s.cfg.Limits}
	if conf.fifo && in.ReceiveRequestAttemptID != "" {
		if !groupIDRE.MatchString(in.ReceiveRequestAttemptID) {
			return nil, errInvalidValue("Value %s for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.", clip(in.ReceiveRequestAttemptID, 140))
		}
		p.Attempt, p.AttemptWindow = in.ReceiveRequestAttemptID, dedupWindow
	}
	got, err := s.receiveWait(ctx, p, time.Duration(wait)*time.Second)
	if err != nil {
		return nil, err
	}
	s.meters.count(ctx, name, "receive", len(got))
	out := make([]Message, 0, len(got))
	for _, r := range got {
		m, err := s.render(name, r, in)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// receiveOnce runs one receive at the clock's now, handing the messages it
// took for the dead-letter queue on.
func (s *Service) receiveOnce(ctx context.Context, p *store.QueueReceiveParams) (*store.QueueReceiveResult, error) {
	p.Now = s.now()
	res, err := s.st.QueueReceive(ctx, p)
	if err != nil {
		return nil, storeError(err)
	}
	if res.Dead > 0 {
		// A failure (the dead-letter queue deleted or full, the store
		// down) leaves them in the dead list for the next receive or
		// Sweep; this receive's messages are delivered regardless.
		_ = s.redriveDead(ctx, p.Name)
	}
	return res, nil
}

// render turns a received message into a Message with the attributes
// asked for.
func (s *Service) render(queue string, r store.QueueReceived, in *ReceiveInput) (Message, error) {
	var p payload
	if err := unmarshalPayload(r.Payload, &p); err != nil {
		return Message{}, &Error{Code: "InternalError", Message: "corrupt message " + r.ID, Server: true}
	}
	m := Message{MessageID: r.ID, ReceiptHandle: encodeReceipt(queue, r.ID, r.Token), Body: p.Body, MD5OfBody: p.MD5Body}
	want := func(n string) bool {
		return containsString(in.AttributeNames, "All") || containsString(in.AttributeNames, n)
	}
	sys := map[string]string{
		"SentTimestamp":                    strconv.FormatInt(p.Sent, 10),
		"ApproximateReceiveCount":          strconv.FormatInt(r.ReceiveCount, 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(r.FirstReceive.UnixMilli(), 10),
		"SenderId":                         p.Sender,
	}
	if a, ok := p.Sys["AWSTraceHeader"]; ok {
		sys["AWSTraceHeader"] = a.StringValue
	}
	if p.Group != "" {
		sys["MessageGroupId"] = p.Group
	}
	if p.Dedup != "" {
		sys["MessageDeduplicationId"] = p.Dedup
		sys["SequenceNumber"] = formatSeq(r.Seq)
	}
	if p.SourceARN != "" {
		sys["DeadLetterQueueSourceArn"] = p.SourceARN
	}
	for k, v := range sys {
		if want(k) {
			if m.Attributes == nil {
				m.Attributes = make(map[string]string)
			}
			m.Attributes[k] = v
		}
	}
	for k, v := range p.Attrs {
		if attrWanted(k, in.MessageAttributeNames) {
			if m.MessageAttributes == nil {
				m.MessageAttributes = make(map[string]MessageAttribute)
			}
			m.MessageAttributes[k] = v
		}
	}
	m.MD5OfMessageAttributes = md5OfAttributes(m.MessageAttributes)
	return m, nil
}

// attrWanted reports whether a message attribute is among names: "All",
// ".*", its name, or a prefix "p.*" it starts with ("p.").
func attrWanted(name string, names []string) bool {
	for _, n := range names {
		if n == "All" || n == ".*" || n == name {
			return true
		}
		if p, ok := strings.CutSuffix(n, ".*"); ok && strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

// receipts decodes the handles of a Delete or ChangeVisibility request:
// the entries whose handle is not one of this queue get their error.
func receipts(name string, entries []HandleEntry, results []BatchResult) ([]store.QueueReceipt, []int) {
	var (
		out   []store.QueueReceipt
		index []int
	)
	for i, e := range entries {
		results[i].ID = e.ID
		if results[i].Err != nil {
			continue
		}
		id, token, ok := decodeReceipt(name, e.ReceiptHandle)
		if !ok {
			results[i].Err = errInvalidReceipt(e.ReceiptHandle)
			continue
		}
		out = append(out, store.QueueReceipt{ID: id, Token: token, Visibility: time.Duration(e.VisibilityTimeout) * time.Second})
		index = append(index, i)
	}
	return out, index
}

// handleBatch checks a Delete or ChangeVisibility request: a batch's ids,
// and the queue.
func (s *Service) handleBatch(ctx context.Context, name string, entries []HandleEntry, what string) (single bool, err error) {
	single = len(entries) == 1 && entries[0].ID == ""
	if !single {
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.ID
		}
		if e := checkBatch(ids, what); e != nil {
			return false, e
		}
	}
	if _, err := s.hotRecord(ctx, name); err != nil {
		return false, err
	}
	return single, nil
}

// firstError returns a single request's error (SendMessage, DeleteMessage,
// ChangeMessageVisibility), nil in a batch.
func firstError(single bool, results []BatchResult) error {
	if single && results[0].Err != nil {
		return results[0].Err
	}
	return nil
}

func (s *Service) Delete(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error) {
	single, err := s.handleBatch(ctx, name, entries, "DeleteMessageBatchRequestEntry")
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(entries))
	recs, index := receipts(name, entries, results)
	if len(recs) > 0 {
		errs, err := s.st.QueueDeleteMessages(ctx, name, recs, s.now())
		if err != nil {
			return nil, storeError(err)
		}
		deleted := 0
		for k, e := range errs {
			if e != nil {
				results[index[k]].Err = errorf("ReceiptHandleIsInvalid", "The receipt handle has expired.")
			} else {
				deleted++
			}
		}
		s.meters.count(ctx, name, "delete", deleted)
	}
	if err := firstError(single, results); err != nil {
		return nil, err
	}
	return results, nil
}

func (s *Service) ChangeVisibility(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error) {
	single, err := s.handleBatch(ctx, name, entries, "ChangeMessageVisibilityBatchRequestEntry")
	if err != nil {
		return nil, err
	}
	results := make([]BatchResult, len(entries))
	for i, e := range entries {
		if e.VisibilityTimeout < 0 || e.VisibilityTimeout > maxVisibilitySeconds {
			results[i] = BatchResult{ID: e.ID, Err: errInvalidValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", e.VisibilityTimeout)}
		}
	}
	recs, index := receipts(name, entries, results)
	if len(recs) > 0 {
		errs, err := s.st.QueueChangeVisibility(ctx, name, recs, maxVisibilitySeconds*time.Second, s.now())
		if err != nil {
			return nil, storeError(err)
		}
		for k, e := range errs {
			i := index[k]
			switch {
			case e == nil:
			case errors.Is(e, store.ErrNotInflight):
				results[i].Err = errorf("MessageNotInflight", "The message referred to isn't in flight.")
			case errors.Is(e, store.ErrTooLong):
				results[i].Err = errInvalidValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", entries[i].VisibilityTimeout)
			default:
				results[i].Err = errInvalidReceipt(entries[i].ReceiptHandle)
			}
		}
	}
	if err := firstError(single, results); err != nil {
		return nil, err
	}
	return results, nil
}
