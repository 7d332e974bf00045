package runtimeapi

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
)

// Defaults of Options.
const (
	// DefaultIdleTimeout is how long an idle sandbox is kept warm: Lambda
	// keeps an environment for minutes after its last invocation.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultInitTimeout bounds a cold start's init, Lambda's 10 s.
	DefaultInitTimeout = 10 * time.Second
	// DefaultTimeout is a function's timeout when its Config has none.
	DefaultTimeout = 3 * time.Second
	// MaxTimeout is the longest timeout, Lambda's 900 s.
	MaxTimeout = 900 * time.Second
	// DefaultRegion is AWS_REGION when neither the function's ARN nor
	// Options names one.
	DefaultRegion = "us-east-1"
)

// DefaultMaxSandboxes is the pool-wide bound on live sandboxes when
// Options.MaxSandboxes is 0: four per CPU (GOMAXPROCS), at least 8. A
// sandbox runs one invocation at a time, so this is also the number of
// invocations running at once. Functions that Step Functions calls mostly
// wait on I/O (other services, databases), so a bound of one per CPU
// would leave the machine idle; four keeps a CPU-bound handler's
// oversubscription at four runnable processes per CPU, and memory at a
// few tens of processes (a Go handler is about 10 MB resident). At least
// 8 so that a small machine still runs a fan-out of 8 at once.
func DefaultMaxSandboxes() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// Options configure a Pool; the zero value is valid.
type Options struct {
	// MaxSandboxes bounds the sandboxes alive at once, across all
	// functions; DefaultMaxSandboxes() when 0.
	MaxSandboxes int
	// IdleTimeout stops a sandbox idle this long; DefaultIdleTimeout
	// when 0.
	IdleTimeout time.Duration
	// InitTimeout bounds a sandbox's init (from its start to its first
	// GET /next); DefaultInitTimeout when 0.
	InitTimeout time.Duration
	// Region is AWS_REGION for a function whose ARN names none;
	// DefaultRegion when "".
	Region string
	// Environment is added to every function's environment, beneath the
	// function's own variables: for example AWS_ENDPOINT_URL, so the AWS
	// SDKs in functions call Signalbox.
	Environment map[string]string
	// Logger receives the functions' output, a record per line;
	// slog.Default() when nil.
	Logger *slog.Logger
}

// Pool runs Runtime API functions: a set of sandboxes per function
// version. It implements function.Invoker. Close stops every process.
type Pool struct {
	opts Options

	mu       sync.Mutex
	closed   bool
	fns      map[string]*fnPool    // by ARN and version
	all      map[*sandbox]struct{} // every sandbox alive
	live     int                   // len(all), and the sandboxes starting
	waiting  int                   // invocations waiting for a sandbox
	evicting int                   // sandboxes stopped to make room, not yet gone
	wake     chan struct{}         // closed (and replaced) when a sandbox frees up

	wg  sync.WaitGroup // the sandboxes' goroutines
	seq int64          // sandbox ids

	testStarted func(pid int) // tests: each process started
}

var _ function.Invoker = (*Pool)(nil)

// New returns a pool; nothing starts until an invocation.
func New(opts Options) *Pool {
	opts.MaxSandboxes = cmp.Or(opts.MaxSandboxes, DefaultMaxSandboxes())
	opts.IdleTimeout = cmp.Or(opts.IdleTimeout, DefaultIdleTimeout)
	opts.InitTimeout = cmp.Or(opts.InitTimeout, DefaultInitTimeout)
	opts.Region = cmp.Or(opts.Region, DefaultRegion)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Pool{opts: opts, fns: map[string]*fnPool{}, all: map[*sandbox]struct{}{}, wake: make(chan struct{})}
}

// fnPool is the sandboxes of one function version, as one configuration
// of it (print) runs.
type fnPool struct {
	key      string
	print    string
	cfg      function.Config // as the sandboxes were started
	reserved int             // the latest config's ReservedConcurrency
	live     int             // sandboxes alive or starting
	idle     []*sandbox      // the idle ones, most recently used last
	retired  bool            // the configuration changed: no more reuse
}

