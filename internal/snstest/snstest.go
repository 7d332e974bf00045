// Package snstest is an http/https subscriber of SNS messages for tests: a
// loopback HTTP server that does what AWS asks of an endpoint ("Verifying
// the signatures of Amazon SNS messages"): it fetches the certificate at
// each message's SigningCertURL (once per URL), checks the signature
// (SignatureVersion 1, SHA1withRSA, and 2, SHA256withRSA) over AWS's
// string to sign, confirms a subscription by a GET of its SubscribeURL,
// and records what it received. It can be told to fail requests, and
// tests wait for messages on it without sleeping.
//
// Its checks are written from AWS's documentation alone, apart from the
// topic router's signer, which they check.
package snstest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// MaxBody is the largest request the subscriber reads: SNS's messages are
// at most 256 KiB, and their JSON escapes a little more.
const MaxBody = 1 << 20

// Message is one request the subscriber accepted.
type Message struct {
	// Type is the x-amz-sns-message-type header: Notification,
	// SubscriptionConfirmation or UnsubscribeConfirmation.
	Type string
	// Raw is set for a raw delivery (x-amz-sns-rawdelivery: true): Body
	// is the message itself, neither parsed nor signed.
	Raw bool
	// Header and Body are the request's.
	Header http.Header
	Body   []byte
	// Fields are the JSON document's fields (not for a raw delivery);
	// Keys are its names in the order they came.
	Fields map[string]any
	Keys   []string
}

// Field returns a string field of the document, "" when absent.
func (m Message) Field(name string) string {
	s, _ := m.Fields[name].(string)
	return s
}

// Confirmation is a SubscribeURL the subscriber visited.
type Confirmation struct {
	TopicARN     string
	Token        string
	SubscribeURL string
	// Status is the GET's HTTP status, 0 when it failed (Err).
	Status int
	Err    error
}

// Subscriber is a running subscriber. Its methods are safe for concurrent
// use.
type Subscriber struct {
	// URL is the endpoint to subscribe.
	URL string

	srv    *httptest.Server
	client *http.Client

	mu            sync.Mutex
	changed       chan struct{} // closed and replaced on every change
	messages      []Message
	confirmations []Confirmation
	errs          []error
	requests      int
	failN         int
	failStatus    int
	noConfirm     bool
	certs         map[string]*x509.Certificate
}

// New starts a subscriber, closed when t ends.
func New(t testing.TB) *Subscriber {
	s := &Subscriber{changed: make(chan struct{}), certs: map[string]*x509.Certificate{},
		client: &http.Client{Timeout: 10 * time.Second}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// FailNext makes the next n requests fail with status, before any check.
func (s *Subscriber) FailNext(n, status int) {
	s.mu.Lock()
	s.failN, s.failStatus = n, status
	s.mu.Unlock()
}

// NoAutoConfirm keeps the subscriber from visiting SubscribeURLs: it
// records the confirmations, with Status 0 and no Err.
func (s *Subscriber) NoAutoConfirm() {
	s.mu.Lock()
	s.noConfirm = true
	s.mu.Unlock()
}

// Requests is how many requests arrived, failed ones included.
func (s *Subscriber) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Messages returns the accepted requests so far, in arrival order.
func (s *Subscriber) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Notifications returns the accepted Notifications so far.
func (s *Subscriber) Notifications() []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.Type == "Notification" {
			out = append(out, m)
		}
	}
	return out
}

// Confirmations returns the SubscribeURLs visited (or, with
// NoAutoConfirm, seen) so far.
func (s *Subscriber) Confirmations() []Confirmation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Confirmation(nil), s.confirmations...)
}

// Errors returns what the subscriber refused: a signature that does not
// verify, a malformed document, a certificate it could not fetch. A test
// of a correct sender expects none.
func (s *Subscriber) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// WaitFor waits until cond, called under the subscriber's lock with its
// state, holds, or ctx ends.
func (s *Subscriber) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Wait waits until cond holds or ctx ends, and returns ctx's error then.
// cond is called under the subscriber's lock with the accepted messages so
// far, in arrival order, each time they change: they only grow, so a cond
// that keeps how many it has seen reads each message once (a test that
// waits for thousands of messages stays linear). cond must not call the
// subscriber's methods.
func (s *Subscriber) Wait(ctx context.Context, cond func(msgs []Message) bool) error {
	return s.waitFor(ctx, func() bool { return cond(s.messages) })
}

