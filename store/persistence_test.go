package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
)

// The embedded server says it is volatile; a Redis says what it keeps,
// read from its own settings.
func TestPersistenceIsReadFromTheServer(t *testing.T) {
	ctx := context.Background()
	emb, err := store.Open(ctx, store.Options{Embedded: true})
	require.NoError(t, err)
	defer emb.Close()
	p := emb.Persistence(ctx)
	require.True(t, p.Volatile)
	require.Contains(t, p.String(), "loses every execution")

	for _, c := range []struct {
		args []string
		want store.Persistence
		says string
	}{
		{nil, store.Persistence{AppendFsync: "everysec"}, "appendonly no and no snapshots"},
		{[]string{"--appendonly", "yes", "--appendfsync", "always"}, store.Persistence{AppendOnly: true, AppendFsync: "always"}, "every acknowledged write is on disk"},
		{[]string{"--appendonly", "yes"}, store.Persistence{AppendOnly: true, AppendFsync: "everysec"}, "up to about one second"},
		{[]string{"--save", "60 1"}, store.Persistence{AppendFsync: "everysec", Save: "60 1"}, "RDB snapshots only"},
	} {
		srv := redisproc.StartForTest(t, c.args...)
		st, err := store.Open(ctx, store.Options{URL: srv.URL()})
		require.NoError(t, err)
		p := st.Persistence(ctx)
		require.Equal(t, c.want, p, "%v", c.args)
		require.Contains(t, p.String(), c.says)
		require.NoError(t, st.Close())
		srv.Stop()
	}
}
