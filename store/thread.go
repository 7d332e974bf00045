package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Thread is a stored thread: its record, opaque JSON to the store, and the
// two numbers the store keeps beside it.
type Thread struct {
	ID string
	// Seq is incremented by every transition of the thread; a work item or
	// transition for another Seq is stale.
	Seq int64
	// LastEventID is the id of the latest history event the thread
	// appended (0 before its first): the previousEventId of its next event.
	LastEventID int64
	Record      []byte
}

// ThreadGet returns a thread of an execution, or ErrNotFound.
func (c *Client) ThreadGet(ctx context.Context, execID, threadID string) (*Thread, error) {
	if err := errors.Join(checkID("execution id", execID), checkID("thread id", threadID)); err != nil {
		return nil, err
	}
	v, err := c.hot.HGet(ctx, c.keys.ThreadsKey(execID), threadID).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: thread %s of execution %s", ErrNotFound, threadID, execID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: thread %s of execution %s: %w", threadID, execID, err)
	}
	t, err := parseThread(v)
	if err != nil {
		return nil, fmt.Errorf("thread %s of execution %s: %w", threadID, execID, err)
	}
	t.ID = threadID
	return t, nil
}

// parseThread decodes "<seq>|<last event id>|<record>".
func parseThread(v string) (*Thread, error) {
	f := strings.SplitN(v, "|", 3)
	if len(f) == 3 {
		seq, err1 := strconv.ParseInt(f[0], 10, 64)
		last, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 == nil && err2 == nil {
			return &Thread{Seq: seq, LastEventID: last, Record: []byte(f[2])}, nil
		}
	}
	return nil, fmt.Errorf("%w: thread value %.40q", ErrCorrupt, v)
}

// ThreadCount returns how many threads an execution has: its top-level
// thread, and the children of its forks that exist (created and not
// ended).
func (c *Client) ThreadCount(ctx context.Context, execID string) (int64, error) {
	if err := checkID("execution id", execID); err != nil {
		return 0, err
	}
	n, err := c.hot.HLen(ctx, c.keys.ThreadsKey(execID)).Result()
	if err != nil {
		return 0, fmt.Errorf("store: threads of execution %s: %w", execID, err)
	}
	return n, nil
}

// ThreadList returns an execution's threads, in no particular order: its
// top-level thread and the children of its forks that exist.
func (c *Client) ThreadList(ctx context.Context, execID string) ([]*Thread, error) {
	if err := checkID("execution id", execID); err != nil {
		return nil, err
	}
	all, err := c.hot.HGetAll(ctx, c.keys.ThreadsKey(execID)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: threads of execution %s: %w", execID, err)
	}
	out := make([]*Thread, 0, len(all))
	for id, v := range all {
		t, err := parseThread(v)
		if err != nil {
			return nil, fmt.Errorf("thread %s of execution %s: %w", id, execID, err)
		}
		t.ID = id
		out = append(out, t)
	}
	return out, nil
}
