package topic

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/topic/filter"
)

// notificationOnce is the Notification as notification encoded it for
// each subscription before the message's notes: the envelope of m to sv,
// encoded and signed on its own.
func notificationOnce(t *testing.T, s *Service, v *view, sv *subView, m *message) []byte {
	t.Helper()
	env := &envelope{Type: typeNotification, MessageID: m.ID, TopicARN: v.arn, Subject: m.Subject,
		Message: m.forProtocol(sv.rec.Protocol), UnsubscribeURL: s.unsubscribeURL(sv.sub.ARN), Timestamp: m.Timestamp,
		SequenceNumber: m.SequenceNumber, Attributes: m.Attributes}
	if m.PerProtocol != nil {
		env.Attributes = nil
	}
	if m.SequenceNumber != "" {
		b, err := env.encode(nil, "", "")
		require.NoError(t, err)
		return b
	}
	sg, err := s.signer(t.Context())
	require.NoError(t, err)
	b, err := env.encode(sg, v.attrs[attrSignatureVersion], s.cfg.PublicURL+sg.certPath())
	require.NoError(t, err)
	return b
}

// A message's Notification, encoded once for its subscriptions (notes),
// is byte for byte what encoding it for each made: whatever the
// subscription, protocol (MessageStructure json), signature version
// (changed between deliveries), sequence number, and a public URL whose
// characters JSON escapes.
func TestNotificationNotes(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	for _, publicURL := range []string{"http://sns.test", "http://sns.test/\"é\\\x01\xff"} {
		s := New(b.st, Config{Now: b.clock.Now, PublicURL: publicURL})
		t.Cleanup(s.Close)
		v := &view{name: "orders", arn: testTopic, attrs: map[string]string{}}
		var subs []*subView
		for _, p := range []string{ProtocolSQS, ProtocolSQS, "https", "https", ProtocolSQS} {
			id := newUUID()
			subs = append(subs, &subView{id: id, rec: &subRecord{Protocol: p}, sub: subscription{ARN: testTopic + ":" + id}})
		}
		msgs := []*message{
			{ID: newUUID(), Message: "hello <&> \"you\"\n", Timestamp: testTime},
			{ID: newUUID(), Subject: "s", Message: "m", Timestamp: testTime,
				Attributes: map[string]MessageAttribute{"b": {DataType: "Binary", BinaryValue: []byte{0, 1}}, "a": {DataType: "String", StringValue: "x"}}},
			{ID: newUUID(), Message: "d", PerProtocol: map[string]string{"default": "d", "sqs": "for sqs", "https": "for https"}, Timestamp: testTime,
				Attributes: map[string]MessageAttribute{"a": {DataType: "String", StringValue: "x"}}},
			{ID: newUUID(), Message: "fifo", SequenceNumber: formatSeq(7), GroupID: "g", Timestamp: testTime},
		}
		for _, m := range msgs {
			for _, version := range []string{"", sigVersion2, sigVersion1} {
				v.attrs = map[string]string{attrSignatureVersion: version}
				for _, sv := range subs {
					got, err := s.notification(b.ctx, v, sv, m)
					require.NoError(t, err)
					require.Equal(t, string(notificationOnce(t, s, v, sv, m)), string(got))
				}
			}
			require.LessOrEqual(t, len(m.notes.list), maxNotes)
		}
		sg, err := s.signer(b.ctx)
		require.NoError(t, err)
		one, err := s.notification(b.ctx, v, subs[0], msgs[1])
		require.NoError(t, err)
		if publicURL == "http://sns.test" {
			verifyDoc(t, one, sg.cert())
		}
	}
}

// The subscriptions with the same filter policy and scope share one
// compiled policy, evaluated once per message (matcher), with the same
// answers as each subscription's own.
func TestMatcherSharesPolicies(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "m", nil)
	red, blue := `{"color":["red"]}`, `{"color":["blue"]}`
	bodyRed := `{"color":["red"]}`
	policies := []map[string]string{
		{"FilterPolicy": red}, {"FilterPolicy": red}, {"FilterPolicy": blue}, {},
		{"FilterPolicy": bodyRed, "FilterPolicyScope": "MessageBody"},
		{"FilterPolicy": bodyRed, "FilterPolicyScope": "MessageBody", "RawMessageDelivery": "true"},
		{"FilterPolicy": red, "RawMessageDelivery": "true"},
	}
	for i, attrs := range policies {
		b.subscribeQueue(t, arn, "m"+strconv.Itoa(i), attrs)
	}
	v, err := b.svc.view(b.ctx, "m", 0)
	require.NoError(t, err)
	require.Equal(t, 3, v.filters, "red, blue and the body's red")
	msgs := []*message{
		{Message: `{"color":"red"}`, Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: "red"}}},
		{Message: `{"color":"blue"}`, Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: "blue"}}},
		{Message: `{"color":"red"}`},
		{Message: "d", PerProtocol: map[string]string{"default": "d", "sqs": `{"color":"red"}`}},
	}
	for _, m := range msgs {
		mt := newMatcher(v, m)
		for range 2 {
			for _, sv := range v.subs {
				attrs := map[string]filter.Attribute{}
				for k, a := range m.Attributes {
					attrs[k] = filter.Attribute{DataType: a.DataType, StringValue: a.StringValue}
				}
				own, err := filter.Compile(sv.rec.Attributes[attrFilterPolicy], sv.scope)
				want := err != nil || own.Match(attrs, m.forProtocol(sv.rec.Protocol))
				if sv.filter == nil {
					want = true
				}
				require.Equal(t, want, mt.matches(sv), "%s to %s", m.Message, sv.rec.Attributes)
			}
		}
	}
}
