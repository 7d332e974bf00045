package runtime

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// Tracing: one trace per execution. The execution is a root span (its
// parent the caller's span, when the start carried a traceparent), each
// state entered a child span of it, or of its Parallel branch's or Map
// iteration's span, and each task call a child span of its state's
// (TaskTracing, a middleware). A span is emitted once, whole, by the
// process that ends what it covers, with its true start and end times: a
// state entered by one worker and ended by another, days later, is one
// span. That works because a span's id is not drawn at random but derived
// from what identifies it in the execution (spanIDOf: the execution, and
// the event that entered the state), so any process can name a span's
// parent before that parent is emitted. The SDK draws ids through its
// IDGenerator: IDGenerator takes the id a span is to have from its
// context (withSpanID) and draws one otherwise; the provider that exports
// Signalbox's spans must be built with it (internal/telemetry does).
//
// With no Tracer (nil), nothing of this runs.

// Span attribute keys, in Signalbox's namespace (docs/telemetry.md).
const (
	attrExecution    = attribute.Key("signalbox.execution.arn")
	attrStateMachine = attribute.Key("signalbox.state_machine.name")
	attrState        = attribute.Key("signalbox.state.name")
	attrStateType    = attribute.Key("signalbox.state.type")
	attrRetryCount   = attribute.Key("signalbox.state.retry_count")
	attrStatus       = attribute.Key("signalbox.status")
	attrError        = attribute.Key("signalbox.error")
	attrCause        = attribute.Key("signalbox.cause")
	attrMapIndex     = attribute.Key("signalbox.map.index")
	attrBranch       = attribute.Key("signalbox.branch.index")
	attrInputBytes   = attribute.Key("signalbox.input.bytes")
	attrOutputBytes  = attribute.Key("signalbox.output.bytes")
)

// spanIDOf derives a span's id from the execution and what identifies the
// span in it: FNV-1a (64 bits) over exec, a zero byte, kind and each of
// nums big-endian, written out here rather than through hash/fnv, whose
// Hash64 and []byte conversions cost three allocations a span (a fifth of
// a traced Pass state's time in BenchmarkSpanPath); the ids are the same.
func spanIDOf(exec string, kind string, nums ...int64) trace.SpanID {
	return spanIDFrom(execSeed(exec), kind, nums...)
}

const prime64 = 1099511628211 // FNV-1a's

// execSeed is spanIDOf's hash after exec and the zero byte: the part the
// spans of one execution share, hashed once (execTrace.seed) rather than
// for every id (an ARN is about 90 bytes; a traced Task state names its
// span three times).
func execSeed(exec string) uint64 {
	const offset64 = 14695981039346656037
	h := uint64(offset64)
	for i := 0; i < len(exec); i++ {
		h = (h ^ uint64(exec[i])) * prime64
	}
	return h * prime64 // the zero byte
}

// spanIDFrom is spanIDOf from the execution's seed.
func spanIDFrom(h uint64, kind string, nums ...int64) trace.SpanID {
	for i := 0; i < len(kind); i++ {
		h = (h ^ uint64(kind[i])) * prime64
	}
	for _, n := range nums {
		for shift := 56; shift >= 0; shift -= 8 {
			h = (h ^ uint64(byte(uint64(n)>>shift))) * prime64
		}
	}
	var id trace.SpanID
	binary.BigEndian.PutUint64(id[:], h|1) // never the invalid zero id
	return id
}

// execTrace is an execution's trace: its ids, and the tracer its spans go
// to.
type execTrace struct {
	tracer  trace.Tracer
	exec    string // the execution's ARN: spans' ids derive from it
	seed    uint64 // execSeed(exec)
	machine string
	traceID trace.TraceID
	caller  trace.SpanID     // the starter's span, the root span's parent; zero: none
	tstate  trace.TraceState // the caller's tracestate, on every span
	rootID  trace.SpanID     // the execution's span, every thread's parent but a fork's
}

// newExecTrace is the trace of an execution, from the ids stored with it
// (hex; the caller's span "" when none) and the caller's tracestate; nil
// when tracer is nil.
func newExecTrace(tracer trace.Tracer, arn, machine, traceID, caller, state string) *execTrace {
	if tracer == nil {
		return nil
	}
	x := &execTrace{tracer: tracer, exec: arn, machine: machine, seed: execSeed(arn)}
	x.rootID = spanIDFrom(x.seed, "execution")
	if b, err := hex.DecodeString(traceID); err == nil && len(b) == 16 {
		copy(x.traceID[:], b)
	}
	if b, err := hex.DecodeString(caller); err == nil && len(b) == 8 {
		copy(x.caller[:], b)
	}
	if state != "" {
		x.tstate, _ = trace.ParseTraceState(state) // kept checked (integrations.CleanTraceState)
	}
	return x
}

// root is the execution's span id.
func (x *execTrace) root() trace.SpanID { return x.rootID }

// state is the span id of the visit of a state entered by event entered.
func (x *execTrace) state(entered int64) trace.SpanID { return spanIDFrom(x.seed, "state", entered) }

