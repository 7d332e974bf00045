package queue

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store/storetest"
)

// The hot paths read a queue's record once per recordTTL; a change made
// through this Service is seen at once.
func TestHotRecordCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbqrc-")
	s := New(st, Config{})
	t.Cleanup(s.Close)
	_, err := s.CreateQueue(ctx, &CreateInput{Name: "q", Attributes: map[string]string{"DelaySeconds": "0"}})
	require.NoError(t, err)
	r1, err := s.hotRecord(ctx, "q")
	require.NoError(t, err)
	r2, err := s.hotRecord(ctx, "q")
	require.NoError(t, err)
	require.Same(t, r1, r2, "within the TTL: the cached record")

	require.NoError(t, s.SetAttributes(ctx, "q", map[string]string{"DelaySeconds": "5"}))
	r3, err := s.hotRecord(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, "5", r3.Attributes["DelaySeconds"], "changed here: read again")

	require.NoError(t, s.DeleteQueue(ctx, "q"))
	_, err = s.hotRecord(ctx, "q")
	require.Error(t, err, "deleted here: forgotten")
	_, err = s.hotRecord(ctx, "missing")
	require.Error(t, err)
}

// Past recordTTL a cached record is used while one background read
// refreshes it; past recordMaxStale it is read before use. Changes made by
// another process (another Service on the store) are seen that way.
func TestHotRecordRefreshAhead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbqra-")
	s, other := New(st, Config{}), New(st, Config{})
	t.Cleanup(s.Close)
	t.Cleanup(other.Close)
	now := time.Unix(1_800_000_000, 0)
	s.records.clock = func() time.Time { return now }
	_, err := s.CreateQueue(ctx, &CreateInput{Name: "q", Attributes: map[string]string{"DelaySeconds": "0"}})
	require.NoError(t, err)
	delay := func() string {
		t.Helper()
		r, err := s.hotRecord(ctx, "q")
		require.NoError(t, err)
		return r.Attributes["DelaySeconds"]
	}
	require.Equal(t, "0", delay())

	require.NoError(t, other.SetAttributes(ctx, "q", map[string]string{"DelaySeconds": "5"}))
	require.Equal(t, "0", delay(), "within the TTL: cached")
	now = now.Add(recordTTL + time.Millisecond)
	require.Equal(t, "0", delay(), "past the TTL: the cached record, at once, while it is read again")
	s.tasks.Wait()
	require.Equal(t, "5", delay(), "the refreshed record")

	require.NoError(t, other.SetAttributes(ctx, "q", map[string]string{"DelaySeconds": "7"}))
	now = now.Add(recordMaxStale)
	require.Equal(t, "7", delay(), "too old to use: read before use")

	require.NoError(t, other.DeleteQueue(ctx, "q"))
	now = now.Add(recordTTL)
	require.Equal(t, "7", delay(), "the stale record; the store's scripts refuse a deleted queue")
	s.tasks.Wait()
	_, err = s.hotRecord(ctx, "q")
	require.Error(t, err, "found missing by the refresh: forgotten, then read and refused")
}
