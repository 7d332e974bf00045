package managedredis

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// start starts a server in dir for a test, skipping the test when
// redis-server is not installed.
func start(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := Start(context.Background(), dir)
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func client(t *testing.T, s *Server) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(s.URL())
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// The server listens on its socket only, with an AOF (everysec) in its
// directory; its log and pid file are there too. What it acknowledged is
// there after Stop and a new Start.
func TestStartKeepsItsFilesAndDataInTheDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir)
	ctx := context.Background()
	rdb := client(t, s)
	cfg, err := rdb.ConfigGet(ctx, "*").Result()
	require.NoError(t, err)
	require.Equal(t, "yes", cfg["appendonly"])
	require.Equal(t, "everysec", cfg["appendfsync"])
	require.Equal(t, "0", cfg["port"])
	require.Equal(t, s.Socket, cfg["unixsocket"])
	require.Equal(t, dir, cfg["dir"])
	for _, f := range []string{SocketFile, PIDFile, LogFile, LockFile} {
		require.FileExists(t, filepath.Join(dir, f))
	}
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	require.NoError(t, s.Stop())
	require.NoFileExists(t, filepath.Join(dir, PIDFile), "redis-server removes its pid file when it exits")

	s2 := start(t, dir)
	got, err := client(t, s2).Get(ctx, "k").Result()
	require.NoError(t, err)
	require.Equal(t, "v", got)
}

// A second owner of a directory is refused while the first holds it, and
// admitted once it has stopped.
func TestASecondStartOnTheDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir)
	_, err := Start(context.Background(), dir)
	var inUse *InUseError
	require.ErrorAs(t, err, &inUse)
	require.Equal(t, os.Getpid(), inUse.PID)
	require.Contains(t, err.Error(), "is in use by process "+strconv.Itoa(os.Getpid()))
	require.NoError(t, s.Stop())
	start(t, dir)
}

// What a killed owner leaves does not stop the next start: a redis-server
// still running (its owner's lock gone, as when the owner is killed) is
// stopped, writing its AOF, and a new one takes over with the data; a
// SIGKILLed one's socket and pid file are stale and replaced.
func TestStartAfterAKilledOwner(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	s := start(t, dir)
	require.NoError(t, client(t, s).Set(ctx, "k", "left running", 0).Err())
	s.unlock() // the owner dies; its redis-server runs on

	s2 := start(t, dir)
	select {
	case <-s.Done():
	default:
		t.Fatal("the redis-server left running was not stopped")
	}
	require.Equal(t, "left running", client(t, s2).Get(ctx, "k").Val())

	require.NoError(t, client(t, s2).Set(ctx, "k", "killed", 0).Err())
	s2.kill()
	s2.unlock()
	require.FileExists(t, filepath.Join(dir, SocketFile), "a killed redis-server leaves its socket")
	require.FileExists(t, filepath.Join(dir, PIDFile), "a killed redis-server leaves its pid file")
	s3 := start(t, dir)
	// Redis writes its AOF before it answers: a killed process (not host)
	// loses nothing it acknowledged.
	require.Equal(t, "killed", client(t, s3).Get(ctx, "k").Val())
}

// A pid file naming a live process that is not the directory's
// redis-server (a pid reused after a reboot) is stale: that process is
// left alone.
func TestStartLeavesAReusedPIDAlone(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip(err)
	}
	other := exec.Command("sleep", "60")
	require.NoError(t, other.Start())
	t.Cleanup(func() { _ = other.Process.Kill(); _ = other.Wait() })
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, PIDFile), []byte(strconv.Itoa(other.Process.Pid)+"\n"), 0o644))
	start(t, dir)
	require.NoError(t, other.Process.Signal(syscall.Signal(0)), "the other process was signalled")
}

// Without redis-server on PATH, Start says what to install.
func TestStartWithoutRedisServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(context.Background(), t.TempDir())
	require.ErrorIs(t, err, ErrNotInstalled)
	require.Contains(t, err.Error(), "apt-get install redis-server")
	require.Contains(t, err.Error(), "brew install redis")
}

// A directory whose socket path unix sockets cannot take is refused
// before anything starts.
func TestStartRefusesALongDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	_, err := Start(context.Background(), dir)
	require.ErrorContains(t, err, "choose a shorter data directory")
	require.NoDirExists(t, dir)
}
