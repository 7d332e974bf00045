package snstest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/snstest"
)

// A test's own signing key and a server for its certificate, made here
// with the standard library alone, so the subscriber's checks are tested
// apart from the topic router's signer.
type bundle struct {
	key      *rsa.PrivateKey
	certURL  string
	fetches  atomic.Int32
	confirms chan string // the SubscribeURLs' queries the subscriber visited
}

var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func setup(t *testing.T) *bundle {
	t.Helper()
	key, err := testKey()
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "snstest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	b := &bundle{key: key, confirms: make(chan string, 10)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/cert.pem":
			b.fetches.Add(1)
			_ = pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der})
		case r.URL.Query().Get("Action") == "ConfirmSubscription":
			b.confirms <- r.URL.RawQuery
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	b.certURL = srv.URL + "/cert.pem"
	return b
}

// sign adds the signature fields to m, signing AWS's string to sign as the
// docs describe it.
func (b *bundle) sign(t *testing.T, m map[string]string, version string) {
	t.Helper()
	keys := map[string][]string{
		"Notification":             {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"},
		"SubscriptionConfirmation": {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"},
	}[m["Type"]]
	var text strings.Builder
	for _, k := range keys {
		if v, ok := m[k]; ok {
			text.WriteString(k + "\n" + v + "\n")
		}
	}
	var sig []byte
	var err error
	if version == "1" {
		d := sha1.Sum([]byte(text.String()))
		sig, err = rsa.SignPKCS1v15(nil, b.key, crypto.SHA1, d[:])
	} else {
		d := sha256.Sum256([]byte(text.String()))
		sig, err = rsa.SignPKCS1v15(nil, b.key, crypto.SHA256, d[:])
	}
	require.NoError(t, err)
	m["SignatureVersion"], m["Signature"], m["SigningCertURL"] = version, base64.StdEncoding.EncodeToString(sig), b.certURL
}

func notification(msg string) map[string]string {
	return map[string]string{"Type": "Notification", "MessageId": "m-" + msg, "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
		"Message": msg, "Timestamp": "2026-12-07T01:02:03.456Z", "UnsubscribeURL": "http://x/?Action=Unsubscribe"}
}

func post(t *testing.T, url string, m map[string]string, header map[string]string) int {
	t.Helper()
	body, err := json.Marshal(m)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-amz-sns-message-type", m["Type"])
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestAcceptsSignedNotifications(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)
	for i, version := range []string{"1", "2", "2"} {
		m := notification("hello " + version)
		if i == 1 {
			m["Subject"] = "with a subject"
		}
		b.sign(t, m, version)
		require.Equal(t, http.StatusOK, post(t, s.URL, m, nil))
	}
	got := s.WaitNotifications(t, 3)
	require.Len(t, got, 3)
	require.Len(t, s.WaitMessages(t, 3), 3)
	require.Equal(t, "hello 1", got[0].Field("Message"))
	require.Equal(t, "with a subject", got[1].Field("Subject"))
	require.Empty(t, s.Errors())
	require.Equal(t, int32(1), b.fetches.Load(), "the certificate is fetched once per URL")
}

func TestRefusesWhatDoesNotVerify(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)

	tampered := notification("original")
	b.sign(t, tampered, "2")
	tampered["Message"] = "changed"

	addedSubject := notification("x")
	b.sign(t, addedSubject, "1")
	addedSubject["Subject"] = "not signed"

	wrongVersion := notification("x")
	b.sign(t, wrongVersion, "1")
	wrongVersion["SignatureVersion"] = "2"

	unsigned := notification("x")

	badTime := notification("x")
	badTime["Timestamp"] = "2026-12-07T01:02:03Z"
	b.sign(t, badTime, "1")

	for _, m := range []map[string]string{tampered, addedSubject, wrongVersion, unsigned, badTime} {
		require.Equal(t, http.StatusForbidden, post(t, s.URL, m, nil))
	}
	mismatched := notification("x")
	b.sign(t, mismatched, "1")
	require.Equal(t, http.StatusBadRequest, post(t, s.URL, mismatched, map[string]string{"x-amz-sns-message-type": "SubscriptionConfirmation"}))

	require.Len(t, s.Errors(), 6)
	require.Empty(t, s.Notifications())
	require.ErrorContains(t, s.Errors()[0], "does not verify")
	require.ErrorContains(t, s.Errors()[3], "unsigned")
	require.ErrorContains(t, s.Errors()[4], "Timestamp")
}

func TestConfirmsSubscriptions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)
	subscribeURL := strings.TrimSuffix(b.certURL, "/cert.pem") + "/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=tok"
	m := map[string]string{"Type": "SubscriptionConfirmation", "MessageId": "c-1", "Token": "tok",
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "You have chosen to subscribe...",
		"SubscribeURL": subscribeURL, "Timestamp": "2026-12-07T01:02:03.456Z"}
	b.sign(t, m, "1")
	require.Equal(t, http.StatusOK, post(t, s.URL, m, nil))
	require.Equal(t, "Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=tok", <-b.confirms)
	c := s.WaitConfirmations(t, 1)
	require.Equal(t, snstest.Confirmation{TopicARN: m["TopicArn"], Token: "tok", SubscribeURL: subscribeURL, Status: 200}, c[0])

	// A confirmation whose signature breaks is not visited.
	m["Token"] = "forged"
	require.Equal(t, http.StatusForbidden, post(t, s.URL, m, nil))
	require.Len(t, s.Confirmations(), 1)
}

