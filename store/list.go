package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// ExecutionListAdd lists an execution under its state machine. It is a
// separate step from ExecutionCreate (another Cluster slot); a repeated
// start of the same execution repairs a missing entry.
func (c *Client) ExecutionListAdd(ctx context.Context, stateMachine, execID string, e *Execution) error {
	err := c.hot.ZAdd(ctx, c.keys.StateMachineExecutionsKey(stateMachine), redis.Z{Score: float64(e.StartDate.UnixMilli()), Member: execID}).Err()
	if err != nil {
		return fmt.Errorf("store: listing execution %s: %w", execID, err)
	}
	return nil
}

// ExecutionListParams select a page of a state machine's executions,
// newest first.
type ExecutionListParams struct {
	StateMachine string
	Status       string // "" for any
	Cursor       string // from the previous page; "" from the start
	Limit        int    // 0 means 100
}

// ExecutionList returns a page of executions and the cursor of the next
// page ("" at the end).
func (c *Client) ExecutionList(ctx context.Context, p *ExecutionListParams) ([]*Execution, string, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	offset := 0
	if p.Cursor != "" {
		n, err := strconv.Atoi(p.Cursor)
		if err != nil || n < 0 {
			return nil, "", fmt.Errorf("%w: cursor %q", ErrInvalid, p.Cursor)
		}
		offset = n
	}
	key := c.keys.StateMachineExecutionsKey(p.StateMachine)
	var out []*Execution
	// The page is limit executions; one more, read but not returned, says
	// there is a next page, so that the last page has no cursor.
	next := 0 // the cursor after the page's last execution
	for {
		ids, err := c.rdb.ZRevRange(ctx, key, int64(offset), int64(offset+limit)).Result()
		if err != nil {
			return nil, "", fmt.Errorf("store: listing executions of %s: %w", p.StateMachine, err)
		}
		if len(ids) == 0 {
			return out, "", nil
		}
		for i, id := range ids {
			e, err := c.ExecutionGet(ctx, id)
			if err != nil {
				continue // deleted since: the index lags
			}
			if p.Status == "" || e.Status == p.Status {
				if len(out) == limit {
					return out, strconv.Itoa(next), nil
				}
				out = append(out, e)
				next = offset + i + 1
			}
		}
		offset += len(ids)
	}
}
