package gateway

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// routeTable holds the user routes: those of Options.Routes and those added
// through the management API at run time. The latter live in this process's
// memory only: they are lost on restart, and other processes serving the
// same store do not see them.
type routeTable struct {
	mu     sync.RWMutex
	routes []*liveRoute
}

// liveRoute is a route ready to serve: defaults filled, template compiled.
type liveRoute struct {
	Route
	tmpl    pathTemplate
	keys    []routeAPIKey
	limiter *routeLimiter
	source  string // "config" or "api"
}

// routeAPIKey is a route's key, kept as its hash (compared in constant time)
// and its id (routeKeyID).
type routeAPIKey struct {
	sum [32]byte
	id  string
}

// compileRoute checks a route and makes it ready to serve.
func compileRoute(r Route, source string) (*liveRoute, []FieldError) {
	if errs := r.Validate(); len(errs) > 0 {
		return nil, errs
	}
	t, _ := parsePathTemplate(r.Path) // Validate parsed it
	lr := &liveRoute{Route: r.withDefaults(), tmpl: t, source: source}
	for _, k := range r.APIKeys {
		lr.keys = append(lr.keys, routeAPIKey{sum: sha256.Sum256([]byte(k)), id: routeKeyID(k)})
	}
	if lr.RateLimit != nil {
		lr.limiter = newRouteLimiter(lr.RateLimit)
	}
	return lr, nil
}

// add adds a compiled route unless one already takes the same requests.
func (t *routeTable) add(lr *liveRoute) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	shape := lr.tmpl.shape()
	for _, o := range t.routes {
		if o.Method == lr.Method && o.tmpl.shape() == shape {
			return fmt.Errorf("%s takes the same requests as the route %s", lr.Key(), o.Key())
		}
	}
	t.routes = append(t.routes, lr)
	return nil
}

// list returns the routes in the order they were added.
func (t *routeTable) list() []*liveRoute {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return slices.Clone(t.routes)
}

// find returns the most specific route that takes method on the path's
// segments, with its parameters; when none does, allowed lists the
// methods that other routes take on that path.
func (t *routeTable) find(method string, segs []string) (best *liveRoute, params map[string]string, allowed []string) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, r := range t.routes {
		p, ok := r.tmpl.match(segs)
		if !ok {
			continue
		}
		if r.Method != method && r.Method != MethodAny {
			if !slices.Contains(allowed, r.Method) {
				allowed = append(allowed, r.Method)
			}
			continue
		}
		if best == nil || r.tmpl.moreSpecific(best.tmpl) ||
			(!best.tmpl.moreSpecific(r.tmpl) && best.Method == MethodAny && r.Method != MethodAny) {
			best, params = r, p
		}
	}
	return best, params, allowed
}

// keyOwner returns the id of a route key equal to key, if any route has it.
func (t *routeTable) keyOwner(key string) (string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, r := range t.routes {
		if id, ok := r.checkKey(key); ok {
			return id, true
		}
	}
	return "", false
}

// checkKey returns the id of the route's key equal to key.
func (r *liveRoute) checkKey(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(key))
	id, ok := "", false
	for _, k := range r.keys {
		if subtle.ConstantTimeCompare(sum[:], k.sum[:]) == 1 {
			id, ok = k.id, true
		}
	}
	return id, ok
}

// routeUser adds the user routes. They are matched here rather than by
// gin's router, which refuses (by panicking) some sets of templates API
// Gateway accepts, and cannot add routes once serving: every request no
// gin route takes comes to serveUser.
func (s *Server) routeUser(e *gin.Engine) {
	s.users = &routeTable{}
	for i, r := range s.opts.Routes {
		lr, errs := compileRoute(r, "config")
		if len(errs) == 0 {
			if err := s.users.add(lr); err != nil {
				errs = []FieldError{{Message: err.Error()}}
			}
		}
		for _, err := range errs {
			s.opts.Logger.Error("route left out", "route", i, "key", r.Key(), "problem", err.Error())
		}
	}
	e.NoRoute(s.serveUser)
}

// routeFail answers as API Gateway does: {"message": ...}.
func routeFail(c *gin.Context, status int, message string) {
	c.AbortWithStatusJSON(status, gin.H{"message": message})
}

// routeSegments splits an escaped request path into its decoded segments; a
// trailing slash is ignored.
func routeSegments(escaped string) ([]string, error) {
	escaped = strings.TrimPrefix(escaped, "/")
	escaped = strings.TrimSuffix(escaped, "/")
	if escaped == "" {
		return nil, nil
	}
	parts := strings.Split(escaped, "/")
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil {
			return nil, err
		}
		parts[i] = s
	}
	return parts, nil
}

