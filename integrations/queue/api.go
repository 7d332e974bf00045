// Package queue is the queue router: Amazon SQS's semantics (standard and
// FIFO queues, visibility timeouts, delays, retention, long polling,
// dead-letter queues and message-move tasks) on the store, with its own
// keys (store/keys.go) and scripts (store/queue*.go).
//
// The Service speaks in queue names and AWS's attribute names; it knows no
// wire protocol: gateway/sqs decodes AWS JSON 1.0 and the query protocol
// into these calls and renders their answers, and the sqs:sendMessage task
// integration (Handler) calls Send. Errors are *Error with SQS's error
// codes as the JSON protocol spells them (QueueDoesNotExist,
// ReceiptHandleIsInvalid, ...); the gateway maps them to the query
// protocol's spellings.
package queue

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/signalbox/signalbox/store"
)

// Config is what a Service needs besides its store.
type Config struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"
	// Now is the clock every time-dependent rule reads (visibility,
	// delays, retention, the dedup window); time.Now when nil. Tests
	// inject one to expire retention without waiting.
	Now func() time.Time
	// Limits bound what each queue holds and each script call's work
	// (store.DefaultQueueLimits where zero).
	Limits store.QueueLimits
	// MaxQueues bounds the queues of the store (DefaultMaxQueues when 0):
	// a CreateQueue past it fails with OverLimit. Checked before the
	// create, not with it: concurrent creates may pass it by a few.
	MaxQueues int
	// Meter, when set, counts the messages sent, received and deleted
	// per queue (signalbox.queue.messages).
	Meter metric.Meter
	// MaxLongPolls bounds the long polls blocked at once (each holds a
	// connection of the store's blocking pool): DefaultMaxLongPolls when
	// 0. A long poll past it waits for a slot, within its wait time.
	MaxLongPolls int
}

// Queue names a queue: its name and ARN
// (arn:aws:sqs:<region>:<account>:<name>).
type Queue struct {
	Name string
	ARN  string
	FIFO bool
}

// CreateInput is CreateQueue's request.
type CreateInput struct {
	Name       string
	Attributes map[string]string // AWS's attribute names → values, as the API takes them
	Tags       map[string]string
}

// ListInput is ListQueues's request.
type ListInput struct {
	Prefix     string
	MaxResults int    // 0: no pagination (AWS returns up to 1,000)
	NextToken  string // from a previous page
}

// ListOutput is a page of ListQueues (and of ListDeadLetterSourceQueues).
type ListOutput struct {
	Names     []string
	NextToken string
}

// MessageAttribute is a message attribute's value: DataType is String,
// Number or Binary, optionally with a custom type after a dot
// ("Number.float", "Binary.gif").
type MessageAttribute struct {
	DataType    string
	StringValue string // for String and Number
	BinaryValue []byte // for Binary
}

// SendInput is one message to send (SendMessage, or one entry of
// SendMessageBatch).
type SendInput struct {
	ID           string // the batch entry's Id; "" for SendMessage
	Body         string
	DelaySeconds *int // nil: the queue's DelaySeconds
	Attributes   map[string]MessageAttribute
	// SystemAttributes are the message system attributes a sender may set:
	// AWSTraceHeader only, as in AWS.
	SystemAttributes map[string]MessageAttribute
	GroupID          string // MessageGroupId (FIFO queues; and fair queues on standard ones)
	DedupID          string // MessageDeduplicationId (FIFO queues)
	// SenderID is the SenderId system attribute (the caller's access key
	// id or principal); "" means Config.AccountID.
	SenderID string
}

// SendResult is a sent message (or, in a batch, one entry's outcome: Err
// set when that entry failed).
type SendResult struct {
	ID                    string // the batch entry's Id
	MessageID             string
	MD5OfBody             string
	MD5OfAttributes       string // "" when the message has none
	MD5OfSystemAttributes string // "" when the message has none
	SequenceNumber        string // FIFO queues only
	Err                   *Error
}

