package runtimeapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
)

// The test programs, built once per test binary into binDir.
var (
	binDir    string
	buildOnce sync.Once
	buildErr  error
)

func TestMain(m *testing.M) {
	if exe := os.Getenv("RUNTIMEAPI_TEST_SERVER"); exe != "" {
		serveForever(exe)
	}
	dir, err := os.MkdirTemp("", "runtimeapi-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// programs builds testdata/handler (aws-lambda-go) as binDir/handler and
// testdata/bootstrap (a hand-written custom runtime) as
// binDir/code/bootstrap.
func programs(tb testing.TB) {
	tb.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		for _, b := range []struct{ pkg, out string }{
			{"./testdata/handler", filepath.Join(binDir, "handler")},
			{"./testdata/bootstrap", filepath.Join(binDir, "code", "bootstrap")},
		} {
			cmd := exec.Command(goTool, "build", "-o", b.out, b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	require.NoError(tb, buildErr)
}

// logs collects a pool's log records.
type logs struct {
	mu      sync.Mutex
	records []string // "stream function: message"
	changed chan struct{}
}

func newLogs() *logs { return &logs{changed: make(chan struct{}, 1)} }

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logsWith{l: l, attrs: attrs}
}
func (l *logs) WithGroup(string) slog.Handler { return l }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	return (&logsWith{l: l}).Handle(context.Background(), r)
}

type logsWith struct {
	l     *logs
	attrs []slog.Attr
}

func (h *logsWith) Enabled(context.Context, slog.Level) bool { return true }
func (h *logsWith) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logsWith{l: h.l, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}
func (h *logsWith) WithGroup(string) slog.Handler { return h }
func (h *logsWith) Handle(_ context.Context, r slog.Record) error {
	var fn, stream string
	for _, a := range h.attrs {
		if a.Key == "function" {
			fn = a.Value.String()
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "stream" {
			stream = a.Value.String()
		}
		return true
	})
	h.l.mu.Lock()
	h.l.records = append(h.l.records, stream+" "+fn+": "+r.Message)
	h.l.mu.Unlock()
	select {
	case h.l.changed <- struct{}{}:
	default:
	}
	return nil
}

// has: a record contains s.
func (l *logs) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.records {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}

// bundle is a test's pool and what it looks at.
type bundle struct {
	pool *Pool
	logs *logs
}

// setup makes a pool; at the test's end it is closed and no process of
// it may be left.
func setup(t *testing.T, opts Options) *bundle {
	t.Helper()
	programs(t)
	b := &bundle{logs: newLogs()}
	opts.Logger = slog.New(b.logs)
	b.pool = New(opts)
	seen := map[int]bool{}
	var seenMu sync.Mutex
	b.pool.testStarted = func(pid int) {
		seenMu.Lock()
		seen[pid] = true
		seenMu.Unlock()
	}
	t.Cleanup(func() {
		require.NoError(t, b.pool.Close())
		assert.Zero(t, b.pool.Sandboxes())
		seenMu.Lock()
		defer seenMu.Unlock()
		for pid := range seen {
			assert.False(t, alive(pid), "process %d outlived Close", pid)
		}
	})
	return b
}

// alive: a process of that id exists and is not a zombie (the pool
// reaps its children; a grandchild is reaped by whoever adopts it, which
// in a container may be never).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return runtime.GOOS != "linux"
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}

// handlerFn is a function running testdata/handler.
func handlerFn(name string) *function.Config {
	return &function.Config{
		Name:                name,
		ARN:                 "arn:aws:lambda:eu-west-3:123456789012:function:" + name,
		Version:             "$LATEST",
		Executable:          filepath.Join(binDir, "handler"),
		Handler:             "bootstrap",
		Runtime:             "provided.al2023",
		Timeout:             10 * time.Second,
		ReservedConcurrency: -1,
	}
}

// bootstrapFn is a function running testdata/bootstrap from its code
// directory, by a relative Executable.
func bootstrapFn(name string) *function.Config {
	return &function.Config{
		Name:                name,
		ARN:                 "arn:aws:lambda:us-west-2:123456789012:function:" + name,
		Version:             "3",
		Executable:          "bootstrap",
		CodeDir:             filepath.Join(binDir, "code"),
		Handler:             "function.handler",
		Runtime:             "provided.al2023",
		Timeout:             10 * time.Second,
		ReservedConcurrency: -1,
	}
}

func (b *bundle) invoke(t *testing.T, fn *function.Config, event string) *function.Result {
	t.Helper()
	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(event)})
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	return res
}

