package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/redis/go-redis/v9"
)

// Work is a work item delivered to a consumer: the ready stream's entry ID,
// which WorkAck and LeaseExtend take, and the item. Delivery is at least
// once; the item's Seq tells a stale or duplicate delivery.
type Work struct {
	ID   string
	Item WorkItem
}

// WorkRead delivers up to count new work items to consumer, waiting up to
// block for the first when there is none (block <= 0: do not wait). The
// items are leased to the consumer until it acknowledges them (WorkAck); a
// lease left idle too long is taken over by another consumer (WorkReclaim).
// Alongside ErrCorrupt, the work that could be decoded is returned too.
func (c *Client) WorkRead(ctx context.Context, consumer string, count int, block time.Duration) ([]Work, error) {
	if err := checkID("consumer", consumer); err != nil {
		return nil, err
	}
	a := &redis.XReadGroupArgs{
		Group: ReadyGroup, Consumer: consumer,
		Streams: []string{c.keys.ReadyStream(), ">"},
		Count:   int64(max(count, 1)),
		Block:   -1,
	}
	if block > 0 {
		a.Block = max(block, time.Millisecond)
	}
	streams, err := c.rdb.XReadGroup(ctx, a).Result()
	if isNoGroup(err) {
		if err := c.ensureGroup(ctx); err != nil {
			return nil, err
		}
		streams, err = c.rdb.XReadGroup(ctx, a).Result()
	}
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading work: %w", err)
	}
	var msgs []redis.XMessage
	for _, s := range streams {
		msgs = append(msgs, s.Messages...)
	}
	return c.decodeWork(ctx, msgs)
}

// decodeWork turns stream entries into work. The stream is written only by
// this package, so an entry that is not a work item means tampering; it is
// acknowledged and removed, lest it be reclaimed forever, and reported with
// ErrCorrupt beside the good entries, which are returned as usual.
func (c *Client) decodeWork(ctx context.Context, msgs []redis.XMessage) ([]Work, error) {
	out := make([]Work, 0, len(msgs))
	var bad []string
	for _, m := range msgs {
		s, _ := m.Values[readyField].(string)
		w, err := parseWorkItem(s)
		if err != nil {
			bad = append(bad, m.ID)
			continue
		}
		out = append(out, Work{ID: m.ID, Item: w})
	}
	if len(bad) > 0 {
		if err := c.WorkAck(ctx, bad...); err != nil {
			return out, err
		}
		return out, fmt.Errorf("%w: ready stream entries %v are not work items; removed", ErrCorrupt, bad)
	}
	return out, nil
}

// WorkAckRead acknowledges the entries of ack (as WorkAck, without its
// MULTI: an entry acknowledged but not yet deleted is never delivered
// again), removes the executions of closed from the open executions'
// index (as OpenExecutionRemove), and reads new work (as WorkRead), in one
// round trip: a worker settles what it finished with its next read.
func (c *Client) WorkAckRead(ctx context.Context, consumer string, ack, closed []string, count int, block time.Duration) ([]Work, error) {
	if len(ack) == 0 && len(closed) == 0 {
		return c.WorkRead(ctx, consumer, count, block)
	}
	if err := errors.Join(checkID("consumer", consumer), checkEntryIDs(ack)); err != nil {
		return nil, err
	}
	stream := c.keys.ReadyStream()
	a := &redis.XReadGroupArgs{
		Group: ReadyGroup, Consumer: consumer,
		Streams: []string{stream, ">"},
		Count:   int64(max(count, 1)),
		Block:   -1,
	}
	if block > 0 {
		a.Block = max(block, time.Millisecond)
	}
	var read *redis.XStreamSliceCmd
	cmds, err := c.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		if len(ack) > 0 {
			pipe.XAck(ctx, stream, ReadyGroup, ack...)
			pipe.XDel(ctx, stream, ack...)
		}
		if len(closed) > 0 {
			members := make([]any, len(closed))
			for i, id := range closed {
				members[i] = id
			}
			pipe.ZRem(ctx, c.keys.OpenExecutionsKey(), members...)
		}
		read = pipe.XReadGroup(ctx, a)
		return nil
	})
	if !othersOK(cmds, read) {
		return nil, fmt.Errorf("store: acknowledging work: %w", err)
	}
	if isNoGroup(read.Err()) {
		return c.WorkRead(ctx, consumer, count, block) // recreates the group
	}
	streams, err := read.Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading work: %w", err)
	}
	var msgs []redis.XMessage
	for _, s := range streams {
		msgs = append(msgs, s.Messages...)
	}
	return c.decodeWork(ctx, msgs)
}

