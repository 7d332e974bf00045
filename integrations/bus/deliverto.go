package bus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
	"github.com/signalbox/signalbox/integrations/bus/transform"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/store"
)

// The ERROR_CODE values a dead-letter queue's messages carry, as
// EventBridge's documentation names them: a target that does not exist,
// one that refuses the input, a connection not authorized, and the rest
// (retries exhausted on the target's failures).
const (
	errResourceNotFound = "RESOURCE_NOT_FOUND"
	errInvalidParameter = "INVALID_PARAMETER"
	errNoPermissions    = "NO_PERMISSIONS"
	errSDKClient        = "SDK_CLIENT_ERROR"
)

// The targets: what a delivery does for each kind. Each attempt ends in
// done(outcome), on the caller's goroutine or, for a queue, on its lane's.

// deliverTo makes one attempt of a delivery to a target.
func (s *Service) deliverTo(ctx context.Context, j job, rv *ruleView, tv *targetView, done func(outcome)) {
	ev := unstored(j.payload)
	evJSON, tc := ev.json, ev.trace
	if tv.kind != TargetArchive {
		var end func(outcome)
		ctx, tc, end = s.traceDelivery(ctx, j, tv, tc, j.eventID())
		finish := done
		done = func(o outcome) { end(o); finish(o) }
	}
	if tv.kind == TargetArchive {
		done(s.toArchive(ctx, tv, j, evJSON))
		return
	}
	if tv.kind == TargetBus {
		done(s.toBus(ctx, tv, evJSON, tc, ev.ingested))
		return
	}
	input := evJSON
	if tv.shape != nil {
		var err error
		input, err = tv.shape.Apply(evJSON, transform.Context{RuleArn: s.RuleARN(j.bus, j.rule), RuleName: j.rule, IngestionTime: ev.ingested.Format(time.RFC3339)})
		if err != nil {
			done(outcome{Permanent: true, Code: errInvalidParameter, Reason: err.Error()})
			return
		}
	}
	switch tv.kind {
	case TargetQueue:
		s.toQueue(ctx, j, tv, input, tc, done)
	case TargetTopic:
		done(s.toTopic(ctx, j, tv, input, tc))
	case TargetStateMachine:
		done(s.toStates(ctx, j, tv, input, tc))
	case TargetAPIDestination:
		done(s.toAPIDestination(ctx, j, tv, input, tc))
	case TargetFunction:
		done(s.toFunction(ctx, tv, input, tc))
	default:
		done(outcome{Permanent: true, Code: errInvalidParameter, Reason: "unsupported target " + tv.t.Arn})
	}
}

// sqsInput is what a queue target (or a dead-letter queue) receives: the
// input as its body, the event's id as a FIFO queue's deduplication id,
// the target's message group, and the trace context as the AWSTraceHeader
// system attribute and a traceparent message attribute.
func sqsInput(name, body, eventID, group string, tc integrations.TraceContext) queue.SendInput {
	in := queue.SendInput{Body: body}
	if strings.HasSuffix(name, ".fifo") {
		in.GroupID, in.DedupID = group, eventID
	}
	if h, ok := queue.AWSTraceHeader(tc.Parent); ok {
		in.SystemAttributes = map[string]queue.MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: h}}
		in.Attributes = map[string]queue.MessageAttribute{queue.TraceParentAttribute: {DataType: "String", StringValue: tc.Parent}}
	}
	return in
}

// toQueue sends the input to a queue through the queue's lane (batched);
// a queue that does not exist or refuses the message is a permanent
// failure, the store's failures are retried.
func (s *Service) toQueue(ctx context.Context, j job, tv *targetView, input []byte, tc integrations.TraceContext, done func(outcome)) {
	if s.cfg.Queues == nil {
		done(outcome{Permanent: true, Code: errResourceNotFound, Reason: "no queue router runs here"})
		return
	}
	group := ""
	if p := tv.t.SqsParameters; p != nil {
		group = p.MessageGroupID
	}
	in := sqsInput(tv.name, string(input), j.eventID(), group, tc)
	s.eng.lanes.Enqueue(ctx, tv.name, in, func(err error) { done(queueOutcome(err)) })
}

func queueOutcome(err error) outcome {
	if err == nil {
		return outcome{OK: true}
	}
	var qe *queue.Error
	if errors.As(err, &qe) && !qe.Server {
		code := errInvalidParameter
		if qe.Code == "QueueDoesNotExist" || qe.Code == "AWS.SimpleQueueService.NonExistentQueue" {
			code = errResourceNotFound
		}
		return outcome{Permanent: true, Code: code, Reason: qe.Error()}
	}
	return outcome{Reason: err.Error()}
}

