package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/jsontext"
	"github.com/signalbox/signalbox/integrations"
)

// The Task resources of Step Functions' optimized SQS integration: send a
// message and take SQS's answer as the task's result (request-response),
// or send it and wait for a task token to come back (the runtime decides
// that from the resource's suffix; the handler sends in both cases).
const (
	ResourceSendMessage      = "arn:aws:states:::sqs:sendMessage"
	ResourceSendMessageToken = ResourceSendMessage + ".waitForTaskToken"
)

// ErrSQS is the error name of every SQS error a sqs:sendMessage task
// reports, as Step Functions names them (the Java SDK's exception class
// behind the optimized integration: recorded for MissingParameter, and SQS
// models no other exception for SendMessage there); the cause says the
// code, in AWS's format.
const ErrSQS = "SQS.AmazonSQSException"

// TraceParentAttribute is the message attribute that carries the
// execution's W3C trace context (besides the AWSTraceHeader system
// attribute), so that an OpenTelemetry consumer joins the trace.
const TraceParentAttribute = "traceparent"

// maxMessageAttributes is SQS's limit on a message's attributes.
const maxMessageAttributes = 10

// maxMessageBytes is SQS's largest message (body and attributes): 256 KiB.
const maxMessageBytes = 256 * 1024

// Task is the sqs:sendMessage Task integration on a Service: see
// Invoke.
type Task struct {
	svc *Service
	now func() time.Time
}

// NewTask returns the sqs:sendMessage integration of svc; register it for
// both ResourceSendMessage and ResourceSendMessageToken.
func NewTask(svc *Service) *Task { return &Task{svc: svc, now: svc.cfg.Now} }

// Invoke sends the message the Task's parameters describe (QueueUrl,
// MessageBody, DelaySeconds, MessageAttributes, MessageDeduplicationId,
// MessageGroupId, as Step Functions takes them) and returns SQS's answer as
// Step Functions shows it: MessageId, MD5OfMessageBody,
// MD5OfMessageAttributes (with attributes), SequenceNumber (FIFO), and the
// SDK's SdkHttpMetadata and SdkResponseMetadata.
//
// The queue is the last path segment of QueueUrl, whatever its host (AWS's
// https://sqs.<region>.amazonaws.com/<account>/<name> as well as
// Signalbox's own). A MessageBody that is not a string is sent as its JSON
// text. With the execution's trace context (Request.TraceParent), the
// message carries it twice: the AWSTraceHeader system attribute in X-Ray's
// format, and a traceparent message attribute unless the Task sets one
// itself, or it would make an eleventh attribute (SQS's limit is ten) or
// the message longer than 256 KiB (or than the queue's MaximumMessageSize,
// which a second send without it finds): then the system attribute alone
// carries it.
//
// Failures: .waitForTaskToken in an execution without a task token (an
// Express one) is States.Runtime, and sends nothing; parameters of the
// wrong type are States.Runtime (Step
// Functions cannot build the request); SQS's refusals (no such queue, a
// missing body, a FIFO message without a group, ...) are ErrSQS with
// AWS's cause, which Retry and Catch match; a store that cannot be reached
// asks the runtime to call again (integrations.ErrTryAgain). A call is
// made at least once per attempt: a worker that dies between the send and
// its commit sends again (on a FIFO queue, a MessageDeduplicationId makes
// the second send a no-op).
func (t *Task) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	if req.Resource == ResourceSendMessageToken && req.TaskToken == "" {
		// an Express (in-memory) execution: no token could come back, and
		// a message without one would be sent for nothing
		return nil, &integrations.Error{Name: "States.Runtime", Cause: "sqs:sendMessage.waitForTaskToken waits for a task token, which Express executions do not have (as on AWS, they do not support .waitForTaskToken): nothing was sent"}
	}
	name, in, err := parseSend(req.Parameters)
	if err != nil {
		return nil, err
	}
	requestID := newUUID()
	r, err := t.svc.SendWithTrace(ctx, name, *in, req.TraceParent)
	var qe *Error
	switch {
	case errors.As(err, &qe) && qe.Server:
		// the queue router's only server errors are its store's
		return nil, fmt.Errorf("%w: sqs:sendMessage to %s: %v", integrations.ErrTryAgain, name, qe)
	case errors.As(err, &qe):
		return nil, sqsFailure(qe, requestID)
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: sqs:sendMessage to %s: %v", integrations.ErrTryAgain, name, err)
	}
	return sendOutput(r, requestID, t.now()), nil
}

