// Package storetest opens stores for tests: the embedded server, or the
// Redis of SIGNALBOX_REDIS_URL, under a key prefix of the test's own that is
// purged when the test ends, so tests sharing one Redis never meet.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

// Open opens a store for t, its keys under kind followed by a random part.
func Open(t testing.TB, kind string) *store.Client {
	t.Helper()
	opts := store.OptionsFromEnv()
	opts.Prefix = Prefix(kind)
	c, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, c.Purge(context.Background()))
		_ = c.Close()
	})
	return c
}

// Prefix is a key prefix no other test uses: kind and a random part.
func Prefix(kind string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return kind + hex.EncodeToString(b[:])
}
