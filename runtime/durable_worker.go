package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// external is what SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat
// bring to a thread waiting for its task token.
type external struct {
	token     string
	heartbeat bool
	output    any
	failure   *aslerr.Error
}

// process carries out a work item, or an external event for a thread
// waiting on a token (ext; item.Seq is then ignored).
//
// closed, when not nil, is told the execution the item closed, if it did,
// and leaves its removal from the open executions' index to the caller.
func (d *Durable) process(ctx context.Context, item store.WorkItem, ext *external, closed *string) error {
	if ok, err := d.processNested(ctx, item); ok {
		return err
	}
	if item.Kind == kindTimeout {
		err := d.end(ctx, item.Exec, StatusTimedOut, ExecutionTimedOut, aslerr.Timeout, "The execution timed out")
		if errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
			return nil // it ended first
		}
		return err
	}
	w, err := d.walkFrom(ctx, item, ext, closed)
	if w == nil || err != nil {
		return err
	}
	if err = w.run(ctx); errors.Is(err, errNothingToDo) {
		err = nil
	}
	return w.handOver(ctx, err)
}

// walk is a worker's pass over one thread, from a work item on.
//
// A step that leaves the thread ready for its next step right away (a
// Pass, a Choice, a Wait of zero, or a task call it scheduled) is followed
// by that step here, without going through the work stream: up to maxFold
// of them, then the chain's outbox is handed over at once. A crash
// mid-chain leaves the last committed step's item in the outbox, for the
// recoverer.
//
// The top-level thread also commits such steps together, in one
// transition (a batch): no other thread appends events while it runs, so
// it can number its events before the store does, and the store refuses
// the batch should the numbering be wrong (ErrEventsMoved: an execution
// stopped, say); the steps are then taken one by one.
type walk struct {
	d      *Durable
	item   store.WorkItem // its Kind is the next step's
	ext    *external
	closed *string
	x      *execInfo

	rec       *threadRecord
	seq, last int64                     // the thread's seq and latest event, as far as this walk knows
	chain     []*store.TransitionResult // the transitions committed, for the outbox's hand-over
	b         stepBatch                 // steps carried out, not committed yet
	vars      map[string]string         // the execution's variables, once read
	canBatch  bool
	alone     bool // the next step is committed alone (after ErrEventsMoved)
	nearLimit bool // a batch would have passed the history's limit
}

// walkFrom loads the thread an item is for; nil when there is nothing to
// do (a stale or duplicate item, an execution gone).
func (d *Durable) walkFrom(ctx context.Context, item store.WorkItem, ext *external, closed *string) (*walk, error) {
	th, err := d.firstThread(ctx, item, ext)
	if th == nil {
		th, err = d.store.ThreadGet(ctx, item.Exec, item.Thread)
	}
	if errors.Is(err, store.ErrNotFound) {
		if ext != nil {
			return nil, ErrTaskDoesNotExist
		}
		return nil, nil // the execution is gone: nothing to do
	}
	if err != nil {
		return nil, err
	}
	if ext != nil {
		item.Seq = th.Seq
	}
	if th.Seq != item.Seq {
		return nil, nil // stale or duplicate delivery
	}
	rec, err := decodeThreadRecord(th.Record)
	if err != nil {
		return nil, err
	}
	if ch := rec.Child; ch != nil && ch.Index < 0 && rec.Phase == phaseBegin {
		if err := d.loadIteration(ctx, item.Exec, item.Thread, rec); err != nil {
			if errors.Is(err, errIterationGone) {
				return nil, nil
			}
			return nil, err
		}
	}
	x, err := d.info(ctx, item.Exec)
	if err != nil {
		return nil, err
	}
	return &walk{d: d, item: item, ext: ext, closed: closed, x: x, rec: rec, seq: th.Seq, last: th.LastEventID,
		canBatch: ext == nil && item.Thread == store.RootThread}, nil
}

