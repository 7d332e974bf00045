package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/store"
)

// Activities: a Task state whose Resource is an activity ARN
// ("arn:aws:states:<region>:<account>:activity:<name>") schedules an
// activity task, which a worker takes with GetActivityTask and answers with
// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.
//
// Scheduling is the task call of the thread (callActivity): the task,
// "<seq>|<token>", is pushed on the activity's queue in the store, and the
// thread waits for its token (phase token) as for .waitForTaskToken.
// GetActivityTask takes the oldest task, starts it with a transition of
// its thread guarded by the seq the task carries (so a task pushed twice,
// or whose thread has moved on, is handed out at most once), and returns
// its token and input. Taking a task leaves it in the queue until it is
// started or found stale, so a poller that dies loses nothing.
//
// The activity runtime does this itself, not through an integrations.Handler:
// a handler sees neither the thread's seq, which the queue needs, nor the
// history, whose Activity* events replace the Task* ones.

// ErrActivityDoesNotExist is AWS's ActivityDoesNotExist.
var ErrActivityDoesNotExist = errors.New("ActivityDoesNotExist")

// The history events of activity tasks.
const (
	ActivityScheduled EventType = "ActivityScheduled"
	ActivityStarted   EventType = "ActivityStarted"
	ActivitySucceeded EventType = "ActivitySucceeded"
	ActivityFailed    EventType = "ActivityFailed"
	ActivityTimedOut  EventType = "ActivityTimedOut"
)

// ActivityInfo is what CreateActivity, DescribeActivity and ListActivities
// return.
type ActivityInfo struct {
	ARN, Name string
	Created   time.Time
}

// ActivityPoll is the longest GetActivityTask waits for a task, as on AWS.
const ActivityPoll = 60 * time.Second

// ActivityARN is the ARN of an activity by name.
func (d *Durable) ActivityARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:activity:%s", d.region(), d.account(), name)
}

// createActivity creates an activity with its tags. As on AWS it is
// idempotent by name: an activity that exists is returned unchanged, its
// tags too.
func (d *Durable) createActivity(ctx context.Context, name string, tags map[string]string) (*ActivityInfo, error) {
	if err := checkName("activity", name); err != nil {
		return nil, err
	}
	if err := CheckTags(tags); err != nil {
		return nil, err
	}
	a, _, err := d.store.ActivityCreate(ctx, name, tags, d.now())
	if err != nil {
		return nil, err
	}
	return d.activityInfo(a), nil
}

// describeActivity returns an activity.
func (d *Durable) describeActivity(ctx context.Context, arn string) (*ActivityInfo, error) {
	name, err := parseActivityARN(arn)
	if err != nil {
		return nil, err
	}
	a, err := d.store.ActivityGet(ctx, name)
	if err != nil {
		return nil, activityError(err, arn)
	}
	return d.activityInfo(a), nil
}

// deleteActivity deletes an activity (one that does not exist is no
// error, as on AWS) with its tasks not yet handed out: the Task states
// waiting for them wait on until their TimeoutSeconds, HeartbeatSeconds
// only counting from a task's start. Tokens already handed out stay valid
// until their task times out. A Task state that reaches a deleted activity
// fails the execution with States.Runtime.
func (d *Durable) deleteActivity(ctx context.Context, arn string) error {
	name, err := parseActivityARN(arn)
	if err != nil {
		return err
	}
	return d.store.ActivityDelete(ctx, name)
}

// listActivities lists activities in lexical order of name, limit (0: 100,
// at most 1000) at a time; next is the cursor of the following page, ""
// at the end.
func (d *Durable) listActivities(ctx context.Context, cursor string, limit int) ([]*ActivityInfo, string, error) {
	if limit < 0 || limit > 1000 {
		return nil, "", fmt.Errorf("%w: maxResults must be 0 to 1000, got %d", ErrValidation, limit)
	}
	as, next, err := d.store.ActivityList(ctx, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]*ActivityInfo, len(as))
	for i, a := range as {
		out[i] = d.activityInfo(a)
	}
	return out, next, nil
}

