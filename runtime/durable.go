package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/activity"
	"github.com/signalbox/signalbox/store"
)

// Durable runs Standard executions durably on the store: every transition
// is one atomic script, work is handed out through the store's ready
// stream with leases, and time lives in the store's timers. Any number of
// processes may run workers against one store. See docs/durable.md.
//
// Parallel branches and Map iterations are threads of their own (see
// durable_fork.go); task tokens are in tokens.go.
//
// Build one with NewDurable: the store is the runtime's own business, and
// its callers (the gateway, the console) read through the runtime's types
// (inspect.go), never the store's.
type Durable struct {
	store *store.Client
	// Tasks serves Task states; nil fails every Task with a clear error.
	Tasks integrations.Handler
	// Mux is where a Distributed Map's ItemReader and ResultWriter
	// resources are found (their handlers implement integrations.ItemReader
	// and ResultWriter; maprun.go); nil: Tasks, when it is a Mux.
	Mux *integrations.Mux
	// Now is the clock; default the wall clock. Timers fire against it.
	Now func() time.Time
	// Region and Account form ARNs; defaults us-east-1 and 123456789012.
	Region, Account string
	// Consumer names this process's worker in the ready stream's group.
	Consumer string
	// Tracer, when set, receives each execution's spans (trace.go): its
	// provider must draw ids with IDGenerator. Nil: no tracing.
	Tracer trace.Tracer
	// Meter, when set, records the runtime's metrics (metrics.go). Nil:
	// none.
	Meter   metric.Meter
	metrics *metrics
	// Lease is how long a work item may stay unacknowledged before
	// another worker takes it over (default 30s).
	Lease time.Duration
	// Concurrency is how many work items Run carries out at once
	// (default 256): steps wait on Redis and on integrations, not on CPU,
	// and the more are in flight, the deeper the pipeline to Redis.
	Concurrency int
	// Retention is how long a closed execution, its history and its name
	// are kept (default AWS's 90 days): until then, starting another
	// execution of that name is ExecutionAlreadyExists.
	Retention time.Duration
	// MaxHistoryEvents bounds an execution's history (default AWS's
	// 25,000): a step whose events would reach it fails the execution,
	// unless the last of them is the execution's success.
	MaxHistoryEvents int64
	// WorkersOnly leaves every step to the workers: a start takes none
	// itself (durable_prefix.go), for a gateway that is to evaluate
	// nothing, and for tests of the workers' path.
	WorkersOnly bool
	// TestCases checks the test case of a start whose state machine ARN
	// ends in "#TestCase" (Step Functions Local's way of running an
	// execution on mocked responses: integrations/mock), for the state
	// machine's name: nil accepts it, and the execution records it and
	// hands it to its task calls. A nil TestCases refuses every such
	// start.
	TestCases func(stateMachine, testCase string) error
	// ActivityTraceField, when set, names a field added to an activity
	// task's input as its worker gets it (GetActivityTask), when that
	// input is a JSON object without one: the task's W3C trace context,
	// {"traceparent": ..., "tracestate": ..., "baggage": ...}, for the
	// worker to continue the execution's trace (activities.go). Empty
	// (the default) hands the input over unchanged, as AWS does.
	ActivityTraceField string

	expressRuns sync.WaitGroup // asynchronous EXPRESS executions (express.go)
	// activities serves the Task states of activity ARNs and hands their
	// tasks to workers (integrations/activity; activities.go).
	activities *activity.Handler
	sms        smCache // state machine records, for starts (smcache.go)

	mu    sync.Mutex
	defs  map[string]*asl.StateMachine // compiled definitions by hash
	execs map[string]*execInfo         // immutable execution fields by id
	// starting holds the executions this process is creating, each
	// closed once its fields are cached (or the start failed): the
	// create script hands the first step to the workers before it
	// answers, and a worker of this process that takes it waits for the
	// cache rather than read back what the start is about to store.
	starting map[string]chan struct{}
}

