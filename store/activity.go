package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Activity is an activity's record.
type Activity struct {
	Name    string
	Created time.Time
}

// ActivityTask is a scheduled activity task in an activity's queue: the
// task token of the thread waiting for it, and the thread's seq once the
// task is scheduled. The queue is at-least-once (a task may be pushed again
// when the worker that scheduled it dies before its transition), so the
// taker starts a task with a transition guarded by Seq: a duplicate, or a
// task whose thread has moved on, is stale.
type ActivityTask struct {
	Seq   int64
	Token string
}

func (t ActivityTask) encode() string { return strconv.FormatInt(t.Seq, 10) + "|" + t.Token }

func parseActivityTask(s string) (ActivityTask, error) {
	seq, token, ok := strings.Cut(s, "|")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || token == "" {
		return ActivityTask{}, fmt.Errorf("%w: activity task %q", ErrCorrupt, s)
	}
	return ActivityTask{Seq: n, Token: token}, nil
}

// scriptActivityCreate creates an activity unless one of that name exists.
//
//	KEYS[1] the activity's hash   KEYS[2] its tags hash
//	ARGV[1] now (unix ms)         ARGV[2..] tag key, value pairs
//
// Returns {OK}, or {EXISTING} when it exists: nothing is written, so the
// tags of a repeated create are ignored, as AWS does.
var scriptActivityCreate = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {4} end
redis.call('HSET', KEYS[1], 'created', ARGV[1])
if #ARGV > 1 then redis.call('HSET', KEYS[2], unpack(ARGV, 2)) end
return {0}
`)

// ActivityCreate creates an activity with its tags, or returns the one of
// that name with existing set (and its tags unchanged).
func (c *Client) ActivityCreate(ctx context.Context, name string, tags map[string]string, now time.Time) (a *Activity, existing bool, err error) {
	if err := checkID("activity name", name); err != nil {
		return nil, false, err
	}
	argv := make([]any, 0, 1+2*len(tags))
	argv = append(argv, now.UnixMilli())
	for k, v := range tags {
		argv = append(argv, k, v)
	}
	res, err := scriptActivityCreate.Run(ctx, c.rdb, []string{c.keys.ActivityKey(name), c.keys.ActivityTagsKey(name)}, argv...).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("store: creating activity %s: %w", name, err)
	}
	switch code(res) {
	case codeOK, codeExisting:
		existing = code(res) == codeExisting
	default:
		return nil, false, fmt.Errorf("%w: activity script returned %v", ErrCorrupt, res)
	}
	// The index is in another slot; a repeated create repairs it.
	if err := c.rdb.ZAdd(ctx, c.keys.ActivitiesKey(), redis.Z{Member: name}).Err(); err != nil {
		return nil, false, fmt.Errorf("store: listing activity %s: %w", name, err)
	}
	a, err = c.ActivityGet(ctx, name)
	return a, existing, err
}

// ActivityGet returns an activity, or ErrNotFound.
func (c *Client) ActivityGet(ctx context.Context, name string) (*Activity, error) {
	if err := checkID("activity name", name); err != nil {
		return nil, err
	}
	v, err := c.rdb.HGet(ctx, c.keys.ActivityKey(name), "created").Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: activity %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("store: activity %s: %w", name, err)
	}
	created, err := millis(v)
	if err != nil {
		return nil, fmt.Errorf("%w: activity %s: %v", ErrCorrupt, name, err)
	}
	return &Activity{Name: name, Created: created}, nil
}

// ActivityDelete deletes an activity, its tags and its queue of tasks not
// yet taken; deleting a missing activity is not an error. Threads waiting
// for a dropped task wait on until their timeouts; tokens already handed
// out stay valid.
func (c *Client) ActivityDelete(ctx context.Context, name string) error {
	if err := checkID("activity name", name); err != nil {
		return err
	}
	if err := c.rdb.Del(ctx, c.keys.ActivityKey(name), c.keys.ActivityTagsKey(name), c.keys.ActivityQueueKey(name)).Err(); err != nil {
		return fmt.Errorf("store: deleting activity %s: %w", name, err)
	}
	return c.rdb.ZRem(ctx, c.keys.ActivitiesKey(), name).Err()
}

// ActivityList lists activities in lexical order of name, up to limit (0
// means 100) after the name after ("" from the start). The second result is
// the cursor of the next page, "" at the end. An activity deleted while
// listed is left out.
func (c *Client) ActivityList(ctx context.Context, after string, limit int) ([]*Activity, string, error) {
	names, next, err := c.namesPage(ctx, c.keys.ActivitiesKey(), "activities", after, limit)
	if err != nil {
		return nil, "", err
	}
	cmds := make([]*redis.StringCmd, len(names))
	if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range names {
			cmds[i] = p.HGet(ctx, c.keys.ActivityKey(n), "created")
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, "", fmt.Errorf("store: listing activities: %w", err)
	}
	out := make([]*Activity, 0, len(names))
	for i, n := range names {
		if cmds[i].Err() != nil {
			continue // deleted meanwhile
		}
		created, err := millis(cmds[i].Val())
		if err != nil {
			return nil, "", fmt.Errorf("%w: activity %s: %v", ErrCorrupt, n, err)
		}
		out = append(out, &Activity{Name: n, Created: created})
	}
	return out, next, nil
}

// scriptActivityTaskPush queues a task of an activity that exists.
//
//	KEYS[1] the activity's hash   KEYS[2] its queue   ARGV[1] the task
//
// Returns {OK}, or {NOTFOUND} when the activity does not exist.
var scriptActivityTaskPush = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
redis.call('LPUSH', KEYS[2], ARGV[1])
return {0}
`)