// handOver hands the committed transitions' outboxes over, whatever err.
func (w *walk) handOver(ctx context.Context, err error) error {
	if len(w.chain) == 0 {
		return err
	}
	if _, herr := w.d.store.OutboxHandOverChain(ctx, w.item.Exec, w.chain); herr != nil && err == nil {
		return herr
	}
	return err
}

// run carries out steps until one waits for something or maxFold is
// reached, committing them.
func (w *walk) run(ctx context.Context) error {
	for folded := 0; ; folded++ {
		tr, err := w.step(ctx)
		if tr == nil || err != nil {
			return err
		}
		// A step the thread is ready for (a state's step, or the task call
		// a step has just scheduled) follows here; a task call only once
		// the step that scheduled it is committed.
		more := w.ext == nil && folded+1 < maxFold && (tr.nextKind == kindStep || tr.nextKind == kindTask) && tr.readyNow()
		if more && batchable(tr) && w.canBatch && !w.alone && !w.nearLimit && w.b.size < maxBatchBytes {
			// Carry on with the next step; its events are numbered on.
			w.seq++
			w.last += int64(len(tr.events))
			w.rec = tr.rec
			w.item.Kind = tr.nextKind
			continue
		}
		again, err := w.commit(ctx, tr, more)
		switch {
		case err != nil:
			return err
		case again:
			folded -= w.b.steps // the batch's first step is taken again, alone
			w.b = stepBatch{}
		case !more:
			return nil
		default:
			w.b = stepBatch{}
		}
	}
}

// step carries out the thread's next step into a transition, added to the
// batch; nil when there is nothing to commit.
func (w *walk) step(ctx context.Context) (*transition, error) {
	d, x, rec, item := w.d, w.x, w.rec, w.item
	m, err := machineAt(x.machine, rec.Machine)
	if err != nil {
		return nil, fmt.Errorf("execution %s thread %s: %w", x.id, item.Thread, err)
	}
	st, ok := m.State(rec.State)
	if !ok {
		return nil, fmt.Errorf("execution %s: no state %q in its definition", x.id, rec.State)
	}
	if rec.EnteredID == 0 {
		// The transition that entered the state appended its StateEntered
		// event last.
		rec.EnteredID = w.last
	}
	input, err := decodeRaw(rec.Input)
	if err != nil {
		return nil, err
	}
	if w.vars == nil && x.machine.UsesVariables() {
		if w.vars, err = d.store.VarsGet(ctx, x.id); err != nil {
			return nil, err
		}
		if w.vars == nil {
			w.vars = map[string]string{}
		}
	}
	if w.b.steps == 0 {
		if w.canBatch { // kept to take the batch's first step again, alone
			if w.b.startRecord, err = rec.encode(); err != nil {
				return nil, err
			}
		}
		w.b.startSeq, w.b.startLast, w.b.startKind = w.seq, w.last, item.Kind
	}
	c, err := d.context(x, item.Thread, w.seq, rec, st, w.vars)
	if err != nil {
		return nil, err
	}
	// A worker shutting down stops an evaluation in progress; its lease
	// hands the step to another worker. A stop of the execution does not
	// reach a running evaluation: it is bounded by JSONata's step and byte
	// budgets, and its transition then finds the execution closed.
	c.Interrupt = ctx
	tr := &transition{d: d, x: x, thread: item.Thread, seq: w.seq, m: m, st: st, rec: rec, input: input, c: c, base: -1}
	if w.canBatch && !w.alone {
		tr.base = w.last
	}
	o, err := w.decide(ctx, tr)
	if err != nil {
		return nil, err
	}
	if o != nil {
		if err := tr.apply(o); err != nil {
			return nil, err
		}
	}
	if tr.nextKind != "" {
		tr.outbox = append(tr.outbox, store.OutboxItem{Item: store.WorkItem{Exec: x.id, Thread: item.Thread, Seq: w.seq + 1, Kind: tr.nextKind}, Due: tr.due})
	}
	w.b.add(tr)
	if w.vars != nil {
		for _, v := range tr.vars {
			w.vars[v.Name] = string(v.Value)
		}
	}
	return tr, nil
}

