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
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/activity"
	"github.com/signalbox/signalbox/store"
)

// Activities: a Task state whose Resource is an activity ARN
// ("arn:aws:states:<region>:<account>:activity:<name>") calls the activity
// integration (integrations/activity), which queues the task for the
// activity's workers and answers later, so the thread waits for its token
// (phase token) as for .waitForTaskToken; its history is ActivityScheduled,
// ActivityStarted and ActivitySucceeded, ActivityFailed or ActivityTimedOut
// instead of the Task* events. A worker takes the task with
// GetActivityTask, which starts it through activityStarter (a transition of
// its thread, once) and answers with SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat. Creating, describing, listing and deleting activities
// is here.

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
const ActivityPoll = activity.DefaultPoll

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
// activity (integrations/activity): its task token and its input (JSON).
// It waits for one up to ActivityPoll, or until ctx ends, and returns an
// empty token when none came. workerName (optional) is recorded in the
// ActivityStarted event.
func (d *Durable) getActivityTask(ctx context.Context, activityARN, workerName string) (token string, input []byte, err error) {
	token, input, err = d.activities.GetTask(ctx, activityARN, workerName)
	switch {
	case errors.Is(err, activity.ErrDoesNotExist):
		return "", nil, fmt.Errorf("%w: %s", ErrActivityDoesNotExist, activityARN)
	case errors.Is(err, activity.ErrInvalidARN):
		return "", nil, fmt.Errorf("%w: %q is not an activity ARN", ErrInvalidArn, activityARN)
	case errors.Is(err, activity.ErrInvalid):
		return "", nil, fmt.Errorf("%w: %v", ErrValidation, err)
	}
	return token, input, err
}

// activityStarter is the runtime's side of integrations/activity: it
// records that a worker took a task.
type activityStarter struct{ d *Durable }

// StartActivityTask records that worker took the task of token:
// ActivityStarted, and the task's heartbeat timer, in a transition of the
// waiting thread guarded by its seq. It returns the task's input. A task
// whose thread is not waiting for it yet (the call that queued it has not
// committed) is NotYet; one started already, or whose thread has moved on,
// is Stale.
func (s activityStarter) StartActivityTask(ctx context.Context, token, worker string) ([]byte, activity.Verdict, error) {
	d := s.d
	execID, thread, err := parseTaskToken(token)
	if err != nil {
		return nil, activity.Stale, nil
	}
	th, err := d.store.ThreadGet(ctx, execID, thread)
	if errors.Is(err, store.ErrNotFound) {
		return nil, activity.Stale, nil
	}
	if err != nil {
		return nil, 0, err
	}
	rec, err := decodeThreadRecord(th.Record)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case rec.Token != token || rec.Call == nil || rec.Started:
		return nil, activity.Stale, nil
	case rec.Phase == phaseTask:
		// Queued by a call whose transition has not committed yet, or
		// never will: its redelivery queues the task again, unless the
		// execution has ended.
		e, err := d.store.ExecutionGet(ctx, execID)
		if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != store.StatusRunning {
			return nil, activity.Stale, nil
		}
		return nil, activity.NotYet, err
	case rec.Phase != phaseToken:
		return nil, activity.Stale, nil
	}
	x, err := d.info(ctx, execID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, activity.Stale, nil
	}
	if err != nil {
		return nil, 0, err
	}
	t := &transition{d: d, x: x, thread: thread, seq: th.Seq, rec: rec, base: -1}
	now := d.now()
	t.event(Event{Type: ActivityStarted, Name: worker, Timestamp: now})
	rec.Started = true
	t.armTokenTimers(now, true) // the deadline again at the new seq, and the first heartbeat's
	p := &store.TransitionParams{ExecutionID: execID, Thread: thread, Seq: th.Seq, Events: t.events, Outbox: t.outbox}
	if rec.Child != nil {
		p.InFork = rec.Child.ID
	}
	if p.Record, err = rec.encode(); err != nil {
		return nil, 0, err
	}
	res, err := d.store.Transition(ctx, p)
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrCancelled) || errors.Is(err, store.ErrNotFound) {
		return nil, activity.Stale, nil // another taker started it, or the execution or fork ended
	}
	if err != nil {
		return nil, 0, err
	}
	if _, err := d.store.OutboxHandOver(context.WithoutCancel(ctx), execID, res); err != nil {
		// The recoverer hands the timers over.
		slog.Error("handing over an activity task's timers", "execution", execID, "err", err)
	}
	return d.activityInput(x, rec), activity.Started, nil
}

// activityInput is the input an activity's worker gets: the task's
// parameters, with the task's trace context in the field
// ActivityTraceField names when it is set and the parameters are an
// object without that field (and stay within the payload limit with it).
// The traceparent names the Task state's span when tracing, the
// starter's otherwise.
func (d *Durable) activityInput(x *execInfo, rec *threadRecord) []byte {
	params := []byte(rec.Call.Parameters)
	if d.ActivityTraceField == "" {
		return params
	}
	tc := x.tc
	if x.trace != nil {
		tc.Parent = x.trace.traceparent(x.trace.state(rec.EnteredID))
	}
	if tc == (integrations.TraceContext{}) {
		return params
	}
	v, err := asl.DecodeJSON(params)
	obj, ok := v.(map[string]any)
	if err != nil || !ok {
		return params
	}
	if _, taken := obj[d.ActivityTraceField]; taken {
		return params
	}
	field := map[string]any{}
	for k, v := range map[string]string{"traceparent": tc.Parent, "tracestate": tc.State, "baggage": tc.Baggage} {
		if v != "" {
			field[k] = v
		}
	}
	obj[d.ActivityTraceField] = field
	out := []byte(asl.EncodeJSON(obj))
	if checkPayload("activity input", out) != nil {
		return params
	}
	return out
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