// WorkAck ends the leases on the given entries and removes them from the
// ready stream (XACK and XDEL).
func (c *Client) WorkAck(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := checkEntryIDs(ids); err != nil {
		return err
	}
	stream := c.keys.ReadyStream()
	// A pipeline, not a MULTI: when Redis refused the writes for want of
	// memory, the transaction's EXECABORT came back later as the answer
	// of an unrelated read on the same connection. Not atomic: an entry
	// acknowledged but not deleted stays in the stream, delivered to no
	// one, until the stream is trimmed.
	_, err := c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.XAck(ctx, stream, ReadyGroup, ids...)
		pipe.XDel(ctx, stream, ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: acknowledging work: %w", err)
	}
	return nil
}

// WorkReclaim takes over, for consumer, up to count work items (0 means
// 100) whose lease has been idle at least minIdle: their consumer died or
// stalled. Idle time is the Redis server's clock (XAUTOCLAIM).
func (c *Client) WorkReclaim(ctx context.Context, consumer string, minIdle time.Duration, count int) ([]Work, error) {
	if err := checkID("consumer", consumer); err != nil {
		return nil, err
	}
	if count <= 0 {
		count = 100
	}
	var msgs []redis.XMessage
	start := "0-0"
	for len(msgs) < count {
		got, next, err := c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: c.keys.ReadyStream(), Group: ReadyGroup, Consumer: consumer,
			MinIdle: max(minIdle, time.Millisecond), Start: start, Count: int64(count - len(msgs)),
		}).Result()
		if isNoGroup(err) {
			return nil, c.ensureGroup(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("store: reclaiming work: %w", err)
		}
		msgs = append(msgs, got...)
		if next == "0-0" || next == "" {
			break
		}
		start = next
	}
	return c.decodeWork(ctx, msgs)
}

// LeaseExtend renews consumer's leases on the given entries, resetting
// their idle time, but only for entries the consumer still holds: a lease
// another consumer reclaimed, or one acknowledged, is not taken back. It
// returns the ids it renewed.
func (c *Client) LeaseExtend(ctx context.Context, consumer string, ids ...string) ([]string, error) {
	if err := checkID("consumer", consumer); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if err := checkEntryIDs(ids); err != nil {
		return nil, err
	}
	a := make([]any, 0, 2+len(ids))
	a = append(a, ReadyGroup, consumer)
	for _, id := range ids {
		a = append(a, id)
	}
	held, err := scriptLeaseExtend.Run(ctx, c.rdb, []string{c.keys.ReadyStream()}, a...).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: extending leases: %w", err)
	}
	return held, nil
}

var entryID = regexp.MustCompile(`^\d+-\d+$`)

// checkEntryIDs rejects strings that are not stream entry ids.
func checkEntryIDs(ids []string) error {
	for _, id := range ids {
		if !entryID.MatchString(id) {
			return fmt.Errorf("%w: stream entry id %q", ErrInvalid, id)
		}
	}
	return nil
}

// WorkRelease hands work a consumer read but will not carry out (it is
// shutting down) back to the others at once, instead of leaving it leased
// until the lease runs out: each item is added to the ready stream again
// and the original acknowledged, in one transaction. A duplicate this may
// make is dropped by the thread's seq check.
func (c *Client) WorkRelease(ctx context.Context, works []Work) error {
	if len(works) == 0 {
		return nil
	}
	ids := make([]string, len(works))
	for i, w := range works {
		ids[i] = w.ID
	}
	if err := checkEntryIDs(ids); err != nil {
		return err
	}
	stream := c.keys.ReadyStream()
	_, err := c.rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, w := range works {
			pipe.XAdd(ctx, c.readyArgs(w.Item.String()))
		}
		pipe.XAck(ctx, stream, ReadyGroup, ids...)
		pipe.XDel(ctx, stream, ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: releasing work: %w", err)
	}
	return nil
}