// readyNow reports whether the thread is ready for its next step as soon
// as tr is done: it neither ended, nor waits for a timer, a fork or a
// join.
func (tr *transition) readyNow() bool {
	return tr.close == nil && tr.due.IsZero() && len(tr.outbox) == 1 && tr.fork == nil && tr.joinEnd == nil
}

// batchable reports whether the step after tr may join tr's batch: a
// state's step, or a task call whose result the call itself brings. A call
// made before the step that scheduled it is committed is made again, with
// the same idempotency key, should the worker die before the batch
// commits; a task that waits for its token (.waitForTaskToken, an
// activity) is committed first, so that a token that comes back at once
// finds its thread waiting. One script call less per Task state: task5
// measured 1.20 script calls per transition before.
func batchable(tr *transition) bool {
	switch tr.nextKind {
	case kindStep:
		return true
	case kindTask:
		return tr.rec.Call != nil && !tokenBeforeCall(tr.rec.Call.Resource)
	}
	return false
}

// errNothingToDo ends a walk with nothing to commit.
var errNothingToDo = errors.New("nothing to do")

// decide is what the step does, by the work item's kind and the thread's
// phase: the outcome to apply (nil when the transition holds it already).
func (w *walk) decide(ctx context.Context, tr *transition) (asl.Outcome, error) {
	rec, item, ext, c := tr.rec, w.item, w.ext, tr.c
	if ext != nil && rec.Token == ext.token && rec.Phase == phaseTask {
		// The token came back before the call that handed it out returned
		// (a consumer that answers at once): it is taken now, and that
		// call's own transition finds the thread moved on. A heartbeat has
		// nothing to re-arm yet.
		if ext.heartbeat {
			return nil, errNothingToDo
		}
	} else if ext != nil && (rec.Phase != phaseToken || rec.Token != ext.token) {
		return nil, ErrTaskDoesNotExist
	}
	if st, ok := tr.st.(*asl.Task); ok && (rec.Phase == phaseEnter || rec.Phase == phaseRetry) && tokenBeforeCall(st.Resource) {
		c.TaskToken = newTaskToken(w.x.id, item.Thread, c)
	}
	switch {
	case ext != nil:
		return tr.token(ext), nil
	case item.Kind == kindTaskTimeout && rec.Phase == phaseToken:
		return tr.tokenTimeout(aslerr.Timeout, "The task did not complete within its TimeoutSeconds"), nil
	case item.Kind == kindHeartbeat && rec.Phase == phaseToken:
		return tr.tokenTimeout(aslerr.HeartbeatTimeout, "No heartbeat came within the task's HeartbeatSeconds"), nil
	case item.Kind == kindBegin && rec.Phase == phaseBegin && rec.Child.Chunk > 0:
		return nil, tr.runChunk() // durable_chunk.go
	case item.Kind == kindBegin && rec.Phase == phaseBegin:
		tr.begin()
		return nil, nil
	case item.Kind == kindJoin && rec.Phase == phaseFork:
		o, err := tr.join(ctx)
		if err == nil {
			err = tr.stopCancelledNested(ctx) // nested.go
		}
		return o, err
	case item.Kind == kindStep && rec.Phase == phaseEnter:
		return asl.Step(tr.st, tr.input, c), nil
	case item.Kind == kindTask && rec.Phase == phaseTask:
		return tr.callTask(ctx), nil
	case item.Kind == kindWake && rec.Phase == phaseWait:
		return rec.Then.outcome()
	case item.Kind == kindWake && rec.Phase == phaseRetry:
		if x := w.x.trace; x != nil {
			tr.spans = append(tr.spans, x.retrySpan(tr.st, rec.EnteredID, rec.RetryCount, time.UnixMilli(rec.RetryAt), w.d.now()))
		}
		rec.Phase, rec.RetryAt = phaseEnter, 0
		return asl.Step(tr.st, tr.input, c), nil
	}
	return nil, fmt.Errorf("execution %s thread %s: a %s item for a thread in phase %q", w.x.id, item.Thread, item.Kind, rec.Phase)
}

