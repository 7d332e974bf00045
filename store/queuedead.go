package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Dead-letter queues. A receive that finds a message past its queue's
// maxReceiveCount moves it, in the same script, from the queue to the
// queue's dead list (QueueDeadKey); the router then adds it to the
// dead-letter queue (QueueSend, which skips an id the queue holds) and
// removes it from the dead list (QueueDeadDone). The two queues are in
// different slots, so the move is two steps: a process that dies between
// them leaves the message in the dead list, and the next receive of the
// queue (or the router's sweep) hands it on again. At least once: a
// message handed on whose removal from the dead list failed is handed on
// again, a duplicate only if the dead-letter queue's consumer deleted it
// in between.

// QueueDeadEntry is a message in a queue's dead list.
type QueueDeadEntry struct {
	Raw     string // the list's entry, for QueueDeadDone
	ID      string
	Payload []byte
	QueueDelivery
}

// QueueDead returns up to max messages of a queue's dead list, oldest
// first.
func (c *Client) QueueDead(ctx context.Context, name string, max int) ([]QueueDeadEntry, error) {
	if err := checkQueueName(name); err != nil {
		return nil, err
	}
	vals, err := c.rdb.LRange(ctx, c.keys.QueueDeadKey(name), 0, int64(max-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: dead list of queue %s: %w", name, err)
	}
	out := make([]QueueDeadEntry, 0, len(vals))
	for _, v := range vals {
		id, rest, ok1 := strings.Cut(v, "\n")
		state, payload, ok2 := strings.Cut(rest, "\n")
		d, err := parseDelivery(state)
		if !ok1 || !ok2 || err != nil {
			// Drop what cannot be a message rather than hand it on for ever.
			_ = c.rdb.LRem(ctx, c.keys.QueueDeadKey(name), 1, v).Err()
			continue
		}
		out = append(out, QueueDeadEntry{Raw: v, ID: id, Payload: []byte(payload), QueueDelivery: d})
	}
	return out, nil
}

// QueueDeadDone removes an entry of a queue's dead list.
func (c *Client) QueueDeadDone(ctx context.Context, name, raw string) error {
	if err := checkQueueName(name); err != nil {
		return err
	}
	if err := c.rdb.LRem(ctx, c.keys.QueueDeadKey(name), 1, raw).Err(); err != nil {
		return fmt.Errorf("store: dead list of queue %s: %w", name, err)
	}
	return nil
}

// QueueSourceSet records (add true) or forgets that the queue source
// names dlq as its dead-letter queue.
func (c *Client) QueueSourceSet(ctx context.Context, dlq, source string, add bool) error {
	if err := checkQueueName(dlq); err != nil {
		return err
	}
	key := c.keys.QueueSourcesKey(dlq)
	var err error
	if add {
		err = c.rdb.ZAdd(ctx, key, redis.Z{Member: source}).Err()
	} else {
		err = c.rdb.ZRem(ctx, key, source).Err()
	}
	if err != nil {
		return fmt.Errorf("store: sources of queue %s: %w", dlq, err)
	}
	return nil
}

// QueueSources lists the queues recorded as sources of dlq, in lexical
// order after after, up to limit; the second result is the next page's
// cursor ("" at the end). The caller checks each source's policy.
func (c *Client) QueueSources(ctx context.Context, dlq, after string, limit int) ([]string, string, error) {
	if err := checkQueueName(dlq); err != nil {
		return nil, "", err
	}
	return c.namesPage(ctx, c.keys.QueueSourcesKey(dlq), "dead-letter sources", after, limit)
}

// QueueSweep removes a queue's messages past retention and returns those
// whose visibility timeout ended, up to the sweep cap of each, as every
// receive does first; it returns the dead list's length.
func (c *Client) QueueSweep(ctx context.Context, name string, limits QueueLimits, now time.Time) (int, error) {
	keys, err := c.queueKeys(name)
	if err != nil {
		return 0, err
	}
	res, err := scriptQueueSweep.Run(ctx, c.rdb, keys, now.UnixMilli(), limits.withDefaults().Sweep).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: sweeping queue %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
		return int(intAt(res, 1)), nil
	case codeNotFound:
		return 0, fmt.Errorf("%w: queue %s", ErrNotFound, name)
	}
	return 0, fmt.Errorf("%w: sweep script returned %v", ErrCorrupt, res)
}
