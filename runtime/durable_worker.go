package runtime

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/store"
)

// Process carries out one work item: it loads the thread, decides with asl
// what happens, and applies it with one transition. A stale or duplicate
// item (its seq is not the thread's) is dropped. The caller acknowledges
// the item when Process returns nil.
func (d *Durable) Process(ctx context.Context, item store.WorkItem) error {
	return d.process(ctx, item, nil, nil)
}

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
	if item.Kind == kindTimeout {
		err := d.end(ctx, item.Exec, StatusTimedOut, ExecutionTimedOut, aslerr.Timeout, "The execution timed out")
		if errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
			return nil // it ended first
		}
		return err
	}
	th, err := d.firstThread(ctx, item, ext)
	if th == nil {
		th, err = d.store.ThreadGet(ctx, item.Exec, item.Thread)
	}
	if errors.Is(err, store.ErrNotFound) {
		if ext != nil {
			return ErrTaskDoesNotExist
		}
		return nil // the execution is gone: nothing to do
	}
	if err != nil {
		return err
	}
	if ext != nil {
		item.Seq = th.Seq
	}
	if th.Seq != item.Seq {
		return nil // stale or duplicate delivery
	}
	// A step that leaves the thread ready for its next step right away
	// (a Pass, a Choice, a Wait of zero, or a task call it scheduled) is
	// followed by that step here, without going through the work stream:
	// up to maxFold of them, then the chain's outbox is handed over at
	// once. A crash mid-chain leaves the last committed step's item in the
	// outbox, for the recoverer.
	//
	// The top-level thread also commits such steps together, in one
	// transition (a batch): no other thread appends events while it runs,
	// so it can number its events before the store does, and the store
	// refuses the batch should the numbering be wrong (ErrEventsMoved: an
	// execution stopped, say); the steps are then taken one by one.
	var chain []*store.TransitionResult
	handOver := func(err error) error {
		if len(chain) == 0 {
			return err
		}
		if _, herr := d.store.OutboxHandOverChain(ctx, item.Exec, chain); herr != nil && err == nil {
			return herr
		}
		return err
	}
	canBatch := ext == nil && item.Thread == store.RootThread
	rec, err := decodeThreadRecord(th.Record)
	if err != nil {
		return err
	}
	if ch := rec.Child; ch != nil && ch.Index < 0 && rec.Phase == phaseBegin {
		if err := d.loadIteration(ctx, item.Exec, item.Thread, rec); err != nil {
			if errors.Is(err, errIterationGone) {
				return nil
			}
			return err
		}
	}
	seq, last := th.Seq, th.LastEventID
	var (
		b     stepBatch         // steps carried out, not committed yet
		vars  map[string]string // the execution's variables, once read
		alone bool              // the next step is committed alone (after ErrEventsMoved)
		// nearLimit: a batch would have passed the history's limit
		nearLimit bool
	)
	x, err := d.info(ctx, item.Exec)
	if err != nil {
		return err
	}
	for folded := 0; ; folded++ {
		m, err := machineAt(x.machine, rec.Machine)
		if err != nil {
			return handOver(fmt.Errorf("execution %s thread %s: %w", x.id, item.Thread, err))
		}
		st, ok := m.State(rec.State)
		if !ok {
			return handOver(fmt.Errorf("execution %s: no state %q in its definition", x.id, rec.State))
		}
		if rec.EnteredID == 0 {
			// The transition that entered the state appended its StateEntered
			// event last.
			rec.EnteredID = last
		}
		input, err := decodeRaw(rec.Input)
		if err != nil {
			return handOver(err)
		}
		if vars == nil && x.machine.UsesVariables() {
			if vars, err = d.store.VarsGet(ctx, x.id); err != nil {
				return handOver(err)
			}
			if vars == nil {
				vars = map[string]string{}
			}
		}
		if b.steps == 0 {
			if canBatch { // kept to take the batch's first step again, alone
				if b.startRecord, err = rec.encode(); err != nil {
					return handOver(err)
				}
			}
			b.startSeq, b.startLast, b.startKind = seq, last, item.Kind
		}
		c, err := d.context(x, item.Thread, seq, rec, st, vars)
		if err != nil {
			return handOver(err)
		}
		// A worker shutting down stops an evaluation in progress; its
		// lease hands the step to another worker. A stop of the
		// execution does not reach a running evaluation: it is bounded by
		// JSONata's step and byte budgets, and its transition then finds
		// the execution closed.
		c.Interrupt = ctx
		tr := &transition{d: d, x: x, thread: item.Thread, seq: seq, m: m, st: st, rec: rec, input: input, c: c}
		if ext != nil && rec.Token == ext.token && rec.Phase == phaseTask {
			// The token came back before the call that handed it out
			// returned (a consumer that answers at once): it is taken now,
			// and that call's own transition finds the thread moved on.
			// A heartbeat has nothing to re-arm yet.
			if ext.heartbeat {
				return handOver(nil)
			}
		} else if ext != nil && (rec.Phase != phaseToken || rec.Token != ext.token) {
			return handOver(ErrTaskDoesNotExist)
		}
		if st, ok := st.(*asl.Task); ok && (rec.Phase == phaseEnter || rec.Phase == phaseRetry) && waitsForToken(st.Resource) {
			c.TaskToken = newTaskToken(x.id, item.Thread, c)
		}
		var o asl.Outcome
		switch {
		case ext != nil:
			o = tr.token(ext)
		case item.Kind == kindTaskTimeout && rec.Phase == phaseToken:
			o = tr.tokenTimeout(aslerr.Timeout, "The task did not complete within its TimeoutSeconds")
		case item.Kind == kindHeartbeat && rec.Phase == phaseToken:
			o = tr.tokenTimeout(aslerr.HeartbeatTimeout, "No heartbeat came within the task's HeartbeatSeconds")
		case item.Kind == kindBegin && rec.Phase == phaseBegin:
			tr.begin()
		case item.Kind == kindJoin && rec.Phase == phaseFork:
			if o, err = tr.join(ctx); err != nil {
				return handOver(err)
			}
		case item.Kind == kindStep && rec.Phase == phaseEnter:
			o = asl.Step(st, input, c)
		case item.Kind == kindTask && rec.Phase == phaseTask:
			o = tr.callTask(ctx)
		case item.Kind == kindWake && rec.Phase == phaseWait:
			if o, err = rec.Then.outcome(); err != nil {
				return handOver(err)
			}
		case item.Kind == kindWake && rec.Phase == phaseRetry:
			rec.Phase = phaseEnter
			o = asl.Step(st, input, c)
		default:
			return handOver(fmt.Errorf("execution %s thread %s: a %s item for a thread in phase %q", x.id, item.Thread, item.Kind, rec.Phase))
		}
		if o != nil {
			if err := tr.apply(ctx, o); err != nil {
				return handOver(err)
			}
		}
		if tr.nextKind != "" {
			tr.outbox = append(tr.outbox, store.OutboxItem{Item: store.WorkItem{Exec: x.id, Thread: item.Thread, Seq: seq + 1, Kind: tr.nextKind}, Due: tr.due})
		}
		b.add(tr)
		if vars != nil {
			for _, v := range tr.vars {
				vars[v.Name] = string(v.Value)
			}
		}
		// A step the thread is ready for (a state's step, or the task call
		// a step has just scheduled) follows here; a task call only once
		// the step that scheduled it is committed.
		more := ext == nil && folded+1 < maxFold && tr.close == nil && (tr.nextKind == kindStep || tr.nextKind == kindTask) && tr.due.IsZero() &&
			len(tr.outbox) == 1 && tr.fork == nil && tr.joinEnd == nil
		if more && tr.nextKind == kindStep && canBatch && !alone && !nearLimit && b.size < maxBatchBytes {
			// Carry on with the next step; its events are numbered on.
			seq++
			last += int64(len(tr.events))
			rec = tr.rec
			item.Kind = tr.nextKind
			continue
		}
		p := &store.TransitionParams{
			ExecutionID: x.id, Thread: item.Thread, Seq: b.startSeq, Steps: int64(b.steps),
			Events: b.events, Vars: b.vars, Close: tr.close, Fork: tr.fork, Join: tr.joinEnd,
			Outbox: tr.outbox,
		}
		if b.steps > 1 {
			p.ExpectEvents = b.startLast
		}
		p.MaxEvents = d.maxHistoryEvents()
		p.KeepOpenEntry = closed != nil
		p.Carry = more
		if len(chain) > 0 {
			p.After = chain[len(chain)-1]
		}
		if rec.Child != nil {
			p.InFork = rec.Child.ID
		}
		if p.Record, err = tr.rec.encode(); err != nil {
			return handOver(err)
		}
		res, err := d.store.Transition(ctx, p)
		if errors.Is(err, store.ErrHistoryLimit) && b.steps > 1 {
			// Near the limit the steps are taken one by one, so that the
			// history fills up to it exactly.
			nearLimit = true
			err = store.ErrEventsMoved
		}
		if errors.Is(err, store.ErrEventsMoved) {
			// Nothing was written: take the batch's first step again, alone.
			if rec, err = decodeThreadRecord(b.startRecord); err != nil {
				return handOver(err)
			}
			seq, last, vars, alone = b.startSeq, b.startLast, nil, true
			item.Kind = b.startKind
			folded -= b.steps
			b = stepBatch{}
			continue
		}
		if errors.Is(err, store.ErrHistoryLimit) {
			// As on AWS, an execution whose history is full fails.
			err := d.end(ctx, x.id, StatusFailed, ExecutionFailed, aslerr.Runtime,
				fmt.Sprintf("The execution reached the maximum number of history events (%d).", d.maxHistoryEvents()))
			if errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
				err = nil // it ended first
			}
			return handOver(err)
		}
		if err != nil {
			// ErrNotFound: the thread was removed, a child that another
			// worker ended first; or the execution is gone.
			if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrCancelled) || errors.Is(err, store.ErrNotFound) {
				if ext != nil && errors.Is(err, store.ErrClosed) {
					return handOver(ErrTaskTimedOut) // the execution ended
				}
				if ext != nil {
					return handOver(ErrTaskDoesNotExist) // the token was used meanwhile
				}
				return handOver(nil) // another worker got there first, or the execution or fork ended
			}
			return handOver(err)
		}
		chain = append(chain, res)
		if p.Close != nil {
			d.forgetExecution(x.id)
			if closed != nil && !res.OpenEntryRemoved {
				*closed = x.id
			}
		}
		if !more {
			return handOver(nil)
		}
		seq, last, rec, alone = res.Seq, res.LastEventID, tr.rec, false
		item.Kind = tr.nextKind
		b = stepBatch{}
	}
}

