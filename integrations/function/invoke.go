package function

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// Lambda's limits that the invokers hold to.
const (
	// DefaultTimeout is a function's Timeout when its Config has none;
	// MaxTimeout the longest one, as Lambda's.
	DefaultTimeout = 3 * time.Second
	MaxTimeout     = 900 * time.Second
	// MaxSyncPayload is the largest event of a synchronous invocation
	// and the largest result (Lambda's 6 MB, 6,291,456 bytes, for the
	// request; its answers allow 6,291,556).
	MaxSyncPayload  = 6 << 20
	MaxSyncResponse = 6<<20 + 100
	// MaxAsyncPayload is the largest event of an asynchronous (Event)
	// invocation: Lambda's 256 KB.
	MaxAsyncPayload = 256 << 10
	// MaxClientContext is the longest ClientContext, base64 (Lambda's
	// 3,583 bytes).
	MaxClientContext = 3583
)

// The HTTP headers of the protocol between Signalbox and an HTTP function
// (Config.Endpoint). The request is a POST of the event (Content-Type:
// application/json) with the Runtime API's headers for the invocation,
// named as the Runtime API names them, and the W3C trace context
// (traceparent, tracestate). The answer:
//
//   - 2xx: the body is the function's result (an empty body is null), at
//     most MaxSyncResponse bytes (a longer one is the function error
//     Function.ResponseSizeTooLarge, as Lambda answers it);
//   - 2xx with the header X-Amz-Function-Error (any value): the function
//     failed, the body is its error document, {"errorType",
//     "errorMessage", "stackTrace"} (as a Runtime API's /error);
//   - any other status with a JSON object that has "errorType" or
//     "errorMessage" for body: the function failed, likewise;
//   - 429 otherwise: Lambda.TooManyRequestsException (the function sheds
//     load); any other status, a redirect included, or no answer (refused
//     connection, reset, a body that cannot be read):
//     Lambda.ServiceException.
//
// An answer that does not come within the function's Timeout is the
// function error Sandbox.Timedout, as Lambda reports a timeout today
// (FunctionError "Unhandled", {"errorType":"Sandbox.Timedout",
// "errorMessage":"RequestId: <id> Error: Task timed out after 3.00
// seconds"}).
const (
	HeaderRequestID     = "Lambda-Runtime-Aws-Request-Id"
	HeaderFunctionARN   = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderDeadlineMs    = "Lambda-Runtime-Deadline-Ms"
	HeaderClientContext = "Lambda-Runtime-Client-Context" // the ClientContext, decoded (JSON)
	HeaderFunctionError = "X-Amz-Function-Error"
)

// FunctionErrorUnhandled is Result.FunctionError of a failed function, as
// Lambda answers it.
const FunctionErrorUnhandled = "Unhandled"

// Timeout is fn's Timeout, DefaultTimeout when it has none and MaxTimeout
// at most.
func Timeout(fn *Config) time.Duration {
	t := cmp.Or(fn.Timeout, DefaultTimeout)
	return min(t, MaxTimeout)
}

// TimedOut is the result of an invocation whose function did not finish
// within timeout, as Lambda answers it: a function error whose errorType
// is Sandbox.Timedout. The Runtime API's pool answers a timeout so too.
func TimedOut(inv *Invocation, timeout time.Duration) *Result {
	msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.RequestID, timeout.Seconds())
	return &Result{Payload: errorDocument(ErrSandboxTimedOut, msg), FunctionError: FunctionErrorUnhandled, StatusCode: http.StatusOK}
}

// errorDocument is a function error's payload: {"errorMessage","errorType"}.
func errorDocument(errType, msg string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, errType})
	return b
}

// HTTPInvoker invokes HTTP functions (Config.Endpoint): it POSTs the event
// and takes the answer as the result (see HeaderRequestID for the
// protocol). Its client keeps connections to each endpoint for reuse, at
// most MaxConnsPerHost at once.
type HTTPInvoker struct {
	client *http.Client
}

// HTTPOptions are an HTTPInvoker's settings; the zero value is usable.
type HTTPOptions struct {
	// MaxConnsPerHost bounds the connections open to one endpoint (256
	// when 0): invocations beyond them wait for one, within their
	// Timeout.
	MaxConnsPerHost int
	// Transport, when set, replaces the invoker's own (tests).
	Transport http.RoundTripper
}

