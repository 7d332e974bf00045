// Package topic is the topic router: Amazon SNS's semantics (standard and
// FIFO topics, subscriptions with filter policies, durable fanout to the
// built-in queues, to http/https webhooks and to state machine executions)
// on the store, with its own keys (store/keys.go) and scripts
// (store/topic*.go).
//
// The Service speaks in ARNs and AWS's attribute names; it knows no wire
// protocol: gateway/sns decodes the query protocol into these calls and
// renders their answers, and the sns:publish task integration (Handler)
// calls Publish. Errors are *Error with SNS's error codes (NotFound,
// InvalidParameter, AuthorizationError, ...).
//
// A publish is acknowledged once it is in Redis: one script writes the
// message and one delivery record per matching subscription, each
// delivered at least once from then on, by the publishing process at once
// or, if it dies, by any process after the delivery's lease ends
// (docs/topic.md).
package topic

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
)

// Config is what a Service needs besides its store.
type Config struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"
	// Now is the clock every time-dependent rule reads (leases, retries,
	// the FIFO dedup window); time.Now when nil.
	Now func() time.Time
	// Queues delivers to sqs subscriptions (the built-in queue router).
	// Without it, sqs subscriptions are refused.
	Queues *queue.Service
	// Host starts executions for the executions protocol (ProtocolStates).
	// Without it, such subscriptions are refused. Set later with SetHost
	// when the runtime is built after the Service.
	Host integrations.Host
	// Functions invokes the functions of lambda subscriptions
	// (function.Target). Without it, such subscriptions are refused. Set
	// later with SetFunctions when it is built after the Service.
	Functions Functions
	// HTTPClient posts to http/https subscribers; a client with a 15 s
	// timeout (AWS's) when nil.
	HTTPClient *http.Client
	// PublicURL is where subscribers reach this server: the base of
	// SubscribeURL, UnsubscribeURL and SigningCertURL in the messages
	// (http://127.0.0.1:8080 when empty).
	PublicURL string
	// Meter, when set, counts deliveries per subscription and outcome
	// (signalbox.topic.deliveries).
	Meter metric.Meter
	// MaxTopics bounds the topics of the store (DefaultMaxTopics when 0):
	// a CreateTopic past it fails with TopicLimitExceeded.
	MaxTopics int
	// DeliveryLease is how long a process holds a delivery it makes before
	// another may take it over (DefaultDeliveryLease when 0): after a
	// crash, the deliveries it held are made by another process (or by it,
	// restarted) once their lease ends.
	DeliveryLease time.Duration
	// Tracer, when set, makes a span of each delivery of a traced message
	// (trace.go).
	Tracer trace.Tracer
	// Logger receives a line per delivery given up; slog.Default() when nil.
	Logger *slog.Logger
	// NoDirectFanout sends every delivery by the delivery path, also
	// where a publish could write into the subscribed queues itself
	// (direct fanout, sqs.go): to compare the two, and for tests of the
	// delivery path.
	NoDirectFanout bool
}

// The subscription protocols. AWS's sms, email, email-json, application
// and firehose are refused as not supported.
const (
	ProtocolSQS   = "sqs"
	ProtocolHTTP  = "http"
	ProtocolHTTPS = "https"
	// ProtocolLambda: the endpoint is a function's ARN, invoked
	// asynchronously with SNS's Lambda event for each message.
	ProtocolLambda = "lambda"
	// ProtocolStates is Signalbox's own: the endpoint is a state machine
	// ARN, and each delivery starts an execution of it with the message
	// (the JSON envelope, or with RawMessageDelivery the message itself,
	// as JSON when it parses, else as a string) as input. The execution's
	// name is derived from the message and the subscription, so a repeated
	// delivery starts no second execution.
	ProtocolStates = "states"
)

// Topic names a topic.
type Topic struct {
	Name string
	ARN  string
	FIFO bool
}

// CreateTopicInput is CreateTopic's request.
type CreateTopicInput struct {
	Name                 string
	Attributes           map[string]string // AWS's attribute names → values
	Tags                 map[string]string
	DataProtectionPolicy string
}