// stepBatch accumulates the steps a worker carried out in a row and
// commits in one transition.
type stepBatch struct {
	steps       int
	events      []store.Event
	vars        []store.Var
	size        int // the events' bytes
	startRecord []byte
	startSeq    int64
	startLast   int64
	startKind   string
}

func (b *stepBatch) add(t *transition) {
	b.steps++
	b.events = append(b.events, t.events...)
	b.vars = append(b.vars, t.vars...)
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
	var err error
	// A thread sees the variables of its own scope and of the scopes of
	// the threads around it, inner ones shadowing outer ones.
	values := map[string]any{}
	scopes := scopeChain(thread)
	for i := len(scopes) - 1; i >= 0; i-- {
		prefix := scopes[i] + "/"
		for k, v := range vars {
			name, ok := strings.CutPrefix(k, prefix)
			if !ok || strings.Contains(name, "/") {
				continue
			}
			if values[name], err = asl.DecodeJSON([]byte(v)); err != nil {
				return nil, fmt.Errorf("variable %s: %w", name, err)
			}
		}
	}
	// Randomness is seeded from the execution and the thread's seq, so a
	// step that is run again after a crash draws the same numbers.
	h := fnv.New64a()
	h.Write([]byte(x.id))
	src := &lockedSource{r: rand.New(rand.NewPCG(h.Sum64(), uint64(seq)))}
	c := &asl.Context{
		ExecutionID:      x.arn,
		ExecutionName:    x.name,
		ExecutionInput:   x.input,
		ExecutionStart:   x.start,
		RoleArn:          x.roleARN(d),
		StateMachineID:   x.smARN,
		StateMachineName: x.smName,
		StateName:        rec.State,
		EnteredTime:      time.UnixMilli(rec.Entered).UTC(),
		RetryCount:       rec.RetryCount,
		RedriveCount:     rec.Redrives,
		Retries:          append([]int(nil), rec.Retries...),
		CanRetry:         st.Kind() == asl.KindTask || st.Kind() == asl.KindParallel || st.Kind() == asl.KindMap,
		EnteredEventID:   rec.EnteredID,
		Rand:             src,
		Vars: func(name string) (any, bool) {
			v, ok := values[name]
			return v, ok
		},
		AllVars: func() map[string]any { return values },
	}
	if ch := rec.Child; ch != nil && ch.MapState != "" {
		item, err := decodeRaw(ch.Item)
		if err != nil {
			return nil, err
		}
		c.InMap, c.MapItemIndex, c.MapItemValue = true, ch.Index, item
	}
	return c, nil
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

	events   []store.Event
	vars     []store.Var
	close    *store.ExecutionClose
	fork     *store.Fork
	joinEnd  *store.Join
	outbox   []store.OutboxItem
	nextKind string // the thread's next work item, if any
	due      time.Time
}

