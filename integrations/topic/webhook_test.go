package topic

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/snstest"
)

// webhookBundle is a webhooks whose public URL is a loopback server of
// the test's that serves the signing certificate and records the
// SubscribeURLs visited.
type webhookBundle struct {
	w        *webhooks
	public   string
	confirms chan url.Values
}

type signFunc = func(context.Context) (*signer, error)

func setupWebhooks(t *testing.T, sign signFunc, client *http.Client) *webhookBundle {
	t.Helper()
	b := &webhookBundle{confirms: make(chan url.Values, 10)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := sign(r.Context())
		switch {
		case err != nil:
			http.Error(w, err.Error(), 500)
		case r.URL.Path == s.certPath():
			_, _ = w.Write(s.cert())
		case r.URL.Query().Get("Action") == "ConfirmSubscription":
			b.confirms <- r.URL.Query()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	b.public = srv.URL
	b.w = newWebhooks(client, sign, srv.URL+"/", nil, nil)
	return b
}

func fixedSigner(t *testing.T) signFunc {
	sg := mustSigner(t)
	return func(context.Context) (*signer, error) { return sg, nil }
}

// notify encodes env for the subscription as Service.notification does.
func (b *webhookBundle) notify(t *testing.T, env *envelope, subARN, version string) string {
	t.Helper()
	sg, err := b.w.sign(context.Background())
	require.NoError(t, err)
	e := *env
	e.UnsubscribeURL = b.public + "/?Action=Unsubscribe&SubscriptionArn=" + subARN
	body, err := e.encode(sg, version, b.public+sg.certPath())
	require.NoError(t, err)
	return string(body)
}

const testSub = testTopic + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"

var testTrace = integrations.TraceContext{Parent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	State: "vendor=value", Baggage: "user=alice"}

func testNotification(msg string) *envelope {
	return &envelope{Type: typeNotification, MessageID: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TopicARN: testTopic,
		Subject: "My First Message", Message: msg, Timestamp: testTime,
		Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: "red"}}}
}

