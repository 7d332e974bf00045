package topic

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/signalbox/signalbox/integrations"
)

// deliverStates starts an execution of a states subscription's state
// machine with the message as input: the JSON envelope as an object, or
// with RawMessageDelivery the message itself (its JSON when it parses,
// else the string). The execution's name is "<message id>_<first 36 of
// the subscription id>", so that a delivery made twice starts one
// execution (a start of the same name and input is the same execution).
// The execution joins the publisher's trace.
func (s *Service) deliverStates(ctx context.Context, v *view, sv *subView, j *job) outcome {
	h := s.hostOf()
	if h == nil {
		return outcome{RetryAfter: secondsOf(1), Reason: "no runtime runs here to start executions"}
	}
	var input any
	if sv.raw {
		text := j.msg.forProtocol(ProtocolStates)
		var parsed any
		if json.Valid([]byte(text)) && json.Unmarshal([]byte(text), &parsed) == nil {
			input = parsed
		} else {
			input = text
		}
	} else {
		body, err := s.notification(ctx, v, sv, j.msg)
		if err != nil {
			return outcome{RetryAfter: secondsOf(1), Reason: err.Error()}
		}
		var env map[string]any
		if err := json.Unmarshal(body, &env); err != nil {
			return outcome{Permanent: true, Reason: err.Error()}
		}
		input = env
	}
	_, err := h.StartExecution(ctx, integrations.StartRequest{StateMachineARN: sv.rec.Endpoint, Name: j.msg.ID + "_" + sv.id,
		Input: input, TraceParent: j.trace.Parent, TraceState: j.trace.State, Baggage: j.trace.Baggage})
	if err == nil {
		return outcome{OK: true}
	}
	text := err.Error()
	for _, code := range []string{"StateMachineDoesNotExist", "InvalidArn", "InvalidExecutionInput", "InvalidName", "StateMachineDeleting", "ExecutionAlreadyExists"} {
		if strings.Contains(text, code) {
			return outcome{Permanent: true, Reason: text}
		}
	}
	o := managedRetry(j.attempts + 1)
	o.Reason = text
	return o
}