// pidOf invokes the handler's "pid" op: the process that ran it.
func (b *bundle) pidOf(t *testing.T, fn *function.Config) int {
	t.Helper()
	res := b.invoke(t, fn, `{"op":"pid"}`)
	require.Empty(t, res.FunctionError, string(res.Payload))
	var out struct{ Pid int }
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	require.NotZero(t, out.Pid)
	return out.Pid
}

// errorDoc decodes a function error's document.
func errorDoc(t *testing.T, res *function.Result) messages.InvokeResponse_Error {
	t.Helper()
	require.Equal(t, "Unhandled", res.FunctionError, string(res.Payload))
	var doc messages.InvokeResponse_Error
	require.NoError(t, json.Unmarshal(res.Payload, &doc), string(res.Payload))
	return doc
}

// eventually waits for cond, checking it each time the pool's state may
// have changed and at most every 10 ms, for up to 10 s.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	assert.Eventually(t, cond, 10*time.Second, 10*time.Millisecond, msg)
}

func TestEchoIsWarmAndReusesItsProcess(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("echo")
	res := b.invoke(t, fn, `{"op":"echo","value":{"a":[1,2,3]}}`)
	assert.Empty(t, res.FunctionError)
	assert.JSONEq(t, `{"op":"echo","value":{"a":[1,2,3]}}`, string(res.Payload))
	assert.Equal(t, "$LATEST", res.ExecutedVersion)

	first := b.pidOf(t, fn)
	for range 3 {
		assert.Equal(t, first, b.pidOf(t, fn), "a warm start runs in the same process")
	}
	assert.Equal(t, 1, b.pool.Sandboxes())
}

func TestCustomErrorTypeIsTheFunctionError(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("fail")
	pid := b.pidOf(t, fn)
	doc := errorDoc(t, b.invoke(t, fn, `{"op":"fail"}`))
	assert.Equal(t, "OrderRejected", doc.Type)
	assert.Equal(t, "order rejected: out of stock", doc.Message)
	assert.Equal(t, pid, b.pidOf(t, fn), "a handled error keeps the sandbox")
}

func TestTimeoutKillsTheProcessAndTheNextInvocationStartsAnother(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("slow")
	fn.Timeout = 300 * time.Millisecond
	pid := b.pidOf(t, fn)

	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"sleep","sleepMs":60000}`), RequestID: "req-timeout"})
	require.NoError(t, err)
	doc := errorDoc(t, res)
	assert.Equal(t, "Sandbox.Timedout", doc.Type)
	assert.Equal(t, "RequestId: req-timeout Error: Task timed out after 0.30 seconds", doc.Message)
	assert.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-timeout Error: Task timed out after 0.30 seconds"}`, string(res.Payload))
	eventually(t, func() bool { return !alive(pid) }, "the timed-out process is killed")

	next := b.pidOf(t, fn)
	assert.NotEqual(t, pid, next)
}

func TestPanicIsReportedAndTheProcessRestarts(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("panics")
	pid := b.pidOf(t, fn)
	doc := errorDoc(t, b.invoke(t, fn, `{"op":"panic"}`))
	assert.Equal(t, "string", doc.Type, "aws-lambda-go names a panic by its value's type")
	assert.Equal(t, "boom", doc.Message)
	assert.NotEmpty(t, doc.StackTrace)
	// aws-lambda-go exits after a panic; the next invocation gets a new
	// process, whether or not the exit was seen yet.
	eventually(t, func() bool { return !alive(pid) }, "the panicked process exits")
	assert.NotEqual(t, pid, b.pidOf(t, fn))
}