// commit writes the batch, whose last step is tr, in one transition.
// again is set when nothing was written and the batch's first step is to
// be taken again, alone.
func (w *walk) commit(ctx context.Context, tr *transition, more bool) (again bool, err error) {
	d, b := w.d, &w.b
	p := &store.TransitionParams{
		ExecutionID: w.x.id, Thread: w.item.Thread, Seq: b.startSeq, Steps: int64(b.steps),
		Events: b.events, Vars: b.vars, Close: tr.close,
		Outbox: tr.outbox, MaxEvents: d.maxHistoryEvents(), KeepOpenEntry: w.closed != nil, Carry: more,
	}
	if b.steps > 1 || b.numbered {
		p.ExpectEvents = b.startLast
	}
	if len(w.chain) > 0 {
		p.After = w.chain[len(w.chain)-1]
	}
	if w.rec.Child != nil {
		p.InFork = w.rec.Child.ID
	}
	if p.Record, err = tr.rec.encode(); err != nil {
		return false, err
	}
	if p.Close != nil {
		// its parent's notification, its nested executions' stop
		more, err := d.endingOutbox(ctx, w.x, w.item.Thread)
		if err != nil {
			return false, err
		}
		p.Outbox = append(p.Outbox[:len(p.Outbox):len(p.Outbox)], more...)
	}
	var res *store.TransitionResult
	switch {
	case tr.fork != nil:
		res, err = d.store.TransitionFork(ctx, p, tr.fork)
	case tr.joinEnd != nil:
		res, err = d.store.TransitionJoin(ctx, p, tr.joinEnd)
	default:
		res, err = d.store.Transition(ctx, p)
	}
	if errors.Is(err, store.ErrHistoryLimit) && b.steps > 1 {
		// Near the limit the steps are taken one by one, so that the
		// history fills up to it exactly.
		w.nearLimit = true
		err = store.ErrEventsMoved
	}
	if err != nil {
		d.abandoned(ctx, tr, err)
		return w.refused(ctx, err)
	}
	w.chain = append(w.chain, res)
	w.x.emit(b.spans, p.Close)
	d.metrics.stateTransitions(w.x.smName, b.entered)
	if p.Close != nil {
		d.metrics.executionEnded(w.x.smName, Status(p.Close.Status))
		d.forgetExecution(w.x.id)
		if w.closed != nil && !res.OpenEntryRemoved {
			*w.closed = w.x.id
		}
	}
	w.seq, w.last, w.rec, w.alone = res.Seq, res.LastEventID, tr.rec, false
	w.item.Kind = tr.nextKind
	return false, nil
}

// refused is what follows a transition the store refused.
func (w *walk) refused(ctx context.Context, err error) (again bool, _ error) {
	d := w.d
	switch {
	case errors.Is(err, store.ErrEventsMoved):
		// Nothing was written: take the batch's first step again, alone.
		rec, derr := decodeThreadRecord(w.b.startRecord)
		if derr != nil {
			return false, derr
		}
		w.rec, w.seq, w.last, w.vars, w.alone = rec, w.b.startSeq, w.b.startLast, nil, true
		w.item.Kind = w.b.startKind
		return true, nil
	case errors.Is(err, store.ErrHistoryLimit):
		// As on AWS, an execution whose history is full fails.
		err := d.end(ctx, w.x.id, StatusFailed, ExecutionFailed, aslerr.Runtime,
			fmt.Sprintf("The execution reached the maximum number of history events (%d).", d.maxHistoryEvents()))
		if errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
			err = nil // it ended first
		}
		return false, cmp.Or(err, errNothingToDo) // the walk ends either way
	case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrClosed), errors.Is(err, store.ErrCancelled), errors.Is(err, store.ErrNotFound):
		// ErrNotFound: the thread was removed, a child that another worker
		// ended first; or the execution is gone.
		if w.ext != nil && errors.Is(err, store.ErrClosed) {
			return false, ErrTaskTimedOut // the execution ended
		}
		if w.ext != nil {
			return false, ErrTaskDoesNotExist // the token was used meanwhile
		}
		return false, errNothingToDo // another worker got there first, or the execution or fork ended
	}
	return false, err
}

