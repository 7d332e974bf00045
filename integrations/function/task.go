package function

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jsontext"
	"github.com/signalbox/signalbox/integrations"
)

// The Task resources of Step Functions' optimized Lambda integration:
// invoke a function and take Lambda's answer as the task's result, or
// invoke it and wait for a task token to come back (the runtime decides
// that from the suffix; the handler invokes in both cases). A bare
// function ARN ("arn:aws:lambda:<region>:<account>:function:<name>
// [:<qualifier>]") is the legacy form: the state's input is the event and
// the function's result is the task's.
const (
	ResourceInvoke      = "arn:aws:states:::lambda:invoke"
	ResourceInvokeToken = ResourceInvoke + ".waitForTaskToken"
)

// bareARNPatterns are the Mux patterns of the legacy form, one per
// partition.
var bareARNPatterns = []string{"arn:aws:lambda:*", "arn:aws-cn:lambda:*", "arn:aws-us-gov:lambda:*"}

// MaxCause is the longest cause of a task failure Step Functions keeps.
const MaxCause = 32768

// Tasks are the Task integrations of functions: lambda:invoke,
// lambda:invoke.waitForTaskToken and bare function ARNs, resolving names
// with a Resolver and invoking with an Invoker (a Dispatcher, in the
// binary). Event invocations run in the background on an Async.
type Tasks struct {
	r     Resolver
	inv   Invoker
	async *Async
	now   func() time.Time
}

// NewTasks returns the function integrations on r and inv, with an Async
// of Lambda's settings for Event invocations (Close stops it).
func NewTasks(r Resolver, inv Invoker) *Tasks {
	return &Tasks{r: r, inv: inv, async: NewAsync(inv, AsyncOptions{}), now: time.Now}
}

// SetAsync replaces the Async that runs Event invocations (the one
// NewTasks made is closed). Call before the first call.
func (t *Tasks) SetAsync(a *Async) {
	t.async.Close()
	t.async = a
}

// Async is the runner of Event invocations.
func (t *Tasks) Async() *Async { return t.async }

// Close stops the Event invocations running or waiting for a retry.
func (t *Tasks) Close() { t.async.Close() }

// Register registers t on m for lambda:invoke, its .waitForTaskToken and
// bare function ARNs.
func (t *Tasks) Register(m *integrations.Mux) {
	m.Handle(ResourceInvoke, t)
	m.Handle(ResourceInvokeToken, t)
	for _, p := range bareARNPatterns {
		m.Handle(p, t)
	}
}

// Invoke runs one Task call of a function.
func (t *Tasks) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	switch {
	case req.Resource == ResourceInvokeToken && req.TaskToken == "":
		return nil, &integrations.Error{Name: "States.Runtime", Cause: "lambda:invoke.waitForTaskToken waits for a task token, which Express executions do not have (as on AWS, they do not support .waitForTaskToken): the function was not invoked"}
	case req.Resource == ResourceInvoke || req.Resource == ResourceInvokeToken:
		return t.invoke(ctx, req)
	case strings.Contains(req.Resource, ":lambda:"):
		return t.legacy(ctx, req)
	}
	return nil, integrations.NoIntegration(req)
}

// invokeParams are lambda:invoke's Parameters.
type invokeParams struct {
	FunctionName, Qualifier, InvocationType, ClientContext, LogType string
	Payload                                                         any
}

var invokeFields = []string{"ClientContext", "FunctionName", "InvocationType", "LogType", "Payload", "Qualifier"}

