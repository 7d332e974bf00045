// Package testclock is a clock that tests move by hand: the injected time
// of the durable runtime (runtime.Durable.Now) in tests that must not wait
// for timers.
package testclock

import (
	"sync"
	"time"
)

// Clock is a time that moves only when Advance is called. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock at t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
