package runtime

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	ExecutionRedriven      EventType = "ExecutionRedriven"
	TaskScheduled          EventType = "TaskScheduled"
	TaskStarted            EventType = "TaskStarted"
	TaskSucceeded          EventType = "TaskSucceeded"
	TaskFailed             EventType = "TaskFailed"
	TaskTimedOut           EventType = "TaskTimedOut"
	TaskSubmitted          EventType = "TaskSubmitted"
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
func StateEntered(k asl.Kind) EventType {
	if t, ok := enteredTypes[k]; ok {
		return t
	}
	return EventType(string(k) + "StateEntered")
}

// StateExited is the exited event of a state kind.
func StateExited(k asl.Kind) EventType {
	if t, ok := exitedTypes[k]; ok {
		return t
	}
	return EventType(string(k) + "StateExited")
}

var enteredTypes, exitedTypes = func() (map[asl.Kind]EventType, map[asl.Kind]EventType) {
	in, out := map[asl.Kind]EventType{}, map[asl.Kind]EventType{}
	for _, k := range []asl.Kind{asl.KindPass, asl.KindTask, asl.KindChoice, asl.KindWait, asl.KindSucceed, asl.KindFail, asl.KindParallel, asl.KindMap} {
		in[k], out[k] = EventType(string(k)+"StateEntered"), EventType(string(k)+"StateExited")
	}
	return in, out
}()

// Event is one history event. Payloads are kept as values and rendered to
// JSON text only when the history is read. The struct is kept small: long
// runs record tens of thousands of events.
type Event struct {
	ID         int64
	PreviousID int64
	Timestamp  time.Time
	Type       EventType
	// Name is the state's name (entered/exited events) or the Map's name
	// (iteration events).
	Name string
	// Payload is the event's input (ExecutionStarted, StateEntered) or
	// output (StateExited, TaskSucceeded, ExecutionSucceeded).
	Payload any
	// Index is a Map iteration's index; Length a MapStateStarted's item count.
	Index, Length int
	Error         *ErrorDetails // failed, timed out and aborted events
	Task          *TaskDetails  // Task events; ExecutionStarted's role ARN
}

// ErrorDetails is the error and cause of a failure event.
type ErrorDetails struct{ Error, Cause string }

// TaskDetails describes the integration a Task event concerns.
type TaskDetails struct {
	ResourceType, Resource string
	Region                 string
	Parameters             any
	TimeoutSeconds         int
	HeartbeatSeconds       int
}

// history is an execution's append-only event log, stored in fixed-size
// chunks so that growing it never copies recorded events.
type history struct {
	mu     sync.Mutex
	chunks [][]Event
	n      int
	// discard numbers the events without keeping them.
	discard bool
	// max, when set, is how many events a kept history may hold (full).
	max int
	// isFull is set by the add that fills a kept history: every state
	// entered asks, without taking the lock.
	isFull atomic.Bool
}

// full reports whether a kept history has reached its bound: the thread
// about to enter a state fails instead (States.Runtime).
func (h *history) full() bool { return h.isFull.Load() }

const (
	firstHistoryChunk = 16
	historyChunk      = 1024
)

// add appends an event, assigning the next id; it returns the id.
func (h *history) add(ev Event) int64 {
	h.mu.Lock()
	h.n++
	ev.ID = int64(h.n)
	if h.discard {
		h.mu.Unlock()
		return ev.ID
	}
	if h.max > 0 && h.n >= h.max {
		h.isFull.Store(true)
	}
	if len(h.chunks) == 0 || len(h.chunks[len(h.chunks)-1]) == cap(h.chunks[len(h.chunks)-1]) {
		// Chunks grow from small (most executions are short) to
		// historyChunk, and are never copied once full.
		size := firstHistoryChunk
		if n := len(h.chunks); n > 0 {
			size = min(2*cap(h.chunks[n-1]), historyChunk)
		}
		h.chunks = append(h.chunks, make([]Event, 0, size))
	}
	last := &h.chunks[len(h.chunks)-1]
	*last = append(*last, ev)
	h.mu.Unlock()
	return ev.ID
}

func (h *history) snapshot() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Event, 0, h.n)
	for _, c := range h.chunks {
		out = append(out, c...)
	}
	return out
}

// MarshalJSON renders the event as GetExecutionHistory does.
func (ev Event) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(ev.ID, 10))
	b.WriteString(`,"previousEventId":`)
	b.WriteString(strconv.FormatInt(ev.PreviousID, 10))
	b.WriteByte(',')
	ev.appendBody(&b)
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// bodyJSON renders the event without its id and previousEventId, which
// the durable store assigns: {"timestamp":...,"type":...,...}.
func (ev Event) bodyJSON() []byte {
	var b strings.Builder
	b.WriteByte('{')
	ev.appendBody(&b)
	b.WriteByte('}')
	return []byte(b.String())
}

