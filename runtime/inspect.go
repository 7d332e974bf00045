package runtime

import (
	"cmp"
	"context"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/signalbox/signalbox/store"
)

// ExecutionInfo is an execution as the runtime's callers read it: its record,
// in the runtime's words rather than the store's.
type ExecutionInfo struct {
	ID              string // the runtime's id of the execution (ExecutionIDOf)
	ARN             string
	StateMachineARN string
	Name            string
	// Status is AWS's name of the status (RUNNING, SUCCEEDED, ...), as
	// the wire protocols spell it; Status(e.Status) is the typed value.
	Status       string
	Input        []byte // JSON
	Output       []byte // JSON; nil unless SUCCEEDED
	Error, Cause string
	StartDate    time.Time
	StopDate     time.Time // zero while open
	TraceID      string
	SpanID       string // the span of the caller that started it; "" for none
	// TraceParent is the W3C traceparent of the execution's own span
	// (trace.go), whether or not its spans are exported.
	TraceParent string
	// TraceHeader is the trace header the execution was started with, as
	// the caller gave it; "" when none was.
	TraceHeader  string
	RoleARN      string
	Events       int64 // the latest history event's id: the history's length
	RedriveCount int
	// VersionARN and AliasARN are the version and alias it was started
	// with ("" for none).
	VersionARN, AliasARN string
}

// Closed reports whether the execution has ended.
func (e *ExecutionInfo) Closed() bool { return Status(e.Status).Closed() }