// NewDurable returns d running on st; d's exported fields are its
// configuration, and a nil d is the default one. The caller keeps no other
// handle on the store through the runtime.
func NewDurable(st *store.Client, d *Durable) *Durable {
	if d == nil {
		d = &Durable{}
	}
	d.store = st
	d.activities = &activity.Handler{Store: st, Starter: activityStarter{d}}
	if d.Meter != nil {
		m, err := newMetrics(d, d.Meter)
		if err != nil {
			slog.Error("the runtime's metrics", "err", err)
		}
		d.metrics = m
	}
	return d
}

// execInfo is what a worker needs to know of an execution, all of it
// fixed at start.
type execInfo struct {
	id, arn, name string
	smARN, smName string
	defSHA        string
	input         any
	start         time.Time
	role          string // the state machine's role ARN; "" for the default
	machine       *asl.StateMachine
	// tc is the W3C trace context of the execution's starter, handed to
	// its task calls (their traceparent the state's span's when
	// tracing); trace is the execution's trace when tracing (nil
	// otherwise).
	tc    integrations.TraceContext
	trace *execTrace
	// testCase is the mock test case the execution runs under ("" for
	// none), handed to its task calls.
	testCase string
	// parent is the task waiting for this nested execution (nested.go);
	// nil for none.
	parent *store.ParentLink
	// hasNested: the definition has .sync nested execution Tasks
	// (nestedSync, once).
	nestedOnce sync.Once
	hasNested  bool

	// first is the top-level thread as the start wrote it, for this
	// process's worker to take the first step without reading it back
	// (taken once; nil when the execution was not started here). Another
	// worker may have taken that step meanwhile: the transition's seq
	// check refuses a stale one.
	first atomic.Pointer[store.Thread]
}

// StartParams describe a new execution.
type StartParams struct {
	StateMachineName string
	Definition       []byte
	Name             string // default: a random UUID
	Input            any
	// TraceParent is the caller's trace header, a W3C traceparent or an
	// X-Ray trace header: the execution's trace joins the caller's, and
	// the header is kept as given (ExecutionInfo.TraceHeader). Empty
	// starts a new trace.
	TraceParent string
	// TraceState and Baggage are the caller's W3C tracestate and baggage,
	// kept with the execution and handed to its task calls.
	TraceState, Baggage string
	// RoleARN is the state machine's role ($$.Execution.RoleArn); empty
	// gives a role named signalbox in the configured account.
	RoleARN string
	// TestCase is the mock test case the execution runs under (recorded
	// on it, handed to its task calls); "" for none.
	TestCase string
	// Parent links a nested execution to the Task that waits for its end
	// (.sync; nested.go); nil for none.
	Parent *integrations.ParentLink
}

// Started is the result of Start.
type Started struct {
	ID           string // the store's execution id
	ExecutionARN string
	StartDate    time.Time
	// Existing is true when an open execution of that name and input was
	// returned instead of starting a new one.
	Existing bool
}

func (d *Durable) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *Durable) maxHistoryEvents() int64 {
	if d.MaxHistoryEvents > 0 {
		return d.MaxHistoryEvents
	}
	return DefaultMaxHistoryEvents
}

func (d *Durable) retention() time.Duration {
	if d.Retention > 0 {
		return d.Retention
	}
	return DefaultRetention
}

// DefaultRetention is how long AWS keeps a closed Standard execution.
const DefaultRetention = 90 * 24 * time.Hour

// DefaultMaxHistoryEvents is AWS's hard quota on a Standard execution's
// history.
const DefaultMaxHistoryEvents = 25000

func (d *Durable) region() string  { return cmpOr(d.Region, "us-east-1") }
func (d *Durable) account() string { return cmpOr(d.Account, "123456789012") }
func (d *Durable) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return 30 * time.Second
}

// StateMachineARN is the ARN of a state machine by name.
func (d *Durable) StateMachineARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", d.region(), d.account(), name)
}

