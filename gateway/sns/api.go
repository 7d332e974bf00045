// Package sns is Amazon SNS's API on the topic router (integrations/topic),
// in SNS's one wire protocol, the query protocol, so that the official SDKs
// and CLIs work against Signalbox with only an endpoint override: a form
// Action=<Action>&Version=2010-03-31&... POSTed to / (or a GET with the form
// in its query string: a subscriber's SubscribeURL and UnsubscribeURL are
// such GETs), answered in XML in SNS's namespace.
//
// Each action is one function from its request struct (decoded by its query
// tags, awsproto.DecodeQuery) to its result struct (encoded by its xml tags),
// registered in the action table below, which holds every action of SNS's
// API: those Signalbox does not implement answer that they are not
// supported. Errors of the topic router become SNS's in one function
// (errors.go).
package sns

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/topic"
)

// Topics is what the API needs of the topic router: *topic.Service's
// methods (integrations/topic/api.go), named here so that the wire can be
// tested on its own.
type Topics interface {
	CreateTopic(ctx context.Context, in *topic.CreateTopicInput) (*topic.Topic, error)
	DeleteTopic(ctx context.Context, topicARN string) error
	ListTopics(ctx context.Context, nextToken string) (*topic.ListOutput, error)
	GetTopicAttributes(ctx context.Context, topicARN string) (map[string]string, error)
	SetTopicAttribute(ctx context.Context, topicARN, name, value string) error
	Subscribe(ctx context.Context, in *topic.SubscribeInput) (string, error)
	ConfirmSubscription(ctx context.Context, topicARN, token string, authenticateOnUnsubscribe bool) (string, error)
	Unsubscribe(ctx context.Context, subscriptionARN string) error
	// UnsubscribeByURL is an unsigned Unsubscribe (a subscriber's GET of
	// its UnsubscribeURL): refused with AuthorizationError (403) for a
	// subscription confirmed with AuthenticateOnUnsubscribe.
	UnsubscribeByURL(ctx context.Context, subscriptionARN string) error
	ListSubscriptions(ctx context.Context, nextToken string) (*topic.SubscriptionsOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, topicARN, nextToken string) (*topic.SubscriptionsOutput, error)
	GetSubscriptionAttributes(ctx context.Context, subscriptionARN string) (map[string]string, error)
	SetSubscriptionAttribute(ctx context.Context, subscriptionARN, name, value string) error
	Publish(ctx context.Context, in *topic.PublishInput) (*topic.PublishResult, error)
	PublishBatch(ctx context.Context, topicARN string, entries []topic.PublishInput) ([]topic.PublishResult, error)
	TagResource(ctx context.Context, arn string, tags map[string]string) error
	UntagResource(ctx context.Context, arn string, keys []string) error
	ListTags(ctx context.Context, arn string) (map[string]string, error)
	DataProtectionPolicy(ctx context.Context, topicARN string) (string, error)
	SetDataProtectionPolicy(ctx context.Context, topicARN, policy string) error
}

var _ Topics = (*topic.Service)(nil)

// Options configure the API.
type Options struct {
	// Topics carries out the actions.
	Topics Topics
	// Logger receives one line per failed request; default slog.Default().
	Logger *slog.Logger
	// Authorize, when set, checks the caller of every request before its
	// action (the gateway's keys and SigV4 credentials, signing service
	// sns): an error of awsproto's is the answer. Nil lets everyone in.
	// The exceptions are a subscriber's GETs of its SubscribeURL
	// (ConfirmSubscription: the token is the secret) and UnsubscribeURL
	// (Unsubscribe, refused for a subscription that requires
	// authentication) that carry no credentials, as AWS lets them in.
	Authorize func(r *http.Request, body []byte) error
}

// API serves SNS's API over one topic router.
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
	// Version is the API version the requests name.
	Version = "2010-03-31"
	// XMLNS is the namespace of the answers.
	XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"
)

// MaxBodyBytes bounds an SNS request's body. The largest valid request is
// a publish: 256 KiB (262,144 bytes) of message and message attributes
// (names, types and values together), for Publish and for a whole
// PublishBatch alike. The form encoding writes every byte that is not
// unreserved as %XX (3x: a character outside ASCII is 2 to 4 bytes, each
// %XX); a binary attribute is base64 (4/3), whose '+', '/' and '=' the form
// writes as %XX again: at most 4x, 1 MiB. The rest of the largest request
// fits in 64 KiB: a batch's ten entries of ten attributes each spell their
// parameter names in about 80 bytes
// (PublishBatchRequestEntries.member.10.MessageAttributes.entry.10.Value.StringValue),
// 4 per attribute, 32 KiB; ids (80), group and deduplication ids (128
// each), subjects (100) and the topic ARN are small. The largest other
// request fits in the same bound: a subscription's filter policy (256 KiB
// of UTF-8 JSON at most, AWS's filter policy constraints) is at most 768
// KiB in the form; a topic's policy and data protection policy (30 KiB
// each) at most 90 KiB each.
const MaxBodyBytes = 1<<20 + 64<<10

// action is one action of the API.
type action func(s *API, ctx context.Context, params url.Values) (any, error)

