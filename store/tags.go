package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ErrLimit: the operation would exceed a limit (tags per resource, aliases
// per state machine).
var ErrLimit = errors.New("store: limit exceeded")

// ErrConflict: an alias of that name exists with another configuration, or
// changed while it was being updated.
var ErrConflict = errors.New("store: conflicting change")

// codeLimit is the scripts' code for ErrLimit.
const codeLimit = 20

// Tagged names a resource that carries tags: a state machine or an
// activity, by name.
type Tagged struct {
	Activity bool // false: a state machine
	Name     string
}

func (c *Client) taggedKeys(r Tagged) (record, tags string, err error) {
	if err := checkID("resource name", r.Name); err != nil {
		return "", "", err
	}
	if r.Activity {
		return c.keys.ActivityKey(r.Name), c.keys.ActivityTagsKey(r.Name), nil
	}
	return c.keys.StateMachineKey(r.Name), c.keys.StateMachineTagsKey(r.Name), nil
}

func (r Tagged) String() string {
	if r.Activity {
		return "activity " + r.Name
	}
	return "state machine " + r.Name
}

// scriptTagsSet adds or overwrites tags of a resource that exists.
//
//	KEYS[1] the resource's record   KEYS[2] its tags hash
//	ARGV[1] the most tags the resource may carry   ARGV[2..] key, value pairs
//
// Returns {OK}, {NOTFOUND} when the record is missing, or {LIMIT, n} when
// the resource would carry n tags, more than ARGV[1].
var scriptTagsSet = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
local n = redis.call('HLEN', KEYS[2])
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then n = n + 1 end
end
if n > tonumber(ARGV[1]) then return {20, n} end
if #ARGV > 1 then redis.call('HSET', KEYS[2], unpack(ARGV, 2)) end
return {0}
`)

// TagsSet adds tags to a resource, or overwrites their values: ErrNotFound
// when it does not exist, ErrLimit when it would carry more than limit tags.
func (c *Client) TagsSet(ctx context.Context, r Tagged, tags map[string]string, limit int) error {
	record, key, err := c.taggedKeys(r)
	if err != nil {
		return err
	}
	argv := make([]any, 0, 1+2*len(tags))
	argv = append(argv, limit)
	for k, v := range tags {
		argv = append(argv, k, v)
	}
	res, err := scriptTagsSet.Run(ctx, c.rdb, []string{record, key}, argv...).Slice()
	if err != nil {
		return fmt.Errorf("store: tagging %s: %w", r, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, r)
	case codeLimit:
		return fmt.Errorf("%w: %s would carry %d tags, more than %d", ErrLimit, r, intAt(res, 1), limit)
	}
	return fmt.Errorf("%w: tags script returned %v", ErrCorrupt, res)
}

// scriptTagsRemove removes tags of a resource that exists.
//
//	KEYS[1] the resource's record   KEYS[2] its tags hash   ARGV the keys
//
// Returns {OK} or {NOTFOUND}.
var scriptTagsRemove = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
if #ARGV > 0 then redis.call('HDEL', KEYS[2], unpack(ARGV)) end
return {0}
`)

// TagsRemove removes the tags of the given keys from a resource (keys it
// does not carry are ignored), or returns ErrNotFound.
func (c *Client) TagsRemove(ctx context.Context, r Tagged, keys []string) error {
	record, key, err := c.taggedKeys(r)
	if err != nil {
		return err
	}
	argv := make([]any, len(keys))
	for i, k := range keys {
		argv[i] = k
	}
	res, err := scriptTagsRemove.Run(ctx, c.rdb, []string{record, key}, argv...).Slice()
	if err != nil {
		return fmt.Errorf("store: untagging %s: %w", r, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: %s", ErrNotFound, r)
	}
	return nil
}

// TagsGet returns a resource's tags, or ErrNotFound.
func (c *Client) TagsGet(ctx context.Context, r Tagged) (map[string]string, error) {
	record, key, err := c.taggedKeys(r)
	if err != nil {
		return nil, err
	}
	var (
		exists *redis.IntCmd
		tags   *redis.MapStringStringCmd
	)
	// A pipeline, not a MULTI: Redis refuses a MULTI whole, reads and all,
	// when it is out of memory.
	if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, record)
		tags = p.HGetAll(ctx, key)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: tags of %s: %w", r, err)
	}
	if exists.Val() == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, r)
	}
	return tags.Val(), nil
}
