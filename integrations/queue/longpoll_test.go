package queue

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

// second returns a Service on another client of b's server and prefix,
// as another process would have.
func (b *testBundle) second(t *testing.T, url string) *Service {
	t.Helper()
	if url == "" {
		url = "redis://" + b.st.EmbeddedAddr()
	}
	st, err := store.Open(context.Background(), store.Options{URL: url, Prefix: b.st.Keys().Prefix()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return New(st, Config{Now: b.clock.Now})
}

// eachBackendURL is eachBackend with the backend's URL.
func eachBackendURL(t *testing.T, f func(t *testing.T, b *testBundle, url string)) {
	for _, url := range backends() {
		name := "embedded"
		if url != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, setup(t, url), url)
		})
	}
}

type received struct {
	msgs []Message
	err  error
	took time.Duration
}

// TestLongPollWokenByAnotherClient: a long poll of 20 s returns the
// message another client sends as soon as it is sent.
func TestLongPollWokenByAnotherClient(t *testing.T) {
	t.Parallel()
	eachBackendURL(t, func(t *testing.T, b *testBundle, url string) {
		b.create(t, "q", nil)
		waiting := make(chan struct{}, 16)
		b.svc.onWait = func() { waiting <- struct{}{} }
		other := b.second(t, url)

		done := make(chan received, 1)
		start := time.Now()
		go func() {
			msgs, err := b.svc.Receive(b.ctx, "q", &ReceiveInput{WaitTimeSeconds: ptr(20)})
			done <- received{msgs, err, time.Since(start)}
		}()
		<-waiting // blocked, or about to block: the signal list keeps the wake-up
		_, err := other.Send(b.ctx, "q", []SendInput{{Body: "wake"}})
		require.NoError(t, err)
		select {
		case r := <-done:
			require.NoError(t, r.err)
			require.Equal(t, []string{"wake"}, bodies(r.msgs))
			require.Less(t, r.took, 10*time.Second, "returned long before the wait time")
		case <-time.After(15 * time.Second):
			t.Fatal("the long poll did not return")
		}
	})
}

// TestLongPollWokenByVisibility: a long poll returns when a delayed
// message becomes visible, with no send to wake it (a real clock: the
// delay is one second).
func TestLongPollWokenByVisibility(t *testing.T) {
	t.Parallel()
	for _, url := range backends() {
		st := openStore(t, url)
		svc := New(st, Config{})
		ctx := context.Background()
		_, err := svc.CreateQueue(ctx, &CreateInput{Name: "q"})
		require.NoError(t, err)
		_, err = svc.Send(ctx, "q", []SendInput{{Body: "later", DelaySeconds: ptr(1)}})
		require.NoError(t, err)
		start := time.Now()
		msgs, err := svc.Receive(ctx, "q", &ReceiveInput{WaitTimeSeconds: ptr(20)})
		require.NoError(t, err)
		require.Equal(t, []string{"later"}, bodies(msgs))
		require.Less(t, time.Since(start), 10*time.Second)
	}
}

// TestLongPollCancelled: cancelling the context ends the wait.
func TestLongPollCancelled(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		waiting := make(chan struct{}, 16)
		b.svc.onWait = func() { waiting <- struct{}{} }
		ctx, cancel := context.WithCancel(b.ctx)
		done := make(chan received, 1)
		go func() {
			msgs, err := b.svc.Receive(ctx, "q", &ReceiveInput{WaitTimeSeconds: ptr(20)})
			done <- received{msgs: msgs, err: err}
		}()
		<-waiting
		cancel()
		select {
		case r := <-done:
			require.ErrorIs(t, r.err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("the long poll did not end")
		}
		// The queue still works; a signal the abandoned wait took is
		// handed on, not lost.
		b.send(t, "q", SendInput{Body: "x"})
		require.Len(t, b.receive(t, "q", &ReceiveInput{}), 1)
	})
}

// TestLongPollSlots: past MaxLongPolls a long poll waits for a slot,
// within its wait time, and then returns empty.
func TestLongPollSlots(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.svc = New(b.st, Config{Now: b.clock.Now, MaxLongPolls: 1})
	b.create(t, "q", nil)
	b.svc.polls <- struct{}{} // the one slot is taken
	start := time.Now()
	msgs, err := b.svc.Receive(b.ctx, "q", &ReceiveInput{WaitTimeSeconds: ptr(1)})
	require.NoError(t, err)
	require.Empty(t, msgs)
	require.GreaterOrEqual(t, time.Since(start), time.Second)
}

// TestLongPollWaitsItsTime: a long poll longer than the store's read
// deadline (2 s, 3 s embedded) waits its time and returns empty, no error.
func TestLongPollWaitsItsTime(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		start := time.Now()
		msgs, err := b.svc.Receive(b.ctx, "q", &ReceiveInput{WaitTimeSeconds: ptr(4)})
		require.NoError(t, err)
		require.Empty(t, msgs)
		require.GreaterOrEqual(t, time.Since(start), 4*time.Second)
	})
}
