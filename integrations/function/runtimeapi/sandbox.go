package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations/function"
)

// sandbox is one process of a function and its Runtime API endpoint.
type sandbox struct {
	p   *Pool
	fp  *fnPool
	id  int64
	pid int
	log *slog.Logger

	cmd *exec.Cmd
	srv *http.Server

	work     chan *call    // an invocation, to the runtime's GET /next
	stopping chan struct{} // closed by kill
	exited   chan struct{} // closed when the process is gone
	exitErr  error         // what Wait said; set before exited closes
	killOnce sync.Once
	killed   atomic.Bool

	// guarded by p.mu
	idle      bool
	evicted   bool // stopped to make room for another function's
	idleSince time.Time
	idleTimer *time.Timer

	mu        sync.Mutex
	ready     bool   // the runtime asked for an invocation: init is done
	initErr   []byte // the document POSTed to /runtime/init/error
	initLate  bool   // killed for not finishing init within InitTimeout
	initTimer *time.Timer
	cur       *call // the invocation handed over and not yet answered
}

// startError is an executable that cannot be started.
type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }

// start starts a sandbox of fp (the slot is counted already, and a
// p.wg count is held for it).
func (p *Pool) start(fp *fnPool, id int64) (*sandbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.wg.Done()
		return nil, &function.Error{Name: ErrService, Cause: "cannot open a Runtime API endpoint: " + err.Error()}
	}
	sb := &sandbox{
		p: p, fp: fp, id: id,
		work:     make(chan *call),
		stopping: make(chan struct{}),
		exited:   make(chan struct{}),
	}
	exe := fp.cfg.Executable
	if !filepath.IsAbs(exe) {
		exe = filepath.Join(fp.cfg.CodeDir, exe)
	}
	if abs, err := filepath.Abs(exe); err == nil {
		exe = abs
	}
	dir := fp.cfg.CodeDir
	if dir == "" {
		dir = filepath.Dir(exe)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	cmd := exec.Command(exe)
	cmd.Dir = dir
	cmd.Env = p.environment(&fp.cfg, dir, ln.Addr().String())
	isolate(cmd)
	outR, outW, err := os.Pipe()
	if err != nil {
		ln.Close()
		p.wg.Done()
		return nil, &function.Error{Name: ErrService, Cause: "cannot make a pipe: " + err.Error()}
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		ln.Close()
		outR.Close()
		outW.Close()
		p.wg.Done()
		return nil, &function.Error{Name: ErrService, Cause: "cannot make a pipe: " + err.Error()}
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		ln.Close()
		outR.Close()
		errR.Close()
		p.wg.Done()
		return nil, &startError{err: err}
	}
	sb.cmd = cmd
	sb.pid = cmd.Process.Pid
	if p.testStarted != nil {
		p.testStarted(sb.pid)
	}
	sb.log = p.opts.Logger.With(slog.String("function", fp.cfg.Name), slog.String("version", fp.cfg.Version), slog.Int("pid", sb.pid))
	sb.srv = &http.Server{
		Handler:           sb.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(sb.log.Handler(), slog.LevelDebug),
	}

	p.mu.Lock()
	p.all[sb] = struct{}{}
	closed := p.closed
	p.mu.Unlock()

	sb.mu.Lock()
	sb.initTimer = time.AfterFunc(p.opts.InitTimeout, sb.initExpired)
	sb.mu.Unlock()

	var logs sync.WaitGroup
	logs.Add(2)
	go func() { defer logs.Done(); logLines(outR, sb.log, "stdout") }()
	go func() { defer logs.Done(); logLines(errR, sb.log, "stderr") }()
	var serving sync.WaitGroup
	serving.Add(1)
	go func() { defer serving.Done(); _ = sb.srv.Serve(newLimitListener(ln, MaxConnections)) }()
	go func() {
		defer p.wg.Done()
		err := cmd.Wait()
		killGroup(sb.pid) // what it left behind
		sb.mu.Lock()
		sb.exitErr = err
		cur := sb.cur
		sb.cur = nil
		if sb.initTimer != nil {
			sb.initTimer.Stop()
		}
		sb.mu.Unlock()
		sb.kill() // first: a caller woken by exited must find it dead
		close(sb.exited)
		if cur != nil {
			sb.settle(cur, exitDoc(cur.id, err), true)
		}
		_ = sb.srv.Close()
		serving.Wait()
		// The group is dead, so the pipes end; a process that left the
		// group and kept them open is cut off after a grace.
		logged := make(chan struct{})
		go func() { logs.Wait(); close(logged) }()
		grace := time.NewTimer(2 * time.Second)
		select {
		case <-logged:
		case <-grace.C:
		}
		grace.Stop()
		outR.Close()
		errR.Close()
		<-logged
		p.exited(sb)
	}()
	if closed {
		sb.kill()
	}
	return sb, nil
}

