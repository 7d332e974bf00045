package topic

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// maxBatch is PublishBatch's largest batch.
const maxBatch = 10

// storedMessage is a message as the store keeps it until its last
// delivery.
type storedMessage struct {
	Subject     string                      `json:"s,omitempty"`
	Message     string                      `json:"m"`
	PerProtocol map[string]string           `json:"pp,omitempty"`
	Attributes  map[string]MessageAttribute `json:"a,omitempty"`
	GroupID     string                      `json:"g,omitempty"`
	DedupID     string                      `json:"d,omitempty"`
	Time        int64                       `json:"t"` // unix ms
	TraceParent string                      `json:"tp,omitempty"`
	TraceState  string                      `json:"ts,omitempty"`
	Baggage     string                      `json:"tb,omitempty"`
}

func (m *message) stored() string {
	b, _ := json.Marshal(storedMessage{Subject: m.Subject, Message: m.Message, PerProtocol: m.PerProtocol,
		Attributes: m.Attributes, GroupID: m.GroupID, DedupID: m.DedupID, Time: m.Timestamp.UnixMilli(),
		TraceParent: m.Trace.Parent, TraceState: m.Trace.State, Baggage: m.Trace.Baggage})
	return string(b)
}

func decodeMessage(topicARN string, d store.TopicDelivery) (*message, error) {
	var sm storedMessage
	if err := json.Unmarshal([]byte(d.Payload), &sm); err != nil {
		return nil, err
	}
	m := &message{ID: d.MessageID, TopicARN: topicARN, Subject: sm.Subject, Message: sm.Message, PerProtocol: sm.PerProtocol,
		Attributes: sm.Attributes, GroupID: sm.GroupID, DedupID: sm.DedupID, Timestamp: time.UnixMilli(sm.Time).UTC(),
		Trace: integrations.TraceContext{Parent: sm.TraceParent, State: sm.TraceState, Baggage: sm.Baggage}}
	if d.Seq > 0 {
		m.SequenceNumber = formatSeq(d.Seq)
	}
	return m, nil
}

// formatSeq renders a sequence number as AWS does: 20 digits.
func formatSeq(n int64) string {
	s := "00000000000000000000" + big.NewInt(n).String()
	return s[len(s)-20:]
}

// forProtocol is the message a protocol's subscribers get: with
// MessageStructure json, the protocol's entry or the default one.
func (m *message) forProtocol(protocol string) string {
	if m.PerProtocol == nil {
		return m.Message
	}
	if v, ok := m.PerProtocol[protocol]; ok {
		return v
	}
	return m.PerProtocol["default"]
}

func validAttrName(n string) bool {
	if n == "" || len(n) > 256 || n[0] == '.' || n[len(n)-1] == '.' || strings.Contains(n, "..") {
		return false
	}
	l := strings.ToLower(n)
	if strings.HasPrefix(l, "aws.") || strings.HasPrefix(l, "amazon.") {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// validText reports whether s holds only the characters AWS takes in a
// message (XML's: #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD,
// #x10000 to #x10FFFF).
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
	}
	return true
}