func TestWebhookDeliversSignedNotifications(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupWebhooks(t, fixedSigner(t), nil)
	for _, version := range []string{"1", "2"} {
		s := snstest.New(t)
		sub := &subscription{ARN: testSub, TopicARN: testTopic, Protocol: ProtocolHTTP, Endpoint: s.URL + "/hook?x=1", Confirmed: true}
		env := testNotification("Hello world! v" + version)
		body := b.notify(t, env, sub.ARN, version)
		out := b.w.deliver(ctx, sub, env, false, body, testTrace, effectiveDeliveryPolicy(nil, nil), 0)
		require.Equal(t, outcome{OK: true, Reason: "HTTP 200 OK"}, out)

		got := s.WaitNotifications(t, 1)
		require.Empty(t, s.Errors())
		m := got[0]
		require.Equal(t, []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
			"Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}, m.Keys)
		require.Equal(t, version, m.Field("SignatureVersion"))
		require.Equal(t, b.public+mustSigner(t).certPath(), m.Field("SigningCertURL"))
		require.Equal(t, b.public+"/?Action=Unsubscribe&SubscriptionArn="+testSub, m.Field("UnsubscribeURL"))
		require.Equal(t, "Hello world! v"+version, m.Field("Message"))
		h := m.Header
		require.Equal(t, "Notification", h.Get("x-amz-sns-message-type"))
		require.Equal(t, env.MessageID, h.Get("x-amz-sns-message-id"))
		require.Equal(t, testTopic, h.Get("x-amz-sns-topic-arn"))
		require.Equal(t, testSub, h.Get("x-amz-sns-subscription-arn"))
		require.Equal(t, "text/plain; charset=UTF-8", h.Get("Content-Type"))
		require.Equal(t, "Amazon Simple Notification Service Agent", h.Get("User-Agent"))
		require.Empty(t, h.Get("x-amz-sns-rawdelivery"))
		require.Equal(t, testTrace.Parent, h.Get("traceparent"))
		require.Equal(t, "vendor=value", h.Get("tracestate"))
		require.Equal(t, "user=alice", h.Get("baggage"))
	}
}

func TestWebhookRawDeliveryAndContentType(t *testing.T) {
	t.Parallel()
	b := setupWebhooks(t, fixedSigner(t), nil)
	s := snstest.New(t)
	sub := &subscription{ARN: testSub, TopicARN: testTopic, Protocol: ProtocolHTTP, Endpoint: s.URL}
	policy := effectiveDeliveryPolicy(nil, &subscriptionDeliveryPolicy{ContentType: ptr("application/json")})
	out := b.w.deliver(context.Background(), sub, testNotification("x"), true, `{"order":1}`, integrations.TraceContext{}, policy, 0)
	require.True(t, out.OK)
	m := s.WaitNotifications(t, 1)[0]
	require.True(t, m.Raw)
	require.Equal(t, `{"order":1}`, string(m.Body))
	require.Equal(t, "true", m.Header.Get("x-amz-sns-rawdelivery"))
	require.Equal(t, "application/json", m.Header.Get("Content-Type"))
	require.Empty(t, m.Header.Get("traceparent"))
}

func ptr[T any](v T) *T { return &v }

func TestWebhookConfirmations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupWebhooks(t, fixedSigner(t), nil)
	b.w.now = func() time.Time { return testTime }
	s := snstest.New(t)
	sub := &subscription{ARN: testSub, TopicARN: testTopic, Protocol: ProtocolHTTP, Endpoint: s.URL, Token: "2336412f37fb687f"}

	out := b.w.confirm(ctx, sub, sub.Token, testTopic, "2", defaultRetryPolicy, 0)
	require.True(t, out.OK, out.Reason)
	// The subscriber checked the signature, then visited SubscribeURL.
	q := <-b.confirms
	require.Equal(t, url.Values{"Action": {"ConfirmSubscription"}, "TopicArn": {testTopic}, "Token": {"2336412f37fb687f"}}, q)
	c := s.WaitConfirmations(t, 1)[0]
	require.Equal(t, b.public+"/?Action=ConfirmSubscription&TopicArn="+testTopic+"&Token=2336412f37fb687f", c.SubscribeURL)
	require.Equal(t, 200, c.Status)
	m := s.Messages()[0]
	require.Equal(t, []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
		"SignatureVersion", "Signature", "SigningCertURL"}, m.Keys)
	require.Equal(t, "You have chosen to subscribe to the topic "+testTopic+
		".\nTo confirm the subscription, visit the SubscribeURL included in this message.", m.Field("Message"))
	require.Equal(t, "2026-12-07T00:02:03.456Z", m.Field("Timestamp"))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, m.Field("MessageId"))
	require.Equal(t, "SubscriptionConfirmation", m.Header.Get("x-amz-sns-message-type"))
	require.Empty(t, m.Header.Get("x-amz-sns-subscription-arn"), "AWS's confirmation has none")
	require.Equal(t, "text/plain; charset=UTF-8", m.Header.Get("Content-Type"))

	out = b.w.unsubscribed(ctx, sub, sub.Token, testTopic, "1", defaultRetryPolicy, 0)
	require.True(t, out.OK, out.Reason)
	msgs := s.Messages()
	require.Len(t, msgs, 2)
	u := msgs[1]
	require.Equal(t, "UnsubscribeConfirmation", u.Field("Type"))
	require.Equal(t, "You have chosen to deactivate subscription "+testSub+
		".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.", u.Field("Message"))
	require.Equal(t, testSub, u.Header.Get("x-amz-sns-subscription-arn"))
	require.Empty(t, s.Errors())
}

