package queue

import (
	"context"
	"errors"
	"time"

	"github.com/signalbox/signalbox/store"
)

// Dead-letter queues: a receive moves a message past maxReceiveCount to
// the queue's dead list in the store (the same script), and redriveDead
// hands the dead list to the dead-letter queue (store/queuedead.go has
// the two steps and why they are at least once). The message keeps its
// id, body and attributes; on a standard queue also its SentTimestamp and
// its enqueue time for retention, on a FIFO queue both reset to the move,
// as AWS documents. It gets the DeadLetterQueueSourceArn system attribute
// and a fresh receive count.

// deadBatch is how many dead messages one redriveDead hands on per round,
// and deadRounds how many rounds at most (a receive moves at most 10).
const (
	deadBatch  = 10
	deadRounds = 10
)

// redriveDead hands the messages in a queue's dead list to its
// dead-letter queue. Failures leave them in the list for the next receive
// or Sweep.
func (s *Service) redriveDead(ctx context.Context, name string) error {
	rec, err := s.st.QueueGet(ctx, name)
	if err != nil {
		return storeError(err)
	}
	if rec.DeadLetter == "" {
		return nil // the policy was removed: they wait for one
	}
	fifo := rec.Attributes[attrFifo] == "true"
	for range deadRounds {
		entries, err := s.st.QueueDead(ctx, name, deadBatch)
		if err != nil || len(entries) == 0 {
			return storeError(err)
		}
		msgs := make([]store.QueueMessage, 0, len(entries))
		now := s.now()
		for _, e := range entries {
			m, ok := s.deadMessage(name, e, fifo, now)
			if ok {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) > 0 {
			if _, err := s.st.QueueSend(ctx, &store.QueueSendParams{Name: rec.DeadLetter, Messages: msgs, Now: now, Limits: s.cfg.Limits}); err != nil {
				return storeError(err)
			}
		}
		for _, e := range entries {
			if err := s.st.QueueDeadDone(ctx, name, e.Raw); err != nil {
				return storeError(err)
			}
		}
	}
	return nil
}

// deadMessage is a dead list's entry as a message of the dead-letter
// queue; false for an entry whose payload is corrupt (dropped).
func (s *Service) deadMessage(source string, e store.QueueDeadEntry, fifo bool, now time.Time) (store.QueueMessage, bool) {
	var p payload
	if err := unmarshalPayload(e.Payload, &p); err != nil {
		return store.QueueMessage{}, false
	}
	p.SourceARN = s.ARN(source)
	m := store.QueueMessage{ID: e.ID, Size: e.Size, Group: e.Group}
	if fifo {
		p.Sent = now.UnixMilli()
	} else {
		m.Sent = time.UnixMilli(p.Sent)
	}
	b, err := marshalPayload(&p)
	if err != nil {
		return store.QueueMessage{}, false
	}
	m.Payload = b
	return m, true
}

// Sweep removes every queue's messages past retention, returns those
// whose visibility ended and hands dead lists on, up to the store's sweep
// cap per queue: what receives do on the way, for queues nobody receives
// from. A process runs it every few seconds; it is safe to run from
// several.
func (s *Service) Sweep(ctx context.Context) error {
	after := ""
	for {
		names, next, err := s.st.QueueList(ctx, "", after, maxListResults)
		if err != nil {
			return storeError(err)
		}
		for _, n := range names {
			dead, err := s.st.QueueSweep(ctx, n, s.cfg.Limits, s.now())
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return storeError(err)
			}
			if dead > 0 {
				if err := s.redriveDead(ctx, n); err != nil {
					return err
				}
			}
			if err := s.resumeMoveTask(ctx, n); err != nil {
				return storeError(err)
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// updateSources records the queue name as a source of its new
// dead-letter queue and forgets it in the old one (a second step after
// the policy's change: DeadLetterSources checks each source's policy).
func (s *Service) updateSources(ctx context.Context, name, old, target string) error {
	if old != "" && old != target {
		if err := s.st.QueueSourceSet(ctx, old, name, false); err != nil {
			return storeError(err)
		}
	}
	if target != "" {
		return storeError(s.st.QueueSourceSet(ctx, target, name, true))
	}
	return nil
}

func (s *Service) DeadLetterSources(ctx context.Context, name string, in *ListInput) (*ListOutput, error) {
	if _, err := s.record(ctx, name); err != nil {
		return nil, err
	}
	after, limit, err := page(in)
	if err != nil {
		return nil, err
	}
	out := &ListOutput{}
	for len(out.Names) < limit {
		names, next, err := s.st.QueueSources(ctx, name, after, limit-len(out.Names))
		if err != nil {
			return nil, storeError(err)
		}
		for _, src := range names {
			rec, err := s.st.QueueGet(ctx, src)
			if err == nil && rec.DeadLetter == name {
				out.Names = append(out.Names, src)
				continue
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, storeError(err)
			}
			_ = s.st.QueueSourceSet(ctx, name, src, false) // stale
		}
		if next == "" {
			return out, nil
		}
		after = next
	}
	if in.MaxResults > 0 && len(out.Names) > 0 {
		out.NextToken = encodeToken(out.Names[len(out.Names)-1])
	}
	return out, nil
}