// WaitNotifications waits for n accepted Notifications and returns them
// (at least n), or fails t after a minute.
func (s *Subscriber) WaitNotifications(t testing.TB, n int) []Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	count := func() int {
		c := 0
		for _, m := range s.messages {
			if m.Type == "Notification" {
				c++
			}
		}
		return c
	}
	if err := s.waitFor(ctx, func() bool { return count() >= n }); err != nil {
		t.Fatalf("snstest: waiting for %d notifications: %v (messages %d, errors %v)", n, err, len(s.Messages()), s.Errors())
	}
	return s.Notifications()
}

// WaitMessages waits for n accepted messages of any type and returns them
// (at least n), or fails t after a minute.
func (s *Subscriber) WaitMessages(t testing.TB, n int) []Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.waitFor(ctx, func() bool { return len(s.messages) >= n }); err != nil {
		t.Fatalf("snstest: waiting for %d messages: %v (messages %d, errors %v)", n, err, len(s.Messages()), s.Errors())
	}
	return s.Messages()
}

// WaitConfirmations waits for n confirmations (their GETs done) and
// returns them, or fails t after a minute.
func (s *Subscriber) WaitConfirmations(t testing.TB, n int) []Confirmation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.waitFor(ctx, func() bool { return len(s.confirmations) >= n }); err != nil {
		t.Fatalf("snstest: waiting for %d confirmations: %v (errors %v)", n, err, s.Errors())
	}
	return s.Confirmations()
}

// WaitRequests waits until n requests arrived, failed ones included, or
// fails t after a minute.
func (s *Subscriber) WaitRequests(t testing.TB, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.waitFor(ctx, func() bool { return s.requests >= n }); err != nil {
		t.Fatalf("snstest: waiting for %d requests: %v (got %d)", n, err, s.Requests())
	}
}

// update changes the state under the lock and wakes the waiters.
func (s *Subscriber) update(f func()) {
	s.mu.Lock()
	f()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func (s *Subscriber) refuse(w http.ResponseWriter, status int, err error) {
	s.update(func() { s.errs = append(s.errs, err) })
	http.Error(w, err.Error(), status)
}

func (s *Subscriber) serve(w http.ResponseWriter, r *http.Request) {
	var fail int
	s.update(func() {
		s.requests++
		if s.failN > 0 {
			s.failN--
			fail = s.failStatus
		}
	})
	if fail != 0 {
		http.Error(w, "snstest: told to fail", fail)
		return
	}
	if r.Method != http.MethodPost {
		s.refuse(w, http.StatusMethodNotAllowed, fmt.Errorf("snstest: %s request, SNS posts", r.Method))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(body) > MaxBody {
		s.refuse(w, http.StatusRequestEntityTooLarge, fmt.Errorf("snstest: body over %d bytes or unreadable: %v", MaxBody, err))
		return
	}
	m := Message{Type: r.Header.Get("x-amz-sns-message-type"), Header: r.Header.Clone(), Body: body}
	if r.Header.Get("x-amz-sns-rawdelivery") == "true" {
		m.Raw = true
		s.update(func() { s.messages = append(s.messages, m) })
		return
	}
	if m.Fields, m.Keys, err = decode(body); err != nil {
		s.refuse(w, http.StatusBadRequest, err)
		return
	}
	if typ := m.Field("Type"); typ != m.Type {
		s.refuse(w, http.StatusBadRequest, fmt.Errorf("snstest: header type %q, document type %q", m.Type, typ))
		return
	}
	if err := s.verify(r.Context(), m.Fields); err != nil {
		s.refuse(w, http.StatusForbidden, err)
		return
	}
	s.update(func() { s.messages = append(s.messages, m) })
	if m.Type == "SubscriptionConfirmation" {
		// Visited after the answer, as a subscriber that confirms from a
		// queue does: the sender may be waiting for the answer before it
		// can take the confirmation.
		go s.confirm(m)
	}
}

func (s *Subscriber) confirm(m Message) {
	c := Confirmation{TopicARN: m.Field("TopicArn"), Token: m.Field("Token"), SubscribeURL: m.Field("SubscribeURL")}
	s.mu.Lock()
	skip := s.noConfirm
	s.mu.Unlock()
	if !skip {
		resp, err := s.client.Get(c.SubscribeURL)
		if err != nil {
			c.Err = err
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxBody))
			_ = resp.Body.Close()
			c.Status = resp.StatusCode
		}
	}
	s.update(func() { s.confirmations = append(s.confirmations, c) })
}

