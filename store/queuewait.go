package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// QueueWait blocks until a send or a visibility change signals the queue
// (a script pushed to QueueSignalKey), d passes or ctx ends, on the
// blocking pool: one BLPOP, no polling. It reports whether a signal came.
// Redis takes the timeout in seconds with decimals (Redis 6 and later, and
// the embedded server); it is at least 10 ms, as 0 would block for ever.
//
// When ctx ends first, QueueWait returns at once; its BLPOP ends by its
// own timeout (at most d) and puts back a signal it took, for another
// poll.
func (c *Client) QueueWait(ctx context.Context, name string, d time.Duration) (bool, error) {
	if err := checkQueueName(name); err != nil {
		return false, err
	}
	d = max(d, 10*time.Millisecond)
	key := c.keys.QueueSignalKey(name)
	done := make(chan error, 1)
	// The blocking read is not tied to ctx (go-redis would close the
	// connection on cancellation); a deadline past d bounds it.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d+c.blockSlack())
	go func() {
		defer cancel()
		err := c.block.Do(bctx, "BLPOP", key, strconv.FormatFloat(d.Seconds(), 'f', 3, 64)).Err()
		done <- err
		if err == nil && ctx.Err() != nil {
			// Nobody may take this signal (at worst it is handed on
			// twice, an extra wake-up): hand it on.
			_ = c.rdb.LPush(bctx, key, "1").Err()
		}
	}()
	select {
	case err := <-done:
		if errors.Is(err, redis.Nil) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("store: waiting on queue %s: %w", name, err)
		}
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// blockSlack is what a blocking read may take past its timeout: the
// store's deadline.
func (c *Client) blockSlack() time.Duration {
	if c.timeout > 0 {
		return c.timeout
	}
	return DefaultTimeout
}
