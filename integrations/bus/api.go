// Package bus is the bus router: Amazon EventBridge's semantics (event
// buses, rules on event patterns and schedules, targets with their input
// shaping, retry policies and dead-letter queues, archives and replays,
// connections and API destinations) on the store, with its own keys
// (store/keys.go) and scripts (store/bus*.go).
//
// The Service speaks in names, ARNs and AWS's field names; it knows no wire
// protocol: gateway/events decodes EventBridge's AWS JSON 1.1 into these
// calls and renders their answers, and the events:putEvents task
// integration calls PutEvents. Errors are *Error with EventBridge's error
// codes (ResourceNotFoundException, ValidationException,
// InvalidEventPatternException, ...).
//
// The package is built in two planes that meet at the store:
//   - the management plane (buses.go, rules.go, targets.go, archives.go,
//     connections.go, store/bus.go): CRUD with AWS's validation; every
//     change of a bus's rules or targets bumps the bus's version (#ver);
//   - the data plane (putevents.go, view.go, deliver.go, replay.go,
//     schedule.go, store/busevents.go): PutEvents matches the entries
//     against a cached view of the bus's rules (one automaton,
//     pattern.Machine) whose version the put script checks, writes each
//     event and one delivery per matching target in one script, and
//     delivers them durably (docs/bus.md).
package bus

import (
	"context"
	"encoding/json"
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// The rule states AWS has.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	// StateEnabledWithCloudTrail is accepted and means ENABLED: there is no
	// CloudTrail here.
	StateEnabledWithCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// DefaultBus is the bus that always exists.
const DefaultBus = "default"

// Rule is a rule as the store keeps it and DescribeRule shows it, with its
// targets (ListTargetsByRule). JSON field names are AWS's.
type Rule struct {
	Name               string    `json:"Name"`
	Arn                string    `json:"Arn"`
	EventBusName       string    `json:"EventBusName"`
	EventPattern       string    `json:"EventPattern,omitempty"`
	ScheduleExpression string    `json:"ScheduleExpression,omitempty"`
	State              string    `json:"State"`
	Description        string    `json:"Description,omitempty"`
	RoleArn            string    `json:"RoleArn,omitempty"`
	ManagedBy          string    `json:"ManagedBy,omitempty"`
	CreatedBy          string    `json:"CreatedBy,omitempty"`
	CreatedAt          time.Time `json:"CreatedAt"` // when the rule was first put: a rate() schedule counts from it
	Targets            []Target  `json:"Targets,omitempty"`
}

// Target is one target of a rule (PutTargets), AWS's fields. Arn names the
// destination: a queue, a topic, a state machine, a bus, an API destination
// (and a function when functions arrive); others are refused as not
// supported when put.
type Target struct {
	ID               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            string            `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	InputTransformer *InputTransformer `json:"InputTransformer,omitempty"`
	SqsParameters    *SqsParameters    `json:"SqsParameters,omitempty"`
	HTTPParameters   *HTTPParameters   `json:"HttpParameters,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
}

// InputTransformer shapes a target's input (integrations/bus/transform).
type InputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

// SqsParameters: a FIFO queue target's message group.
type SqsParameters struct {
	MessageGroupID string `json:"MessageGroupId,omitempty"`
}

// HTTPParameters: an API destination's path parameters, headers and query.
type HTTPParameters struct {
	PathParameterValues   []string          `json:"PathParameterValues,omitempty"`
	HeaderParameters      map[string]string `json:"HeaderParameters,omitempty"`
	QueryStringParameters map[string]string `json:"QueryStringParameters,omitempty"`
}

// DeadLetterConfig names the queue a target's undeliverable events go to.
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// RetryPolicy bounds a target's retries (AWS's defaults: 185 attempts,
// 86,400 s).
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

// PutEventsEntry is one entry of PutEvents, AWS's fields.
type PutEventsEntry struct {
	Source       string    `json:"Source,omitempty"`
	DetailType   string    `json:"DetailType,omitempty"`
	Detail       string    `json:"Detail,omitempty"`
	Resources    []string  `json:"Resources,omitempty"`
	Time         time.Time `json:"Time,omitzero"`
	EventBusName string    `json:"EventBusName,omitempty"` // a name or an ARN; "" is the default bus
	TraceHeader  string    `json:"TraceHeader,omitempty"`  // an X-Ray trace header (or a W3C traceparent)
	// Trace is the caller's trace context (the request's, or the
	// execution's for events:putEvents), carried to every delivery; an
	// entry's TraceHeader, its own, is used instead when given.
	Trace integrations.TraceContext `json:"-"`
}

// PutEventsResult is one entry's outcome: EventID, or ErrorCode and
// ErrorMessage as AWS gives them per entry.
type PutEventsResult struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// Event is the envelope EventBridge delivers and matches patterns
// against: the JSON document rules and targets see.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"` // RFC 3339, seconds, UTC ("2006-01-02T15:04:05Z")
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	// ReplayName is set on an event a replay sends again.
	ReplayName string `json:"replay-name,omitempty"`
}

// Error is an EventBridge error: Code as AWS spells it
// ("ResourceNotFoundException", "ValidationException",
// "ResourceAlreadyExistsException", "InvalidEventPatternException",
// "ConcurrentModificationException", "LimitExceededException",
// "IllegalStatusException", "InternalException", ...) and the HTTP status.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Observer sees every event a bus accepted (the schema registry's
// discoverers, integrations/schemas): called after the put, off the
// caller's path, with the events of one put; it must not block.
type Observer interface {
	ObserveEvents(ctx context.Context, busARN string, events [][]byte)
}