func TestExitMidInvocationIsRuntimeExitError(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("exits")
	pid := b.pidOf(t, fn)
	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"exit","code":3}`), RequestID: "req-exit"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-exit Error: Runtime exited with error: exit status 3"}`, string(res.Payload))
	assert.Equal(t, "Unhandled", res.FunctionError)

	res, err = b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"exit","code":0}`), RequestID: "req-exit0"})
	require.NoError(t, err)
	assert.Equal(t, "RequestId: req-exit0 Error: Runtime exited without providing a reason", errorDoc(t, res).Message)
	assert.NotEqual(t, pid, b.pidOf(t, fn), "a crashed sandbox is replaced")
}

func TestInitExitIsRuntimeExitErrorAndLogged(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("init-exits")
	fn.Environment = map[string]string{"EXIT_IN_INIT": "1"}
	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`), RequestID: "req-init"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-init Error: Runtime exited with error: exit status 4"}`, string(res.Payload))
	eventually(t, func() bool { return b.logs.has("stderr init-exits: failing in init") }, "the process's stderr is logged with the function's name")
	eventually(t, func() bool { return b.pool.Sandboxes() == 0 }, "the failed sandbox is forgotten")
}

func TestInitErrorPostedAnswersTheInvocation(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := bootstrapFn("init-error")
	fn.Environment = map[string]string{"MODE": "init-error"}
	res := b.invoke(t, fn, `{}`)
	doc := errorDoc(t, res)
	assert.Equal(t, "Runtime.ConfigError", doc.Type)
	assert.Equal(t, "TABLE_NAME is not set", doc.Message)
	assert.Equal(t, "3", res.ExecutedVersion)
	eventually(t, func() bool { return b.pool.Sandboxes() == 0 }, "the sandbox stops after an init error")
}

func TestExecutableThatCannotStartIsInvalidEntrypoint(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("missing")
	fn.Executable = filepath.Join(t.TempDir(), "bootstrap")
	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`), RequestID: "req-missing"})
	require.NoError(t, err)
	doc := errorDoc(t, res)
	assert.Equal(t, "Runtime.InvalidEntrypoint", doc.Type)
	assert.Equal(t, "RequestId: req-missing Error: fork/exec "+fn.Executable+": no such file or directory", doc.Message)

	notExec := filepath.Join(t.TempDir(), "bootstrap")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644))
	fn = handlerFn("not-executable")
	fn.Executable = notExec
	doc = errorDoc(t, b.invoke(t, fn, `{}`))
	assert.Equal(t, "Runtime.InvalidEntrypoint", doc.Type)
	assert.Contains(t, doc.Message, "permission denied")
	assert.Zero(t, b.pool.Sandboxes())
}

func TestEnvironmentIsLambdas(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{Environment: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "SHARED": "pool"}})
	fn := handlerFn("env")
	fn.CodeDir = t.TempDir()
	fn.MemorySize = 256
	fn.Environment = map[string]string{"TABLE": "orders", "SHARED": "function", "AWS_LAMBDA_FUNCTION_NAME": "spoofed"}
	res := b.invoke(t, fn, `{"op":"env"}`)
	require.Empty(t, res.FunctionError, string(res.Payload))
	var env map[string]string
	require.NoError(t, json.Unmarshal(res.Payload, &env))
	for k, v := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "env",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/env",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_REGION":                      "eu-west-3",
		"AWS_DEFAULT_REGION":              "eu-west-3",
		"LAMBDA_TASK_ROOT":                fn.CodeDir,
		"(cwd)":                           fn.CodeDir,
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"TABLE":                           "orders",
		"SHARED":                          "function",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:1",
	} {
		assert.Equal(t, v, env[k], k)
	}
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, env["AWS_LAMBDA_RUNTIME_API"])
	assert.Regexp(t, `^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`, env["AWS_LAMBDA_LOG_STREAM_NAME"])
	assert.NotContains(t, env, "AWS_EXECUTION_ENV", "not defined for an OS-only runtime")
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$`, env["_X_AMZN_TRACE_ID"], "aws-lambda-go sets it from Lambda-Runtime-Trace-Id")

	fn = handlerFn("env-managed")
	fn.Runtime = "nodejs22.x"
	res = b.invoke(t, fn, `{"op":"env"}`)
	require.NoError(t, json.Unmarshal(res.Payload, &env))
	assert.Equal(t, "AWS_Lambda_nodejs22.x", env["AWS_EXECUTION_ENV"], "defined for a managed runtime")
	assert.Equal(t, filepath.Dir(fn.Executable), env["LAMBDA_TASK_ROOT"], "the executable's directory when there is no code directory")
}

