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
// unsigned, as AWS sends them).
func (s *Service) notification(ctx context.Context, v *view, sv *subView, m *message) ([]byte, error) {
	env := &envelope{Type: typeNotification, MessageID: m.ID, TopicARN: v.arn, Subject: m.Subject,
		Message: m.forProtocol(sv.rec.Protocol), UnsubscribeURL: s.unsubscribeURL(sv.sub.ARN), Timestamp: m.Timestamp,
		SequenceNumber: m.SequenceNumber, Attributes: m.Attributes}
	if m.PerProtocol != nil {
		env.Attributes = nil // AWS sends attributes with a String structure only
	}
	if m.SequenceNumber != "" {
		return env.encode(nil, "", "")
	}
	sg, err := s.signer(ctx)
	if err != nil {
		return nil, err
	}
	return env.encode(sg, v.attrs[attrSignatureVersion], s.cfg.PublicURL+sg.certPath())
}