// Start starts an execution, or returns the open one of the same name and
// input (AWS's idempotent StartExecution).
func (d *Durable) Start(ctx context.Context, p StartParams) (_ *Started, err error) {
	defer func() { err = fromStore(err) }()
	m, err := asl.Parse(p.Definition)
	if err != nil {
		return nil, err
	}
	sha, err := d.store.DefinitionPut(ctx, p.Definition)
	if err != nil {
		return nil, err
	}
	d.cacheDefinition(sha, m)
	return d.start(ctx, p, m, sha)
}

// start is Start of a definition compiled and stored under sha.
func (d *Durable) start(ctx context.Context, p StartParams, m *asl.StateMachine, sha string) (*Started, error) {
	if p.Name == "" {
		p.Name = newUUID()
	}
	if err := CheckExecutionName(p.Name); err != nil {
		return nil, err
	}
	input := []byte(asl.EncodeJSON(p.Input))
	if err := checkPayload("execution input", input); err != nil {
		return nil, err
	}
	parent, err := toStoreLink(p.Parent)
	if err != nil {
		return nil, err
	}
	traceID, spanID := traceIDs(p.TraceParent)
	smARN := d.StateMachineARN(p.StateMachineName)
	start := d.now()
	st, _ := m.State(m.StartAt)
	rec := newThreadRecord(m.StartAt, p.Input, start)
	recJSON, err := rec.encode()
	if err != nil {
		return nil, err
	}
	id := store.ExecutionID(smARN, p.Name)
	info := &execInfo{id: id, arn: d.executionARN(p.StateMachineName, p.Name), name: p.Name, smARN: smARN, smName: p.StateMachineName, defSHA: sha, input: p.Input, start: start, role: p.RoleARN, machine: m,
		tc: traceContext(traceID, spanID, p.TraceState, p.Baggage), testCase: p.TestCase, parent: parent}
	info.trace = newExecTrace(d.Tracer, info.arn, info.smName, traceID, spanID, p.TraceState)
	events := []store.Event{
		{JSON: Event{Type: ExecutionStarted, Timestamp: start, Payload: p.Input, Task: &TaskDetails{Resource: info.roleARN(d)}}.bodyJSON()},
		// AWS chains the first state's entry to no event.
		{JSON: Event{Type: StateEntered(st.Kind()), Timestamp: start, Name: m.StartAt, Payload: p.Input}.bodyJSON(), PreviousID: store.NoPreviousEvent},
	}
	// A worker of this process is likely to take the first step: its
	// fields are cached as a worker would read them back (the input
	// decoded from its JSON, the start date to the millisecond).
	if info.input, err = asl.DecodeJSON(input); err != nil {
		return nil, err
	}
	info.start = time.UnixMilli(start.UnixMilli()).UTC()
	defer d.beginStart(id)()
	cp := &store.ExecutionCreateParams{
		StateMachineARN: smARN,
		Name:            p.Name,
		DefinitionSHA:   sha,
		Input:           input,
		StartDate:       start,
		TraceID:         traceID,
		SpanID:          spanID,
		TraceHeader:     p.TraceParent,
		TraceState:      p.TraceState,
		Baggage:         p.Baggage,
		RoleARN:         p.RoleARN,
		TestCase:        p.TestCase,
		StateMachine:    p.StateMachineName,
		Thread:          recJSON,
		Events:          events,
		Outbox:          d.firstWork(id, m, start, nil),
		Parent:          parent,
	}
	var pre *prefix
	if parent == nil {
		// A nested execution takes no prefix: one that would end it
		// would have to notify its parent too (nested.go).
		if pre, err = d.withPrefix(ctx, info, rec, cp, m); err != nil {
			return nil, err
		}
	}
	res, err := d.store.ExecutionCreate(ctx, cp)
	if err != nil {
		return nil, err
	}
	// List it under its state machine, and hand the first step over; a
	// crash before this is repaired by the client retrying the start (and
	// the outbox by the recoverer).
	if !res.Existing {
		d.started(info, cp, pre, res)
	}
	if _, err := d.store.ExecutionHandOver(ctx, res); err != nil {
		return nil, err
	}
	return &Started{ID: id, ExecutionARN: info.arn, StartDate: res.Execution.StartDate, Existing: res.Existing}, nil
}