// serveUser serves a request no gin route took: a user route's, a
// preflight request, or a 404.
func (s *Server) serveUser(c *gin.Context) {
	path := c.Request.URL.EscapedPath()
	if path == "/api/v1" || strings.HasPrefix(path, "/api/v1/") {
		mgmtError(c, http.StatusNotFound, "NotFound", fmt.Sprintf("no management API endpoint %s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	if s.serveSigningCert(c) || s.serveSubscriberURL(c) { // SNS's URLs for subscribers (sns.go)
		return
	}
	if s.serveSchemas(c) { // the Schemas API's paths (schemas.go)
		return
	}
	if s.serveLambda(c) { // the Lambda API's paths (lambda.go)
		return
	}
	segs, err := routeSegments(path)
	if err != nil {
		routeFail(c, http.StatusBadRequest, "Malformed path: "+err.Error())
		return
	}
	if c.Request.Method == http.MethodOptions && c.GetHeader("Origin") != "" && c.GetHeader("Access-Control-Request-Method") != "" {
		if r, _, _ := s.users.find(strings.ToUpper(c.GetHeader("Access-Control-Request-Method")), segs); r != nil && r.CORS != nil {
			r.preflight(c)
			return
		}
	}
	r, params, allowed := s.users.find(c.Request.Method, segs)
	if r == nil {
		if s.serveSQS(c) { // a queue URL no user route takes (sqs.go)
			return
		}
		if s.serveSNS(c) { // a GET / of SNS's query protocol (sns.go)
			return
		}
		if len(allowed) > 0 {
			c.Header("Allow", strings.Join(allowed, ", "))
			routeFail(c, http.StatusMethodNotAllowed, "Method Not Allowed")
			return
		}
		routeFail(c, http.StatusNotFound, "Not Found")
		return
	}
	s.serveRoute(c, r, params)
}

// preflight answers a CORS preflight request for the route.
//
// CORS is ours, not github.com/gin-contrib/cors: that middleware answers
// 403 to every request from an origin it does not allow (a route serves
// such a request and leaves the browser to withhold the answer, as API
// Gateway does), answers every preflight 204 without checking the method
// asked for against the route's (here a 403), and writes the allowed
// headers canonicalised and comma-joined ("Content-Type,X-Api-Key", where
// the route's configuration is echoed as written); it also compares
// origins case-sensitively. Each is a behaviour TestRouteCORS checks.
func (r *liveRoute) preflight(c *gin.Context) {
	method := strings.ToUpper(c.GetHeader("Access-Control-Request-Method"))
	allowMethods := r.CORS.AllowMethods
	if len(allowMethods) == 0 {
		allowMethods = []string{r.Method}
		if r.Method == MethodAny {
			allowMethods = []string{method}
		}
	}
	if !r.corsHeaders(c) || !(slices.Contains(allowMethods, "*") || slices.ContainsFunc(allowMethods, func(m string) bool { return strings.EqualFold(m, method) })) {
		routeFail(c, http.StatusForbidden, "Forbidden: the CORS policy of this route does not allow this origin or method")
		return
	}
	allowHeaders := r.CORS.AllowHeaders
	if len(allowHeaders) == 0 {
		allowHeaders = []string{"content-type", "x-api-key"}
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Methods", strings.Join(allowMethods, ", "))
	h.Set("Access-Control-Allow-Headers", strings.Join(allowHeaders, ", "))
	if r.CORS.MaxAge > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(r.CORS.MaxAge))
	}
	c.AbortWithStatus(http.StatusNoContent)
}

// corsHeaders adds the CORS response headers when the request's origin is
// allowed, and reports whether it is.
func (r *liveRoute) corsHeaders(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if r.CORS == nil || origin == "" {
		return false
	}
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	allowed := ""
	for _, o := range r.CORS.AllowOrigins {
		if o == "*" {
			allowed = "*"
		} else if strings.EqualFold(o, origin) {
			allowed = origin
			break
		}
	}
	if allowed == "" {
		return false
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	if r.CORS.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(r.CORS.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(r.CORS.ExposeHeaders, ", "))
	}
	return true
}

// serveRoute serves a request a route took: key, rate, body, mapping, then
// the execution.
func (s *Server) serveRoute(c *gin.Context, r *liveRoute, params map[string]string) {
	labelRoute(c, r.Path)
	if span := trace.SpanFromContext(c.Request.Context()); span.IsRecording() {
		// the route, as the HTTP semantic conventions name a server span
		span.SetName(r.Method + " " + r.Path)
		span.SetAttributes(attribute.String("http.route", r.Path))
	}
	requestID := requestUUID()
	c.Header("x-amzn-RequestId", requestID)
	r.corsHeaders(c)
	keyID := ""
	if len(r.keys) > 0 {
		id, ok := r.checkKey(c.GetHeader("x-api-key"))
		if !ok {
			routeFail(c, http.StatusForbidden, "Forbidden")
			return
		}
		keyID = id
	}
	if r.limiter != nil {
		caller := "key:" + keyID
		if keyID == "" {
			caller = "ip:" + c.RemoteIP()
		}
		if ok, wait := r.limiter.allow(caller); !ok {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			routeFail(c, http.StatusTooManyRequests, "Too Many Requests")
			return
		}
	}
	if c.Request.ContentLength > r.MaxBodyBytes {
		routeFail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request Too Long: the body is %d bytes, more than the %d this route takes", c.Request.ContentLength, r.MaxBodyBytes))
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, r.MaxBodyBytes+1))
	if err != nil {
		routeFail(c, http.StatusBadRequest, "Could not read the request body: "+err.Error())
		return
	}
	if int64(len(body)) > r.MaxBodyBytes {
		routeFail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request Too Long: the body is more than the %d bytes this route takes", r.MaxBodyBytes))
		return
	}
	if keyID == "" && !r.Public && s.authConfigured() {
		if !s.guard(c, body, func(c *gin.Context, status int, msg string) { routeFail(c, status, msg) }) {
			return
		}
	}
	if r.Queue != "" {
		s.serveQueue(c, r, body)
		return
	}
	input, status, err := r.mapRequest(c, body, params, requestID, keyID)
	if err != nil {
		routeFail(c, status, err.Error())
		return
	}
	if asl.EncodedLen(input, runtime.MaxPayload) > runtime.MaxPayload {
		n := len(asl.EncodeJSON(input))
		routeFail(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request Too Long: the execution input would be %d bytes, more than the %d Step Functions allows", n, runtime.MaxPayload))
		return
	}
	arn := s.opts.Runtime.StateMachineARN(r.StateMachine)
	if r.Mode == ModeSync {
		s.serveSync(c, r, arn, input)
		return
	}
	name := requestUUID()
	if keyID != "" {
		name = keyID + "-" + name
	}
	started, err := s.opts.Runtime.StartExecution(c.Request.Context(), arn, name, input, integrations.TraceContextFrom(c.Request.Header))
	if err != nil {
		s.routeStartError(c, r, err)
		return
	}
	c.Header("Location", executionURL(started.ExecutionARN))
	c.JSON(http.StatusAccepted, gin.H{"executionArn": started.ExecutionARN, "startDate": routeEpoch(started.StartDate)})
}

// serveSync runs the execution to its end and answers with its output.
func (s *Server) serveSync(c *gin.Context, r *liveRoute, arn string, input any) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), r.Timeout)
	defer cancel()
	res, err := s.opts.Runtime.StartSyncExecution(ctx, arn, "", input, integrations.TraceContextFrom(c.Request.Header))
	if err != nil {
		s.routeStartError(c, r, err)
		return
	}
	if res.ExecutionARN != "" {
		c.Header("x-signalbox-execution-arn", res.ExecutionARN)
	}
	switch {
	case res.Status == runtime.StatusSucceeded:
		c.Data(http.StatusOK, "application/json; charset=utf-8", []byte(asl.EncodeJSON(res.Output)))
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && c.Request.Context().Err() == nil:
		routeFail(c, http.StatusGatewayTimeout, fmt.Sprintf("Endpoint request timed out: the execution did not end within %s", r.Timeout))
	default:
		// an error or cause the failure does not have is left out, as AWS
		// omits them
		body := gin.H{}
		if res.Error != "" {
			body["error"] = res.Error
		}
		if res.Cause != "" {
			body["cause"] = res.Cause
		}
		c.AbortWithStatusJSON(r.ErrorStatus, body)
	}
}

