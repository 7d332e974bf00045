// Package gateway is Signalbox's HTTP layer, on gin: it mounts the AWS
// services (gateway/sfn: Step Functions' JSON 1.0 protocol at POST /;
// gateway/sqs: SQS's JSON 1.0 and query protocols at POST / and its queue
// URLs, sqs.go; gateway/sns: SNS's query protocol at POST / and GET /,
// sns.go; gateway/events: EventBridge's JSON 1.1 protocol at POST /,
// events.go; each service a package of its own on the protocol layer
// gateway/awsproto),
// and serves the user routes (method + path → state machine) and the
// management API under /api/v1 itself. It is thin: bind the request, call
// one runtime method, map the error with one shared function (sfn's
// toAWSError for AWS's shapes, apiFail for the management API's), render.
package gateway

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/gateway/events"
	gwlambda "github.com/signalbox/signalbox/gateway/lambda"
	gwschemas "github.com/signalbox/signalbox/gateway/schemas"
	"github.com/signalbox/signalbox/gateway/sfn"
	"github.com/signalbox/signalbox/gateway/sns"
	"github.com/signalbox/signalbox/gateway/sqs"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/schemas"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
)

// Options configure a Server.
type Options struct {
	// Runtime carries out what the endpoints ask for.
	Runtime *runtime.Durable
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// TracerProvider, when set, makes a server span of every request
	// (HTTP semantic conventions, otelhttp), named after its route; the
	// caller's W3C trace context is its parent. Nil: no span.
	TracerProvider trace.TracerProvider
	// MeterProvider, when set, records the HTTP server metrics of the
	// semantic conventions (otelhttp: request duration and sizes, by
	// route). Metrics, when set, is served at GET /metrics (a Prometheus
	// scrape), behind the management API's keys when they are set.
	MeterProvider metric.MeterProvider
	Metrics       http.Handler
	// MaxBodyBytes bounds a request body on the AWS-protocol and management
	// endpoints; default DefaultMaxBodyBytes. (SQS's and SNS's APIs have
	// their own bounds, sqs.MaxBodyBytes and sns.MaxBodyBytes, sized for a
	// full batch.)
	MaxBodyBytes int64
	// Routes are the user routes (routes.go).
	Routes []Route
	// Credentials, when not empty, are the access keys (access key id →
	// secret) whose AWS Signature Version 4 the AWS-protocol endpoints
	// require; empty accepts any request unsigned or signed.
	Credentials map[string]string
	// APIKeys, when not empty, are the keys one of which every management
	// API request (but health, readiness and the OpenAPI document) must
	// carry, in x-api-key or as "Authorization: Bearer KEY" (api.go).
	// When keys or credentials are set, the management API and the user
	// routes without keys of their own take either (auth.go).
	APIKeys []string
	// PublicAPI opens the management API to anyone although keys or
	// credentials are set: a choice the configuration must name.
	PublicAPI bool
	// Integrations, when set, are the integrations Task states reach:
	// CreateStateMachine, UpdateStateMachine and
	// ValidateStateMachineDefinition warn of Task resources none serves.
	Integrations *integrations.Mux
	// Queues, when set, is the queue router SQS's API serves (sqs.go); nil:
	// no SQS API. Its region and account must be the runtime's: queue
	// URLs and the signatures' scope take them from the runtime.
	Queues *queue.Service
	// Topics, when set, is the topic router SNS's API serves (sns.go);
	// nil: no SNS API. Its region and account must be the runtime's, as
	// the queue router's.
	Topics *topic.Service
	// Buses, when set, is the bus router EventBridge's API serves
	// (events.go); nil: no EventBridge API. Its region and account must be
	// the runtime's, as the queue router's.
	Buses *bus.Service
	// Schemas, when set, is the schema registry the EventBridge Schemas
	// API serves (schemas.go); nil: no Schemas API. Its region and account
	// must be the runtime's, as the queue router's.
	Schemas *schemas.Service
	// Functions, when set, is the function service the Lambda API serves
	// (lambda.go); nil: no Lambda API. Its region and account must be the
	// runtime's, as the queue router's. FunctionInvoker runs Invoke's
	// invocations (nil: Invoke answers that none is configured) and
	// FunctionAsync its Event invocations (nil: a bounded goroutine each).
	Functions       *function.Service
	FunctionInvoker function.Invoker
	FunctionAsync   gwlambda.Async
}