// child is the span id of child index of the fork of the state entered by
// event entered (a Parallel branch, a Map iteration).
func (x *execTrace) child(entered int64, index int) trace.SpanID {
	return spanIDFrom(x.seed, "child", entered, int64(index))
}

// spanContext is the context of span id in the execution's trace.
func (x *execTrace) spanContext(id trace.SpanID) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: x.traceID, SpanID: id, TraceFlags: trace.FlagsSampled, TraceState: x.tstate, Remote: true})
}

// traceparent is the W3C traceparent header naming span id.
func (x *execTrace) traceparent(id trace.SpanID) string {
	return integrations.TraceParentOf(x.spanContext(id))
}

// spanRecord is a span to emit, whole.
type spanRecord struct {
	id, parent trace.SpanID // parent zero: a root
	name       string
	start, end time.Time
	attrs      []attribute.KeyValue
	failure    *aslerr.Error
}

// emit sends a span to the tracer.
func (x *execTrace) emit(sp spanRecord) {
	if w, ok := x.tracer.(integrations.SpanWriter); ok {
		fs := integrations.FinishedSpan{Name: sp.name, SpanContext: x.spanContext(sp.id), Start: sp.start, End: sp.end, Attributes: sp.attrs}
		if sp.parent.IsValid() {
			fs.Parent = x.spanContext(sp.parent)
		}
		if f := sp.failure; f != nil {
			fs.Error = true
			fs.ErrorName, fs.ErrorCause = f.Name, f.Cause
		}
		w.WriteSpan(fs)
		return
	}
	ctx := withSpanID(context.Background(), sp.id)
	if sp.parent.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, x.spanContext(sp.parent))
	} else {
		// A root: the trace is the execution's all the same.
		ctx = withTraceID(ctx, x.traceID)
	}
	_, span := x.tracer.Start(ctx, sp.name, trace.WithTimestamp(sp.start), trace.WithAttributes(sp.attrs...),
		trace.WithSpanKind(trace.SpanKindInternal))
	if f := sp.failure; f != nil {
		span.SetStatus(codes.Error, f.Name)
		span.AddEvent("error", trace.WithTimestamp(sp.end), trace.WithAttributes(attrError.String(f.Name), attrCause.String(f.Cause)))
	}
	span.End(trace.WithTimestamp(sp.end))
}

// executionSpan is the execution's root span, from start to its end with
// status.
func (x *execTrace) executionSpan(start, end time.Time, status Status, failure *aslerr.Error) spanRecord {
	return spanRecord{id: x.root(), parent: x.caller, name: "execution " + x.machine, start: start, end: end, failure: failure,
		attrs: []attribute.KeyValue{attrExecution.String(x.exec), attrStateMachine.String(x.machine), attrStatus.String(string(status))}}
}

// stateSpan is the span of a state's visit that c describes, in the
// thread whose span is parent, ended at end: successfully when failure
// is nil.
func (x *execTrace) stateSpan(parent trace.SpanID, st asl.State, c *asl.Context, input, output any, end time.Time, failure *aslerr.Error) spanRecord {
	attrs := make([]attribute.KeyValue, 0, 5) // room for them all: one allocation
	attrs = append(attrs, attrState.String(st.Name()), attrStateType.String(string(st.Kind())),
		attrInputBytes.Int(asl.EncodedLen(input, 0)))
	if c.RetryCount > 0 {
		attrs = append(attrs, attrRetryCount.Int(c.RetryCount))
	}
	if failure == nil {
		attrs = append(attrs, attrOutputBytes.Int(asl.EncodedLen(output, 0)))
	}
	return spanRecord{id: x.state(c.EnteredEventID), parent: parent, name: string(st.Kind()) + " " + st.Name(),
		start: c.EnteredTime, end: end, attrs: attrs, failure: failure}
}

// childSpan is the span of a Parallel branch or Map iteration, child
// index of the fork of the state entered by event entered.
func (x *execTrace) childSpan(entered int64, isMap bool, index int, start, end time.Time, failure *aslerr.Error) spanRecord {
	name, attr := "branch", attrBranch.Int(index)
	if isMap {
		name, attr = "iteration", attrMapIndex.Int(index)
	}
	return spanRecord{id: x.child(entered, index), parent: x.state(entered), name: name, start: start, end: end, failure: failure,
		attrs: []attribute.KeyValue{attr}}
}

// retrySpan is the span of the wait before attempt (1 for the first
// retry) of the state entered by event entered.
func (x *execTrace) retrySpan(st asl.State, entered int64, attempt int, start, end time.Time) spanRecord {
	return spanRecord{id: spanIDFrom(x.seed, "retry", entered, int64(attempt)), parent: x.state(entered), name: "retry wait",
		start: start, end: end, attrs: []attribute.KeyValue{attrState.String(st.Name()), attrRetryCount.Int(attempt)}}
}