// toTopic publishes the input to a topic.
func (s *Service) toTopic(ctx context.Context, j job, tv *targetView, input []byte, tc integrations.TraceContext) outcome {
	if s.cfg.Topics == nil {
		return outcome{Permanent: true, Code: errResourceNotFound, Reason: "no topic router runs here"}
	}
	in := &topic.PublishInput{TopicARN: tv.t.Arn, Message: string(input), Trace: tc}
	if strings.HasSuffix(tv.name, ".fifo") {
		in.DedupID = j.eventID()
		if p := tv.t.SqsParameters; p != nil {
			in.GroupID = p.MessageGroupID
		}
	}
	_, err := s.cfg.Topics.Publish(ctx, in)
	if err == nil {
		return outcome{OK: true}
	}
	var te *topic.Error
	if errors.As(err, &te) && te.Sender() {
		code := errInvalidParameter
		if te.Code == "NotFound" {
			code = errResourceNotFound
		}
		return outcome{Permanent: true, Code: code, Reason: te.Error()}
	}
	return outcome{Reason: err.Error()}
}

// toStates starts an execution with the input. Its name is derived from
// the delivery, so a delivery made twice starts one execution.
func (s *Service) toStates(ctx context.Context, j job, tv *targetView, input []byte, tc integrations.TraceContext) outcome {
	s.mu.Lock()
	h := s.host
	s.mu.Unlock()
	if h == nil {
		return outcome{Reason: "no runtime runs here to start executions"}
	}
	var in any
	if err := json.Unmarshal(input, &in); err != nil {
		in = string(input)
	}
	sum := sha256.Sum256([]byte(j.bus + "\x00" + j.rule + "\x00" + j.target))
	name := j.id
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	name = strings.NewReplacer(":", "-", "/", "-").Replace(name) + "_" + hex.EncodeToString(sum[:8])
	_, err := h.StartExecution(ctx, integrations.StartRequest{StateMachineARN: tv.t.Arn, Name: name, Input: in,
		TraceParent: tc.Parent, TraceState: tc.State, Baggage: tc.Baggage})
	if err == nil {
		return outcome{OK: true}
	}
	text := err.Error()
	if strings.Contains(text, "StateMachineDoesNotExist") || strings.Contains(text, "StateMachineDeleting") {
		return outcome{Permanent: true, Code: errResourceNotFound, Reason: text}
	}
	for _, code := range []string{"InvalidArn", "InvalidExecutionInput", "InvalidName", "ExecutionAlreadyExists"} {
		if strings.Contains(text, code) {
			return outcome{Permanent: true, Code: errInvalidParameter, Reason: text}
		}
	}
	return outcome{Reason: text}
}

// toBus puts the event, as it is, on another bus.
func (s *Service) toBus(ctx context.Context, tv *targetView, evJSON []byte, tc integrations.TraceContext, ingested time.Time) outcome {
	var env Event
	if err := json.Unmarshal(evJSON, &env); err != nil {
		return outcome{Permanent: true, Code: errInvalidParameter, Reason: err.Error()}
	}
	p := &pending{bus: tv.name, env: env, json: evJSON, trace: tc, id: integrations.NewUUID(), ingested: ingested}
	err := s.put(ctx, tv.name, []*pending{p}, putOptions{})
	if err == nil {
		return outcome{OK: true}
	}
	var be *Error
	if errors.As(err, &be) && be.Code == "ResourceNotFoundException" {
		return outcome{Permanent: true, Code: errResourceNotFound, Reason: be.Message}
	}
	return outcome{Reason: err.Error()}
}

// toArchive keeps the event in an archive.
func (s *Service) toArchive(ctx context.Context, tv *targetView, j job, evJSON []byte) outcome {
	at := eventTimeOf(evJSON, s.now())
	if err := s.st.ArchivePut(ctx, tv.name, []store.ArchivedEvent{{ID: j.eventID(), Time: at, Payload: string(evJSON)}}); err != nil {
		return outcome{Reason: err.Error()}
	}
	return outcome{OK: true}
}

