package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// TransitionParams describe one transition of one thread.
type TransitionParams struct {
	ExecutionID string
	Thread      string
	// Seq is the thread's sequence number the transition was computed
	// from; the thread moves to Seq+1.
	Seq int64
	// Record is the thread's new record.
	Record []byte
	// Events are appended to the history; their ids are returned.
	Events []Event
	// Vars are set in the execution's variables.
	Vars []Var
	// Outbox items are handed over after the transition (OutboxFlush).
	// Items for this thread carry Seq+1.
	Outbox []OutboxItem
	// Close, when set, ends the execution.
	Close *ExecutionClose
}

// Var is a variable assignment: Name is "scope/name", Value its JSON.
type Var struct {
	Name  string
	Value []byte
}

// ExecutionClose is how an execution ends.
type ExecutionClose struct {
	Status   string // SUCCEEDED, FAILED, TIMED_OUT, ABORTED, ...
	Output   []byte // JSON, for SUCCEEDED
	Error    string
	Cause    string
	StopDate time.Time
}

// TransitionResult is what a transition wrote.
type TransitionResult struct {
	EventIDs []int64 // the ids of Params.Events, in order
	Seq      int64   // the thread's new sequence number
	// LastEventID is the thread's latest event id after the transition.
	LastEventID int64
}

// Transition applies one transition atomically, if the execution is RUNNING
// (else ErrClosed) and the thread is at p.Seq (else ErrStale; ErrNotFound if
// the execution or thread is missing): it appends the events, writes the
// thread's record at Seq+1, sets the variables, appends the outbox items,
// and closes the execution when p.Close is set. A closed execution is then
// removed from the open executions.
func (c *Client) Transition(ctx context.Context, p *TransitionParams) (*TransitionResult, error) {
	if err := errors.Join(checkID("execution id", p.ExecutionID), checkID("thread id", p.Thread)); err != nil {
		return nil, err
	}
	a := args{p.Thread, p.Seq, p.Record}
	if err := a.events(p.Events); err != nil {
		return nil, err
	}
	kv := make([]string, 0, 2*len(p.Vars))
	for _, v := range p.Vars {
		if v.Name == "" {
			return nil, fmt.Errorf("%w: a variable without a name", ErrInvalid)
		}
		kv = append(kv, v.Name, string(v.Value))
	}
	a.pairs(kv...)
	if err := a.outbox(p.Outbox); err != nil {
		return nil, err
	}
	if cl := p.Close; cl != nil {
		if cl.Status == "" || cl.Status == StatusRunning || cl.StopDate.IsZero() {
			return nil, fmt.Errorf("%w: closing with status %q at %v", ErrInvalid, cl.Status, cl.StopDate)
		}
		a = append(a, cl.Status, cl.Output, cl.Error, cl.Cause, strconv.FormatInt(cl.StopDate.UnixMilli(), 10))
	} else {
		a = append(a, "")
	}

	res, err := scriptTransition.Run(ctx, c.rdb, c.keys.transitionKeys(p.ExecutionID), a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: transition of thread %s of execution %s: %w", p.Thread, p.ExecutionID, err)
	}
	switch code(res) {
	case codeOK:
	case codeStale:
		return nil, fmt.Errorf("%w: thread %s of execution %s is at %d, not %d", ErrStale, p.Thread, p.ExecutionID, intAt(res, 1), p.Seq)
	case codeClosed:
		return nil, fmt.Errorf("%w: execution %s is %s", ErrClosed, p.ExecutionID, stringAt(res, 1))
	case codeNotFound:
		return nil, fmt.Errorf("%w: thread %s of execution %s", ErrNotFound, p.Thread, p.ExecutionID)
	default:
		return nil, fmt.Errorf("%w: transition script returned %v", ErrCorrupt, res)
	}
	if p.Close != nil {
		// The open-executions index is in another Cluster slot, so the
		// script cannot touch it. The transition has committed: should this
		// fail, or the process die first, a closed execution stays in the
		// index, which the recoverer drops when it finds it closed; so the
		// error is not the caller's.
		_ = c.OpenExecutionRemove(ctx, p.ExecutionID)
	}
	return &TransitionResult{
		EventIDs:    eventIDs(intAt(res, 1), intAt(res, 2)),
		LastEventID: intAt(res, 2),
		Seq:         intAt(res, 3),
	}, nil
}
