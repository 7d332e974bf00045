package topic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// The http/https protocol: SNS's POSTs to a subscriber's URL
// ("HTTP/HTTPS headers", "Step 1: Make sure your endpoint is ready to
// process Amazon SNS messages").

// maxWebhookResponse is how much of a subscriber's answer is read (and
// thrown away) so that the connection can be used again; a longer answer
// is cut and its connection closed.
const maxWebhookResponse = 4 << 10

// webhookUserAgent is AWS's User-Agent.
const webhookUserAgent = "Amazon Simple Notification Service Agent"

// webhooks posts SNS's messages to http/https subscribers
// (webhook_service.go makes one per use from the Service's Config).
type webhooks struct {
	client    *http.Client
	sign      func(context.Context) (*signer, error)
	publicURL string // no trailing slash
	now       func() time.Time
	throttle  *throttle
}

// newWebhooks returns the webhooks posting with a copy of client (one
// with AWS's 15 s timeout when nil; a client without a timeout gets that
// one) that never follows a redirect: AWS takes a 3xx answer as the
// subscriber's answer. publicURL is where subscribers reach this server
// ("" for http://127.0.0.1:8080); sign gives the signer; th spaces each
// subscription's posts (nil: a throttle of the webhooks' own).
func newWebhooks(client *http.Client, sign func(context.Context) (*signer, error), publicURL string, now func() time.Time, th *throttle) *webhooks {
	c := &http.Client{Timeout: webhookTimeout}
	if client != nil {
		cp := *client
		c = &cp
		if c.Timeout == 0 {
			c.Timeout = webhookTimeout
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if publicURL == "" {
		publicURL = "http://127.0.0.1:8080"
	}
	if now == nil {
		now = time.Now
	}
	if th == nil {
		th = &throttle{}
	}
	return &webhooks{client: c, sign: sign, publicURL: strings.TrimRight(publicURL, "/"), now: now, throttle: th}
}

// queryValue escapes a value of the URLs in messages as AWS writes them:
// an ARN's colons as they are.
func queryValue(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "%3A", ":") }

// subscribeURL is a confirmation's SubscribeURL.
func (w *webhooks) subscribeURL(topicARN, token string) string {
	return w.publicURL + "/?Action=ConfirmSubscription&TopicArn=" + queryValue(topicARN) + "&Token=" + queryValue(token)
}

// deliver posts one notification to an http/https subscription: body as
// it is (the envelope Service.notification made, or with
// RawMessageDelivery the message itself, raw), with AWS's headers and the
// message's trace context, the subscription's throttle first (a throttled
// outcome says "throttled" in its Reason). attempt is this post's
// number: 0 the first, n the nth retry; policy is the subscription's
// effective delivery policy.
//
// AWS's rules for the answer: a status from 200 to 499 ends the delivery
// (a 4xx too: "a status code outside the range of 200–4xx" is a failed
// attempt, nothing else); a 5xx, a timeout (15 s) or no connection is a
// failed attempt, retried as the policy says. An endpoint that is not an
// http or https URL is a permanent failure.
func (w *webhooks) deliver(ctx context.Context, sub *subscription, env *envelope, raw bool, body string,
	trace integrations.TraceContext, policy deliveryPolicy, attempt int) outcome {
	if wait, ok := w.throttle.wait(ctx, sub.ARN, policy.Throttle); !ok {
		return outcome{RetryAfter: wait, Reason: fmt.Sprintf("throttled: maxReceivesPerSecond %d", policy.Throttle)}
	}
	h := w.headers(env, sub.ARN)
	h.Set("Content-Type", policy.ContentType)
	if policy.ContentType == "" {
		h.Set("Content-Type", defaultContentType)
	}
	if raw {
		h["x-amz-sns-rawdelivery"] = []string{"true"}
	}
	trace.SetHeaders(h)
	return w.post(ctx, sub.Endpoint, h, []byte(body), policy.Retry, attempt)
}

// confirm posts a SubscriptionConfirmation to a new http/https
// subscription: AWS's message, SubscribeURL and token, signed with the
// topic's SignatureVersion. A confirmation is retried as a notification is
// (AWS: "This applies to all messages, including the subscription
// confirmation message"), by retry, attempt counting as in deliver.
func (w *webhooks) confirm(ctx context.Context, sub *subscription, token, topicARN, sigVersion string, retry retryPolicy, attempt int) outcome {
	msg := "You have chosen to subscribe to the topic " + topicARN +
		".\nTo confirm the subscription, visit the SubscribeURL included in this message."
	return w.confirmation(ctx, typeSubscriptionConfirmation, msg, sub, token, topicARN, sigVersion, retry, attempt)
}

// unsubscribed posts an UnsubscribeConfirmation to an http/https
// subscription that was just unsubscribed: its SubscribeURL and token
// restore it.
func (w *webhooks) unsubscribed(ctx context.Context, sub *subscription, token, topicARN, sigVersion string, retry retryPolicy, attempt int) outcome {
	msg := "You have chosen to deactivate subscription " + sub.ARN +
		".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
	return w.confirmation(ctx, typeUnsubscribeConfirmation, msg, sub, token, topicARN, sigVersion, retry, attempt)
}

func (w *webhooks) confirmation(ctx context.Context, typ, msg string, sub *subscription, token, topicARN, sigVersion string,
	retry retryPolicy, attempt int) outcome {
	sg, err := w.sign(ctx)
	if err != nil {
		return retryOutcome(retry, attempt, "signing key: "+err.Error())
	}
	env := &envelope{Type: typ, MessageID: newUUID(), Token: token, TopicARN: topicARN, Message: msg,
		SubscribeURL: w.subscribeURL(topicARN, token), Timestamp: w.now()}
	body, err := env.encode(sg, sigVersion, w.publicURL+sg.certPath())
	if err != nil {
		return outcome{Permanent: true, Reason: err.Error()}
	}
	h := w.headers(env, sub.ARN)
	h.Set("Content-Type", defaultContentType)
	return w.post(ctx, sub.Endpoint, h, body, retry, attempt)
}

// headers are AWS's: the message's type, id and topic, the subscription
// (not on a SubscriptionConfirmation, as AWS's examples show), the agent.
func (w *webhooks) headers(env *envelope, subARN string) http.Header {
	// Set as AWS writes them, in lower case (Set would write
	// X-Amz-Sns-Message-Type); header names are case-insensitive all the
	// same.
	h := http.Header{
		"x-amz-sns-message-type": {env.Type},
		"x-amz-sns-message-id":   {env.MessageID},
		"x-amz-sns-topic-arn":    {env.TopicARN},
	}
	if env.Type != typeSubscriptionConfirmation {
		h["x-amz-sns-subscription-arn"] = []string{subARN}
	}
	h.Set("User-Agent", webhookUserAgent)
	return h
}

func (w *webhooks) post(ctx context.Context, endpoint string, h http.Header, body []byte, retry retryPolicy, attempt int) outcome {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return outcome{Permanent: true, Reason: fmt.Sprintf("endpoint %q is not an http or https URL", endpoint)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return outcome{Permanent: true, Reason: err.Error()}
	}
	req.Header = h
	resp, err := w.client.Do(req)
	if err != nil {
		reason := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			reason = fmt.Sprintf("no answer within %v", w.client.Timeout)
		}
		return retryOutcome(retry, attempt, reason)
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxWebhookResponse)
	_ = resp.Body.Close()
	reason := "HTTP " + resp.Status
	if resp.StatusCode >= 200 && resp.StatusCode < 500 {
		return outcome{OK: true, Reason: reason}
	}
	return retryOutcome(retry, attempt, reason)
}