func TestContextCarriesDeadlineRequestIDClientContextAndTrace(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("ctx")
	fn.Version = "7"
	deadline := time.Now().Add(5 * time.Second).Truncate(time.Millisecond)
	inv := &function.Invocation{
		Payload:       []byte(`{"op":"ctx"}`),
		RequestID:     "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
		ClientContext: base64.StdEncoding.EncodeToString([]byte(`{"custom":{"tenant":"acme"}}`)),
		TraceParent:   "00-5bef4de7ad49b0e87f6ef6c87fc2e700-9a9197af755a6419-01",
		Deadline:      deadline,
	}
	res, err := b.pool.Invoke(context.Background(), fn, inv)
	require.NoError(t, err)
	require.Empty(t, res.FunctionError, string(res.Payload))
	assert.Equal(t, "7", res.ExecutedVersion)
	var out struct {
		RequestID     string            `json:"requestId"`
		FunctionARN   string            `json:"functionArn"`
		DeadlineMs    int64             `json:"deadlineMs"`
		ClientContext map[string]string `json:"clientContext"`
		TraceID       string            `json:"traceId"`
		EnvTraceID    string            `json:"envTraceId"`
		FunctionName  string            `json:"functionName"`
		Version       string            `json:"version"`
		Memory        int               `json:"memory"`
		LogGroup      string            `json:"logGroup"`
	}
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.Equal(t, inv.RequestID, out.RequestID)
	assert.Equal(t, fn.ARN+":7", out.FunctionARN)
	assert.Equal(t, deadline.UnixMilli(), out.DeadlineMs, "the caller's deadline is the handler's")
	assert.Equal(t, map[string]string{"tenant": "acme"}, out.ClientContext)
	assert.Equal(t, "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1", out.TraceID)
	assert.Equal(t, out.TraceID, out.EnvTraceID)
	assert.Equal(t, "ctx", out.FunctionName)
	assert.Equal(t, "7", out.Version)
	assert.Equal(t, 128, out.Memory)
	assert.Equal(t, "/aws/lambda/ctx", out.LogGroup)

	// Without a caller's deadline, it is the hand-over plus the timeout.
	before := time.Now()
	res = b.invoke(t, fn, `{"op":"ctx"}`)
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.GreaterOrEqual(t, out.DeadlineMs, before.Add(fn.Timeout).UnixMilli())
	assert.LessOrEqual(t, out.DeadlineMs, time.Now().Add(fn.Timeout).UnixMilli())
	assert.Len(t, out.RequestID, 36, "a request id is made when the caller gives none")

	res, err = b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"ctx"}`), RequestID: "exec/1 step"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.Len(t, out.RequestID, 36, "an id unfit for a header and a path is replaced")
}

func TestConcurrencyIsBoundedByReservedConcurrencyAndThePool(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxSandboxes: 3})
	for _, tc := range []struct {
		name     string
		reserved int
		bound    int
	}{{"reserved", 2, 2}, {"pool", -1, 3}} {
		fn := handlerFn("bounded-" + tc.name)
		pids := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				fn := *fn
				fn.ReservedConcurrency = tc.reserved
				res, err := b.pool.Invoke(context.Background(), &fn, &function.Invocation{Payload: []byte(`{"op":"pid"}`)})
				if !assert.NoError(t, err) || !assert.Empty(t, res.FunctionError) {
					return
				}
				var out struct{ Pid int }
				assert.NoError(t, json.Unmarshal(res.Payload, &out))
				mu.Lock()
				pids[out.Pid]++
				mu.Unlock()
			})
		}
		wg.Wait()
		assert.LessOrEqual(t, len(pids), tc.bound, tc.name)
		assert.LessOrEqual(t, b.pool.Sandboxes(), 3)
		total := 0
		for _, n := range pids {
			total += n
		}
		assert.Equal(t, 8, total, "every invocation ran (waiting for a sandbox)")
	}
}

func TestThrottledBeyondTheBound(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("throttled")
	fn.ReservedConcurrency = 0
	_, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`)})
	var ferr *function.Error
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, "Lambda.TooManyRequestsException", ferr.Name)
	assert.Contains(t, ferr.Cause, "ReservedFunctionConcurrentInvocationLimitExceeded")

	fn = handlerFn("one-at-a-time")
	fn.ReservedConcurrency = 1
	busy := make(chan error, 1)
	go func() {
		_, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"sleep","sleepMs":60000}`)})
		busy <- err
	}()
	eventually(t, func() bool { return b.pool.Sandboxes() == 1 }, "the first invocation holds the only sandbox")
	_, err = b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`), Deadline: time.Now().Add(100 * time.Millisecond)})
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, "Lambda.TooManyRequestsException", ferr.Name)

	require.NoError(t, b.pool.Close())
	require.ErrorAs(t, <-busy, &ferr, "Close ends a running invocation")
	assert.Equal(t, "Lambda.ServiceException", ferr.Name)
	_, err = b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`)})
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, "Lambda.ServiceException", ferr.Name)
}

func TestIdleSandboxesStop(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{IdleTimeout: 50 * time.Millisecond})
	pid := b.pidOf(t, handlerFn("idle"))
	eventually(t, func() bool { return b.pool.Sandboxes() == 0 && !alive(pid) }, "an idle sandbox stops after the idle timeout")
}

func TestCloseLeavesNoProcess(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("close")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { b.pidOf(t, fn) })
	}
	wg.Wait()
	busy := make(chan error, 1)
	go func() {
		_, err := b.pool.Invoke(context.Background(), handlerFn("close-busy"), &function.Invocation{Payload: []byte(`{"op":"sleep","sleepMs":60000}`)})
		busy <- err
	}()
	eventually(t, func() bool { return len(b.pool.Pids()) >= 2 }, "sandboxes run")
	pids := b.pool.Pids()
	require.NoError(t, b.pool.Close())
	require.NoError(t, b.pool.Close(), "Close is idempotent")
	for _, pid := range pids {
		assert.False(t, alive(pid), "process %d outlived Close", pid)
	}
	var ferr *function.Error
	require.ErrorAs(t, <-busy, &ferr)
	assert.Equal(t, "Lambda.ServiceException", ferr.Name)
	assert.Empty(t, b.pool.Pids())
}

func TestConfigurationChangeStartsNewSandboxes(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("changes")
	pid := b.pidOf(t, fn)
	fn.Environment = map[string]string{"COLOR": "blue"}
	fn.RevisionID = "r2"
	next := b.pidOf(t, fn)
	assert.NotEqual(t, pid, next)
	eventually(t, func() bool { return !alive(pid) }, "the old configuration's idle sandbox stops")
	fn.ReservedConcurrency = 5
	fn.Timeout = 20 * time.Second
	assert.Equal(t, next, b.pidOf(t, fn), "concurrency and timeout changes keep the sandboxes")
}

func TestCallerGivingUpLeavesTheInvocationToFinish(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("abandoned")
	fn.ReservedConcurrency = 1
	pid := b.pidOf(t, fn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := b.pool.Invoke(ctx, fn, &function.Invocation{Payload: []byte(`{"op":"slowlog","sleepMs":300}`)})
		done <- err
	}()
	eventually(t, func() bool {
		b.pool.mu.Lock()
		defer b.pool.mu.Unlock()
		for sb := range b.pool.all {
			sb.mu.Lock()
			running := sb.cur != nil
			sb.mu.Unlock()
			if running {
				return true
			}
		}
		return false
	}, "the sandbox runs the invocation")
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Equal(t, pid, b.pidOf(t, fn), "the sandbox is handed back once the invocation ends")
	eventually(t, func() bool { return b.logs.has("stdout abandoned: woke after 300") }, "the invocation ran to its end")
}

func TestAnotherFunctionsIdleSandboxMakesRoom(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxSandboxes: 1})
	a := b.pidOf(t, handlerFn("first"))
	c := b.pidOf(t, handlerFn("second"))
	assert.NotEqual(t, a, c)
	assert.False(t, alive(a), "the idle sandbox of the first function was stopped")
	assert.Equal(t, 1, b.pool.Sandboxes())
}

func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("big")
	pid := b.pidOf(t, fn)
	doc := errorDoc(t, b.invoke(t, fn, fmt.Sprintf(`{"op":"big","size":%d}`, MaxResponseSize)))
	assert.Equal(t, "Function.ResponseSizeTooLarge", doc.Type)
	assert.Equal(t, "Response payload size exceeded maximum allowed payload size (6291556 bytes).", doc.Message)
	// aws-lambda-go fails on the 413 and exits; the next one is a new process.
	assert.NotEqual(t, pid, b.pidOf(t, fn))

	res := b.invoke(t, fn, fmt.Sprintf(`{"op":"big","size":%d}`, MaxResponseSize-2))
	assert.Empty(t, res.FunctionError, "a response of exactly the limit is taken")
	assert.Len(t, res.Payload, MaxResponseSize)

	_, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: make([]byte, MaxPayloadSize+1)})
	var ferr *function.Error
	require.ErrorAs(t, err, &ferr)
	assert.Equal(t, "Lambda.RequestTooLargeException", ferr.Name)
	assert.Equal(t, "6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)", ferr.Cause)
}

func TestBadClientContextIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	for _, cc := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("not json")), base64.StdEncoding.EncodeToString([]byte(`{"custom":"` + strings.Repeat("x", MaxClientContext) + `"}`))} {
		_, err := b.pool.Invoke(context.Background(), handlerFn("cc"), &function.Invocation{Payload: []byte(`{}`), ClientContext: cc})
		var ferr *function.Error
		require.ErrorAs(t, err, &ferr)
		assert.Equal(t, "Lambda.InvalidRequestContentException", ferr.Name)
	}
	assert.Zero(t, b.pool.Sandboxes())
}

func TestOutputIsLoggedPerLine(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	b.invoke(t, handlerFn("logger"), `{"op":"log"}`)
	eventually(t, func() bool {
		return b.logs.has("stdout logger: to stdout") && b.logs.has("stderr logger: to stderr")
	}, "stdout and stderr are logged")
}

func TestCustomRuntimeBootstrap(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := bootstrapFn("custom")

	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{
		Payload:       []byte(`{"op":"headers"}`),
		RequestID:     "req-headers",
		ClientContext: base64.StdEncoding.EncodeToString([]byte(`{"client":{"app_title":"shop"}}`)),
		TraceParent:   "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
		TraceState:    "congo=t61rcWkgMzE",
		Deadline:      time.UnixMilli(time.Now().Add(4 * time.Second).UnixMilli()),
	})
	require.NoError(t, err)
	require.Empty(t, res.FunctionError, string(res.Payload))
	var out struct {
		Headers map[string]string
		Event   json.RawMessage
	}
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	assert.JSONEq(t, `{"op":"headers"}`, string(out.Event))
	h := out.Headers
	assert.Equal(t, "req-headers", h["Lambda-Runtime-Aws-Request-Id"])
	assert.Equal(t, fn.ARN+":3", h["Lambda-Runtime-Invoked-Function-Arn"])
	assert.Regexp(t, `^\d{13}$`, h["Lambda-Runtime-Deadline-Ms"])
	assert.Equal(t, "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=0", h["Lambda-Runtime-Trace-Id"])
	assert.Equal(t, `{"client":{"app_title":"shop"}}`, h["Lambda-Runtime-Client-Context"])
	assert.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", h["Traceparent"])
	assert.Equal(t, "congo=t61rcWkgMzE", h["Tracestate"])
	assert.NotContains(t, h, "Lambda-Runtime-Cognito-Identity")

	doc := errorDoc(t, b.invoke(t, fn, `{"op":"error-header-only"}`))
	assert.Equal(t, "Custom.NoBody", doc.Type)
	res = b.invoke(t, fn, `{"op":"error-doc"}`)
	assert.Equal(t, "Unhandled", res.FunctionError)
	assert.JSONEq(t, `{"errorMessage":"it failed","errorType":"Custom.Failure","stackTrace":["main.go:1"]}`, string(res.Payload), "the runtime's document is handed on as it came")

	res = b.invoke(t, fn, `{"op":"probe"}`)
	require.Empty(t, res.FunctionError, string(res.Payload))
	assert.JSONEq(t, `{
		"unknownId":   {"status":400,"body":{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}},
		"initAfter":   {"status":403,"body":{"errorMessage":"State transition from Ready to InitError failed for runtime.","errorType":"InvalidStateTransition"}},
		"unknownPath": {"status":404,"body":{"errorMessage":"no such Runtime API resource: GET /2018-06-01/runtime/nothing","errorType":"InvalidRequest"}},
		"extension":   {"status":404,"body":{"errorMessage":"the Extensions API is not supported by Signalbox","errorType":"NotSupported"}}
	}`, string(res.Payload))
	eventually(t, func() bool {
		return b.logs.has(`PROBE first=202 again=400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`)
	}, "a second response for an answered invocation is refused")

	doc = errorDoc(t, b.invoke(t, fn, fmt.Sprintf(`{"op":"too-big","size":%d}`, MaxResponseSize)))
	assert.Equal(t, "Function.ResponseSizeTooLarge", doc.Type)
	eventually(t, func() bool {
		return b.logs.has(`TOO-BIG status=413 {"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`)
	}, "the runtime is answered 413")
	res = b.invoke(t, fn, `{"op":"echo"}`)
	assert.JSONEq(t, `{"op":"echo"}`, string(res.Payload), "the custom runtime goes on")
	assert.Equal(t, 1, b.pool.Sandboxes())
}

