package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// StatusRunning is the one execution status the store interprets: only a
// RUNNING execution takes transitions, and only a RUNNING one makes a
// repeated ExecutionCreate idempotent. The other statuses are the runtime's
// vocabulary (runtime.Status), stored as given.
const StatusRunning = "RUNNING"

// StatusSucceeded is the one closed status the store knows: a transition
// that ends the execution with it may take the history to its limit.
const StatusSucceeded = "SUCCEEDED"

// The execution hash's fields.
const (
	fieldARN        = "arn"
	fieldName       = "name"
	fieldDefinition = "def"
	fieldStatus     = "status"
	fieldInput      = "input"
	fieldOutput     = "output"
	fieldError      = "error"
	fieldCause      = "cause"
	fieldStart      = "start" // unix ms
	fieldStop       = "stop"  // unix ms, "" or 0 while open
	fieldTrace      = "trace"
	fieldSpan       = "span"
	fieldRole       = "role"
	fieldTestCase   = "testcase" // the mock test case it runs under; absent for none
	fieldHeader     = "theader"  // the trace header the caller started it with
	fieldTraceState = "tstate"   // the caller's W3C tracestate; absent for none
	fieldBaggage    = "baggage"  // the caller's W3C baggage; absent for none
	fieldEvents     = "events"   // the latest history event id
	fieldOutbox     = "outbox"   // the latest outbox entry's seq
	// A nested execution's link to the Task that started it and waits
	// for it (.sync): absent for others.
	fieldParent      = "parent" // the parent execution's ARN
	fieldParentToken = "ptoken" // the parent task's token
	fieldParentMode  = "pmode"  // how the parent waits ("sync", "sync:2")
)

// ParentLink is a nested execution's link to the Task of another execution
// that started it and waits for its end (.sync): the runtime completes the
// task by its token when the execution ends.
type ParentLink struct {
	ExecutionARN string
	Token        string
	Mode         string
}

// Execution is the record of an execution, the fields of its hash. Dates
// are stored in unix milliseconds, so they come back truncated to the
// millisecond, in UTC.
type Execution struct {
	ID              string
	StateMachineARN string
	Name            string
	DefinitionSHA   string // the hash of the definition it runs (DefinitionKey)
	Status          string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, ...
	Input           []byte // JSON
	Output          []byte // JSON; nil unless SUCCEEDED
	Error           string
	Cause           string
	StartDate       time.Time
	StopDate        time.Time // zero while open
	TraceID         string
	SpanID          string
	// TraceHeader is the trace header the caller started it with (an
	// X-Ray or W3C header, kept as given); "" when none was.
	TraceHeader string
	// TraceState and Baggage are the caller's W3C tracestate and baggage
	// ("" for none).
	TraceState, Baggage string
	RoleARN             string
	TestCase            string // the mock test case it runs under ("" for none)
	Events              int64  // the latest history event id: the history's length
	RedriveCount        int    // how many times it was redriven
	// VersionARN and AliasARN are the version and alias it was started
	// with ("" for none): DescribeExecution's stateMachineVersionArn and
	// stateMachineAliasArn.
	VersionARN, AliasARN string
	// Parent is the Task that started it and waits for its end; nil for
	// none.
	Parent *ParentLink
}

// ExecutionCreateParams describe a new execution and its first transition.
type ExecutionCreateParams struct {
	StateMachineARN string
	Name            string
	DefinitionSHA   string
	Input           []byte // JSON; compared byte for byte with an existing execution's
	StartDate       time.Time
	TraceID         string
	SpanID          string
	TraceHeader     string // the caller's trace header, as given ("" for none)
	TraceState      string // the caller's W3C tracestate ("" for none)
	Baggage         string // the caller's W3C baggage ("" for none)
	RoleARN         string // the state machine's role when it started
	// TestCase is the mock test case the execution runs under (Step
	// Functions Local's "#TestCase" suffix); "" for none.
	TestCase string
	// StateMachine is the name the execution is listed under
	// (ExecutionList): the state machine's, whatever version or alias
	// started it.
	StateMachine string
	// Thread is the record of the top-level thread, "0", created at Seq;
	// not kept when Close is SUCCEEDED (nothing takes the thread on).
	Thread []byte
	// Seq is the top-level thread's seq: 0, or the number of steps the
	// starter carried out before the execution existed (its pure prefix).
	Seq int64
	// Events are the first history events (ExecutionStarted, ...).
	Events []Event
	// Vars are the variables the prefix set.
	Vars []Var
	// Outbox holds the first work items (the thread's next step); none
	// when the execution is created closed.
	Outbox []OutboxItem
	// Close, when set, creates the execution closed: its prefix ended it.
	Close *ExecutionClose
	// Parent, when set, links the execution to the Task that waits for
	// its end (a nested .sync execution).
	Parent *ParentLink
}

