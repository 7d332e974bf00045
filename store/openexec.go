package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// OpenExecution is an entry of the open-executions index.
type OpenExecution struct {
	ID        string
	StartDate time.Time
}

// OpenExecutionsParams select a page of the open executions, oldest first.
type OpenExecutionsParams struct {
	// StartedBefore, when set, keeps executions that started strictly
	// before it (the recoverer's "older than a lease").
	StartedBefore time.Time
	Offset        int
	Limit         int // 0 means 100
}

// OpenExecutions lists open executions by start time. The index is kept
// beside the executions, in another Cluster slot, and errs on the side of
// listing too much: it may hold an execution that is closed (a crash after
// its last transition), or one that does not exist (a crash during
// ExecutionCreate, or a creation still in progress). The recoverer reads
// each one's status (OpenExecutionStates) and drops, with
// OpenExecutionRemove, the closed ones and the missing ones, among those
// whose start is older than a lease.
func (c *Client) OpenExecutions(ctx context.Context, p *OpenExecutionsParams) ([]OpenExecution, error) {
	if p.Offset < 0 || p.Limit < 0 {
		return nil, fmt.Errorf("%w: open executions offset %d, limit %d", ErrInvalid, p.Offset, p.Limit)
	}
	limit := p.Limit
	if limit == 0 {
		limit = 100
	}
	maxScore := "+inf"
	if !p.StartedBefore.IsZero() {
		maxScore = "(" + strconv.FormatInt(p.StartedBefore.UnixMilli(), 10)
	}
	zs, err := c.rdb.ZRangeByScoreWithScores(ctx, c.keys.OpenExecutionsKey(), &redis.ZRangeBy{
		Min: "-inf", Max: maxScore, Offset: int64(p.Offset), Count: int64(limit),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: open executions: %w", err)
	}
	out := make([]OpenExecution, len(zs))
	for i, z := range zs {
		id, _ := z.Member.(string)
		out[i] = OpenExecution{ID: id, StartDate: time.UnixMilli(int64(z.Score)).UTC()}
	}
	return out, nil
}

// OpenExecutionRemove drops an execution from the open-executions index.
func (c *Client) OpenExecutionRemove(ctx context.Context, id string) error {
	if err := c.hot.ZRem(ctx, c.keys.OpenExecutionsKey(), id).Err(); err != nil {
		return fmt.Errorf("store: removing %s from the open executions: %w", id, err)
	}
	return nil
}

// OpenExecutionState is what the recoverer needs to know of an entry of
// the open-executions index.
type OpenExecutionState struct {
	// Status is the execution's status, "" when it does not exist (its
	// retention ran out, or its creation never happened).
	Status string
	// Outbox is how many entries its outbox holds.
	Outbox int64
}

// OpenExecutionStates reads the status and outbox length of executions
// in one round trip (on a Redis Cluster, one per node).
func (c *Client) OpenExecutionStates(ctx context.Context, ids []string) ([]OpenExecutionState, error) {
	for _, id := range ids {
		if err := checkID("execution id", id); err != nil {
			return nil, err
		}
	}
	status := make([]*redis.StringCmd, len(ids))
	outbox := make([]*redis.IntCmd, len(ids))
	_, err := c.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			status[i] = pipe.HGet(ctx, c.keys.ExecutionKey(id), fieldStatus)
			outbox[i] = pipe.LLen(ctx, c.keys.OutboxKey(id))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: states of open executions: %w", err)
	}
	out := make([]OpenExecutionState, len(ids))
	for i := range ids {
		s, err := status[i].Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("store: status of execution %s: %w", ids[i], err)
		}
		n, err := outbox[i].Result()
		if err != nil {
			return nil, fmt.Errorf("store: outbox of execution %s: %w", ids[i], err)
		}
		out[i] = OpenExecutionState{Status: s, Outbox: n}
	}
	return out, nil
}
