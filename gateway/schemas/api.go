// Package schemas is the Amazon EventBridge Schemas API on the schema
// registry (integrations/schemas), in the API's one wire protocol,
// REST-JSON, so that the official SDKs and CLIs work against Signalbox with
// only an endpoint override: each operation is a method and path
// (/v1/registries/name/{RegistryName}/schemas/name/{SchemaName}, ...),
// its members bound to the path, the query string and a JSON body
// (awsproto.DecodeREST), answered in JSON with the operation's status.
//
// Each operation is one function from its request struct to its answer,
// registered in the route table below, which holds every operation of the
// API (aws-sdk-go-v2/service/schemas v1.35.2). Errors of the registry are
// the API's already (*schemas.Error); the protocol's own (a body that does
// not parse) are BadRequestException, as the API models no other.
package schemas

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
	"github.com/signalbox/signalbox/integrations/schemas"
)

// Registry is what the API needs of the schema registry: *schemas.Service's
// methods, named here so that the wire can be tested on its own.
type Registry interface {
	CreateRegistry(ctx context.Context, in *schemas.CreateRegistryInput) (*schemas.Registry, error)
	DescribeRegistry(ctx context.Context, name string) (*schemas.Registry, error)
	UpdateRegistry(ctx context.Context, name string, description *string) (*schemas.Registry, error)
	DeleteRegistry(ctx context.Context, name string) error
	ListRegistries(ctx context.Context, in *schemas.ListRegistriesInput) (*schemas.RegistryList, error)

	CreateSchema(ctx context.Context, in *schemas.CreateSchemaInput) (*schemas.Schema, error)
	DescribeSchema(ctx context.Context, registry, name, version string) (*schemas.Schema, error)
	UpdateSchema(ctx context.Context, in *schemas.UpdateSchemaInput) (*schemas.Schema, error)
	DeleteSchema(ctx context.Context, registry, name string) error
	DeleteSchemaVersion(ctx context.Context, registry, name, version string) error
	ListSchemas(ctx context.Context, in *schemas.ListSchemasInput) (*schemas.SchemaList, error)
	ListSchemaVersions(ctx context.Context, registry, name string, limit int, nextToken string) (*schemas.VersionList, error)
	SearchSchemas(ctx context.Context, registry, keywords string, limit int, nextToken string) (*schemas.SearchList, error)
	ExportSchema(ctx context.Context, registry, name, version, typ string) (*schemas.Export, error)
	GetDiscoveredSchema(ctx context.Context, events []string, typ string) (string, error)

	CreateDiscoverer(ctx context.Context, in *schemas.CreateDiscovererInput) (*schemas.Discoverer, error)
	DescribeDiscoverer(ctx context.Context, id string) (*schemas.Discoverer, error)
	UpdateDiscoverer(ctx context.Context, id string, description *string, crossAccount *bool) (*schemas.Discoverer, error)
	DeleteDiscoverer(ctx context.Context, id string) error
	ListDiscoverers(ctx context.Context, in *schemas.ListDiscoverersInput) (*schemas.DiscovererList, error)
	StartDiscoverer(ctx context.Context, id string) (*schemas.DiscovererState, error)
	StopDiscoverer(ctx context.Context, id string) (*schemas.DiscovererState, error)

	PutCodeBinding(ctx context.Context, registry, name, version, language string) (*schemas.CodeBinding, error)
	DescribeCodeBinding(ctx context.Context, registry, name, version, language string) (*schemas.CodeBinding, error)
	GetCodeBindingSource(ctx context.Context, registry, name, version, language string) ([]byte, error)

	TagResource(ctx context.Context, arn string, tags map[string]string) error
	UntagResource(ctx context.Context, arn string, keys []string) error
	ListTagsForResource(ctx context.Context, arn string) (map[string]string, error)

	PutResourcePolicy(ctx context.Context, registry, policy, revisionID string) (*schemas.Policy, error)
	GetResourcePolicy(ctx context.Context, registry string) (*schemas.Policy, error)
	DeleteResourcePolicy(ctx context.Context, registry string) error
}

var _ Registry = (*schemas.Service)(nil)

// Options configure the API.
type Options struct {
	// Registry carries out the operations.
	Registry Registry
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// Authorize, when set, checks the caller of every request before its
	// operation (the gateway's keys and SigV4 credentials, signing service
	// schemas): an error of awsproto's is the answer. Nil lets everyone in.
	Authorize func(r *http.Request, body []byte) error
}

// API serves the Schemas API over one registry.
type API struct {
	opts Options
}