// fingerprint is what makes a function's sandboxes reusable for a
// configuration: the code, the way it starts and its environment.
func fingerprint(fn *function.Config) string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(strconv.Itoa(len(s)) + ":" + s)) }
	w(fn.RevisionID)
	w(fn.CodeSha256)
	w(fn.Executable)
	w(fn.CodeDir)
	w(fn.Handler)
	w(fn.Runtime)
	w(strconv.Itoa(fn.MemorySize))
	for _, k := range slices.Sorted(maps.Keys(fn.Environment)) {
		w(k)
		w(fn.Environment[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// call is one invocation on its way through a sandbox.
type call struct {
	id            string
	event         []byte
	deadline      time.Time // the caller's, or zero: set when handed over
	timeout       time.Duration
	arn           string // Lambda-Runtime-Invoked-Function-Arn
	clientContext string // decoded
	xray          string // Lambda-Runtime-Trace-Id
	traceParent   string // W3C, "" when none
	traceState    string

	timer *time.Timer // the deadline's; guarded by the sandbox's mu

	done    chan struct{}
	claimed atomic.Bool // the runtime's response was taken (claim)
	settled sync.Once
	out     []byte // the outcome: the response, or an error document
	fnErr   bool   // out is an error document
}

// settle records the outcome once, running first (when not nil) before
// the caller is woken; false when it was settled already.
func (c *call) settle(payload []byte, fnErr bool, first func()) bool {
	ok := false
	c.settled.Do(func() {
		c.out, c.fnErr, ok = payload, fnErr, true
		if first != nil {
			first()
		}
		close(c.done)
	})
	return ok
}

// Invoke runs one invocation of fn, a Runtime API function (Executable
// set), in one of its sandboxes. See the package's documentation for
// what it returns.
func (p *Pool) Invoke(ctx context.Context, fn *function.Config, inv *function.Invocation) (*function.Result, error) {
	if fn == nil || fn.Executable == "" {
		return nil, &function.Error{Name: ErrService, Cause: "not a Runtime API function: it has no executable"}
	}
	if inv == nil {
		inv = &function.Invocation{}
	}
	if len(inv.Payload) > MaxPayloadSize {
		return nil, &function.Error{Name: ErrRequestTooLarge, Cause: fmt.Sprintf("%d byte payload is too large for the RequestResponse invocation type (limit %d bytes)", len(inv.Payload), MaxPayloadSize)}
	}
	c := &call{
		id:          inv.RequestID,
		event:       inv.Payload,
		deadline:    inv.Deadline,
		timeout:     min(cmp.Or(fn.Timeout, DefaultTimeout), MaxTimeout),
		arn:         fn.ARN,
		xray:        xrayTraceHeader(inv.TraceParent, time.Now()),
		traceParent: w3cTraceParent(inv.TraceParent),
		done:        make(chan struct{}),
	}
	if !validRequestID(c.id) {
		c.id = integrations.NewUUID()
	}
	if len(c.event) == 0 {
		c.event = []byte("{}")
	}
	if fn.Version != "" && fn.Version != "$LATEST" {
		c.arn += ":" + fn.Version
	}
	if c.traceParent != "" {
		c.traceState = integrations.CleanTraceState(inv.TraceState)
	}
	if inv.ClientContext != "" {
		cc, err := base64.StdEncoding.DecodeString(inv.ClientContext)
		if err != nil || len(cc) > MaxClientContext || !json.Valid(cc) {
			return nil, &function.Error{Name: ErrInvalidRequestContent, Cause: fmt.Sprintf("Client context must be a valid Base64-encoded JSON object of at most %d bytes.", MaxClientContext)}
		}
		c.clientContext = string(cc)
	}
	waitUntil := c.deadline
	if waitUntil.IsZero() {
		waitUntil = time.Now().Add(c.timeout)
	} else if !waitUntil.After(time.Now()) {
		// Out of time before it started: no sandbox is disturbed.
		return p.result(fn, timeoutDoc(c.id, c.timeout), true), nil
	}
	for {
		sb, err := p.acquire(ctx, fn, waitUntil)
		if err != nil {
			if se, ok := err.(*startError); ok {
				return p.result(fn, entrypointDoc(c.id, se.err), true), nil
			}
			return nil, err
		}
		payload, fnErr, retry, err := sb.run(ctx, c)
		if retry {
			continue
		}
		if err != nil {
			return nil, err
		}
		return p.result(fn, payload, fnErr), nil
	}
}

// validRequestID: id can be a header's value and a path segment as it is
// (Lambda's are UUIDs); another id (or none) is replaced by a new UUID.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_', b == '.', b == ':':
		default:
			return false
		}
	}
	return true
}

