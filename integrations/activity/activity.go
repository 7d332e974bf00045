// Package activity serves Step Functions activities as an integration: a
// Task state whose Resource is an activity ARN
// ("arn:aws:states:<region>:<account>:activity:<name>") is a call of
// Handler, which queues the task for the activity's workers and answers
// later (*integrations.Pending): a worker takes it with GetTask (AWS's
// GetActivityTask) and answers through the runtime by its token
// (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat).
//
// The queue is the store's (store.ActivityTaskPush): a task is its token.
// Taking a task leaves it in the queue until the runtime has recorded its
// start (ActivityStarted) or found it stale, so a poller that dies loses
// nothing; a task queued twice (a call delivered again) is started once.
package activity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// Verdict is what the runtime made of a task a worker took.
type Verdict int

const (
	// Started: the runtime recorded the start; the worker gets the task.
	Started Verdict = iota
	// Stale: the task's Task state has moved on, or the task was started
	// already: drop it.
	Stale
	// NotYet: the call that queued the task has not committed its waiting
	// yet: look again shortly.
	NotYet
)

// Starter is the runtime's side: it records that worker took the task of
// token and returns the task's input (JSON).
type Starter interface {
	StartActivityTask(ctx context.Context, token, worker string) (input []byte, v Verdict, err error)
}

// Errors of GetTask, for the caller to map to AWS's.
var (
	ErrDoesNotExist = errors.New("ActivityDoesNotExist")
	ErrInvalidARN   = errors.New("InvalidArn")
	ErrInvalid      = errors.New("invalid argument")
)

// Handler queues activity tasks and hands them to workers.
type Handler struct {
	Store   *store.Client
	Starter Starter
	// Poll is the longest GetTask waits for a task (AWS's 60 seconds when 0).
	Poll time.Duration
}

// Invoke queues the task of an activity's Task state and answers later.
// An activity that does not exist fails the execution, as on AWS; a store
// that cannot be reached asks for the call again (ErrTryAgain).
func (h *Handler) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	name, err := ParseARN(req.Resource)
	if err != nil {
		return nil, &integrations.Error{Name: "States.Runtime", Cause: err.Error()}
	}
	err = h.Store.ActivityTaskPush(ctx, name, store.ActivityTask{Token: req.TaskToken})
	if errors.Is(err, store.ErrNotFound) {
		return nil, &integrations.Error{Name: "States.Runtime", Cause: fmt.Sprintf(
			"An error occurred while executing the state '%s' (entered at the event id #%d). The activity %s does not exist.",
			req.StateName, req.EnteredEventID, req.Resource)}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: queueing a task of activity %s: %v", integrations.ErrTryAgain, name, err)
	}
	return &integrations.Pending{Output: req.Parameters}, nil
}

// ParseARN returns the name in
// "arn:<partition>:states:<region>:<account>:activity:<name>".
func ParseARN(arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "activity" || parts[6] == "" {
		return "", fmt.Errorf("%q is not an activity ARN", arn)
	}
	return parts[6], nil
}

// GetTask hands a worker the oldest task queued for an activity: its token
// and its input (JSON). It waits for one up to Poll, or until ctx ends, and
// returns an empty token when none came. worker (optional) is recorded in
// the ActivityStarted event.
func (h *Handler) GetTask(ctx context.Context, arn, worker string) (token string, input []byte, err error) {
	name, err := ParseARN(arn)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrInvalidARN, err)
	}
	if n := utf8.RuneCountInString(worker); n > 80 {
		return "", nil, fmt.Errorf("%w: workerName must be at most 80 characters, got %d", ErrInvalid, n)
	}
	if _, err := h.Store.ActivityGet(ctx, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, fmt.Errorf("%w: %s", ErrDoesNotExist, arn)
		}
		return "", nil, err
	}
	deadline := time.Now().Add(h.poll())
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
		token, input, again, err := h.take(ctx, name, worker, left)
		if err != nil || token != "" {
			return token, input, err
		}
		if again && !pause(ctx, min(left, pollInterval)) {
			return "", nil, nil
		}
	}
}

// take waits up to a second for the head task of the activity's queue
// and tries to start it: its token and input when it started; again when
// the caller is to pause before looking again.
func (h *Handler) take(ctx context.Context, name, worker string, left time.Duration) (token string, input []byte, again bool, err error) {
	wait := time.Duration(0) // shorter than a blocking read's second
	if left >= time.Second {
		wait = time.Second
	}
	task, err := h.Store.ActivityTaskWait(ctx, name, wait)
	switch {
	case ctx.Err() != nil:
		return "", nil, false, nil
	case errors.Is(err, store.ErrCorrupt):
		slog.Error("dropped a malformed activity task", "activity", name, "err", err)
		return "", nil, false, nil
	case err != nil:
		return "", nil, false, err
	case task == nil:
		return "", nil, wait == 0, nil
	}
	input, verdict, err := h.Starter.StartActivityTask(ctx, task.Token, worker)
	if err != nil {
		return "", nil, false, err // the task stays queued
	}
	switch verdict {
	case Started:
		// Left behind, the task is found stale by the next taker.
		_ = h.Store.ActivityTaskDone(context.WithoutCancel(ctx), name, *task)
		return task.Token, input, false, nil
	case Stale:
		if err := h.Store.ActivityTaskDone(ctx, name, *task); err != nil && ctx.Err() == nil {
			return "", nil, false, err
		}
		return "", nil, false, nil
	}
	return "", nil, true, nil // NotYet
}

func (h *Handler) poll() time.Duration {
	if h.Poll > 0 {
		return h.Poll
	}
	return DefaultPoll
}

// DefaultPoll is the longest GetActivityTask waits for a task, as on AWS.
const DefaultPoll = 60 * time.Second

const (
	// pollMargin is how much earlier than its context's deadline GetTask
	// stops waiting.
	pollMargin = 50 * time.Millisecond
	// pollInterval is how often GetTask looks again at a queue it cannot
	// block on (less than a second left) or whose task's call has not yet
	// committed its waiting.
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