func executionOf(e *store.Execution) *ExecutionInfo {
	x := &ExecutionInfo{
		ID: e.ID, ARN: strings.Replace(e.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + e.Name,
		StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status, Input: e.Input, Output: e.Output,
		Error: e.Error, Cause: e.Cause, StartDate: e.StartDate, StopDate: e.StopDate, TraceID: e.TraceID,
		SpanID: e.SpanID, TraceHeader: e.TraceHeader, RoleARN: e.RoleARN, Events: e.Events, RedriveCount: e.RedriveCount,
		VersionARN: e.VersionARN, AliasARN: e.AliasARN,
	}
	if e.TraceID != "" {
		x.TraceParent = "00-" + e.TraceID + "-" + spanIDOf(x.ARN, "execution").String() + "-01"
	}
	return x
}

// ExecutionFilter selects a page of a state machine's executions.
type ExecutionFilter struct {
	StateMachine string // the state machine's name
	Status       string // "" for any
	// Version and Alias, when set (above 0, not ""), keep the executions
	// started with that version of the state machine (an alias's that
	// routed to it included) or through that alias of it.
	Version int
	Alias   string
	// Redriven, when set, keeps the executions redriven (true) or never
	// redriven (false).
	Redriven *bool
	Cursor   string // the previous page's Next; "" from the newest
	Limit    int    // 0 means 100
}

// HistoryEvent is one event of an execution's history: its id and its
// JSON as GetExecutionHistory renders it ("id" and "previousEventId"
// first, the timestamp in RFC 3339).
type HistoryEvent struct {
	ID   int64
	JSON []byte
}

// HistoryQuery selects a page of history.
type HistoryQuery struct {
	// After is the cursor: the page holds events after it (before it when
	// Reverse); 0 starts at the first event (the latest when Reverse).
	After   int64
	Limit   int // 0 means 100
	Reverse bool
}

// HistoryPage is a page of history; Next is the After of the following
// page, 0 when this one is the last.
type HistoryPage struct {
	Events []HistoryEvent
	Next   int64
}

// Inspector reads executions, their histories and state machines for the
// management API and the console: it changes nothing. Get one from
// Durable.Inspector.
type Inspector struct {
	d *Durable
	// MinPoll and MaxPoll bound how often Tail reads a quiet execution's
	// history: it polls at MinPoll after an event and backs off by
	// doubling to MaxPoll (defaults 20 ms and 1 s). A step writes its
	// events in one transition, so the first read after a quiet spell
	// usually brings all of them; an idle tail costs one history read
	// and one record read a second.
	MinPoll, MaxPoll time.Duration
}

// Inspector returns the read-only view of d's executions.
func (d *Durable) Inspector() *Inspector { return &Inspector{d: d} }

// ListExecutions lists a state machine's executions, newest first, with
// their listing's fields (no input or output); next is the cursor of the
// following page ("" at the end). A page may hold fewer than the limit,
// even none, with a cursor: a call reads at most store.ExecutionListScan
// executions to fill it. A cursor this API did not hand out is
// ErrInvalidArgument.
func (in *Inspector) ListExecutions(ctx context.Context, f ExecutionFilter) (list []*ExecutionInfo, next string, err error) {
	p := &store.ExecutionListParams{StateMachine: f.StateMachine, Status: f.Status, Redriven: f.Redriven, Cursor: f.Cursor, Limit: f.Limit}
	if f.Version > 0 {
		p.VersionARN = in.d.versionARN(f.StateMachine, f.Version)
	}
	if f.Alias != "" {
		p.AliasARN = in.d.aliasARN(f.StateMachine, f.Alias)
	}
	recs, next, err := in.d.store.ExecutionList(ctx, p)
	if err != nil {
		return nil, "", fromStore(err)
	}
	list = make([]*ExecutionInfo, len(recs))
	for i, e := range recs {
		list[i] = executionOf(e)
	}
	return list, next, nil
}

// DescribeExecution returns an execution by id (ExecutionIDOf), or
// ErrNotFound.
func (in *Inspector) DescribeExecution(ctx context.Context, id string) (*ExecutionInfo, error) {
	e, err := in.d.store.ExecutionGet(ctx, id)
	if err != nil {
		return nil, fromStore(err)
	}
	return executionOf(e), nil
}

// History returns a page of an execution's history; a missing execution
// has an empty one.
func (in *Inspector) History(ctx context.Context, id string, q HistoryQuery) (*HistoryPage, error) {
	res, err := in.d.store.HistoryPage(ctx, &store.HistoryPageParams{ExecutionID: id, From: q.After, Limit: q.Limit, Reverse: q.Reverse})
	if err != nil {
		return nil, fromStore(err)
	}
	page := &HistoryPage{Events: make([]HistoryEvent, len(res.Events)), Next: res.Next}
	for i, ev := range res.Events {
		page.Events[i] = HistoryEvent{ID: ev.ID, JSON: ev.JSON}
	}
	return page, nil
}

// ListStateMachines lists state machines in lexical order of name, without
// their definitions; next is the cursor of the following page, "" at the
// end. One deleted between the listing and its read is left out.
func (in *Inspector) ListStateMachines(ctx context.Context, after string, limit int) (list []*StateMachineInfo, next string, err error) {
	names, next, err := in.d.store.StateMachineList(ctx, after, limit)
	if err != nil {
		return nil, "", fromStore(err)
	}
	list = make([]*StateMachineInfo, 0, len(names))
	for _, name := range names {
		sm, err := in.d.store.StateMachineGet(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", fromStore(err)
		}
		list = append(list, &StateMachineInfo{ARN: in.d.StateMachineARN(name), Name: name, Type: sm.Type, RoleARN: cmp.Or(sm.RoleARN, in.d.defaultRoleARN()),
			Created: sm.Created, Updated: sm.Updated, RevisionID: sm.RevisionID})
	}
	return list, next, nil
}

// tailPage is how many events Tail reads at once.
const tailPage = 100

// Tail follows an execution's history: it yields the events after the
// event id after (0 for all), in order, as they are written, and ends once
// the execution has closed and its last event has been yielded, or when
// ctx ends (silently: the caller knows why). A failure to read (the
// execution does not exist: ErrNotFound; the store is down) is yielded
// once, and ends the tail.
//
// It polls: the store's history is a list, and a poll that backs off
// costs less than a subscription per tailing client would to every
// transition of every execution. The record is read before the history,
// so that a closed status, written by the same transition as the last
// event, means that event is in the pages that follow.
func (in *Inspector) Tail(ctx context.Context, id string, after int64) iter.Seq2[HistoryEvent, error] {
	minPoll, maxPoll := cmp.Or(in.MinPoll, 20*time.Millisecond), cmp.Or(in.MaxPoll, time.Second)
	return func(yield func(HistoryEvent, error) bool) {
		fail := func(err error) {
			if ctx.Err() == nil {
				yield(HistoryEvent{}, fromStore(err))
			}
		}
		wait := minPoll
		for {
			e, err := in.d.store.ExecutionGet(ctx, id)
			if err != nil {
				fail(err)
				return
			}
			for {
				page, err := in.d.store.HistoryPage(ctx, &store.HistoryPageParams{ExecutionID: id, From: after, Limit: tailPage})
				if err != nil {
					fail(err)
					return
				}
				for _, ev := range page.Events {
					if !yield(HistoryEvent{ID: ev.ID, JSON: ev.JSON}, nil) {
						return
					}
					after, wait = ev.ID, minPoll
				}
				if page.Next == 0 {
					break
				}
			}
			if Status(e.Status).Closed() {
				return
			}
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			wait = min(2*wait, maxPoll)
		}
	}
}

// ExecutionID is the id of the execution of a state machine (by name) with
// the given name: what ExecutionIDOf returns for its ARN.
func (d *Durable) ExecutionID(stateMachine, name string) string {
	return store.ExecutionID(d.StateMachineARN(stateMachine), name)
}

// Ping checks that the store answers, for readiness probes.
func (d *Durable) Ping(ctx context.Context) error {
	return fromStore(d.store.Ping(ctx))
}

// DescribeStateMachineVersion returns a published version of a state
// machine: its ARN, definition, creation date and description; a missing
// version is ErrNotFound.
func (d *Durable) DescribeStateMachineVersion(ctx context.Context, name string, version int) (*StateMachineInfo, error) {
	v, err := d.store.StateMachineVersionGet(ctx, name, version)
	if err != nil {
		return nil, fromStore(err)
	}
	def, err := d.store.DefinitionGet(ctx, v.DefinitionSHA)
	if err != nil {
		return nil, fromStore(err)
	}
	return &StateMachineInfo{ARN: d.versionARN(name, version), Name: name, Definition: def,
		Created: v.Created, Description: v.Description}, nil
}

// AnyOpen reports whether some execution is listed as open. The list may
// still hold an execution a crash closed or never created, until the
// recoverer prunes it (within a lease), so this is for tools that wait for
// a store to go quiet (bench), not for deciding an execution's fate.
func (in *Inspector) AnyOpen(ctx context.Context) (bool, error) {
	open, err := in.d.store.OpenExecutions(ctx, &store.OpenExecutionsParams{Limit: 1})
	return len(open) > 0, fromStore(err)
}
