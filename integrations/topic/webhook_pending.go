package topic

import (
	"context"
	"encoding/json"
	"time"
)

// Placeholders for the webhook deliveries and delivery policies, being
// built on branch m10-webhook.

func parseTopicDeliveryPolicy(v string) (any, *Error) {
	if !json.Valid([]byte(v)) {
		return nil, invalidf("DeliveryPolicy: failed to parse JSON")
	}
	return nil, nil
}

func parseSubscriptionDeliveryPolicy(v string) (any, *Error) { return parseTopicDeliveryPolicy(v) }

func effectiveTopicDeliveryPolicy(v string) string { return v }

func effectiveSubscriptionDeliveryPolicy(topic, sub string) string { return sub }

func (s *Service) deliverHTTP(ctx context.Context, v *view, sv *subView, j *job) outcome {
	return outcome{Permanent: true, Reason: "http deliveries are not built yet"}
}

func (s *Service) sendConfirmation(topic, id string, sub *subRecord) {}

func (s *Service) sendUnsubscribeConfirmation(topic, id string, sub *subRecord) {}

func secondsOf(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
