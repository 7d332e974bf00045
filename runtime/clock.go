// Package runtime carries out what asl decides. This file holds the clocks:
// the in-memory engine reads time only through a Clock, so that a run can
// use the wall clock or a virtual one that jumps over every wait.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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
//
// Branches of a Parallel run on clocks of their own in goroutines, so the
// branch that fails first in wall time need not be the one that fails
// first in virtual time. A Parallel on virtual clocks therefore gives its
// branches a race (forkIn): the earliest failure in virtual time is the
// Parallel's; a branch already at or past that time is cancelled at once,
// and no other sleeps past it (Sleep ends with errRaceLost, the branch's
// abort, at the failure's time), as on AWS, where the other branches are
// stopped when one fails. (Without a scheduler shared by the branches, a
// branch may still run ahead of the failure in virtual time before it is
// known: its events stay in the history; the outcome does not change.)
type VirtualClock struct {
	// mu guards now, which a sibling branch reads (runParallel) while
	// the clock's own thread moves it
	mu       sync.Mutex
	now      time.Time
	deadline time.Time
	// races this clock's thread runs in (its Parallel's, and those of
	// the Parallels around it), and the states it ran since one was lost
	// (see lostRace)
	races []*race
	steps int
}

// race is the earliest failure among the branches of one Parallel on
// virtual clocks.
type race struct {
	mu  sync.Mutex
	set bool
	at  time.Time
}

// lower makes t the race's end when it is the first or the earliest.
func (r *race) lower(t time.Time) {
	r.mu.Lock()
	if !r.set || t.Before(r.at) {
		r.set, r.at = true, t
	}
	r.mu.Unlock()
}

func (r *race) end() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.at, r.set
}

// errRaceLost ends a branch a sibling's earlier failure stopped: the
// thread's abort, as a cancellation is.
var errRaceLost = fmt.Errorf("a parallel branch failed earlier: %w", context.Canceled)

// maxStepsAfterRace bounds the states a branch that never sleeps runs
// after a sibling failed at a later virtual time (a loop of Choice and
// Task states takes no virtual time, so it would never reach the failure).
const maxStepsAfterRace = 10_000

// NewVirtualClock returns a virtual clock set to start.
func NewVirtualClock(start time.Time) *VirtualClock { return &VirtualClock{now: start.UTC()} }

// Now returns the clock's time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *VirtualClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// cutoff is the earliest failure of the races the clock runs in.
func (c *VirtualClock) cutoff() (time.Time, bool) {
	var at time.Time
	found := false
	for _, r := range c.races {
		if t, ok := r.end(); ok && (!found || t.Before(at)) {
			at, found = t, true
		}
	}
	return at, found
}

// Sleep moves the clock forward by d, or to the deadline, or to a
// sibling branch's earlier failure.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d < 0 {
		d = 0
	}
	now := c.Now()
	target := now.Add(d)
	at, cut := c.cutoff()
	if !c.deadline.IsZero() && target.After(c.deadline) && (!cut || !at.Before(c.deadline)) {
		c.set(c.deadline)
		return ErrTimedOut
	}
	if cut && target.After(at) {
		if at.After(now) {
			c.set(at)
		}
		return errRaceLost
	}
	c.set(target)
	return nil
}

// lostRace reports whether the clock's thread must stop before its next
// state: a sibling branch failed earlier in virtual time than this one now
// is, or this one ran maxStepsAfterRace states since one failed without
// reaching that time.
func (c *VirtualClock) lostRace() bool {
	if len(c.races) == 0 {
		return false
	}
	at, cut := c.cutoff()
	if !cut {
		return false
	}
	c.steps++
	return c.Now().After(at) || c.steps > maxStepsAfterRace
}

// Fork returns a copy of the clock for a branch.
func (c *VirtualClock) Fork() Clock {
	return &VirtualClock{now: c.Now(), deadline: c.deadline, races: c.races}
}

// forkIn returns a copy of the clock for a branch of the race r.
func (c *VirtualClock) forkIn(r *race) *VirtualClock {
	return &VirtualClock{now: c.Now(), deadline: c.deadline, races: append(slices.Clip(c.races), r)}
}

// Join moves the clock to the branch's time if that is later.
func (c *VirtualClock) Join(branch Clock) { c.joinAt(branch.Now()) }

// joinAt moves the clock to t if that is later.
func (c *VirtualClock) joinAt(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	c.mu.Unlock()
}

// WithDeadline returns a copy of the clock with a deadline.
func (c *VirtualClock) WithDeadline(t time.Time) Clock {
	return &VirtualClock{now: c.Now(), deadline: t, races: c.races}
}

func secondsDuration(s int) time.Duration { return time.Duration(s) * time.Second }