// stepBatch accumulates the steps a worker carried out in a row and
// commits in one transition.
type stepBatch struct {
	steps       int
	events      []store.Event
	vars        []store.Var
	spans       []spanRecord
	entered     int // states entered
	size        int // the events' bytes
	startRecord []byte
	startSeq    int64
	startLast   int64
	startKind   string
	numbered    bool // a step numbered its events itself (an inline Map)
}

func (b *stepBatch) add(t *transition) {
	b.steps++
	b.numbered = b.numbered || t.inlined
	b.events = append(b.events, t.events...)
	b.vars = append(b.vars, t.vars...)
	b.spans = append(b.spans, t.spans...)
	b.entered += t.entered
	for _, e := range t.events {
		b.size += len(e.JSON)
	}
}

// maxBatchBytes bounds the history a batch writes in one transition.
const maxBatchBytes = 1 << 20

// maxFold bounds the steps of one thread a worker carries out in a row
// without handing the thread's work back to the stream.
const maxFold = 64

// context builds the Context a state sees, from the execution, the thread
// and the variables.
func (d *Durable) context(x *execInfo, thread string, seq int64, rec *threadRecord, st asl.State, vars map[string]string) (*asl.Context, error) {
	sc, err := storedScope(thread, vars)
	if err != nil {
		return nil, err
	}
	// Randomness is seeded from the execution and the thread's seq, so a
	// step that is run again after a crash draws the same numbers.
	h := fnv.New64a()
	h.Write([]byte(x.id))
	src := &lockedSource{r: rand.New(rand.NewPCG(h.Sum64(), uint64(seq)))}
	c := x.executionContext(d)
	c.RedriveCount, c.Rand = rec.Redrives, src
	c.Vars, c.AllVars = sc.funcs()
	visitState(c, st, time.UnixMilli(rec.Entered).UTC(), rec.EnteredID, rec.RetryCount, append([]int(nil), rec.Retries...))
	if ch := rec.Child; ch != nil && ch.MapState != "" {
		item, err := decodeRaw(ch.Item)
		if err != nil {
			return nil, err
		}
		c.InMap, c.MapItemIndex, c.MapItemValue = true, ch.Index, item
	}
	return c, nil
}

// executionContext is a Context with the execution's fields, the same for
// every state of it.
func (x *execInfo) executionContext(d *Durable) *asl.Context {
	return &asl.Context{
		ExecutionID: x.arn, ExecutionName: x.name, ExecutionInput: x.input, ExecutionStart: x.start,
		RoleArn: x.roleARN(d), StateMachineID: x.smARN, StateMachineName: x.smName,
	}
}

// lockedSource adapts a *rand.Rand to the Random interface.
type lockedSource struct{ r *rand.Rand }

func (s *lockedSource) Float64() float64 { return s.r.Float64() }
func (s *lockedSource) Uint64() uint64   { return s.r.Uint64() }

// transition accumulates what one step writes.
type transition struct {
	d      *Durable
	x      *execInfo
	thread string
	seq    int64
	m      *asl.StateMachine // the machine the thread runs
	st     asl.State
	rec    *threadRecord
	input  any
	c      *asl.Context
	// base is the id of the event before this transition's first, when
	// the worker numbers the events itself (the top-level thread's
	// batches); -1 when the store does. inlined: a Map ran inline, its
	// events numbered on base, so the commit must hold the store to it.
	base    int64
	inlined bool

	events   []store.Event
	vars     []store.Var
	spans    []spanRecord // emitted once the transition commits
	entered  int          // states entered (metrics)
	close    *store.ExecutionClose
	fork     *store.Fork
	joinEnd  *store.Join
	outbox   []store.OutboxItem
	nextKind string // the thread's next work item, if any
	due      time.Time
}

