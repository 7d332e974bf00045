package runtime

import (
	"log/slog"
	"sync"
	"time"
)

// loopHealth is what a background loop (the work reader, the timer poller,
// the recoverer) knows of the store: it logs once when the store starts
// failing and once when it answers again, not on every tick, and says how
// long to back off: from loopBackoffMin doubling to loopBackoffMax while
// the failures last.
type loopHealth struct {
	name string
	log  *slog.Logger

	mu       sync.Mutex
	failures int // consecutive
}

const (
	loopBackoffMin = 100 * time.Millisecond
	loopBackoffMax = 5 * time.Second
)

func newLoopHealth(name string, log *slog.Logger) *loopHealth {
	return &loopHealth{name: name, log: log}
}

// failed records a failure and returns how long the loop should wait
// before it tries again.
func (h *loopHealth) failed(err error) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	if h.failures == 1 {
		h.log.Error("store unavailable: "+h.name+" backs off until it answers", "err", err)
	}
	d := loopBackoffMin << min(h.failures-1, 16)
	return min(d, loopBackoffMax)
}

// ok records a success, and logs the recovery after failures.
func (h *loopHealth) ok() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failures > 0 {
		h.log.Info("store available again: "+h.name+" resumes", "failures", h.failures)
		h.failures = 0
	}
}