// DefaultMaxBodyBytes is the default bound on a request body: AWS's 256 KiB
// payload limit leaves room for the request's other fields within it.
const DefaultMaxBodyBytes = 1 << 20

// Server is the HTTP layer over one runtime.
type Server struct {
	opts    Options
	engine  *gin.Engine
	handler http.Handler   // the engine, in a server span when tracing
	users   *routeTable    // the user routes (routes_serve.go)
	sfn     *sfn.API       // the Step Functions API (POST /)
	sqs     *sqs.API       // SQS's API (POST / and queue URLs), nil without Options.Queues
	sns     *sns.API       // SNS's API (POST / and GET /), nil without Options.Topics
	events  *events.API    // EventBridge's API (POST /), nil without Options.Buses
	schemas *gwschemas.API // the Schemas API (its REST paths), nil without Options.Schemas
	lambda  *gwlambda.API  // the Lambda API (its REST paths), nil without Options.Functions
	// keySums are the hashes of Options.APIKeys, compared in constant time.
	keySums [][32]byte
}

// New builds a Server and its routes.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	s := &Server{opts: opts, engine: e, handler: e}
	if opts.MeterProvider != nil {
		hm, err := newHTTPMetrics(opts.MeterProvider)
		if err != nil {
			opts.Logger.Warn("no HTTP server metrics", "err", err)
		} else {
			e.Use(hm.handle)
		}
	}
	if opts.TracerProvider != nil {
		s.handler = otelhttp.NewHandler(e, "signalbox",
			otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
			otelhttp.WithTracerProvider(opts.TracerProvider),
			// the metrics are httpMetrics's, with tracing or without
			otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()))
		e.Use(nameServerSpan)
	}
	e.Use(s.recoverPanic)
	for _, k := range opts.APIKeys {
		s.keySums = append(s.keySums, sha256.Sum256([]byte(k)))
	}
	api := e.Group("/api/v1")
	api.GET("/health", s.health)
	api.GET("/ready", s.ready)
	s.routeAPI(api)
	if opts.Metrics != nil {
		e.GET("/metrics", s.apiAuth(false), gin.WrapH(opts.Metrics))
	}
	var authorize, authorizeSQS, authorizeSNS, authorizeEvents, authorizeSchemas, authorizeLambda func(*http.Request, []byte) error
	if s.authConfigured() {
		authorize, authorizeSQS, authorizeSNS = s.awsCaller("states"), s.awsCaller("sqs"), s.awsCaller("sns")
		authorizeEvents, authorizeSchemas, authorizeLambda = s.awsCaller(events.SigningName), s.awsCaller("schemas"), s.awsCaller("lambda")
	}
	s.sfn = sfn.New(sfn.Options{Runtime: opts.Runtime, Logger: opts.Logger, MaxBodyBytes: opts.MaxBodyBytes, Authorize: authorize, Integrations: opts.Integrations})
	if opts.Queues != nil {
		s.sqs = sqs.New(sqs.Options{Queues: opts.Queues, AccountID: s.account(), Logger: opts.Logger, Authorize: authorizeSQS})
	}
	if opts.Topics != nil {
		s.sns = sns.New(sns.Options{Topics: opts.Topics, Logger: opts.Logger, Authorize: authorizeSNS})
	}
	if opts.Buses != nil {
		s.events = events.New(events.Options{Buses: opts.Buses, Logger: opts.Logger, Authorize: authorizeEvents})
	}
	if opts.Schemas != nil {
		s.schemas = gwschemas.New(gwschemas.Options{Registry: opts.Schemas, Logger: opts.Logger, Authorize: authorizeSchemas})
	}
	if opts.Functions != nil {
		s.lambda = gwlambda.New(gwlambda.Options{Functions: opts.Functions, Invoker: opts.FunctionInvoker, Async: opts.FunctionAsync,
			Logger: opts.Logger, Authorize: authorizeLambda})
	}
	e.POST("/", s.awsPost)
	s.routeUser(e)
	return s
}

