package runtime

import (
	"cmp"
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
// events: PassStateEntered, MapStateExited, ... Every state entered asks
// for both: a switch over the kinds answers without a map lookup or a
// string built.
func StateEntered(k asl.Kind) EventType {
	switch k {
	case asl.KindPass:
		return "PassStateEntered"
	case asl.KindTask:
		return "TaskStateEntered"
	case asl.KindChoice:
		return "ChoiceStateEntered"
	case asl.KindWait:
		return "WaitStateEntered"
	case asl.KindSucceed:
		return "SucceedStateEntered"
	case asl.KindFail:
		return "FailStateEntered"
	case asl.KindParallel:
		return "ParallelStateEntered"
	case asl.KindMap:
		return "MapStateEntered"
	}
	return EventType(string(k) + "StateEntered")
}

// entersState reports whether t is a state's StateEntered event (AWS's
// state transition).
func (t EventType) entersState() bool { return strings.HasSuffix(string(t), "StateEntered") }

// StateExited is the exited event of a state kind.
func StateExited(k asl.Kind) EventType {
	switch k {
	case asl.KindPass:
		return "PassStateExited"
	case asl.KindTask:
		return "TaskStateExited"
	case asl.KindChoice:
		return "ChoiceStateExited"
	case asl.KindWait:
		return "WaitStateExited"
	case asl.KindSucceed:
		return "SucceedStateExited"
	case asl.KindFail:
		return "FailStateExited"
	case asl.KindParallel:
		return "ParallelStateExited"
	case asl.KindMap:
		return "MapStateExited"
	}
	return EventType(string(k) + "StateExited")
}

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
	chunks [][]record
	n      int
	// discard numbers the events without keeping them.
	discard bool
	// max, when set, is how many events a kept history may hold (full).
	max int
	// isFull is set by the add that fills a kept history: every state
	// entered asks, without taking the lock.
	isFull atomic.Bool
	// first is the size of the first chunk (firstHistoryChunk when 0).
	first int
	// entered counts the states entered (AWS's state transitions).
	entered int
}

// firstChunk is the first chunk's size for an execution of a machine of
// states states: the events of a run through each state once (two per
// state, two for the execution), within [firstHistoryChunk, 256]. A chain
// of states then records its history in one chunk instead of growing it
// four times, leaving a fifth of it unused (pass_chain_100: 202 events in
// chunks of 16, 32, 64 and 128); a machine whose runs take a short path
// through many states allocates at most 22 KB for it.
func firstChunk(states int) int { return min(max(2*states+2, firstHistoryChunk), 256) }

// record is how a history keeps an event: 88 bytes instead of an Event's
// 120. Its id is its place in the history, its previous event's id is
// kept as the distance back, and the fields few events have are kept
// apart. Two events are recorded per state, and in a chain of Pass states
// the history was a third of the bytes allocated, each of them adding to
// the collector's work.
type record struct {
	back    int32 // id - PreviousID
	index   int32
	ts      time.Time
	typ     EventType
	name    string
	payload any
	more    *recordMore
}

// recordMore holds an event's error and task details, its length, and
// its previous id and index when they do not fit a record.
type recordMore struct {
	err                 *ErrorDetails
	task                *TaskDetails
	length, index       int
	previous            int64
	wideIndex, wideBack bool
}

// set makes r the record of ev, whose id is id. It writes r in place
// (the chunk's slot): a record built apart and copied in cost a second
// copy of every pointer.
func (r *record) set(id int64, ev *Event) {
	r.back, r.index = int32(id-ev.PreviousID), int32(ev.Index)
	r.ts, r.typ, r.name, r.payload = ev.Timestamp, ev.Type, ev.Name, ev.Payload
	wideBack, wideIndex := int64(r.back) != id-ev.PreviousID, int(r.index) != ev.Index
	if ev.Error != nil || ev.Task != nil || ev.Length != 0 || wideBack || wideIndex {
		r.more = &recordMore{err: ev.Error, task: ev.Task, length: ev.Length, index: ev.Index, previous: ev.PreviousID, wideIndex: wideIndex, wideBack: wideBack}
	}
}

// event is the event r records, whose id is id.
func (r *record) event(id int64) Event {
	ev := Event{ID: id, PreviousID: id - int64(r.back), Timestamp: r.ts, Type: r.typ, Name: r.name, Payload: r.payload, Index: int(r.index)}
	if m := r.more; m != nil {
		ev.Error, ev.Task, ev.Length = m.err, m.task, m.length
		if m.wideIndex {
			ev.Index = m.index
		}
		if m.wideBack {
			ev.PreviousID = m.previous
		}
	}
	return ev
}

// full reports whether a kept history has reached its bound: the thread
// about to enter a state fails instead (States.Runtime).
func (h *history) full() bool { return h.isFull.Load() }

const (
	firstHistoryChunk = 16
	historyChunk      = 1024
)

// add appends an event, assigning the next id; it returns the id.
func (h *history) add(ev *Event) int64 {
	h.mu.Lock()
	h.n++
	id := int64(h.n)
	if ev.Type.entersState() {
		h.entered++
	}
	if h.discard {
		h.mu.Unlock()
		return id
	}
	if h.max > 0 && h.n >= h.max {
		h.isFull.Store(true)
	}
	if len(h.chunks) == 0 || len(h.chunks[len(h.chunks)-1]) == cap(h.chunks[len(h.chunks)-1]) {
		// Chunks grow from small (most executions are short) to
		// historyChunk, and are never copied once full.
		size := cmp.Or(h.first, firstHistoryChunk)
		if n := len(h.chunks); n > 0 {
			size = min(2*cap(h.chunks[n-1]), historyChunk)
		}
		h.chunks = append(h.chunks, make([]record, 0, size))
	}
	last := &h.chunks[len(h.chunks)-1]
	*last = (*last)[:len(*last)+1]
	(*last)[len(*last)-1].set(id, ev)
	h.mu.Unlock()
	return id
}

func (h *history) snapshot() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Event, 0, h.n)
	for _, c := range h.chunks {
		for i := range c {
			out = append(out, c[i].event(int64(len(out)+1)))
		}
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
	case ev.Type == MapRunStarted:
		return "mapRunStartedEventDetails", map[string]any{"mapRunArn": task.Resource}
	case ev.Type == MapRunFailed:
		return "mapRunFailedEventDetails", errDetails()
	case strings.HasPrefix(t, "MapIteration"):
		key := "mapIteration" + strings.TrimPrefix(t, "MapIteration") + "EventDetails"
		return key, map[string]any{"name": ev.Name, "index": int64(ev.Index)}
	}
	return ev.activityDetails()
}
