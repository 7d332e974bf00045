package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// TransitionParams describe one transition of one thread.
type TransitionParams struct {
	ExecutionID string
	Thread      string
	// Seq is the thread's sequence number the transition was computed
	// from; the thread moves to Seq+Steps.
	Seq int64
	// Steps is how many steps of the thread the transition carries out
	// (0 counts as 1): a worker that runs several steps in a row commits
	// them at once, and each step keeps the seq it would have had alone.
	Steps int64
	// ExpectEvents, when not 0, is the execution's event counter the
	// transition assumed (its events' ids were computed from it): another
	// value refuses the transition with ErrEventsMoved.
	ExpectEvents int64
	// MaxEvents, when not 0, is the history's limit: a transition whose
	// events would reach it is refused with ErrHistoryLimit, unless its
	// last event, the limit-th, ends the execution successfully.
	MaxEvents int64
	// Record is the thread's new record.
	Record []byte
	// Events are appended to the history; their ids are returned.
	Events []Event
	// Vars are set in the execution's variables.
	Vars []Var
	// Outbox items are handed over after the transition (OutboxFlush);
	// in direct mode the script schedules them itself. Items for this
	// thread carry Seq+Steps.
	Outbox []OutboxItem
	// Carry says the caller carries on with the transition's one outbox
	// item itself: in direct mode the item then stays in the outbox, for
	// the recoverer should the caller die first, instead of being
	// scheduled; the caller's next transition settles it (After), or
	// OutboxHandOverChain hands it over.
	Carry bool
	// After is the transition this one carries on from (its Carry item
	// is now done): in direct mode its outbox entry is removed with this
	// transition.
	After *TransitionResult
	// Close, when set, ends the execution.
	Close *ExecutionClose
	// InFork names the fork the thread belongs to: once the fork has
	// joined, the transition is refused with ErrCancelled.
	InFork string
	// KeepOpenEntry leaves a closed execution in the open executions'
	// index: the caller removes it (OpenExecutionRemove, or WorkAckRead's
	// closed argument) unless TransitionResult.OpenEntryRemoved says the
	// script did (direct mode). Otherwise Transition does, right after the
	// script.
	KeepOpenEntry bool
}

// Fork creates the children of a Parallel or Map state: either all of
// them now (Children: a Parallel's branches), or lazily (Items: a Map's
// iterations).
type Fork struct {
	ID       string
	Children []ChildThread
	// Items, when set, are the inputs of the fork's children, one JSON
	// value per child, kept once in the joins hash (keys.go): child i's
	// thread, "<ID>/<i>", is created from Record, at seq 0, only when it
	// starts, so that no more than Started children exist at a time (a
	// child's thread is removed with its join). Record is the same for
	// every child; the child reads its item with ForkItem.
	Items  [][]byte
	Record []byte
	// Started is how many children the fork starts now (their first work
	// items are in the transition's Outbox); the rest start one by one as
	// earlier ones end.
	Started int
	// Run, when set, makes the fork a map run (maprun.go).
	Run *ForkRun
}

// ForkRun is a map run's part of its fork: its record, kept for
// DescribeMapRun, and the bounds its joins read from the joins hash (so
// that UpdateMapRun changes them while it runs).
type ForkRun struct {
	Record              []byte // the runtime's, JSON
	Limit               int    // children running at a time
	ToleratedCount      int    // -1: unset
	ToleratedPercentage float64
}

// n is the fork's number of children.
func (f *Fork) n() int { return len(f.Children) + len(f.Items) }

// ChildThread is a new thread, created at seq 0.
type ChildThread struct {
	ID     string // the fork's id, "/", the child's index
	Record []byte
}