// RootThread is the id of an execution's top-level thread.
const RootThread = "0"

// ExecutionCreateResult is what ExecutionCreate did.
type ExecutionCreateResult struct {
	Execution *Execution
	// Existing is true when an open execution of the same name and input
	// existed: nothing was written.
	Existing bool
	// EventIDs are the ids assigned to Params.Events (nil when Existing).
	EventIDs []int64
	// handOver lets ExecutionHandOver pass the outbox on without reading
	// it back (nil when Existing).
	handOver *handOver
	// stateMachine is the name it is listed under (Params.StateMachine).
	stateMachine string
	// listed is set when the script listed the execution (direct mode).
	listed bool
}

// ExecutionCreate creates an execution atomically: its hash (RUNNING),
// thread 0's record at its seq (none when created SUCCEEDED), the first
// history events and the first outbox items; just before, it lists the
// execution among the open executions (see the comment in the code for
// why before). The id is
// ExecutionID(StateMachineARN, Name). As StartExecution on AWS, when the
// execution exists:
//   - open with an equal input, the existing execution is returned with
//     Existing set, and nothing is written;
//   - open with another input, or closed: ErrExecutionAlreadyExists.
//
// The caller hands the outbox over afterwards (ExecutionHandOver).
func (c *Client) ExecutionCreate(ctx context.Context, p *ExecutionCreateParams) (*ExecutionCreateResult, error) {
	if p.StateMachineARN == "" || p.StateMachine == "" || p.Name == "" || p.StartDate.IsZero() {
		return nil, fmt.Errorf("%w: an execution needs a state machine ARN and name, a name and a start date", ErrInvalid)
	}
	id := ExecutionID(p.StateMachineARN, p.Name)
	if c.direct && recordable(p) {
		keys := []string{c.keys.ExecutionKey(id), c.keys.HistoryKey(id), c.keys.OpenExecutionsKey(),
			c.keys.StateMachineExecutionsKey(p.StateMachine)}
		a, err := recordArgs(id, p)
		if err != nil {
			return nil, err
		}
		res, err := hotWait(ctx, c, func() ([]any, error) { return scriptExecutionRecord.Run(ctx, c.hot, keys, a...).Slice() })
		if err != nil {
			return nil, fmt.Errorf("store: creating execution %s: %w", id, err)
		}
		return c.created(ctx, id, p, res, 0)
	}
	a, err := createArgs(id, p)
	if err != nil {
		return nil, err
	}
	keys := c.keys.createKeys(id, c.direct, p.StateMachine)
	if c.direct {
		// One round trip: the script lists the execution as open and
		// under its state machine, and schedules its first work.
		res, err := hotWait(ctx, c, func() ([]any, error) { return scriptExecutionCreate.Run(ctx, c.hot, keys, a...).Slice() })
		if err != nil {
			return nil, fmt.Errorf("store: creating execution %s: %w", id, err)
		}
		return c.created(ctx, id, p, res, 0)
	}

	// Otherwise the open-executions index is a global key in another
	// Cluster slot, so the script cannot touch it. It is written first: a
	// crash between the two steps leaves an index entry without an execution, which the
	// recoverer drops once it is older than a lease, rather than an
	// execution nobody finds (an orphan whose outbox is never flushed).
	// NX keeps an existing entry's start time.
	// Both go in one round trip, in that order (on a Redis Cluster, where
	// a pipeline does not keep the order of keys of different slots, in
	// two).
	openKey := c.keys.OpenExecutionsKey()
	var (
		addCmd *redis.IntCmd
		runCmd *redis.Cmd
	)
	_, err = c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		addCmd = pipe.ZAddNX(ctx, openKey, redis.Z{Score: float64(p.StartDate.UnixMilli()), Member: id})
		if !c.cluster {
			runCmd = scriptExecutionCreate.EvalSha(ctx, pipe, keys, a...)
		}
		return nil
	})
	if err == nil && c.cluster {
		runCmd = scriptExecutionCreate.EvalSha(ctx, c.hot, keys, a...)
		err = runCmd.Err()
	}
	if err != nil && addCmd.Err() == nil && isNoScript(runCmd.Err()) {
		// The server lost its scripts (a restart, SCRIPT FLUSH): load it.
		runCmd = scriptExecutionCreate.Run(ctx, c.hot, keys, a...)
		err = runCmd.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("store: creating execution %s: %w", id, err)
	}
	res, err := runCmd.Slice()
	if err != nil {
		return nil, fmt.Errorf("store: creating execution %s: %w", id, err)
	}
	return c.created(ctx, id, p, res, addCmd.Val())
}

