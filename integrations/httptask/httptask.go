package httptask

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// Resource is the Task resource an HTTP Task names.
const Resource = "arn:aws:states:::http:invoke"

// IdempotencyHeader is the request header that carries the call's
// idempotency key.
const IdempotencyHeader = "X-Signalbox-Idempotency-Key"

// DefaultTimeout bounds one call, as AWS bounds an HTTP Task.
const DefaultTimeout = 60 * time.Second

// maxResponse is AWS's payload quota: a larger response cannot be a
// task's result.
const maxResponse = 256 * 1024

// Options configure a Handler.
type Options struct {
	// Client sends the requests. Default: a client on a clone of
	// http.DefaultTransport (30 s to connect, 10 s for a TLS handshake,
	// proxies from the environment) that keeps more idle connections per
	// host, and follows up to 10 redirects.
	Client *http.Client
	// Timeout bounds one call, response body included; default
	// DefaultTimeout. A call that takes longer fails with
	// States.Http.Socket.
	Timeout time.Duration
	// Connections, when set, resolves a task's Authentication.ConnectionArn
	// (EventBridge connections: the bus router); without it a task naming
	// one fails with Events.ConnectionResource.ResourceNotFound.
	Connections Connections
}

// Connections adds an EventBridge connection's credentials and invocation
// parameters to a request: its headers and query, and its body (returned,
// with the connection's body parameters merged when it is a JSON object).
// An error whose text names ResourceNotFoundException is a connection
// that does not exist; any other, one that cannot authorize now.
type Connections interface {
	Authorize(ctx context.Context, connectionARN string, h http.Header, q url.Values, body []byte) ([]byte, error)
}

// Handler runs HTTP Tasks: see the package documentation.
type Handler struct {
	client      *http.Client
	timeout     time.Duration
	connections Connections
}

// New returns a Handler.
func New(opts Options) *Handler {
	h := &Handler{client: opts.Client, timeout: opts.Timeout, connections: opts.Connections}
	if h.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32
		h.client = &http.Client{Transport: t}
	}
	if h.timeout <= 0 {
		h.timeout = DefaultTimeout
	}
	return h
}

// errCallTimeout is the cause of a call's context past Options.Timeout.
var errCallTimeout = errors.New("the HTTP Task's time limit passed")

// Invoke calls the API that req's parameters describe and returns its
// response. See the package documentation for the failures.
func (h *Handler) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	c, err := parse(req.Parameters)
	if err != nil {
		return nil, err
	}
	callCtx, cancel := context.WithTimeoutCause(ctx, h.timeout, errCallTimeout)
	defer cancel()
	// the request as the task gave it, before a connection adds its own,
	// and the headers the connection added or changed: what an exchange
	// shows without Reveal
	shown := c
	var added map[string]bool
	if x := req.Exchange; x != nil && !x.Reveal && c.connection != "" {
		shown = c.clone()
	}
	if c.connection != "" {
		if err := h.authorize(callCtx, c); err != nil {
			return nil, err
		}
		if shown != c {
			added = map[string]bool{}
			for name, v := range c.header {
				if own, ok := shown.header[name]; !ok || !slices.Equal(own, v) {
					added[name] = true
				}
			}
		}
	}
	var body io.Reader
	if c.hasBody {
		body = bytes.NewReader(c.body)
	}
	hr, err := http.NewRequestWithContext(callCtx, c.method, c.endpoint.String(), body)
	if err != nil {
		return nil, invalid("cannot make the request: %v", err)
	}
	hr.Header = c.header
	if c.hasBody && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", c.contentType)
	}
	if req.IdempotencyKey != "" {
		hr.Header.Set(IdempotencyHeader, req.IdempotencyKey)
	}
	// W3C trace context: the endpoint's work joins the execution's
	// trace, under the task call's span (a task's own headers win).
	req.Trace().SetHeaders(hr.Header)
	if x := req.Exchange; x != nil {
		recordRequest(x, hr, shown, added)
	}
	resp, err := h.client.Do(hr)
	if err != nil {
		return nil, h.failed(ctx, callCtx, c, err)
	}
	defer resp.Body.Close()
	out, err := h.response(ctx, callCtx, c, resp)
	if err != nil {
		return nil, err
	}
	if x := req.Exchange; x != nil {
		recordResponse(x, resp, out["ResponseBody"])
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		cause, err := marshal(out)
		if err != nil {
			cause = []byte(resp.Status)
		}
		return nil, &integrations.Error{Name: "States.Http.StatusCode." + strconv.Itoa(resp.StatusCode), Cause: string(cause)}
	}
	return out, nil
}

