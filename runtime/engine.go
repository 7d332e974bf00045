package runtime

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/integrations"
)

// Engine runs executions in memory, in this process, to their end: the
// Express path. Parallel branches and Map iterations run concurrently.
// Nothing survives the process; the durable engine builds on the same
// asl steps.
type Engine struct {
	// Tasks serves Task states. Nil fails every Task with a clear error.
	Tasks integrations.Handler
	// Mux is where a Distributed Map's ItemReader and ResultWriter are
	// found (maprun.go); nil: Tasks, when it is a Mux.
	Mux *integrations.Mux
	// Region and Account form ARNs; defaults us-east-1 and 123456789012.
	Region, Account string
	// MaxInlineConcurrency bounds a Map without MaxConcurrency; default 40,
	// as AWS runs inline Map iterations.
	MaxInlineConcurrency int
	// MaxEvents bounds the history of an execution that keeps one
	// (DefaultEngineMaxEvents when 0): past it the execution fails with
	// States.Runtime, as a Standard execution past AWS's 25,000 events.
	MaxEvents int
	// MaxExpressDuration bounds an Express execution (AWS's 5 minutes when
	// 0): past it the execution times out.
	MaxExpressDuration time.Duration
	// MaxPayload is the limit on a state's input, output, result and
	// parameters, in bytes of JSON text (AWS's 256 KiB when 0). Raise it
	// only on purpose: a definition that needs more fails on AWS with
	// States.DataLimitExceeded.
	MaxPayload int
	// Tracer, when set, receives each execution's spans (trace.go): its
	// provider must draw ids with IDGenerator. Nil: no tracing.
	Tracer trace.Tracer
}

// DefaultEngineMaxEvents is the in-memory engine's bound on a kept
// history. It is larger than AWS's Standard quota (25,000, which the
// durable engine holds to) because in-memory runs are Express-like (AWS
// bounds those by time, not events) and the shared workloads run 40,000;
// its job is to bound memory: a million events take about 150 MB.
const DefaultEngineMaxEvents = 1_000_000

// DefaultMaxExpressDuration is AWS's limit on an Express execution.
const DefaultMaxExpressDuration = 5 * time.Minute

// Execution describes one run.
type Execution struct {
	StateMachineName string // default "StateMachine"
	Name             string // default: a random UUID
	Input            any
	Clock            Clock // default: the wall clock
	// Express names the execution with an Express ARN
	// (arn:aws:states:region:account:express:machine:name:id).
	Express bool
	// ARN, when set, is the execution's ARN (an asynchronous EXPRESS
	// start gives it out before the run).
	ARN string
	// Seed, when not zero, seeds the execution's random source so that
	// States.MathRandom, States.UUID and retry jitter repeat.
	Seed uint64
	// NoHistory runs without keeping the history (Result.History returns
	// none): EXPRESS executions started through the API, whose history
	// AWS keeps only in the logs it is configured to write.
	NoHistory bool
	// TestCase is the mock test case the execution runs under, handed to
	// its task calls (integrations.Request.TestCase); "" for none.
	TestCase string
	// TraceParent is the W3C traceparent of the caller that starts the
	// execution: its trace becomes the execution's, its span the parent
	// of the execution's span. "" (or invalid): a trace of its own.
	TraceParent string
	// TraceState and Baggage are the caller's W3C tracestate and baggage,
	// handed to the execution's task calls.
	TraceState, Baggage string
}

// Result is how an execution ended.
type Result struct {
	Status       Status
	Output       any
	Error, Cause string
	ExecutionARN string
	StartDate    time.Time
	StopDate     time.Time
	// Transitions is how many states the execution entered (AWS's state
	// transitions), kept history or not.
	Transitions int
	hist        *history
}

// History returns the execution's history events, in order.
func (r *Result) History() []Event { return r.hist.snapshot() }

const defaultInlineConcurrency = 40