// result is an invocation's Result.
func (p *Pool) result(fn *function.Config, payload []byte, fnErr bool) *function.Result {
	r := &function.Result{Payload: payload, StatusCode: 200, ExecutedVersion: cmp.Or(fn.Version, "$LATEST")}
	if fnErr {
		r.FunctionError = "Unhandled"
	}
	return r
}

// acquire takes an idle sandbox of fn, or starts one, or waits for
// either until waitUntil.
func (p *Pool) acquire(ctx context.Context, fn *function.Config, waitUntil time.Time) (*sandbox, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return nil, errClosed
		}
		fp := p.fnPoolLocked(fn)
		if n := len(fp.idle); n > 0 {
			sb := fp.idle[n-1]
			fp.idle[n-1] = nil
			fp.idle = fp.idle[:n-1]
			sb.idle = false
			p.mu.Unlock()
			return sb, nil
		}
		limit := p.opts.MaxSandboxes
		reason := "ConcurrentInvocationLimitExceeded"
		if fp.reserved >= 0 {
			limit = min(limit, fp.reserved)
			reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
		}
		if fp.reserved == 0 {
			p.mu.Unlock()
			return nil, throttled(reason)
		}
		if fp.live < limit {
			if p.live < p.opts.MaxSandboxes {
				fp.live++
				p.live++
				p.wg.Add(1) // the sandbox's, handed to its Wait goroutine
				p.seq++
				id := p.seq
				p.mu.Unlock()
				sb, err := p.start(fp, id)
				if err != nil {
					p.mu.Lock()
					fp.live--
					p.live--
					p.dropLocked(fp)
					p.wakeLocked()
					p.mu.Unlock()
					return nil, err
				}
				return sb, nil
			}
			p.evictLocked(fp)
		}
		wait := time.Until(waitUntil)
		if wait <= 0 {
			p.mu.Unlock()
			return nil, throttled(reason)
		}
		wake := p.wake
		p.waiting++
		p.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(wait)
		}
		select {
		case <-wake:
		case <-timer.C:
			timer = nil
			waitUntil = time.Time{} // throttle on the next round, unless a sandbox freed up
		case <-ctx.Done():
			p.mu.Lock()
			p.waiting--
			p.mu.Unlock()
			return nil, ctx.Err()
		}
		p.mu.Lock()
		p.waiting--
	}
}

// fnPoolLocked is fn's sandbox set: a new one when there is none or
// fn's configuration changed (the old one is retired: its idle
// sandboxes stop now, its busy ones when their invocation ends).
func (p *Pool) fnPoolLocked(fn *function.Config) *fnPool {
	key := cmp.Or(fn.ARN, fn.Name) + "\x00" + fn.Version
	print := fingerprint(fn)
	fp := p.fns[key]
	if fp != nil && fp.print != print {
		fp.retired = true
		for _, sb := range fp.idle {
			sb.idle = false
			go sb.kill()
		}
		fp.idle = nil
		delete(p.fns, key)
		fp = nil
	}
	if fp == nil {
		fp = &fnPool{key: key, print: print, cfg: *fn}
		fp.cfg.Environment = maps.Clone(fn.Environment)
		p.fns[key] = fp
	}
	fp.reserved = fn.ReservedConcurrency
	return fp
}