// SendWithTrace sends one message (SendMessage) carrying the W3C trace
// context traceparent ("" for none): the AWSTraceHeader system attribute
// in X-Ray's format, and the traceparent message attribute when it fits
// (addTrace; a queue whose MaximumMessageSize leaves no room for it gets
// the message without it, found by a second send). The sqs:sendMessage
// task and the gateway's routes to queues send so.
func (s *Service) SendWithTrace(ctx context.Context, name string, in SendInput, traceparent string) (SendResult, error) {
	plain := in
	added := addTrace(&in, traceparent)
	r, err := s.sendOne(ctx, name, in)
	var qe *Error
	if added && errors.As(err, &qe) && strings.Contains(qe.Message, "Message must be shorter") {
		plain.SystemAttributes = in.SystemAttributes
		r, err = s.sendOne(ctx, name, plain)
	}
	return r, err
}

// sendOne sends one message: its error, or its result.
func (s *Service) sendOne(ctx context.Context, name string, in SendInput) (SendResult, error) {
	res, err := s.Send(ctx, name, []SendInput{in})
	switch {
	case err != nil:
		return SendResult{}, err
	case len(res) != 1:
		return SendResult{}, fmt.Errorf("queue %s: %d results for one message", name, len(res))
	case res[0].Err != nil:
		return SendResult{}, res[0].Err
	}
	return res[0], nil
}

// sendOutput renders a sent message as Step Functions' task result: SQS's
// SendMessage answer, and the SDK's metadata of the HTTP exchange, whose
// Content-Length is that of the answer's JSON as SQS would send it (106
// bytes for a message without attributes, as AWS's recordings show).
func sendOutput(r SendResult, requestID string, now time.Time) map[string]any {
	answer := map[string]any{"MD5OfMessageBody": r.MD5OfBody, "MessageId": r.MessageID}
	if r.MD5OfAttributes != "" {
		answer["MD5OfMessageAttributes"] = r.MD5OfAttributes
	}
	if r.MD5OfSystemAttributes != "" {
		answer["MD5OfMessageSystemAttributes"] = r.MD5OfSystemAttributes
	}
	if r.SequenceNumber != "" {
		answer["SequenceNumber"] = r.SequenceNumber
	}
	length := strconv.Itoa(len(asl.EncodeJSON(answer)))
	date := now.UTC().Format(http.TimeFormat)
	const contentType = "application/x-amz-json-1.0"
	out := make(map[string]any, len(answer)+2)
	for k, v := range answer {
		out[k] = v
	}
	out["SdkHttpMetadata"] = map[string]any{
		"AllHttpHeaders": map[string]any{
			"Content-Length": []any{length}, "Content-Type": []any{contentType}, "Date": []any{date},
			"connection": []any{"keep-alive"}, "x-amzn-RequestId": []any{requestID},
		},
		"HttpHeaders": map[string]any{
			"Content-Length": length, "Content-Type": contentType, "Date": date,
			"connection": "keep-alive", "x-amzn-RequestId": requestID,
		},
		"HttpStatusCode": int64(http.StatusOK),
	}
	out["SdkResponseMetadata"] = map[string]any{"RequestId": requestID}
	return out
}

// queryCodes are the query protocol's spellings of the codes whose JSON
// spelling differs: the Java SDK behind Step Functions reports those.
var queryCodes = map[string]string{
	"QueueDoesNotExist":    "AWS.SimpleQueueService.NonExistentQueue",
	"UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
	"InvalidBatchEntryId":  "AWS.SimpleQueueService.InvalidBatchEntryId",
	"QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
}