func TestFailNextAndRaw(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)
	s.FailNext(2, http.StatusServiceUnavailable)
	m := notification("x")
	b.sign(t, m, "2")
	require.Equal(t, http.StatusServiceUnavailable, post(t, s.URL, m, nil))
	require.Equal(t, http.StatusServiceUnavailable, post(t, s.URL, m, nil))
	require.Equal(t, http.StatusOK, post(t, s.URL, m, nil))
	require.Equal(t, 3, s.Requests())
	require.Len(t, s.WaitNotifications(t, 1), 1)

	// A raw delivery is recorded as it came, unchecked.
	req, err := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("just the message"))
	require.NoError(t, err)
	req.Header.Set("x-amz-sns-message-type", "Notification")
	req.Header.Set("x-amz-sns-rawdelivery", "true")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	got := s.WaitNotifications(t, 2)
	require.True(t, got[1].Raw)
	require.Equal(t, "just the message", string(got[1].Body))
	require.Empty(t, s.Errors())
}

func TestWaitBlocksUntilArrival(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)
	done := make(chan []snstest.Message)
	go func() { done <- s.WaitNotifications(t, 2) }()
	for i := range 2 {
		select {
		case <-done:
			t.Fatalf("the wait ended after %d of 2 messages", i)
		default:
		}
		m := notification("n")
		b.sign(t, m, "1")
		require.Equal(t, http.StatusOK, post(t, s.URL, m, nil))
	}
	require.Len(t, <-done, 2)
}

// Wait hands its condition the messages as they grow, and ends with ctx's
// error when the condition never holds.
func TestWaitWithACondition(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := snstest.New(t)
	seen := 0
	var got []string
	done := make(chan error)
	go func() {
		done <- s.Wait(context.Background(), func(msgs []snstest.Message) bool {
			for _, m := range msgs[seen:] {
				got = append(got, m.Field("Message"))
			}
			seen = len(msgs)
			return seen >= 3
		})
	}()
	for _, msg := range []string{"a", "b", "c"} {
		m := notification(msg)
		b.sign(t, m, "2")
		require.Equal(t, http.StatusOK, post(t, s.URL, m, nil))
	}
	require.NoError(t, <-done)
	require.Equal(t, []string{"a", "b", "c"}, got, "each message read once, in arrival order")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, s.Wait(ctx, func([]snstest.Message) bool { return false }), context.Canceled)
}
