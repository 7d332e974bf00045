// Package telemetry sets up OpenTelemetry tracing for the signalbox
// binary from the standard OTEL_* environment variables, as every
// OpenTelemetry SDK reads them, so that Jaeger (or any OTLP collector)
// shows Signalbox's traces with no setup of Signalbox's own:
//
//   - OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: where
//     to send spans (the --otlp-endpoint flag is a shortcut for the
//     first); tracing is on when one of them, or the flag, is set, or
//     OTEL_TRACES_EXPORTER names an exporter;
//   - OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: grpc
//     or http/protobuf (the default, as the specification says);
//   - OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT, ..._COMPRESSION,
//     ..._CERTIFICATE: read by the exporters themselves;
//   - OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES: the resource (service
//     name "signalbox" by default);
//   - OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG: the sampler, with the
//     SDK's names (parentbased_always_on by default);
//   - OTEL_TRACES_EXPORTER: otlp (default), console (spans as JSON on
//     stderr), or none; OTEL_SDK_DISABLED=true turns everything off.
//
// Spans' ids are drawn by runtime.IDGenerator, which gives an execution's
// spans the ids the runtime derives for them (runtime/trace.go). With
// tracing off, Setup returns no tracer and the runtime makes no span.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/runtime"
)

// Options are what the command line adds to the environment.
type Options struct {
	// Endpoint (--otlp-endpoint) is an OTLP endpoint URL, e.g.
	// http://127.0.0.1:4318 (http/protobuf) or, with
	// OTEL_EXPORTER_OTLP_PROTOCOL=grpc, http://127.0.0.1:4317; "" leaves
	// it to the environment.
	Endpoint string
	// Version is the binary's, for the resource's service.version.
	Version string
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Console is where the console exporter writes (stderr).
	Console io.Writer
	// Client, when set, is the OTLP client spans go out through, in
	// place of the one the environment names: the bench's, to measure
	// spans made but not sent.
	Client otlptrace.Client
}

// Telemetry is the process's tracing: Tracer is nil when it is off.
type Telemetry struct {
	Tracer   trace.Tracer
	provider *sdktrace.TracerProvider
	wire     *wireBatcher // the span writer's batches; nil unless OTLP
}

// Provider is the tracer provider, nil when tracing is off.
func (t *Telemetry) Provider() trace.TracerProvider {
	if t == nil || t.provider == nil {
		return nil
	}
	return t.provider
}

// SpanCounts are the spans written to the OTLP exporter so far, those
// exported, and those lost to failed uploads (after the client's
// retries); zero unless OTLP. Once flushed, written is exported plus lost.
func (t *Telemetry) SpanCounts() (written, exported, lost int64) {
	if t == nil || t.wire == nil {
		return 0, 0, 0
	}
	t.wire.mu.Lock()
	written = t.wire.written
	t.wire.mu.Unlock()
	return written, t.wire.exported.Load(), t.wire.lost.Load()
}

// Shutdown flushes the spans not exported yet and stops the exporter.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil || t.provider == nil {
		return nil
	}
	var err error
	if t.wire != nil {
		err = t.wire.Shutdown(ctx) // first: the provider stops the client
	}
	return errors.Join(err, t.provider.Shutdown(ctx))
}

// Describe says in one line where spans go, for the start-up log.
func (t *Telemetry) Describe() string {
	if t == nil || t.Tracer == nil {
		return "tracing off (set OTEL_EXPORTER_OTLP_ENDPOINT or --otlp-endpoint to export spans)"
	}
	return "tracing on: one trace per execution, exported by OTLP"
}

