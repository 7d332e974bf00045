package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// ExecutionEndParams end a running execution from outside its threads.
type ExecutionEndParams struct {
	ExecutionID string
	Status      string // ABORTED (StopExecution) or TIMED_OUT
	Error       string
	Cause       string
	StopDate    time.Time
	// Events are appended to the history (ExecutionAborted, ...), chained
	// to its latest event.
	Events []Event
	// Retention is how long the closed execution's keys live on (0: for
	// ever).
	Retention time.Duration
	// Outbox holds work the end hands over, written by the same script:
	// the notification of a parent waiting for the execution, the stop of
	// the nested executions it waits for (runtime/nested.go).
	Outbox []OutboxItem
}

// ExecutionEnd ends an execution that is still RUNNING: ErrClosed when it
// has already ended, ErrNotFound when there is none.
func (c *Client) ExecutionEnd(ctx context.Context, p *ExecutionEndParams) error {
	if err := checkID("execution id", p.ExecutionID); err != nil {
		return err
	}
	if p.Status == "" || p.Status == StatusRunning || p.StopDate.IsZero() {
		return fmt.Errorf("%w: ending with status %q at %v", ErrInvalid, p.Status, p.StopDate)
	}
	a := args{p.Status, p.Error, p.Cause, strconv.FormatInt(p.StopDate.UnixMilli(), 10), p.Retention.Milliseconds()}
	if err := a.events(p.Events); err != nil {
		return err
	}
	if err := a.outbox(p.Outbox); err != nil {
		return err
	}
	// In direct mode the script hands the outbox's items over itself.
	direct := c.direct && len(p.Outbox) > 0
	res, err := scriptExecutionEnd.Run(ctx, c.rdb, c.keys.transitionKeys(p.ExecutionID, direct), a...).Slice()
	if err != nil {
		return fmt.Errorf("store: ending execution %s: %w", p.ExecutionID, err)
	}
	switch code(res) {
	case codeOK:
	case codeClosed:
		return fmt.Errorf("%w: execution %s is %s", ErrClosed, p.ExecutionID, stringAt(res, 1))
	case codeNotFound:
		return fmt.Errorf("%w: execution %s", ErrNotFound, p.ExecutionID)
	default:
		return fmt.Errorf("%w: end script returned %v", ErrCorrupt, res)
	}
	if len(p.Outbox) > 0 && !direct {
		// Handed over before the open index forgets the execution: should
		// this fail, the recoverer flushes the outbox of the closed
		// execution it finds in the index.
		if _, err := c.OutboxFlush(ctx, p.ExecutionID); err != nil {
			return err
		}
	}
	_ = c.OpenExecutionRemove(ctx, p.ExecutionID) // see Transition
	return nil
}