// NewHTTPInvoker returns an HTTPInvoker with its own connection pool.
func NewHTTPInvoker(o HTTPOptions) *HTTPInvoker {
	rt := o.Transport
	if rt == nil {
		conns := cmp.Or(o.MaxConnsPerHost, 256)
		rt = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:          4 * conns,
			MaxIdleConnsPerHost:   conns,
			MaxConnsPerHost:       conns,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
			DisableCompression:    true,
		}
	}
	return &HTTPInvoker{client: &http.Client{
		// no Timeout of the client's own (a timer per call): every call
		// is bounded by its function's deadline, on its context
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// CloseIdleConnections closes the connections kept for reuse.
func (h *HTTPInvoker) CloseIdleConnections() { h.client.CloseIdleConnections() }

// Invoke POSTs inv's event to fn's Endpoint and returns the answer; a
// Deadline of zero is set from fn's Timeout. When ctx ends first, its error
// is returned (the caller's deadline, not the function's).
func (h *HTTPInvoker) Invoke(ctx context.Context, fn *Config, inv *Invocation) (*Result, error) {
	if fn.Endpoint == "" {
		return nil, &Error{Name: ErrInvalidRuntime, Cause: fmt.Sprintf("The function %s has no HTTP endpoint.", fn.Name)}
	}
	if len(inv.Payload) > MaxSyncPayload {
		return nil, &Error{Name: ErrRequestTooLarge, Cause: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxSyncPayload)}
	}
	timeout := Timeout(fn)
	deadline := inv.Deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(timeout)
	}
	cctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	payload := inv.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, fn.Endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, serviceError("The function %s's endpoint %q cannot be called: %v", fn.Name, fn.Endpoint, err)
	}
	hd := req.Header
	hd.Set("Content-Type", "application/json")
	hd.Set(HeaderRequestID, inv.RequestID)
	hd.Set(HeaderFunctionARN, invokedARN(fn))
	hd.Set(HeaderDeadlineMs, strconv.FormatInt(deadline.UnixMilli(), 10))
	if cc := decodeClientContext(inv.ClientContext); cc != "" {
		hd.Set(HeaderClientContext, cc)
	}
	integrations.TraceContext{Parent: inv.TraceParent, State: inv.TraceState}.SetHeaders(hd)
	resp, err := h.client.Do(req)
	if err != nil {
		return h.failed(ctx, cctx, fn, inv, timeout, "could not be reached", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxSyncResponse+1))
	if err != nil {
		return h.failed(ctx, cctx, fn, inv, timeout, "broke off its answer", err)
	}
	version := cmp.Or(fn.Version, LatestVersion)
	if len(body) > MaxSyncResponse {
		return &Result{Payload: errorDocument("Function.ResponseSizeTooLarge", fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxSyncResponse)),
			FunctionError: FunctionErrorUnhandled, StatusCode: http.StatusOK, ExecutedVersion: version}, nil
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case ok && resp.Header.Get(HeaderFunctionError) == "":
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("null")
		}
		return &Result{Payload: body, StatusCode: http.StatusOK, ExecutedVersion: version}, nil
	case ok || isErrorDocument(body):
		return &Result{Payload: body, FunctionError: FunctionErrorUnhandled, StatusCode: http.StatusOK, ExecutedVersion: version}, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &Error{Name: ErrTooManyRequests, Cause: fmt.Sprintf("Rate Exceeded. (the function %s's endpoint answered 429)", fn.Name)}
	default:
		return nil, serviceError("The function %s's endpoint answered %s%s", fn.Name, resp.Status, clipBody(body))
	}
}

// failed is the outcome of a call that got no whole answer: the caller's
// context's error when it ended, the function's timeout when its deadline
// passed, else Lambda.ServiceException.
func (h *HTTPInvoker) failed(ctx, cctx context.Context, fn *Config, inv *Invocation, timeout time.Duration, what string, err error) (*Result, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) {
		res := TimedOut(inv, timeout)
		res.ExecutedVersion = cmp.Or(fn.Version, LatestVersion)
		return res, nil
	}
	return nil, serviceError("The function %s's endpoint %s: %v", fn.Name, what, err)
}

// isErrorDocument reports whether body is a JSON object with an errorType
// or errorMessage: a function's error document.
func isErrorDocument(body []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	_, t := doc["errorType"]
	_, m := doc["errorMessage"]
	return t || m
}

func clipBody(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	if len(b) > 256 {
		b = append(b[:256:256], "..."...)
	}
	return ": " + string(b)
}

// invokedARN is the ARN the function is invoked by: qualified by its
// version unless $LATEST.
func invokedARN(fn *Config) string {
	if fn.Version != "" && fn.Version != LatestVersion {
		return fn.ARN + ":" + fn.Version
	}
	return fn.ARN
}