// taskContext is the context a task call runs in: its state's span is
// the parent of the call's (TaskTracing).
func (x *execTrace) taskContext(ctx context.Context, entered int64) context.Context {
	return trace.ContextWithRemoteSpanContext(ctx, x.spanContext(x.state(entered)))
}

type spanIDKey struct{}
type traceIDKey struct{}

// withSpanID asks IDGenerator for id as the id of the span started with
// ctx.
func withSpanID(ctx context.Context, id trace.SpanID) context.Context {
	return context.WithValue(ctx, spanIDKey{}, id)
}

// withTraceID asks IDGenerator for id as the trace of the root span
// started with ctx.
func withTraceID(ctx context.Context, id trace.TraceID) context.Context {
	return context.WithValue(ctx, traceIDKey{}, id)
}

// IDGenerator is the OpenTelemetry SDK's IDGenerator for Signalbox's
// spans (sdktrace.WithIDGenerator): an execution's spans get the ids
// derived for them, every other span random ones.
type IDGenerator struct{}

// NewIDs returns a root span's trace and span ids.
func (IDGenerator) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	tid, ok := ctx.Value(traceIDKey{}).(trace.TraceID)
	if !ok || !tid.IsValid() {
		tid = randomTraceID()
	}
	return tid, IDGenerator{}.NewSpanID(ctx, tid)
}

// NewSpanID returns a span's id.
func (IDGenerator) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	if id, ok := ctx.Value(spanIDKey{}).(trace.SpanID); ok && id.IsValid() {
		return id
	}
	var id trace.SpanID
	for !id.IsValid() {
		binary.BigEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}

func randomTraceID() trace.TraceID {
	var id trace.TraceID
	for !id.IsValid() {
		binary.BigEndian.PutUint64(id[:8], rand.Uint64())
		binary.BigEndian.PutUint64(id[8:], rand.Uint64())
	}
	return id
}

// threadSpan is the span of the durable thread's states' parent: the
// execution's, or the thread's branch or iteration's.
func (x *execInfo) threadSpan(rec *threadRecord) trace.SpanID {
	if ch := rec.Child; ch != nil {
		return x.trace.child(ch.ParentEntered, ch.Index)
	}
	return x.trace.root()
}

// emit sends the spans of a committed transition, and the execution's own
// when the transition closed it.
func (x *execInfo) emit(spans []spanRecord, cl *store.ExecutionClose) {
	tr := x.trace
	if tr == nil {
		return
	}
	for _, sp := range spans {
		tr.emit(sp)
	}
	if cl != nil {
		tr.emit(tr.executionSpan(x.start, cl.StopDate, Status(cl.Status), closeFailure(cl)))
	}
}

func closeFailure(cl *store.ExecutionClose) *aslerr.Error {
	if cl.Status == store.StatusSucceeded {
		return nil
	}
	return &aslerr.Error{Name: cl.Error, Cause: cl.Cause}
}

// openStateSpans are the spans of what an execution was doing when it
// was ended from outside (stopped, timed out), ended at end with failure:
// the state each of its threads was in, and the branches and iterations
// under way.
func (d *Durable) openStateSpans(ctx context.Context, x *execInfo, end time.Time, failure *aslerr.Error) []spanRecord {
	threads, err := d.store.ThreadList(ctx, x.id)
	if err != nil {
		return nil
	}
	var spans []spanRecord
	for _, th := range threads {
		rec, err := decodeThreadRecord(th.Record)
		if err != nil || rec.Phase == phaseDone {
			continue
		}
		if ch := rec.Child; ch != nil && ch.Began != 0 {
			spans = append(spans, x.trace.childSpan(ch.ParentEntered, ch.MapState != "", ch.Index, time.UnixMilli(ch.Began), end, failure))
		}
		if rec.Phase == phaseBegin || rec.EnteredID == 0 {
			continue // not in a state yet
		}
		m, err := machineAt(x.machine, rec.Machine)
		if err != nil {
			continue
		}
		st, ok := m.State(rec.State)
		if !ok {
			continue
		}
		input, _ := decodeRaw(rec.Input)
		c := &asl.Context{EnteredTime: time.UnixMilli(rec.Entered).UTC(), EnteredEventID: rec.EnteredID, RetryCount: rec.RetryCount}
		spans = append(spans, x.trace.stateSpan(x.threadSpan(rec), st, c, input, nil, end, failure))
	}
	return spans
}

// logContext is ctx carrying the execution's span, so that a record
// logged with it names the execution's trace (trace_id, span_id), and the
// execution's ARN; both only when the execution's fields are cached here
// (no read for a log line): else ctx, and the id.
func (d *Durable) logContext(ctx context.Context, id string) (context.Context, string) {
	d.mu.Lock()
	x := d.execs[id]
	d.mu.Unlock()
	if x == nil {
		return ctx, id
	}
	if x.trace != nil {
		ctx = trace.ContextWithRemoteSpanContext(ctx, x.trace.spanContext(x.trace.root()))
	}
	return ctx, x.arn
}
