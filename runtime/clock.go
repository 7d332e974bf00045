// Package runtime carries out what asl decides. This file holds the clocks:
// the in-memory engine reads time only through a Clock, so that a run can
// use the wall clock or a virtual one that jumps over every wait.
package runtime

import (
	"context"
	"errors"
	"time"
)

// ErrTimedOut is returned by Sleep when the execution's deadline comes
// first.
var ErrTimedOut = errors.New("execution timed out")

// Clock is the time of one thread of an execution (the main thread, a
// Parallel branch or a Map iteration).
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done or the deadline passes.
	Sleep(ctx context.Context, d time.Duration) error
	// Fork returns the clock of a branch that starts now.
	Fork() Clock
	// Join moves this clock on to when a branch ended, if that is later.
	Join(branch Clock)
	// WithDeadline returns a clock whose Sleep fails with ErrTimedOut
	// rather than pass t.
	WithDeadline(t time.Time) Clock
}

// RealClock is the wall clock.
type RealClock struct{ deadline time.Time }

// Now returns the wall-clock time.
func (RealClock) Now() time.Time { return time.Now().UTC() }

// Sleep waits on a timer.
func (c RealClock) Sleep(ctx context.Context, d time.Duration) error {
	timedOut := false
	if !c.deadline.IsZero() && time.Until(c.deadline) < d {
		d, timedOut = time.Until(c.deadline), true
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if timedOut {
		return ErrTimedOut
	}
	return nil
}

// Fork returns c: the wall clock is shared.
func (c RealClock) Fork() Clock { return c }

// Join does nothing: the wall clock is shared.
func (RealClock) Join(Clock) {}

// WithDeadline returns a wall clock with a deadline.
func (RealClock) WithDeadline(t time.Time) Clock { return RealClock{deadline: t} }

// VirtualClock is a clock that never waits: Sleep moves it forward at once.
// Each branch has its own, forked from its parent's; a join moves the
// parent to the latest branch's end. Runs on it are deterministic.
type VirtualClock struct {
	now      time.Time
	deadline time.Time
}

// NewVirtualClock returns a virtual clock set to start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start.UTC()} }

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time { return c.now }

// Sleep moves the clock forward by d, or to the deadline.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d < 0 {
		d = 0
	}
	if !c.deadline.IsZero() && c.now.Add(d).After(c.deadline) {
		c.now = c.deadline
		return ErrTimedOut
	}
	c.now = c.now.Add(d)
	return nil
}

// Fork returns a copy of the clock for a branch.
func (c *VirtualClock) Fork() Clock { return &VirtualClock{now: c.now, deadline: c.deadline} }

// Join moves the clock to the branch's time if that is later.
func (c *VirtualClock) Join(branch Clock) {
	if t := branch.Now(); t.After(c.now) {
		c.now = t
	}
}

// WithDeadline returns a copy of the clock with a deadline.
func (c *VirtualClock) WithDeadline(t time.Time) Clock {
	return &VirtualClock{now: c.now, deadline: t}
}

func secondsDuration(s int) time.Duration { return time.Duration(s) * time.Second }
