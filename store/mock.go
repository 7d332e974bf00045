package store

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// MockCountsTTL is how long the numbering of an execution's mocked calls
// lives after its last call: AWS's retention of a closed Standard
// execution, so that a redrive goes on counting.
const MockCountsTTL = 90 * 24 * time.Hour

// scriptMockInvocation numbers one call of a mocked state: the number the
// call already got when its key was seen (a redelivery), else the state's
// next number.
//
//	KEYS[1] MockCountsKey
//	ARGV[1] "#" .. state; ARGV[2] the call's key; ARGV[3] TTL in seconds
//
// Returns the call's 0-based number.
var scriptMockInvocation = redis.NewScript(`
local n = redis.call('HGET', KEYS[1], ARGV[2])
if n then return tonumber(n) end
n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1) - 1
redis.call('HSET', KEYS[1], ARGV[2], n)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return n
`)

// MockInvocation numbers a call of the mocked state of an execution (by
// ARN) for integrations/mock's Server: the same number for every call with
// one key (the call's idempotency key: a redelivery gets the answer the
// first delivery got), the state's next number, from 0, for a new key. The
// numbering lives in the store, so that it survives a restart.
func (c *Client) MockInvocation(ctx context.Context, executionARN, state, key string) (int, error) {
	if executionARN == "" || state == "" || key == "" {
		return 0, fmt.Errorf("%w: a mocked call needs an execution, a state and a key", ErrInvalid)
	}
	n, err := hotWait(ctx, c, func() (int64, error) {
		return scriptMockInvocation.Run(ctx, c.hot, []string{c.keys.MockCountsKey(executionARN)}, "#"+state, key, int64(MockCountsTTL/time.Second)).Int64()
	})
	if err != nil {
		return 0, fmt.Errorf("store: numbering a mocked call of %s in %s: %w", state, executionARN, err)
	}
	return int(n), nil
}