func parseInvokeParams(params any) (*invokeParams, error) {
	m, ok := params.(map[string]any)
	if !ok {
		return nil, integrations.ParamError(params, "The parameters must be an object with FunctionName, not %s", jsontext.KindPhrase(params))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := &invokeParams{InvocationType: "RequestResponse"}
	for _, k := range keys {
		v := m[k]
		if k == "Payload" {
			p.Payload = v
			continue
		}
		if !slices.Contains(invokeFields, k) {
			return nil, integrations.ParamError(params, "The field '%s' is not supported by Step Functions (lambda:invoke takes %s)", k, strings.Join(invokeFields, ", "))
		}
		s, ok := v.(string)
		if !ok {
			return nil, integrations.ParamError(params, "The value for the field '%s' must be a STRING", k)
		}
		switch k {
		case "FunctionName":
			p.FunctionName = s
		case "Qualifier":
			p.Qualifier = s
		case "InvocationType":
			p.InvocationType = s
		case "ClientContext":
			p.ClientContext = s
		case "LogType":
			p.LogType = s
		}
	}
	if _, ok := m["FunctionName"]; !ok {
		return nil, integrations.ParamError(params, "The field 'FunctionName' is required")
	}
	return p, nil
}

// invoke is lambda:invoke (and its .waitForTaskToken): Lambda's Invoke
// answer is the result, the payload parsed.
func (t *Tasks) invoke(ctx context.Context, req *integrations.Request) (any, error) {
	p, err := parseInvokeParams(req.Parameters)
	if err != nil {
		return nil, err
	}
	reqID := RequestIDOf(req.IdempotencyKey)
	switch p.InvocationType {
	case "RequestResponse", "Event", "DryRun":
	default:
		return nil, t.apiFailure(validationError("invocationType", p.InvocationType, "Member must satisfy enum value set: [Event, RequestResponse, DryRun]"), reqID)
	}
	switch p.LogType {
	case "", "None", "Tail": // no logs to tail: LogResult is not given
	default:
		return nil, t.apiFailure(validationError("logType", p.LogType, "Member must satisfy enum value set: [None, Tail]"), reqID)
	}
	if err := CheckClientContext(p.ClientContext); err != nil {
		return nil, t.apiFailure(err.(*Error), reqID)
	}
	fn, err := t.resolve(ctx, req, p.FunctionName, p.Qualifier, reqID)
	if err != nil {
		return nil, err
	}
	payload, bad := eventOf(p.Payload)
	if bad != nil {
		return nil, t.apiFailure(bad, reqID)
	}
	inv := &Invocation{Payload: payload, RequestID: reqID, ClientContext: p.ClientContext, TraceParent: req.TraceParent, TraceState: req.TraceState}
	switch p.InvocationType {
	case "DryRun":
		return t.output(req, reqID, http.StatusNoContent, "", nil), nil
	case "Event":
		if err := t.async.Enqueue(fn, inv, nil); err != nil {
			return nil, t.failure(ctx, err, reqID)
		}
		return t.output(req, reqID, http.StatusAccepted, "", nil), nil
	}
	res, err := t.inv.Invoke(ctx, fn, inv)
	if err != nil {
		return nil, t.failure(ctx, err, reqID)
	}
	if res.FunctionError != "" {
		return nil, functionFailure(res)
	}
	return t.output(req, reqID, http.StatusOK, res.ExecutedVersion, res.Payload), nil
}

// eventOf is the event lambda:invoke's Payload gives, as Step Functions
// hands it to Lambda: none (or null) is {}; a string is the event's JSON
// text itself (so "\"HelloWorld\"" is the string HelloWorld, and "{}" an
// object), which Lambda refuses when it is not JSON; any other value is
// encoded.
func eventOf(payload any) ([]byte, *Error) {
	switch v := payload.(type) {
	case nil:
		return []byte("{}"), nil
	case string:
		if !json.Valid([]byte(v)) {
			return nil, &Error{Name: ErrInvalidContent, Cause: "Could not parse request body into json: the Payload string is not JSON text"}
		}
		return []byte(v), nil
	}
	return []byte(asl.EncodeJSON(payload)), nil
}

// legacy is a bare function ARN as Resource: the effective input is the
// event, the result is the function's, parsed.
func (t *Tasks) legacy(ctx context.Context, req *integrations.Request) (any, error) {
	reqID := RequestIDOf(req.IdempotencyKey)
	fn, err := t.resolve(ctx, req, req.Resource, "", reqID)
	if err != nil {
		return nil, err
	}
	inv := &Invocation{Payload: []byte(asl.EncodeJSON(req.Parameters)), RequestID: reqID, TraceParent: req.TraceParent, TraceState: req.TraceState}
	res, err := t.inv.Invoke(ctx, fn, inv)
	if err != nil {
		return nil, t.failure(ctx, err, reqID)
	}
	if res.FunctionError != "" {
		return nil, functionFailure(res)
	}
	return parsePayload(res.Payload), nil
}

// resolve finds the function of a call: not found is
// Lambda.ResourceNotFoundException naming the function's ARN (in the
// execution's region and account when the name has none); a resolver
// that cannot answer (its store) is asked again later.
func (t *Tasks) resolve(ctx context.Context, req *integrations.Request, name, qualifier, reqID string) (*Config, error) {
	fn, err := t.r.Resolve(ctx, name, qualifier)
	var fe *Error
	switch {
	case err == nil:
		return fn, nil
	case errors.As(err, &fe):
		return nil, t.apiFailure(fe, reqID)
	case errors.Is(err, ErrNotFound):
		return nil, t.apiFailure(&Error{Name: ErrResourceNotFound, Cause: "Function not found: " + qualifiedARN(req.ExecutionARN, name, qualifier)}, reqID)
	case ctx.Err() != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("%w: the function %s could not be looked up: %v", integrations.ErrTryAgain, name, err)
	}
}

// qualifiedARN is the ARN a FunctionName names, in the region and account
// of the execution when it gives none, qualified ($LATEST when it has no
// qualifier), as Lambda's "Function not found" names it.
func qualifiedARN(execARN, name, qualifier string) string {
	ref, err := ParseFunctionRef(name, qualifier)
	if err != nil {
		return name
	}
	region, account := "us-east-1", "123456789012"
	if p := strings.Split(execARN, ":"); len(p) >= 5 && p[3] != "" && p[4] != "" {
		region, account = p[3], p[4]
	}
	ref.Partition = cmpOr(ref.Partition, "aws")
	ref.Region = cmpOr(ref.Region, region)
	ref.Account = cmpOr(ref.Account, account)
	ref.Qualifier = cmpOr(ref.Qualifier, LatestVersion)
	return ref.String()
}

// failure is the Task failure of an invoker's error: the caller's context
// ended (the Task's TimeoutSeconds: States.Timeout, or the execution
// stopped) is returned as it is for the runtime to name; an *Error as
// Step Functions shows Lambda's; anything else Lambda.SdkClientException.
func (t *Tasks) failure(ctx context.Context, err error, reqID string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var fe *Error
	if errors.As(err, &fe) {
		if fe.Name == ErrSandboxTimedOut {
			return &integrations.Error{Name: fe.Name, Cause: string(errorDocument(fe.Name, fe.Cause))}
		}
		return t.apiFailure(fe, reqID)
	}
	return &integrations.Error{Name: ErrSdkClient, Cause: clipCause("Unable to execute HTTP request: " + err.Error())}
}

func (t *Tasks) apiFailure(fe *Error, reqID string) *integrations.Error {
	return &integrations.Error{Name: TaskErrorName(fe), Cause: clipCause(TaskCause(fe, reqID))}
}

// functionFailure is the Task failure of a function error: the error
// document's errorType names it and the document is the cause;
// Lambda.Unknown when it has none.
func functionFailure(res *Result) *integrations.Error {
	var doc struct {
		ErrorType any `json:"errorType"`
	}
	if json.Unmarshal(res.Payload, &doc) == nil {
		if s, ok := doc.ErrorType.(string); ok && s != "" {
			if len(s) > 256 {
				s = s[:256]
			}
			return &integrations.Error{Name: s, Cause: clipCause(string(res.Payload))}
		}
	}
	return &integrations.Error{Name: ErrUnknownFunctionFE, Cause: clipCause("The cause could not be determined because Lambda did not return an error type. Returned payload: " + string(res.Payload))}
}

func clipCause(s string) string {
	if len(s) <= MaxCause {
		return s
	}
	s = s[:MaxCause]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// parsePayload is a function's result as a value: its JSON parsed, or
// the text itself when it is not JSON.
func parsePayload(b []byte) any {
	if v, err := asl.DecodeJSON(b); err == nil {
		return v
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// output is lambda:invoke's result as Step Functions gives it: Lambda's
// Invoke answer (StatusCode, ExecutedVersion, the payload parsed) with
// the AWS SDK for Java's metadata (SdkHttpMetadata, SdkResponseMetadata).
// The request id is the invocation's; the trace id is the execution's
// trace (X-Ray form) or one derived from the request id; the date is the
// call's.
func (t *Tasks) output(req *integrations.Request, reqID string, status int, version string, payload []byte) map[string]any {
	headers := map[string]string{
		"Connection":                     "keep-alive",
		"Content-Length":                 strconv.Itoa(len(payload)),
		"Content-Type":                   "application/json",
		"Date":                           t.now().UTC().Format(http.TimeFormat),
		"x-amzn-Remapped-Content-Length": "0",
		"x-amzn-RequestId":               reqID,
		"X-Amzn-Trace-Id":                xrayTraceID(req.TraceParent, reqID),
	}
	if version != "" {
		headers["X-Amz-Executed-Version"] = version
	}
	all, single := map[string]any{}, map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
		single[k] = v
	}
	out := map[string]any{
		"SdkHttpMetadata":     map[string]any{"AllHttpHeaders": all, "HttpHeaders": single, "HttpStatusCode": int64(status)},
		"SdkResponseMetadata": map[string]any{"RequestId": reqID},
		"StatusCode":          int64(status),
	}
	if status == http.StatusOK {
		out["ExecutedVersion"] = version
		out["Payload"] = parsePayload(payload)
	} else {
		out["Payload"] = ""
	}
	return out
}

// RequestIDOf is the request id of the invocation a Task call makes: a
// UUID derived from the call's idempotency key, so that a redelivered call
// invokes with the same id; a random one when there is no key.
func RequestIDOf(key string) string {
	if key == "" {
		return integrations.NewUUID()
	}
	sum := sha256.Sum256([]byte(key))
	return intrinsic.UUIDv4(binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16]))
}

// xrayTraceID is an X-Amzn-Trace-Id: the W3C traceparent's trace in X-Ray
// form when there is one, else a trace id derived from the request id,
// not sampled.
func xrayTraceID(traceparent, reqID string) string {
	p := strings.Split(traceparent, "-")
	if len(p) == 4 && len(p[1]) == 32 && len(p[2]) == 16 && len(p[3]) == 2 {
		sampled := "0"
		if f, err := strconv.ParseUint(p[3], 16, 8); err == nil && f&1 == 1 {
			sampled = "1"
		}
		return "Root=1-" + p[1][:8] + "-" + p[1][8:] + ";Parent=" + p[2] + ";Sampled=" + sampled
	}
	sum := sha256.Sum256([]byte(reqID))
	h := hex.EncodeToString(sum[:16])
	return "Root=1-" + h[:8] + "-" + h[8:] + ";Sampled=0"
}