func (d *Durable) activityInfo(a *store.Activity) *ActivityInfo {
	return &ActivityInfo{ARN: d.ActivityARN(a.Name), Name: a.Name, Created: a.Created}
}

func activityError(err error, arn string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrActivityDoesNotExist, arn)
	}
	return err
}

// getActivityTask hands a worker the oldest task scheduled for an
// activity: its task token and its input (JSON). It waits for one up to
// ActivityPoll, or until ctx ends, and returns an empty token when none
// came. workerName (optional) is recorded in the ActivityStarted event.
func (d *Durable) getActivityTask(ctx context.Context, activityARN, workerName string) (token string, input []byte, err error) {
	name, err := parseActivityARN(activityARN)
	if err != nil {
		return "", nil, err
	}
	if n := utf8.RuneCountInString(workerName); n > 80 {
		return "", nil, fmt.Errorf("%w: workerName must be at most 80 characters, got %d", ErrValidation, n)
	}
	if _, err := d.store.ActivityGet(ctx, name); err != nil {
		return "", nil, activityError(err, activityARN)
	}
	deadline := time.Now().Add(ActivityPoll)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		// Stop a little early: a blocking read cut by the deadline would
		// cost the connection.
		deadline = dl.Add(-pollMargin)
	}
	for {
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			return "", nil, nil
		}
		wait := time.Duration(0) // shorter than a blocking read's second
		if left >= time.Second {
			wait = time.Second
		}
		task, err := d.store.ActivityTaskWait(ctx, name, wait)
		switch {
		case ctx.Err() != nil:
			return "", nil, nil
		case errors.Is(err, store.ErrCorrupt):
			slog.Error("dropped a malformed activity task", "activity", name, "err", err)
			continue
		case err != nil:
			return "", nil, err
		case task == nil:
			if wait == 0 && !pause(ctx, min(left, pollInterval)) {
				return "", nil, nil
			}
			continue
		}
		input, verdict, err := d.startActivityTask(ctx, *task, workerName)
		if err != nil {
			return "", nil, err // the task stays queued
		}
		switch verdict {
		case taskStarted:
			// Left behind, the task is found stale by the next taker.
			_ = d.store.ActivityTaskDone(context.WithoutCancel(ctx), name, *task)
			return task.Token, input, nil
		case taskStale:
			if err := d.store.ActivityTaskDone(ctx, name, *task); err != nil && ctx.Err() == nil {
				return "", nil, err
			}
		case taskNotYet:
			if !pause(ctx, min(left, pollInterval)) {
				return "", nil, nil
			}
		}
	}
}

const (
	// pollMargin is how much earlier than its context's deadline
	// GetActivityTask stops waiting.
	pollMargin = 50 * time.Millisecond
	// pollInterval is how often GetActivityTask looks again at a queue it
	// cannot block on (less than a second left) or whose task's thread has
	// not yet committed its scheduling.
	pollInterval = 20 * time.Millisecond
)

// pause waits for d or for ctx to end; false when ctx ended.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

type taskVerdict int

const (
	taskStarted taskVerdict = iota
	taskStale               // the thread has moved on: drop the task
	taskNotYet              // the scheduling transition has not committed yet
)