func (t *transition) event(ev Event) {
	if ev.Timestamp.IsZero() {
		ev.Timestamp = t.d.now()
	}
	t.events = append(t.events, store.Event{JSON: ev.bodyJSON()})
}

func (t *transition) assign(vars map[string]any) {
	for k, v := range vars {
		t.vars = append(t.vars, store.Var{Name: t.thread + "/" + k, Value: []byte(asl.EncodeJSON(v))})
	}
}

// apply carries out outcomes until the thread has to wait for something:
// the next state's step, a task call, a timer, or the execution's end.
func (t *transition) apply(ctx context.Context, o asl.Outcome) error {
	for {
		switch x := o.(type) {
		case asl.Next:
			t.assign(x.Assign)
			t.event(Event{Type: StateExited(t.st.Kind()), Name: t.st.Name(), Payload: x.Output})
			next, ok := t.m.State(x.State)
			if !ok {
				return fmt.Errorf("execution %s: no state %q", t.x.id, x.State)
			}
			now := t.d.now()
			t.event(Event{Type: StateEntered(next.Kind()), Name: x.State, Payload: x.Output, Timestamp: now})
			rec := newThreadRecord(x.State, x.Output, now)
			rec.Machine, rec.Child, rec.Redrives = t.rec.Machine, t.rec.Child, t.rec.Redrives
			t.rec = rec
			t.nextKind = kindStep
			return nil
		case asl.Succeed:
			t.assign(x.Assign)
			t.event(Event{Type: StateExited(t.st.Kind()), Name: t.st.Name(), Payload: x.Output})
			if t.rec.Child != nil {
				return t.end(x.Output, nil)
			}
			t.event(Event{Type: ExecutionSucceeded, Payload: x.Output})
			t.close = t.closing(StatusSucceeded)
			t.close.Output = []byte(asl.EncodeJSON(x.Output))
			return nil
		case asl.Fail:
			if t.rec.Child != nil {
				return t.end(nil, &aslerr.Error{Name: x.Error, Cause: x.Cause})
			}
			t.event(Event{Type: ExecutionFailed, Error: &ErrorDetails{x.Error, x.Cause}})
			t.close = t.closing(StatusFailed)
			t.close.Error, t.close.Cause = x.Error, x.Cause
			return nil
		case asl.CallTask:
			rtype, res := resourceParts(x.Resource)
			if !isActivityARN(x.Resource) { // an activity's ActivityScheduled comes with its task call
				t.event(Event{Type: TaskScheduled, Task: &TaskDetails{ResourceType: rtype, Resource: res, Region: t.d.region(), Parameters: x.Parameters, TimeoutSeconds: x.TimeoutSeconds, HeartbeatSeconds: x.HeartbeatSeconds}})
			}
			t.rec.Phase = phaseTask
			t.rec.Call = &callRecord{Resource: x.Resource, Parameters: rawJSON(x.Parameters), TimeoutSeconds: x.TimeoutSeconds, HeartbeatSeconds: x.HeartbeatSeconds}
			t.rec.Token = t.c.TaskToken
			t.nextKind = kindTask
			return nil
		case asl.WaitUntil:
			if !x.Until.After(t.d.now()) {
				o = x.Then
				continue
			}
			then, err := encodeThen(x.Then)
			if err != nil {
				return err
			}
			t.rec.Phase, t.rec.Then = phaseWait, then
			t.nextKind, t.due = kindWake, x.Until
			return nil
		case asl.Retry:
			for len(t.rec.Retries) <= x.Retrier {
				t.rec.Retries = append(t.rec.Retries, 0)
			}
			t.rec.Retries[x.Retrier]++
			t.rec.RetryCount++
			t.rec.Phase, t.rec.Call = phaseRetry, nil
			t.nextKind = kindWake
			if x.Delay > 0 {
				t.due = t.d.now().Add(x.Delay)
			}
			return nil
		case asl.RunParallel:
			if forked, err := t.forkParallel(x); forked || err != nil {
				return err
			}
			o = asl.Complete(t.st, t.input, []any{}, t.c)
		case asl.RunMap:
			if forked, err := t.forkMap(x); forked || err != nil {
				return err
			}
			t.event(Event{Type: MapStateStarted, Length: 0})
			t.event(Event{Type: MapStateSucceeded})
			o = asl.Complete(t.st, t.input, []any{}, t.c)
		default:
			return fmt.Errorf("unknown outcome %T", o)
		}
	}
}

