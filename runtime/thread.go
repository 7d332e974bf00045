package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
)

// runErr is how a thread ended when it did not succeed.
type runErr struct {
	*aslerr.Error
	timedOut bool // the execution's TimeoutSeconds passed
	aborted  bool // the run was cancelled
}

// thread runs one machine (the top level, a branch or an iteration) to its
// end on its own clock.
type thread struct {
	run   *execution
	clock Clock
	last  int64 // id of this thread's latest event
	// mapItem is set for a Map iteration: the Context's Map fields.
	mapItem *mapItem
	vars    *scope
	// span is the span of the thread's states' parent (trace.go): the
	// execution's, or the thread's branch or iteration's; zero when not
	// tracing.
	span trace.SpanID
	// rand is the thread's own random source (States.UUID, MathRandom,
	// retry jitter). A branch's or iteration's is derived from its
	// parent's in the parent's goroutine, so a seeded run draws the same
	// values whatever the scheduling.
	rand *rand.Rand

	// The Context of the thread's states (reset per state), the visit in
	// progress and a Map iteration's item are kept here, so that none is
	// allocated per state; a Map worker runs its iterations one after the
	// other on one thread (runMap).
	ctx  asl.Context
	v    visit
	item mapItem
	pcg  rand.PCG // an iteration's random source, reseeded per item
	// ctxKept is set on a Map worker's thread once its Context holds the
	// execution's fields: the next iteration keeps them (and what the
	// Context built from them) instead of copying them again, the
	// per-state fields being reset per state and the thread's per
	// iteration. The copy was 7% of a Map iteration of one Pass state.
	ctxKept bool
	// quiet: the thread is a map run's child, whose events are not its
	// parent's history (maprun.go).
	quiet bool
}

type mapItem struct {
	index int
	value any
}

func (t *thread) event(ev Event) int64 {
	if t.quiet {
		return t.last
	}
	ev.PreviousID = t.last
	if ev.Timestamp.IsZero() {
		ev.Timestamp = t.clock.Now()
	}
	t.last = t.run.hist.add(&ev)
	return t.last
}

// interrupted turns a clock or context failure into the thread's end.
func (t *thread) interrupted(ctx context.Context, err error) *runErr {
	if errors.Is(err, ErrTimedOut) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &runErr{Error: &aslerr.Error{Name: aslerr.Timeout, Cause: "The execution timed out"}, timedOut: true}
	}
	return &runErr{Error: &aslerr.Error{Name: "States.Aborted", Cause: "The execution was aborted"}, aborted: true}
}