// response reads a response into the task's result.
func (h *Handler) response(ctx, callCtx context.Context, c *call, resp *http.Response) (map[string]any, error) {
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	var text []byte
	if binary(media) {
		if ok {
			return nil, &integrations.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
				"http:invoke: %s %s answered with Content-Type %s: an HTTP Task's response must be text or JSON, not binary", c.method, c.endpoint.Redacted(), media)}
		}
	} else {
		var err error
		text, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
		if err != nil {
			return nil, h.failed(ctx, callCtx, c, err)
		}
		if len(text) > maxResponse {
			return nil, &integrations.Error{Name: "States.DataLimitExceeded", Cause: fmt.Sprintf(
				"http:invoke: the response of %s %s is larger than the %d bytes a task's result may hold", c.method, c.endpoint.Redacted(), maxResponse)}
		}
	}
	headers := make(map[string]any, len(resp.Header))
	for name, values := range resp.Header {
		list := make([]any, len(values))
		for i, v := range values {
			list[i] = v
		}
		headers[strings.ToLower(name)] = list
	}
	var body any = string(text)
	if media == "application/json" || strings.HasSuffix(media, "+json") {
		if v, err := asl.DecodeJSON(text); err == nil {
			body = v
		}
	}
	status := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	if status == "" {
		status = http.StatusText(resp.StatusCode)
	}
	return map[string]any{
		"Headers":      headers,
		"ResponseBody": body,
		"StatusCode":   int64(resp.StatusCode),
		"StatusText":   status,
	}, nil
}

// binary reports whether a media type is one an HTTP Task cannot return.
func binary(media string) bool {
	return media == "application/octet-stream" || strings.HasPrefix(media, "image/") ||
		strings.HasPrefix(media, "audio/") || strings.HasPrefix(media, "video/")
}

// failed translates a failed exchange. The caller's context ending (the
// Task's TimeoutSeconds, or the worker stopping) is returned as it is, for
// the runtime to report; the call's own time limit is States.Http.Socket;
// anything else (refused, unresolvable, reset) is States.TaskFailed.
func (h *Handler) failed(ctx, callCtx context.Context, c *call, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("http:invoke: %s %s: %w", c.method, c.endpoint.Redacted(), context.Cause(ctx))
	}
	var ne net.Error
	if errors.Is(context.Cause(callCtx), errCallTimeout) || (errors.As(err, &ne) && ne.Timeout()) {
		return &integrations.Error{Name: "States.Http.Socket", Cause: fmt.Sprintf(
			"http:invoke: %s %s did not complete within %s", c.method, c.endpoint.Redacted(), h.timeout)}
	}
	return &integrations.Error{Name: "States.TaskFailed", Cause: "http:invoke: " + err.Error()}
}

// marshal renders a value as JSON, HTML characters as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// authorize adds the task's connection's credentials and invocation
// parameters to its request, as AWS does with the connection the task
// names; a connection that does not exist or cannot authorize fails the
// task with AWS's Events.ConnectionResource errors.
func (h *Handler) authorize(ctx context.Context, c *call) error {
	if h.connections == nil {
		return &integrations.Error{Name: "Events.ConnectionResource.ResourceNotFound", Cause: fmt.Sprintf(
			"http:invoke: the connection %s cannot be resolved: no bus router (EventBridge connections) runs here", c.connection)}
	}
	if c.header == nil {
		c.header = http.Header{}
	}
	q := c.endpoint.Query()
	body, err := h.connections.Authorize(ctx, c.connection, c.header, q, c.body)
	if err != nil {
		name := "Events.ConnectionResource.InvalidConnectionState"
		if strings.Contains(err.Error(), "ResourceNotFoundException") {
			name = "Events.ConnectionResource.ResourceNotFound"
		}
		return &integrations.Error{Name: name, Cause: fmt.Sprintf("http:invoke: the connection %s: %v", c.connection, err)}
	}
	c.endpoint.RawQuery = q.Encode()
	if c.hasBody {
		c.body = body
	}
	return nil
}

// recordRequest records the request hr made for an exchange: its method,
// URL, headers and body, as the task gave them when shown is the call
// before its connection authorized it and added names the headers the
// connection added or changed (what the connection added to the headers,
// query and body left out, or set back to the task's own values).
func recordRequest(x *integrations.HTTPExchange, hr *http.Request, shown *call, added map[string]bool) {
	x.Sent = true
	r := &x.Request
	r.Protocol, r.Method = hr.URL.Scheme, hr.Method
	r.URL = shown.endpoint.String()
	header := hr.Header
	if added != nil {
		header = hr.Header.Clone()
		for name := range added {
			if own, ok := shown.header[name]; ok {
				header[name] = own
			} else {
				delete(header, name)
			}
		}
	}
	r.Headers = headerText(header)
	if shown.hasBody {
		r.Body = string(shown.body)
	}
}

// recordResponse records a response for an exchange; body is the
// response's body as the task's result holds it.
func recordResponse(x *integrations.HTTPExchange, resp *http.Response, body any) {
	x.Answered = true
	r := &x.Response
	r.Protocol = strings.ToLower(strings.SplitN(resp.Proto, "/", 2)[0])
	if resp.Request != nil && resp.Request.URL != nil {
		r.Protocol = resp.Request.URL.Scheme
	}
	r.StatusCode = strconv.Itoa(resp.StatusCode)
	r.StatusMessage = strings.TrimSpace(strings.TrimPrefix(resp.Status, r.StatusCode))
	r.Headers = headerText(resp.Header)
	switch b := body.(type) {
	case string:
		r.Body = b
	case nil:
	default:
		r.Body = asl.EncodeJSON(b)
	}
}

// headerText renders headers as AWS's inspection data does: "[Name:
// value, Name: value]", sorted by name, a header of several values once
// per value.
func headerText(h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var parts []string
	for _, name := range names {
		for _, v := range h[name] {
			parts = append(parts, name+": "+v)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
