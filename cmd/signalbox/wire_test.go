package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// The file's values go to the flags not given on the command line; a flag
// given wins, and so does a Redis URL from $SIGNALBOX_REDIS_URL (the
// flag's default).
func TestConfigFlagsGiveTheFileToTheFlagsNotGiven(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": `addr: 127.0.0.1:9999
region: eu-west-1
redis: {url: "redis://file:6379/0", prefix: fromfile, timeout: 750ms}
`})
	file := filepath.Join(dir, "signalbox.yaml")
	parse := func(envURL string, args ...string) (*flag.FlagSet, map[string]string) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.String("addr", "127.0.0.1:8080", "")
		fs.String("region", "us-east-1", "")
		fs.String("account", "123456789012", "")
		fs.String("redis-url", envURL, "")
		fs.String("redis-prefix", store.DefaultPrefix, "")
		fs.Duration("redis-timeout", store.DefaultTimeout, "")
		require.NoError(t, fs.Parse(args))
		var stderr bytes.Buffer
		cfg, code := configFlags("serve", fs, file, &stderr)
		require.NotNil(t, cfg, stderr.String())
		require.Zero(t, code)
		got := map[string]string{}
		fs.VisitAll(func(f *flag.Flag) { got[f.Name] = f.Value.String() })
		return fs, got
	}

	_, got := parse("")
	require.Equal(t, map[string]string{
		"addr": "127.0.0.1:9999", "region": "eu-west-1", "account": "123456789012",
		"redis-url": "redis://file:6379/0", "redis-prefix": "fromfile", "redis-timeout": (750 * time.Millisecond).String(),
	}, got)

	_, got = parse("redis://env:6379/0", "--addr", "127.0.0.1:0", "--redis-prefix", "flag", "--redis-timeout", "2s")
	require.Equal(t, map[string]string{
		"addr": "127.0.0.1:0", "region": "eu-west-1", "account": "123456789012",
		"redis-url": "redis://env:6379/0", "redis-prefix": "flag", "redis-timeout": "2s",
	}, got)
}

// worker reads the same file as serve, and refuses a bad one the same way.
func TestWorkerRefusesABadConfig(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": "redis: {url: \"redis://127.0.0.1:1/0\"}\nroutes:\n  - {method: POST, path: nope, stateMachine: x}\n"})
	file := filepath.Join(dir, "signalbox.yaml")
	res := runCLI(t, "", "worker", "--config", file)
	require.Equal(t, 2, res.code, res.stderr)
	require.Contains(t, res.stderr, file+`:3: routes[0].path: "nope" must start with /`)
	require.Contains(t, res.stderr, "signalbox worker: 1 problem(s) in "+file+"; nothing started")
}

// worker --config takes the store of the file's redis section and creates
// the file's state machines, as serve does.
func TestWorkerAppliesItsConfig(t *testing.T) {
	url := os.Getenv(store.EnvRedisURL)
	if url == "" {
		t.Skip("needs a shared Redis: set " + store.EnvRedisURL)
	}
	t.Parallel()
	ctx := context.Background()
	prefix := storetest.Prefix("sbwc-")
	st, err := store.Open(ctx, store.Options{URL: url, Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, st.Purge(context.Background()))
		_ = st.Close()
	})
	dir := writeFiles(t, map[string]string{
		"echo.asl.json":  cfgEcho,
		"signalbox.yaml": "redis: {url: \"" + url + "\", prefix: " + prefix + "}\nstateMachines:\n  - {name: echo, definition: echo.asl.json}\n",
	})
	worker := exec.Command(signalbox(t), "worker", "--config", filepath.Join(dir, "signalbox.yaml"))
	worker.Env = append(os.Environ(), store.EnvRedisURL+"=")
	var werr bytes.Buffer
	worker.Stderr = &werr
	require.NoError(t, worker.Start())
	done := make(chan error, 1)
	go func() { done <- worker.Wait() }()

	d := newRuntime(st, nodeOptions{}, newIntegrations(newQueues(st, nodeOptions{}), nil, nil), nil, nil)
	deadline := time.Now().Add(30 * time.Second) // a safety net: the poll ends when the worker has applied the file
	for {
		info, err := d.DescribeStateMachine(ctx, "echo")
		if err == nil {
			require.Equal(t, cfgEcho, string(info.Definition))
			break
		}
		require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist)
		require.True(t, time.Now().Before(deadline), "the worker did not create the state machine; its log:\n%s", werr.String())
		select {
		case err := <-done:
			t.Fatalf("the worker exited: %v\n%s", err, werr.String())
		case <-time.After(20 * time.Millisecond): // the poll's interval
		}
	}
	stopWorker(t, worker, done, &werr)
	require.Contains(t, werr.String(), "state machine created echo")
}