// ReceiveInput is ReceiveMessage's request.
type ReceiveInput struct {
	MaxMessages       int  // 1..10; 0 means 1
	VisibilityTimeout *int // nil: the queue's
	WaitTimeSeconds   *int // nil: the queue's ReceiveMessageWaitTimeSeconds; 0..20
	// AttributeNames are the system attributes to return ("All",
	// "SentTimestamp", "ApproximateReceiveCount", ...): both of AWS's
	// AttributeNames and MessageSystemAttributeNames, merged.
	AttributeNames []string
	// MessageAttributeNames are the message attributes to return: names,
	// "All" or ".*", or prefixes ending in ".*".
	MessageAttributeNames   []string
	ReceiveRequestAttemptID string // FIFO queues
}

// Message is a received message.
type Message struct {
	MessageID              string
	ReceiptHandle          string
	Body                   string
	MD5OfBody              string
	MD5OfMessageAttributes string            // over the attributes returned; "" when none
	Attributes             map[string]string // system attributes asked for
	MessageAttributes      map[string]MessageAttribute
}

// HandleEntry is one entry of DeleteMessageBatch or
// ChangeMessageVisibilityBatch (ID "" outside a batch).
type HandleEntry struct {
	ID                string
	ReceiptHandle     string
	VisibilityTimeout int // ChangeMessageVisibility only
}

// BatchResult is one entry's outcome in a batch of handles: Err nil on
// success.
type BatchResult struct {
	ID  string
	Err *Error
}

// MoveTaskInput is StartMessageMoveTask's request.
type MoveTaskInput struct {
	SourceARN                    string // a dead-letter queue
	DestinationARN               string // "": each message's original source queue
	MaxNumberOfMessagesPerSecond int    // 0: as fast as the system allows (AWS: up to 500)
}

// MoveTask is one message-move task, as ListMessageMoveTasks shows it.
type MoveTask struct {
	TaskHandle                        string // "" once the task has ended
	Status                            string // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
	SourceARN                         string
	DestinationARN                    string
	MaxNumberOfMessagesPerSecond      int
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	FailureReason                     string
	StartedTimestamp                  time.Time
}

// Error is an SQS error: Code as the AWS JSON protocol spells it
// ("QueueDoesNotExist", "ReceiptHandleIsInvalid", "InvalidParameterValue",
// "BatchEntryIdsNotDistinct", "TooManyEntriesInBatchRequest", ...), and
// whether the sender is at fault (HTTP 400) or the server (500).
type Error struct {
	Code    string
	Message string
	Server  bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The Service's methods, grouped as SQS's API groups them. Every method
// takes a queue by name; gateway/sqs resolves queue URLs to names.
var _ interface {
	CreateQueue(ctx context.Context, in *CreateInput) (*Queue, error)
	GetQueue(ctx context.Context, name string) (*Queue, error)
	DeleteQueue(ctx context.Context, name string) error
	ListQueues(ctx context.Context, in *ListInput) (*ListOutput, error)
	GetAttributes(ctx context.Context, name string, names []string) (map[string]string, error)
	SetAttributes(ctx context.Context, name string, attrs map[string]string) error
	TagQueue(ctx context.Context, name string, tags map[string]string) error
	UntagQueue(ctx context.Context, name string, keys []string) error
	ListTags(ctx context.Context, name string) (map[string]string, error)
	PurgeQueue(ctx context.Context, name string) error

	// Send sends one message (SendMessage: one input, an error returned
	// for it) or a batch (SendMessageBatch: each entry's outcome in its
	// result; the error only for the whole request).
	Send(ctx context.Context, name string, msgs []SendInput) ([]SendResult, error)
	Receive(ctx context.Context, name string, in *ReceiveInput) ([]Message, error)
	Delete(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error)
	ChangeVisibility(ctx context.Context, name string, entries []HandleEntry) ([]BatchResult, error)

	DeadLetterSources(ctx context.Context, name string, in *ListInput) (*ListOutput, error)
	StartMoveTask(ctx context.Context, in *MoveTaskInput) (handle string, err error)
	ListMoveTasks(ctx context.Context, sourceARN string, max int) ([]MoveTask, error)
	CancelMoveTask(ctx context.Context, handle string) (moved int64, err error)
} = (*Service)(nil)
