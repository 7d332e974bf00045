package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/store"
)

// Parallel branches and Map iterations are threads of their own: a fork
// creates them, each runs on any worker like the top-level thread, and the
// last to end (or the first failure beyond the tolerance) hands the parent
// its join, atomically, in the store's transition script.

// machineAt resolves a thread's machine path from the top-level machine.
func machineAt(top *asl.StateMachine, path []string) (*asl.StateMachine, error) {
	m := top
	for _, p := range path {
		name, which, ok := strings.Cut(p, "#")
		if !ok {
			return nil, fmt.Errorf("bad machine path element %q", p)
		}
		st, ok := m.State(name)
		if !ok {
			return nil, fmt.Errorf("machine path: no state %q", name)
		}
		switch s := st.(type) {
		case *asl.Parallel:
			i, err := strconv.Atoi(strings.TrimPrefix(which, "b"))
			if err != nil || !strings.HasPrefix(which, "b") || i < 0 || i >= len(s.Branches) {
				return nil, fmt.Errorf("machine path: no branch %q of %q", which, name)
			}
			m = s.Branches[i]
		case *asl.Map:
			if which != "p" {
				return nil, fmt.Errorf("machine path: %q of Map %q", which, name)
			}
			m = s.Processor
		default:
			return nil, fmt.Errorf("machine path: %q is a %s state", name, st.Kind())
		}
	}
	return m, nil
}

// scopeChain returns a thread's variable scopes, innermost first: its own,
// then its parents'. A child's id is its parent's, its fork's seq and its
// index: "0/5/2" is child 2 of the fork thread "0" made at seq 5.
func scopeChain(thread string) []string {
	chain := []string{thread}
	for {
		parts := strings.Split(thread, "/")
		if len(parts) < 3 {
			return chain
		}
		thread = strings.Join(parts[:len(parts)-2], "/")
		chain = append(chain, thread)
	}
}

// childResult is what a child thread leaves in its fork: its output, or
// its error.
type childResult struct {
	Output json.RawMessage `json:"ok,omitempty"`
	Error  *aslerr.Error   `json:"err,omitempty"`
	// A map run's child with a ResultWriter: its input, and when it began
	// and ended (unix ms), for the results written.
	Input json.RawMessage `json:"in,omitempty"`
	Began int64           `json:"b,omitempty"`
	Ended int64           `json:"e,omitempty"`
}

// forkID names the fork a thread makes at its current transition.
func (t *transition) forkID() string { return t.thread + "/" + strconv.FormatInt(t.seq, 10) }

func (t *transition) startFork(f *forkRecord, children []store.ChildThread, started int) {
	t.rec.Phase, t.rec.Fork = phaseFork, f
	t.fork = &store.Fork{ID: f.ID, Children: children, Started: started}
	for i := 0; i < started; i++ {
		t.outbox = append(t.outbox, store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: children[i].ID, Seq: 0, Kind: kindBegin}})
	}
}

func (t *transition) child(f *forkRecord, i int, machine string, state string, input any) (store.ChildThread, error) {
	rec := newThreadRecord(state, input, t.d.now())
	rec.Phase = phaseBegin
	rec.Machine = append(append([]string(nil), t.rec.Machine...), machine)
	rec.Child = &childRecord{forkRecord: *f, Index: i, Parent: t.thread, ParentSeq: t.seq + 1, ParentEntered: t.rec.EnteredID}
	rec.Redrives = t.rec.Redrives
	b, err := rec.encode()
	return store.ChildThread{ID: f.ID + "/" + strconv.Itoa(i), Record: b}, err
}

// forkParallel starts a Parallel's branches; false when it has none.
func (t *transition) forkParallel(x asl.RunParallel) (bool, error) {
	n := len(x.Branches)
	if n == 0 {
		return false, nil
	}
	f := &forkRecord{ID: t.forkID(), N: n, TolCnt: -1, TolPct: -1}
	children := make([]store.ChildThread, n)
	for i, b := range x.Branches {
		c, err := t.child(f, i, t.st.Name()+"#b"+strconv.Itoa(i), b.StartAt, x.Input)
		if err != nil {
			return false, err
		}
		children[i] = c
	}
	t.event(Event{Type: ParallelStateStarted})
	t.startFork(f, children, n)
	return true, nil
}