// ListOutput is a page of ARNs (ListTopics).
type ListOutput struct {
	ARNs      []string
	NextToken string
}

// SubscribeInput is Subscribe's request.
type SubscribeInput struct {
	TopicARN              string
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionARN bool
}

// Subscription is one subscription as ListSubscriptions shows it.
// SubscriptionARN is "PendingConfirmation" until an http/https
// subscription is confirmed.
type Subscription struct {
	SubscriptionARN string
	Owner           string
	Protocol        string
	Endpoint        string
	TopicARN        string
}

// SubscriptionsOutput is a page of subscriptions.
type SubscriptionsOutput struct {
	Subscriptions []Subscription
	NextToken     string
}

// MessageAttribute is a message attribute: DataType String, String.Array,
// Number or Binary (a custom type may follow a dot).
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// PublishInput is one message to publish (Publish, or one entry of
// PublishBatch, with ID its entry id).
type PublishInput struct {
	ID               string
	TopicARN         string // Publish: TopicArn or TargetArn; PublishBatch: the batch's
	Message          string
	Subject          string
	MessageStructure string // "json": Message is an object of per-protocol messages
	Attributes       map[string]MessageAttribute
	GroupID          string // MessageGroupId
	DedupID          string // MessageDeduplicationId
	// Trace is the publisher's trace context, carried to every delivery.
	Trace integrations.TraceContext
}

// PublishResult is a published message (or a batch entry's outcome, Err
// set when that entry failed).
type PublishResult struct {
	ID             string
	MessageID      string
	SequenceNumber string // FIFO topics only
	Err            *Error
}

// Error is an SNS error: Code as AWS spells it ("NotFound",
// "InvalidParameter", "AuthorizationError", "InternalError", ...), and the
// HTTP status it answers with.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Sender reports whether the caller is at fault (an HTTP status under 500):
// the query protocol's <Type>Sender</Type>, else Receiver.
func (e *Error) Sender() bool { return e.Status < 500 }

// The Service's methods, grouped as SNS's API groups them.
var _ interface {
	CreateTopic(ctx context.Context, in *CreateTopicInput) (*Topic, error)
	DeleteTopic(ctx context.Context, topicARN string) error
	ListTopics(ctx context.Context, nextToken string) (*ListOutput, error)
	GetTopicAttributes(ctx context.Context, topicARN string) (map[string]string, error)
	SetTopicAttribute(ctx context.Context, topicARN, name, value string) error

	// Subscribe returns the subscription's ARN, or "pending confirmation"
	// for an http/https subscription not yet confirmed (unless
	// ReturnSubscriptionARN).
	Subscribe(ctx context.Context, in *SubscribeInput) (string, error)
	ConfirmSubscription(ctx context.Context, topicARN, token string, authenticateOnUnsubscribe bool) (string, error)
	Unsubscribe(ctx context.Context, subscriptionARN string) error
	ListSubscriptions(ctx context.Context, nextToken string) (*SubscriptionsOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, topicARN, nextToken string) (*SubscriptionsOutput, error)
	GetSubscriptionAttributes(ctx context.Context, subscriptionARN string) (map[string]string, error)
	SetSubscriptionAttribute(ctx context.Context, subscriptionARN, name, value string) error

	// Publish publishes one message; PublishBatch up to 10, each entry's
	// outcome in its result (the error only for the whole request).
	Publish(ctx context.Context, in *PublishInput) (*PublishResult, error)
	PublishBatch(ctx context.Context, topicARN string, entries []PublishInput) ([]PublishResult, error)

	TagResource(ctx context.Context, arn string, tags map[string]string) error
	UntagResource(ctx context.Context, arn string, keys []string) error
	ListTags(ctx context.Context, arn string) (map[string]string, error)

	// SigningCertPath is the path (under PublicURL) of the certificate
	// that signs messages; SigningCert its PEM.
	SigningCertPath() string
	SigningCert(ctx context.Context) ([]byte, error)
} = (*Service)(nil)
