package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// deadlineHook bounds each call of a client by one deadline, retries and
// all: go-redis's read and write deadlines hold per attempt, and a call
// that timed out was tried again, taking twice the deadline. A blocking
// read (XREADGROUP ... BLOCK ms) gets its block time on top. A caller's
// sooner deadline wins.
type deadlineHook struct{ d time.Duration }

func (h deadlineHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h deadlineHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, h.d+blockTime(cmd))
		defer cancel()
		return next(ctx, cmd)
	}
}

func (h deadlineHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var block time.Duration
		for _, cmd := range cmds {
			block = max(block, blockTime(cmd))
		}
		ctx, cancel := context.WithTimeout(ctx, h.d+block)
		defer cancel()
		return next(ctx, cmds)
	}
}

// hotWait runs call, which goes through the automatic pipeline, and waits
// for it no longer than the store's deadline. The pipeline sends one batch
// at a time and does not let a caller's context end its wait: a command
// waited for the batch in flight, then for its own, each tried twice,
// three to four times the deadline. Past the deadline the caller gets
// ErrUnavailable, and the command, already sent, may still take effect, as
// any command whose answer did not come. The API's calls go through it;
// the workers' transitions wait for the pipeline, whose own deadlines
// bound them.
func hotWait[T any](ctx context.Context, c *Client, call func() (T, error)) (T, error) {
	if c.timeout <= 0 {
		return call()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	t := time.NewTimer(c.timeout)
	defer t.Stop()
	var zero T
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
		return zero, fmt.Errorf("%w: no answer within %v", ErrUnavailable, c.timeout)
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// blockTime is how long a stream read may block on the server (its BLOCK
// argument), 0 for other commands.
func blockTime(cmd redis.Cmder) time.Duration {
	switch cmd.Name() {
	case "xread", "xreadgroup":
	default:
		return 0
	}
	args := cmd.Args()
	for i := 1; i+1 < len(args); i++ {
		if s, ok := args[i].(string); ok && strings.EqualFold(s, "block") {
			switch ms := args[i+1].(type) {
			case int64:
				return time.Duration(ms) * time.Millisecond
			case int:
				return time.Duration(ms) * time.Millisecond
			case string:
				n, _ := strconv.ParseInt(ms, 10, 64)
				return time.Duration(n) * time.Millisecond
			}
		}
	}
	return 0
}
