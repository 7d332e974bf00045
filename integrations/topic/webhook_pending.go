package topic

import (
	"context"
	"time"
)

// Placeholders for the webhook deliveries, being built on branch
// m10-webhook.

func (s *Service) deliverHTTP(ctx context.Context, v *view, sv *subView, j *job) outcome {
	return outcome{Permanent: true, Reason: "http deliveries are not built yet"}
}

func (s *Service) sendConfirmation(topic, id string, sub *subRecord) {}

func (s *Service) sendUnsubscribeConfirmation(topic, id string, sub *subRecord) {}

func secondsOf(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