func (t *transition) event(ev Event) {
	if ev.Type.entersState() {
		t.entered++
	}
	if ch := t.rec.Child; ch != nil && ch.Run != "" {
		return // a map run's child: its events are its own, not its parent's (maprun.go)
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = t.d.now()
	}
	t.events = append(t.events, store.Event{JSON: ev.bodyJSON(), PreviousID: ev.PreviousID})
}

func (t *transition) assign(vars map[string]any) {
	for k, v := range vars {
		t.vars = append(t.vars, store.Var{Name: t.thread + "/" + k, Value: []byte(asl.EncodeJSON(v))})
	}
}

// apply carries out outcomes until the thread has to wait for something:
// the next state's step, a task call, a timer, or the execution's end.
// The transition is the durable engine's sink (interp.go): it records,
// schedules and parks.
func (t *transition) apply(o asl.Outcome) error { return interpret(t, t.st, o) }

func (t *transition) region() string { return t.d.region() }

func (t *transition) stateEnded(output any, failure *aslerr.Error) {
	if tr := t.x.trace; tr != nil {
		t.spans = append(t.spans, tr.stateSpan(t.x.threadSpan(t.rec), t.st, t.c, t.input, output, t.d.now(), failure))
	}
}

func (t *transition) next(state string, input any) error {
	next, ok := t.m.State(state)
	if !ok {
		return fmt.Errorf("execution %s: no state %q", t.x.id, state)
	}
	now := t.d.now()
	t.event(Event{Type: StateEntered(next.Kind()), Name: state, Payload: input, Timestamp: now})
	rec := newThreadRecord(state, input, now)
	rec.Machine, rec.Child, rec.Redrives = t.rec.Machine, t.rec.Child, t.rec.Redrives
	t.rec = rec
	t.nextKind = kindStep
	return nil
}

func (t *transition) succeed(output any) error {
	if t.rec.Child != nil {
		return t.end(output, nil)
	}
	t.event(Event{Type: ExecutionSucceeded, Payload: output})
	t.close = t.closing(StatusSucceeded)
	t.close.Output = []byte(asl.EncodeJSON(output))
	return nil
}

func (t *transition) fail(err *aslerr.Error) error {
	if t.rec.Child != nil {
		return t.end(nil, err)
	}
	t.event(Event{Type: ExecutionFailed, Error: &ErrorDetails{err.Name, err.Cause}})
	t.close = t.closing(StatusFailed)
	t.close.Error, t.close.Cause = err.Name, err.Cause
	return nil
}

// call records the task call for a work item of its own (callTask).
func (t *transition) call(x asl.CallTask) (asl.Outcome, error) {
	t.rec.Phase = phaseTask
	t.rec.Call = &callRecord{Resource: x.Resource, Parameters: rawJSON(x.Parameters), TimeoutSeconds: x.TimeoutSeconds, HeartbeatSeconds: x.HeartbeatSeconds}
	if x.Credentials != nil {
		t.rec.Call.Credentials = rawJSON(x.Credentials)
	}
	t.rec.Token = t.c.TaskToken
	t.nextKind = kindTask
	return nil, nil
}

// wait goes on at once when x is due, else sets a timer.
func (t *transition) wait(x asl.WaitUntil) (asl.Outcome, error) {
	if !x.Until.After(t.d.now()) {
		return x.Then, nil
	}
	then, err := encodeThen(x.Then)
	if err != nil {
		return nil, err
	}
	t.rec.Phase, t.rec.Then = phaseWait, then
	t.nextKind, t.due = kindWake, x.Until
	return nil, nil
}

// retry counts the attempt and sets a timer for the next one.
func (t *transition) retry(x asl.Retry) (asl.Outcome, error) {
	t.rec.Retries = countRetry(t.rec.Retries, &t.rec.RetryCount, x.Retrier)
	t.rec.Phase, t.rec.Call, t.rec.RetryAt = phaseRetry, nil, t.d.now().UnixMilli()
	t.nextKind = kindWake
	if x.Delay > 0 {
		t.due = t.d.now().Add(x.Delay)
	}
	return nil, nil
}

