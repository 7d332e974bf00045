package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// served is a `signalbox serve` child process.
type served struct {
	URL    string // http://127.0.0.1:port
	Prefix string // its keys' prefix: random, so that tests sharing a Redis do not meet
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
}

// Log is what the server wrote to stderr so far.
func (s *served) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

type lockedWriter struct{ s *served }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.stderr.Write(p)
}

// startServe runs `signalbox serve --addr 127.0.0.1:0 ARGS...` and returns
// once it listens. The test's cleanup stops it with SIGTERM and checks that
// it exits cleanly.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	s := &served{Prefix: storetest.Prefix("sbs-")}
	s.cmd = exec.Command(signalbox(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--redis-prefix", s.Prefix}, args...)...)
	s.cmd.Stderr = lockedWriter{s}
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	lines := bufio.NewReader(stdout)
	first, err := lines.ReadString('\n')
	require.NoError(t, err, "serve exited before listening; its log:\n%s", s.Log())
	addr, ok := strings.CutPrefix(strings.TrimSpace(first), "signalbox serving on ")
	require.True(t, ok, "unexpected first line %q", first)
	s.URL = addr
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(lines); rest <- string(b) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "serve did not exit cleanly; its log:\n%s", s.Log())
			require.Contains(t, <-rest, "signalbox stopped")
		case <-time.After(30 * time.Second): // a safety net, not a synchronisation
			_ = s.cmd.Process.Kill()
			t.Fatalf("serve did not stop within 30s of SIGTERM; its log:\n%s", s.Log())
		}
		if url := os.Getenv(store.EnvRedisURL); url != "" {
			st, err := store.Open(context.Background(), store.Options{URL: url, Prefix: s.Prefix})
			require.NoError(t, err)
			require.NoError(t, st.Purge(context.Background()))
			_ = st.Close()
		}
	})
	return s
}

func TestServeAnswersHealthAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	for _, path := range []string{"/api/v1/health", "/api/v1/ready"} {
		resp, err := http.Get(s.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	}
}

func TestServeRefusesABadAddress(t *testing.T) {
	t.Parallel()
	res := runCLI(t, "", "serve", "--addr", "127.0.0.1:notaport")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "notaport")
}