// op adapts a handler of typed request and result to an action, the
// request decoded by its query tags.
func op[In, Out any](f func(*API, context.Context, *In) (*Out, error)) action {
	return func(s *API, ctx context.Context, params url.Values) (any, error) {
		in := new(In)
		if err := awsproto.DecodeQuery(params, in); err != nil {
			return nil, err
		}
		return f(s, ctx, in)
	}
}

// unsupported answers an action of SNS's API that Signalbox does not
// implement: InvalidAction (400, Sender: no SDK retries it), as AWS answers
// an SNS action a region does not offer ("InvalidAction: Operation
// (ListPlatformApplications) is not supported in this region"), the
// message naming the action and why. SNS models no "unsupported
// operation" error of its own (SQS's UnsupportedOperation is SQS's).
func unsupported(name, why string) action {
	return func(*API, context.Context, url.Values) (any, error) {
		return nil, errorf("InvalidAction", "Operation (%s) is not supported by Signalbox: %s.", name, why)
	}
}

// The reasons of the unsupported actions.
const (
	whySMS    = "SMS is not supported: publish to a topic"
	whyPush   = "mobile push (platform applications and endpoints) is not supported"
	whyPolicy = "topic policies are not enforced"
)

// actions is SNS's API by action name: every action of the 2010-03-31 API
// (aws-sdk-go-v2/service/sns v1.48.0), those of unsupportedActions
// answering InvalidAction.
var actions = map[string]action{
	"CreateTopic":               op(createTopic),
	"DeleteTopic":               op(deleteTopic),
	"ListTopics":                op(listTopics),
	"GetTopicAttributes":        op(getTopicAttributes),
	"SetTopicAttributes":        op(setTopicAttributes),
	"Subscribe":                 op(subscribe),
	"ConfirmSubscription":       op(confirmSubscription),
	"Unsubscribe":               op(unsubscribe),
	"ListSubscriptions":         op(listSubscriptions),
	"ListSubscriptionsByTopic":  op(listSubscriptionsByTopic),
	"GetSubscriptionAttributes": op(getSubscriptionAttributes),
	"SetSubscriptionAttributes": op(setSubscriptionAttributes),
	"Publish":                   op(publish),
	"PublishBatch":              op(publishBatch),
	"TagResource":               op(tagResource),
	"UntagResource":             op(untagResource),
	"ListTagsForResource":       op(listTagsForResource),
	"GetDataProtectionPolicy":   op(getDataProtectionPolicy),
	"PutDataProtectionPolicy":   op(putDataProtectionPolicy),
}

// unsupportedActions are the actions Signalbox does not implement, and
// why.
var unsupportedActions = map[string]string{
	// AddPermission and RemovePermission edit the topic's Policy
	// attribute, which nothing enforces: granting through them would
	// promise an access control that is not there (SQS's API refuses its
	// own for the same reason).
	"AddPermission":    whyPolicy,
	"RemovePermission": whyPolicy,

	"CheckIfPhoneNumberIsOptedOut": whySMS,
	"CreateSMSSandboxPhoneNumber":  whySMS,
	"DeleteSMSSandboxPhoneNumber":  whySMS,
	"GetSMSAttributes":             whySMS,
	"GetSMSSandboxAccountStatus":   whySMS,
	"ListOriginationNumbers":       whySMS,
	"ListPhoneNumbersOptedOut":     whySMS,
	"ListSMSSandboxPhoneNumbers":   whySMS,
	"OptInPhoneNumber":             whySMS,
	"SetSMSAttributes":             whySMS,
	"VerifySMSSandboxPhoneNumber":  whySMS,

	"CreatePlatformApplication":          whyPush,
	"CreatePlatformEndpoint":             whyPush,
	"DeleteEndpoint":                     whyPush,
	"DeletePlatformApplication":          whyPush,
	"GetEndpointAttributes":              whyPush,
	"GetPlatformApplicationAttributes":   whyPush,
	"ListEndpointsByPlatformApplication": whyPush,
	"ListPlatformApplications":           whyPush,
	"SetEndpointAttributes":              whyPush,
	"SetPlatformApplicationAttributes":   whyPush,
}

func init() {
	for name, why := range unsupportedActions {
		actions[name] = unsupported(name, why)
	}
}

// Actions lists the API's actions and whether each is supported, for the
// compatibility table.
func Actions() map[string]bool {
	m := make(map[string]bool, len(actions))
	for name := range actions {
		_, no := unsupportedActions[name]
		m[name] = !no
	}
	return m
}

// t is the topic router.
func (s *API) t() Topics { return s.opts.Topics }

// Served is the gin context key set on a request SNS's API took, for the
// gateway's panic handler to answer in SNS's shape.
const Served = "signalbox.sns"

// nameSpan names the request's server span after its route and action
// ("POST / Publish"), as the gateway names Step Functions' and SQS's.
func nameSpan(c *gin.Context, route, name string) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		return
	}
	span.SetName(c.Request.Method + " " + route + " " + name)
	span.SetAttributes(attribute.String("http.route", route), attribute.String("rpc.system", "aws-api"),
		attribute.String("rpc.service", "SNS"), attribute.String("rpc.method", name))
}

// WriteInternalError answers a request of SNS's that panicked as
// InternalError with the request id.
func WriteInternalError(c *gin.Context, id string) {
	writeError(c, &snsError{code: "InternalError", status: http.StatusInternalServerError,
		message: "An internal error occurred (request id " + id + "): the server's log has the details."}, id)
}