func (ev Event) appendBody(b *strings.Builder) {
	var ts [len(asl.TimeFormat) + 8]byte
	b.WriteString(`"timestamp":"`)
	b.Write(ev.Timestamp.UTC().AppendFormat(ts[:0], asl.TimeFormat))
	b.WriteString(`","type":`)
	asl.WriteJSONString(b, string(ev.Type))
	if ev.appendCommonDetails(b) {
		return
	}
	key, details := ev.details()
	if key != "" {
		b.WriteString(`,"` + key + `":`)
		asl.WriteJSON(b, details)
	}
}

// appendCommonDetails writes the details of the events every execution
// records (execution started and succeeded, states entered and exited)
// without building them as a map first, byte for byte as details renders
// them (keys sorted); it reports false for the other events.
func (ev Event) appendCommonDetails(b *strings.Builder) bool {
	payload := func(field string) {
		b.WriteString(`"` + field + `":`)
		asl.WriteJSONString(b, asl.EncodeJSON(ev.Payload))
		b.WriteString(`,"` + field + `Details":{"truncated":false}`)
	}
	name := func() {
		b.WriteString(`"name":`)
		asl.WriteJSONString(b, ev.Name)
	}
	switch t := string(ev.Type); {
	case ev.Type == ExecutionStarted:
		b.WriteString(`,"executionStartedEventDetails":{`)
		payload("input")
		b.WriteString(`,"roleArn":`)
		role := ""
		if ev.Task != nil {
			role = ev.Task.Resource
		}
		asl.WriteJSONString(b, role)
	case ev.Type == ExecutionSucceeded:
		b.WriteString(`,"executionSucceededEventDetails":{`)
		payload("output")
	case strings.HasSuffix(t, "StateEntered"):
		b.WriteString(`,"stateEnteredEventDetails":{`)
		payload("input")
		b.WriteByte(',')
		name()
	case strings.HasSuffix(t, "StateExited"):
		b.WriteString(`,"stateExitedEventDetails":{`)
		name()
		b.WriteByte(',')
		payload("output")
	default:
		return false
	}
	b.WriteByte('}')
	return true
}

// details returns the name of the event's details field and its value.
func (ev Event) details() (string, map[string]any) {
	payload := func(field string) map[string]any {
		return map[string]any{field: asl.EncodeJSON(ev.Payload), field + "Details": map[string]any{"truncated": false}}
	}
	errDetails := func() map[string]any {
		d := map[string]any{}
		if ev.Error != nil {
			if ev.Error.Error != "" {
				d["error"] = ev.Error.Error
			}
			if ev.Error.Cause != "" {
				d["cause"] = ev.Error.Cause
			}
		}
		return d
	}
	task := ev.Task
	if task == nil {
		task = &TaskDetails{}
	}
	withTask := func(d map[string]any) map[string]any {
		d["resourceType"], d["resource"] = task.ResourceType, task.Resource
		return d
	}
	t := string(ev.Type)
	switch {
	case ev.Type == ExecutionStarted:
		d := payload("input")
		d["roleArn"] = task.Resource
		return "executionStartedEventDetails", d
	case ev.Type == ExecutionSucceeded:
		return "executionSucceededEventDetails", payload("output")
	case ev.Type == ExecutionFailed:
		return "executionFailedEventDetails", errDetails()
	case ev.Type == ExecutionTimedOut:
		return "executionTimedOutEventDetails", errDetails()
	case ev.Type == ExecutionAborted:
		return "executionAbortedEventDetails", errDetails()
	case ev.Type == ExecutionRedriven:
		return "executionRedrivenEventDetails", map[string]any{"redriveCount": int64(ev.Index)}
	case strings.HasSuffix(t, "StateEntered"):
		d := payload("input")
		d["name"] = ev.Name
		return "stateEnteredEventDetails", d
	case strings.HasSuffix(t, "StateExited"):
		d := payload("output")
		d["name"] = ev.Name
		return "stateExitedEventDetails", d
	case ev.Type == TaskScheduled:
		d := withTask(map[string]any{"region": task.Region, "parameters": asl.EncodeJSON(task.Parameters)})
		if task.TimeoutSeconds > 0 {
			d["timeoutInSeconds"] = int64(task.TimeoutSeconds)
		}
		if task.HeartbeatSeconds > 0 {
			d["heartbeatInSeconds"] = int64(task.HeartbeatSeconds)
		}
		return "taskScheduledEventDetails", d
	case ev.Type == TaskStarted:
		return "taskStartedEventDetails", withTask(map[string]any{})
	case ev.Type == TaskSubmitted:
		return "taskSubmittedEventDetails", withTask(payload("output"))
	case ev.Type == TaskSucceeded:
		return "taskSucceededEventDetails", withTask(payload("output"))
	case ev.Type == TaskFailed:
		return "taskFailedEventDetails", withTask(errDetails())
	case ev.Type == TaskTimedOut:
		return "taskTimedOutEventDetails", withTask(errDetails())
	case ev.Type == MapStateStarted:
		return "mapStateStartedEventDetails", map[string]any{"length": int64(ev.Length)}
	case strings.HasPrefix(t, "MapIteration"):
		key := "mapIteration" + strings.TrimPrefix(t, "MapIteration") + "EventDetails"
		return key, map[string]any{"name": ev.Name, "index": int64(ev.Index)}
	}
	return ev.activityDetails()
}
