// Package lambda is the AWS Lambda API on the function runtime
// (integrations/function), in the API's wire protocol, REST-JSON, so that
// the official SDKs and CLIs work against Signalbox with only an endpoint
// override: each operation is a method and path
// (/2015-03-31/functions/{FunctionName}/..., /2017-03-31/tags/{Resource},
// ...), its members bound to the path, the query string, headers and a
// JSON body (awsproto.DecodeREST), answered in JSON with the operation's
// status; Invoke's body is the event and its answer the result.
//
// Each operation is one row of the route table (operations.go), which
// also names the operations Signalbox does not implement: they answer a
// clear InvalidParameterValueException. Errors of the function service
// are the API's already (*function.APIError); an invocation's failure
// (*function.Error, "Lambda.<Code>") is answered as the Lambda code it
// names.
package lambda

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/function"
)

// Functions is what the API needs of the function service:
// *function.Service's methods, named here so that the wire can be tested
// on its own.
type Functions interface {
	function.Resolver
	CreateFunction(ctx context.Context, in *function.CreateFunctionInput) (*function.FunctionConfiguration, error)
	GetFunction(ctx context.Context, name, qualifier string) (*function.GetFunctionOutput, error)
	GetFunctionConfiguration(ctx context.Context, name, qualifier string) (*function.FunctionConfiguration, error)
	ListFunctions(ctx context.Context, marker string, maxItems int, functionVersion string) (*function.ListFunctionsOutput, error)
	DeleteFunction(ctx context.Context, name, qualifier string) error
	UpdateFunctionCode(ctx context.Context, in *function.UpdateFunctionCodeInput) (*function.FunctionConfiguration, error)
	UpdateFunctionConfiguration(ctx context.Context, in *function.UpdateFunctionConfigurationInput) (*function.FunctionConfiguration, error)
	PublishVersion(ctx context.Context, in *function.PublishVersionInput) (*function.FunctionConfiguration, error)
	ListVersionsByFunction(ctx context.Context, name, marker string, maxItems int) (*function.ListFunctionsOutput, error)
	CreateAlias(ctx context.Context, in *function.AliasInput) (*function.AliasConfiguration, error)
	GetAlias(ctx context.Context, name, alias string) (*function.AliasConfiguration, error)
	UpdateAlias(ctx context.Context, in *function.AliasInput) (*function.AliasConfiguration, error)
	DeleteAlias(ctx context.Context, name, alias string) error
	ListAliases(ctx context.Context, name, functionVersion, marker string, maxItems int) (*function.ListAliasesOutput, error)
	PutFunctionConcurrency(ctx context.Context, name string, n *int) (*function.Concurrency, error)
	GetFunctionConcurrency(ctx context.Context, name string) (*function.Concurrency, error)
	DeleteFunctionConcurrency(ctx context.Context, name string) error
	TagResource(ctx context.Context, arn string, tags map[string]string) error
	UntagResource(ctx context.Context, arn string, keys []string) error
	ListTags(ctx context.Context, arn string) (map[string]string, error)
}

var _ Functions = (*function.Service)(nil)

// Async runs an Event invocation in the background: Enqueue refuses
// (an error, TooManyRequestsException when full) or takes it, and calls
// done when it has run. function.Async (the invoke path's queue) is one.
type Async interface {
	Enqueue(fn *function.Config, inv *function.Invocation, done func(*function.Result, error)) error
}

var _ Async = (*function.Async)(nil)

// Options configure the API.
type Options struct {
	// Functions carries out the operations.
	Functions Functions
	// Invoker runs Invoke's invocations (the wiring's dispatcher between
	// HTTP functions and Runtime API programs). Nil: Invoke answers that
	// no invoker is configured.
	Invoker function.Invoker
	// Async runs Event invocations; nil: a goroutine each, at most
	// MaxAsyncRunning at once (beyond, TooManyRequestsException).
	Async Async
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// Authorize, when set, checks the caller of every request before its
	// operation (the gateway's keys and SigV4 credentials, signing service
	// lambda): an error of awsproto's is the answer. Nil lets everyone in.
	Authorize func(r *http.Request, body []byte) error
}

// API serves the Lambda API over one function service.
type API struct {
	opts    Options
	running chan struct{} // the Event invocations run without Options.Async
}

// MaxAsyncRunning bounds the Event invocations running at once without
// Options.Async.
const MaxAsyncRunning = 256

// New returns the API.
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{opts: opts, running: make(chan struct{}, MaxAsyncRunning)}
}

// Served is the gin context key set on a request the API took, for the
// gateway's panic handler to answer in the API's shape; RouteKey holds
// its route, for the HTTP metrics.
const (
	Served   = "signalbox.lambda"
	RouteKey = "signalbox.lambda.route"
)

// operation is one operation of the API: it decodes its request from the
// path's parameters and the request, and writes its answer (a reply).
type operation func(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (*reply, error)

// reply is an operation's answer: a status, and a JSON document or a raw
// body with its headers.
type reply struct {
	status  int
	out     any    // JSON; nil for none
	raw     []byte // Invoke's result
	headers map[string]string
}

// route is one operation's method and path; a segment "{Name}" binds a
// parameter. limit bounds its body.
type route struct {
	method, name string
	segs         []string
	limit        int64
	op           operation
}

// ServePath serves a request when its method and path are an operation's,
// and reports whether it did.
func (s *API) ServePath(c *gin.Context) bool {
	r := c.Request
	rt, params := match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		return false
	}
	c.Set(Served, true)
	if rt.segs != nil {
		c.Set(RouteKey, "/"+strings.Join(rt.segs, "/"))
	}
	id := awsproto.NewRequestID()
	nameSpan(c, rt)
	rep, err := s.call(c, rt, params)
	if err != nil {
		s.writeError(c, rt.name, err, id)
		return true
	}
	if rid := rep.headers["X-Amzn-RequestId"]; rid != "" {
		id = rid
	}
	c.Header("X-Amzn-RequestId", id)
	for k, v := range rep.headers {
		c.Header(k, v)
	}
	switch {
	case rep.raw != nil:
		c.Data(rep.status, awsproto.RESTContentType, rep.raw)
	case rep.out == nil:
		c.Status(rep.status)
	default:
		if err := awsproto.WriteREST(c.Writer, rep.status, rep.out, id); err != nil {
			s.opts.Logger.Warn("lambda: writing an answer", "operation", rt.name, "err", err)
		}
	}
	return true
}

