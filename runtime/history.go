package runtime

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/asl"
)

// EventType is a history event's type, as in GetExecutionHistory.
type EventType string

// The history event types the engine writes.
const (
	ExecutionStarted       EventType = "ExecutionStarted"
	ExecutionSucceeded     EventType = "ExecutionSucceeded"
	ExecutionFailed        EventType = "ExecutionFailed"
	ExecutionTimedOut      EventType = "ExecutionTimedOut"
	ExecutionAborted       EventType = "ExecutionAborted"
	TaskScheduled          EventType = "TaskScheduled"
	TaskStarted            EventType = "TaskStarted"
	TaskSucceeded          EventType = "TaskSucceeded"
	TaskFailed             EventType = "TaskFailed"
	TaskTimedOut           EventType = "TaskTimedOut"
	ParallelStateStarted   EventType = "ParallelStateStarted"
	ParallelStateSucceeded EventType = "ParallelStateSucceeded"
	ParallelStateFailed    EventType = "ParallelStateFailed"
	ParallelStateAborted   EventType = "ParallelStateAborted"
	MapStateStarted        EventType = "MapStateStarted"
	MapStateSucceeded      EventType = "MapStateSucceeded"
	MapStateFailed         EventType = "MapStateFailed"
	MapStateAborted        EventType = "MapStateAborted"
	MapIterationStarted    EventType = "MapIterationStarted"
	MapIterationSucceeded  EventType = "MapIterationSucceeded"
	MapIterationFailed     EventType = "MapIterationFailed"
	MapIterationAborted    EventType = "MapIterationAborted"
)

// StateEntered and StateExited name a state kind's entered and exited
// events: PassStateEntered, MapStateExited, ...
func StateEntered(k asl.Kind) EventType { return EventType(string(k) + "StateEntered") }

// StateExited is the exited event of a state kind.
func StateExited(k asl.Kind) EventType { return EventType(string(k) + "StateExited") }

// Event is one history event. Payloads are kept as values and rendered to
// JSON text only when the history is read.
type Event struct {
	ID         int64
	PreviousID int64
	Timestamp  time.Time
	Type       EventType

	Name   string // state name (entered/exited), or Map iteration's Map name
	Input  any
	Output any
	HasIO  bool // Input or Output is set (they may be null)

	Error, Cause string

	ResourceType, Resource string
	Region                 string
	Parameters             any
	TimeoutSeconds         int
	HeartbeatSeconds       int

	Index  int // Map iteration
	Length int // MapStateStarted
}

// history is an execution's append-only event log.
type history struct {
	mu     sync.Mutex
	events []Event
}

// add appends an event, assigning the next id; it returns the id.
func (h *history) add(ev Event) int64 {
	h.mu.Lock()
	ev.ID = int64(len(h.events) + 1)
	h.events = append(h.events, ev)
	h.mu.Unlock()
	return ev.ID
}

func (h *history) snapshot() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events...)
}

// MarshalJSON renders the event as GetExecutionHistory does.
func (ev Event) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(ev.ID, 10))
	b.WriteString(`,"previousEventId":`)
	b.WriteString(strconv.FormatInt(ev.PreviousID, 10))
	b.WriteString(`,"timestamp":`)
	b.WriteString(asl.EncodeJSON(ev.Timestamp.UTC().Format(asl.TimeFormat)))
	b.WriteString(`,"type":`)
	b.WriteString(asl.EncodeJSON(string(ev.Type)))
	key, details := ev.details()
	if key != "" {
		b.WriteString(`,"` + key + `":`)
		b.WriteString(asl.EncodeJSON(details))
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// details returns the name of the event's details field and its value.
func (ev Event) details() (string, map[string]any) {
	payload := func(field string, v any) map[string]any {
		return map[string]any{field: asl.EncodeJSON(v), field + "Details": map[string]any{"truncated": false}}
	}
	errDetails := func() map[string]any {
		d := map[string]any{}
		if ev.Error != "" {
			d["error"] = ev.Error
		}
		if ev.Cause != "" {
			d["cause"] = ev.Cause
		}
		return d
	}
	t := string(ev.Type)
	switch {
	case ev.Type == ExecutionStarted:
		d := payload("input", ev.Input)
		d["roleArn"] = ev.Resource
		return "executionStartedEventDetails", d
	case ev.Type == ExecutionSucceeded:
		return "executionSucceededEventDetails", payload("output", ev.Output)
	case ev.Type == ExecutionFailed:
		return "executionFailedEventDetails", errDetails()
	case ev.Type == ExecutionTimedOut:
		return "executionTimedOutEventDetails", errDetails()
	case ev.Type == ExecutionAborted:
		return "executionAbortedEventDetails", errDetails()
	case strings.HasSuffix(t, "StateEntered"):
		d := payload("input", ev.Input)
		d["name"] = ev.Name
		return "stateEnteredEventDetails", d
	case strings.HasSuffix(t, "StateExited"):
		d := payload("output", ev.Output)
		d["name"] = ev.Name
		return "stateExitedEventDetails", d
	case ev.Type == TaskScheduled:
		d := map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource, "region": ev.Region, "parameters": asl.EncodeJSON(ev.Parameters)}
		if ev.TimeoutSeconds > 0 {
			d["timeoutInSeconds"] = int64(ev.TimeoutSeconds)
		}
		if ev.HeartbeatSeconds > 0 {
			d["heartbeatInSeconds"] = int64(ev.HeartbeatSeconds)
		}
		return "taskScheduledEventDetails", d
	case ev.Type == TaskStarted:
		return "taskStartedEventDetails", map[string]any{"resourceType": ev.ResourceType, "resource": ev.Resource}
	case ev.Type == TaskSucceeded:
		d := payload("output", ev.Output)
		d["resourceType"], d["resource"] = ev.ResourceType, ev.Resource
		return "taskSucceededEventDetails", d
	case ev.Type == TaskFailed, ev.Type == TaskTimedOut:
		d := errDetails()
		d["resourceType"], d["resource"] = ev.ResourceType, ev.Resource
		if ev.Type == TaskFailed {
			return "taskFailedEventDetails", d
		}
		return "taskTimedOutEventDetails", d
	case ev.Type == MapStateStarted:
		return "mapStateStartedEventDetails", map[string]any{"length": int64(ev.Length)}
	case strings.HasPrefix(t, "MapIteration"):
		key := "mapIteration" + strings.TrimPrefix(t, "MapIteration") + "EventDetails"
		return key, map[string]any{"name": ev.Name, "index": int64(ev.Index)}
	case ev.Type == ParallelStateFailed, ev.Type == MapStateFailed:
		return "", nil
	}
	return "", nil
}
