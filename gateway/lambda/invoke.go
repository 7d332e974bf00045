package lambda

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
)

// Invoke: POST /2015-03-31/functions/{FunctionName}/invocations?Qualifier=,
// the event as the body; X-Amz-Invocation-Type RequestResponse (the
// default: the answer is the result, 200, with X-Amz-Executed-Version
// and, when the function failed, X-Amz-Function-Error), Event (202 at
// once; the invocation runs in the background) or DryRun (204: the
// function exists). X-Amz-Log-Type Tail is accepted, and no
// X-Amz-Log-Result comes back: Signalbox keeps no CloudWatch log of the
// invocation (the function's output goes to the server's log).
func invoke(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (*reply, error) {
	typ := r.Header.Get("X-Amz-Invocation-Type")
	switch typ {
	case "":
		typ = "RequestResponse"
	case "RequestResponse", "Event", "DryRun":
	default:
		return nil, &function.APIError{Code: function.CodeValidation, Status: http.StatusBadRequest,
			Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", clip(typ))}
	}
	if lt := r.Header.Get("X-Amz-Log-Type"); lt != "" && lt != "None" && lt != "Tail" {
		return nil, &function.APIError{Code: function.CodeValidation, Status: http.StatusBadRequest,
			Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", clip(lt))}
	}
	cc := r.Header.Get("X-Amz-Client-Context")
	if cc != "" {
		dec, err := base64.StdEncoding.DecodeString(cc)
		switch {
		case err != nil || !json.Valid(dec):
			return nil, invalidContent("Client context must be a valid Base64-encoded JSON object.")
		case len(dec) > maxClientContext:
			return nil, invalidContent(fmt.Sprintf("Client context must be at most %d bytes (decoded).", maxClientContext))
		}
	}
	if typ == "Event" && len(body) > maxAsyncPayload {
		return nil, &function.APIError{Code: function.CodeRequestTooLarge, Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxAsyncPayload)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	} else if !json.Valid(body) {
		return nil, invalidContent("Could not parse request body into json: the payload is not JSON")
	}
	fn, err := s.opts.Functions.Resolve(ctx, path["FunctionName"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return nil, err
	}
	if typ == "DryRun" {
		return &reply{status: http.StatusNoContent}, nil
	}
	if s.opts.Invoker == nil {
		return nil, &function.APIError{Code: function.CodeService, Status: http.StatusInternalServerError,
			Message: "This server has no function invoker configured: it serves the Lambda API's management operations only"}
	}
	inv := &function.Invocation{Payload: body, RequestID: integrations.NewUUID(), ClientContext: cc,
		TraceParent: r.Header.Get("traceparent"), TraceState: r.Header.Get("tracestate")}
	headers := map[string]string{"X-Amzn-RequestId": inv.RequestID}
	if typ == "Event" {
		if err := s.enqueue(fn, inv); err != nil {
			return nil, err
		}
		return &reply{status: http.StatusAccepted, raw: []byte{}, headers: headers}, nil
	}
	res, err := s.opts.Invoker.Invoke(ctx, fn, inv)
	if err != nil {
		return nil, err
	}
	headers["X-Amz-Executed-Version"] = cmpOr(res.ExecutedVersion, fn.Version)
	if res.FunctionError != "" {
		headers["X-Amz-Function-Error"] = res.FunctionError
	}
	payload := res.Payload
	if payload == nil {
		payload = []byte("null")
	}
	return &reply{status: http.StatusOK, raw: payload, headers: headers}, nil
}

// enqueue runs an Event invocation in the background: through
// Options.Async, or a goroutine of its own (at most MaxAsyncRunning).
// Its failure goes to the log: Lambda's retries and destinations of
// asynchronous invocations are not implemented.
func (s *API) enqueue(fn *function.Config, inv *function.Invocation) error {
	done := func(res *function.Result, err error) {
		switch {
		case err != nil:
			s.opts.Logger.Warn("lambda: an Event invocation failed", "function", fn.ARN, "version", fn.Version, "requestId", inv.RequestID, "err", err)
		case res != nil && res.FunctionError != "":
			s.opts.Logger.Warn("lambda: an Event invocation's function failed", "function", fn.ARN, "version", fn.Version,
				"requestId", inv.RequestID, "error", clip(string(res.Payload)))
		}
	}
	if s.opts.Async != nil {
		return s.opts.Async.Enqueue(fn, inv, done)
	}
	select {
	case s.running <- struct{}{}:
	default:
		return &function.APIError{Code: function.CodeTooManyRequests, Status: http.StatusTooManyRequests,
			Message: fmt.Sprintf("Rate Exceeded: %d Event invocations are running", MaxAsyncRunning)}
	}
	go func() {
		defer func() { <-s.running }()
		res, err := s.opts.Invoker.Invoke(context.Background(), fn, inv)
		done(res, err)
	}()
	return nil
}

// invocationError is the API's answer to a failure to run a function: an
// error named "Lambda.<Code>" is that code, with Lambda's status for it;
// another (Sandbox.Timedout when the invoker gives it as an error) is a
// ServiceException.
func invocationError(e *function.Error) (code string, status int, msg string) {
	code, ok := strings.CutPrefix(e.Name, "Lambda.")
	if !ok || code == "" {
		return function.CodeService, http.StatusInternalServerError, e.Name + ": " + e.Cause
	}
	status, known := invokeStatus[code]
	if !known {
		status = http.StatusInternalServerError
	}
	return code, status, e.Cause
}

// invokeStatus are the statuses of Invoke's errors (the API reference).
var invokeStatus = map[string]int{
	"ServiceException":               http.StatusInternalServerError,
	"TooManyRequestsException":       http.StatusTooManyRequests,
	"ResourceNotFoundException":      http.StatusNotFound,
	"RequestTooLargeException":       http.StatusRequestEntityTooLarge,
	"InvalidRuntimeException":        http.StatusBadGateway,
	"InvalidRequestContentException": http.StatusBadRequest,
	"InvalidParameterValueException": http.StatusBadRequest,
	"ResourceConflictException":      http.StatusConflict,
	"ResourceNotReadyException":      http.StatusBadGateway,
	"UnsupportedMediaTypeException":  http.StatusUnsupportedMediaType,
	"InvalidZipFileException":        http.StatusBadGateway,
	"EC2ThrottledException":          http.StatusBadGateway,
}

func invalidContent(msg string) error {
	return &function.APIError{Code: function.CodeInvalidRequest, Status: http.StatusBadRequest, Message: msg}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
