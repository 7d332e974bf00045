// Package sqs is Amazon SQS's API on the queue router (integrations/queue),
// in both of SQS's wire protocols, so that the official SDKs and CLIs work
// against Signalbox with only an endpoint override:
//
//   - AWS JSON 1.0 (what today's SDKs, boto3 and the AWS CLI speak): POST
//     with X-Amz-Target: AmazonSQS.<Action> and a JSON body;
//   - the query protocol (older SDKs and CLIs): a form Action=<Action>&
//     Version=2012-11-05&..., POSTed to / or to the queue's URL (or a GET
//     with the form in its query string), answered in XML.
//
// Each action is one function from its request struct to its response
// struct, registered in the action table below; the struct's json tags
// name its members in the JSON protocol, its query and xml tags in the
// query protocol, so that one handler serves both. Errors of the queue
// router become SQS's in one function (errors.go), written in either
// protocol's shape.
package sqs

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/queue"
)

// Options configure the API.
type Options struct {
	// Queues carries out the actions.
	Queues *queue.Service
	// AccountID is the account in queue URLs: the queue router's
	// (queue.Config.AccountID).
	AccountID string
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// Authorize, when set, checks the caller of every request before its
	// action (the gateway's keys and SigV4 credentials, signing service
	// sqs): an error of awsproto's is the answer. Nil lets everyone in.
	Authorize func(r *http.Request, body []byte) error
}

// API serves SQS's API over one queue router.
type API struct {
	opts Options
}

// New returns the API.
func New(opts Options) *API {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	return &API{opts: opts}
}

const (
	// TargetPrefix is the JSON protocol's X-Amz-Target prefix.
	TargetPrefix = "AmazonSQS."
	// ContentType is the JSON protocol's content type.
	ContentType = "application/x-amz-json-1.0"
	// Version is the API version the query protocol's requests name.
	Version = "2012-11-05"
	// XMLNS is the namespace of the query protocol's answers.
	XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"
)

// MaxBodyBytes bounds an SQS request's body. A batch carries up to 1 MiB of
// messages (SQS's MaximumMessageSize, bodies and attributes together),
// which the encodings grow: the form encoding writes every byte that is
// not unreserved as %XX (3x); botocore's JSON writes a character outside
// ASCII as \uXXXX, a 4-byte one as a surrogate pair of 12 bytes (3x); a
// binary attribute is base64 (4/3), whose '+', '/' and '=' the form
// encoding writes as %XX again: at most 4x. 4 MiB for the messages and 64
// KiB for the rest of the request (ids, names, the queue URL) bound the
// largest valid batch in either protocol.
const MaxBodyBytes = 4<<20 + 64<<10

// action is one action of the API in both protocols.
type action struct {
	json  func(s *API, ctx context.Context, body []byte) (any, error)
	query func(s *API, ctx context.Context, params url.Values) (any, error)
}

// op adapts a handler of typed request and response to an action: the
// request decoded by its json tags (awsproto.DecodeJSON) or its query tags
// (awsproto.DecodeQuery).
func op[In, Out any](f func(*API, context.Context, *In) (*Out, error)) action {
	return action{
		json: func(s *API, ctx context.Context, body []byte) (any, error) {
			in := new(In)
			if err := awsproto.DecodeJSON(body, in); err != nil {
				return nil, err
			}
			return f(s, ctx, in)
		},
		query: func(s *API, ctx context.Context, params url.Values) (any, error) {
			in := new(In)
			if err := awsproto.DecodeQuery(params, in); err != nil {
				return nil, err
			}
			return f(s, ctx, in)
		},
	}
}

// unsupported answers an action of SQS's API that Signalbox does not
// implement: UnsupportedOperation, SQS's own error, that says so.
func unsupported(name, why string) action {
	fail := func() (any, error) {
		return nil, errorf("UnsupportedOperation", "not supported by Signalbox: the SQS action %s is not implemented (%s)", name, why)
	}
	return action{
		json:  func(*API, context.Context, []byte) (any, error) { return fail() },
		query: func(*API, context.Context, url.Values) (any, error) { return fail() },
	}
}

// actions is SQS's API by action name: every action of the 2012-11-05 API,
// those Signalbox does not implement answering UnsupportedOperation.
var actions = map[string]action{
	"CreateQueue":                  op(createQueue),
	"GetQueueUrl":                  op(getQueueURL),
	"ListQueues":                   op(listQueues),
	"DeleteQueue":                  op(deleteQueue),
	"GetQueueAttributes":           op(getQueueAttributes),
	"SetQueueAttributes":           op(setQueueAttributes),
	"PurgeQueue":                   op(purgeQueue),
	"TagQueue":                     op(tagQueue),
	"UntagQueue":                   op(untagQueue),
	"ListQueueTags":                op(listQueueTags),
	"ListDeadLetterSourceQueues":   op(listDeadLetterSourceQueues),
	"SendMessage":                  op(sendMessage),
	"SendMessageBatch":             op(sendMessageBatch),
	"ReceiveMessage":               op(receiveMessage),
	"DeleteMessage":                op(deleteMessage),
	"DeleteMessageBatch":           op(deleteMessageBatch),
	"ChangeMessageVisibility":      op(changeMessageVisibility),
	"ChangeMessageVisibilityBatch": op(changeMessageVisibilityBatch),
	"StartMessageMoveTask":         op(startMessageMoveTask),
	"ListMessageMoveTasks":         op(listMessageMoveTasks),
	"CancelMessageMoveTask":        op(cancelMessageMoveTask),

	"AddPermission":    unsupported("AddPermission", "queue policies are not enforced"),
	"RemovePermission": unsupported("RemovePermission", "queue policies are not enforced"),
}

