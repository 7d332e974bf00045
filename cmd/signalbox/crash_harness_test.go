package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// crashRun is the harness of the router crash tests (TestCrashQueues,
// TestCrashTopics, TestCrashBus): a redis-server of the test's own with
// appendonly yes and appendfsync always (TestCrashQueues's comment says
// what that does and does not prove), a `signalbox serve` on a fixed
// loopback port (the clients keep their endpoint across restarts), the
// clients' goroutines (run) whose failures come on one channel, and the
// two kills: serve is killed with SIGKILL, and started again, when a third
// and two thirds of the total acknowledgements have come (progress).
type crashRun struct {
	t       *testing.T
	ctx     context.Context // a safety net, not a synchronisation
	cancel  context.CancelFunc
	args    []string // serve's arguments, the same at every start
	serve   *served  // the serve running now
	servers []*served

	total      int          // the acknowledgements expected: set before the first progress
	acked      atomic.Int64 // acknowledgements so far
	kills      atomic.Int64 // serve's kills so far
	milestones [2]chan struct{}
	once       [2]sync.Once

	wg    sync.WaitGroup
	errs  chan error // the clients' failures (a consumer's end, when cancelled, too)
	begin time.Time
}

// startCrashRun skips the test outside the real-Redis run, starts the
// Redis and serve (keys under a prefix starting with keyPrefix, serveArgs
// added to serve's), and bounds the test by timeout.
func startCrashRun(t *testing.T, keyPrefix string, timeout time.Duration, serveArgs ...string) *crashRun {
	t.Helper()
	if os.Getenv(store.EnvRedisURL) == "" {
		t.Skip("runs with the real-Redis tests: set " + store.EnvRedisURL + " (it starts a redis-server of its own)")
	}
	redis := redisproc.StartForTest(t, "--appendonly", "yes", "--appendfsync", "always")
	port := freeTCPPort(t)
	args := append([]string{"--addr", "127.0.0.1:" + strconv.Itoa(port), "--redis-url", redis.URL(), "--redis-prefix", storetest.Prefix(keyPrefix)}, serveArgs...)
	r := &crashRun{t: t, args: args, errs: make(chan error, 64), milestones: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	r.serve = startServe(t, args...)
	require.Contains(t, r.serve.Store, "appendfsync always")
	r.servers = []*served{r.serve}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), timeout)
	t.Cleanup(r.cancel)
	return r
}

// progress hears of n acknowledgements; it closes each milestone as the
// acknowledgements pass it.
func (r *crashRun) progress(n int) {
	a := r.acked.Add(int64(n))
	for i := range r.milestones {
		if a >= int64(r.total*(i+1)/3) {
			r.once[i].Do(func() { close(r.milestones[i]) })
		}
	}
}

// run runs a client in a goroutine of its own; its error, if any, comes
// on r.errs. The first call starts the clock of elapsed.
func (r *crashRun) run(f func() error) {
	if r.begin.IsZero() {
		r.begin = time.Now()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := f(); err != nil {
			r.errs <- err
		}
	}()
}

// failed stops the clients and fails on the first error of theirs that is
// not their cancellation.
func (r *crashRun) failed() {
	r.t.Helper()
	r.cancel()
	r.wg.Wait()
	close(r.errs)
	for err := range r.errs {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			require.NoError(r.t, err)
		}
	}
}

// await waits for done, failing on a client's error or at the deadline
// (with the message of why, as the deadline found it).
func (r *crashRun) await(done <-chan struct{}, why func() string) {
	r.t.Helper()
	select {
	case <-done:
	case err := <-r.errs:
		r.failed()
		require.NoError(r.t, err)
	case <-r.ctx.Done():
		msg := why()
		r.failed()
		r.t.Fatal(msg)
	}
}

// killTwice kills serve with SIGKILL at each milestone and starts it again.
func (r *crashRun) killTwice() {
	r.t.Helper()
	for i, m := range r.milestones {
		r.await(m, func() string {
			return "kill " + strconv.Itoa(i+1) + ": the milestone never came (" + strconv.FormatInt(r.acked.Load(), 10) + " of " + strconv.Itoa(r.total) + " acknowledged)"
		})
		r.serve.Kill(r.t)
		r.kills.Add(1)
		r.serve = startServe(r.t, r.args...)
		r.servers = append(r.servers, r.serve)
	}
}

// finish stops the clients (the consumers run until cancelled), fails on
// any error of theirs but their cancellation, and returns the time since
// the first client started.
func (r *crashRun) finish() time.Duration {
	r.t.Helper()
	r.cancel()
	r.wg.Wait()
	close(r.errs)
	for err := range r.errs {
		if !errors.Is(err, context.Canceled) {
			require.NoError(r.t, err)
		}
	}
	return time.Since(r.begin)
}
