package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

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
	// VersionARN and AliasARN, when set, keep the executions started
	// with that version (through an alias that routed to it as well) or
	// through that alias: DescribeExecution's stateMachineVersionArn and
	// stateMachineAliasArn.
	VersionARN, AliasARN string
	// Redriven, when set, keeps the executions redriven at least once
	// (true) or never (false).
	Redriven *bool
	Cursor   string // from the previous page; "" from the start
	Limit    int    // 0 means 100
}

// ExecutionListScan is the most executions one ExecutionList call reads
// while its filters keep too few of them to fill the page: it then
// returns the page it has (perhaps empty) with a cursor to go on from, as
// AWS's pages may be short. A call's work is bounded whatever the
// filters and however many executions a state machine has.
const ExecutionListScan = 1000

// listFields are the execution hash's fields a listing reads: never the
// input and output (up to the payload limit each), which a page of 1,000
// would read whole.
var listFields = []string{fieldMeta, fieldARN, fieldName, fieldStatus, fieldStart, fieldStop, fieldEvents, fieldError, fieldCause, "redrives", fieldVersionARN, fieldAliasARN}

// ExecutionList returns a page of executions (their listing's fields,
// the error and cause included: no input, output or trace) and the
// cursor of the next page ("" at the end). The cursor is the last
// execution read, by its start and id, so executions started between two
// pages neither repeat nor shift the next; a malformed cursor is
// ErrInvalid.
func (c *Client) ExecutionList(ctx context.Context, p *ExecutionListParams) ([]*Execution, string, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	// the page starts after the position (top, afterID), newest first:
	// at lower starts, or at top's start with a lower id
	top, afterID := "+inf", ""
	if p.Cursor != "" {
		ms, id, ok := strings.Cut(p.Cursor, "/")
		n, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil || id == "" {
			return nil, "", fmt.Errorf("%w: cursor %q", ErrInvalid, p.Cursor)
		}
		top, afterID = strconv.FormatInt(n, 10), id
	}
	keep := func(e *Execution) bool {
		return (p.Status == "" || e.Status == p.Status) && (p.VersionARN == "" || e.VersionARN == p.VersionARN) &&
			(p.AliasARN == "" || e.AliasARN == p.AliasARN) && (p.Redriven == nil || *p.Redriven == (e.RedriveCount > 0))
	}
	key := c.keys.StateMachineExecutionsKey(p.StateMachine)
	var out []*Execution
	// read counts the entries read against ExecutionListScan; offset is
	// where the next read starts among the entries up to top (re-read
	// ones of top's start are passed over)
	read, offset, last := 0, 0, ""
	for read < ExecutionListScan {
		// one more than the page, read but not returned, says whether a
		// next page exists
		batch := min(limit+1, ExecutionListScan-read) + 1
		zs, err := c.rdb.ZRevRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Max: top, Min: "-inf", Offset: int64(offset), Count: int64(batch)}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("store: listing executions of %s: %w", p.StateMachine, err)
		}
		var ids, starts []string
		for _, z := range zs {
			id, _ := z.Member.(string)
			start := strconv.FormatInt(int64(z.Score), 10)
			if afterID != "" && start == top && id >= afterID {
				// at or before the cursor: read by an earlier call (not
				// counted: as many as that call read at most)
				continue
			}
			ids, starts = append(ids, id), append(starts, start)
		}
		if len(ids) == 0 {
			if len(zs) < batch {
				return out, "", nil // the end
			}
			offset += len(zs) // a batch of one start, all passed over
			continue
		}
		execs, err := c.executionSummaries(ctx, ids)
		if err != nil {
			return nil, "", err
		}
		for i, e := range execs {
			if e != nil && keep(e) {
				if len(out) == limit {
					return out, last, nil // a next page: from this one
				}
				out = append(out, e)
			}
			read++
			last = starts[i] + "/" + ids[i]
			top, afterID, offset = starts[i], ids[i], 0
			if read >= ExecutionListScan {
				return out, last, nil
			}
		}
		if len(zs) < batch {
			return out, "", nil // read to the end
		}
	}
	return out, last, nil
}

// executionSummaries reads the listing's fields of the executions ids in
// one pipeline: nil for one that is gone (the list lags its deletes).
func (c *Client) executionSummaries(ctx context.Context, ids []string) ([]*Execution, error) {
	pipe := c.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, c.keys.ExecutionKey(id), listFields...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: listing executions: %w", err)
	}
	out := make([]*Execution, len(ids))
	for i, cmd := range cmds {
		vals, err := cmd.Result()
		if err != nil {
			return nil, fmt.Errorf("store: execution %s: %w", ids[i], err)
		}
		h := make(map[string]string, len(listFields))
		for j, f := range listFields {
			if v, ok := vals[j].(string); ok {
				h[f] = v
			}
		}
		if h[fieldStatus] == "" {
			continue // gone
		}
		if m, ok := h[fieldMeta]; ok {
			if err := unpackMeta(m, h); err != nil {
				return nil, fmt.Errorf("%w: execution %s: %v", ErrCorrupt, ids[i], err)
			}
		}
		e := &Execution{ID: ids[i], StateMachineARN: h[fieldARN], Name: h[fieldName], Status: h[fieldStatus],
			Error: h[fieldError], Cause: h[fieldCause], VersionARN: h[fieldVersionARN], AliasARN: h[fieldAliasARN]}
		if r := h["redrives"]; r != "" {
			e.RedriveCount, _ = strconv.Atoi(r)
		}
		var err1, err2, err3 error
		e.StartDate, err1 = millis(h[fieldStart])
		e.StopDate, err2 = millis(h[fieldStop])
		e.Events, err3 = strconv.ParseInt(h[fieldEvents], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%w: execution %s: %v", ErrCorrupt, ids[i], err)
		}
		out[i] = e
	}
	return out, nil
}