// Run runs an execution of m to its end. ctx cancels it (ABORTED).
func (e *Engine) Run(ctx context.Context, m *asl.StateMachine, x Execution) *Result {
	region := cmpOr(e.Region, "us-east-1")
	account := cmpOr(e.Account, "123456789012")
	smName := cmpOr(x.StateMachineName, "StateMachine")
	if x.Name == "" {
		x.Name = newUUID()
	}
	clk := x.Clock
	if clk == nil {
		clk = RealClock{}
	}
	start := clk.Now()
	var limit time.Duration
	if m.TimeoutSeconds > 0 {
		limit = time.Duration(m.TimeoutSeconds) * time.Second
	}
	if x.Express {
		maxExpress := cmp.Or(e.MaxExpressDuration, DefaultMaxExpressDuration)
		if limit == 0 || limit > maxExpress {
			limit = maxExpress
		}
	}
	if limit > 0 {
		clk = clk.WithDeadline(start.Add(limit))
		// A wall clock also needs a context deadline to bound task calls
		// and evaluations.
		if _, real := clk.(RealClock); real {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, start.Add(limit))
			defer cancel()
		}
	}
	s1, s2 := x.Seed, x.Seed^0x9e3779b97f4a7c15
	if x.Seed == 0 {
		s1, s2 = seed(), seed()
	}
	run := &execution{
		engine: e,
		region: region,
		arn:    executionARN(region, account, smName, x),
		base: asl.Context{
			ExecutionName:    x.Name,
			ExecutionInput:   x.Input,
			ExecutionStart:   start,
			RoleArn:          fmt.Sprintf("arn:aws:iam::%s:role/signalbox", account),
			StateMachineID:   fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", region, account, smName),
			StateMachineName: smName,
			Express:          x.Express,
			MaxPayload:       e.MaxPayload,
		},
	}
	run.base.ExecutionID = run.arn
	run.testCase = x.TestCase
	traceID, caller := traceIDs(x.TraceParent)
	run.trace = newExecTrace(e.Tracer, run.arn, smName, traceID, caller, x.TraceState)
	run.tc = traceContext(traceID, caller, x.TraceState, x.Baggage)
	run.hist.discard = x.NoHistory
	run.hist.max = cmp.Or(e.MaxEvents, DefaultEngineMaxEvents)
	run.hist.first = firstChunk(len(m.StateNames()))
	// As in AWS, the first state's entered event has previousEventId 0.
	run.hist.add(&Event{Type: ExecutionStarted, Timestamp: start, Payload: x.Input, Task: &TaskDetails{Resource: run.base.RoleArn}})

	th := &thread{run: run, clock: clk, rand: rand.New(rand.NewPCG(s1, s2))}
	if run.trace != nil {
		th.span = run.trace.root()
	}
	out, err := th.runMachine(ctx, m, x.Input)
	return run.finish(th, start, out, err)
}

// finish records the end of the run whose main thread th ended with out or
// err: its last event, its execution span and its result.
func (run *execution) finish(th *thread, start time.Time, out any, err *runErr) *Result {
	res := &Result{ExecutionARN: run.arn, StartDate: start, StopDate: th.clock.Now()}
	end := Event{Timestamp: res.StopDate, PreviousID: th.last}
	switch {
	case err == nil:
		res.Status, res.Output = StatusSucceeded, out
		end.Type, end.Payload = ExecutionSucceeded, out
	case err.timedOut:
		res.Status, res.Error, res.Cause = StatusTimedOut, err.Name, err.Cause
		end.Type, end.Error = ExecutionTimedOut, &ErrorDetails{err.Name, err.Cause}
	case err.aborted:
		res.Status, res.Error, res.Cause = StatusAborted, err.Name, err.Cause
		end.Type, end.Error = ExecutionAborted, &ErrorDetails{err.Name, err.Cause}
	default:
		res.Status, res.Error, res.Cause = StatusFailed, err.Name, err.Cause
		end.Type, end.Error = ExecutionFailed, &ErrorDetails{err.Name, err.Cause}
	}
	run.hist.add(&end)
	res.hist = &run.hist
	run.hist.mu.Lock()
	res.Transitions = run.hist.entered
	run.hist.mu.Unlock()
	if run.trace != nil {
		var failure *aslerr.Error
		if err != nil {
			failure = err.Error
		}
		run.trace.emit(run.trace.executionSpan(start, res.StopDate, res.Status, failure))
	}
	return res
}

// execution is the shared state of one run.
type execution struct {
	engine *Engine
	region string
	arn    string
	// testCase is the mock test case of the execution (Execution.TestCase).
	testCase string
	// trace is the execution's trace; nil when not tracing. tc is the
	// caller's trace context, handed to task calls (their traceparent the
	// state's span's when tracing).
	trace *execTrace
	tc    integrations.TraceContext
	base  asl.Context // the execution-wide fields of every state's Context
	hist  history
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// seed draws a seed from the process's generator (math/rand/v2's, which
// the runtime seeds unpredictably), not from crypto/rand: every execution
// draws several, and crypto/rand can cost a system call each.
func seed() uint64 { return rand.Uint64() }

// newUUID returns a random version 4 UUID.
func newUUID() string { return intrinsic.UUIDv4(rand.Uint64(), rand.Uint64()) }

func executionARN(region, account, machine string, x Execution) string {
	if x.ARN != "" {
		return x.ARN
	}
	if x.Express {
		return fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s:%s", region, account, machine, x.Name, newUUID())
	}
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", region, account, machine, x.Name)
}
