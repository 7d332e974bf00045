package runtime_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
)

// tracedDef waits, retries a task, runs a Parallel (one branch waits) and
// a Map whose iterations call a task (so that they are threads of their
// own on the durable engine).
const tracedDef = `{"StartAt":"Nap","States":{
	"Nap":{"Type":"Wait","Seconds":5,"Next":"Call"},
	"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"n":1},
		"Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2,"MaxAttempts":2}],"ResultPath":"$.call","Next":"Both"},
	"Both":{"Type":"Parallel","ResultPath":"$.both","Next":"Each","Branches":[
		{"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},
		{"StartAt":"B2","States":{"B2":{"Type":"Wait","Seconds":3,"End":true}}}]},
	"Each":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.each","ItemProcessor":{"StartAt":"Item","States":{
		"Item":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"i.$":"$"},"End":true}}},"Next":"Done"},
	"Done":{"Type":"Succeed"}}}`

// flakyOnce fails the first call of the "Call" state, once.
func flakyOnce() integrations.Handler {
	var mu sync.Mutex
	failed := false
	return integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		if req.StateName == "Call" && !failed {
			failed = true
			return nil, &integrations.Error{Name: "Flaky", Cause: "once"}
		}
		return req.Parameters, nil
	})
}

// newTracer is a tracer as a process of Signalbox makes it: spans' ids
// drawn by runtime.IDGenerator, exported to rec.
func newTracer(rec *tracetest.SpanRecorder) trace.Tracer {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithIDGenerator(runtime.IDGenerator{}))
	return tp.Tracer("signalbox")
}

// requireTraceTree checks the spans of one execution: one trace, the
// caller's when given; the execution's span, child of the caller's; a
// span per state visited, child of the execution's or of its branch's or
// iteration's, which are children of their Parallel's or Map's; a span per
// task attempt, child of its state's; no span twice; true times.
func requireTraceTree(t *testing.T, spans []sdktrace.ReadOnlySpan, callerTrace, callerSpan string) {
	t.Helper()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var names []string
	for _, s := range spans {
		require.Equal(t, callerTrace, s.SpanContext().TraceID().String(), "span %q in the caller's trace", s.Name())
		if d, dup := byID[s.SpanContext().SpanID()]; dup {
			for _, x := range spans {
				t.Logf("%s %s parent %s %v-%v %v", x.Name(), x.SpanContext().SpanID(), x.Parent().SpanID(), x.StartTime().Sub(t0), x.EndTime().Sub(t0), x.Attributes())
			}
			t.Fatalf("span %q emitted twice (%q)", s.Name(), d.Name())
		}
		byID[s.SpanContext().SpanID()] = s
		names = append(names, s.Name())
		require.False(t, s.EndTime().Before(s.StartTime()), "span %q ends after it starts", s.Name())
	}
	sort.Strings(names)
	require.Equal(t, []string{
		"Map Each", "Parallel Both", "Pass B1", "Succeed Done", "Task Call", "Task Item", "Task Item", "Task Item",
		"Wait B2", "Wait Nap", "branch", "branch", "execution m", "iteration", "iteration", "iteration", "retry wait",
		"task arn:aws:states:::lambda:invoke", "task arn:aws:states:::lambda:invoke", "task arn:aws:states:::lambda:invoke",
		"task arn:aws:states:::lambda:invoke", "task arn:aws:states:::lambda:invoke",
	}, names)
	parentName := func(s sdktrace.ReadOnlySpan) string {
		p, ok := byID[s.Parent().SpanID()]
		if !ok {
			return ""
		}
		return p.Name()
	}
	for _, s := range spans {
		switch name := s.Name(); {
		case name == "execution m":
			require.Equal(t, callerSpan, s.Parent().SpanID().String(), "the execution's span is the caller's child")
		case name == "branch":
			require.Equal(t, "Parallel Both", parentName(s))
		case name == "iteration":
			require.Equal(t, "Map Each", parentName(s))
		case name == "Pass B1" || name == "Wait B2":
			require.Equal(t, "branch", parentName(s), name)
		case name == "Task Item":
			require.Equal(t, "iteration", parentName(s), name)
		case name == "retry wait":
			require.Equal(t, "Task Call", parentName(s))
			require.Equal(t, 2*time.Second, s.EndTime().Sub(s.StartTime()), "the retry's interval")
		case strings.HasPrefix(name, "task "):
			require.Contains(t, []string{"Task Call", "Task Item"}, parentName(s), "a task attempt's span is its state's child")
		default:
			require.Equal(t, "execution m", parentName(s), name)
		}
		require.Equal(t, wantAttributes(s), attributeKeys(s), "span %q's attributes (docs/telemetry.md)", s.Name())
		switch s.Name() {
		case "Wait Nap":
			require.Equal(t, 5*time.Second, s.EndTime().Sub(s.StartTime()), "a Wait's span lasts the wait")
		case "Wait B2":
			require.Equal(t, 3*time.Second, s.EndTime().Sub(s.StartTime()))
		case "Task Call":
			require.Equal(t, 2*time.Second, s.EndTime().Sub(s.StartTime()), "the state's span covers both attempts and the retry's wait")
		}
	}
}

