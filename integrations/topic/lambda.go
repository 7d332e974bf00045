package topic

import (
	"context"
	"encoding/json"

	"github.com/signalbox/signalbox/integrations/function"
)

// Functions invokes functions asynchronously: function.Target.
type Functions = function.AsyncInvoker

// SetFunctions hands the Service what invokes the functions of lambda
// subscriptions, when it is built after the Service.
func (s *Service) SetFunctions(f Functions) { s.fns.Set(f) }

// lambdaEvent is the event SNS invokes a function with: one record of the
// notification, its fields as the Lambda event names them.
type lambdaEvent struct {
	Records []lambdaRecord `json:"Records"`
}

type lambdaRecord struct {
	EventSource          string         `json:"EventSource"`
	EventVersion         string         `json:"EventVersion"`
	EventSubscriptionArn string         `json:"EventSubscriptionArn"`
	Sns                  map[string]any `json:"Sns"`
}

// deliverLambda invokes a lambda subscription's function asynchronously
// (as SNS does) with the message as SNS's Lambda event: the signed
// notification, SigningCertURL and UnsubscribeURL spelled SigningCertUrl
// and UnsubscribeUrl, Subject null when there is none. The delivery is
// made once the invocation is queued; the invocation carries the
// publisher's trace. No such function, or one Lambda refuses, gives the
// delivery up; a throttle is retried as SNS retries managed endpoints.
func (s *Service) deliverLambda(ctx context.Context, v *view, sv *subView, j *job) outcome {
	fns := s.fns.Get()
	if fns == nil {
		return outcome{RetryAfter: secondsOf(1), Reason: "no functions run here"}
	}
	body, err := s.notification(ctx, v, sv, j.msg)
	if err != nil {
		return outcome{RetryAfter: secondsOf(1), Reason: err.Error()}
	}
	var sns map[string]any
	if err := json.Unmarshal(body, &sns); err != nil {
		return outcome{Permanent: true, Reason: err.Error()}
	}
	for from, to := range map[string]string{"SigningCertURL": "SigningCertUrl", "UnsubscribeURL": "UnsubscribeUrl"} {
		if x, ok := sns[from]; ok {
			delete(sns, from)
			sns[to] = x
		}
	}
	if _, ok := sns["Subject"]; !ok {
		sns["Subject"] = nil
	}
	if _, ok := sns["MessageAttributes"]; !ok {
		sns["MessageAttributes"] = map[string]any{}
	}
	event, err := json.Marshal(lambdaEvent{Records: []lambdaRecord{{EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: sv.sub.ARN, Sns: sns}}})
	if err != nil {
		return outcome{Permanent: true, Reason: err.Error()}
	}
	if _, err := fns.InvokeAsync(ctx, sv.rec.Endpoint, event, j.trace); err != nil {
		if function.Permanent(err) {
			return outcome{Permanent: true, Reason: err.Error()}
		}
		o := managedRetry(j.attempts + 1)
		o.Reason = err.Error()
		return o
	}
	return outcome{OK: true}
}