// runMachine runs m from StartAt with input until it succeeds or fails.
func (t *thread) runMachine(ctx context.Context, m *asl.StateMachine, input any) (any, *runErr) {
	name, in := m.StartAt, input
	var prev asl.State // the state before, whose Next is found without a lookup
	c := &t.ctx        // one Context per thread, reset per state
	if !t.ctxKept {
		*c = t.run.base
	}
	c.Rand = t.rand
	if t.vars == nil {
		t.vars = newScope(nil)
	}
	c.Vars, c.AllVars = t.vars.funcs()
	if t.mapItem != nil {
		c.InMap, c.MapItemIndex, c.MapItemValue = true, t.mapItem.index, t.mapItem.value
	}
	c.Interrupt = ctx
	vc, _ := t.clock.(*VirtualClock)
	for {
		if err := ctx.Err(); err != nil {
			return nil, t.interrupted(ctx, err)
		}
		if vc != nil && vc.lostRace() {
			return nil, t.interrupted(ctx, errRaceLost)
		}
		if t.run.hist.full() {
			return nil, &runErr{Error: &aslerr.Error{Name: aslerr.Runtime, Cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", t.run.hist.max)}}
		}
		st, ok := m.Following(prev, name)
		if !ok {
			return nil, &runErr{Error: aslerr.New(aslerr.Runtime, "the state %q does not exist", name)}
		}
		visitState(c, st, t.clock.Now(), 0, 0, c.Retries[:0])
		c.EnteredEventID = t.event(Event{Type: StateEntered(st.Kind()), Name: name, Payload: in, Timestamp: c.EnteredTime})
		out, next, err := t.runState(ctx, st, in, c)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		name, in, prev = next, out, st
	}
}

// runState carries out one visit of a state: its outcomes until it moves
// on. It returns the output and the next state ("" when the machine ends).
func (t *thread) runState(ctx context.Context, st asl.State, in any, c *asl.Context) (any, string, *runErr) {
	// field by field: assigning a whole visit to the thread's copies
	// every word with the collector's bulk barrier (3.5% of a Pass state)
	v := &t.v
	v.t, v.ctx, v.st, v.in, v.c = t, ctx, st, in, c
	v.out, v.nextState = nil, ""
	t.drawToken(st, c)
	o, err := v.settled(asl.Step(st, in, c))
	if err == nil {
		err = interpret(v, st, o)
	}
	if err == nil {
		return v.out, v.nextState, nil
	}
	var e ended
	if errors.As(err, &e) {
		if e.r.aborted || e.r.timedOut {
			// ended from outside, not by the state: its span ends too
			v.stateEnded(nil, e.r.Error)
		}
		return nil, "", e.r
	}
	return nil, "", &runErr{Error: aslerr.New(aslerr.Runtime, "%v", err)}
}

// visit is the in-memory engine's sink (interp.go) for one visit of a
// state: it blocks on calls, sleeps on the thread's clock and runs
// branches and iterations in goroutines. Its errors are *runErr.
type visit struct {
	// (runState resets every field)
	t         *thread
	ctx       context.Context
	st        asl.State
	in        any
	c         *asl.Context
	out       any
	nextState string
}

func (v *visit) event(ev Event)             { v.t.event(ev) }
func (v *visit) region() string             { return v.t.run.region }
func (v *visit) assign(vars map[string]any) { v.t.vars.assign(vars) }

func (v *visit) next(state string, input any) error {
	v.out, v.nextState = input, state
	return nil
}

func (v *visit) succeed(output any) error {
	v.out = output
	return nil
}

func (v *visit) fail(err *aslerr.Error) error { return ended{&runErr{Error: err}} }

func (v *visit) stateEnded(output any, failure *aslerr.Error) {
	if tr := v.t.run.trace; tr != nil {
		tr.emit(tr.stateSpan(v.t.span, v.st, v.c, v.in, output, v.t.clock.Now(), failure))
	}
}

// ended carries a thread's end through the interpreter, whose errors are
// Go errors (a *runErr's Error field hides the method).
type ended struct{ r *runErr }

func (e ended) Error() string { return e.r.Error.Error() }

// settled is o, unless the run ended meanwhile (stop, timeout, a sync
// client leaving): an evaluation cut short by that is the run's end, not
// the state's failure.
func (v *visit) settled(o asl.Outcome) (asl.Outcome, error) {
	if err := v.ctx.Err(); err != nil {
		return nil, ended{v.t.interrupted(v.ctx, err)}
	}
	return o, nil
}

func (v *visit) call(x asl.CallTask) (asl.Outcome, error) {
	t := v.t
	task := taskDetails(x.Resource)
	t.event(Event{Type: TaskStarted, Task: task})
	req := taskCall{resource: x.Resource, params: x.Parameters, machine: t.run.base.StateMachineName, arn: t.run.arn,
		state: v.st.Name(), enteredID: v.c.EnteredEventID, attempt: v.c.RetryCount, timeout: x.TimeoutSeconds, heartbeat: x.HeartbeatSeconds, credentials: x.Credentials, tc: t.run.tc}.request()
	req.TestCase = t.run.testCase
	req.TaskToken = v.c.TaskToken
	ctx := v.ctx
	if tr := t.run.trace; tr != nil {
		ctx = tr.taskContext(ctx, v.c.EnteredEventID)
		req.TraceParent = tr.traceparent(tr.state(v.c.EnteredEventID))
	}
	// A virtual clock does not bound calls: they take no time on it.
	_, real := t.clock.(RealClock)
	result, ae, again := invokeTask(ctx, t.run.engine.Tasks, req, real)
	if again {
		// no store of its own to put the call off on: the call fails
		ae = &aslerr.Error{Name: aslerr.TaskFailed, Cause: fmt.Sprintf("the integration of %q could not be reached", x.Resource)}
	}
	if a, ok := result.(*integrations.Answered); ok && ae == nil {
		result = a.Output
	}
	if _, ok := result.(*integrations.Pending); ok && ae == nil {
		// An in-memory (Express) execution has no task tokens: AWS runs
		// .sync and .waitForTaskToken in Standard executions only.
		result, ae = nil, &aslerr.Error{Name: aslerr.Runtime, Cause: fmt.Sprintf(
			"the integration of %q answers later, through a task token, which Express executions do not support", x.Resource)}
	}
	if ae != nil && v.ctx.Err() != nil {
		return nil, ended{t.interrupted(v.ctx, v.ctx.Err())}
	}
	return v.settled(taskEnded(v, v.st, v.in, v.c, task, "", result, ae))
}

func (v *visit) wait(x asl.WaitUntil) (asl.Outcome, error) {
	if err := v.t.clock.Sleep(v.ctx, x.Until.Sub(v.t.clock.Now())); err != nil {
		return nil, ended{v.t.interrupted(v.ctx, err)}
	}
	return x.Then, nil
}

func (v *visit) retry(x asl.Retry) (asl.Outcome, error) {
	v.c.Retries = countRetry(v.c.Retries, &v.c.RetryCount, x.Retrier)
	v.c.Invalidate()
	start := v.t.clock.Now()
	if err := v.t.clock.Sleep(v.ctx, x.Delay); err != nil {
		return nil, ended{v.t.interrupted(v.ctx, err)}
	}
	if tr := v.t.run.trace; tr != nil {
		tr.emit(tr.retrySpan(v.st, v.c.EnteredEventID, v.c.RetryCount, start, v.t.clock.Now()))
	}
	v.t.drawToken(v.st, v.c)
	return v.settled(asl.Step(v.st, v.in, v.c))
}

// drawToken gives a .waitForTaskToken task of a Standard run in memory
// under a mock test case (signalbox run --mocks) a task token of its own
// for the attempt, as the durable engine does: its parameters read it
// ($$.Task.Token) and the mock file answers for the callback, as Step
// Functions Local's mocks do. Without a test case nothing could send the
// token back to an in-memory run, and the integrations take a call
// without a token as an Express execution's, which they refuse; an
// Express run has no tokens, as on AWS.
func (t *thread) drawToken(st asl.State, c *asl.Context) {
	if task, ok := st.(*asl.Task); ok && !c.Express && t.run.testCase != "" && strings.HasSuffix(task.Resource, ".waitForTaskToken") {
		c.TaskToken = newTaskToken(t.run.arn, "memory", c)
		c.Invalidate()
	}
}

func (v *visit) parallel(x asl.RunParallel) (asl.Outcome, error) {
	outs, err := v.t.runParallel(v.ctx, v.st, x)
	return v.forked(false, outs, err)
}

func (v *visit) runMap(x asl.RunMap) (asl.Outcome, error) {
	if x.Distributed {
		return v.runDistributed(x) // maprun_memory.go
	}
	outs, sizes, err := v.t.runMap(v.ctx, v.st, x)
	if err == nil && sizes != nil {
		v.c.RememberArraySize(outs, sizes)
	}
	return v.forked(true, outs, err)
}

// forked settles a Parallel's or Map's end. A timeout or abort ends the
// thread rather than the state: it is not the state's to handle.
func (v *visit) forked(isMap bool, outs []any, err *runErr) (asl.Outcome, error) {
	if err == nil {
		return v.settled(forkEnded(v, v.st, v.in, v.c, isMap, outs, nil, 0))
	}
	if err.timedOut || err.aborted {
		forkEnded(v, v.st, v.in, v.c, isMap, nil, err.Error, 0)
		return nil, ended{err}
	}
	return v.settled(forkEnded(v, v.st, v.in, v.c, isMap, nil, err.Error, 0))
}

// resourceParts splits a resource ARN into AWS's history resourceType and
// resource: "arn:aws:states:::sqs:sendMessage.sync" → ("sqs", "sendMessage.sync").
func resourceParts(arn string) (string, string) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) == 7 && parts[2] == "states" {
		return parts[5], parts[6]
	}
	if len(parts) >= 3 {
		return parts[2], arn
	}
	return "", arn
}