// parallel forks the branches (durable_fork.go); a Parallel with none
// succeeds at once.
func (t *transition) parallel(x asl.RunParallel) (asl.Outcome, error) {
	if forked, err := t.forkParallel(x); forked || err != nil {
		return nil, err
	}
	return asl.Complete(t.st, t.input, []any{}, t.c), nil
}

// runMap runs the iterations inline when they only decide
// (durable_inline.go), else forks them (durable_fork.go); a Map with no
// items succeeds at once.
func (t *transition) runMap(x asl.RunMap) (asl.Outcome, error) {
	if o, err := t.readMapItems(&x); o != nil || err != nil {
		return o, err // the ItemReader failed: the Map's Retry and Catch apply
	}
	if len(x.Items) > 0 {
		o, err := t.mapInline(x)
		if !errors.Is(err, errNotInline) {
			t.inlined = err == nil
			return o, err
		}
	}
	if forked, err := t.forkMap(x); forked || err != nil {
		return nil, err
	}
	t.event(Event{Type: MapStateStarted, Length: 0})
	return forkEnded(t, t.st, t.input, t.c, true, []any{}, nil, 0), nil
}

// callTask calls the integration of the thread's current task, at least
// once per attempt, and decides what follows.
func (t *transition) callTask(ctx context.Context) asl.Outcome {
	call := t.rec.Call
	task := taskDetails(call.Resource)
	params, err := decodeRaw(call.Parameters)
	if err != nil {
		return asl.Fail{Error: aslerr.Runtime, Cause: err.Error()}
	}
	var creds any
	if call.Credentials != nil {
		if creds, err = decodeRaw(call.Credentials); err != nil {
			return asl.Fail{Error: aslerr.Runtime, Cause: err.Error()}
		}
	}
	req := taskCall{resource: call.Resource, params: params, machine: t.x.smName, arn: t.x.arn, state: t.st.Name(),
		enteredID: t.rec.EnteredID, attempt: t.rec.RetryCount, timeout: call.TimeoutSeconds, heartbeat: call.HeartbeatSeconds, credentials: creds, tc: t.x.tc}.request()
	req.TaskToken = t.rec.Token
	req.TestCase = t.x.testCase
	waits := t.rec.Token != "" && waitsForToken(call.Resource)
	if req.TaskToken == "" {
		// a token of its own, should the handler answer later (*Pending):
		// drawn from the step's seeded source, so a redelivered call
		// gets the same one
		req.TaskToken = newTaskToken(t.x.id, t.thread, t.c)
	}
	// An activity's task is an integration too (integrations/activity),
	// whose history is its own: ActivityScheduled once the task is
	// queued, no Task* events.
	activity := isActivityARN(call.Resource)
	h := t.d.Tasks
	if activity {
		h = t.d.activities
	}
	if tr := t.x.trace; tr != nil {
		ctx = tr.taskContext(ctx, t.rec.EnteredID)
		req.TraceParent = tr.traceparent(tr.state(t.rec.EnteredID))
	}
	result, ae, again := invokeTask(ctx, h, req, true)
	if again {
		// Call again a second later, the thread unchanged (its record
		// stays in phase task).
		t.outbox = append(t.outbox, store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: t.thread, Seq: t.seq + 1, Kind: kindTask}, Due: t.d.now().Add(time.Second)})
		return nil
	}
	var nested string
	if p, ok := result.(*integrations.Pending); ok && ae == nil {
		waits, result, nested = true, p.Output, p.Nested
	}
	if a, ok := result.(*integrations.Answered); ok && ae == nil {
		waits, result = false, a.Output
	}
	if activity && ae != nil {
		// As AWS: the execution fails, with no Activity event.
		t.rec.Phase, t.rec.Call, t.rec.Token = phaseEnter, nil, ""
		return asl.Fail{Error: ae.Name, Cause: ae.Cause}
	}
	if ae == nil && waits {
		t.submitted(task, activity, req.TaskToken, result)
		t.rec.Nested = nested
		return nil
	}
	t.event(Event{Type: TaskStarted, Task: task})
	t.rec.Phase, t.rec.Call, t.rec.Token = phaseEnter, nil, ""
	return taskEnded(t, t.st, t.input, t.c, task, "", result, ae)
}

