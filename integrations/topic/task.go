package topic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/jsontext"
	"github.com/signalbox/signalbox/integrations"
)

// The Task resources of Step Functions' optimized SNS integration: publish
// a message and take SNS's answer as the task's result (request-response),
// or publish it and wait for a task token to come back (the runtime
// decides that from the resource's suffix; the handler publishes in both
// cases).
const (
	ResourcePublish      = "arn:aws:states:::sns:publish"
	ResourcePublishToken = ResourcePublish + ".waitForTaskToken"
)

// ErrSNSUnmodeled is the error name of an SNS error the Java SDK behind
// Step Functions' optimized integration models no exception for (a
// Publish without Message: SNS's ValidationError); the modeled ones are
// named after their exception class, "SNS.NotFoundException",
// "SNS.InvalidParameterException", ... (snsErrorName).
const ErrSNSUnmodeled = "SNS.AmazonSNSException"

// modeledCodes are the SNS error codes the Java SDK has an exception
// class for, and the class when it is not the code with "Exception"
// appended.
var modeledCodes = map[string]string{
	"AuthorizationError":           "",
	"InternalError":                "",
	"InvalidParameter":             "",
	"ParameterValueInvalid":        "InvalidParameterValueException",
	"NotFound":                     "",
	"ResourceNotFound":             "",
	"EndpointDisabled":             "",
	"PlatformApplicationDisabled":  "",
	"Throttled":                    "",
	"KMSDisabled":                  "",
	"KMSInvalidState":              "",
	"KMSNotFound":                  "",
	"KMSOptInRequired":             "",
	"KMSThrottling":                "",
	"KMSAccessDenied":              "",
	"InvalidSecurity":              "",
	"ValidationException":          "ValidationException",
	"TopicLimitExceeded":           "",
	"SubscriptionLimitExceeded":    "",
	"TagLimitExceeded":             "",
	"EmptyBatchRequest":            "",
	"TooManyEntriesInBatchRequest": "",
	"BatchRequestTooLong":          "",
	"BatchEntryIdsNotDistinct":     "",
	"InvalidBatchEntryId":          "",
}

// snsErrorName is the error name a sns:publish task reports for an SNS
// error code, as Step Functions names it: "SNS." and the Java SDK's
// exception class (NotFound → SNS.NotFoundException), ErrSNSUnmodeled for
// a code it has no class for.
func snsErrorName(code string) string {
	class, ok := modeledCodes[code]
	switch {
	case !ok:
		return ErrSNSUnmodeled
	case class != "":
		return "SNS." + class
	}
	return "SNS." + code + "Exception"
}

// Task is the sns:publish Task integration on a Service: see Invoke.
type Task struct {
	svc *Service
}

// NewTask returns the sns:publish integration of svc; register it for
// both ResourcePublish and ResourcePublishToken.
func NewTask(svc *Service) *Task { return &Task{svc: svc} }

// Invoke publishes the message the Task's parameters describe (TopicArn
// or TargetArn, Message, Subject, MessageStructure, MessageAttributes,
// MessageGroupId, MessageDeduplicationId, as Step Functions takes them)
// and returns SNS's answer as Step Functions shows it: MessageId,
// SequenceNumber (FIFO topics), and the SDK's SdkHttpMetadata and
// SdkResponseMetadata.
//
// A Message that is not a string is published as its JSON text, as Step
// Functions does. PhoneNumber (an SMS) is refused as not supported. The
// execution's trace context (Request.TraceParent, TraceState, Baggage)
// goes with the message to every delivery: a queue's message carries it
// as the AWSTraceHeader system attribute and a traceparent attribute, an
// execution started by the states protocol joins the trace.
//
// Failures: .waitForTaskToken in an execution without a task token (an
// Express one) is States.Runtime, and publishes nothing; parameters of the
// wrong type are States.Runtime (Step Functions cannot build the
// request); SNS's refusals (no such topic, an empty message, a FIFO
// message without a group, ...) are named as Step Functions names them
// (snsErrorName: SNS.NotFoundException, SNS.InvalidParameterException)
// with AWS's cause, which Retry and Catch match; a store that cannot be
// reached asks the runtime to call again (integrations.ErrTryAgain). A
// call is made at least once per attempt: a worker that dies between the
// publish and its commit publishes again (on a FIFO topic, a
// MessageDeduplicationId, or content-based deduplication, makes the
// second publish a no-op).
func (t *Task) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	if req.Resource == ResourcePublishToken && req.TaskToken == "" {
		// an Express (in-memory) execution: no token could come back, and
		// a message without one would be published for nothing
		return nil, &integrations.Error{Name: "States.Runtime", Cause: "sns:publish.waitForTaskToken waits for a task token, which Express executions do not have (as on AWS, they do not support .waitForTaskToken): nothing was published"}
	}
	in, err := parsePublish(req.Parameters)
	if err != nil {
		return nil, err
	}
	in.Trace = req.Trace()
	requestID := newUUID()
	r, err := t.svc.Publish(ctx, in)
	var se *Error
	switch {
	case errors.As(err, &se) && !se.Sender():
		// the topic router's only server errors are its store's
		return nil, fmt.Errorf("%w: sns:publish to %s: %v", integrations.ErrTryAgain, in.TopicARN, se)
	case errors.As(err, &se):
		return nil, snsFailure(se, requestID)
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: sns:publish to %s: %v", integrations.ErrTryAgain, in.TopicARN, err)
	}
	return publishOutput(r, requestID, t.svc.now()), nil
}

