package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// outboxBatch is how many outbox entries a flush hands over per round.
const outboxBatch = 500

// OutboxFlush hands an execution's outbox over: work items are added to the
// ready stream, timers to the timers set, and then the entries handed over
// are removed from the outbox's head. It returns how many entries it
// handed over.
//
// The ready stream and the timers are in other Cluster slots than the
// outbox, so this is not atomic; it is ordered so that a crash, or a
// concurrent flush of the same outbox (a worker and the recoverer), leaves
// duplicates, never a loss: entries are removed only after they were added,
// and only up to the outbox sequence number this flush read, so entries
// appended meanwhile stay. A duplicate work item is dropped by the thread's
// seq check; a duplicate timer is the same sorted-set member.
func (c *Client) OutboxFlush(ctx context.Context, execID string) (int, error) {
	if err := checkID("execution id", execID); err != nil {
		return 0, err
	}
	key := c.keys.OutboxKey(execID)
	total := 0
	for {
		vals, err := c.rdb.LRange(ctx, key, 0, outboxBatch-1).Result()
		if err != nil {
			return total, fmt.Errorf("store: outbox of %s: %w", execID, err)
		}
		if len(vals) == 0 {
			return total, nil
		}
		var maxSeq int64
		_, err = c.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for _, v := range vals {
				e, err := parseOutboxEntry(v)
				if err != nil {
					return err
				}
				maxSeq = max(maxSeq, e.seq)
				if e.due == 0 {
					pipe.XAdd(ctx, c.readyArgs(e.item))
				} else {
					pipe.ZAdd(ctx, c.keys.TimersKey(), redis.Z{Score: float64(e.due), Member: e.item})
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("store: flushing the outbox of %s: %w", execID, err)
		}
		if err := scriptOutboxTrim.Run(ctx, c.rdb, []string{key}, maxSeq, len(vals)).Err(); err != nil {
			return total, fmt.Errorf("store: trimming the outbox of %s: %w", execID, err)
		}
		total += len(vals)
		if len(vals) < outboxBatch {
			return total, nil
		}
	}
}

// readyArgs are the XADD arguments that put a work item on the ready
// stream.
func (c *Client) readyArgs(item string) *redis.XAddArgs {
	return &redis.XAddArgs{Stream: c.keys.ReadyStream(), Values: []any{readyField, item}}
}

// readyField is the ready stream entries' one field.
const readyField = "item"

// OutboxHandOver passes on the outbox a transition wrote, in one round
// trip when the transition's entries were all the outbox held (the usual
// case), in none when it wrote none and the outbox is empty; otherwise it
// is OutboxFlush.
func (c *Client) OutboxHandOver(ctx context.Context, execID string, r *TransitionResult) (int, error) {
	return c.OutboxHandOverChain(ctx, execID, []*TransitionResult{r})
}

// OutboxHandOverChain passes on the outbox of a chain of transitions of
// one thread that a worker carried out one after the other without
// handing each over: each but the last left one work item, for the step
// the worker then did itself, now stale. When the chain's entries are all
// the outbox holds, they are trimmed and only the last transition's
// entries handed on, in one round trip; otherwise it is OutboxFlush,
// which hands on everything (the stale items are dropped by the seq check).
func (c *Client) OutboxHandOverChain(ctx context.Context, execID string, chain []*TransitionResult) (int, error) {
	hs := make([]*handOver, len(chain))
	for i, r := range chain {
		if r != nil {
			hs[i] = r.handOver
		}
	}
	return c.handOverChain(ctx, execID, hs, nil)
}

// ExecutionHandOver lists an execution ExecutionCreate created under its
// state machine (ExecutionListAdd) and passes on its first work items, in
// one round trip (in none in direct mode, where the create script did
// both). When the create found the execution existing, it lists it and
// flushes its outbox instead: a start repeated after a crash before the
// hand-over repairs it.
func (c *Client) ExecutionHandOver(ctx context.Context, r *ExecutionCreateResult) (int, error) {
	list := func(pipe redis.Pipeliner) {
		pipe.ZAdd(ctx, c.keys.StateMachineExecutionsKey(r.stateMachine), redis.Z{Score: float64(r.Execution.StartDate.UnixMilli()), Member: r.Execution.ID})
	}
	if r.listed {
		list = nil
	}
	if r.Existing || r.handOver == nil {
		if err := c.ExecutionListAdd(ctx, r.stateMachine, r.Execution.ID, r.Execution); err != nil {
			return 0, err
		}
		return c.OutboxFlush(ctx, r.Execution.ID)
	}
	return c.handOverChain(ctx, r.handOver.execID, []*handOver{r.handOver}, list)
}

// handOverChain hands a chain's outbox over; list, when not nil, adds its
// commands to the same pipeline, and runs on its own if the chain falls back
// to OutboxFlush.
func (c *Client) handOverChain(ctx context.Context, execID string, chain []*handOver, list func(redis.Pipeliner)) (int, error) {
	flush := func() (int, error) {
		if list != nil {
			if _, err := c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error { list(pipe); return nil }); err != nil {
				return 0, fmt.Errorf("store: listing execution %s: %w", execID, err)
			}
		}
		return c.OutboxFlush(ctx, execID)
	}
	if c.direct && len(chain) > 0 {
		// Each transition of the chain removed the entry of the one before
		// (TransitionParams.After): only the last one's can be left.
		chain = chain[len(chain)-1:]
	}
	total, whole := chainIsOutbox(execID, chain)
	if !whole {
		return flush()
	}
	if len(chain) == 0 {
		return 0, nil
	}
	last := chain[len(chain)-1]
	if total == 0 {
		// The chain left nothing, and the outbox is empty.
		if list == nil {
			return 0, nil
		}
		if _, err := c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error { list(pipe); return nil }); err != nil {
			return 0, fmt.Errorf("store: listing execution %s: %w", execID, err)
		}
		return 0, nil
	}
	if err := c.handOverEntries(ctx, execID, chain, list); err != nil {
		return 0, err
	}
	return len(last.entries), nil
}

