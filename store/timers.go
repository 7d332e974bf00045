package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// TimersDue moves up to limit timers due at now (0 means 100) to the ready
// stream and returns how many it moved. Time is the caller's: now comes
// from the runtime's injected clock.
//
// The timers and the ready stream are in different Cluster slots, so the
// move is three steps, ordered so that a crash duplicates, never loses:
// read the due timers, add them to the ready stream, then remove them, each
// only if it is still due (a timer rescheduled to later meanwhile stays). A
// duplicate work item is dropped by the thread's seq check.
func (c *Client) TimersDue(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	nowMs := strconv.FormatInt(now.UnixMilli(), 10)
	key := c.keys.TimersKey()
	due, err := c.rdb.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: "-inf", Max: nowMs, Count: int64(limit)}).Result()
	if err != nil {
		return 0, fmt.Errorf("store: reading due timers: %w", err)
	}
	if len(due) == 0 {
		return 0, nil
	}
	_, err = c.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, item := range due {
			pipe.XAdd(ctx, c.readyArgs(item))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: moving due timers: %w", err)
	}
	a := make([]any, 0, 1+len(due))
	a = append(a, nowMs)
	for _, item := range due {
		a = append(a, item)
	}
	if err := scriptTimersRemove.Run(ctx, c.rdb, []string{key}, a...).Err(); err != nil {
		return len(due), fmt.Errorf("store: removing moved timers: %w", err)
	}
	return len(due), nil
}

// TimerNext returns when the earliest timer is due; ok is false when there
// is none. A one-shot run on a virtual clock moves its clock there when no
// work is ready.
func (c *Client) TimerNext(ctx context.Context) (due time.Time, ok bool, err error) {
	zs, err := c.rdb.ZRangeWithScores(ctx, c.keys.TimersKey(), 0, 0).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: reading the next timer: %w", err)
	}
	if len(zs) == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(zs[0].Score)).UTC(), true, nil
}
