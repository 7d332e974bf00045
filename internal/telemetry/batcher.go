package telemetry

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/signalbox/signalbox/integrations"
)

// wireBatcher batches finished spans in their wire form (wire.go) and
// uploads each batch through the OTLP client the SDK's exporter uses (which,
// as the SDK's clients do, must not keep what it was given once
// UploadTraces returns: a batch's buffer is used again), so
// that the endpoint, headers, TLS, compression, timeout and retries are
// the OTEL_* environment's, over HTTP or gRPC alike. A batch goes as one
// ScopeSpans whose spans are its unknown fields: the generated types keep
// unknown fields and marshal them as they are.
//
// No span is dropped: when wireMaxQueued spans wait for the upload, a
// writer waits for room, as the SDK's batcher does WithBlocking. A
// failed upload (after the client's retries) loses its batch, as with the
// SDK, and is reported to otel's error handler.
type wireBatcher struct {
	client   otlptrace.Client
	resource *resourcepb.Resource
	schema   string
	scope    *commonpb.InstrumentationScope

	mu      sync.Mutex
	buf     []byte
	spans   int
	written int64 // spans added, ever

	maxSpans int
	maxBytes int // a batch's, whatever its spans: see wireMaxBytes
	queue    chan wireItem
	// free holds the buffers of batches uploaded, for the batches to
	// come: a batch of 4096 spans is about a megabyte, which a new
	// buffer each time would allocate and zero, and grow by doubling
	// once it outgrew the last one (three times a span's bytes, measured
	// in BenchmarkDurableTask5: a garbage collection every few batches).
	free chan []byte
	done chan struct{}
	// sending is held (read) by whoever sends on queue, and (write) by
	// Shutdown to close it: after that, closed drops what comes.
	sending sync.RWMutex
	closed  bool

	// exported and lost count the spans uploaded and the spans whose
	// upload failed (Telemetry.SpanCounts).
	exported, lost atomic.Int64
}

// wireItem is a batch to upload, or (flushed set) a marker that answers
// once every batch before it has been uploaded.
type wireItem struct {
	batch   []byte
	spans   int // in batch
	flushed chan struct{}
}

const (
	wireMaxSpans  = 4096  // a batch's spans, as the SDK batcher's WithMaxExportBatchSize here
	wireMaxQueued = 65536 // spans in the batches waiting, as the SDK batcher's queue here
	// wireMaxBytes ends a batch before it holds more spans than a
	// collector takes in one request: gRPC's default limit on a message
	// is 4 MiB (the collector's on an HTTP body 20 MiB). Spans of 200 to
	// 300 bytes, as the runtime's are, reach it at about 12,000.
	wireMaxBytes = 3 << 20
	// wireFree is how many uploaded batches' buffers are kept for reuse:
	// one being filled while one uploads is the steady state.
	wireFree = 2
)

// newWireBatcher starts a batcher uploading through client every delay,
// or as soon as a batch holds maxSpans spans (wireMaxSpans when 0) or
// wireMaxBytes.
func newWireBatcher(client otlptrace.Client, res *resource.Resource, scope instrumentation.Scope, delay time.Duration, maxSpans int) *wireBatcher {
	if maxSpans <= 0 {
		maxSpans = wireMaxSpans
	}
	b := &wireBatcher{client: client, schema: res.SchemaURL(), maxSpans: maxSpans, maxBytes: wireMaxBytes,
		scope: &commonpb.InstrumentationScope{Name: scope.Name, Version: scope.Version},
		queue: make(chan wireItem, max(2, wireMaxQueued/maxSpans)), free: make(chan []byte, wireFree), done: make(chan struct{})}
	b.resource = &resourcepb.Resource{}
	for _, kv := range res.Attributes() {
		b.resource.Attributes = append(b.resource.Attributes, keyValueProto(kv))
	}
	go b.loop(delay)
	return b
}

// keyValueProto is kv as the generated type, for the resource (once).
func keyValueProto(kv attribute.KeyValue) *commonpb.KeyValue {
	out := &commonpb.KeyValue{Key: string(kv.Key), Value: &commonpb.AnyValue{}}
	if err := proto.Unmarshal(appendAnyValue(nil, kv.Value), out.Value); err != nil {
		out.Value.Value = &commonpb.AnyValue_StringValue{StringValue: kv.Value.Emit()}
	}
	return out
}