// callTask calls the integration of the thread's current task, at least
// once per attempt, and decides what follows.
func (t *transition) callTask(ctx context.Context) asl.Outcome {
	call := t.rec.Call
	if isActivityARN(call.Resource) {
		return t.callActivity(ctx)
	}
	rtype, res := resourceParts(call.Resource)
	task := &TaskDetails{ResourceType: rtype, Resource: res}
	t.event(Event{Type: TaskStarted, Task: task})
	params, err := decodeRaw(call.Parameters)
	if err != nil {
		return asl.Fail{Error: aslerr.Runtime, Cause: err.Error()}
	}
	req := taskCall{resource: call.Resource, params: params, machine: t.x.smName, arn: t.x.arn, state: t.st.Name(),
		enteredID: t.rec.EnteredID, attempt: t.rec.RetryCount, timeout: call.TimeoutSeconds, heartbeat: call.HeartbeatSeconds}.request()
	req.TaskToken = t.rec.Token
	waits := t.rec.Token != "" && waitsForToken(call.Resource)
	if !waits {
		t.rec.Phase, t.rec.Call = phaseEnter, nil
	}
	result, ae := invokeTask(ctx, t.d.Tasks, req, true)
	if ae == nil && waits {
		// The task was handed over; its token brings the result.
		t.event(Event{Type: TaskSubmitted, Task: task, Payload: result})
		t.rec.Phase = phaseToken
		now := t.d.now()
		if call.TimeoutSeconds > 0 {
			t.rec.Deadline = now.Add(secondsDuration(call.TimeoutSeconds)).UnixMilli()
		}
		t.armTokenTimers(now)
		return nil
	}
	t.rec.Phase, t.rec.Call, t.rec.Token = phaseEnter, nil, ""
	if ae == nil {
		t.event(Event{Type: TaskSucceeded, Task: task, Payload: result})
		return asl.Complete(t.st, t.input, result, t.c)
	}
	t.event(Event{Type: failureEvent(ae), Task: task, Error: &ErrorDetails{ae.Name, ae.Cause}})
	return asl.HandleError(t.st, t.input, ae, t.c)
}