func TestNotARuntimeAPIFunction(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	defer p.Close()
	_, err := p.Invoke(context.Background(), &function.Config{Name: "http", Endpoint: "http://127.0.0.1:1"}, &function.Invocation{})
	var ferr *function.Error
	require.True(t, errors.As(err, &ferr))
	assert.Equal(t, "Lambda.ServiceException", ferr.Name)
}

func TestTheProcessGroupDiesWithTheSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := handlerFn("spawns")
	fn.Timeout = 2 * time.Second
	res := b.invoke(t, fn, `{"op":"spawn"}`)
	require.Empty(t, res.FunctionError, string(res.Payload))
	var out struct{ Pid, Child int }
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	require.True(t, alive(out.Child))
	doc := errorDoc(t, b.invoke(t, fn, `{"op":"sleep","sleepMs":60000}`))
	require.Equal(t, "Sandbox.Timedout", doc.Type)
	eventually(t, func() bool { return !alive(out.Pid) && !alive(out.Child) }, "a timeout kills the process and what it started")

	res = b.invoke(t, fn, `{"op":"spawn"}`)
	require.NoError(t, json.Unmarshal(res.Payload, &out))
	require.NoError(t, b.pool.Close())
	assert.False(t, alive(out.Pid))
	eventually(t, func() bool { return !alive(out.Child) }, "Close kills what a sandbox started")
}

