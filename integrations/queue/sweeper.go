package queue

import (
	"context"
	"sync"
	"time"
)

// DefaultSweepInterval is how often the sweeper runs Sweep: retention and
// visibility are also applied by every send and receive of a queue, so
// the sweeper only serves queues nobody uses; every 10 s costs one
// script per queue.
const DefaultSweepInterval = 10 * time.Second

// sweeper runs Sweep in the background (StartSweeper).
type sweeper struct {
	mu   sync.Mutex
	stop context.CancelFunc
	done chan struct{}
}

// StartSweeper runs Sweep every interval (DefaultSweepInterval when 0)
// until StopSweeper or Close; starting it again while it runs does
// nothing. Several processes may run one.
func (s *Service) StartSweeper(interval time.Duration) {
	s.sweep.mu.Lock()
	defer s.sweep.mu.Unlock()
	if s.sweep.stop != nil {
		return
	}
	if interval <= 0 {
		interval = DefaultSweepInterval
	}
	ctx, cancel := context.WithCancel(s.stop)
	s.sweep.stop, s.sweep.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = s.Sweep(ctx) // the next round tries again
			}
		}
	}(s.sweep.done)
}

// StopSweeper stops the sweeper and waits for it; stopping a sweeper
// that does not run does nothing.
func (s *Service) StopSweeper() {
	s.sweep.mu.Lock()
	defer s.sweep.mu.Unlock()
	if s.sweep.stop == nil {
		return
	}
	s.sweep.stop()
	<-s.sweep.done
	s.sweep.stop, s.sweep.done = nil, nil
}