// startActivityTask records that a worker took task: ActivityStarted, and
// the task's heartbeat timer, in a transition of the waiting thread guarded
// by the seq the task carries. It returns the task's input.
func (d *Durable) startActivityTask(ctx context.Context, task store.ActivityTask, worker string) ([]byte, taskVerdict, error) {
	execID, thread, err := parseTaskToken(task.Token)
	if err != nil {
		return nil, taskStale, nil
	}
	th, err := d.store.ThreadGet(ctx, execID, thread)
	if errors.Is(err, store.ErrNotFound) {
		return nil, taskStale, nil
	}
	if err != nil {
		return nil, 0, err
	}
	switch {
	case th.Seq > task.Seq:
		return nil, taskStale, nil
	case th.Seq < task.Seq:
		// Pushed by a scheduling transition not committed yet, or that
		// never will: its redelivery pushes the task again, unless the
		// execution has ended.
		e, err := d.store.ExecutionGet(ctx, execID)
		if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != store.StatusRunning {
			return nil, taskStale, nil
		}
		return nil, taskNotYet, err
	}
	rec, err := decodeThreadRecord(th.Record)
	if err != nil {
		return nil, 0, err
	}
	if rec.Phase != phaseToken || rec.Token != task.Token || rec.Call == nil {
		return nil, taskStale, nil
	}
	x, err := d.info(ctx, execID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, taskStale, nil
	}
	if err != nil {
		return nil, 0, err
	}
	t := &transition{d: d, x: x, thread: thread, seq: th.Seq, rec: rec}
	now := d.now()
	t.event(Event{Type: ActivityStarted, Name: worker, Timestamp: now})
	t.armTokenTimers(now) // the deadline again at the new seq, and the first heartbeat's
	p := &store.TransitionParams{ExecutionID: execID, Thread: thread, Seq: th.Seq, Events: t.events, Outbox: t.outbox}
	if rec.Child != nil {
		p.InFork = rec.Child.ID
	}
	if p.Record, err = rec.encode(); err != nil {
		return nil, 0, err
	}
	res, err := d.store.Transition(ctx, p)
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrCancelled) || errors.Is(err, store.ErrNotFound) {
		return nil, taskStale, nil // another taker started it, or the execution or fork ended
	}
	if err != nil {
		return nil, 0, err
	}
	if _, err := d.store.OutboxHandOver(context.WithoutCancel(ctx), execID, res); err != nil {
		// The recoverer hands the timers over.
		slog.Error("handing over an activity task's timers", "execution", execID, "err", err)
	}
	return []byte(rec.Call.Parameters), taskStarted, nil
}

// callActivity schedules the activity task of the thread's Task state: it
// pushes the task on the activity's queue, carrying the seq the thread has
// once this transition commits, and parks the thread until its token comes
// back. The push comes first: a worker that dies before the transition
// leaves the task item to be redelivered, which pushes the task again
// (at least once per attempt; GetActivityTask drops the duplicate).
func (t *transition) callActivity(ctx context.Context) asl.Outcome {
	call := t.rec.Call
	name, _ := parseActivityARN(call.Resource)
	params, err := decodeRaw(call.Parameters)
	if err != nil {
		t.rec.Phase, t.rec.Call, t.rec.Token = phaseEnter, nil, ""
		return asl.Fail{Error: aslerr.Runtime, Cause: err.Error()}
	}
	err = t.d.store.ActivityTaskPush(ctx, name, store.ActivityTask{Seq: t.seq + 1, Token: t.rec.Token})
	if errors.Is(err, store.ErrNotFound) {
		// As AWS: the execution fails, with no Activity event.
		t.rec.Phase, t.rec.Call, t.rec.Token = phaseEnter, nil, ""
		return asl.Fail{Error: aslerr.Runtime, Cause: fmt.Sprintf(
			"An error occurred while executing the state '%s' (entered at the event id #%d). The activity %s does not exist.",
			t.st.Name(), t.rec.EnteredID, call.Resource)}
	}
	if err != nil {
		// The store failed: call again a second later, the thread
		// unchanged (its record stays in phase task).
		slog.Error("queueing an activity task; trying again in a second", "execution", t.x.id, "activity", name, "err", err)
		t.outbox = append(t.outbox, store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: t.thread, Seq: t.seq + 1, Kind: kindTask}, Due: t.d.now().Add(time.Second)})
		return nil
	}
	t.event(Event{Type: ActivityScheduled, Payload: params,
		Task: &TaskDetails{Resource: call.Resource, TimeoutSeconds: call.TimeoutSeconds, HeartbeatSeconds: call.HeartbeatSeconds}})
	t.rec.Phase = phaseToken
	if call.TimeoutSeconds > 0 {
		// TimeoutSeconds count from the scheduling; HeartbeatSeconds from
		// the start (startActivityTask).
		t.rec.Deadline = t.d.now().Add(secondsDuration(call.TimeoutSeconds)).UnixMilli()
		t.outbox = append(t.outbox, store.OutboxItem{Item: store.WorkItem{Exec: t.x.id, Thread: t.thread, Seq: t.seq + 1, Kind: kindTaskTimeout}, Due: time.UnixMilli(t.rec.Deadline)})
	}
	return nil
}