func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	redirected := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			redirected <- struct{}{}
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Query().Get("status") == "302" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	b := setupWebhooks(t, fixedSigner(t), nil)
	policy := effectiveDeliveryPolicy(nil, nil) // 3 retries, 20 s apart
	for _, tt := range []struct {
		status int
		want   outcome
	}{
		// AWS: "a status code outside the range of 200–4xx" is a failed attempt.
		{200, outcome{OK: true, Reason: "HTTP 200 OK"}},
		{204, outcome{OK: true, Reason: "HTTP 204 No Content"}},
		{302, outcome{OK: true, Reason: "HTTP 302 Found"}},
		{400, outcome{OK: true, Reason: "HTTP 400 Bad Request"}},
		{404, outcome{OK: true, Reason: "HTTP 404 Not Found"}},
		{429, outcome{OK: true, Reason: "HTTP 429 Too Many Requests"}},
		{499, outcome{OK: true, Reason: "HTTP 499 status code 499"}},
		{500, outcome{RetryAfter: 20 * time.Second, Reason: "HTTP 500 Internal Server Error"}},
		{503, outcome{RetryAfter: 20 * time.Second, Reason: "HTTP 503 Service Unavailable"}},
	} {
		sub := &subscription{ARN: testSub, Endpoint: srv.URL + "/?status=" + strconv.Itoa(tt.status)}
		got := b.w.deliver(context.Background(), sub, testNotification("x"), true, "x", integrations.TraceContext{}, policy, 0)
		require.Equal(t, tt.want, got, "HTTP %d", tt.status)
	}
	select {
	case <-redirected:
		t.Fatal("a redirect was followed")
	default:
	}

	// The retries run out after the policy's last: attempts 1 and 2 wait
	// 20 s more, attempt 3 (the third retry) is the last.
	sub := &subscription{ARN: testSub, Endpoint: srv.URL + "/?status=502"}
	for attempt, want := range []outcome{
		{RetryAfter: 20 * time.Second, Reason: "HTTP 502 Bad Gateway"},
		{RetryAfter: 20 * time.Second, Reason: "HTTP 502 Bad Gateway"},
		{RetryAfter: 20 * time.Second, Reason: "HTTP 502 Bad Gateway"},
		{Exhausted: true, Reason: "HTTP 502 Bad Gateway"},
	} {
		got := b.w.deliver(context.Background(), sub, testNotification("x"), true, "x", integrations.TraceContext{}, policy, attempt)
		require.Equal(t, want, got, "attempt %d", attempt)
	}
	// The immediate phase: a retry at once.
	quick := deliveryPolicy{Retry: retryPolicy{MinDelay: 1, MaxDelay: 1, NumRetries: 1, NumNoDelay: 1, Backoff: backoffLinear}}
	got := b.w.deliver(context.Background(), sub, testNotification("x"), true, "x", integrations.TraceContext{}, quick, 0)
	require.Equal(t, outcome{Reason: "HTTP 502 Bad Gateway"}, got)
}

func TestWebhookFailuresWithoutAnAnswer(t *testing.T) {
	t.Parallel()
	policy := effectiveDeliveryPolicy(nil, nil)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	b := setupWebhooks(t, fixedSigner(t), &http.Client{Timeout: 200 * time.Millisecond})
	deliver := func(endpoint string) outcome {
		return b.w.deliver(context.Background(), &subscription{ARN: testSub, Endpoint: endpoint}, testNotification("x"), true, "x",
			integrations.TraceContext{}, policy, 0)
	}
	got := deliver(slow.URL)
	require.Equal(t, outcome{RetryAfter: 20 * time.Second, Reason: "no answer within 200ms"}, got)

	got = deliver(closed.URL)
	require.False(t, got.OK || got.Permanent || got.Exhausted)
	require.Equal(t, 20*time.Second, got.RetryAfter)
	require.Contains(t, got.Reason, "connection refused")

	for _, endpoint := range []string{"", "ftp://example.com/x", "http://", "::not a url", "mailto:a@example.com"} {
		got := deliver(endpoint)
		require.True(t, got.Permanent, "%q: %+v", endpoint, got)
		require.Contains(t, got.Reason, "is not an http or https URL")
	}

	// A client's own timeout is kept; none gets AWS's 15 s.
	require.Equal(t, 200*time.Millisecond, b.w.client.Timeout)
	require.Equal(t, 15*time.Second, newWebhooks(&http.Client{}, nil, "", nil, nil).client.Timeout)
	require.Equal(t, 15*time.Second, newWebhooks(nil, nil, "", nil, nil).client.Timeout)
	require.Equal(t, "http://127.0.0.1:8080/?Action=ConfirmSubscription&TopicArn="+testTopic+"&Token=t%2Bk",
		newWebhooks(nil, nil, "", nil, nil).subscribeURL(testTopic, "t+k"))
}

func TestWebhookReadsALongAnswerOnlyInPart(t *testing.T) {
	t.Parallel()
	written := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 32<<10))
		var n int64
		for range 512 { // 16 MiB, more than any socket buffer holds
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				break
			}
		}
		written <- n
	}))
	t.Cleanup(srv.Close)
	b := setupWebhooks(t, fixedSigner(t), nil)
	got := b.w.deliver(context.Background(), &subscription{ARN: testSub, Endpoint: srv.URL}, testNotification("x"), true, "x",
		integrations.TraceContext{}, effectiveDeliveryPolicy(nil, nil), 0)
	require.True(t, got.OK)
	// The connection was closed after a few KiB: the server could not
	// write its 16 MiB.
	require.Less(t, <-written, int64(16<<20))
}

