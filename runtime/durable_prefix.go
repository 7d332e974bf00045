package runtime

import (
	"context"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/store"
)

// prefix is what a start carries out before its execution exists: the
// top-level thread's first steps, as long as they need nothing from
// outside the process (Pass, Choice, Succeed, Fail, a Wait's decision, a
// Task's parameters; not its call), written with the execution's creation
// in the same script call. A short pure workflow is then created already
// closed, and a longer one reaches its first task call or timer without a
// worker's round trip through the work stream: for pass5 this is one
// script call per execution instead of two, and the worker's stream read,
// transition and acknowledgement are gone.
//
// What is written is what a worker's first transition would have written
// (the same walk takes the steps): the events, numbered after the
// creation's two, the thread's record at its seq, the variables, the next
// work item or the close. Should anything go wrong on the way (the start's
// context ends, a step fails to decode), the start writes no prefix and
// the workers take the first step, as before.
type prefix struct {
	steps   int64
	events  []store.Event
	vars    []store.Var
	spans   []spanRecord
	entered int // states entered (metrics)
	rec     *threadRecord
	outbox  []store.OutboxItem
	close   *store.ExecutionClose
}

// runPrefix carries out an execution's prefix from its first state, whose
// StateEntered is event 2; nil when there is none to write.
func (d *Durable) runPrefix(ctx context.Context, x *execInfo, rec *threadRecord) *prefix {
	if d.WorkersOnly {
		return nil
	}
	w := &walk{d: d, item: store.WorkItem{Exec: x.id, Thread: store.RootThread, Kind: kindStep}, x: x, rec: rec, last: 2, canBatch: true}
	if x.machine.UsesVariables() {
		w.vars = map[string]string{} // none yet: nothing to read
	}
	var last *transition
	for w.b.steps < maxFold && w.b.size < maxBatchBytes && startable(x.machine, w.rec) {
		tr, err := w.step(ctx)
		if err != nil || tr == nil {
			return nil
		}
		last = tr
		if tr.nextKind != kindStep || !tr.readyNow() {
			break
		}
		w.seq++
		w.last += int64(len(tr.events))
		w.rec = tr.rec
	}
	// Near the history's limit the workers take the steps one by one.
	if last == nil || ctx.Err() != nil || int64(2+len(w.b.events)) >= d.maxHistoryEvents() {
		return nil
	}
	return &prefix{steps: int64(w.b.steps), events: w.b.events, vars: w.b.vars, spans: w.b.spans, entered: w.b.entered, rec: last.rec, outbox: last.outbox, close: last.close}
}

// startable reports whether a start may take the top-level thread's next
// step itself: a state's step that calls nothing and forks nothing.
func startable(m *asl.StateMachine, rec *threadRecord) bool {
	if rec.Phase != phaseEnter {
		return false
	}
	st, ok := m.State(rec.State)
	if !ok {
		return false
	}
	switch st.(type) {
	case *asl.Pass, *asl.Choice, *asl.SucceedState, *asl.FailState, *asl.Wait, *asl.Task:
		return true
	}
	return false
}