// Live Map iterations. AWS runs an inline Map's iterations "up to 40
// concurrent iterations" (the Inline Map documentation), whatever its
// MaxConcurrency; so does this engine, MaxConcurrency 0 included. A
// Distributed Map runs its child workflows up to MaxConcurrency (10,000
// when 0, on AWS); here they are threads like inline iterations, at most
// maxDistributedConcurrency at a time, for each live iteration holds its
// state's input (up to 256 KiB) in its thread record.
//
// Up to AWS's 10,000: a live iteration's thread record holds its input
// and its item, which the fork's items hash holds already for every
// iteration not ended, so running 10,000 at a time at most doubles what
// those items take (and a Map over n items holds n of them anyway). A
// fork starts at most maxForkStart children in its own transition (one
// script call: 10,000 threads and work items at once would hold Redis for
// tens of milliseconds); a map run's joins then start up to 8 children
// each while fewer than its limit run, so it ramps up to the limit.
const (
	maxDistributedConcurrency = 10000
	maxForkStart              = 1000
)

// mapConcurrency is how many iterations of a Map run at a time.
func mapConcurrency(x asl.RunMap) int {
	limit, bound := x.MaxConcurrency, defaultInlineConcurrency
	if x.Distributed {
		bound = maxDistributedConcurrency
	}
	if limit <= 0 || limit > bound {
		limit = bound
	}
	return min(limit, len(x.Items))
}

// forkMap starts a Map's iterations, at most mapConcurrency at a time;
// false when there are no items. The items are stored once, with the
// fork; an iteration's thread is created when it starts, from a record
// shared by all (Child.Index -1: the index is the thread id's last part,
// the item is read when it begins), and removed when it ends, so that a
// Map over many items holds no more threads than it runs at a time.
func (t *transition) forkMap(x asl.RunMap) (bool, error) {
	n := len(x.Items)
	if n == 0 {
		return false, nil
	}
	items := make([][]byte, n)
	for i, item := range x.Items {
		items[i] = []byte(asl.EncodeJSON(item))
	}
	limit := mapConcurrency(x)
	// a map run of a pure processor: its children are chunks of items
	// (durable_chunk.go)
	chunk := 0
	if pureMachine(x.Processor) && (x.Distributed || n > maxInlineItems || t.base < 0) {
		chunk = chunkSize(items)
		items = chunkItems(items, chunk)
		limit = min((limit+chunk-1)/chunk, len(items))
	}
	children := len(items)
	started := limit
	if x.Distributed {
		started = min(limit, maxForkStart)
	}
	f := &forkRecord{ID: t.forkID(), N: children, Map: true, TolCnt: x.ToleratedFailureCount, TolPct: x.ToleratedFailurePercentage, Limited: started < children, Chunk: chunk}
	if chunk > 0 {
		f.Total = n
	}
	var run *store.ForkRun
	if x.Distributed {
		var err error
		if run, err = t.mapRun(f, x, limit, n); err != nil {
			return false, err
		}
	}
	rec := &threadRecord{State: x.Processor.StartAt, Entered: t.d.now().UnixMilli(), Phase: phaseBegin, Redrives: t.rec.Redrives}
	rec.Machine = append(append([]string(nil), t.rec.Machine...), t.st.Name()+"#p")
	rec.Child = &childRecord{forkRecord: *f, Index: -1, Parent: t.thread, ParentSeq: t.seq + 1, MapState: t.st.Name(), ParentEntered: t.rec.EnteredID}
	if chunk > 0 {
		rec.Child.Items = n
	}
	b, err := rec.encode()
	if err != nil {
		return false, err
	}
	t.event(Event{Type: MapStateStarted, Length: n})
	if run != nil {
		t.event(Event{Type: MapRunStarted, Task: &TaskDetails{Resource: f.Run}})
	}
	t.rec.Phase, t.rec.Fork = phaseFork, f
	t.fork = &store.Fork{ID: f.ID, Items: items, Record: b, Started: started, Run: run}
	for i := 0; i < started; i++ {
		t.outbox = append(t.outbox, store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: f.ID + "/" + strconv.Itoa(i), Seq: 0, Kind: kindBegin}})
	}
	return true, nil
}

// errIterationGone: the iteration a begin item is for ended meanwhile.
var errIterationGone = errors.New("the iteration ended")