// chainIsOutbox reports whether the outbox holds exactly the chain's
// entries, and how many: they have consecutive sequence numbers (nothing
// else was appended between them) and the outbox's length after the last
// transition is their number (nothing before them is left, and none of
// them was taken by a concurrent flush, which trims from the head). A mere
// count could match by coincidence and trim another thread's entry
// undelivered.
func chainIsOutbox(execID string, chain []*handOver) (total int64, ok bool) {
	var prev int64
	for _, h := range chain {
		if h == nil || h.execID != execID {
			return 0, false
		}
		for _, e := range h.entries {
			if prev != 0 && e.seq != prev+1 {
				return 0, false
			}
			prev = e.seq
		}
		total += int64(len(h.entries))
	}
	return total, len(chain) == 0 || chain[len(chain)-1].outboxLen == total
}

// handOverEntries adds the last transition's items to the ready stream or
// the timers, then removes the chain's entries from the outbox, each by its
// exact value (unique: it holds its outbox seq), so that an entry a
// concurrent flush removed first is no matter: in one round trip, or, on a
// Redis Cluster (where a pipeline does not keep the order of keys of
// different slots), in two.
func (c *Client) handOverEntries(ctx context.Context, execID string, chain []*handOver, list func(redis.Pipeliner)) error {
	key, last := c.keys.OutboxKey(execID), chain[len(chain)-1]
	remove := func(pipe redis.Pipeliner) {
		for _, h := range chain {
			for _, e := range h.entries {
				pipe.LRem(ctx, key, 1, e.raw)
			}
		}
	}
	_, err := c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		if list != nil {
			list(pipe)
		}
		for _, e := range last.entries {
			if e.due == 0 {
				pipe.XAdd(ctx, c.readyArgs(e.item))
			} else {
				pipe.ZAdd(ctx, c.keys.TimersKey(), redis.Z{Score: float64(e.due), Member: e.item})
			}
		}
		if !c.cluster {
			remove(pipe)
		}
		return nil
	})
	if err == nil && c.cluster {
		_, err = c.hot.Pipelined(ctx, func(pipe redis.Pipeliner) error { remove(pipe); return nil })
	}
	if err != nil {
		return fmt.Errorf("store: handing over the outbox of %s: %w", execID, err)
	}
	return nil
}

// isNoScript reports whether err is Redis's NOSCRIPT: EVALSHA of a script
// the server does not hold.
func isNoScript(err error) bool {
	return err != nil && redis.HasErrorPrefix(err, "NOSCRIPT")
}

// othersOK reports whether every command of a pipeline but one succeeded.
func othersOK(cmds []redis.Cmder, but redis.Cmder) bool {
	for _, c := range cmds {
		if c != but && c.Err() != nil {
			return false
		}
	}
	return true
}