// region is the runtime's region, the one SigV4 scopes must name.
func (s *Server) region() string {
	return strings.Split(s.opts.Runtime.StateMachineARN("x"), ":")[3]
}

// account is the runtime's account, the one in ARNs and queue URLs.
func (s *Server) account() string {
	return strings.Split(s.opts.Runtime.StateMachineARN("x"), ":")[4]
}

// inspector reads executions for the management API.
func (s *Server) inspector() *runtime.Inspector { return s.opts.Runtime.Inspector() }

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// labelRoute gives the request's HTTP metrics (httpMetrics) their
// http.route, where the router's pattern is not it.
func labelRoute(c *gin.Context, route string) {
	c.Set(routeKey, route)
}

// nameServerSpan names the request's server span after its route, as the
// HTTP semantic conventions ask ("POST /orders"), and the Step Functions
// API's after its action ("POST / StartExecution").
func nameServerSpan(c *gin.Context) {
	route := c.FullPath()
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		c.Next()
		return
	}
	name := c.Request.Method
	if route != "" {
		name += " " + route
		span.SetAttributes(attribute.String("http.route", route))
	}
	if target := c.GetHeader("X-Amz-Target"); route == "/" && target != "" {
		_, action, _ := strings.Cut(target, ".")
		name += " " + action
		span.SetAttributes(attribute.String("rpc.system", "aws-api"), attribute.String("rpc.method", action))
	}
	span.SetName(name)
	c.Next()
}

// health answers while the process serves HTTP.
func (s *Server) health(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// ready answers 200 when the store answers, 503 otherwise.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.opts.Runtime.Ping(ctx); err != nil {
		s.opts.Logger.Warn("not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "message": "the store does not answer"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// recoverPanic answers a handler's panic as the internal error it is, in
// the shape of the API asked (Step Functions', the management API's or a
// route's) with a request id, and logs the panic and its stack under that
// id. gin.Recovery answered an empty 500 and wrote the request's headers
// (x-api-key and cookies among them) to standard error.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v) // net/http's way to drop the connection quietly
		}
		id := c.Writer.Header().Get("x-amzn-RequestId")
		if id == "" {
			id = awsproto.NewRequestID()
		}
		s.opts.Logger.Error("panic serving a request", "method", c.Request.Method, "path", c.Request.URL.Path,
			"requestId", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort() // too late to answer
			return
		}
		c.Header("x-amzn-RequestId", id)
		switch {
		case c.GetBool(sqs.Served):
			sqs.WriteInternalError(c, id)
			c.Abort()
		case c.GetBool(sns.Served):
			sns.WriteInternalError(c, id)
			c.Abort()
		case c.GetBool(events.Served):
			events.WriteInternalError(c, id)
			c.Abort()
		case c.GetBool(gwschemas.Served):
			gwschemas.WriteInternalError(c, id)
			c.Abort()
		case c.GetBool(gwlambda.Served):
			gwlambda.WriteInternalError(c, id)
			c.Abort()
		case c.Request.URL.Path == "/api/v1" || strings.HasPrefix(c.Request.URL.Path, "/api/v1/"):
			mgmtError(c, http.StatusInternalServerError, "InternalError", "internal error (request id "+id+"): the server's log has the details", "requestId", id)
		case c.Request.URL.Path == "/" && c.Request.Method == http.MethodPost:
			c.Data(http.StatusInternalServerError, sfn.ContentType, awsproto.JSONErrorBody(&awsproto.Error{Code: awsproto.InternalFailure,
				Message: "An internal error occurred (request id " + id + "): the server's log has the details."}))
			c.Abort()
		default:
			routeFail(c, http.StatusInternalServerError, "Internal server error (request id "+id+")")
		}
	}()
	c.Next()
}