// armTokenTimers sets the timers of a thread waiting for its token: the
// task's deadline and, with HeartbeatSeconds, the next heartbeat's.
func (t *transition) armTokenTimers(now time.Time) {
	item := func(kind string, due time.Time) store.OutboxItem {
		return store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: t.thread, Seq: t.seq + 1, Kind: kind}, Due: due}
	}
	if t.rec.Deadline > 0 {
		t.outbox = append(t.outbox, item(kindTaskTimeout, time.UnixMilli(t.rec.Deadline)))
	}
	if hb := t.rec.Call.HeartbeatSeconds; hb > 0 {
		t.outbox = append(t.outbox, item(kindHeartbeat, now.Add(secondsDuration(hb))))
	}
}

// token applies SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat.
func (t *transition) token(ext *external) asl.Outcome {
	rtype, res := resourceParts(t.rec.Call.Resource)
	task := &TaskDetails{ResourceType: rtype, Resource: res}
	switch {
	case ext.heartbeat:
		t.armTokenTimers(t.d.now()) // the thread's seq moves on: earlier timers go stale
		return nil
	case ext.failure != nil:
		t.event(Event{Type: t.tokenEvent(TaskFailed), Task: task, Error: &ErrorDetails{ext.failure.Name, ext.failure.Cause}})
		t.rec.Phase, t.rec.Call, t.rec.Token, t.rec.Deadline = phaseEnter, nil, "", 0
		return asl.HandleError(t.st, t.input, ext.failure, t.c)
	}
	t.event(Event{Type: t.tokenEvent(TaskSucceeded), Task: task, Payload: ext.output})
	t.rec.Phase, t.rec.Call, t.rec.Token, t.rec.Deadline = phaseEnter, nil, "", 0
	return asl.Complete(t.st, t.input, ext.output, t.c)
}

// tokenTimeout ends a task whose token did not come back in time.
func (t *transition) tokenTimeout(name, cause string) asl.Outcome {
	rtype, res := resourceParts(t.rec.Call.Resource)
	t.event(Event{Type: t.tokenEvent(TaskTimedOut), Task: &TaskDetails{ResourceType: rtype, Resource: res}, Error: &ErrorDetails{name, cause}})
	t.rec.Phase, t.rec.Call, t.rec.Token, t.rec.Deadline = phaseEnter, nil, "", 0
	return asl.HandleError(t.st, t.input, &aslerr.Error{Name: name, Cause: cause}, t.c)
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