// routeStartError answers a failed start: the route's configuration no
// longer fits the store (its state machine was deleted or changed type),
// or the store failed.
func (s *Server) routeStartError(c *gin.Context, r *liveRoute, err error) {
	s.opts.Logger.Error("user route", "route", r.Key(), "stateMachine", r.StateMachine, "requestId", c.Writer.Header().Get("x-amzn-RequestId"), "err", err)
	switch {
	case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"message": "Internal server error: the state machine " + r.StateMachine + " of this route does not exist", "__type": "StateMachineDoesNotExist"})
	case errors.Is(err, runtime.ErrInvalidInput):
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"message": "Internal server error: " + err.Error(), "__type": "InvalidExecutionInput"})
	case errors.Is(err, runtime.ErrUnavailable):
		c.Header("Retry-After", "1")
		routeFail(c, http.StatusServiceUnavailable, "Service Unavailable (request id "+c.Writer.Header().Get("x-amzn-RequestId")+")")
	default:
		routeFail(c, http.StatusInternalServerError, "Internal server error (request id "+c.Writer.Header().Get("x-amzn-RequestId")+")")
	}
}

// secretHeaders are dropped by the default mapping unless the route keeps
// them (Route.KeepHeaders).
var secretHeaders = map[string]bool{"authorization": true, "cookie": true, "proxy-authorization": true, "x-amz-security-token": true}