// Join is the end of one child thread of a fork: its result is recorded,
// its thread removed (work items still on their way for it find no thread
// and are dropped), and, in a fork with Items, its item.
type Join struct {
	Fork   string
	Index  int
	Result []byte // JSON: the child's output, or its error
	Failed bool
	N      int // the fork's number of children
	// ToleratedCount and ToleratedPercentage bound the failures that do
	// not fail the fork (-1: unset; both unset: none are tolerated).
	ToleratedCount      int
	ToleratedPercentage float64
	// Limited: the fork starts its children one by one, so a child's end
	// starts the next (its first work item has kind NextKind, seq 0; in a
	// fork with Items, its thread is created then).
	Limited  bool
	NextKind string
	// Parent, ParentSeq and ParentKind are the work item that hands the
	// parent thread the fork's results.
	Parent     string
	ParentSeq  int64
	ParentKind string
	// Run: the fork is a map run, whose limit and tolerances are read from
	// the joins hash rather than taken from the join (ForkRun).
	Run bool
	// A child that carries out a chunk of a map run's items: Failures is
	// how many of them failed (0 with Failed: one), Items how many it
	// ended (0: one), counted in "<fork>#ended"; TolerancePer is the
	// number of items the tolerated percentage is of (0: N).
	Failures, Items, TolerancePer int
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
	// Retention is how long the closed execution's keys live on (0: for
	// ever): AWS keeps a closed execution, and its name, 90 days.
	Retention time.Duration
	// NoVariables and NoForks say the execution never set variables or
	// forked (no Assign; no Parallel or Map state): their keys, which
	// do not exist, need no expiry.
	NoVariables, NoForks bool
}

// retainedKeys are the indexes in the transition script's KEYS of the
// keys a closing execution may have written.
func (cl *ExecutionClose) retainedKeys() string {
	keys := "123"
	if !cl.NoVariables {
		keys += "4"
	}
	keys += "5"
	if !cl.NoForks {
		keys += "6"
	}
	return keys
}

// TransitionResult is what a transition wrote.
type TransitionResult struct {
	EventIDs []int64 // the ids of Params.Events, in order
	Seq      int64   // the thread's new sequence number
	// LastEventID is the thread's latest event id after the transition.
	LastEventID int64
	// OpenEntryRemoved is set when the transition closed the execution
	// and removed it from the open executions itself.
	OpenEntryRemoved bool
	// handOver holds the transition's outbox entries and the outbox's
	// length after it: OutboxHandOver can pass them on without reading
	// the outbox back.
	handOver *handOver
}

type handOver struct {
	execID    string
	entries   []outboxEntry
	outboxLen int64
}

// Transition applies one step of one thread atomically, if the execution
// is RUNNING (else ErrClosed) and the thread is at p.Seq (else ErrStale;
// ErrNotFound if the execution or thread is missing): it appends the
// events, writes the thread's record at Seq+Steps, sets the variables,
// appends the outbox items, and closes the execution when p.Close is set.
// A closed execution is then removed from the open executions.
func (c *Client) Transition(ctx context.Context, p *TransitionParams) (*TransitionResult, error) {
	return c.transition(ctx, p, scriptTransition, nil)
}

// TransitionFork is Transition of a step that forks: it also creates f's
// child threads (Parallel branches, Map iterations) and their counters.
func (c *Client) TransitionFork(ctx context.Context, p *TransitionParams, f *Fork) (*TransitionResult, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: a fork transition without a fork", ErrInvalid)
	}
	return c.transition(ctx, p, scriptTransitionFork, func(a *args) error { return a.fork(f) })
}

// TransitionJoin is Transition of a child thread's last step: it also
// records the child's end in its fork (j), and hands the parent its join
// once the fork is done.
func (c *Client) TransitionJoin(ctx context.Context, p *TransitionParams, j *Join) (*TransitionResult, error) {
	if j == nil {
		return nil, fmt.Errorf("%w: a join transition without a join", ErrInvalid)
	}
	return c.transition(ctx, p, scriptTransitionJoin, func(a *args) error { a.join(p.ExecutionID, j); return nil })
}

// transition runs one of the transition scripts; section appends the
// script's own section of ARGV (nil: none).
func (c *Client) transition(ctx context.Context, p *TransitionParams, script *redis.Script, section func(*args) error) (*TransitionResult, error) {
	a, err := c.transitionArgs(p, section)
	if err != nil {
		return nil, err
	}
	res, err := script.Run(ctx, c.hot, c.keys.transitionKeys(p.ExecutionID, c.direct), a...).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: transition of thread %s of execution %s: %w", p.Thread, p.ExecutionID, err)
	}
	if err := transitionRefused(res, p); err != nil {
		return nil, err
	}
	if p.Close != nil && !p.KeepOpenEntry && !c.direct {
		// The open-executions index is in another Cluster slot, so the
		// script cannot touch it. The transition has committed: should this
		// fail, or the process die first, a closed execution stays in the
		// index, which the recoverer drops when it finds it closed; so the
		// error is not the caller's.
		_ = c.OpenExecutionRemove(ctx, p.ExecutionID)
	}
	r := &TransitionResult{
		EventIDs:    eventIDs(intAt(res, 1), intAt(res, 2)),
		LastEventID: intAt(res, 2),
		Seq:         intAt(res, 3),

		OpenEntryRemoved: p.Close != nil && c.direct,
	}
	if r.handOver, err = newHandOver(p.ExecutionID, p.Outbox, intAt(res, 4), intAt(res, 5)); err != nil {
		return nil, err
	}
	return r, nil
}