// checkAttributes checks a message's attributes and returns their size.
func checkAttributes(attrs map[string]MessageAttribute) (int, *Error) {
	size := 0
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		if !validAttrName(name) {
			return 0, invalidf("MessageAttributes: Message attribute name '%s' is invalid", clip(name, 64))
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		if a.DataType == "String.Array" {
			base = "String.Array"
		}
		if len(a.DataType) > 256 {
			return 0, invalidf("MessageAttributes: The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		switch base {
		case "String":
			if a.StringValue == "" {
				return 0, invalidf("MessageAttributes: The message attribute '%s' must contain non-empty message attribute value for message attribute type 'String'.", name)
			}
		case "String.Array":
			var arr []any
			if err := json.Unmarshal([]byte(a.StringValue), &arr); err != nil {
				return 0, invalidf("MessageAttributes: The message attribute '%s' with type 'String.Array' has an invalid value: %s", name, clip(a.StringValue, 64))
			}
			for _, v := range arr {
				switch v.(type) {
				case string, float64, bool, nil:
				default:
					return 0, invalidf("MessageAttributes: The message attribute '%s' with type 'String.Array' may hold only strings, numbers, true, false and null.", name)
				}
			}
		case "Number":
			if _, ok := new(big.Float).SetString(strings.TrimSpace(a.StringValue)); !ok || a.StringValue == "" {
				return 0, invalidf("MessageAttributes: Could not cast message attribute '%s' value to number.", name)
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, invalidf("MessageAttributes: The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
		default:
			return 0, invalidf("MessageAttributes: The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		if !validText(a.StringValue) {
			return 0, invalidf("MessageAttributes: The message attribute '%s' contains characters outside the allowed set.", name)
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return size, nil
}

// prepare checks one message to publish to the topic of v and builds it.
func (s *Service) prepare(in *PublishInput, v *view, now time.Time) (*message, *Error) {
	if in.Message == "" {
		return nil, invalidf("Empty message")
	}
	if !validText(in.Message) {
		return nil, invalidf("Message contains characters outside the allowed set")
	}
	if in.Subject != "" {
		if len(in.Subject) > 100 || strings.ContainsAny(in.Subject, "\r\n") || !validText(in.Subject) {
			return nil, invalidf("Subject")
		}
	}
	size, e := checkAttributes(in.Attributes)
	if e != nil {
		return nil, e
	}
	if len(in.Message)+size > maxMessageBytes {
		return nil, invalidf("Message too long")
	}
	m := &message{ID: newUUID(), TopicARN: v.arn, Subject: in.Subject, Message: in.Message, Attributes: in.Attributes,
		GroupID: in.GroupID, DedupID: in.DedupID, Timestamp: now.UTC(), Trace: in.Trace}
	switch in.MessageStructure {
	case "":
	case "json":
		var per map[string]any
		if err := json.Unmarshal([]byte(in.Message), &per); err != nil {
			return nil, invalidf("Message Structure - JSON message body failed to parse")
		}
		if _, ok := per["default"]; !ok {
			return nil, invalidf("Message Structure - No default entry in JSON message body")
		}
		m.PerProtocol = make(map[string]string, len(per))
		for k, val := range per {
			str, ok := val.(string)
			if !ok {
				return nil, invalidf("Message Structure - JSON message body failed to parse")
			}
			m.PerProtocol[k] = str
		}
		m.Message = m.PerProtocol["default"]
	default:
		return nil, invalidf("MessageStructure")
	}
	if v.fifo {
		if in.GroupID == "" {
			return nil, invalidf("The MessageGroupId parameter is required for FIFO topics")
		}
		if len(in.GroupID) > 128 || !validDedupChars(in.GroupID) {
			return nil, invalidf("MessageGroupId")
		}
		if in.DedupID == "" {
			if v.attrs[attrContentDedup] != "true" {
				return nil, invalidf("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(in.Message))
			m.DedupID = hex.EncodeToString(sum[:])
		} else if len(in.DedupID) > 128 || !validDedupChars(in.DedupID) {
			return nil, invalidf("MessageDeduplicationId")
		}
	} else {
		if in.DedupID != "" {
			return nil, invalidf("MessageDeduplicationId: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		if in.GroupID != "" && (len(in.GroupID) > 128 || !validDedupChars(in.GroupID)) {
			return nil, invalidf("MessageGroupId")
		}
	}
	return m, nil
}

// validDedupChars: a group or deduplication id holds printable ASCII
// (!-~) only.
func validDedupChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

func (v *view) dedupKey(m *message) string {
	if !v.fifo {
		return ""
	}
	if v.attrs[attrThroughputScope] == "MessageGroup" {
		return m.GroupID + "|" + m.DedupID
	}
	return "|" + m.DedupID
}

// route matches m, published at now, against the subscriptions of v:
// the message as the publish script takes it (its direct writes, and the
// subscriptions owed a delivery), the subscriptions it goes to, and its
// direct writes.
func (s *Service) route(ctx context.Context, v *view, m *message, now time.Time) (store.TopicMessage, []*subView, []directWrite) {
	to := make([]*subView, 0, len(v.subs))
	var dw []directWrite
	tm := store.TopicMessage{ID: m.ID, Payload: m.stored(), DedupKey: v.dedupKey(m), Group: m.GroupID}
	if v.directs > 0 && !s.cfg.NoDirectFanout && s.st.DirectFanout() {
		dw, tm.Direct = make([]directWrite, 0, v.directs), make([]store.TopicDirect, 0, v.directs)
	}
	directBytes := 0
	var f fanout
	mt := newMatcher(v, m)
	for _, sv := range v.subs {
		if mt.matches(sv) {
			to = append(to, sv)
			if d, w, ok := s.direct(ctx, v, sv, m, now, directBytes, &f); ok {
				dw = append(dw, d)
				tm.Direct = append(tm.Direct, w)
				directBytes += len(w.Message.Payload)
			} else {
				if tm.Subscriptions == nil {
					tm.Subscriptions = make([]string, 0, len(v.subs)-len(dw))
				}
				tm.Subscriptions = append(tm.Subscriptions, sv.id)
			}
		}
	}
	return tm, to, dw
}

func (s *Service) Publish(ctx context.Context, in *PublishInput) (*PublishResult, error) {
	name, e := s.topicName(in.TopicARN, "TopicArn or TargetArn")
	if e != nil {
		return nil, e
	}
	res, err := s.publish(ctx, name, []PublishInput{*in})
	if err != nil {
		return nil, err
	}
	if res[0].Err != nil {
		return nil, res[0].Err
	}
	return &res[0], nil
}

func (s *Service) PublishBatch(ctx context.Context, topicARN string, entries []PublishInput) ([]PublishResult, error) {
	name, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		return nil, e
	}
	if len(entries) == 0 {
		return nil, errorCode("EmptyBatchRequest", 400, "The batch request doesn't contain any entries")
	}
	if len(entries) > maxBatch {
		return nil, errorCode("TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than permissible")
	}
	seen := map[string]bool{}
	total := 0
	for _, en := range entries {
		if en.ID == "" || len(en.ID) > 80 || strings.Trim(en.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			return nil, errorCode("InvalidBatchEntryId", 400, "The Id of a batch entry in a batch request doesn't abide by the specification")
		}
		if seen[en.ID] {
			return nil, errorCode("BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id")
		}
		seen[en.ID] = true
		size, _ := checkAttributes(en.Attributes)
		total += len(en.Message) + size
	}
	if total > maxMessageBytes {
		return nil, errorCode("BatchRequestTooLong", 400, "The length of all the messages put together is more than the limit")
	}
	return s.publish(ctx, name, entries)
}

// publish publishes messages to the topic named name: each entry's result
// holds its outcome; the error is the whole request's.
func (s *Service) publish(ctx context.Context, name string, entries []PublishInput) ([]PublishResult, error) {
	results := make([]PublishResult, len(entries))
	for attempt := 0; ; attempt++ {
		v, err := s.view(ctx, name, viewMaxAge)
		if err != nil {
			return nil, storeError(err, errTopicMissing())
		}
		now := s.now()
		var (
			msgs   []*message
			index  []int
			batch  []store.TopicMessage
			subs   [][]*subView
			direct [][]directWrite
		)
		for i := range entries {
			results[i] = PublishResult{ID: entries[i].ID}
			m, e := s.prepare(&entries[i], v, now)
			if e != nil {
				results[i].Err = e
				continue
			}
			tm, to, dw := s.route(ctx, v, m, now)
			msgs, index, subs, direct = append(msgs, m), append(index, i), append(subs, to), append(direct, dw)
			batch = append(batch, tm)
		}
		if len(batch) == 0 {
			return results, nil
		}
		var out []store.TopicPublished
		if v.fifo {
			v.pub.Lock()
			out, err = s.st.TopicPublish(ctx, &store.TopicPublishParams{Topic: name, Version: v.version, Messages: batch, Now: now,
				LeaseUntil: now.Add(s.cfg.DeliveryLease), DedupWindow: dedupWindow})
		} else {
			out, err = s.publishGrouped(ctx, v, batch, now)
		}
		if err != nil {
			endDirect(direct)
		}
		if errors.Is(err, store.ErrTopicStale) && attempt < 3 {
			if v.fifo {
				v.pub.Unlock()
			}
			s.forget(name) // changed meanwhile: match against its news
			continue
		}
		if err != nil {
			if v.fifo {
				v.pub.Unlock()
			}
			return nil, storeError(err, errTopicMissing())
		}
		var tally directTally
		for j, o := range out {
			r := &results[index[j]]
			r.MessageID = o.MessageID
			if v.fifo {
				r.SequenceNumber = formatSeq(o.Seq)
				msgs[j].SequenceNumber = r.SequenceNumber
			}
			directMade(direct[j], o, &tally)
			if o.Duplicate || len(o.Deliveries) == 0 {
				continue
			}
			delivered := map[string]bool{}
			for _, id := range o.Deliveries {
				delivered[id] = true
			}
			for _, sv := range subs[j] {
				if delivered[sv.id] {
					s.eng.dispatch(job{topic: name, subID: sv.id, msg: msgs[j]})
				}
			}
		}
		if v.fifo {
			v.pub.Unlock()
		}
		s.record(ctx, &tally)
		return results, nil
	}
}