// sqsFailure is an SQS error as a sqs:sendMessage task reports it:
// ErrSQS, and the cause in the Java SDK's words, e.g. "The request must
// contain the parameter MessageBody. (Service: AmazonSQS; Status Code:
// 400; Error Code: MissingParameter; Request ID: ...; Proxy: null)".
func sqsFailure(e *Error, requestID string) *integrations.Error {
	status := http.StatusBadRequest
	if e.Server {
		status = http.StatusInternalServerError
	}
	code := e.Code
	if q, ok := queryCodes[code]; ok {
		code = q
	}
	return &integrations.Error{Name: ErrSQS, Cause: fmt.Sprintf("%s (Service: AmazonSQS; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, status, code, requestID)}
}

// sendParams are the parameters a sqs:sendMessage task takes.
var sendParams = []string{"DelaySeconds", "MessageAttributes", "MessageBody", "MessageDeduplicationId", "MessageGroupId", "QueueUrl"}

// paramError is a task whose parameters Step Functions cannot turn into a
// request, in AWS's words.
func paramError(params any, format string, args ...any) *integrations.Error {
	return integrations.ParamError(params, format, args...)
}

// missing is SQS's answer to a request without a required parameter.
func missing(name string) *Error {
	return &Error{Code: "MissingParameter", Message: "The request must contain the parameter " + name + "."}
}

// parseSend reads a sqs:sendMessage task's parameters into the queue's
// name and the message.
func parseSend(params any) (string, *SendInput, error) {
	p, ok := params.(map[string]any)
	if !ok {
		return "", nil, paramError(params, "The parameters must be an object with QueueUrl and MessageBody, not %s", jsontext.KindPhrase(params))
	}
	for k := range p {
		if !slices.Contains(sendParams, k) {
			return "", nil, paramError(params, "The field '%s' is not supported by Step Functions (sqs:sendMessage takes %s)", k, strings.Join(sendParams, ", "))
		}
	}
	str := func(field string) (string, error) {
		v, ok := p[field]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", paramError(params, "The value for the field '%s' must be a STRING", field)
		}
		return s, nil
	}
	in := &SendInput{}
	var err error
	var queueURL string
	if queueURL, err = str("QueueUrl"); err != nil {
		return "", nil, err
	}
	if in.GroupID, err = str("MessageGroupId"); err != nil {
		return "", nil, err
	}
	if in.DedupID, err = str("MessageDeduplicationId"); err != nil {
		return "", nil, err
	}
	switch body := p["MessageBody"].(type) {
	case nil:
		return "", nil, sqsFailure(missing("MessageBody"), newUUID())
	case string:
		in.Body = body
	default:
		in.Body = asl.EncodeJSON(body)
	}
	if v, ok := p["DelaySeconds"]; ok && v != nil {
		n, ok := wholeNumber(v)
		if !ok {
			return "", nil, paramError(params, "The value for the field 'DelaySeconds' must be an INTEGER")
		}
		in.DelaySeconds = &n
	}
	if v, ok := p["MessageAttributes"]; ok && v != nil {
		if in.Attributes, err = parseAttributes(params, v); err != nil {
			return "", nil, err
		}
	}
	if queueURL == "" {
		return "", nil, sqsFailure(missing("QueueUrl"), newUUID())
	}
	return QueueNameFromURL(queueURL), in, nil
}

// parseAttributes reads MessageAttributes (integrations.TaskAttributes).
func parseAttributes(params, v any) (map[string]MessageAttribute, error) {
	attrs, err := integrations.TaskAttributes(params, v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]MessageAttribute, len(attrs))
	for k, a := range attrs {
		out[k] = MessageAttribute(a)
	}
	return out, nil
}

// wholeNumber reads an integer of a JSON value (42, or 42.0).
func wholeNumber(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return int(x), true
		}
	case int:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= math.MaxInt32 {
			return int(x), true
		}
	case json.Number:
		if n, err := x.Int64(); err == nil && n >= math.MinInt32 && n <= math.MaxInt32 {
			return int(n), true
		}
	}
	return 0, false
}

// QueueNameFromURL returns the queue a queue URL names: its last path
// segment, whatever the host (https://sqs.us-east-1.amazonaws.com/
// 123456789012/orders, http://localhost:8080/123456789012/orders); a value
// that is not a URL is taken as a path.
func QueueNameFromURL(queueURL string) string {
	path := queueURL
	if u, err := url.Parse(queueURL); err == nil && u.Scheme != "" {
		path = u.Path
	}
	path = strings.TrimRight(path, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[i+1:]
	}
	if s, err := url.PathUnescape(path); err == nil {
		path = s
	}
	return path
}