// environment is the process's environment: defaults, the pool's
// variables, the function's, then Lambda's reserved ones.
func (p *Pool) environment(fn *function.Config, dir, api string) []string {
	env := map[string]string{
		"PATH": os.Getenv("PATH"),
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
	}
	maps.Copy(env, p.opts.Environment)
	maps.Copy(env, fn.Environment)
	region := p.opts.Region
	if parts := strings.Split(fn.ARN, ":"); len(parts) > 3 && parts[3] != "" {
		region = parts[3]
	}
	version := fn.Version
	if version == "" {
		version = "$LATEST"
	}
	memory := fn.MemorySize
	if memory <= 0 {
		memory = 128
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	env["AWS_LAMBDA_FUNCTION_NAME"] = fn.Name
	env["AWS_LAMBDA_FUNCTION_VERSION"] = version
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(memory)
	env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + fn.Name
	env["AWS_LAMBDA_LOG_STREAM_NAME"] = time.Now().UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
	env["AWS_LAMBDA_RUNTIME_API"] = api
	env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand"
	env["AWS_REGION"] = region
	env["AWS_DEFAULT_REGION"] = region
	env["LAMBDA_TASK_ROOT"] = dir
	env["_HANDLER"] = fn.Handler
	delete(env, "AWS_EXECUTION_ENV")
	if fn.Runtime != "" && !strings.HasPrefix(fn.Runtime, "provided") {
		// Lambda defines it for managed runtimes only.
		env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + fn.Runtime
	}
	delete(env, "_X_AMZN_TRACE_ID") // per invocation: Lambda-Runtime-Trace-Id
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// kill stops the sandbox: its process group is killed, its endpoint
// refuses more work. Idempotent; the exit is seen by Wait.
func (sb *sandbox) kill() {
	sb.killOnce.Do(func() {
		sb.killed.Store(true)
		close(sb.stopping)
		killGroup(sb.pid)
	})
	sb.p.mu.Lock()
	t := sb.idleTimer
	sb.p.mu.Unlock()
	if t != nil {
		t.Stop()
	}
}

// dead: the sandbox is stopping or gone.
func (sb *sandbox) dead() bool { return sb.killed.Load() }

// armIdle (re)starts the idle timer.
func (sb *sandbox) armIdle(d time.Duration) {
	sb.p.mu.Lock()
	defer sb.p.mu.Unlock()
	if sb.idleTimer == nil {
		sb.idleTimer = time.AfterFunc(d, func() { sb.p.idleExpired(sb) })
		return
	}
	sb.idleTimer.Reset(d)
}

// initExpired kills a sandbox still initializing.
func (sb *sandbox) initExpired() {
	sb.mu.Lock()
	ready := sb.ready
	if !ready && sb.initErr == nil {
		sb.initLate = true
	}
	sb.mu.Unlock()
	if !ready {
		sb.kill()
	}
}

// settle ends an invocation with its outcome, once, and stops its
// deadline; false when it had ended already.
func (sb *sandbox) settle(c *call, payload []byte, fnErr bool) bool {
	return sb.settleThen(c, payload, fnErr, nil)
}

// settleThen is settle, running first before the caller is woken.
func (sb *sandbox) settleThen(c *call, payload []byte, fnErr bool, first func()) bool {
	sb.mu.Lock()
	if sb.cur == c {
		sb.cur = nil
	}
	t := c.timer
	sb.mu.Unlock()
	if t != nil {
		t.Stop()
	}
	return c.settle(payload, fnErr, first)
}

// claim takes c, the invocation the sandbox runs, for its runtime's
// answer: nothing else (its deadline, another answer) settles it after;
// false when c is no longer the sandbox's or its deadline has fired.
func (sb *sandbox) claim(c *call) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.cur != c || (c.timer != nil && !c.timer.Stop()) {
		return false
	}
	sb.cur = nil
	c.claimed.Store(true)
	return true
}

// exitedDuring settles c, whose sandbox's process is gone, with
// Runtime.ExitError, unless its runtime's answer was taken already.
func (sb *sandbox) exitedDuring(c *call) {
	if c.claimed.Load() {
		<-c.done // settled right after the claim
		return
	}
	sb.settle(c, exitDoc(c.id, sb.exitErr), true)
}

// timedOut ends an invocation whose deadline passed, and kills the
// sandbox (before its caller wakes, so the sandbox is not handed back).
func (sb *sandbox) timedOut(c *call) {
	sb.settleThen(c, timeoutDoc(c.id, c.timeout), true, sb.kill)
}

// run hands c to the sandbox and waits for its outcome. retry is true
// when the sandbox turned out to be gone before it took c (a crash
// between invocations): the caller tries another.
func (sb *sandbox) run(ctx context.Context, c *call) (payload []byte, fnErr, retry bool, err error) {
	var deadline <-chan time.Time
	if !c.deadline.IsZero() {
		t := time.NewTimer(time.Until(c.deadline))
		defer t.Stop()
		deadline = t.C
	}
	select {
	case sb.work <- c:
	case <-sb.exited:
		if sb.p.isClosed() {
			return nil, false, false, errClosed
		}
		sb.mu.Lock()
		ready, initErr, initLate, exitErr := sb.ready, sb.initErr, sb.initLate, sb.exitErr
		sb.mu.Unlock()
		if ready {
			return nil, false, true, nil
		}
		if initErr != nil {
			return initErr, true, false, nil
		}
		if initLate {
			return runtimeError(ErrorTypeTimeout, fmt.Sprintf("RequestId: %s Error: Init timed out after %.2f seconds", c.id, sb.p.opts.InitTimeout.Seconds())), true, false, nil
		}
		return exitDoc(c.id, exitErr), true, false, nil
	case <-ctx.Done():
		sb.p.release(sb)
		return nil, false, false, ctx.Err()
	case <-deadline:
		sb.p.release(sb)
		return timeoutDoc(c.id, c.timeout), true, false, nil
	}
	select {
	case <-c.done:
	case <-sb.exited:
		sb.exitedDuring(c)
	case <-ctx.Done():
		select {
		case <-c.done:
		case <-sb.exited:
			sb.exitedDuring(c)
		default:
			// The invocation runs on to its end, as on Lambda; the sandbox
			// is handed back then. (Counted in p.wg under p.mu while the
			// pool is open, so Close waits for it; once closed, Close
			// kills the sandbox and nothing is to be handed back.)
			sb.p.mu.Lock()
			if sb.p.closed {
				sb.p.mu.Unlock()
				return nil, false, false, ctx.Err()
			}
			sb.p.wg.Add(1)
			sb.p.mu.Unlock()
			go func() {
				defer sb.p.wg.Done()
				select {
				case <-c.done:
				case <-sb.exited:
				}
				sb.p.release(sb)
			}()
			return nil, false, false, ctx.Err()
		}
	}
	if c.fnErr && sb.p.isClosed() && sb.dead() {
		sb.p.release(sb)
		return nil, false, false, errClosed
	}
	sb.p.release(sb)
	return c.out, c.fnErr, false, nil
}