// transitionArgs is a transition script's ARGV for p (scripts.go), with
// the script's own section.
func (c *Client) transitionArgs(p *TransitionParams, section func(*args) error) (args, error) {
	if err := errors.Join(checkID("execution id", p.ExecutionID), checkID("thread id", p.Thread)); err != nil {
		return nil, err
	}
	succeeds := p.Close != nil && p.Close.Status == StatusSucceeded
	a := args{p.Thread, p.Seq, p.Record, max(p.Steps, 1), p.ExpectEvents, p.MaxEvents, boolArg(succeeds)}
	if err := a.events(p.Events); err != nil {
		return nil, err
	}
	if err := a.vars(p.Vars); err != nil {
		return nil, err
	}
	if err := a.outbox(p.Outbox); err != nil {
		return nil, err
	}
	if err := a.close(p.ExecutionID, p.Close); err != nil {
		return nil, err
	}
	if section != nil {
		if err := section(&a); err != nil {
			return nil, err
		}
	}
	settle := ""
	if c.direct && p.After != nil && p.After.handOver != nil && len(p.After.handOver.entries) == 1 {
		settle = p.After.handOver.entries[0].raw
	}
	return append(a, boolArg(p.Carry && c.direct), settle, p.InFork), nil
}

// join appends the join section.
func (a *args) join(execID string, j *Join) {
	failures := j.Failures
	if j.Failed && failures == 0 {
		failures = 1
	}
	if !j.Failed {
		failures = 0
	}
	*a = append(*a, j.Fork, j.Index, j.Result, failures, j.N, j.ToleratedCount,
		strconv.FormatFloat(j.ToleratedPercentage, 'f', -1, 64), boolArg(j.Limited), j.Parent,
		execID, cmp.Or(j.NextKind, "step"), strconv.FormatInt(j.ParentSeq, 10)+"|"+j.ParentKind, boolArg(j.Run), max(j.Items, 1), j.TolerancePer)
}

// vars appends a pairs section of variables.
func (a *args) vars(vs []Var) error {
	kv := make([]string, 0, 2*len(vs))
	for _, v := range vs {
		if v.Name == "" {
			return fmt.Errorf("%w: a variable without a name", ErrInvalid)
		}
		kv = append(kv, v.Name, string(v.Value))
	}
	a.pairs(kv...)
	return nil
}

// close appends the transition's closing section ("" for none).
func (a *args) close(execID string, cl *ExecutionClose) error {
	if cl == nil {
		*a = append(*a, "")
		return nil
	}
	if err := a.closeFields(cl); err != nil {
		return err
	}
	*a = append(*a, execID, cl.retainedKeys())
	return nil
}

// createdClosed appends the create script's close section ("" for none).
func (a *args) createdClosed(cl *ExecutionClose) error {
	if cl == nil {
		*a = append(*a, "")
		return nil
	}
	return a.closeFields(cl)
}

// closeFields appends what both close sections start with: status,
// output, error, cause, stop (unix ms), retention (ms).
func (a *args) closeFields(cl *ExecutionClose) error {
	if err := checkClose(cl); err != nil {
		return err
	}
	*a = append(*a, cl.Status, cl.Output, cl.Error, cl.Cause, strconv.FormatInt(cl.StopDate.UnixMilli(), 10), cl.Retention.Milliseconds())
	return nil
}

// checkClose checks that cl closes an execution: a closed status and a
// stop date.
func checkClose(cl *ExecutionClose) error {
	if cl.Status == "" || cl.Status == StatusRunning || cl.StopDate.IsZero() {
		return fmt.Errorf("%w: closing with status %q at %v", ErrInvalid, cl.Status, cl.StopDate)
	}
	return nil
}