// recordable says whether p is an execution that scriptExecutionRecord
// creates: one its start carried out to success, with no variables.
func recordable(p *ExecutionCreateParams) bool {
	return p.Close != nil && p.Close.Status == StatusSucceeded && len(p.Vars) == 0 && len(p.Outbox) == 0 && len(p.Events) > 0
}

// recordArgs is scriptExecutionRecord's ARGV for p.
func recordArgs(id string, p *ExecutionCreateParams) (args, error) {
	if err := checkClose(p.Close); err != nil {
		return nil, err
	}
	evs, err := joinedEvents(p.Events)
	if err != nil {
		return nil, err
	}
	return args{p.Input, packMeta(p.executionMeta()...), len(p.Events), evs, id, p.StartDate.UnixMilli(),
		p.Close.Output, p.Close.StopDate.UnixMilli(), p.Close.Retention.Milliseconds()}, nil
}

// executionMeta are the values fieldMeta packs, in metaFields' order.
func (p *ExecutionCreateParams) executionMeta() []string {
	var parent ParentLink
	if p.Parent != nil {
		parent = *p.Parent
	}
	return []string{p.StateMachineARN, p.Name, p.DefinitionSHA, strconv.FormatInt(p.StartDate.UnixMilli(), 10),
		p.TraceID, p.SpanID, p.RoleARN, p.TestCase, p.TraceHeader, p.TraceState, p.Baggage,
		parent.ExecutionARN, parent.Token, parent.Mode}
}

// createArgs is the create script's ARGV for p (scripts.go).
func createArgs(id string, p *ExecutionCreateParams) (args, error) {
	if p.Close != nil && len(p.Outbox) > 0 {
		return nil, fmt.Errorf("%w: an execution created closed has work to do", ErrInvalid)
	}
	thread := p.Thread
	if p.Close != nil && p.Close.Status == StatusSucceeded {
		thread = nil // not kept (scriptExecutionCreate)
	}
	a := args{p.Input, thread, p.Seq}
	a.pairs(fieldMeta, packMeta(p.executionMeta()...))
	if thread == nil && len(p.Events) > 0 {
		// the count negated: the events joined in one element
		evs, err := joinedEvents(p.Events)
		if err != nil {
			return nil, err
		}
		a = append(a, -len(p.Events), evs)
	} else if err := a.events(p.Events); err != nil {
		return nil, err
	}
	if err := a.outbox(p.Outbox); err != nil {
		return nil, err
	}
	if err := a.vars(p.Vars); err != nil {
		return nil, err
	}
	a = append(a, id, p.StartDate.UnixMilli())
	return a, a.createdClosed(p.Close)
}