// encoders are the span encoders of the writers at work: a span is
// encoded outside the batch's lock, which covers its copy only.
var encoders = sync.Pool{New: func() any { return new(spanEncoder) }}

// add encodes s into the batch under way, handing the batch over when it
// is full.
func (b *wireBatcher) add(s *integrations.FinishedSpan, kind trace.SpanKind, extra []attribute.KeyValue) {
	enc := encoders.Get().(*spanEncoder)
	enc.out = enc.appendScopeSpan(enc.out[:0], s, kind, extra)
	b.mu.Lock()
	b.buf = append(b.buf, enc.out...)
	b.spans++
	b.written++
	var full wireItem
	if b.spans >= b.maxSpans || len(b.buf) >= b.maxBytes {
		full = b.take()
	}
	b.mu.Unlock()
	encoders.Put(enc)
	if full.batch != nil {
		b.send(context.Background(), full)
	}
}

// send queues it, waiting for room; false when ctx ended first or the
// batcher is shut down.
func (b *wireBatcher) send(ctx context.Context, it wireItem) bool {
	b.sending.RLock()
	defer b.sending.RUnlock()
	if b.closed {
		return false
	}
	select {
	case b.queue <- it:
		return true
	case <-ctx.Done():
		return false
	}
}

// take returns the batch under way and starts another, in a buffer
// uploaded before when one is free; b.mu held.
func (b *wireBatcher) take() wireItem {
	it := wireItem{batch: b.buf, spans: b.spans}
	select {
	case buf := <-b.free:
		b.buf = buf[:0]
	default:
		b.buf = make([]byte, 0, len(it.batch)+len(it.batch)/4) // room for larger spans than the last batch's
	}
	b.spans = 0
	return it
}

// loop uploads the batches in order, and the batch under way every delay.
func (b *wireBatcher) loop(delay time.Duration) {
	defer close(b.done)
	tick := time.NewTicker(delay)
	defer tick.Stop()
	for {
		select {
		case it, ok := <-b.queue:
			if !ok {
				return
			}
			if it.batch != nil {
				b.upload(it)
			}
			if it.flushed != nil {
				close(it.flushed)
			}
		case <-tick.C:
			b.mu.Lock()
			var it wireItem
			if b.spans > 0 {
				it = b.take()
			}
			b.mu.Unlock()
			if it.batch != nil {
				b.upload(it)
			}
		}
	}
}

// upload sends a batch, whose buffer is then free for another.
func (b *wireBatcher) upload(it wireItem) {
	ss := &tracepb.ScopeSpans{Scope: b.scope}
	ss.ProtoReflect().SetUnknown(it.batch)
	rs := &tracepb.ResourceSpans{Resource: b.resource, ScopeSpans: []*tracepb.ScopeSpans{ss}, SchemaUrl: b.schema}
	err := b.client.UploadTraces(context.Background(), []*tracepb.ResourceSpans{rs})
	select {
	case b.free <- it.batch:
	default:
	}
	if err != nil {
		b.lost.Add(int64(it.spans))
		otel.Handle(err)
		return
	}
	b.exported.Add(int64(it.spans))
}

// ForceFlush uploads every span added so far, and returns once that is
// done or ctx ends.
func (b *wireBatcher) ForceFlush(ctx context.Context) error {
	b.mu.Lock()
	it := wireItem{flushed: make(chan struct{})}
	if b.spans > 0 {
		it = b.take()
		it.flushed = make(chan struct{})
	}
	b.mu.Unlock()
	if !b.send(ctx, it) {
		return ctx.Err()
	}
	select {
	case <-it.flushed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown flushes and stops the loop; spans written later are dropped.
// The client is the SDK exporter's, which stops it.
func (b *wireBatcher) Shutdown(ctx context.Context) error {
	err := b.ForceFlush(ctx)
	b.sending.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.sending.Unlock()
	select {
	case <-b.done:
		return err
	case <-ctx.Done():
		return errors.Join(err, ctx.Err())
	}
}
