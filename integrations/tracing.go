package integrations

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// SpanWriter is a Tracer that also takes spans already finished, whole:
// the runtime's spans are (it knows their ids, start and end when it
// emits them), and so are task calls' (Tracing times them), and handing
// them over so skips the SDK's machinery for spans in progress (about 5 µs
// a span; internal/telemetry's tracer is one). A Tracer that is not a
// SpanWriter gets them through Start and End. A span is handed over by
// value: through a pointer it would escape to the heap, an allocation a
// span.
type SpanWriter interface {
	trace.Tracer
	WriteSpan(FinishedSpan)
}

// FinishedSpan is a span handed to a SpanWriter, its context sampled, its
// parent (when valid) remote.
type FinishedSpan struct {
	Name                string
	Kind                trace.SpanKind // unspecified: internal
	SpanContext, Parent trace.SpanContext
	Start, End          time.Time
	Attributes          []attribute.KeyValue
	// Error sets the status Error with ErrorName as its description, and
	// adds an "error" event at End with signalbox.error and
	// signalbox.cause.
	Error                 bool
	ErrorName, ErrorCause string
}

// Tracing makes a span of every task call: a client span, child of the
// span in the call's context (the runtime puts its state's there), from the
// call's start to its return, named after the resource. The call hands on
// that span's W3C trace context in Request.TraceParent, so that what the
// integration reaches (an HTTP endpoint, a queue's consumer, an activity's
// worker) joins the execution's trace. A call that answers later (Pending)
// ends its span when it returns: the wait for its token is the state's
// span. With a SpanWriter the span is written whole when the call returns
// (its id drawn here); otherwise it goes through the tracer's Start and
// End.
func Tracing(tracer trace.Tracer) Middleware {
	w, whole := tracer.(SpanWriter)
	return func(next Handler) Handler {
		if whole {
			return HandlerFunc(func(ctx context.Context, req *Request) (any, error) {
				return traceWhole(ctx, w, next, req)
			})
		}
		return HandlerFunc(func(ctx context.Context, req *Request) (any, error) {
			ctx, span := tracer.Start(ctx, "task "+req.Resource, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(callAttributes(req)...))
			defer span.End()
			if sc := span.SpanContext(); sc.IsValid() {
				req.TraceParent = TraceParentOf(sc)
			}
			out, err := next.Invoke(ctx, req)
			if name, cause, failed := callFailure(out, err); failed {
				span.SetStatus(codes.Error, name)
				if cause != "" {
					span.SetAttributes(attribute.String("signalbox.error", name), attribute.String("signalbox.cause", cause))
				}
			} else if _, later := out.(*Pending); later {
				span.SetAttributes(attribute.Bool("signalbox.task.pending", true))
			}
			return out, err
		})
	}
}

// traceWhole calls next under a span of its own, written whole to w when
// the call returns. A call whose context holds no span (an execution not
// traced) makes none.
func traceWhole(ctx context.Context, w SpanWriter, next Handler, req *Request) (any, error) {
	parent := trace.SpanContextFromContext(ctx)
	if !parent.IsValid() {
		return next.Invoke(ctx, req)
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: parent.TraceID(), SpanID: newSpanID(),
		TraceFlags: parent.TraceFlags(), TraceState: parent.TraceState()})
	req.TraceParent = TraceParentOf(sc)
	start := time.Now()
	out, err := next.Invoke(trace.ContextWithSpanContext(ctx, sc), req)
	fs := FinishedSpan{Name: "task " + req.Resource, Kind: trace.SpanKindClient, SpanContext: sc, Parent: parent,
		Start: start, End: time.Now(), Attributes: callAttributes(req)}
	if name, cause, failed := callFailure(out, err); failed {
		fs.Error, fs.ErrorName, fs.ErrorCause = true, name, cause
	} else if _, later := out.(*Pending); later {
		fs.Attributes = append(fs.Attributes, attribute.Bool("signalbox.task.pending", true))
	}
	w.WriteSpan(fs)
	return out, err
}

// callAttributes are a task call's span attributes: what the call's
// parent, its state's span, does not say (the execution and the state are
// its, and in its trace), with room for signalbox.task.pending.
func callAttributes(req *Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 2, 3)
	attrs[0], attrs[1] = attribute.String("signalbox.task.resource", req.Resource), attribute.Int("signalbox.task.attempt", req.Attempt)
	return attrs
}

// callFailure says whether a call failed, and how: a task failure's ASL
// error and cause, or another error's text (no cause).
func callFailure(out any, err error) (name, cause string, failed bool) {
	if err == nil {
		return "", "", false // (before errors.As, whose target escapes: an allocation a call)
	}
	var ie *Error
	switch {
	case errors.As(err, &ie):
		return ie.Name, ie.Cause, true
	case err != nil:
		return err.Error(), "", true
	}
	return "", "", false
}

// newSpanID draws a span id, never the invalid zero one.
func newSpanID() trace.SpanID {
	var id trace.SpanID
	binary.BigEndian.PutUint64(id[:], rand.Uint64()|1)
	return id
}