// taskError translates what an integration returned into an ASL error:
// the one boundary where that happens.
func taskError(err error, ctx context.Context) *aslerr.Error {
	var ie *integrations.Error
	if errors.As(err, &ie) {
		return &aslerr.Error{Name: ie.Name, Cause: ie.Cause}
	}
	var ae *aslerr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &aslerr.Error{Name: aslerr.Timeout, Cause: "Task timed out"}
	}
	return &aslerr.Error{Name: aslerr.TaskFailed, Cause: err.Error()}
}

// runChild runs m as child index of the fork of the state entered by
// event entered (a Parallel branch, a Map iteration), in a span of its
// own when tracing.
func (t *thread) runChild(ctx context.Context, m *asl.StateMachine, input any, entered int64, isMap bool, index int) (any, *runErr) {
	tr := t.run.trace
	if tr == nil {
		return t.runMachine(ctx, m, input)
	}
	start := t.clock.Now()
	t.span = tr.child(entered, index)
	out, err := t.runMachine(ctx, m, input)
	var failure *aslerr.Error
	if err != nil {
		failure = err.Error
	}
	tr.emit(tr.childSpan(entered, isMap, index, start, t.clock.Now(), failure))
	return out, err
}

func (t *thread) fork() *thread {
	return &thread{run: t.run, clock: t.clock.Fork(), last: t.last, vars: newScope(t.vars), rand: rand.New(rand.NewPCG(t.rand.Uint64(), t.rand.Uint64())), quiet: t.quiet}
}