// TestCloseLeavesNoGoroutine runs alone (not parallel): the goroutines
// of a pool that started, reused, timed out, crashed and stopped
// sandboxes are all gone after Close.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	programs(t)
	before := runtime.NumGoroutine()
	p := New(Options{Logger: slog.New(slog.DiscardHandler)})
	fn := handlerFn("goroutines")
	fn.Timeout = 500 * time.Millisecond
	var wg sync.WaitGroup
	for _, ev := range []string{`{"op":"echo"}`, `{"op":"echo"}`, `{"op":"sleep","sleepMs":60000}`, `{"op":"exit","code":1}`, `{"op":"panic"}`, `{"op":"fail"}`} {
		wg.Go(func() {
			_, err := p.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(ev)})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	abandoned := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, fn, &function.Invocation{Payload: []byte(`{"op":"sleep","sleepMs":60000}`)})
		abandoned <- err
	}()
	eventually(t, func() bool { return p.Sandboxes() > 0 }, "a sandbox runs")
	cancel()
	<-abandoned
	require.NoError(t, p.Close())
	// Polled here, not by assert.Eventually: its condition runs on a
	// goroutine of its own.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for end := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before; <-tick.C {
		if time.Now().After(end) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines outlive Close (%d before):\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
	}
}

func TestInitThatNeverEndsIsKilledAfterTheInitTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{InitTimeout: 200 * time.Millisecond})
	fn := bootstrapFn("hangs")
	fn.Environment = map[string]string{"MODE": "hang"}
	res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`), RequestID: "req-hang"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-hang Error: Init timed out after 0.20 seconds"}`, string(res.Payload))
	assert.Equal(t, "Unhandled", res.FunctionError)
	eventually(t, func() bool { return b.pool.Sandboxes() == 0 }, "the sandbox is gone")

	// A caller's deadline that comes first answers a timeout, and the
	// sandbox still initializing is left to the next invocation.
	res, err = b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{}`), RequestID: "req-early", Deadline: time.Now().Add(50 * time.Millisecond)})
	require.NoError(t, err)
	assert.Equal(t, "Sandbox.Timedout", errorDoc(t, res).Type)
}

// serveForever is the test binary run as a server for
// TestKilledServerLeavesNoFunctionRunning: it starts a sandbox of exe (the
// custom runtime, in a mode where it survives losing its Runtime API),
// prints its process id and waits to be killed.
func serveForever(exe string) {
	p := New(Options{Logger: slog.New(slog.DiscardHandler)})
	fn := bootstrapFn("orphan")
	fn.Executable, fn.CodeDir = exe, filepath.Dir(exe)
	fn.Environment = map[string]string{"MODE": "stubborn"} // it would outlive the API
	res, err := p.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"pid"}`)})
	if err != nil || res.FunctionError != "" {
		fmt.Fprintln(os.Stderr, "error", err, res)
		os.Exit(1)
	}
	fmt.Println(string(res.Payload))
	_, _ = io.Copy(io.Discard, os.Stdin) // until killed
	os.Exit(0)
}