func (s *API) call(c *gin.Context, rt *route, params map[string]string) (*reply, error) {
	r := c.Request
	limit := rt.limit
	if limit == 0 {
		limit = maxBody
	}
	body, err := awsproto.ReadBody(r, limit)
	if err != nil {
		var ae *awsproto.Error
		if errors.As(err, &ae) && ae.Code == awsproto.RequestEntityTooLarge {
			return nil, &function.APIError{Code: function.CodeRequestTooLarge, Status: http.StatusRequestEntityTooLarge, Message: ae.Message}
		}
		return nil, err
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(r, body); err != nil {
			return nil, err
		}
	}
	return rt.op(s, r.Context(), r, params, body)
}

// The API's prefixes: a request elsewhere is not the API's.
var prefixes = []string{"/2014-11-13/", "/2015-03-31/", "/2016-08-19/", "/2017-03-31/", "/2017-10-31/", "/2018-10-31/",
	"/2019-09-25/", "/2019-09-30/", "/2020-04-22/", "/2020-06-30/", "/2021-07-20/", "/2021-10-31/", "/2021-11-15/", "/2024-08-31/",
	"/2025-11-30/", "/2025-12-01/", "/2026-07-09/"}

// unknownRoute is the route of a request under the API's prefixes that
// is none of the table's operations (one of the API's operations newer
// than the table, or a mistake): it answers that Signalbox does not
// implement it.
var unknownRoute = route{name: "Unknown", op: func(_ *API, _ context.Context, r *http.Request, _ map[string]string, _ []byte) (*reply, error) {
	return nil, &function.APIError{Code: function.CodeInvalidParameter, Status: http.StatusBadRequest,
		Message: "not supported by Signalbox: " + r.Method + " " + clip(r.URL.Path) + " is not an operation of the Lambda API that Signalbox implements"}
}}

// match finds the route of a method and escaped path.
func match(method, escaped string) (*route, map[string]string) {
	ok := false
	for _, p := range prefixes {
		if strings.HasPrefix(escaped, p) || escaped+"/" == p {
			ok = true
			break
		}
	}
	if !ok {
		return nil, nil
	}
	segs, ok := awsproto.PathSegments(escaped, 8)
	if !ok {
		return &unknownRoute, nil
	}
	for i := range routes {
		rt := &routes[i]
		if rt.method != method {
			continue
		}
		if params, ok := awsproto.MatchPath(rt.segs, segs); ok {
			return rt, params
		}
	}
	return &unknownRoute, nil
}

// nameSpan names the request's server span after its route and operation.
func nameSpan(c *gin.Context, rt *route) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() || rt.segs == nil {
		return
	}
	path := "/" + strings.Join(rt.segs, "/")
	span.SetName(rt.method + " " + path + " " + rt.name)
	span.SetAttributes(attribute.String("http.route", path), attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", "lambda"), attribute.String("rpc.method", rt.name))
}

// writeError answers an error: its status, X-Amzn-ErrorType: <Code>, and
// the body {"Type": "User"|"Service", "message": ...} Lambda writes.
func (s *API) writeError(c *gin.Context, op string, err error, id string) {
	code, status, msg := function.CodeService, http.StatusInternalServerError, "An internal error occurred (request id "+id+"): the server's log has the details."
	var fe *function.APIError
	var ae *awsproto.Error
	var ie *function.Error
	switch {
	case errors.As(err, &fe):
		code, status, msg = fe.Code, fe.Status, fe.Message
	case errors.As(err, &ie):
		code, status, msg = invocationError(ie)
	case errors.As(err, &ae):
		code, status, msg = ae.Code, ae.Status, ae.Message
		if ae.Code == awsproto.Serialization {
			code = function.CodeInvalidRequest
		}
	default:
		s.opts.Logger.Error("lambda: "+op, "requestId", id, "err", err)
	}
	if status >= 500 && (fe != nil || ie != nil) {
		s.opts.Logger.Warn("lambda: "+op, "requestId", id, "code", code, "message", msg)
	}
	writeError(c, code, status, msg, id)
}

func writeError(c *gin.Context, code string, status int, msg, id string) {
	typ := "User"
	if status >= 500 {
		typ = "Service"
	}
	c.Header("X-Amzn-RequestId", id)
	c.Header("X-Amzn-ErrorType", code)
	c.JSON(status, map[string]string{"Type": typ, "message": msg})
}

// WriteInternalError answers a request of the API that panicked.
func WriteInternalError(c *gin.Context, id string) {
	writeError(c, function.CodeService, http.StatusInternalServerError,
		"An internal error occurred (request id "+id+"): the server's log has the details.", id)
}

// Operations lists the API's operations and whether each is supported,
// for the compatibility table.
func Operations() map[string]bool {
	m := map[string]bool{}
	for _, rt := range routes {
		_, no := unsupported[rt.name]
		m[rt.name] = !no
	}
	return m
}