// runParallel runs every branch concurrently; the first failure cancels
// the others. On virtual clocks the first failure is the earliest in
// virtual time (ties: the lowest branch), and the others stop at that
// time rather than at once (see VirtualClock). The state's end is
// recorded by the interpreter (forkEnded).
func (t *thread) runParallel(ctx context.Context, st asl.State, p asl.RunParallel) ([]any, *runErr) {
	t.event(Event{Type: ParallelStateStarted})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	outs := make([]any, len(p.Branches))
	branches := make([]*thread, len(p.Branches))
	vc, virtual := t.clock.(*VirtualClock)
	var r *race
	if virtual {
		r = &race{}
	}
	var (
		mu      sync.Mutex
		first   *runErr
		firstAt time.Time
		firstI  int
		wg      sync.WaitGroup
	)
	entered := t.v.c.EnteredEventID
	// every branch's thread, clock and context made before any runs: a
	// failing branch reads its siblings' clocks and cancels them
	clocks := make([]*VirtualClock, len(p.Branches))
	ctxs := make([]context.Context, len(p.Branches))
	cancels := make([]context.CancelFunc, len(p.Branches))
	for i := range p.Branches {
		branches[i], ctxs[i] = t.fork(), ctx
		if virtual {
			clocks[i] = vc.forkIn(r)
			branches[i].clock = clocks[i]
			ctxs[i], cancels[i] = context.WithCancel(ctx)
			defer cancels[i]()
		}
	}
	for i, b := range p.Branches {
		wg.Add(1)
		go func(i int, b *asl.StateMachine) {
			defer wg.Done()
			out, err := branches[i].runChild(ctxs[i], b, p.Input, entered, false, i)
			if err == nil {
				outs[i] = out
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if !virtual {
				if first == nil {
					first = err
					cancel()
				}
				return
			}
			if err.aborted && first != nil && ctx.Err() == nil {
				return // stopped by a sibling's earlier failure
			}
			at := clocks[i].Now()
			if first == nil || at.Before(firstAt) || at.Equal(firstAt) && i < firstI {
				first, firstAt, firstI = err, at, i
				r.lower(at)
				for j, c := range clocks {
					if j != i && !c.Now().Before(at) {
						cancels[j]() // at or past the failure: stopped now
					}
				}
			}
		}(i, b)
	}
	wg.Wait()
	if virtual && first != nil {
		vc.joinAt(firstAt)
		return nil, first
	}
	for _, b := range branches {
		t.clock.Join(b.clock)
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}

// runMap runs the processor once per item, at most MaxConcurrency at a
// time, and collects the outputs in item order, with their JSON lengths
// as the iterations measured them (nil when one is not known). Worker w
// runs the items w, w+limit, w+2*limit, ... in turn on its own clock, so
// that on a virtual clock the Map's duration does not depend on goroutine
// scheduling.
func (t *thread) runMap(ctx context.Context, st asl.State, r asl.RunMap) ([]any, []int, *runErr) {
	return t.startMap(ctx, st, r, "").result()
}

// startMap runs a Map's iterations; run is the ARN of the map run it is
// (a Distributed Map), "" for none.
func (t *thread) startMap(ctx context.Context, st asl.State, r asl.RunMap, run string) *mapRun {
	n := len(r.Items)
	t.event(Event{Type: MapStateStarted, Length: n})
	if run != "" {
		t.event(Event{Type: MapRunStarted, Task: &TaskDetails{Resource: run}})
	}
	limit := r.MaxConcurrency
	if limit <= 0 {
		limit = t.run.engine.MaxInlineConcurrency
	}
	if limit <= 0 {
		limit = defaultInlineConcurrency
	}
	// at most what the durable engine runs: AWS's 40 for an inline Map,
	// 1,000 for a Distributed one, whatever MaxConcurrency asks
	limit = min(limit, mapConcurrency(r))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// On a wall clock, idle workers take the next item, so uneven items
	// balance. On a virtual clock, worker w takes items w, w+limit, ...:
	// each worker's clock then advances the same way whatever the
	// goroutines' scheduling, and runs repeat exactly.
	_, strided := t.clock.(*VirtualClock)
	m := &mapRun{parent: t, st: st, r: r, limit: limit, strided: strided, cancel: cancel, entered: t.v.c.EnteredEventID,
		outs: make([]any, n), sizes: make([]int, n), itemSeed: t.rand.Uint64()}
	if r.Writer != nil {
		m.errs, m.starts, m.stops = make([]*aslerr.Error, n), make([]time.Time, n), make([]time.Time, n)
	}
	workers := make([]*thread, limit)
	var wg sync.WaitGroup
	for w := range workers {
		workers[w] = t.fork()
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.work(ctx, w, workers[w])
		}()
	}
	wg.Wait()
	for _, w := range workers {
		t.clock.Join(w.clock)
	}
	return m
}

// mapRun is one run of a Map state's iterations in memory.
type mapRun struct {
	parent   *thread
	st       asl.State
	r        asl.RunMap
	limit    int
	strided  bool
	cancel   context.CancelFunc
	itemSeed uint64 // iteration i draws from the stream (itemSeed, i)
	entered  int64  // the Map state's StateEntered event: its span's
	next     atomic.Int64
	outs     []any
	sizes    []int
	unsized  atomic.Bool // an output whose length no iteration knows
	// with a ResultWriter: each iteration's failure, start and end
	errs          []*aslerr.Error
	starts, stops []time.Time

	mu       sync.Mutex
	failed   int
	firstErr *runErr
	stop     *runErr
}

// work runs worker w's iterations in turn on one thread, whose Context,
// visit and random source are reset per item, and whose variable scope is
// kept while no iteration assigns.
func (m *mapRun) work(ctx context.Context, w int, wt *thread) {
	t, n := m.parent, len(m.r.Items)
	it := &thread{run: t.run, clock: wt.clock, quiet: m.r.Distributed || t.quiet}
	it.rand = rand.New(&it.pcg)
	for k := 0; ; k++ {
		i := w + k*m.limit
		if !m.strided {
			i = int(m.next.Add(1) - 1)
		}
		if i >= n || m.stopped() {
			return
		}
		it.last = t.last
		it.item = mapItem{index: i, value: m.r.Items[i]}
		it.mapItem = &it.item
		if it.vars == nil || it.vars.assigned() {
			it.vars = newScope(t.vars)
		}
		it.pcg.Seed(m.itemSeed, uint64(i)) // as rand.NewPCG(itemSeed, i)
		it.event(Event{Type: MapIterationStarted, Name: m.st.Name(), Index: i})
		if m.starts != nil {
			m.starts[i] = it.clock.Now()
		}
		out, err := it.runChild(ctx, m.r.Processor, m.r.Items[i], m.entered, true, i)
		it.ctxKept = true
		if m.stops != nil {
			m.stops[i] = it.clock.Now()
			if err != nil {
				m.errs[i] = err.Error
			}
		}
		if err != nil {
			if !err.aborted || ctx.Err() == nil {
				it.event(Event{Type: MapIterationFailed, Name: m.st.Name(), Index: i})
			}
			m.iterationFailed(err)
			m.outs[i] = failedIteration(err.Error)
			m.unsized.Store(true)
			continue
		}
		it.event(Event{Type: MapIterationSucceeded, Name: m.st.Name(), Index: i})
		m.outs[i] = out
		if size, known := it.ctx.RememberedSize(out); known {
			m.sizes[i] = size
		} else {
			m.unsized.Store(true)
		}
	}
}

func (m *mapRun) stopped() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stop != nil
}

