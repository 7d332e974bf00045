// Package events is Amazon EventBridge's API on the bus router
// (integrations/bus), in its wire protocol, AWS JSON 1.1: POST / with
// X-Amz-Target: AWSEvents.<Action> and a JSON body, so that the official
// SDKs and CLIs work against Signalbox with only an endpoint override.
// Each action is one function from its request struct to its response
// struct (buses.go, rules.go, targets.go, archives.go, connections.go,
// putevents.go), registered in the action table below; the actions of the
// API that Signalbox does not serve answer a clear "not supported". Errors
// of the bus router become EventBridge's in one function (errors.go).
package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus"
)

// Options configure the API.
type Options struct {
	// Buses carries out the actions.
	Buses *bus.Service
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// Authorize, when set, checks the caller of every request before its
	// action (the gateway's keys and SigV4 credentials, signing service
	// events): an error of awsproto's is the answer. Nil lets everyone in.
	Authorize func(r *http.Request, body []byte) error
}

// API serves EventBridge's API over one bus router.
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

const (
	// TargetPrefix is the protocol's X-Amz-Target prefix.
	TargetPrefix = "AWSEvents."
	// ContentType is the protocol's content type.
	ContentType = "application/x-amz-json-1.1"
	// SigningName is the SigV4 service name of EventBridge's requests.
	SigningName = "events"
)

// MaxBodyBytes bounds a request's body. The largest request is a
// PutEvents of 256 KiB of entries (AWS's limit, as it counts them: the
// strings' UTF-8 bytes), which JSON grows: Detail is a JSON document in a
// JSON string, so every quote and backslash of it is escaped (2x); a
// control character is \u00XX (6x), but a JSON document holds them only
// escaped already (\n: 2 bytes, written 3: 1.5x); SDKs write characters
// outside ASCII as they are (botocore as \uXXXX: a 3-byte character
// becomes 6 bytes, 2x; a 4-byte one 12, 3x). 3x the entries and 64 KiB
// for the rest of the request bound every valid PutEvents; the other
// actions are far smaller.
const MaxBodyBytes = 3*256<<10 + 64<<10

type action = awsproto.Action[*API]

func op[In, Out any](f func(*API, context.Context, *In) (*Out, error)) action {
	return awsproto.Op(f)
}

func unsupported(name string) action { return awsproto.Unsupported[*API]("EventBridge", name) }

// service is EventBridge's endpoint: every action of the 2015-10-07 API,
// those Signalbox does not serve answering a clear "not supported"
// (ValidationException), not UnknownOperationException.
var service = &awsproto.JSONService[*API]{Name: "EventBridge", TargetPrefix: TargetPrefix, Version: "1.1", Actions: map[string]action{
	"CreateEventBus":         op(createEventBus),
	"DescribeEventBus":       op(describeEventBus),
	"UpdateEventBus":         op(updateEventBus),
	"DeleteEventBus":         op(deleteEventBus),
	"ListEventBuses":         op(listEventBuses),
	"PutRule":                op(putRule),
	"DescribeRule":           op(describeRule),
	"DeleteRule":             op(deleteRule),
	"EnableRule":             op(enableRule),
	"DisableRule":            op(disableRule),
	"ListRules":              op(listRules),
	"ListRuleNamesByTarget":  op(listRuleNamesByTarget),
	"PutTargets":             op(putTargets),
	"RemoveTargets":          op(removeTargets),
	"ListTargetsByRule":      op(listTargetsByRule),
	"TagResource":            op(tagResource),
	"UntagResource":          op(untagResource),
	"ListTagsForResource":    op(listTagsForResource),
	"PutEvents":              op(putEvents),
	"TestEventPattern":       op(testEventPattern),
	"CreateArchive":          op(createArchive),
	"DescribeArchive":        op(describeArchive),
	"UpdateArchive":          op(updateArchive),
	"DeleteArchive":          op(deleteArchive),
	"ListArchives":           op(listArchives),
	"StartReplay":            op(startReplay),
	"DescribeReplay":         op(describeReplay),
	"ListReplays":            op(listReplays),
	"CancelReplay":           op(cancelReplay),
	"CreateConnection":       op(createConnection),
	"DescribeConnection":     op(describeConnection),
	"UpdateConnection":       op(updateConnection),
	"DeleteConnection":       op(deleteConnection),
	"DeauthorizeConnection":  op(deauthorizeConnection),
	"ListConnections":        op(listConnections),
	"CreateApiDestination":   op(createAPIDestination),
	"DescribeApiDestination": op(describeAPIDestination),
	"UpdateApiDestination":   op(updateAPIDestination),
	"DeleteApiDestination":   op(deleteAPIDestination),
	"ListApiDestinations":    op(listAPIDestinations),

	// resource policies: no IAM here
	"PutPermission":    unsupported("PutPermission"),
	"RemovePermission": unsupported("RemovePermission"),
	// partner event sources: no SaaS partners here
	"ActivateEventSource":            unsupported("ActivateEventSource"),
	"DeactivateEventSource":          unsupported("DeactivateEventSource"),
	"CreatePartnerEventSource":       unsupported("CreatePartnerEventSource"),
	"DeletePartnerEventSource":       unsupported("DeletePartnerEventSource"),
	"DescribeEventSource":            unsupported("DescribeEventSource"),
	"DescribePartnerEventSource":     unsupported("DescribePartnerEventSource"),
	"ListEventSources":               unsupported("ListEventSources"),
	"ListPartnerEventSourceAccounts": unsupported("ListPartnerEventSourceAccounts"),
	"ListPartnerEventSources":        unsupported("ListPartnerEventSources"),
	"PutPartnerEvents":               unsupported("PutPartnerEvents"),
	// global endpoints: one region here
	"CreateEndpoint":   unsupported("CreateEndpoint"),
	"DeleteEndpoint":   unsupported("DeleteEndpoint"),
	"DescribeEndpoint": unsupported("DescribeEndpoint"),
	"ListEndpoints":    unsupported("ListEndpoints"),
	"UpdateEndpoint":   unsupported("UpdateEndpoint"),
}}