func TestKilledServerLeavesNoFunctionRunning(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal is Linux's")
	}
	t.Parallel()
	programs(t)
	server := exec.Command(os.Args[0], "-test.run=^$")
	server.Env = append(os.Environ(), "RUNTIMEAPI_TEST_SERVER="+filepath.Join(binDir, "code", "bootstrap"))
	stdin, err := server.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := server.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, server.Start())
	var out struct{ Pid int }
	require.NoError(t, json.NewDecoder(stdout).Decode(&out))
	require.True(t, alive(out.Pid))

	require.NoError(t, server.Process.Signal(syscall.SIGKILL))
	_ = server.Wait()
	eventually(t, func() bool { return !alive(out.Pid) }, "the function dies with the server")
}

func TestARuntimeThatExitsAfterItsResponseHasAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{})
	fn := bootstrapFn("one-shot")
	for range 3 {
		res := b.invoke(t, fn, `{"op":"once"}`)
		assert.Empty(t, res.FunctionError, string(res.Payload))
		assert.Equal(t, `"done"`, string(res.Payload))
	}
}

func TestFunctionsShareAFullPool(t *testing.T) {
	t.Parallel()
	b := setup(t, Options{MaxSandboxes: 2})
	var wg sync.WaitGroup
	for _, name := range []string{"share-a", "share-b", "share-c"} {
		fn := handlerFn(name)
		for range 5 {
			wg.Go(func() {
				res, err := b.pool.Invoke(context.Background(), fn, &function.Invocation{Payload: []byte(`{"op":"echo"}`)})
				if assert.NoError(t, err) {
					assert.Empty(t, res.FunctionError, string(res.Payload))
				}
				assert.LessOrEqual(t, b.pool.Sandboxes(), 2)
			})
		}
	}
	wg.Wait()
	assert.LessOrEqual(t, b.pool.Sandboxes(), 2)
}