// Setup builds the process's tracing from o and the environment; a
// Telemetry with no tracer when tracing is off.
func Setup(ctx context.Context, o Options) (*Telemetry, error) {
	env := o.Getenv
	if env == nil {
		env = getenv
	}
	exporterName := strings.ToLower(strings.TrimSpace(env("OTEL_TRACES_EXPORTER")))
	endpointSet := o.Endpoint != "" || o.Client != nil || env("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	switch {
	case strings.EqualFold(env("OTEL_SDK_DISABLED"), "true"), exporterName == "none":
		return &Telemetry{}, nil
	case exporterName == "" && !endpointSet:
		return &Telemetry{}, nil
	}
	exp, client, err := newExporter(ctx, exporterName, o, env)
	if err != nil {
		return nil, err
	}
	res, err := newResource(ctx, o.Version)
	if err != nil {
		return nil, err
	}
	// No span is dropped: a full queue makes the process that ends a span
	// wait for the exporter (WithBlocking), rather than lose it, as the
	// SDK does by default; the queue is large enough for bursts.
	bsp := sdktrace.NewBatchSpanProcessor(exp, sdktrace.WithBlocking(), sdktrace.WithMaxQueueSize(1<<16), sdktrace.WithMaxExportBatchSize(4096))
	sampler := samplerFromEnv(env)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(bsp), sdktrace.WithResource(res), sdktrace.WithSampler(sampler),
		sdktrace.WithIDGenerator(runtime.IDGenerator{}))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	const scope = "github.com/signalbox/signalbox"
	w := &spanWriter{Tracer: tp.Tracer(scope), proc: bsp, sampler: sampler, byParent: isParentBasedAlwaysOn(sampler), res: res, scope: instrumentation.Scope{Name: scope}}
	if client != nil {
		w.wire = newWireBatcher(client, res, w.scope, scheduleDelay(env), batchSize(env))
	}
	return &Telemetry{Tracer: w, provider: tp, wire: w.wire}, nil
}

// newResource is the process's resource, for its traces and its metrics:
// service signalbox at version, unless OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES say otherwise.
func newResource(ctx context.Context, version string) (*resource.Resource, error) {
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "signalbox"), attribute.String("service.version", version)),
		resource.WithFromEnv(), // the environment wins
		resource.WithTelemetrySDK(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	return res, nil
}

// scheduleDelay is OTEL_BSP_SCHEDULE_DELAY (milliseconds), the longest a
// finished span waits to be sent: 5 s by default, as the SDK's.
func scheduleDelay(env func(string) string) time.Duration {
	if ms, err := strconv.Atoi(strings.TrimSpace(env("OTEL_BSP_SCHEDULE_DELAY"))); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return 5 * time.Second
}

// batchSize is OTEL_BSP_MAX_EXPORT_BATCH_SIZE, the most spans a batch
// holds: wireMaxSpans by default (the SDK's 512 makes eight times the
// requests, each with its resource, for the collector to take apart).
func batchSize(env func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"))); err == nil && n > 0 {
		return n
	}
	return wireMaxSpans
}

// newExporter is the span exporter OTEL_TRACES_EXPORTER and the protocol
// name, and, for OTLP, the client it sends through (the span writer's
// batches go through it too).
func newExporter(ctx context.Context, name string, o Options, env func(string) string) (sdktrace.SpanExporter, otlptrace.Client, error) {
	switch name {
	case "", "otlp":
	case "console":
		exp, err := stdouttrace.New(stdouttrace.WithWriter(o.Console))
		return exp, nil, err
	default:
		return nil, nil, fmt.Errorf("telemetry: OTEL_TRACES_EXPORTER=%q: not supported (otlp, console or none)", name)
	}
	if o.Client != nil {
		exp, err := otlptrace.New(ctx, o.Client)
		return exp, o.Client, err
	}
	protocol := env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = env("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch protocol {
	case "", "http/protobuf":
		var opts []otlptracehttp.Option
		if o.Endpoint != "" {
			opts = append(opts, otlptracehttp.WithEndpointURL(strings.TrimRight(o.Endpoint, "/")+"/v1/traces"))
		}
		client := otlptracehttp.NewClient(opts...)
		exp, err := otlptrace.New(ctx, client)
		return exp, client, err
	case "grpc":
		var opts []otlptracegrpc.Option
		if o.Endpoint != "" {
			opts = append(opts, otlptracegrpc.WithEndpointURL(o.Endpoint))
		}
		client := otlptracegrpc.NewClient(opts...)
		exp, err := otlptrace.New(ctx, client)
		return exp, client, err
	}
	return nil, nil, fmt.Errorf("telemetry: OTLP protocol %q: not supported (grpc or http/protobuf)", protocol)
}

func getenv(k string) string { return os.Getenv(k) }

// ForceFlush exports the spans ended so far.
func (t *Telemetry) ForceFlush(ctx context.Context) error {
	if t == nil || t.provider == nil {
		return nil
	}
	if t.wire != nil {
		if err := t.wire.ForceFlush(ctx); err != nil {
			return err
		}
	}
	return t.provider.ForceFlush(ctx)
}