// attributeKeys are a span's attributes' keys, sorted.
func attributeKeys(s sdktrace.ReadOnlySpan) []string {
	var keys []string
	for _, kv := range s.Attributes() {
		keys = append(keys, string(kv.Key))
	}
	sort.Strings(keys)
	return keys
}

// wantAttributes are the keys of the attributes a span of tracedDef's
// execution carries, as docs/telemetry.md lists them: each says what its
// span's name and parents do not (a task call's state and execution are
// its parent's), as every one is stored with every span by the
// collector.
func wantAttributes(s sdktrace.ReadOnlySpan) []string {
	state := []string{"signalbox.input.bytes", "signalbox.output.bytes", "signalbox.state.name", "signalbox.state.type"}
	switch name := s.Name(); {
	case name == "execution m":
		return []string{"signalbox.execution.arn", "signalbox.state_machine.name", "signalbox.status"}
	case name == "branch":
		return []string{"signalbox.branch.index"}
	case name == "iteration":
		return []string{"signalbox.map.index"}
	case name == "retry wait":
		return []string{"signalbox.state.name", "signalbox.state.retry_count"}
	case name == "Task Call": // retried once
		return []string{"signalbox.input.bytes", "signalbox.output.bytes", "signalbox.state.name", "signalbox.state.retry_count", "signalbox.state.type"}
	case strings.HasPrefix(name, "task "):
		if s.Status().Code == codes.Error { // the SDK's span (not written whole) names the failure in attributes too
			return []string{"signalbox.cause", "signalbox.error", "signalbox.task.attempt", "signalbox.task.resource"}
		}
		return []string{"signalbox.task.attempt", "signalbox.task.resource"}
	}
	return state
}

func TestTraceOfAnExecutionInMemory(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tracer := newTracer(rec)
	e := &runtime.Engine{Tasks: integrations.Chain(flakyOnce(), integrations.Tracing(tracer)), Tracer: tracer}
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	res := e.Run(context.Background(), compile(t, tracedDef), runtime.Execution{StateMachineName: "m", Input: decode(t, `{"items":[1,2,3]}`),
		Clock: runtime.NewVirtualClock(t0), TraceParent: caller})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	requireTraceTree(t, rec.Ended(), "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")
}

// On the durable engine the execution is started by one process (which
// carries out its prefix: the Wait's start) and advanced by two others in
// turn: the first ends the Wait and makes the task's first attempt, then
// stops; the second carries the execution to its end. Their spans make
// one tree: a state entered by one process and ended by another is one
// span, emitted by the one that ends it.
func TestTraceOfAnExecutionAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := tracetest.NewSpanRecorder()
	clk := testclock.New(t0)
	st := openStore(t)
	flaky := flakyOnce() // once for the execution, whichever process calls
	process := func(consumer string) *runtime.Durable {
		tracer := newTracer(rec)
		return runtime.NewDurable(st, &runtime.Durable{Tasks: integrations.Chain(flaky, integrations.Tracing(tracer)), Tracer: tracer, Now: clk.Now, Consumer: consumer})
	}
	starter := process("starter")
	const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	started, err := starter.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(tracedDef), Input: decode(t, `{"items":[1,2,3]}`), TraceParent: caller,
		TraceState: "rojo=00f067aa0ba902b7"})
	require.NoError(t, err)

	clk.Advance(5 * time.Second)
	require.NoError(t, process("first").Drain(ctx))
	types := historyTypes(t, starter, started.ID)
	require.Equal(t, "TaskFailed", types[len(types)-1], "the first process got as far as the first attempt: %v", types)

	require.NoError(t, process("second").DrainVirtual(ctx, started.ID, func(to time.Time) { clk.Advance(to.Sub(clk.Now())) }))
	e, err := starter.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	requireTraceTree(t, rec.Ended(), "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
	for _, s := range rec.Ended() {
		require.Equal(t, "rojo=00f067aa0ba902b7", s.SpanContext().TraceState().String(), "span %q keeps the starter's tracestate", s.Name())
	}
}

