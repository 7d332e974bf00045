// Package redisproc runs a redis-server of its own on a loopback port, for
// the tests and benchmarks that need what the shared server cannot give:
// persistence settings, a restart, a kill, a stall (SIGSTOP), a memory
// limit.
package redisproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotInstalled is returned when there is no redis-server on PATH.
var ErrNotInstalled = errors.New("redisproc: redis-server is not on PATH")

// Server is a redis-server child process.
type Server struct {
	Addr string // host:port on loopback
	Dir  string // its working directory (AOF and RDB files)
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts redis-server in dir (which holds its files) with the given
// extra arguments (such as "--appendonly", "yes"), on a free loopback
// port, and waits until it answers PING. It keeps nothing on disk unless
// the arguments ask it to.
func Start(ctx context.Context, dir string, args ...string) (*Server, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, ErrNotInstalled
	}
	var lastErr error
	for range 5 { // a free port can be taken between the probe and the bind
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, args: args}
		if lastErr = s.start(ctx); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

func (s *Server) start(ctx context.Context) error {
	_, port, _ := net.SplitHostPort(s.Addr)
	argv := append([]string{"--bind", "127.0.0.1", "--port", port, "--dir", s.Dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--logfile", "redis.log"}, s.args...)
	s.cmd = exec.Command("redis-server", argv...)
	s.cmd.Dir = s.Dir
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("redisproc: %w", err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(s.Dir + "/redis.log")
			return fmt.Errorf("redisproc: redis-server exited: %s", tail(log))
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.Kill()
			return fmt.Errorf("redisproc: redis-server on %s did not answer: %v", s.Addr, err)
		}
		time.Sleep(10 * time.Millisecond) // waiting for a child process to listen
	}
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Restart starts the server again on the same port and directory after a
// Kill or Stop (with its AOF, if it kept one).
func (s *Server) Restart(ctx context.Context) error { return s.start(ctx) }

// Kill ends the server with SIGKILL and waits for it.
func (s *Server) Kill() { s.signal(syscall.SIGKILL) }

// Stop ends the server with SIGTERM (it writes what its settings ask) and
// waits for it.
func (s *Server) Stop() { s.signal(syscall.SIGTERM) }

// Pause stops the process (SIGSTOP): it holds its connections but answers
// nothing until Resume.
func (s *Server) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (s *Server) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server cannot handle SIGTERM
	_ = s.cmd.Process.Signal(sig)
	<-s.done
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte) string {
	if len(b) > 400 {
		b = b[len(b)-400:]
	}
	return string(b)
}

// TB is what StartForTest needs of a *testing.T.
type TB interface {
	Helper()
	TempDir() string
	Skip(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// StartForTest starts a server for a test in a directory of the test's own:
// the test is skipped when redis-server is not installed, fails when it
// does not start, and stops the server when it ends.
func StartForTest(t TB, args ...string) *Server {
	t.Helper()
	srv, err := Start(context.Background(), t.TempDir(), args...)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}
