package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

func TestVirtualClockSleep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		deadline time.Duration // 0: none
		sleep    time.Duration
		wantErr  error
		want     time.Duration // the clock's time after the sleep, from t0
	}{
		{name: "moves forward by d", sleep: time.Hour, want: time.Hour},
		{name: "negative d does not move back", sleep: -time.Minute, want: 0},
		{name: "ending exactly at the deadline is in time", deadline: time.Minute, sleep: time.Minute, want: time.Minute},
		{name: "past the deadline stops at it", deadline: time.Minute, sleep: time.Hour, wantErr: runtime.ErrTimedOut, want: time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c runtime.Clock = runtime.NewVirtualClock(t0)
			if tt.deadline > 0 {
				c = c.WithDeadline(t0.Add(tt.deadline))
			}
			err := c.Sleep(t.Context(), tt.sleep)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, t0.Add(tt.want), c.Now())
		})
	}
}

func TestVirtualClockSleepHonoursCancellation(t *testing.T) {
	t.Parallel()
	c := runtime.NewVirtualClock(t0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, c.Sleep(ctx, time.Second), context.Canceled)
	require.Equal(t, t0, c.Now(), "a cancelled sleep does not move the clock")
}

func TestVirtualClockForkAndJoin(t *testing.T) {
	t.Parallel()
	parent := runtime.NewVirtualClock(t0)
	a, b := parent.Fork(), parent.Fork()
	require.NoError(t, a.Sleep(t.Context(), 5*time.Second))
	require.NoError(t, b.Sleep(t.Context(), 9*time.Second))
	require.Equal(t, t0, parent.Now(), "a branch's sleep leaves the parent alone")

	parent.Join(b)
	parent.Join(a)
	require.Equal(t, t0.Add(9*time.Second), parent.Now(), "the parent moves to the latest branch's end")

	dl := parent.WithDeadline(t0.Add(10 * time.Second))
	child := dl.Fork()
	require.ErrorIs(t, child.Sleep(t.Context(), time.Minute), runtime.ErrTimedOut, "a fork keeps the deadline")
}

func TestNewVirtualClockIsUTC(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	c := runtime.NewVirtualClock(time.Date(2024, 3, 1, 13, 0, 0, 0, paris))
	require.Equal(t, time.UTC, c.Now().Location())
	require.True(t, c.Now().Equal(t0))
}

// The wall clock is exercised without waiting: only its early exits.
func TestRealClockSleepEarlyExits(t *testing.T) {
	t.Parallel()
	c := runtime.RealClock{}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled)

	past := c.WithDeadline(time.Now().Add(-time.Second))
	err := past.Sleep(t.Context(), time.Hour)
	require.True(t, errors.Is(err, runtime.ErrTimedOut), "got %v", err)

	require.NoError(t, c.Sleep(t.Context(), 0))
	require.Equal(t, time.UTC, c.Now().Location())
}