// An execution ended from outside (stopped; timed out) ends the span of
// the state it was in, with the error, and its own.
func TestTraceOfAnExecutionEndedFromOutside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const def = `{"StartAt":"Nap","TimeoutSeconds":30,"States":{"Nap":{"Type":"Wait","Seconds":60,"End":true}}}`
	requireEnded := func(t *testing.T, spans []sdktrace.ReadOnlySpan, status, errName string) {
		t.Helper()
		byName := map[string]sdktrace.ReadOnlySpan{}
		for _, s := range spans {
			byName[s.Name()] = s
		}
		require.Len(t, byName, 2, "the execution's span and its state's")
		nap := byName["Wait Nap"]
		require.NotNil(t, nap)
		require.Equal(t, errName, nap.Status().Description)
		exec := byName["execution m"]
		require.NotNil(t, exec)
		require.Equal(t, exec.SpanContext().SpanID(), nap.Parent().SpanID())
		require.Contains(t, exec.Attributes(), attribute.String("signalbox.status", status))
	}

	t.Run("in memory, timed out", func(t *testing.T) {
		rec := tracetest.NewSpanRecorder()
		e := &runtime.Engine{Tracer: newTracer(rec)}
		res := e.Run(ctx, compile(t, def), runtime.Execution{StateMachineName: "m", Input: decode(t, `{}`), Clock: runtime.NewVirtualClock(t0)})
		require.Equal(t, runtime.StatusTimedOut, res.Status)
		requireEnded(t, rec.Ended(), "TIMED_OUT", "States.Timeout")
	})
	t.Run("durable, stopped", func(t *testing.T) {
		rec := tracetest.NewSpanRecorder()
		clk := testclock.New(t0)
		d := runtime.NewDurable(openStore(t), &runtime.Durable{Tracer: newTracer(rec), Now: clk.Now, Consumer: "c"})
		started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: decode(t, `{}`)})
		require.NoError(t, err)
		clk.Advance(10 * time.Second)
		require.NoError(t, d.Stop(ctx, started.ID, "Bored", "no more waiting"))
		requireEnded(t, rec.Ended(), "ABORTED", "Bored")
	})
}

// A Map whose iterations the durable engine runs inline (a processor that
// only decides) has the spans the in-memory engine gives it: an iteration
// span each, under the Map's, with its states under it.
func TestTraceOfAnInlineMap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const def = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{
		"P":{"Type":"Pass","Next":"Q"},"Q":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":1,"Next":"Big"}],"Default":"Small"},
		"Big":{"Type":"Succeed"},"Small":{"Type":"Fail","Error":"Small"}}},"ToleratedFailureCount":5,"End":true}}}`
	tree := func(spans []sdktrace.ReadOnlySpan) []string {
		byID := map[trace.SpanID]string{}
		for _, s := range spans {
			byID[s.SpanContext().SpanID()] = s.Name()
		}
		var out []string
		for _, s := range spans {
			out = append(out, s.Name()+" < "+byID[s.Parent().SpanID()])
		}
		sort.Strings(out)
		return out
	}
	mem := tracetest.NewSpanRecorder()
	e := &runtime.Engine{Tracer: newTracer(mem)}
	res := e.Run(ctx, compile(t, def), runtime.Execution{StateMachineName: "m", Input: decode(t, `[1,2,3]`), Clock: runtime.NewVirtualClock(t0)})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)

	dur := tracetest.NewSpanRecorder()
	clk := testclock.New(t0)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tracer: newTracer(dur), Now: clk.Now, Consumer: "c"})
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: decode(t, `[1,2,3]`)})
	require.NoError(t, err)
	require.NoError(t, d.DrainVirtual(ctx, started.ID, func(to time.Time) { clk.Advance(to.Sub(clk.Now())) }))
	require.Equal(t, tree(mem.Ended()), tree(dur.Ended()))
	require.Contains(t, tree(dur.Ended()), "Fail Small < iteration")
	require.Contains(t, tree(dur.Ended()), "iteration < Map M")
}

// The in-memory engine counts the states an execution entered, history
// kept or not (the state transitions metric of EXPRESS executions).
func TestEngineCountsStateTransitions(t *testing.T) {
	t.Parallel()
	def := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"P"},"P":{"Type":"Parallel","Branches":[
		{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}},{"StartAt":"C","States":{"C":{"Type":"Pass","End":true}}}],"End":true}}}`)
	for _, noHistory := range []bool{false, true} {
		res := (&runtime.Engine{}).Run(context.Background(), def, runtime.Execution{Input: decode(t, `{}`), NoHistory: noHistory})
		require.Equal(t, runtime.StatusSucceeded, res.Status)
		require.Equal(t, 4, res.Transitions, "A, P, B and C (history kept: %v)", !noHistory)
	}
}

// Stopped while its Parallel's branches wait, an execution ends the spans
// of every state in progress, the branches' and the Parallel's, each under
// its parent, with the error.
func TestTraceOfAStoppedParallel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const def = `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"W1","States":{"W1":{"Type":"Wait","Seconds":60,"End":true}}},
		{"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":90,"End":true}}}]}}}`
	rec := tracetest.NewSpanRecorder()
	clk := testclock.New(t0)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tracer: newTracer(rec), Now: clk.Now, Consumer: "c"})
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: decode(t, `{}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx)) // the branches begin and enter their Waits
	clk.Advance(10 * time.Second)
	require.NoError(t, d.Stop(ctx, started.ID, "Enough", "stopped"))

	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byID[s.SpanContext().SpanID()] = s
	}
	var tree []string
	for _, s := range rec.Ended() {
		parent := "-"
		if p, ok := byID[s.Parent().SpanID()]; ok {
			parent = p.Name()
		}
		tree = append(tree, s.Name()+" < "+parent+" "+s.Status().Description)
	}
	sort.Strings(tree)
	require.Equal(t, []string{
		"Parallel P < execution m Enough",
		"Wait W1 < branch Enough",
		"Wait W2 < branch Enough",
		"branch < Parallel P Enough",
		"branch < Parallel P Enough",
		"execution m < - Enough",
	}, tree)
}