// decode reads a JSON object of strings (and MessageAttributes, an object)
// and its keys in order.
func decode(body []byte) (map[string]any, []string, error) {
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, nil, fmt.Errorf("snstest: the body is not a JSON object: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var keys []string
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil, err
		}
	}
	return fields, keys, nil
}

// signedFields are AWS's fields of the string to sign, in its order: for a
// Notification Subject only when present.
var signedFields = map[string][]string{
	"Notification":             {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"},
	"SubscriptionConfirmation": {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"},
	"UnsubscribeConfirmation":  {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"},
}

// StringToSign is AWS's string to sign of a decoded message: each field's
// name and value, each followed by a newline.
func StringToSign(fields map[string]any) (string, error) {
	typ, _ := fields["Type"].(string)
	names, ok := signedFields[typ]
	if !ok {
		return "", fmt.Errorf("snstest: message type %q", typ)
	}
	var b strings.Builder
	for _, name := range names {
		v, present := fields[name]
		if !present && name == "Subject" {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return "", fmt.Errorf("snstest: %s field %s missing or not a string", typ, name)
		}
		b.WriteString(name + "\n" + s + "\n")
	}
	return b.String(), nil
}

// verify checks the message's signature with the certificate at its
// SigningCertURL.
func (s *Subscriber) verify(ctx context.Context, fields map[string]any) error {
	version, _ := fields["SignatureVersion"].(string)
	sig64, _ := fields["Signature"].(string)
	certURL, _ := fields["SigningCertURL"].(string)
	if version == "" || sig64 == "" || certURL == "" {
		return errors.New("snstest: unsigned message (no SignatureVersion, Signature or SigningCertURL)")
	}
	if ts, _ := fields["Timestamp"].(string); !validTimestamp(ts) {
		return fmt.Errorf("snstest: Timestamp %q is not 2006-01-02T15:04:05.000Z", ts)
	}
	text, err := StringToSign(fields)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(sig64)
	if err != nil {
		return fmt.Errorf("snstest: Signature is not base64: %v", err)
	}
	cert, err := s.cert(ctx, certURL)
	if err != nil {
		return err
	}
	return Verify(cert, version, text, sig)
}

func validTimestamp(ts string) bool {
	t, err := time.Parse("2006-01-02T15:04:05.000Z", ts)
	return err == nil && t.Format("2006-01-02T15:04:05.000Z") == ts
}

// Verify checks sig over text with cert's RSA key: SHA1withRSA for
// SignatureVersion 1, SHA256withRSA for 2.
func Verify(cert *x509.Certificate, version, text string, sig []byte) error {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("snstest: the certificate's key is not RSA")
	}
	var err error
	switch version {
	case "1":
		d := sha1.Sum([]byte(text))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA1, d[:], sig)
	case "2":
		d := sha256.Sum256([]byte(text))
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
	default:
		return fmt.Errorf("snstest: SignatureVersion %q", version)
	}
	if err != nil {
		return fmt.Errorf("snstest: the signature (version %s) does not verify: %v", version, err)
	}
	return nil
}

// cert fetches and parses the certificate at url, once per URL.
func (s *Subscriber) cert(ctx context.Context, url string) (*x509.Certificate, error) {
	s.mu.Lock()
	c, ok := s.certs[url]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("snstest: SigningCertURL %q: %v", url, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("snstest: fetching the certificate: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("snstest: fetching the certificate %s: HTTP %d %v", url, resp.StatusCode, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("snstest: %s is not a PEM certificate", url)
	}
	if c, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("snstest: %s: %v", url, err)
	}
	s.mu.Lock()
	s.certs[url] = c
	s.mu.Unlock()
	return c, nil
}