// loadIteration completes the record of a Map iteration not begun yet
// (forkMap) with its index and item.
func (d *Durable) loadIteration(ctx context.Context, execID, thread string, rec *threadRecord) error {
	ch := rec.Child
	k := strings.LastIndexByte(thread, '/')
	i, err := strconv.Atoi(thread[k+1:])
	if k < 0 || err != nil || i < 0 || i >= ch.N {
		return fmt.Errorf("execution %s: thread %s is no iteration of fork %s", execID, thread, ch.ID)
	}
	item, err := d.store.ForkItem(ctx, execID, ch.ID, i)
	if errors.Is(err, store.ErrNotFound) {
		return errIterationGone // another worker began and ended it meanwhile
	}
	if err != nil {
		return err
	}
	ch.Index, ch.Item, rec.Input = i, item, item
	return nil
}

// begin starts a child thread: it enters its first state.
func (t *transition) begin() {
	ch := t.rec.Child
	if ch.MapState != "" {
		t.event(Event{Type: MapIterationStarted, Name: ch.MapState, Index: ch.Index})
	}
	now := t.d.now()
	t.event(Event{Type: StateEntered(t.st.Kind()), Name: t.st.Name(), Payload: t.input, Timestamp: now})
	// The StateEntered just recorded is the state's: its id, once the
	// store has numbered it, is the thread's latest (step).
	t.rec.Phase, t.rec.Entered, t.rec.EnteredID = phaseEnter, now.UnixMilli(), 0
	ch.Began = t.rec.Entered
	t.nextKind = kindStep
}

// end records a child thread's end in its fork.
func (t *transition) end(output any, failure *aslerr.Error) error {
	ch := t.rec.Child
	res := childResult{Error: failure}
	if ch.Writer {
		res.Input, res.Began, res.Ended = ch.Item, ch.Began, t.d.now().UnixMilli()
	}
	typ := MapIterationSucceeded
	if failure != nil {
		typ = MapIterationFailed
	} else {
		res.Output = rawJSON(output)
	}
	if ch.MapState != "" {
		t.event(Event{Type: typ, Name: ch.MapState, Index: ch.Index})
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	t.joinEnd = &store.Join{
		Fork: ch.ID, Index: ch.Index, Result: b, Failed: failure != nil, N: ch.N,
		ToleratedCount: ch.TolCnt, ToleratedPercentage: ch.TolPct,
		Limited: ch.Limited, NextKind: kindBegin,
		Parent: ch.Parent, ParentSeq: ch.ParentSeq, ParentKind: kindJoin, Run: ch.Run != "",
	}
	t.rec.Phase = phaseDone
	if tr := t.x.trace; tr != nil {
		t.spans = append(t.spans, tr.childSpan(ch.ParentEntered, ch.MapState != "", ch.Index, time.UnixMilli(ch.Began), t.d.now(), failure))
	}
	return nil
}

// join collects a fork's results for its parent and decides what the
// Parallel or Map state does with them.
func (t *transition) join(ctx context.Context) (asl.Outcome, error) {
	f := t.rec.Fork
	raw, err := t.d.store.JoinResults(ctx, t.x.id, f.ID, f.N)
	if err != nil {
		return nil, err
	}
	if f.Run != "" {
		return t.joinRun(ctx, raw)
	}
	if f.Chunk > 0 {
		return t.joinChunks(raw)
	}
	outputs := make([]any, f.N)
	failed := 0
	var first *aslerr.Error
	for i, r := range raw {
		if r == nil {
			continue // cancelled: a sibling's failure joined the fork first
		}
		var res childResult
		if err := json.Unmarshal(r, &res); err != nil {
			return nil, fmt.Errorf("fork %s child %d: %w", f.ID, i, err)
		}
		if res.Error != nil {
			failed++
			if first == nil {
				first = res.Error
			}
			outputs[i] = failedIteration(res.Error)
			continue
		}
		if outputs[i], err = decodeRaw(res.Output); err != nil {
			return nil, err
		}
	}
	t.rec.Phase, t.rec.Fork = phaseEnter, nil
	tol := asl.RunMap{ToleratedFailureCount: f.TolCnt, ToleratedFailurePercentage: f.TolPct}
	if failed > 0 && !tol.Tolerates(failed, f.N) {
		return forkEnded(t, t.st, t.input, t.c, f.Map, nil, tol.Failure(first), 0), nil
	}
	return forkEnded(t, t.st, t.input, t.c, f.Map, outputs, nil, 0), nil
}