// mapRequest builds the execution's input; on a malformed request it
// returns the status to answer and the message.
func (r *liveRoute) mapRequest(c *gin.Context, raw []byte, params map[string]string, requestID, keyID string) (any, int, error) {
	var body any
	switch {
	case len(raw) == 0:
		if r.Mapping == MappingBody {
			body = map[string]any{}
		}
	default:
		kind, err := bodyKind(c.GetHeader("Content-Type"))
		if err != nil {
			return nil, http.StatusBadRequest, err
		}
		if kind == bodyJSON || (kind == bodyForm && json.Valid(raw)) {
			v, err := asl.DecodeJSON(raw)
			if err != nil {
				return nil, http.StatusBadRequest, fmt.Errorf("Could not parse request body into json: %v", err)
			}
			body = v
		} else {
			if !utf8.Valid(raw) {
				return nil, http.StatusUnsupportedMediaType, errors.New("Unsupported Media Type: the body is not UTF-8 text (binary bodies are not supported)")
			}
			body = string(raw)
		}
	}
	if r.Mapping == MappingBody {
		return body, 0, nil
	}
	query, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("Malformed query string: %v", err)
	}
	pathParams := make(map[string]any, len(params))
	for k, v := range params {
		pathParams[k] = v
	}
	headers := map[string]any{}
	for k, vs := range c.Request.Header {
		k = strings.ToLower(k)
		if k == "x-api-key" || (secretHeaders[k] && !slices.ContainsFunc(r.KeepHeaders, func(h string) bool { return strings.EqualFold(h, k) })) {
			continue // secrets: they would be kept in the execution's history
		}
		headers[k] = strings.Join(vs, ",")
	}
	if c.Request.Host != "" {
		headers["host"] = c.Request.Host
	}
	ctx := map[string]any{
		"requestId": requestID,
		"sourceIp":  c.RemoteIP(),
		"method":    c.Request.Method,
		"path":      c.Request.URL.Path,
		"routeKey":  r.Key(),
		"stage":     "$default",
	}
	if keyID != "" {
		ctx["apiKeyId"] = keyID
	}
	return map[string]any{
		"body":    body,
		"path":    pathParams,
		"query":   commaJoined(query),
		"headers": headers,
		"context": ctx,
	}, 0, nil
}

// commaJoined joins repeated values with commas, as API Gateway's HTTP APIs
// do.
func commaJoined(v url.Values) map[string]any {
	out := make(map[string]any, len(v))
	for k, vs := range v {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// How a body is mapped, by its Content-Type.
const (
	bodyText = iota // a string
	bodyJSON        // JSON, or a 400
	bodyForm        // JSON when it is (curl -d sends JSON with this type), else a string
)

// bodyKind says how a body of this Content-Type is mapped: JSON with no
// Content-Type, application/json or any +json type; JSON when it parses
// with application/x-www-form-urlencoded; else text.
func bodyKind(contentType string) (int, error) {
	if contentType == "" {
		return bodyJSON, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil:
		return 0, fmt.Errorf("Malformed Content-Type %q: %v", contentType, err)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return bodyJSON, nil
	case mt == "application/x-www-form-urlencoded":
		return bodyForm, nil
	}
	return bodyText, nil
}

// executionURL is the management API's URL of an execution.
func executionURL(arn string) string { return "/api/v1/executions/" + arn }

// routeEpoch renders a time as AWS's JSON protocols do: seconds since
// the epoch, with milliseconds.
func routeEpoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// requestUUID returns a random (version 4) UUID.
func requestUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