// iterationFailed counts a failed iteration, and stops the Map (its other
// iterations cancelled) when the failures are past its tolerance or the
// run ended.
func (m *mapRun) iterationFailed(err *runErr) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failed++
	if m.firstErr == nil {
		m.firstErr = err
	}
	if err.timedOut || err.aborted || !m.r.Tolerates(m.failed, len(m.r.Items)) {
		if m.stop == nil {
			m.stop = err
		}
		m.cancel()
	}
}

// result is the Map's outputs and their lengths, or why it stopped.
func (m *mapRun) result() ([]any, []int, *runErr) {
	if stop := m.stop; stop != nil {
		if stop.timedOut || stop.aborted {
			return nil, nil, stop
		}
		return nil, nil, &runErr{Error: m.r.Failure(stop.Error)}
	}
	if m.unsized.Load() {
		return m.outs, nil, nil
	}
	return m.outs, m.sizes, nil
}

// failedIteration is what a tolerated failed iteration contributes to the
// Map's output. AWS documents that a failed child execution's result is
// returned unchanged (as with ResultWriter Transformation NONE): its
// metadata, among it Error, Cause and Status.
func failedIteration(err *aslerr.Error) map[string]any {
	out := asl.ErrorOutput(err)
	out["Status"] = string(StatusFailed)
	return out
}