// publishOutput renders a published message as Step Functions' task
// result: SNS's Publish answer, and the SDK's metadata of the HTTP
// exchange, whose Content-Length is that of the XML answer SNS sends (294
// bytes, 352 with a sequence number, as AWS's recordings show).
func publishOutput(r *PublishResult, requestID string, now time.Time) map[string]any {
	seq := ""
	if r.SequenceNumber != "" {
		seq = "\n    <SequenceNumber>" + r.SequenceNumber + "</SequenceNumber>"
	}
	answer := `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">` +
		"\n  <PublishResult>\n    <MessageId>" + r.MessageID + "</MessageId>" + seq +
		"\n  </PublishResult>\n  <ResponseMetadata>\n    <RequestId>" + requestID +
		"</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n"
	length := strconv.Itoa(len(answer))
	date := now.UTC().Format(http.TimeFormat)
	const contentType = "text/xml"
	out := map[string]any{"MessageId": r.MessageID}
	if r.SequenceNumber != "" {
		out["SequenceNumber"] = r.SequenceNumber
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

// snsFailure is an SNS error as a sns:publish task reports it: its name
// (snsErrorName), and the cause in the Java SDK's words, e.g. "Topic does
// not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound;
// Request ID: ...; Proxy: null)".
func snsFailure(e *Error, requestID string) *integrations.Error {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	return &integrations.Error{Name: snsErrorName(e.Code), Cause: fmt.Sprintf("%s (Service: AmazonSNS; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, status, e.Code, requestID)}
}

// publishParams are the parameters a sns:publish task takes.
var publishParams = []string{"Message", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageStructure", "PhoneNumber", "Subject", "TargetArn", "TopicArn"}

// paramError is a task whose parameters Step Functions cannot turn into a
// request, in AWS's words.
func paramError(params any, format string, args ...any) *integrations.Error {
	return integrations.ParamError(params, format, args...)
}

// parsePublish reads a sns:publish task's parameters into the message to
// publish; what SNS itself refuses (an empty message, an attribute of an
// unknown type, ...) is left to Publish, except the checks it cannot
// make: a request without a topic or a message, or for an SMS.
func parsePublish(params any) (*PublishInput, error) {
	p, ok := params.(map[string]any)
	if !ok {
		return nil, paramError(params, "The parameters must be an object with TopicArn and Message, not %s", jsontext.KindPhrase(params))
	}
	for _, k := range sortedKeys(p) {
		if !slices.Contains(publishParams, k) {
			return nil, paramError(params, "The field '%s' is not supported by Step Functions (sns:publish takes %s)", k, strings.Join(publishParams, ", "))
		}
	}
	in := &PublishInput{}
	var topicARN, targetARN, phone string
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"MessageDeduplicationId", &in.DedupID}, {"MessageGroupId", &in.GroupID}, {"MessageStructure", &in.MessageStructure},
		{"PhoneNumber", &phone}, {"Subject", &in.Subject}, {"TargetArn", &targetARN}, {"TopicArn", &topicARN},
	} {
		v, ok := p[f.name]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, paramError(params, "The value for the field '%s' must be a STRING", f.name)
		}
		*f.dst = s
	}
	switch msg := p["Message"].(type) {
	case nil:
	case string:
		in.Message = msg
	default:
		in.Message = asl.EncodeJSON(msg)
	}
	if v, ok := p["MessageAttributes"]; ok && v != nil {
		attrs, err := parseAttributes(params, v)
		if err != nil {
			return nil, err
		}
		in.Attributes = attrs
	}
	if m, ok := p["Message"]; !ok || m == nil {
		// SNS's answer (its validation, before any other check) to a request without the required Message
		return nil, snsFailure(&Error{Code: "ValidationError", Status: http.StatusBadRequest,
			Message: "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null"}, newUUID())
	}
	switch {
	case phone != "":
		return nil, snsFailure(invalidf("PhoneNumber: publishing SMS messages is not supported by Signalbox (publish to a topic: TopicArn or TargetArn)"), newUUID())
	case topicARN == "" && targetARN == "":
		return nil, snsFailure(invalidf("TopicArn or TargetArn Reason: no value for required parameter"), newUUID())
	case topicARN != "" && targetARN != "" && topicARN != targetARN:
		return nil, snsFailure(invalidf("TopicArn or TargetArn Reason: only one of TopicArn and TargetArn may be given"), newUUID())
	case topicARN != "":
		in.TopicARN = topicARN
	default:
		in.TopicARN = targetARN
	}
	return in, nil
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