// retryOutcome is a failed attempt: the delay before the next one, or
// exhausted.
func retryOutcome(retry retryPolicy, attempt int, reason string) outcome {
	d, ok := retry.delay(attempt + 1)
	if !ok {
		return outcome{Exhausted: true, Reason: reason}
	}
	return outcome{RetryAfter: d, Reason: reason}
}

// throttle spaces each subscription's posts maxReceivesPerSecond apart
// (a token bucket of one token). It is per process: with several
// processes delivering, a subscription may receive up to that many times
// the rate. It waits on the wall clock.
type throttle struct {
	mu   sync.Mutex
	next map[string]time.Time // subscription ARN → the earliest time of its next post
}

// maxThrottled bounds the throttle's memory: past it, entries whose time
// has passed are dropped.
const maxThrottled = 4096

// wait takes the subscription's next slot at perSecond posts a second (no
// limit when 0) and waits for it. When ctx would end first, it takes no
// slot and returns false with how long the wait would have been.
func (t *throttle) wait(ctx context.Context, key string, perSecond int) (time.Duration, bool) {
	if perSecond <= 0 {
		return 0, true
	}
	t.mu.Lock()
	now := time.Now()
	at := now
	if n, ok := t.next[key]; ok && n.After(now) {
		at = n
	}
	wait := at.Sub(now)
	if deadline, ok := ctx.Deadline(); ok && at.After(deadline) {
		t.mu.Unlock()
		return wait, false
	}
	if t.next == nil {
		t.next = map[string]time.Time{}
	}
	if len(t.next) >= maxThrottled {
		for k, n := range t.next {
			if !n.After(now) {
				delete(t.next, k)
			}
		}
	}
	t.next[key] = at.Add(time.Second / time.Duration(perSecond))
	t.mu.Unlock()
	if wait <= 0 {
		return 0, true
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return wait, true
	case <-ctx.Done():
		return wait, false
	}
}