// New returns the API.
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{opts: opts}
}

// MaxBodyBytes bounds a request's body. The largest requests are
// CreateSchema and UpdateSchema, whose Content is at most 100,000
// characters: a JSON document inside a JSON string, each character at
// most 6 bytes written (\u00XX), 600,000 bytes; and GetDiscoveredSchema,
// 10 events of up to 256 KiB each, inside JSON strings (their quotes
// escaped: an event of keys and short strings grows by about a fifth),
// about 3 MiB. 4 MiB holds both.
const MaxBodyBytes = 4 << 20

// Served is the gin context key set on a request the API took, for the
// gateway's panic handler to answer in the API's shape; RouteKey holds its
// route ("/v1/registries/name/{RegistryName}"), for the HTTP metrics.
const (
	Served   = "signalbox.schemas"
	RouteKey = "signalbox.schemas.route"
)

// operation is one operation of the API: it decodes its request from the
// path's parameters and the request, and returns its status and answer
// (a []byte answer is the body as it is: GetCodeBindingSource's archive).
type operation func(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (int, any, error)

// route is one operation's method and path; a segment "{Name}" binds a
// parameter.
type route struct {
	method, name string
	segs         []string
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
	c.Set(RouteKey, "/"+strings.Join(rt.segs, "/"))
	id := awsproto.NewRequestID()
	nameSpan(c, rt)
	status, out, err := s.call(c, rt, params)
	if err != nil {
		s.writeError(c, rt.name, err, id)
		return true
	}
	c.Header("X-Amzn-RequestId", id)
	switch out := out.(type) {
	case []byte:
		c.Data(status, "application/octet-stream", out)
	case nil:
		c.Status(status)
	default:
		if err := awsproto.WriteREST(c.Writer, status, out, id); err != nil {
			s.opts.Logger.Warn("schemas: writing an answer", "operation", rt.name, "err", err)
		}
	}
	return true
}

func (s *API) call(c *gin.Context, rt *route, params map[string]string) (int, any, error) {
	r := c.Request
	body, err := awsproto.ReadBody(r, MaxBodyBytes)
	if err != nil {
		return 0, nil, err
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(r, body); err != nil {
			return 0, nil, err
		}
	}
	return rt.op(s, r.Context(), r, params, body)
}

// match finds the route of a method and escaped path.
func match(method, escaped string) (*route, map[string]string) {
	if !strings.HasPrefix(escaped, "/v1/") && !strings.HasPrefix(escaped, "/tags/") {
		return nil, nil
	}
	segs, ok := awsproto.PathSegments(escaped, 12)
	if !ok {
		return nil, nil
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
	return nil, nil
}

// nameSpan names the request's server span after its route and operation.
func nameSpan(c *gin.Context, rt *route) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		return
	}
	path := "/" + strings.Join(rt.segs, "/")
	span.SetName(rt.method + " " + path + " " + rt.name)
	span.SetAttributes(attribute.String("http.route", path), attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", "schemas"), attribute.String("rpc.method", rt.name))
}

// The API's answer to an error: its status, X-Amzn-ErrorType: <Code>, and
// the body {"Code": ..., "Message": ...} (the error shapes' members).
func (s *API) writeError(c *gin.Context, op string, err error, id string) {
	code, status, msg := schemas.CodeInternal, http.StatusInternalServerError, "An internal error occurred (request id "+id+"): the server's log has the details."
	var se *schemas.Error
	var ae *awsproto.Error
	switch {
	case errors.As(err, &se):
		code, status, msg = se.Code, se.Status, se.Message
	case errors.As(err, &ae):
		code, status, msg = ae.Code, ae.Status, ae.Message
		if ae.Code == awsproto.Serialization || ae.Code == awsproto.Validation {
			code = schemas.CodeBadRequest
		}
	default:
		s.opts.Logger.Error("schemas: "+op, "requestId", id, "err", err)
	}
	if status >= 500 && se != nil {
		s.opts.Logger.Warn("schemas: "+op, "requestId", id, "code", code, "message", msg)
	}
	writeError(c, code, status, msg, id)
}

func writeError(c *gin.Context, code string, status int, msg, id string) {
	c.Header("X-Amzn-RequestId", id)
	c.Header("X-Amzn-ErrorType", code)
	c.JSON(status, map[string]string{"Code": code, "Message": msg})
}

// WriteInternalError answers a request of the API that panicked.
func WriteInternalError(c *gin.Context, id string) {
	writeError(c, schemas.CodeInternal, http.StatusInternalServerError,
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
