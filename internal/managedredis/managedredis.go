// Package managedredis runs the redis-server that `signalbox serve
// --data-dir DIR` keeps its store in: the system's own redis-server as a
// child process, with append-only persistence (appendonly yes,
// appendfsync everysec) and every file in DIR (the AOF directory, its log,
// its pid file), listening on a unix socket in DIR and on no TCP port.
//
// One Signalbox owns a directory at a time: a lock file (flock, released
// by the kernel when the process dies, even by SIGKILL) refuses a second
// one. What a killed owner leaves behind does not stop the next start: a
// stale socket or pid file is replaced, and a redis-server the dead owner
// left running (it answers on DIR's socket with the pid of DIR's pid file)
// is stopped with SIGTERM, which makes it write its AOF, before a new one
// starts.
package managedredis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// The files of a data directory.
const (
	LockFile   = "signalbox.lock" // held (flock) by the Signalbox that owns the directory; holds its pid
	SocketFile = "redis.sock"     // the redis-server's unix socket
	PIDFile    = "redis.pid"      // the redis-server's pid, written by it
	LogFile    = "redis.log"      // the redis-server's log
)

// ErrNotInstalled is returned when there is no redis-server on PATH. Its
// text says what to install.
var ErrNotInstalled = errors.New("redis-server is not on PATH: install it (Debian or Ubuntu: apt-get install redis-server; macOS: brew install redis), or give --redis-url for a Redis of your own")

// InUseError is returned when another process owns the directory.
type InUseError struct {
	Dir string
	PID int // the owner's, as its lock file says; 0 when unreadable
}

func (e *InUseError) Error() string {
	owner := "another process"
	if e.PID > 0 {
		owner = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s is in use by %s (it holds %s): one signalbox serve per data directory; stop that one first",
		e.Dir, owner, filepath.Join(e.Dir, LockFile))
}

// StopTimeout bounds how long Stop waits for redis-server to exit after
// SIGTERM (writing its AOF), before it kills it.
const StopTimeout = time.Minute

// Server is a managed redis-server child process.
type Server struct {
	Dir    string // absolute
	Socket string // DIR/redis.sock
	lock   *os.File
	cmd    *exec.Cmd
	out    *bytes.Buffer // what it printed before its log file opened
	done   chan struct{} // closed when it has exited
	once   sync.Once
}

// URL is the store URL of the server (unix://DIR/redis.sock).
func (s *Server) URL() string { return "unix://" + s.Socket }

// Done is closed when the redis-server has exited, whoever stopped it.
func (s *Server) Done() <-chan struct{} { return s.done }

// Args are the redis-server arguments Start gives for a directory: its
// settings, all on the command line.
func Args(dir string) []string {
	return []string{
		"--port", "0", // no TCP: the unix socket only
		"--unixsocket", filepath.Join(dir, SocketFile), "--unixsocketperm", "700",
		"--dir", dir,
		"--appendonly", "yes", "--appendfsync", "everysec",
		"--save", "", // the AOF is the persistence; no RDB snapshots besides it
		"--pidfile", filepath.Join(dir, PIDFile),
		"--logfile", filepath.Join(dir, LogFile),
		"--daemonize", "no",
		"--maxmemory-policy", "noeviction", // an evicted key is a lost execution
	}
}

// maxSocketPath is the longest unix socket path every system takes (macOS:
// 104 bytes with the terminating NUL; Linux 108).
const maxSocketPath = 103

// Start takes the directory dir (creating it), stops what a killed owner
// left running there, starts redis-server in it and returns once it
// answers PING (after loading its AOF). The caller stops it with Stop.
func Start(ctx context.Context, dir string) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: abs, Socket: filepath.Join(abs, SocketFile)}
	if len(s.Socket) > maxSocketPath {
		return nil, fmt.Errorf("the unix socket %s would be %d bytes long, more than unix sockets take (%d): choose a shorter data directory", s.Socket, len(s.Socket), maxSocketPath)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, err
	}
	if s.lock, err = lockDir(abs); err != nil {
		return nil, err
	}
	if err := s.start(ctx, bin); err != nil {
		s.unlock()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, bin string) error {
	if err := stopLeftover(ctx, s.Dir, s.Socket); err != nil {
		return err
	}
	s.out = &bytes.Buffer{}
	s.cmd = exec.Command(bin, Args(s.Dir)...)
	s.cmd.Dir = s.Dir
	out := &limited{b: s.out}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	s.cmd.SysProcAttr = childAttr()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting redis-server: %w", err)
	}
	s.done = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.awaitReady(ctx); err != nil {
		s.kill()
		return err
	}
	return nil
}

