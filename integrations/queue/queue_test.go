package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/store"
)

// testBundle is a Service on a store of its own, with a clock.
type testBundle struct {
	svc   *Service
	st    *store.Client
	clock *testclock.Clock
	ctx   context.Context
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// backends are the stores the tests run on: the embedded one, and
// SIGNALBOX_REDIS_URL's when set.
func backends() []string {
	out := []string{""}
	if u := os.Getenv(store.EnvRedisURL); u != "" {
		out = append(out, u)
	}
	return out
}

// openStore opens a store on url ("" embedded) with a prefix of its own,
// deleted at the end of the test.
func openStore(t testing.TB, url string) *store.Client {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "sbqtest-" + hex.EncodeToString(b[:])
	st, err := store.Open(context.Background(), store.Options{URL: url, Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() {
		if url != "" {
			require.NoError(t, st.DeletePrefix(context.Background()))
		}
		require.NoError(t, st.Close())
	})
	return st
}

// eachBackend runs f as a subtest per backend, each with a fresh bundle.
func eachBackend(t *testing.T, f func(t *testing.T, b *testBundle)) {
	for _, url := range backends() {
		name := "embedded"
		if url != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, setup(t, url))
		})
	}
}

func setup(t testing.TB, url string) *testBundle {
	st := openStore(t, url)
	clock := testclock.New(t0)
	svc := New(st, Config{Now: clock.Now})
	t.Cleanup(svc.Close)
	return &testBundle{svc: svc, st: st, clock: clock, ctx: context.Background()}
}

func (b *testBundle) create(t testing.TB, name string, attrs map[string]string) {
	t.Helper()
	_, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: name, Attributes: attrs})
	require.NoError(t, err)
}

func (b *testBundle) send(t testing.TB, name string, in SendInput) SendResult {
	t.Helper()
	res, err := b.svc.Send(b.ctx, name, []SendInput{in})
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.Nil(t, res[0].Err)
	return res[0]
}

func (b *testBundle) receive(t testing.TB, name string, in *ReceiveInput) []Message {
	t.Helper()
	if in.WaitTimeSeconds == nil {
		in.WaitTimeSeconds = ptr(0)
	}
	msgs, err := b.svc.Receive(b.ctx, name, in)
	require.NoError(t, err)
	return msgs
}

func (b *testBundle) deleteMsg(t testing.TB, name, handle string) {
	t.Helper()
	_, err := b.svc.Delete(b.ctx, name, []HandleEntry{{ReceiptHandle: handle}})
	require.NoError(t, err)
}

func ptr[T any](v T) *T { return &v }

func codeOf(t testing.TB, err error) string {
	t.Helper()
	require.Error(t, err)
	e, ok := err.(*Error)
	require.True(t, ok, "%T %v", err, err)
	return e.Code
}

func receiveParams(name string, now time.Time) *store.QueueReceiveParams {
	return &store.QueueReceiveParams{Name: name, Max: 10, Visibility: 30 * time.Second, Now: now}
}