// evictLocked stops the least recently used idle sandbox of another
// function, to make room for one of fp's; its exit wakes the waiters.
func (p *Pool) evictLocked(fp *fnPool) {
	if p.evicting > p.waiting {
		return // enough room is on its way for the invocations waiting
	}
	var victim *sandbox
	var from *fnPool
	for _, other := range p.fns {
		if other == fp || len(other.idle) == 0 {
			continue
		}
		if sb := other.idle[0]; victim == nil || sb.idleSince.Before(victim.idleSince) {
			victim, from = sb, other
		}
	}
	if victim == nil {
		return
	}
	from.idle = slices.Delete(from.idle, 0, 1)
	victim.idle = false
	victim.evicted = true
	p.evicting++
	go victim.kill()
}

// wakeLocked wakes the invocations waiting for a sandbox.
func (p *Pool) wakeLocked() {
	if p.waiting > 0 {
		close(p.wake)
		p.wake = make(chan struct{})
	}
}

// dropLocked forgets fp when nothing of it is left.
func (p *Pool) dropLocked(fp *fnPool) {
	if fp.live == 0 && len(fp.idle) == 0 && p.fns[fp.key] == fp {
		delete(p.fns, fp.key)
	}
}

// release hands a sandbox back after an invocation: idle again, or
// stopped when it cannot be reused.
func (p *Pool) release(sb *sandbox) {
	p.mu.Lock()
	if p.closed || sb.fp.retired || sb.dead() {
		p.mu.Unlock()
		sb.kill()
		return
	}
	sb.idle = true
	sb.idleSince = time.Now()
	sb.fp.idle = append(sb.fp.idle, sb)
	p.wakeLocked()
	p.mu.Unlock()
	sb.armIdle(p.opts.IdleTimeout)
}

// idleExpired stops sb if it is still idle and has been for the idle
// timeout.
func (p *Pool) idleExpired(sb *sandbox) {
	p.mu.Lock()
	if !sb.idle || time.Since(sb.idleSince) < p.opts.IdleTimeout {
		p.mu.Unlock()
		return
	}
	if i := slices.Index(sb.fp.idle, sb); i >= 0 {
		sb.fp.idle = slices.Delete(sb.fp.idle, i, i+1)
	}
	sb.idle = false
	p.mu.Unlock()
	sb.kill()
}

// exited forgets a sandbox whose process is gone.
func (p *Pool) exited(sb *sandbox) {
	p.mu.Lock()
	if sb.idle {
		if i := slices.Index(sb.fp.idle, sb); i >= 0 {
			sb.fp.idle = slices.Delete(sb.fp.idle, i, i+1)
		}
		sb.idle = false
	}
	delete(p.all, sb)
	if sb.evicted {
		p.evicting--
	}
	sb.fp.live--
	p.live--
	p.dropLocked(sb.fp)
	p.wakeLocked()
	p.mu.Unlock()
}

// Sandboxes is the number of sandboxes alive (starting, idle or busy).
func (p *Pool) Sandboxes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// Pids are the process ids of the sandboxes alive.
func (p *Pool) Pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, 0, len(p.all))
	for sb := range p.all {
		pids = append(pids, sb.pid)
	}
	slices.Sort(pids)
	return pids
}

// Close stops every sandbox (an invocation running fails with
// Lambda.ServiceException) and waits for their processes to be gone.
// Invocations after Close fail the same way. Close is idempotent.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	all := slices.Collect(maps.Keys(p.all))
	for _, fp := range p.fns {
		for _, sb := range fp.idle {
			sb.idle = false
		}
		fp.idle = nil
	}
	close(p.wake)
	p.wake = make(chan struct{})
	p.mu.Unlock()
	for _, sb := range all {
		sb.kill()
	}
	p.wg.Wait()
	return nil
}

// isClosed: Close was called.
func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}