// submitted parks the thread of a task handed over, until its token brings
// the result: TimeoutSeconds count from now; HeartbeatSeconds from now, or
// for an activity from its start (activityStarter).
func (t *transition) submitted(task *TaskDetails, activity bool, token string, output any) {
	call, now := t.rec.Call, t.d.now()
	if activity {
		t.event(Event{Type: ActivityScheduled, Payload: output,
			Task: &TaskDetails{Resource: call.Resource, TimeoutSeconds: call.TimeoutSeconds, HeartbeatSeconds: call.HeartbeatSeconds}})
	} else {
		t.event(Event{Type: TaskStarted, Task: task})
		t.event(Event{Type: TaskSubmitted, Task: task, Payload: output})
	}
	t.rec.Phase, t.rec.Token, t.rec.Started = phaseToken, token, false
	if call.TimeoutSeconds > 0 {
		t.rec.Deadline = now.Add(secondsDuration(call.TimeoutSeconds)).UnixMilli()
	}
	t.armTokenTimers(now, !activity)
}

// armTokenTimers sets the timers of a thread waiting for its token: the
// task's deadline and, with HeartbeatSeconds and heartbeat set, the next
// heartbeat's.
func (t *transition) armTokenTimers(now time.Time, heartbeat bool) {
	item := func(kind string, due time.Time) store.OutboxItem {
		return store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: t.thread, Seq: t.seq + 1, Kind: kind}, Due: due}
	}
	if t.rec.Deadline > 0 {
		t.outbox = append(t.outbox, item(kindTaskTimeout, time.UnixMilli(t.rec.Deadline)))
	}
	if hb := t.rec.Call.HeartbeatSeconds; hb > 0 && heartbeat {
		t.outbox = append(t.outbox, item(kindHeartbeat, now.Add(secondsDuration(hb))))
	}
}

// token applies SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat.
func (t *transition) token(ext *external) asl.Outcome {
	if ext.heartbeat {
		t.armTokenTimers(t.d.now(), true) // the thread's seq moves on: earlier timers go stale
		return nil
	}
	typ := t.tokenEvent(TaskSucceeded)
	if ext.failure != nil {
		typ = t.tokenEvent(TaskFailed)
	}
	return t.tokenEnded(typ, ext.output, ext.failure)
}

// tokenTimeout ends a task whose token did not come back in time.
func (t *transition) tokenTimeout(name, cause string) asl.Outcome {
	if it, ok := t.d.stopItem(t.rec.Nested); ok && t.rec.Nested != "" {
		t.outbox = append(t.outbox, it) // the nested execution it waited for
	}
	return t.tokenEnded(t.tokenEvent(TaskTimedOut), nil, &aslerr.Error{Name: name, Cause: cause})
}

// tokenEnded ends a task that waited for its token.
func (t *transition) tokenEnded(typ EventType, output any, failure *aslerr.Error) asl.Outcome {
	task := taskDetails(t.rec.Call.Resource)
	t.rec.Phase, t.rec.Call, t.rec.Token, t.rec.Deadline, t.rec.Nested = phaseEnter, nil, "", 0, ""
	return taskEnded(t, t.st, t.input, t.c, task, typ, output, failure)
}

// closing is how the execution closes with status: now, kept for the
// retention, with only the keys it may have written to expire.
func (t *transition) closing(status Status) *store.ExecutionClose {
	return &store.ExecutionClose{Status: string(status), StopDate: t.d.now(), Retention: t.d.retention(),
		NoVariables: !t.x.machine.UsesVariables(), NoForks: !forks(t.x.machine)}
}

// forks reports whether a definition has a Parallel or Map state (nested
// ones are inside a top-level one).
func forks(m *asl.StateMachine) bool {
	for _, name := range m.StateNames() {
		if st, _ := m.State(name); st.Kind() == asl.KindParallel || st.Kind() == asl.KindMap {
			return true
		}
	}
	return false
}
