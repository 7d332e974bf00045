package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// The Runtime API's headers.
const (
	hdrRequestID     = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline      = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID       = "Lambda-Runtime-Trace-Id"
	hdrClientContext = "Lambda-Runtime-Client-Context"
	hdrErrorType     = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody     = "Lambda-Runtime-Function-Error-Body" // a trailer, base64
)

// routes is the Runtime API (2018-06-01) of one sandbox.
func (sb *sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", sb.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", sb.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", sb.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", sb.initError)
	mux.HandleFunc("/2020-01-01/extension/", notSupported("the Extensions API"))
	mux.HandleFunc("/2020-08-15/logs", notSupported("the Logs API"))
	mux.HandleFunc("/2022-07-01/telemetry", notSupported("the Telemetry API"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{ErrorMessage: "no such Runtime API resource: " + r.Method + " " + cleanText(r.URL.Path, 256), ErrorType: "InvalidRequest"})
	})
	return mux
}

// notSupported answers an API Signalbox does not serve.
func notSupported(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{ErrorMessage: what + " is not supported by Signalbox", ErrorType: "NotSupported"})
	}
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// accepted is the answer to a response or error the API took.
func accepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"OK"})
}

// invalidRequestID answers a response or error for an invocation the
// sandbox is not running (an unknown id, or one answered or timed out).
func invalidRequestID(w http.ResponseWriter) {
	writeJSON(w, http.StatusBadRequest, apiError{ErrorMessage: "Invalid request ID", ErrorType: "InvalidRequestID"})
}

// invalidState answers a call the runtime's state does not allow.
func invalidState(w http.ResponseWriter, from, to string) {
	writeJSON(w, http.StatusForbidden, apiError{ErrorMessage: fmt.Sprintf("State transition from %s to %s failed for runtime.", from, to), ErrorType: "InvalidStateTransition"})
}

// next is GET /runtime/invocation/next: it waits for an invocation and
// answers its event, with the invocation's headers. The first call ends
// the sandbox's init.
func (sb *sandbox) next(w http.ResponseWriter, r *http.Request) {
	sb.mu.Lock()
	if sb.cur != nil {
		sb.mu.Unlock()
		invalidState(w, "Invoke", "InvocationNext")
		return
	}
	sb.ready = true
	if sb.initTimer != nil {
		sb.initTimer.Stop()
	}
	sb.mu.Unlock()
	var c *call
	select {
	case c = <-sb.work:
	case <-sb.stopping:
		writeJSON(w, http.StatusInternalServerError, apiError{ErrorMessage: "the sandbox is stopping", ErrorType: "InternalServerError"})
		return
	case <-r.Context().Done():
		return
	}
	deadline := c.deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(c.timeout)
	}
	sb.mu.Lock()
	sb.cur = c
	c.timer = time.AfterFunc(time.Until(deadline), func() { sb.timedOut(c) })
	sb.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(hdrRequestID, c.id)
	h.Set(hdrDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(hdrFunctionARN, c.arn)
	h.Set(hdrTraceID, c.xray)
	if c.clientContext != "" {
		h.Set(hdrClientContext, c.clientContext)
	}
	if c.traceParent != "" {
		h.Set("traceparent", c.traceParent)
		if c.traceState != "" {
			h.Set("tracestate", c.traceState)
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(c.event)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.event)
}

// current is the invocation the request names, when it is the one the
// sandbox runs.
func (sb *sandbox) current(r *http.Request) *call {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.cur == nil || sb.cur.id != r.PathValue("id") {
		return nil
	}
	return sb.cur
}

// errTooLarge is a body over MaxResponseSize.
var errTooLarge = errors.New("too large")

// readBody reads a runtime's body, at most MaxResponseSize bytes:
// errTooLarge when it is longer, another error when it broke off.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxResponseSize {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseSize+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxResponseSize {
		return nil, errTooLarge
	}
	return body, nil
}

// badBody answers a body that could not be read: too large (the
// invocation, when there is one, fails with Function.ResponseSizeTooLarge
// and the runtime is answered 413, as Lambda does), or broken off
// (answered 400; the invocation goes on, to its deadline or the
// process's exit).
func (sb *sandbox) badBody(w http.ResponseWriter, c *call, err error) {
	if err != errTooLarge {
		writeJSON(w, http.StatusBadRequest, apiError{ErrorMessage: "HTTP request detected as truncated", ErrorType: "TruncatedHTTPRequest"})
		return
	}
	if c != nil {
		sb.settle(c, tooLargeDoc(), true)
	}
	writeJSON(w, http.StatusRequestEntityTooLarge, apiError{ErrorMessage: fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponseSize), ErrorType: "RequestEntityTooLarge"})
}

// invocationBody is the invocation a POST /runtime/invocation/{id}/...
// names and the body posted for it; nil, answered, when {id} is not the
// current invocation or the body is bad.
func (sb *sandbox) invocationBody(w http.ResponseWriter, r *http.Request) (*call, []byte) {
	c := sb.current(r)
	if c == nil {
		invalidRequestID(w)
		return nil, nil
	}
	body, err := readBody(r)
	if err != nil {
		sb.badBody(w, c, err)
		return nil, nil
	}
	return c, body
}

// response is POST /runtime/invocation/{id}/response: the invocation's
// result. A response whose body failed midway (aws-lambda-go reports it
// in the Lambda-Runtime-Function-Error-Type and -Body trailers) is an
// error.
func (sb *sandbox) response(w http.ResponseWriter, r *http.Request) {
	c, body := sb.invocationBody(w, r)
	if c == nil {
		return
	}
	payload, fnErr := body, false
	if t := r.Trailer.Get(hdrErrorType); t != "" {
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
		payload, fnErr = errorDocument(t, doc), true
	}
	if !sb.claim(c) {
		invalidRequestID(w)
		return
	}
	// Answered first, so the runtime asks for its next invocation while
	// the caller takes this one's result.
	accepted(w)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	c.settle(payload, fnErr, nil)
}

// invocationError is POST /runtime/invocation/{id}/error: the
// invocation failed; the body is its error document.
func (sb *sandbox) invocationError(w http.ResponseWriter, r *http.Request) {
	c, body := sb.invocationBody(w, r)
	if c == nil {
		return
	}
	if !sb.settle(c, errorDocument(r.Header.Get(hdrErrorType), body), true) {
		invalidRequestID(w)
		return
	}
	accepted(w)
}

// initError is POST /runtime/init/error: init failed; the error answers
// the invocation waiting for this sandbox, and the sandbox stops.
func (sb *sandbox) initError(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		sb.badBody(w, nil, err)
		return
	}
	sb.mu.Lock()
	if sb.ready {
		sb.mu.Unlock()
		invalidState(w, "Ready", "InitError")
		return
	}
	if sb.initErr == nil {
		sb.initErr = errorDocument(r.Header.Get(hdrErrorType), body)
	}
	sb.mu.Unlock()
	accepted(w)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	sb.kill()
}