// created interprets the create script's result; added is how many entries
// the caller added to the open executions for it.
func (c *Client) created(ctx context.Context, id string, p *ExecutionCreateParams, res []any, added int64) (*ExecutionCreateResult, error) {
	switch code(res) {
	case codeOK:
		h, err := newHandOver(id, p.Outbox, intAt(res, 3), intAt(res, 4))
		if err != nil {
			return nil, err
		}
		if p.Close != nil && added > 0 {
			// Created closed: the entry the caller added goes. Should this
			// fail, the recoverer drops it when it finds the execution
			// closed.
			_ = c.OpenExecutionRemove(ctx, id)
		}
		r := &ExecutionCreateResult{
			handOver:     h,
			stateMachine: p.StateMachine,
			listed:       c.direct,
			Execution: &Execution{
				ID:              id,
				StateMachineARN: p.StateMachineARN,
				Name:            p.Name,
				DefinitionSHA:   p.DefinitionSHA,
				Status:          StatusRunning,
				Input:           bytes.Clone(p.Input),
				StartDate:       time.UnixMilli(p.StartDate.UnixMilli()).UTC(),
				TraceID:         p.TraceID,
				SpanID:          p.SpanID,
				RoleARN:         p.RoleARN,
				TestCase:        p.TestCase,
				Parent:          p.Parent,
				Events:          intAt(res, 2),
			},
			EventIDs: eventIDs(intAt(res, 1), intAt(res, 2)),
		}
		if cl := p.Close; cl != nil {
			x := r.Execution
			x.Status, x.Output, x.Error, x.Cause = cl.Status, bytes.Clone(cl.Output), cl.Error, cl.Cause
			x.StopDate = time.UnixMilli(cl.StopDate.UnixMilli()).UTC()
		}
		return r, nil
	case codeExisting:
		x, err := c.ExecutionGet(ctx, id)
		if err != nil {
			return nil, err
		}
		return &ExecutionCreateResult{Execution: x, Existing: true, stateMachine: p.StateMachine}, nil
	case codeExists:
		status := stringAt(res, 1)
		if added > 0 && status != StatusRunning {
			// The entry just added belongs to a closed execution. Should
			// this fail, the recoverer drops the entry when it finds the
			// execution closed.
			_ = c.rdb.ZRem(ctx, c.keys.OpenExecutionsKey(), id).Err()
		}
		return nil, fmt.Errorf("%w: %s (%s)", ErrExecutionAlreadyExists, p.Name, status)
	}
	return nil, fmt.Errorf("%w: execution create script returned %v", ErrCorrupt, res)
}

// ExecutionGet returns the execution's record, or ErrNotFound.
func (c *Client) ExecutionGet(ctx context.Context, id string) (*Execution, error) {
	if err := checkID("execution id", id); err != nil {
		return nil, err
	}
	h, err := hotWait(ctx, c, func() (map[string]string, error) { return c.hot.HGetAll(ctx, c.keys.ExecutionKey(id)).Result() })
	if err != nil {
		return nil, fmt.Errorf("store: execution %s: %w", id, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: execution %s", ErrNotFound, id)
	}
	if m, ok := h[fieldMeta]; ok {
		if err := unpackMeta(m, h); err != nil {
			return nil, fmt.Errorf("%w: execution %s: %v", ErrCorrupt, id, err)
		}
	}
	x := &Execution{
		ID:              id,
		StateMachineARN: h[fieldARN],
		Name:            h[fieldName],
		DefinitionSHA:   h[fieldDefinition],
		Status:          h[fieldStatus],
		Input:           nonEmpty(h[fieldInput]),
		Output:          nonEmpty(h[fieldOutput]),
		Error:           h[fieldError],
		Cause:           h[fieldCause],
		TraceID:         h[fieldTrace],
		SpanID:          h[fieldSpan],
		TraceHeader:     h[fieldHeader],
		TraceState:      h[fieldTraceState],
		Baggage:         h[fieldBaggage],
		RoleARN:         h[fieldRole],
		TestCase:        h[fieldTestCase],
		VersionARN:      h[fieldVersionARN],
		AliasARN:        h[fieldAliasARN],
	}
	if tok := h[fieldParentToken]; tok != "" {
		x.Parent = &ParentLink{ExecutionARN: h[fieldParent], Token: tok, Mode: h[fieldParentMode]}
	}
	if r := h["redrives"]; r != "" {
		x.RedriveCount, _ = strconv.Atoi(r)
	}
	var errs []error
	x.StartDate, err = millis(h[fieldStart])
	errs = append(errs, err)
	x.StopDate, err = millis(h[fieldStop])
	errs = append(errs, err)
	x.Events, err = strconv.ParseInt(h[fieldEvents], 10, 64)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%w: execution %s: %v", ErrCorrupt, id, err)
	}
	return x, nil
}

// millis parses a unix-millisecond field; "" and "0" are the zero time.
func millis(s string) (time.Time, error) {
	if s == "" || s == "0" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms).UTC(), nil
}

func nonEmpty(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// code returns a script result's code, -1 if it has none.
func code(res []any) int64 {
	if len(res) == 0 {
		return -1
	}
	n, ok := res[0].(int64)
	if !ok {
		return -1
	}
	return n
}

func intAt(res []any, i int) int64 {
	if i < len(res) {
		if n, ok := res[i].(int64); ok {
			return n
		}
	}
	return 0
}

func stringAt(res []any, i int) string {
	if i < len(res) {
		if s, ok := res[i].(string); ok {
			return s
		}
	}
	return ""
}
