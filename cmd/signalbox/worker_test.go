package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

func TestWorkerNeedsASharedRedis(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(signalbox(t), "worker")
	cmd.Env = append(os.Environ(), store.EnvRedisURL+"=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 2, exit.ExitCode())
	require.Contains(t, stderr.String(), "--redis-url")
}

// TestWorkerProcessRunsExecutions starts executions in a real Redis and
// lets a `signalbox worker` child process carry them out; SIGTERM stops it.
func TestWorkerProcessRunsExecutions(t *testing.T) {
	url := os.Getenv(store.EnvRedisURL)
	if url == "" {
		t.Skip("needs a shared Redis: set " + store.EnvRedisURL)
	}
	t.Parallel()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "sbw-" + hex.EncodeToString(b[:])
	st, err := store.Open(ctx, store.Options{URL: url, Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, st.Purge(context.Background()))
		_ = st.Close()
	})

	worker := exec.Command(signalbox(t), "worker", "--redis-url", url, "--redis-prefix", prefix, "--lease", "2s")
	var wout, werr bytes.Buffer
	worker.Stdout, worker.Stderr = &wout, &werr
	require.NoError(t, worker.Start())
	done := make(chan error, 1)
	go func() { done <- worker.Wait() }()

	d := runtime.NewDurable(st, nil)
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"W"},"W":{"Type":"Wait","Seconds":1,"End":true}}}`)
	var ids []string
	for i := range 5 {
		s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: def, Input: map[string]any{"n": int64(i)}})
		require.NoError(t, err)
		ids = append(ids, s.ID)
	}
	// The worker is another process: wait for it to finish the work, with
	// a generous deadline as a safety net.
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			e, err := st.ExecutionGet(ctx, id)
			require.NoError(t, err)
			if e.Status != "RUNNING" {
				require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
				break
			}
			require.True(t, time.Now().Before(deadline), "the worker did not finish in time; its log:\n%s", werr.String())
			time.Sleep(20 * time.Millisecond)
		}
	}
	stopWorker(t, worker, done, &werr)
	require.Contains(t, wout.String(), "worker stopped")
}

// stopWorker sends a worker process SIGTERM and requires it to exit
// cleanly within 30 s (done has its Wait's result; werr its log).
func stopWorker(t *testing.T, worker *exec.Cmd, done <-chan error, werr *bytes.Buffer) {
	t.Helper()
	require.NoError(t, worker.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-done:
		require.NoError(t, err, werr.String())
	case <-time.After(30 * time.Second):
		_ = worker.Process.Kill()
		t.Fatal("the worker did not stop on SIGTERM")
	}
}
