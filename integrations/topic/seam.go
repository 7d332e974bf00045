package topic

import (
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// The seam between the delivery engine (deliver.go: leases, retries, the
// redrive to a dead-letter queue) and the protocols that carry a message
// out (sqs.go, webhook.go, states.go).

// subscription is a subscription as deliveries read it.
type subscription struct {
	ARN      string
	TopicARN string
	Protocol string
	Endpoint string
	// Attributes are the subscription's attributes as AWS names them
	// (RawMessageDelivery, DeliveryPolicy, FilterPolicy,
	// FilterPolicyScope, RedrivePolicy, ...), as set.
	Attributes map[string]string
	Confirmed  bool
	Token      string // the confirmation token (http/https)
}

// message is a published message as every delivery of it carries it.
type message struct {
	ID             string
	TopicARN       string
	Subject        string
	Message        string            // the message for this protocol (MessageStructure json resolved)
	PerProtocol    map[string]string // MessageStructure json: protocol → message ("default" included)
	Attributes     map[string]MessageAttribute
	GroupID        string
	DedupID        string
	SequenceNumber string
	Timestamp      time.Time
	Trace          integrations.TraceContext
	// notes are its Notifications as encoded for its subscriptions
	// (sign.go), shared by them.
	notes notes
}

// envelope is a JSON document SNS sends: a Notification (to sqs without
// RawMessageDelivery, to http/https), a SubscriptionConfirmation or an
// UnsubscribeConfirmation (http/https).
type envelope struct {
	Type           string // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	MessageID      string
	Token          string // confirmations
	TopicARN       string
	Subject        string // Notification, when the publish had one
	Message        string
	SubscribeURL   string // confirmations
	UnsubscribeURL string // Notification
	Timestamp      time.Time
	SequenceNumber string // FIFO topics
	Attributes     map[string]MessageAttribute
}

// outcome is what one delivery attempt came to.
type outcome struct {
	// OK: delivered (or, for a filter that no longer matches, nothing to do).
	OK bool
	// Permanent: a failure that no retry mends (the endpoint is gone, a
	// client error): the message goes to the subscription's dead-letter
	// queue, if it has one, else it is dropped.
	Permanent bool
	// RetryAfter: when not OK and not Permanent, the delay before the next
	// attempt; 0 with Exhausted when the retry policy has no attempt left.
	RetryAfter time.Duration
	Exhausted  bool
	// Reason says why it failed (logs, the DLQ message's attributes).
	Reason string
}