// decodeClientContext is a ClientContext's JSON, "" when it has none or
// it is not base64.
func decodeClientContext(cc string) string {
	if cc == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(cc)
	if err != nil {
		return ""
	}
	return string(b)
}

// CheckClientContext checks a ClientContext as Lambda does: base64 of at
// most MaxClientContext bytes, of a JSON object.
func CheckClientContext(cc string) error {
	if cc == "" {
		return nil
	}
	if len(cc) > MaxClientContext {
		return &Error{Name: ErrInvalidParameter, Cause: fmt.Sprintf("Client context must be at most %d bytes, base64-encoded.", MaxClientContext)}
	}
	b, err := base64.StdEncoding.DecodeString(cc)
	var obj map[string]json.RawMessage
	if err != nil || json.Unmarshal(b, &obj) != nil {
		return &Error{Name: ErrInvalidContent, Cause: "Client context must be a valid Base64-encoded JSON object."}
	}
	return nil
}

// Dispatcher is the Invoker of every function: it hands an HTTP function
// (Endpoint) to HTTP and a Runtime API program (Executable) to Process,
// each invocation within its function's reserved concurrency.
type Dispatcher struct {
	// HTTP invokes HTTP functions; NewDispatcher gives an HTTPInvoker.
	HTTP Invoker
	// Process invokes Runtime API programs (runtimeapi); nil: such
	// functions fail with Lambda.InvalidRuntimeException, not supported.
	Process Invoker

	mu      sync.Mutex
	running map[string]int // invocations running, by function ARN
}

// NewDispatcher returns a Dispatcher invoking HTTP functions with a new
// HTTPInvoker and Runtime API programs with process (nil: none).
func NewDispatcher(process Invoker) *Dispatcher {
	return &Dispatcher{HTTP: NewHTTPInvoker(HTTPOptions{}), Process: process}
}

// Invoke runs inv on fn's invoker. Beyond fn's ReservedConcurrency
// invocations running at once (0: every one; -1: no bound of its own), it
// fails with Lambda.TooManyRequestsException, as Lambda throttles. The
// Deadline, when zero, is set from fn's Timeout; a result's ExecutedVersion
// is fn's Version when the invoker left it empty.
func (d *Dispatcher) Invoke(ctx context.Context, fn *Config, inv *Invocation) (*Result, error) {
	var h Invoker
	switch {
	case fn.Endpoint != "" && fn.Executable != "":
		return nil, &Error{Name: ErrInvalidRuntime, Cause: fmt.Sprintf("The function %s has both an endpoint and an executable; it must have one.", fn.Name)}
	case fn.Endpoint != "":
		h = d.HTTP
	case fn.Executable != "":
		h = d.Process
		if h == nil {
			return nil, &Error{Name: ErrInvalidRuntime, Cause: fmt.Sprintf("The function %s is a Runtime API program (%s), which this server does not run (no process pool configured).", fn.Name, fn.Executable)}
		}
	default:
		return nil, &Error{Name: ErrInvalidRuntime, Cause: fmt.Sprintf("The function %s has neither an HTTP endpoint nor an executable: it cannot be invoked.", fn.Name)}
	}
	release, err := d.acquire(fn)
	if err != nil {
		return nil, err
	}
	defer release()
	call := *inv
	if call.Deadline.IsZero() {
		call.Deadline = time.Now().Add(Timeout(fn))
	}
	res, err := h.Invoke(ctx, fn, &call)
	if res != nil && res.ExecutedVersion == "" {
		res.ExecutedVersion = cmp.Or(fn.Version, LatestVersion)
	}
	return res, err
}

// acquire takes one of fn's reserved concurrency, or fails as Lambda
// throttles.
func (d *Dispatcher) acquire(fn *Config) (func(), error) {
	limit := fn.ReservedConcurrency
	if limit < 0 {
		return func() {}, nil
	}
	key := cmp.Or(fn.ARN, fn.Name)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running[key] >= limit {
		return nil, &Error{Name: ErrTooManyRequests, Cause: "Rate Exceeded."}
	}
	if d.running == nil {
		d.running = map[string]int{}
	}
	d.running[key]++
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.running[key]--; d.running[key] == 0 {
			delete(d.running, key)
		}
	}, nil
}

// Running is the number of fn's invocations running now.
func (d *Dispatcher) Running(fn *Config) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running[cmp.Or(fn.ARN, fn.Name)]
}