// fork appends the fork section.
func (a *args) fork(f *Fork) error {
	kv := make([]string, 0, 2*len(f.Children))
	for _, c := range f.Children {
		if err := checkID("thread id", c.ID); err != nil {
			return err
		}
		kv = append(kv, c.ID, string(c.Record)) // the script puts "<seq>|<last>|" first
	}
	if len(f.Children) > 0 && len(f.Items) > 0 {
		return fmt.Errorf("%w: fork %s has both children and items", ErrInvalid, f.ID)
	}
	if f.Started < 0 || f.Started > f.n() {
		return fmt.Errorf("%w: fork %s starts %d of %d children", ErrInvalid, f.ID, f.Started, f.n())
	}
	*a = append(*a, f.ID, f.n(), f.Started)
	a.pairs(kv...)
	*a = append(*a, len(f.Items))
	for _, it := range f.Items {
		*a = append(*a, it)
	}
	*a = append(*a, f.Record)
	if r := f.Run; r != nil {
		if len(r.Record) == 0 || r.Limit < 1 {
			return fmt.Errorf("%w: map run of fork %s without a record or a limit", ErrInvalid, f.ID)
		}
		*a = append(*a, r.Record, r.Limit, r.ToleratedCount, strconv.FormatFloat(r.ToleratedPercentage, 'f', -1, 64))
	} else {
		*a = append(*a, "", 0, 0, 0)
	}
	return nil
}

// transitionRefused maps the transition script's code to its error: nil
// when it committed.
func transitionRefused(res []any, p *TransitionParams) error {
	switch code(res) {
	case codeOK:
		return nil
	case codeStale:
		return fmt.Errorf("%w: thread %s of execution %s is at %d, not %d", ErrStale, p.Thread, p.ExecutionID, intAt(res, 1), p.Seq)
	case codeClosed:
		return fmt.Errorf("%w: execution %s is %s", ErrClosed, p.ExecutionID, stringAt(res, 1))
	case codeNotFound:
		return fmt.Errorf("%w: thread %s of execution %s", ErrNotFound, p.Thread, p.ExecutionID)
	case codeHistory:
		return fmt.Errorf("%w: execution %s has %d events; %d more would reach %d", ErrHistoryLimit, p.ExecutionID, intAt(res, 1), len(p.Events), p.MaxEvents)
	case codeMoved:
		return fmt.Errorf("%w: execution %s is not at event %d", ErrEventsMoved, p.ExecutionID, p.ExpectEvents)
	case codeCancel:
		return fmt.Errorf("%w: thread %s of execution %s, fork %s", ErrCancelled, p.Thread, p.ExecutionID, p.InFork)
	}
	return fmt.Errorf("%w: transition script returned %v", ErrCorrupt, res)
}

// newHandOver describes the outbox entries a script appended: items, from
// outbox sequence number first (0: none), leaving the outbox n long.
func newHandOver(execID string, items []OutboxItem, first, n int64) (*handOver, error) {
	h := &handOver{execID: execID, outboxLen: n}
	if first <= 0 {
		return h, nil
	}
	for k, it := range items {
		enc, err := it.encode()
		if err != nil {
			return nil, err
		}
		e, err := parseOutboxEntry(strconv.FormatInt(first+int64(k), 10) + "|" + enc)
		if err != nil {
			return nil, err
		}
		h.entries = append(h.entries, e)
	}
	return h, nil
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// JoinResults returns the results the children of a fork recorded, in
// index order, and whether each failed (a failed child's result is its
// error output).
func (c *Client) JoinResults(ctx context.Context, execID, fork string, n int) ([][]byte, error) {
	if n == 0 {
		return nil, nil
	}
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fork + "/" + strconv.Itoa(i)
	}
	vals, err := c.hot.HMGet(ctx, c.keys.JoinKey(execID), fields...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: results of fork %s of execution %s: %w", fork, execID, err)
	}
	out := make([][]byte, n)
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = []byte(s)
		}
	}
	return out, nil
}

// ForkItem returns the item of child index of a fork created with Items
// (the child's input), or ErrNotFound once the child has ended.
func (c *Client) ForkItem(ctx context.Context, execID, fork string, index int) ([]byte, error) {
	if err := checkID("execution id", execID); err != nil {
		return nil, err
	}
	v, err := c.hot.HGet(ctx, c.keys.JoinKey(execID), forkItemField(fork, index)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: item %d of fork %s of execution %s", ErrNotFound, index, fork, execID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: item %d of fork %s of execution %s: %w", index, fork, execID, err)
	}
	return v, nil
}

// forkItemField is the joins hash's field of a fork's item (the scripts
// build the same).
func forkItemField(fork string, index int) string { return fork + "#item/" + strconv.Itoa(index) }