// withPrefix runs the states of the execution the start can carry out
// itself (runPrefix) and puts them in cp: the thread as they leave it,
// their events, variables and first work, and the execution's end when
// they end it. It returns nil, leaving cp as it was, when there are none.
func (d *Durable) withPrefix(ctx context.Context, info *execInfo, rec *threadRecord, cp *store.ExecutionCreateParams, m *asl.StateMachine) (*prefix, error) {
	pre := d.runPrefix(ctx, info, rec)
	if pre == nil {
		return nil, nil
	}
	thread, err := pre.rec.encode()
	if err != nil {
		return nil, err
	}
	cp.Thread, cp.Seq, cp.Events, cp.Vars, cp.Close = thread, pre.steps, append(cp.Events, pre.events...), pre.vars, pre.close
	cp.Outbox = d.firstWork(info.id, m, cp.StartDate, pre)
	return pre, nil
}

// started counts a new execution's start, the states its start entered
// and, when its prefix ended it, its end; emits the prefix's spans; and,
// when it runs on, caches it for the worker likely to take its first step.
func (d *Durable) started(info *execInfo, cp *store.ExecutionCreateParams, pre *prefix, res *store.ExecutionCreateResult) {
	d.metrics.executionStarted(info.smName)
	entered := 1 // the first state's
	if pre != nil {
		info.emit(pre.spans, pre.close)
		entered += pre.entered
		if pre.close != nil {
			d.metrics.executionEnded(info.smName, Status(pre.close.Status))
		}
	}
	d.metrics.stateTransitions(info.smName, entered)
	if cp.Close == nil {
		info.first.Store(&store.Thread{ID: store.RootThread, Seq: cp.Seq, LastEventID: res.Execution.Events, Record: cp.Thread})
		d.cacheExecution(info)
	}
}

// firstWork is an execution's first work item, after its prefix when it
// has one (none when the prefix closed it), and its timeout when it has
// one.
func (d *Durable) firstWork(id string, m *asl.StateMachine, start time.Time, pre *prefix) []store.OutboxItem {
	items := []store.OutboxItem{{Item: store.WorkItem{Exec: id, Thread: store.RootThread, Seq: 0, Kind: kindStep}}}
	if pre != nil {
		if pre.close != nil {
			return nil
		}
		items = pre.outbox
	}
	if m.TimeoutSeconds > 0 {
		due := start.Add(time.Duration(m.TimeoutSeconds) * time.Second)
		items = append(items, store.OutboxItem{Item: store.WorkItem{Exec: id, Thread: store.RootThread, Seq: 0, Kind: kindTimeout}, Due: due})
	}
	return items
}

// Stop ends a running execution as ABORTED, as StopExecution does; its
// pending work is dropped. ErrClosed (store) when it has already ended.
func (d *Durable) Stop(ctx context.Context, id, errName, cause string) (err error) {
	defer func() { err = fromStore(err) }()
	return d.end(ctx, id, StatusAborted, ExecutionAborted, errName, cause)
}

func (d *Durable) end(ctx context.Context, id string, status Status, typ EventType, errName, cause string) error {
	now := d.now()
	// For its parent's notification and its nested executions' stop
	// (nested.go), its span and metrics: nil when it cannot be read.
	x, _ := d.info(ctx, id)
	outbox, err := d.endingOutbox(ctx, x, "")
	if err != nil {
		return err
	}
	defer d.forgetExecution(id)
	err = d.store.ExecutionEnd(ctx, &store.ExecutionEndParams{
		ExecutionID: id, Status: string(status), Error: errName, Cause: cause, StopDate: now, Retention: d.retention(),
		Events: []store.Event{{JSON: Event{Type: typ, Timestamp: now, Error: &ErrorDetails{errName, cause}}.bodyJSON()}},
		Outbox: outbox,
	})
	if err == nil && x != nil {
		d.metrics.executionEnded(x.smName, status)
	}
	if err == nil && x != nil && x.trace != nil {
		failure := &aslerr.Error{Name: errName, Cause: cause}
		x.emit(d.openStateSpans(ctx, x, now, failure), &store.ExecutionClose{Status: string(status), Error: errName, Cause: cause, StopDate: now})
	}
	return err
}

