package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/sfn"
	"github.com/signalbox/signalbox/store"
)

// Nested executions (integrations/sfn; docs/durable.md, "Nested
// executions"). A .sync Task starts its child with a link back to itself
// (store.ParentLink: the parent's ARN, the task's token and how it waits),
// kept in the child's execution hash. Whatever ends the child (its last
// transition, StopExecution, its TimeoutSeconds, a full history), the
// script that ends it also hands over a kindNotify item for it: the worker
// that takes it completes the parent's task by its token (SendTaskSuccess
// or SendTaskFailure), so the notification survives any crash after the
// end, as every work item does. A repeated notification finds the token
// used and is dropped.
//
// The other way, a .sync task waiting for its child records the child's ARN
// in its thread (threadRecord.Nested). When the task is abandoned (its
// execution ends: StopExecution, TimeoutSeconds, a failure; the task's own
// TimeoutSeconds or HeartbeatSeconds run out) the transition that abandons
// it hands over a kindStopNested item, and the worker that takes it stops
// the child as StopExecution does, which stops the child's own children in
// turn.
const (
	kindNotify     = "nnotify" // Exec: a nested execution that ended
	kindStopNested = "nstop"   // Exec: a nested execution to stop
)

// stopNestedCause is the cause of a nested execution stopped because the
// task waiting for it was abandoned.
const stopNestedCause = "The parent execution's task waiting for this execution ended"

// syncNested reports whether a Task with this resource starts a nested
// execution and waits for it (.sync or .sync:2).
func syncNested(resource string) bool {
	_, mode, ok := strings.Cut(resource, ":states:::states:startExecution.")
	return ok && strings.HasPrefix(resource, "arn:") && (mode == "sync" || mode == "sync:2")
}

// tokenBeforeCall reports whether a Task's token is drawn when its state
// is entered, before the call: a .waitForTaskToken task passes it in its
// parameters, and a .sync nested execution may end, and send it back,
// before the call's own transition commits (the thread then takes it in
// phase task).
func tokenBeforeCall(resource string) bool {
	return waitsForToken(resource) || syncNested(resource)
}

// usesSyncNested reports whether a definition has a .sync nested execution
// Task at any depth.
func usesSyncNested(m *asl.StateMachine) bool {
	for _, name := range m.StateNames() {
		switch st, _ := m.State(name); s := st.(type) {
		case *asl.Task:
			if syncNested(s.Resource) {
				return true
			}
		case *asl.Parallel:
			for _, b := range s.Branches {
				if usesSyncNested(b) {
					return true
				}
			}
		case *asl.Map:
			if s.Processor != nil && usesSyncNested(s.Processor) {
				return true
			}
		}
	}
	return false
}

// notifyItem is the work item that tells a nested execution's parent it
// ended.
func notifyItem(id string) store.OutboxItem {
	return store.OutboxItem{Item: store.WorkItem{Exec: id, Thread: store.RootThread, Kind: kindNotify}}
}

// stopItem is the work item that stops a nested execution, by its ARN.
func (d *Durable) stopItem(arn string) (store.OutboxItem, bool) {
	id, _, err := d.ExecutionIDOf(arn)
	if err != nil {
		return store.OutboxItem{}, false
	}
	return store.OutboxItem{Item: store.WorkItem{Exec: id, Thread: store.RootThread, Kind: kindStopNested}}, true
}

// endingOutbox is what the end of execution x hands over besides its own
// close: its parent's notification, and the stop of the nested executions
// its threads wait for (but except's, which the caller handles).
func (d *Durable) endingOutbox(ctx context.Context, x *execInfo, except string) ([]store.OutboxItem, error) {
	var items []store.OutboxItem
	if x == nil {
		return nil, nil
	}
	if x.parent != nil {
		items = append(items, notifyItem(x.id))
	}
	if !x.nestedSync() {
		return items, nil
	}
	threads, err := d.store.ThreadList(ctx, x.id)
	if err != nil {
		return nil, err
	}
	for _, th := range threads {
		if th.ID == except {
			continue
		}
		rec, err := decodeThreadRecord(th.Record)
		if err != nil || rec.Phase != phaseToken || rec.Nested == "" {
			continue
		}
		if it, ok := d.stopItem(rec.Nested); ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// nestedSync reports, once per execution, whether its definition waits for
// nested executions.
func (x *execInfo) nestedSync() bool {
	x.nestedOnce.Do(func() { x.hasNested = usesSyncNested(x.machine) })
	return x.hasNested
}

// processNested carries out the work items of nested executions; ok is
// false for other items.
func (d *Durable) processNested(ctx context.Context, item store.WorkItem) (ok bool, err error) {
	switch item.Kind {
	case kindNotify:
		return true, d.notifyParent(ctx, item.Exec)
	case kindStopNested:
		err := d.end(ctx, item.Exec, StatusAborted, ExecutionAborted, "", stopNestedCause)
		if errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrNotFound) {
			err = nil // it ended first
		}
		return true, err
	}
	return false, nil
}

// notifyParent completes the task waiting for a nested execution that
// ended.
func (d *Durable) notifyParent(ctx context.Context, id string) error {
	e, err := d.store.ExecutionGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // gone: its retention ran out
	}
	if err != nil {
		return err
	}
	if e.Parent == nil || e.Status == store.StatusRunning {
		return nil // redriven meanwhile: its next end notifies again
	}
	return d.completeParent(ctx, d.executionARN(lastField(e.StateMachineARN), e.Name), e, e.Parent)
}

