package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// queueSweepEvery is how often a node sweeps the queues (queue.Service.Sweep:
// messages past retention removed, visibility ended, dead lists handed to
// their dead-letter queues), for queues nobody receives from; receives
// do the same on the way. Every 5 s keeps the depth gauges and
// retention within seconds of AWS's, at one list and one script call per
// queue.
const queueSweepEvery = 5 * time.Second

// queueSweeper runs a sweep every interval until stopped: one background
// loop, started once, its Stop idempotent.
type queueSweeper struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// startQueueSweeper runs sweep every interval (the first after one
// interval); a failed sweep is logged and the next one tries again.
func startQueueSweeper(sweep func(context.Context) error, every time.Duration, log *slog.Logger) *queueSweeper {
	ctx, cancel := context.WithCancel(context.Background())
	s := &queueSweeper{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := sweep(ctx); err != nil && ctx.Err() == nil {
					log.Warn("queues: sweeping failed; the next sweep tries again", "err", err)
				}
			}
		}
	}()
	return s
}

// Stop ends the loop and waits for a sweep under way.
func (s *queueSweeper) Stop() {
	s.once.Do(s.cancel)
	<-s.done
}
