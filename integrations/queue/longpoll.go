package queue

import (
	"context"
	"time"

	"github.com/signalbox/signalbox/store"
)

// receiveWait receives, and when nothing came and wait > 0, waits for a
// signal of the queue (a send, a message made visible) or the time the
// next delayed or in-flight message becomes visible, whichever is first,
// then tries again, until wait has passed (a long poll). It never polls:
// each wait is one blocking read on the store's blocking pool.
func (s *Service) receiveWait(ctx context.Context, p *store.QueueReceiveParams, wait time.Duration) ([]store.QueueReceived, error) {
	deadline := time.Now().Add(wait)
	for {
		res, err := s.receiveOnce(ctx, p)
		if err != nil {
			return nil, err
		}
		left := time.Until(deadline)
		if len(res.Messages) > 0 || left <= 0 {
			return res.Messages, nil
		}
		d := left
		if !res.NextDue.IsZero() {
			d = min(d, max(res.NextDue.Sub(s.now()), 10*time.Millisecond))
		}
		if err := s.waitSignal(ctx, p.Name, d); err != nil {
			return nil, err
		}
	}
}

// waitSignal blocks for d at most, holding one of MaxLongPolls slots.
func (s *Service) waitSignal(ctx context.Context, name string, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case s.polls <- struct{}{}:
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.polls }()
	if s.onWait != nil {
		s.onWait()
	}
	if _, err := s.st.QueueWait(ctx, name, d); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return storeError(err)
	}
	return nil
}