// completeParent completes the parent's task with the nested execution's
// end, as the task's mode renders it; a task that no longer waits (it
// took the result already, timed out, or its execution ended) is no error.
func (d *Durable) completeParent(ctx context.Context, arn string, e *store.Execution, link *store.ParentLink) error {
	ex := sfn.Execution{ExecutionARN: arn, StateMachineARN: e.StateMachineARN, Name: e.Name, Status: e.Status,
		Input: e.Input, Output: e.Output, Error: e.Error, Cause: e.Cause, StartDate: e.StartDate, StopDate: e.StopDate}
	output, failure := sfn.Result(link.Mode, ex)
	for attempt := 0; ; attempt++ {
		held, seq, err := d.tokenHeld(ctx, link.Token)
		if err != nil || !held {
			return err // no task waits with it: nothing to tell
		}
		if failure != nil {
			err = d.sendTaskFailure(ctx, link.Token, failure.Name, failure.Cause)
		} else {
			err = d.sendTaskSuccess(ctx, link.Token, output)
		}
		if errors.Is(err, ErrTaskTimedOut) || errors.Is(err, ErrInvalidToken) {
			return nil
		}
		if !errors.Is(err, ErrTaskDoesNotExist) {
			return err
		}
		// Refused: the thread took another transition at the same moment
		// (the call's own, parking it to wait for the token, when the
		// child ended that fast), or it will take no more (a cancelled
		// branch). Sent again in the first case only.
		held, again, err := d.tokenHeld(ctx, link.Token)
		if err != nil || !held || again == seq {
			return err
		}
		if attempt >= 16 {
			return fmt.Errorf("the task of token %.40s still holds it after %d attempts to complete it", link.Token, attempt+1)
		}
	}
}

// tokenHeld reports whether the thread a task token names still holds it
// (about to call, or waiting for it), and the thread's seq.
func (d *Durable) tokenHeld(ctx context.Context, token string) (held bool, seq int64, _ error) {
	id, thread, err := parseTaskToken(token)
	if err != nil {
		return false, 0, nil
	}
	th, err := d.store.ThreadGet(ctx, id, thread)
	if errors.Is(err, store.ErrNotFound) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, err
	}
	rec, err := decodeThreadRecord(th.Record)
	if err != nil {
		return false, 0, err
	}
	return rec.Token == token && (rec.Phase == phaseTask || rec.Phase == phaseToken), th.Seq, nil
}

// abandoned stops, at once, the nested execution a task had just started
// when the transition that would have parked the thread waiting for it was
// refused because the execution ended or the thread was cancelled. (A
// crash right here leaves the child running to its end; its notification
// then finds no task.)
func (d *Durable) abandoned(ctx context.Context, tr *transition, err error) {
	if tr.rec.Phase != phaseToken || tr.rec.Nested == "" || !(errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrCancelled)) {
		return
	}
	it, ok := d.stopItem(tr.rec.Nested)
	if !ok {
		return
	}
	if _, serr := d.processNested(ctx, it.Item); serr != nil {
		slog.Error("stopping a nested execution its task abandoned", "execution", tr.rec.Nested, "err", serr)
	}
}

// stopCancelledNested stops the nested executions that the descendants of
// a thread joining its fork still wait for: a fork that joins while some
// of its children still run (a failure beyond its tolerance) cancels them,
// and a cancelled child takes no transition until its token or timer
// comes; its nested execution is stopped now, with the join.
func (t *transition) stopCancelledNested(ctx context.Context) error {
	if !t.x.nestedSync() {
		return nil
	}
	threads, err := t.d.store.ThreadList(ctx, t.x.id)
	if err != nil {
		return err
	}
	prefix := t.thread + "/"
	for _, th := range threads {
		if !strings.HasPrefix(th.ID, prefix) {
			continue
		}
		rec, err := decodeThreadRecord(th.Record)
		if err != nil || rec.Phase != phaseToken || rec.Nested == "" {
			continue
		}
		if it, ok := t.d.stopItem(rec.Nested); ok {
			t.outbox = append(t.outbox, it)
		}
	}
	return nil
}

// startNested starts the execution req describes, linked to its parent's
// task when req.Parent is set. A start whose name is taken by an execution
// linked to the same task (the call made again after a crash, the child
// since ended) is that execution: its end notified, or will notify, the
// task.
func (d *Durable) startNested(ctx context.Context, req integrations.StartRequest) (*Started, error) {
	tc := integrations.TraceContext{Parent: req.TraceParent, State: req.TraceState, Baggage: req.Baggage}
	st, err := d.startExecution(ctx, req.StateMachineARN, req.Name, req.Input, tc, req.Parent)
	if err == nil || req.Parent == nil || !errors.Is(err, ErrExecutionAlreadyExists) {
		return st, err
	}
	f := strings.Split(req.StateMachineARN, ":")
	if len(f) < 7 {
		return nil, err
	}
	id := store.ExecutionID(d.StateMachineARN(f[6]), req.Name)
	e, gerr := d.store.ExecutionGet(ctx, id)
	if gerr != nil || e.Parent == nil || e.Parent.Token != req.Parent.Token {
		return nil, err
	}
	return &Started{ID: id, ExecutionARN: d.executionARN(f[6], e.Name), StartDate: e.StartDate, Existing: true}, nil
}

// toStoreLink is a start's parent link as the store keeps it.
func toStoreLink(l *integrations.ParentLink) (*store.ParentLink, error) {
	if l == nil {
		return nil, nil
	}
	if l.Token == "" || (l.Mode != integrations.NestedSync && l.Mode != integrations.NestedSync2) {
		return nil, fmt.Errorf("a nested execution's parent link needs a task token and a mode (%q or %q)", integrations.NestedSync, integrations.NestedSync2)
	}
	return &store.ParentLink{ExecutionARN: l.ExecutionARN, Token: l.Token, Mode: l.Mode}, nil
}