func (d *Durable) executionARN(machine, name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", d.region(), d.account(), machine, name)
}

func (x *execInfo) roleARN(d *Durable) string {
	return cmp.Or(x.role, d.defaultRoleARN())
}

// defaultRoleARN is the role of a state machine made without one (one of
// the configuration file's): a role named signalbox in the account, the
// role its executions' ExecutionStarted events show.
func (d *Durable) defaultRoleARN() string {
	return fmt.Sprintf("arn:aws:iam::%s:role/signalbox", d.account())
}

func (d *Durable) cacheDefinition(sha string, m *asl.StateMachine) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.defs == nil {
		d.defs = map[string]*asl.StateMachine{}
	}
	d.defs[sha] = m
}

// info returns an execution's fixed fields, from the cache or the store.
func (d *Durable) info(ctx context.Context, id string) (*execInfo, error) {
	if x := d.cached(ctx, id); x != nil {
		return x, nil
	}
	e, err := d.store.ExecutionGet(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := d.machine(ctx, e.DefinitionSHA)
	if err != nil {
		return nil, fmt.Errorf("execution %s: %w", id, err)
	}
	input, err := asl.DecodeJSON(e.Input)
	if err != nil {
		return nil, fmt.Errorf("execution %s: stored input: %w", id, err)
	}
	smName := lastField(e.StateMachineARN)
	x := &execInfo{id: id, arn: d.executionARN(smName, e.Name), name: e.Name, smARN: e.StateMachineARN, smName: smName, defSHA: e.DefinitionSHA, input: input, start: e.StartDate, role: e.RoleARN, machine: m,
		tc: traceContext(e.TraceID, e.SpanID, e.TraceState, e.Baggage), testCase: e.TestCase, parent: e.Parent}
	x.trace = newExecTrace(d.Tracer, x.arn, smName, e.TraceID, e.SpanID, e.TraceState)
	d.cacheExecution(x)
	return x, nil
}

// firstThread returns the top-level thread of an execution this process
// started, for the item of its first step (nil otherwise: the caller reads
// the thread).
func (d *Durable) firstThread(ctx context.Context, item store.WorkItem, ext *external) (*store.Thread, error) {
	if ext != nil || item.Thread != store.RootThread || (item.Kind != kindStep && item.Kind != kindTask) {
		return nil, nil
	}
	x := d.cached(ctx, item.Exec)
	if x == nil {
		return nil, nil
	}
	if th := x.first.Load(); th == nil || th.Seq != item.Seq {
		return nil, nil
	}
	return x.first.Swap(nil), nil
}

// beginStart marks an execution as being started by this process until
// the function it returns is called (after its fields are cached, or the
// start failed). A start of the same execution already under way keeps
// its mark.
func (d *Durable) beginStart(id string) (end func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.starting[id]; dup {
		return func() {}
	}
	if d.starting == nil {
		d.starting = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	d.starting[id] = ch
	return func() {
		d.mu.Lock()
		delete(d.starting, id)
		d.mu.Unlock()
		close(ch)
	}
}

// cached returns an execution's cached fields, waiting for a start of it
// under way in this process; nil when they are not cached.
func (d *Durable) cached(ctx context.Context, id string) *execInfo {
	d.mu.Lock()
	x, ch := d.execs[id], d.starting[id]
	d.mu.Unlock()
	if x != nil || ch == nil {
		return x
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.execs[id]
}

// forgetExecution drops a closed execution's cached fields: the cache
// then holds the executions running here, and the collector has less to
// mark (10,000 closed executions' fields made its marks several times
// longer, and the start-to-end latency's tail with them).
func (d *Durable) forgetExecution(id string) {
	d.mu.Lock()
	delete(d.execs, id)
	d.mu.Unlock()
}

// cacheExecution keeps an execution's fixed fields for the workers.
func (d *Durable) cacheExecution(x *execInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.execs == nil {
		d.execs = map[string]*execInfo{}
	}
	if len(d.execs) > 10000 {
		clear(d.execs) // a crude bound: entries are cheap to reload
	}
	d.execs[x.id] = x
}

// machine returns the compiled definition stored under sha, from the
// cache or the store.
func (d *Durable) machine(ctx context.Context, sha string) (*asl.StateMachine, error) {
	d.mu.Lock()
	m := d.defs[sha]
	d.mu.Unlock()
	if m != nil {
		return m, nil
	}
	def, err := d.store.DefinitionGet(ctx, sha)
	if err != nil {
		return nil, err
	}
	if m, err = asl.Parse(def); err != nil {
		return nil, fmt.Errorf("the stored definition %s no longer compiles: %w", sha, err)
	}
	d.cacheDefinition(sha, m)
	return m, nil
}

func lastField(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}

// ListExecutions lists a state machine's executions, newest first,
// optionally of one status; next is the cursor of the following page.
func (d *Durable) ListExecutions(ctx context.Context, stateMachine, status, cursor string, limit int) (_ []*ExecutionInfo, _ string, err error) {
	defer func() { err = fromStore(err) }()
	return d.Inspector().ListExecutions(ctx, ExecutionFilter{StateMachine: stateMachine, Status: status, Cursor: cursor, Limit: limit})
}

// Describe returns an execution's record, or ErrNotFound.
func (d *Durable) Describe(ctx context.Context, id string) (_ *ExecutionInfo, err error) {
	defer func() { err = fromStore(err) }()
	return d.Inspector().DescribeExecution(ctx, id)
}

// Redrive restarts a FAILED, TIMED_OUT or ABORTED execution from the state
// its top-level thread stopped at, as RedriveExecution does: that state
// runs again from its start (a Parallel or Map state with all its
// branches), with fresh retry counts. It returns the redrive count.
func (d *Durable) Redrive(ctx context.Context, id string) (_ int, err error) {
	defer func() { err = fromStore(err) }()
	th, err := d.store.ThreadGet(ctx, id, store.RootThread)
	if errors.Is(err, store.ErrNotFound) {
		// An execution its start created SUCCEEDED keeps no thread
		// (store.ExecutionCreate): it is closed, as the store would say.
		if e, gerr := d.store.ExecutionGet(ctx, id); gerr == nil && e.Status == store.StatusSucceeded {
			return 0, fmt.Errorf("%w: execution %s is %s and cannot be redriven", store.ErrClosed, id, e.Status)
		}
	}
	if err != nil {
		return 0, err
	}
	old, err := decodeThreadRecord(th.Record)
	if err != nil {
		return 0, err
	}
	x, err := d.info(ctx, id)
	if err != nil {
		return 0, err
	}
	e, err := d.store.ExecutionGet(ctx, id)
	if err != nil {
		return 0, err
	}
	m, err := machineAt(x.machine, old.Machine)
	if err != nil {
		return 0, err
	}
	st, ok := m.State(old.State)
	if !ok {
		return 0, fmt.Errorf("execution %s: no state %q", id, old.State)
	}
	input, err := decodeRaw(old.Input)
	if err != nil {
		return 0, err
	}
	now := d.now()
	rec := newThreadRecord(old.State, input, now)
	rec.Redrives = e.RedriveCount + 1
	b, err := rec.encode()
	if err != nil {
		return 0, err
	}
	return d.store.ExecutionRedrive(ctx, &store.ExecutionRedriveParams{
		ExecutionID: id, Record: b, Kind: kindStep,
		Events: []store.Event{
			{JSON: Event{Type: ExecutionRedriven, Timestamp: now, Index: e.RedriveCount + 1}.bodyJSON()},
			{JSON: Event{Type: StateEntered(st.Kind()), Timestamp: now, Name: old.State, Payload: input}.bodyJSON()},
		},
	})
}