// waitsForToken reports whether a Task with this resource waits for its
// task token to come back: the .waitForTaskToken pattern, and activities.
func waitsForToken(resource string) bool {
	return strings.HasSuffix(resource, ".waitForTaskToken") || isActivityARN(resource)
}

func isActivityARN(resource string) bool {
	_, err := parseActivityARN(resource)
	return err == nil
}

// parseActivityARN returns the name in
// "arn:<partition>:states:<region>:<account>:activity:<name>".
func parseActivityARN(arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "activity" || parts[6] == "" {
		return "", fmt.Errorf("%w: %q is not an activity ARN", ErrInvalidArn, arn)
	}
	return parts[6], nil
}

// tokenEvent is the history event a task waiting for its token records
// when it ends: the Task* type given, or its Activity* counterpart for an
// activity task.
func (t *transition) tokenEvent(typ EventType) EventType {
	if t.rec.Call == nil || !isActivityARN(t.rec.Call.Resource) {
		return typ
	}
	switch typ {
	case TaskSucceeded:
		return ActivitySucceeded
	case TaskFailed:
		return ActivityFailed
	case TaskTimedOut:
		return ActivityTimedOut
	}
	return typ
}

// activityDetails returns the name of an activity event's details field
// and its value; "" for other events.
func (ev Event) activityDetails() (string, map[string]any) {
	task := ev.Task
	if task == nil {
		task = &TaskDetails{}
	}
	errDetails := func() map[string]any {
		d := map[string]any{}
		if ev.Error != nil && ev.Error.Error != "" {
			d["error"] = ev.Error.Error
		}
		if ev.Error != nil && ev.Error.Cause != "" {
			d["cause"] = ev.Error.Cause
		}
		return d
	}
	switch ev.Type {
	case ActivityScheduled:
		d := map[string]any{"resource": task.Resource, "input": asl.EncodeJSON(ev.Payload), "inputDetails": map[string]any{"truncated": false}}
		if task.TimeoutSeconds > 0 {
			d["timeoutInSeconds"] = int64(task.TimeoutSeconds)
		}
		if task.HeartbeatSeconds > 0 {
			d["heartbeatInSeconds"] = int64(task.HeartbeatSeconds)
		}
		return "activityScheduledEventDetails", d
	case ActivityStarted:
		d := map[string]any{}
		if ev.Name != "" {
			d["workerName"] = ev.Name
		}
		return "activityStartedEventDetails", d
	case ActivitySucceeded:
		return "activitySucceededEventDetails", map[string]any{"output": asl.EncodeJSON(ev.Payload), "outputDetails": map[string]any{"truncated": false}}
	case ActivityFailed:
		return "activityFailedEventDetails", errDetails()
	case ActivityTimedOut:
		return "activityTimedOutEventDetails", errDetails()
	}
	return "", nil
}

// checkName applies AWS's naming rules (those of CheckExecutionName) to
// the name of a resource, what: 1 to 80 characters, none of them white
// space, a control character, or one of < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /
func checkName(what, name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > 80 {
		return fmt.Errorf("%w: an %s name must be 1 to 80 characters long, got %d", ErrInvalidName, what, n)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return fmt.Errorf("%w: the %s name %q may not contain %q", ErrInvalidName, what, name, r)
		}
	}
	return nil
}
