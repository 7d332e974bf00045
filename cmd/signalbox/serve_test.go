package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// served is a `signalbox serve` child process.
type served struct {
	URL    string // http://127.0.0.1:port
	Store  string // the line saying which store it uses
	Prefix string // its keys' prefix: random, so that tests sharing a Redis do not meet
	cmd    *exec.Cmd
	killed bool        // by Kill or Stop: the cleanup has nothing to do
	rest   chan string // what it printed on stdout after its first two lines, once it has exited
	mu     sync.Mutex
	stderr bytes.Buffer
	wrote  chan struct{} // signalled after each write to stderr
}

// WaitLog waits until the server's log holds s, and returns the log.
func (s *served) WaitLog(t *testing.T, want string) string {
	t.Helper()
	safety := time.After(30 * time.Second) // a net against a hang, not a synchronisation
	for {
		if log := s.Log(); strings.Contains(log, want) {
			return log
		}
		select {
		case <-s.wrote:
		case <-safety:
			t.Fatalf("serve's log never held %q; it is:\n%s", want, s.Log())
		}
	}
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
	n, err := w.s.stderr.Write(p)
	w.s.mu.Unlock()
	select {
	case w.s.wrote <- struct{}{}:
	default:
	}
	return n, err
}

// startServe runs `signalbox serve --addr 127.0.0.1:0 ARGS...` and returns
// once it listens. The test's cleanup stops it with SIGTERM and checks that
// it exits cleanly.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	return startServeUnder(t, nil, args...)
}

// startServeUnder is startServe with the command run by wrapper (such as
// prlimit and its arguments).
func startServeUnder(t *testing.T, wrapper []string, args ...string) *served {
	t.Helper()
	return startServeBinary(t, signalbox(t), wrapper, args...)
}

// startServeBinary is startServeUnder with the binary bin.
func startServeBinary(t *testing.T, bin string, wrapper []string, args ...string) *served {
	t.Helper()
	s := &served{Prefix: storetest.Prefix("sbs-"), wrote: make(chan struct{}, 1)}
	argv := append(append(append([]string{}, wrapper...), bin, "serve", "--addr", "127.0.0.1:0", "--redis-prefix", s.Prefix), args...)
	s.cmd = exec.Command(argv[0], argv[1:]...)
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
	second, err := lines.ReadString('\n')
	require.NoError(t, err, "serve exited after listening; its log:\n%s", s.Log())
	s.Store = strings.TrimSpace(second)
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(lines); rest <- string(b) }()
	s.rest = rest
	t.Cleanup(func() {
		if !s.killed {
			s.Stop(t)
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

// Stop ends the server with SIGTERM, waits for it, and requires that it
// exited cleanly, saying so.
func (s *served) Stop(t *testing.T) {
	t.Helper()
	s.killed = true
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "serve did not exit cleanly; its log:\n%s", s.Log())
		require.Contains(t, <-s.rest, "signalbox stopped")
	case <-time.After(30 * time.Second): // a safety net, not a synchronisation
		_ = s.cmd.Process.Kill()
		t.Fatalf("serve did not stop within 30s of SIGTERM; its log:\n%s", s.Log())
	}
}

// Kill ends the server with SIGKILL and waits for it.
func (s *served) Kill(t *testing.T) {
	t.Helper()
	s.killed = true
	require.NoError(t, s.cmd.Process.Kill())
	_ = s.cmd.Wait()
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

// serve says at start-up what its store keeps: the embedded store and a
// Redis without persistence are named volatile, with the way out; a Redis
// with an AOF says its fsync policy.
func TestServeSaysWhatACrashLoses(t *testing.T) {
	t.Parallel()
	// the durability line comes before the one that says it is serving
	log := startServe(t).WaitLog(t, "msg=serving")
	if os.Getenv(store.EnvRedisURL) == "" {
		require.Contains(t, log, "level=WARN msg=\"durability: embedded store, in this process's memory")
		require.Contains(t, log, "serve --data-dir DIR, or run a Redis with --appendonly yes")
	} else {
		require.Regexp(t, `durability: Redis (appendonly|persistence)`, log)
	}
	srv := redisproc.StartForTest(t, "--appendonly", "yes")
	log = startServe(t, "--redis-url", srv.URL()).WaitLog(t, "msg=serving")
	require.Contains(t, log, "level=INFO msg=\"durability: Redis appendonly yes, appendfsync everysec")
}

// serve says at start-up what anyone may call; with credentials set, the
// management API is guarded unless api.public names it open.
func TestServeLogsItsOpenEndpoints(t *testing.T) {
	t.Parallel()
	log := startServe(t).WaitLog(t, "msg=serving")
	require.Contains(t, log, "no api.keys or credentials are configured")

	dir := writeFiles(t, map[string]string{
		"echo.asl.json": cfgEcho,
		"signalbox.yaml": `credentials:
  - {accessKeyId: AKIDEXAMPLE, secretAccessKey: s3cret}
stateMachines:
  - {name: echo, definition: echo.asl.json}
routes:
  - {method: POST, path: /hook, stateMachine: echo, public: true}
  - {method: POST, path: /private, stateMachine: echo}
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	log = s.WaitLog(t, "msg=serving")
	require.Regexp(t, `msg="open to anyone" endpoints="GET /api/v1/health; GET /api/v1/ready; GET /api/v1/openapi.json; `+
		`GET /\?Action=ConfirmSubscription \(SNS's SubscribeURL: the token is the secret\); `+
		`GET /\?Action=Unsubscribe \(SNS's UnsubscribeURL, unless the subscription requires authentication\); `+
		`GET /SimpleNotificationService-[0-9a-f]{32}\.pem \(SNS's signing certificate\); POST /hook \(public\)"`, log)
	resp, err := http.Get(s.URL + "/api/v1/state-machines")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	dir = writeFiles(t, map[string]string{"signalbox.yaml": "credentials:\n  - {accessKeyId: AKIDEXAMPLE, secretAccessKey: s3cret}\napi: {public: true}\n"})
	s = startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	require.Contains(t, s.WaitLog(t, "msg=serving"), "/api/v1 (the management API: api.public)")
	resp, err = http.Get(s.URL + "/api/v1/state-machines")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