// deadLetter sends an event given up to the target's dead-letter queue,
// with the attributes AWS sets: ERROR_CODE, ERROR_MESSAGE,
// EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN.
func (s *Service) deadLetter(ctx context.Context, j job, rv *ruleView, tv *targetView, o outcome, exhausted string) error {
	kind, name := ParseTargetARN(tv.t.DeadLetterConfig.Arn)
	if kind != TargetQueue || s.cfg.Queues == nil {
		return errors.New("the dead-letter queue " + tv.t.DeadLetterConfig.Arn + " is not one of this server's queues")
	}
	ev := unstored(j.payload)
	in := sqsInput(name, string(ev.json), j.eventID(), j.rule, ev.trace)
	if in.Attributes == nil {
		in.Attributes = map[string]queue.MessageAttribute{}
	}
	code := o.Code
	if code == "" {
		code = errSDKClient
	}
	attr := func(k, v string) { in.Attributes[k] = queue.MessageAttribute{DataType: "String", StringValue: v} }
	attr("ERROR_CODE", code)
	attr("ERROR_MESSAGE", clip(o.Reason, 1024))
	if exhausted != "" {
		attr("EXHAUSTED_RETRY_CONDITION", exhausted)
	}
	in.Attributes["RETRY_ATTEMPTS"] = queue.MessageAttribute{DataType: "Number", StringValue: strconv.Itoa(j.attempts)}
	attr("RULE_ARN", s.RuleARN(j.bus, j.rule))
	attr("TARGET_ARN", tv.t.Arn)
	_, err := s.cfg.Queues.Send(ctx, name, []queue.SendInput{in})
	return err
}

// eventTimeOf reads an envelope's time (the event's time for its age and
// its archive), or def.
func eventTimeOf(evJSON []byte, def time.Time) time.Time {
	var e struct {
		Time string `json:"time"`
	}
	if json.Unmarshal(evJSON, &e) == nil {
		if t, err := time.Parse(time.RFC3339, e.Time); err == nil {
			return t
		}
	}
	return def
}

// eventIDOf reads an envelope's id, or def.
func eventIDOf(evJSON []byte, def string) string {
	var e struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(evJSON, &e) == nil && e.ID != "" {
		return e.ID
	}
	return def
}

// toAPIDestination calls an API destination through its connection: the
// input as the body, the target's HttpParameters, the trace context as
// W3C headers; AWS's classification of the answer (apidest) decides
// between done, retried and given up.
func (s *Service) toAPIDestination(ctx context.Context, j job, tv *targetView, input []byte, tc integrations.TraceContext) outcome {
	d, _, err := s.APIDestinationByName(ctx, tv.name)
	if err != nil {
		var be *Error
		if errors.As(err, &be) && be.Status < 500 {
			return outcome{Permanent: true, Code: errResourceNotFound, Reason: be.Message}
		}
		return outcome{Reason: err.Error()}
	}
	if d.ApiDestinationState != "ACTIVE" {
		return outcome{Permanent: true, Code: errInvalidParameter, Reason: "API destination " + d.Name + " is " + d.ApiDestinationState}
	}
	auth, err := s.ConnectionAuth(ctx, d.ConnectionArn)
	if err != nil {
		var be *Error
		if errors.As(err, &be) && be.Status < 500 {
			return outcome{Permanent: true, Code: errNoPermissions, Reason: be.Message}
		}
		return outcome{Reason: err.Error()}
	}
	call := &apidest.Call{Destination: d.ApiDestinationArn, Connection: d.ConnectionArn, Endpoint: d.InvocationEndpoint, Method: d.HttpMethod,
		Auth: auth, Body: input, RateLimit: d.InvocationRateLimitPerSecond, Headers: map[string]string{}}
	if p := tv.t.HTTPParameters; p != nil {
		call.PathParams, call.Query = p.PathParameterValues, p.QueryStringParameters
		maps.Copy(call.Headers, p.HeaderParameters)
	}
	h := http.Header{}
	tc.SetHeaders(h)
	for k := range h {
		call.Headers[k] = h.Get(k)
	}
	if tv.shape != nil && !tv.shape.IsJSON() {
		call.Headers["Content-Type"] = "text/plain; charset=utf-8"
	}
	res, err := s.invoker.Invoke(ctx, call)
	switch {
	case err != nil:
		return outcome{Permanent: true, Code: errInvalidParameter, Reason: err.Error()}
	case res.Status >= 200 && res.Status < 300:
		return outcome{OK: true}
	case res.Retryable:
		return outcome{Reason: res.Reason}
	}
	return outcome{Permanent: true, Code: errInvalidParameter, Reason: res.Reason}
}
