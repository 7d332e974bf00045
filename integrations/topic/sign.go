package topic

import (
	"context"
	"sync"
)

// signing holds the Service's signer, made on first use (it reads, or
// makes, the store's key).
type signing struct {
	mu sync.Mutex
	sg *signer
}

// signer returns the store's signer.
func (s *Service) signer(ctx context.Context) (*signer, error) {
	s.sign.mu.Lock()
	defer s.sign.mu.Unlock()
	if s.sign.sg != nil {
		return s.sign.sg, nil
	}
	sg, err := newSigner(ctx, s.st)
	if err != nil {
		return nil, storeError(err, nil)
	}
	s.sign.sg = sg
	return sg, nil
}

// SigningCertPath is the path, under Config.PublicURL, of the certificate
// that signs messages.
func (s *Service) SigningCertPath() string {
	sg, err := s.signer(context.Background())
	if err != nil {
		return "/SimpleNotificationService-unavailable.pem"
	}
	return sg.certPath()
}

// SigningCert returns the signing certificate's PEM.
func (s *Service) SigningCert(ctx context.Context) ([]byte, error) {
	sg, err := s.signer(ctx)
	if err != nil {
		return nil, err
	}
	return sg.cert(), nil
}

// unsubscribeURL is the UnsubscribeURL of a subscription's messages.
func (s *Service) unsubscribeURL(subARN string) string {
	// the ARN as it is, as AWS writes it: its characters (letters, digits,
	// ':', '-', '_', '.') need no escaping in a query
	return s.cfg.PublicURL + "/?Action=Unsubscribe&SubscriptionArn=" + subARN
}

// notification is the JSON envelope of a message to a subscription: AWS's
// Notification, signed with the topic's SignatureVersion (a FIFO topic's
// unsigned, as AWS sends them). It is encoded and signed once for the
// message's subscriptions (m.notes): the UnsubscribeURL, which is not
// signed, is what differs between them.
func (s *Service) notification(ctx context.Context, v *view, sv *subView, m *message) ([]byte, error) {
	key := noteKey{message: m.forProtocol(sv.rec.Protocol), topicARN: v.arn, seq: m.SequenceNumber}
	var sg *signer
	if m.SequenceNumber == "" {
		var err error
		if sg, err = s.signer(ctx); err != nil {
			return nil, err
		}
		key.sigVersion, key.certURL = v.attrs[attrSignatureVersion], s.cfg.PublicURL+sg.certPath()
	}
	n, err := m.notes.get(key, func() ([]byte, int, error) {
		env := &envelope{Type: typeNotification, MessageID: m.ID, TopicARN: key.topicARN, Subject: m.Subject,
			Message: key.message, Timestamp: m.Timestamp, SequenceNumber: m.SequenceNumber, Attributes: m.Attributes}
		if m.PerProtocol != nil {
			env.Attributes = nil // AWS sends attributes with a String structure only
		}
		return env.encodeAt(sg, key.sigVersion, key.certURL)
	})
	if err != nil {
		return nil, err
	}
	return n.body(s.unsubscribeURL(sv.sub.ARN)), nil
}

// notes are a message's Notifications encoded for its subscriptions: one
// per Message (MessageStructure json gives each protocol its own),
// topic ARN, sequence number, signature version and certificate URL (the
// last two the topic's, which may change between deliveries), without the
// UnsubscribeURL, the one field that differs between subscriptions, and
// which is not signed. A message's deliveries to 10 queues encoded and
// signed it 10 times (the signer's memo spared the RSA, not the rest).
// Safe for concurrent use: the deliveries of a message are made by
// several workers.
type notes struct {
	mu   sync.Mutex
	list []*note
}

// maxNotes bounds a message's notes (a message usually has one: a
// protocol's subscriptions share it).
const maxNotes = 4

// noteKey is what a Notification is encoded from, besides the message's
// own fields and the UnsubscribeURL.
type noteKey struct {
	message, topicARN, seq, sigVersion, certURL string
}

// note is a Notification encoded around its UnsubscribeURL's value.
type note struct {
	key        noteKey
	head, tail []byte
}

// get returns the note of key, made by encode (the envelope's JSON, where
// its UnsubscribeURL's value starts: it is encoded with an empty one)
// when there is none yet.
func (ns *notes) get(key noteKey, encode func() ([]byte, int, error)) (*note, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	for _, n := range ns.list {
		if n.key == key {
			return n, nil
		}
	}
	b, at, err := encode()
	if err != nil {
		return nil, err
	}
	n := &note{key: key, head: b[:at:at], tail: b[at+len(`""`):]}
	if len(ns.list) >= maxNotes {
		ns.list = ns.list[1:]
	}
	ns.list = append(ns.list, n)
	return n, nil
}

// body is the Notification with its UnsubscribeURL.
func (n *note) body(unsubscribeURL string) []byte {
	w := &envelopeWriter{}
	w.buf.Grow(len(n.head) + len(unsubscribeURL) + 2 + len(n.tail))
	w.buf.Write(n.head)
	w.str(validUTF8(unsubscribeURL))
	w.buf.Write(n.tail)
	return w.buf.Bytes()
}
