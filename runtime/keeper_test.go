package runtime

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() == 0 {
		return nil
	}
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// The timer poller and the recoverer, against a stalled Redis, say once
// that the store fails and once that it answers again, however many ticks
// fail between (the recoverer logged every failed call of every pass), and
// back off: a tick within the back-off does not call the store.
func TestKeeperLogsOncePerStateChangeAndBacksOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := redisproc.StartForTest(t)
	st, err := store.Open(ctx, store.Options{URL: srv.URL(), Prefix: "keeper", Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	var logged syncBuffer
	k := newKeeper(&Durable{store: st, Consumer: "keeper"}, time.Minute, slog.New(slog.NewTextHandler(&logged, nil)))

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // the ticks' times
	k.fireTimers(ctx, now)
	k.recover(ctx, now)
	require.Empty(t, logged.lines(), "a healthy store: nothing to say")

	require.NoError(t, srv.Pause())
	t.Cleanup(func() { _ = srv.Resume() })
	for range 4 {
		now = now.Add(10 * time.Second) // past the longest back-off: each tick tries
		k.fireTimers(ctx, now)
		k.recover(ctx, now)
	}
	lines := logged.lines()
	require.Len(t, lines, 2, strings.Join(lines, "\n"))
	require.Contains(t, lines[0], "store unavailable: firing timers")
	require.Contains(t, lines[1], "store unavailable: recovering work")
	require.Contains(t, lines[1], "reclaiming work")
	// the back-off doubles from the failures so far, capped at 5 s
	require.Equal(t, now.Add(800*time.Millisecond), k.timersAt)
	k.fireTimers(ctx, now.Add(50*time.Millisecond)) // within the back-off: no call, so no failure to count
	require.Equal(t, now.Add(800*time.Millisecond), k.timersAt)

	require.NoError(t, srv.Resume())
	now = now.Add(time.Minute)
	k.fireTimers(ctx, now)
	k.recover(ctx, now)
	k.fireTimers(ctx, now.Add(time.Second))
	lines = logged.lines()
	require.Len(t, lines, 4, strings.Join(lines, "\n"))
	require.Contains(t, lines[2], "store available again: firing timers resumes")
	require.Contains(t, lines[2], "failures=4")
	require.Contains(t, lines[3], "store available again: recovering work resumes")
}
