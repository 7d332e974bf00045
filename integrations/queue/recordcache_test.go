package queue

import (
	"context"
	"testing"

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
