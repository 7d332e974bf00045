package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ExecutionRedriveParams reopen an execution that failed, timed out or was
// aborted.
type ExecutionRedriveParams struct {
	ExecutionID string
	// Record is the top-level thread's record to resume from, and Kind
	// the kind of its next work item.
	Record []byte
	Kind   string
	// Events are appended (ExecutionRedriven, ...).
	Events []Event
}

// ExecutionRedrive reopens the execution and hands its top-level thread its
// next work item; it returns the execution's redrive count. ErrClosed when
// it is RUNNING or SUCCEEDED, ErrNotFound when there is none.
func (c *Client) ExecutionRedrive(ctx context.Context, p *ExecutionRedriveParams) (int, error) {
	if err := checkID("execution id", p.ExecutionID); err != nil {
		return 0, err
	}
	a := args{string(p.Record), p.Kind, p.ExecutionID}
	if err := a.events(p.Events); err != nil {
		return 0, err
	}
	id := p.ExecutionID
	keys := []string{c.keys.ExecutionKey(id), c.keys.HistoryKey(id), c.keys.ThreadsKey(id), c.keys.OutboxKey(id), c.keys.VarsKey(id), c.keys.JoinKey(id)}
	res, err := scriptExecutionRedrive.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: redriving execution %s: %w", id, err)
	}
	switch code(res) {
	case codeOK:
	case codeClosed:
		return 0, fmt.Errorf("%w: execution %s is %s and cannot be redriven", ErrClosed, id, stringAt(res, 1))
	case codeNotFound:
		return 0, fmt.Errorf("%w: execution %s", ErrNotFound, id)
	default:
		return 0, fmt.Errorf("%w: redrive script returned %v", ErrCorrupt, res)
	}
	// Listed as open again (another slot: a crash here is repaired by the
	// next redrive or start).
	x, err := c.ExecutionGet(ctx, id)
	if err == nil {
		err = c.openAdd(ctx, id, x.StartDate)
	}
	if err != nil {
		return 0, err
	}
	if _, err := c.OutboxFlush(ctx, id); err != nil {
		return 0, err
	}
	return int(intAt(res, 1)), nil
}

// openAdd lists an execution among the open ones.
func (c *Client) openAdd(ctx context.Context, id string, start time.Time) error {
	if err := c.rdb.ZAdd(ctx, c.keys.OpenExecutionsKey(), redis.Z{Score: float64(start.UnixMilli()), Member: id}).Err(); err != nil {
		return fmt.Errorf("store: listing execution %s as open: %w", id, err)
	}
	return nil
}
