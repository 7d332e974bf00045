package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLeaseClock moves the embedded server's clock, which lease idle times
// are read from, instead of waiting: a lease expires only when idle for the
// whole lease, and LeaseExtend restarts it.
func TestLeaseClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := openTest(t, Options{})
	m := c.embedded
	const lease = 10 * time.Second
	m.SetTime(t0)
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	w := readAll(t, c, "a")
	require.Len(t, w, 1)

	reclaim := func() []Work {
		got, err := c.WorkReclaim(ctx, "b", lease, 0)
		require.NoError(t, err)
		return got
	}
	m.SetTime(t0.Add(lease - time.Millisecond))
	require.Empty(t, reclaim(), "idle for less than the lease")
	held, err := c.LeaseExtend(ctx, "a", w[0].ID)
	require.NoError(t, err)
	require.Equal(t, []string{w[0].ID}, held)

	m.SetTime(t0.Add(lease + time.Second))
	require.Empty(t, reclaim(), "the extension restarted the lease")
	m.SetTime(t0.Add(2 * lease))
	require.Equal(t, w, reclaim(), "idle for the whole lease since the extension")
	require.Empty(t, reclaim(), "b holds it now")
}
