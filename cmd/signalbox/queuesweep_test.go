package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The sweeper sweeps again and again, through failures, until stopped;
// Stop waits for it and may be called twice.
func TestQueueSweeperSweepsUntilStopped(t *testing.T) {
	t.Parallel()
	swept := make(chan struct{})
	var calls atomic.Int64
	s := startQueueSweeper(func(ctx context.Context) error {
		n := calls.Add(1)
		if n <= 3 {
			swept <- struct{}{}
		}
		if n == 1 {
			return errors.New("store unavailable")
		}
		return nil
	}, time.Millisecond, slog.New(slog.DiscardHandler))
	for range 3 {
		<-swept // a failed sweep does not end the loop
	}
	s.Stop()
	after := calls.Load()
	s.Stop()
	require.Equal(t, after, calls.Load(), "no sweep after Stop")
}
