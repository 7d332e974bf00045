package topic

import (
	"context"
	"time"
)

// The Service's http/https subscriptions: deliveries, confirmations and
// delivery policies, on webhooks (webhook.go) and deliverypolicy.go.

// processThrottle spaces each http/https subscription's posts by its
// throttle policy (maxReceivesPerSecond), for every Service of this
// process: AWS's limit holds per process, not across processes.
var processThrottle throttle

// webhooks is the Service's poster: its HTTP client (never following
// redirects), signer, public URL and clock.
func (s *Service) webhooks() *webhooks {
	return newWebhooks(s.cfg.HTTPClient, s.signer, s.cfg.PublicURL, s.now, &processThrottle)
}

// topicPolicy and subscriptionPolicy read stored policies: they were
// checked when set, so one that no longer parses counts as none.
func topicPolicy(attrs map[string]string) *topicDeliveryPolicy {
	p, _ := parseTopicDeliveryPolicy(attrs[attrDeliveryPolicy])
	return p
}

func subscriptionPolicy(attrs map[string]string) *subscriptionDeliveryPolicy {
	p, _ := parseSubscriptionDeliveryPolicy(attrs[attrDeliveryPolicy])
	return p
}

// deliverHTTP makes one attempt of an http/https delivery.
func (s *Service) deliverHTTP(ctx context.Context, v *view, sv *subView, j *job) outcome {
	policy := effectiveDeliveryPolicy(topicPolicy(v.attrs), subscriptionPolicy(sv.rec.Attributes))
	var body string
	if sv.raw {
		body = j.msg.forProtocol(sv.rec.Protocol)
	} else {
		b, err := s.notification(ctx, v, sv, j.msg)
		if err != nil {
			return retryOutcome(policy.Retry, j.attempts, "signing: "+err.Error())
		}
		body = string(b)
	}
	env := &envelope{Type: typeNotification, MessageID: j.msg.ID, TopicARN: v.arn}
	return s.webhooks().deliver(ctx, &sv.sub, env, sv.raw, body, j.trace, policy, j.attempts)
}

// confirmationTimeout bounds a confirmation's retries: AWS's longest
// retry policy (3,600 s) and the timeouts of its 101 posts.
const confirmationTimeout = time.Hour + 101*webhookTimeout

// sendConfirmation posts a new http/https subscription's
// SubscriptionConfirmation, in the background, retried by the
// subscription's effective delivery policy (AWS retries confirmations as
// it does notifications). The retries live in this process only: if it
// ends first, the subscription stays pending, and subscribing the same
// endpoint again sends a new confirmation.
func (s *Service) sendConfirmation(topic, id string, sub *subRecord) {
	s.background(func(ctx context.Context) { s.sendConfirmationMessage(ctx, topic, id, sub, false) })
}

// sendUnsubscribeConfirmation posts an UnsubscribeConfirmation to an
// http/https subscription that was unsubscribed, in the background, as
// sendConfirmation does.
func (s *Service) sendUnsubscribeConfirmation(topic, id string, sub *subRecord) {
	s.background(func(ctx context.Context) { s.sendConfirmationMessage(ctx, topic, id, sub, true) })
}

func (s *Service) sendConfirmationMessage(ctx context.Context, topic, id string, rec *subRecord, unsubscribe bool) {
	ctx, cancel := context.WithTimeout(ctx, confirmationTimeout)
	defer cancel()
	arn := s.TopicARN(topic)
	sub := &subscription{ARN: arn + ":" + id, TopicARN: arn, Protocol: rec.Protocol, Endpoint: rec.Endpoint,
		Attributes: rec.Attributes, Confirmed: rec.Confirmed, Token: rec.Token}
	attrs := map[string]string{}
	if v, err := s.view(ctx, topic, viewMaxAge); err == nil {
		attrs = v.attrs
	} else if !unsubscribe {
		s.cfg.Logger.Warn("topic: no confirmation sent: the topic does not read", "subscription", sub.ARN, "error", err)
		return
	}
	retry := effectiveDeliveryPolicy(topicPolicy(attrs), subscriptionPolicy(rec.Attributes)).Retry
	w := s.webhooks()
	for attempt := 0; ; attempt++ {
		var out outcome
		if unsubscribe {
			out = w.unsubscribed(ctx, sub, rec.Token, arn, attrs[attrSignatureVersion], retry, attempt)
		} else {
			out = w.confirm(ctx, sub, rec.Token, arn, attrs[attrSignatureVersion], retry, attempt)
		}
		if out.OK {
			return
		}
		if out.Permanent || out.Exhausted || ctx.Err() != nil {
			s.cfg.Logger.Warn("topic: a confirmation was not delivered", "subscription", sub.ARN, "reason", out.Reason)
			return
		}
		t := time.NewTimer(out.RetryAfter)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// secondsOf is f seconds.
func secondsOf(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