// Actions lists the API's actions and whether each is supported, for the
// compatibility table.
func Actions() map[string]bool {
	m := make(map[string]bool, len(service.Actions))
	for name := range service.Actions {
		m[name] = true
	}
	for _, name := range unsupportedActions {
		m[name] = false
	}
	return m
}

var unsupportedActions = []string{"PutPermission", "RemovePermission", "ActivateEventSource", "DeactivateEventSource",
	"CreatePartnerEventSource", "DeletePartnerEventSource", "DescribeEventSource", "DescribePartnerEventSource",
	"ListEventSources", "ListPartnerEventSourceAccounts", "ListPartnerEventSources", "PutPartnerEvents",
	"CreateEndpoint", "DeleteEndpoint", "DescribeEndpoint", "ListEndpoints", "UpdateEndpoint"}

// Served is the gin context key set on a request EventBridge's API took,
// for the gateway's panic handler to answer in its shape.
const Served = "signalbox.events"

// IsJSON reports whether r is a request of EventBridge's API.
func IsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// Handle serves one request: bounded body, caller, action, answer.
func (s *API) Handle(c *gin.Context) {
	c.Set(Served, true)
	c.Header("x-amzn-RequestId", awsproto.NewRequestID())
	target := c.GetHeader("X-Amz-Target")
	nameSpan(c, strings.TrimPrefix(target, TargetPrefix))
	out, err := s.call(c, target)
	if err == nil {
		var body []byte
		if body, err = json.Marshal(out); err == nil {
			c.Data(http.StatusOK, ContentType, body)
			return
		}
	}
	s.writeError(c, target, err)
}

func (s *API) call(c *gin.Context, target string) (any, error) {
	body, err := awsproto.ReadBody(c.Request, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(c.Request, body); err != nil {
			return nil, err
		}
	}
	a, err := service.Action(target, c.GetHeader("Content-Type"))
	if err != nil {
		return nil, err
	}
	return a(s, context.WithValue(c.Request.Context(), traceKey{}, integrations.TraceContextOfRequest(c.Request.Context(), c.Request.Header)), body)
}

// traceKey is the context key of the request's trace context
// (integrations.TraceContextOfRequest), for PutEvents's entries.
type traceKey struct{}

// writeError renders err in AWS's shape and logs it; the detail of an
// internal error is for the log only.
func (s *API) writeError(c *gin.Context, target string, err error) {
	ae := toAWSError(err)
	id := c.Writer.Header().Get("x-amzn-RequestId")
	if ae.Status >= 500 {
		s.opts.Logger.Error("events request failed", "target", target, "requestId", id, "status", ae.Status, "type", ae.Code, "err", err)
		switch ae.Code {
		case excInternal:
			ae = &awsproto.Error{Status: ae.Status, Code: ae.Code, Message: "An internal error occurred (request id " + id + "): the server's log has the details."}
		case awsproto.ServiceUnavailable:
			ae = &awsproto.Error{Status: ae.Status, Code: ae.Code, Message: "The service is unavailable: its store did not answer (request id " + id + "). Try again later."}
		}
	} else {
		s.opts.Logger.Info("events request failed", "target", target, "requestId", id, "status", ae.Status, "type", ae.Code, "message", ae.Message)
	}
	c.Data(ae.Status, ContentType, awsproto.JSONErrorBody(ae))
}

// WriteInternalError answers a request of EventBridge's that panicked.
func WriteInternalError(c *gin.Context, id string) {
	c.Data(http.StatusInternalServerError, ContentType, awsproto.JSONErrorBody(&awsproto.Error{Code: excInternal,
		Message: "An internal error occurred (request id " + id + "): the server's log has the details."}))
}

// nameSpan names the request's server span after its action
// ("POST / PutEvents").
func nameSpan(c *gin.Context, name string) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		return
	}
	span.SetName(c.Request.Method + " / " + name)
	span.SetAttributes(attribute.String("http.route", "/"), attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", "EventBridge"), attribute.String("rpc.method", name))
}

// b is the bus router.
func (s *API) b() *bus.Service { return s.opts.Buses }

// epoch is a timestamp as the protocol writes it.
type epoch = awsproto.Epoch

func at(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := awsproto.At(t)
	return &e
}

// tag is a tag as the API carries it.
type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// tagMap is tags as a map; a repeated key is a ValidationException.
func tagMap(tags []tag) (map[string]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, ok := m[t.Key]; ok {
			return nil, awsproto.Errorf(awsproto.Validation, "The tag key %q is given more than once.", t.Key)
		}
		m[t.Key] = t.Value
	}
	return m, nil
}

func tagList(m map[string]string) []tag {
	out := make([]tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tag{Key: k, Value: m[k]})
	}
	return out
}