func TestWebhookRetriesUntilTheSubscriberTakesIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupWebhooks(t, fixedSigner(t), nil)
	s := snstest.New(t)
	s.FailNext(2, http.StatusServiceUnavailable)
	sub := &subscription{ARN: testSub, Endpoint: s.URL}
	env := testNotification("persistent")
	body := b.notify(t, env, sub.ARN, "2")
	policy := effectiveDeliveryPolicy(nil, nil)
	var outs []outcome
	for attempt := 0; ; attempt++ {
		out := b.w.deliver(ctx, sub, env, false, body, integrations.TraceContext{}, policy, attempt)
		outs = append(outs, out)
		if out.OK || out.Exhausted {
			break
		}
	}
	require.Len(t, outs, 3)
	require.True(t, outs[2].OK)
	require.Equal(t, 3, s.Requests())
	got := s.WaitNotifications(t, 1)
	require.Len(t, got, 1)
	require.Equal(t, "persistent", got[0].Field("Message"))
	require.Empty(t, s.Errors())
}

func TestWebhookThrottle(t *testing.T) {
	t.Parallel()
	s := snstest.New(t)
	b := setupWebhooks(t, fixedSigner(t), nil)
	policy := effectiveDeliveryPolicy(nil, &subscriptionDeliveryPolicy{Throttle: ptr(20)}) // 50 ms apart
	sub := &subscription{ARN: testSub, Endpoint: s.URL}
	other := &subscription{ARN: testSub + "-other", Endpoint: s.URL}
	start := time.Now()
	for range 5 {
		require.True(t, b.w.deliver(context.Background(), sub, testNotification("x"), true, "x", integrations.TraceContext{}, policy, 0).OK)
	}
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "4 gaps of 50 ms at least")

	// Another subscription has a bucket of its own: its first post does
	// not wait behind the first's.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.True(t, b.w.deliver(ctx, other, testNotification("x"), true, "x", integrations.TraceContext{}, policy, 0).OK)

	// A slot beyond the caller's deadline is not taken and nothing is sent.
	slowPolicy := effectiveDeliveryPolicy(nil, &subscriptionDeliveryPolicy{Throttle: ptr(1)})
	require.True(t, b.w.deliver(context.Background(), other, testNotification("x"), true, "x", integrations.TraceContext{}, slowPolicy, 0).OK)
	before := s.Requests()
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	got := b.w.deliver(short, other, testNotification("x"), true, "x", integrations.TraceContext{}, slowPolicy, 0)
	require.False(t, got.OK)
	require.Equal(t, "throttled: maxReceivesPerSecond 1", got.Reason)
	require.Greater(t, got.RetryAfter, 100*time.Millisecond)
	require.Equal(t, before, s.Requests())
}

func TestWebhookHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	// A bare TCP listener, so the request is seen as sent (an http.Server
	// would canonicalize the header names).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(conn, &lineRecorder{out: got})))
		if err == nil {
			_, _ = io.Copy(io.Discard, req.Body)
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	}()
	b := setupWebhooks(t, fixedSigner(t), nil)
	out := b.w.deliver(context.Background(), &subscription{ARN: testSub, Endpoint: "http://" + ln.Addr().String() + "/"},
		testNotification("x"), true, "x", integrations.TraceContext{}, effectiveDeliveryPolicy(nil, nil), 0)
	require.True(t, out.OK, out.Reason)
	head := <-got
	for _, line := range []string{"POST / HTTP/1.1\r\n", "\r\nx-amz-sns-message-type: Notification\r\n", "\r\nx-amz-sns-message-id: 22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\r\n",
		"\r\nx-amz-sns-topic-arn: " + testTopic + "\r\n", "\r\nx-amz-sns-subscription-arn: " + testSub + "\r\n", "\r\nx-amz-sns-rawdelivery: true\r\n",
		"\r\nUser-Agent: Amazon Simple Notification Service Agent\r\n", "\r\nContent-Type: text/plain; charset=UTF-8\r\n"} {
		require.Contains(t, head, line)
	}
}

// lineRecorder hands on the request's head (up to its blank line) once.
type lineRecorder struct {
	buf  []byte
	out  chan<- string
	sent bool
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	if !r.sent {
		r.buf = append(r.buf, p...)
		if i := bytes.Index(r.buf, []byte("\r\n\r\n")); i >= 0 {
			r.out <- string(r.buf[:i+2])
			r.sent = true
		}
	}
	return len(p), nil
}
