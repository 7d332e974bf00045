package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Gauges are the sizes a metrics scrape reports (runtime's metrics).
type Gauges struct {
	OpenExecutions int64 // entries of the open executions' index
	ReadyWork      int64 // entries of the ready stream: waiting or in flight
	Timers         int64 // timers set
	TimersDue      int64 // timers due at now, not handed to the workers yet
	// OldestDue is when the earliest timer fell due, zero when none is
	// due: now less it is how late the timers run.
	OldestDue time.Time
}

// GaugesRead reads the gauges in one round trip (on a Cluster, one per
// key: the keys are global and spread over slots).
func (c *Client) GaugesRead(ctx context.Context, now time.Time) (*Gauges, error) {
	var open, ready, timers, due *redis.IntCmd
	var first *redis.ZSliceCmd
	nowMs := strconv.FormatInt(now.UnixMilli(), 10)
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		open = p.ZCard(ctx, c.keys.OpenExecutionsKey())
		ready = p.XLen(ctx, c.keys.ReadyStream())
		timers = p.ZCard(ctx, c.keys.TimersKey())
		due = p.ZCount(ctx, c.keys.TimersKey(), "-inf", nowMs)
		first = p.ZRangeWithScores(ctx, c.keys.TimersKey(), 0, 0)
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("store: reading gauges: %w", err)
	}
	g := &Gauges{OpenExecutions: open.Val(), ReadyWork: ready.Val(), Timers: timers.Val(), TimersDue: due.Val()}
	if z := first.Val(); len(z) > 0 && g.TimersDue > 0 {
		g.OldestDue = time.UnixMilli(int64(z[0].Score)).UTC()
	}
	return g, nil
}
