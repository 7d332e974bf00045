package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
)

// Against a stalled server (SIGSTOP) every kind of call fails as
// unavailable within its deadline: the automatic pipeline's reads, plain
// reads, the ping, a blocking stream read. The pipeline sends one batch at
// a time and a command waited for the batch in flight, then its own, each
// with a retry: four times the deadline (8 s for the default 2 s); a plain
// call was tried twice, two deadlines.
func TestCallsEndWithinTheDeadlineWhenTheServerStalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := redisproc.StartForTest(t)
	const deadline = time.Second
	st, err := store.Open(ctx, store.Options{URL: srv.URL(), Prefix: "deadline", Timeout: deadline})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	_, err = st.ExecutionGet(ctx, "e1")
	require.ErrorIs(t, err, store.ErrNotFound) // connections in the pools

	require.NoError(t, srv.Pause())
	t.Cleanup(func() { _ = srv.Resume() })
	calls := map[string]func() error{
		"pipelined read": func() error { _, err := st.ExecutionGet(ctx, "e1"); return err },
		"plain read":     func() error { _, _, err := st.ExecutionOriginGet(ctx, "e1"); return err },
		"ping":           func() error { return st.Ping(ctx) },
		"blocking read":  func() error { _, err := st.WorkRead(ctx, "c1", 1, 100*time.Millisecond); return err },
	}
	for _, name := range []string{"pipelined read", "plain read", "ping", "blocking read", "pipelined read"} {
		begin := time.Now()
		err := calls[name]()
		took := time.Since(begin)
		require.Error(t, err, name)
		require.True(t, store.Unavailable(err), "%s: %v", name, err)
		// a net, not a measurement: about one deadline now, 2-4 before
		require.Less(t, took, 2*deadline, "%s took %v", name, took)
	}

	// and the first calls after it answer: none fails on a connection
	// the stall left dead
	require.NoError(t, srv.Resume())
	for name, call := range calls {
		err := call()
		if name == "blocking read" {
			require.NoError(t, err, name)
		} else if name != "ping" {
			require.ErrorIs(t, err, store.ErrNotFound, name)
		} else {
			require.NoError(t, err, name)
		}
	}
}