// ActivityTaskPush queues a task at the head of an activity's queue, or
// returns ErrNotFound when the activity does not exist.
func (c *Client) ActivityTaskPush(ctx context.Context, name string, t ActivityTask) error {
	if err := checkID("activity name", name); err != nil {
		return err
	}
	res, err := scriptActivityTaskPush.Run(ctx, c.rdb, []string{c.keys.ActivityKey(name), c.keys.ActivityQueueKey(name)}, t.encode()).Slice()
	if err != nil {
		return fmt.Errorf("store: queueing a task of activity %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: activity %s", ErrNotFound, name)
	}
	return nil
}

// ActivityTaskWait returns the oldest task of an activity's queue, waiting
// up to wait for one (less than a second: not at all; more is truncated to
// whole seconds, and should stay below the client's read timeout, 3 s by
// default). It returns nil when none came.
//
// Taking a task does not remove it: the task moves from the tail of the
// queue to its head (BLMOVE of the queue onto itself), so a taker that dies
// before it starts the task loses nothing. The taker removes the task with
// ActivityTaskDone once it has started it or found it stale.
func (c *Client) ActivityTaskWait(ctx context.Context, name string, wait time.Duration) (*ActivityTask, error) {
	if err := checkID("activity name", name); err != nil {
		return nil, err
	}
	q := c.keys.ActivityQueueKey(name)
	var cmd *redis.StringCmd
	if wait < time.Second {
		cmd = c.rdb.LMove(ctx, q, q, "RIGHT", "LEFT")
	} else {
		cmd = c.rdb.BLMove(ctx, q, q, "RIGHT", "LEFT", wait.Truncate(time.Second))
	}
	s, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: taking a task of activity %s: %w", name, err)
	}
	t, err := parseActivityTask(s)
	if err != nil {
		// Drop what cannot be a task rather than hand it out forever.
		_ = c.rdb.LRem(ctx, q, 1, s).Err()
		return nil, err
	}
	return &t, nil
}

// ActivityTaskDone removes one copy of a task from an activity's queue.
func (c *Client) ActivityTaskDone(ctx context.Context, name string, t ActivityTask) error {
	if err := checkID("activity name", name); err != nil {
		return err
	}
	if err := c.rdb.LRem(ctx, c.keys.ActivityQueueKey(name), 1, t.encode()).Err(); err != nil {
		return fmt.Errorf("store: removing a task of activity %s: %w", name, err)
	}
	return nil
}

// ActivityTasks returns an activity's queue, oldest task first.
func (c *Client) ActivityTasks(ctx context.Context, name string) ([]ActivityTask, error) {
	if err := checkID("activity name", name); err != nil {
		return nil, err
	}
	vals, err := c.rdb.LRange(ctx, c.keys.ActivityQueueKey(name), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: tasks of activity %s: %w", name, err)
	}
	out := make([]ActivityTask, 0, len(vals))
	for i := len(vals) - 1; i >= 0; i-- {
		t, err := parseActivityTask(vals[i])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