// awaitReady waits until the server answers PING. While it loads its AOF
// it answers LOADING, and the wait goes on; it gives up when the server
// exits, when ctx ends, or when it has not even accepted a connection
// within half a minute.
func (s *Server) awaitReady(ctx context.Context) error {
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Socket, MaxRetries: -1, DialTimeout: time.Second, Protocol: 2})
	defer rdb.Close()
	connected := false
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := rdb.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		if strings.HasPrefix(err.Error(), "LOADING") {
			connected = true
		}
		select {
		case <-s.done:
			return fmt.Errorf("redis-server exited at start: %s", s.failure())
		case <-ctx.Done():
			return fmt.Errorf("redis-server did not answer before the start was cancelled: %w", err)
		default:
		}
		if !connected && time.Now().After(deadline) {
			return fmt.Errorf("redis-server did not answer on %s within 30s: %v; its log: %s", s.Socket, err, filepath.Join(s.Dir, LogFile))
		}
		time.Sleep(10 * time.Millisecond) // the pace of polling a child process that has no readiness signal
	}
}

// failure says why the server exited: the end of its log, or what it
// printed before opening it.
func (s *Server) failure() string {
	what := strings.TrimSpace(s.out.String())
	if log, err := os.ReadFile(filepath.Join(s.Dir, LogFile)); err == nil && len(log) > 0 {
		what = string(log)
	}
	if len(what) > 600 {
		what = "..." + what[len(what)-600:]
	}
	return fmt.Sprintf("%s (%s)", strings.TrimSpace(what), filepath.Join(s.Dir, LogFile))
}

// Stop ends the server with SIGTERM (it writes its AOF and exits), waits
// for it (at most StopTimeout, then SIGKILL), and releases the directory.
// It returns an error when the server had already exited on its own, or
// had to be killed.
func (s *Server) Stop() error {
	var err error
	s.once.Do(func() {
		defer s.unlock()
		select {
		case <-s.done:
			err = fmt.Errorf("redis-server had exited: %s", s.failure())
			return
		default:
		}
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(StopTimeout):
			s.kill()
			err = fmt.Errorf("redis-server did not exit within %s of SIGTERM and was killed; see %s", StopTimeout, filepath.Join(s.Dir, LogFile))
		}
	})
	return err
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

func (s *Server) unlock() {
	if s.lock != nil {
		_ = s.lock.Close() // closing releases the flock
		s.lock = nil
	}
}

// stopLeftover stops a redis-server a killed owner of dir left running:
// the process of dir's pid file, when it is dir's redis-server (its
// working directory is dir, where /proc tells; else it answers on dir's
// socket with that pid), so that a pid reused by another process is never
// signalled. It is sent SIGTERM (again, if the kernel's parent-death
// signal already did: it may be writing its AOF and closing its socket
// right now) and waited for, so that two servers never share the files. A
// pid file whose process is gone is stale, left for the new server to
// overwrite.
func stopLeftover(ctx context.Context, dir, socket string) error {
	data, err := os.ReadFile(filepath.Join(dir, PIDFile))
	if err != nil {
		return nil // none: nothing left over
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 || pid == os.Getpid() || !alive(pid) || !isDirsServer(ctx, pid, dir, socket) {
		return nil
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		return nil
	}
	if err := proc.Signal(syscall.SIGTERM); err != nil {
		return nil // gone meanwhile
	}
	deadline := time.Now().Add(StopTimeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the redis-server left running in %s (pid %d) did not exit within %s of SIGTERM; stop it, then start again", dir, pid, StopTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond): // a process that is not our child gives no exit signal to wait on
		}
	}
	return nil
}

// isDirsServer reports whether the process pid is the redis-server of dir.
func isDirsServer(ctx context.Context, pid int, dir, socket string) bool {
	if cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd"); err == nil {
		real, err := filepath.EvalSymlinks(dir)
		return err == nil && cwd == real && isRedisServer(pid)
	}
	rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: socket, MaxRetries: -1, DialTimeout: time.Second, ReadTimeout: 5 * time.Second, Protocol: 2})
	defer rdb.Close()
	info, err := rdb.Info(ctx, "server").Result()
	return err == nil && strings.Contains(info, "process_id:"+strconv.Itoa(pid)+"\r\n")
}

// limited is a writer that keeps the first 4 KiB written to it.
type limited struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *limited) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := 4096 - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