// Actions lists the API's actions and whether each is supported, for the
// compatibility table.
func Actions() map[string]bool {
	m := make(map[string]bool, len(actions))
	for name := range actions {
		m[name] = name != "AddPermission" && name != "RemovePermission"
	}
	return m
}

// requestKey is the context key of the HTTP request an action serves: its
// host names the queue URLs of the answer.
type requestKey struct{}

func requestOf(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	if r == nil {
		r = &http.Request{Host: "localhost"}
	}
	return r
}

// urlOf is the URL of the queue name, on the host of the request ctx
// serves.
func (s *API) urlOf(ctx context.Context, name string) string {
	return s.queueURL(requestOf(ctx), name)
}

// q is the queue router.
func (s *API) q() *queue.Service { return s.opts.Queues }

// Served is the gin context key set on a request SQS's API took, for the
// gateway's panic handler to answer in SQS's shape.
const Served = "signalbox.sqs"

// IsQueuePath reports whether path has a queue URL's shape,
// /<account>/<name>.
func IsQueuePath(path string) bool {
	_, _, ok := queuePath(path)
	return ok
}

// IsJSON reports whether r is a request of SQS's JSON protocol.
func IsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// HandleJSON serves a request of the JSON protocol: bounded body, caller,
// action, answer.
func (s *API) HandleJSON(c *gin.Context) {
	c.Set(Served, true)
	c.Header("x-amzn-RequestId", awsproto.NewRequestID())
	name := strings.TrimPrefix(c.GetHeader("X-Amz-Target"), TargetPrefix)
	route := "/"
	if c.Request.URL.Path != "/" {
		route = QueuePathRoute
	}
	nameSpan(c, route, name)
	out, err := s.callJSON(c, name)
	if err == nil {
		var body []byte
		if body, err = json.Marshal(out); err == nil {
			c.Data(http.StatusOK, ContentType, body)
			return
		}
	}
	e := s.logError(c, name, err)
	c.Header("x-amzn-query-error", e.queryHeader())
	body, _ := json.Marshal(map[string]string{"__type": e.jsonType(), "message": e.message})
	c.Data(e.status, ContentType, body)
}

func (s *API) callJSON(c *gin.Context, name string) (any, error) {
	body, err := awsproto.ReadBody(c.Request, MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(c.Request, body); err != nil {
			return nil, err
		}
	}
	a, ok := actions[name]
	if !ok {
		return nil, awsproto.Errorf(awsproto.UnknownOperation, "unknown operation %q", c.GetHeader("X-Amz-Target"))
	}
	if ct := c.GetHeader("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return nil, awsproto.Errorf(awsproto.Serialization, "unsupported content type %q: the SQS JSON protocol takes %s", ct, ContentType)
	}
	return a.json(s, context.WithValue(c.Request.Context(), requestKey{}, c.Request), body)
}

// logError maps err and logs it; the detail of an internal error is for
// the log only, the answer says where to find it.
func (s *API) logError(c *gin.Context, name string, err error) *sqsError {
	e := toSQSError(err)
	id := c.Writer.Header().Get("x-amzn-RequestId")
	if e.status >= 500 {
		s.opts.Logger.Error("sqs request failed", "action", name, "requestId", id, "status", e.status, "code", e.json, "err", err)
		switch e.json {
		case "InternalError":
			e.message = "An internal error occurred (request id " + id + "): the server's log has the details."
		case "ServiceUnavailable":
			e.message = "The service is unavailable: its store did not answer (request id " + id + "). Try again later."
		}
		return e
	}
	s.opts.Logger.Info("sqs request failed", "action", name, "requestId", id, "status", e.status, "code", e.json, "message", e.message)
	return e
}

// nameSpan names the request's server span after its route and action
// ("POST / SendMessage"), as the gateway names Step Functions' (whose
// action its X-Amz-Target header names before the body is read).
func nameSpan(c *gin.Context, route, name string) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		return
	}
	span.SetName(c.Request.Method + " " + route + " " + name)
	span.SetAttributes(attribute.String("http.route", route), attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", "SQS"), attribute.String("rpc.method", name))
}

// WriteInternalError answers a request of SQS's that panicked, in its
// protocol's shape, as InternalError with the request id.
func WriteInternalError(c *gin.Context, id string) {
	e := &sqsError{json: "InternalError", query: "InternalError", status: http.StatusInternalServerError,
		message: "An internal error occurred (request id " + id + "): the server's log has the details."}
	if IsJSON(c.Request) {
		c.Header("x-amzn-query-error", e.queryHeader())
		body, _ := json.Marshal(map[string]string{"__type": e.jsonType(), "message": e.message})
		c.Data(e.status, ContentType, body)
		return
	}
	writeQueryError(c, e, id)
}
