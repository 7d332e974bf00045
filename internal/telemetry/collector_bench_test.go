package telemetry

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
)

// What a collector's CPU is per span of ours, by what the spans carry and
// how they are grouped into batches: the spans of task5 executions (the
// bench's: an execution's span, five Task states' and five task calls',
// with the attributes the runtime gives them) written through the wire
// batcher to a running collector, whose CPU is read from /proc before and
// after (its uploads are answered once stored: Jaeger's memory store takes
// them with no queue). Skipped unless SIGNALBOX_COLLECTOR_PID names the
// collector's process and SIGNALBOX_COLLECTOR_HTTP (http://127.0.0.1:4318)
// or SIGNALBOX_COLLECTOR_GRPC (http://127.0.0.1:4317) its OTLP endpoint:
//
//	SIGNALBOX_COLLECTOR_PID=$(pgrep -f jaeger) SIGNALBOX_COLLECTOR_HTTP=http://127.0.0.1:4318 \
//	  go test -run XXX -bench Collector -benchtime 200000x ./internal/telemetry/
//
// An op is a span; collector-µs/span is the collector's CPU per span.
// The cases: "whole", each batch holding executions' spans whole (an
// execution's eleven one after the other); "spread", a batch holding one
// span of each of 4096 executions (eleven batches carry an execution);
// "bare", the spans whole with no attributes: what the attributes cost.
func BenchmarkCollector(b *testing.B) {
	pid, _ := strconv.Atoi(os.Getenv("SIGNALBOX_COLLECTOR_PID"))
	endpoints := map[string]string{"http": os.Getenv("SIGNALBOX_COLLECTOR_HTTP"), "grpc": os.Getenv("SIGNALBOX_COLLECTOR_GRPC")}
	if pid == 0 || endpoints["http"]+endpoints["grpc"] == "" {
		b.Skip("SIGNALBOX_COLLECTOR_PID and SIGNALBOX_COLLECTOR_HTTP or _GRPC name no collector")
	}
	res, err := newResource(context.Background(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	for _, proto := range []string{"http", "grpc"} {
		url := endpoints[proto]
		if url == "" {
			continue
		}
		for _, c := range []struct {
			name   string
			spread bool
			bare   bool
		}{{"whole", false, false}, {"spread", true, false}, {"bare", false, true}} {
			b.Run(proto+"/"+c.name, func(b *testing.B) {
				var client otlptrace.Client
				if proto == "grpc" {
					client = otlptracegrpc.NewClient(otlptracegrpc.WithEndpointURL(url))
				} else {
					client = otlptracehttp.NewClient(otlptracehttp.WithEndpointURL(strings.TrimRight(url, "/") + "/v1/traces"))
				}
				if err := client.Start(context.Background()); err != nil {
					b.Fatal(err)
				}
				defer func() { _ = client.Stop(context.Background()) }()
				w := newWireBatcher(client, res, instrumentation.Scope{Name: "github.com/signalbox/signalbox"}, time.Hour, 0)
				defer func() { _ = w.Shutdown(context.Background()) }()
				gen := newTask5Spans(c.bare)
				cpu0 := collectorCPU(b, pid)
				for i := 0; b.Loop(); i++ {
					s := gen.span(i, c.spread)
					w.add(&s, s.Kind, nil)
				}
				if err := w.ForceFlush(context.Background()); err != nil {
					b.Fatal(err)
				}
				if exported, lost := w.exported.Load(), w.lost.Load(); lost > 0 || exported != int64(b.N) {
					b.Fatalf("%d spans exported, %d lost, of %d", exported, lost, b.N)
				}
				b.ReportMetric(float64((collectorCPU(b, pid)-cpu0).Nanoseconds())/1e3/float64(b.N), "collector-µs/span")
			})
		}
	}
}

// task5Spans makes the spans of task5 executions, each execution a trace
// of its own.
type task5Spans struct {
	bare  bool
	run   [8]byte // trace ids differ from run to run
	start time.Time
}

func newTask5Spans(bare bool) *task5Spans {
	g := &task5Spans{bare: bare, start: time.Now()}
	binary.BigEndian.PutUint64(g.run[:], uint64(g.start.UnixNano()))
	return g
}

// span is the i-th span: in order, execution after execution ("whole"),
// or (spread) the i-th span of a round of 4096 executions' that spans
// one per execution.
func (g *task5Spans) span(i int, spread bool) integrations.FinishedSpan {
	const per, round = 11, wireMaxSpans
	exec, k := i/per, i%per
	if spread {
		r := i / (per * round)
		exec, k = r*round+i%round, (i/round)%per
	}
	var tid trace.TraceID
	copy(tid[:8], g.run[:])
	binary.BigEndian.PutUint64(tid[8:], uint64(exec))
	id := func(n int) trace.SpanID {
		var s trace.SpanID
		binary.BigEndian.PutUint64(s[:], uint64(exec)<<8|uint64(n+1))
		return s
	}
	sc := func(n int) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: id(n), TraceFlags: trace.FlagsSampled, Remote: true})
	}
	start := g.start.Add(time.Duration(k) * time.Millisecond)
	s := integrations.FinishedSpan{SpanContext: sc(k), Start: start, End: start.Add(time.Millisecond), Kind: trace.SpanKindInternal}
	arn := fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:task5:%016x", exec)
	switch {
	case k == 0: // the execution's
		s.Name = "execution task5"
		s.Attributes = []attribute.KeyValue{attribute.String("signalbox.execution.arn", arn),
			attribute.String("signalbox.state_machine.name", "task5"), attribute.String("signalbox.status", "SUCCEEDED")}
	case k <= 5: // a Task state's
		name := string(rune('A' + k - 1))
		s.Name, s.Parent = "Task "+name, sc(0)
		s.Attributes = []attribute.KeyValue{attribute.String("signalbox.state.name", name), attribute.String("signalbox.state.type", "Task"),
			attribute.Int("signalbox.input.bytes", 2), attribute.Int("signalbox.output.bytes", 2)}
	default: // a task call's, under its state's
		s.Name, s.Parent, s.Kind = "task arn:aws:states:::signalbox:bench", sc(k-5), trace.SpanKindClient
		s.Attributes = []attribute.KeyValue{attribute.String("signalbox.task.resource", "arn:aws:states:::signalbox:bench"),
			attribute.Int("signalbox.task.attempt", 0)}
	}
	if g.bare {
		s.Attributes = nil
	}
	return s
}

// collectorCPU is the CPU the collector's process has used.
func collectorCPU(b *testing.B, pid int) time.Duration {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(st)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ: 100 on Linux
}
