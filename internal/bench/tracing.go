package bench

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
)

// tracingRounds is how many times the comparison alternates tracing off
// and on, after a round that warms both up and is not counted; the order
// within a round swaps each time, so that a drift of the machine's load
// falls on both alike.
const tracingRounds = 5

// tracingEnv is the environment the comparison's tracing reads: only how
// spans go out (the protocol, the batcher's delay), never where to or
// whether, which the flags say. The OTLP clients read their own variables
// (OTEL_EXPORTER_OTLP_COMPRESSION, ...) from the process's environment.
func tracingEnv(k string) string {
	switch k {
	case "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE":
		return os.Getenv(k)
	}
	return ""
}

// discardClient is an OTLP client that drops what it is given: with
// --otlp-endpoint discard, the comparison measures spans made and encoded
// but not sent.
type discardClient struct{}

func (discardClient) Start(context.Context) error { return nil }
func (discardClient) Stop(context.Context) error  { return nil }
func (discardClient) UploadTraces(context.Context, []*tracepb.ResourceSpans) error {
	return nil
}

// tracedWorkload is a workload of the comparison and the spans each of its
// executions makes.
type tracedWorkload struct {
	benchWorkload
	spans int
}

// The comparison's workloads: pass5 by the workers (the execution's span
// and a span per state), task5 (and a span per task call).
var tracedWorkloads = []tracedWorkload{{benchWorkloads[1], 1 + 5}, {benchTask5, 1 + 5 + 5}}

// benchTracing measures what tracing costs the workers: state transitions
// of pass5 (every step a worker's) and task5 with tracing off and on
// (spans exported by OTLP to o.otlpEndpoint, through the same setup as
// serve's: internal/telemetry, no span dropped, and that checked: every
// span each run makes is exported), alternated on the same store, medians
// reported with their ratio, two ways:
//
//   - per second of the wall clock: what the goal names, and what
//     a shared machine's other load moves by ±30% from run to run;
//   - per second of CPU used by everything the work needs (this process,
//     the Redis, and the collector when o.otlpPID names it), from the
//     workers' start until the exporter has sent every span: what the
//     rate would be with the cores to itself, and steady from run to run.
//
// With o.jaegerQuery, one execution of each workload is then looked up in
// Jaeger's query API: its trace is there, whole.
//
// off is the bench's rig, tracing off; the rig with it on shares its store.
func benchTracing(ctx context.Context, off *rig, tasks integrations.Handler, stats *redisStats, o benchDurableOptions, stdout io.Writer) error {
	topts := telemetry.Options{Endpoint: o.otlpEndpoint, Getenv: tracingEnv}
	to := "OTLP/" + cmp.Or(tracingEnv("OTEL_EXPORTER_OTLP_PROTOCOL"), "http/protobuf") + " to " + o.otlpEndpoint
	if o.otlpEndpoint == "discard" {
		topts.Endpoint, topts.Client = "", discardClient{}
		to = "encoded for OTLP and discarded"
	}
	if c := os.Getenv("OTEL_EXPORTER_OTLP_COMPRESSION"); c != "" {
		to += ", compression " + c
	}
	if n := tracingEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"); n != "" {
		to += ", batches of " + n
	}
	tel, err := telemetry.Setup(ctx, topts)
	if err != nil {
		return err
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return err
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	st := off.st
	traced := integrations.Chain(tasks, integrations.Tracing(tel.Tracer))
	on := &rig{st: st, workersOnly: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Consumer: "bench", WorkersOnly: true}),
		d: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Concurrency: o.workers, Consumer: "bench"})}
	collector := "the collector's CPU not counted (give --otlp-pid)"
	if o.otlpPID > 0 {
		collector = fmt.Sprintf("the collector's CPU counted (pid %d)", o.otlpPID)
	}
	fmt.Fprintf(stdout, "tracing: state transitions with tracing off and on (%s, no span dropped), alternated %d times, medians; CPU: this process, the Redis, %s:\n",
		to, tracingRounds, collector)
	// cpu is the CPU used so far by everything counted: this process,
	// the Redis, the collector.
	cpu := func() (c [3]time.Duration, err error) {
		if c[0], err = processCPU(os.Getpid()); err != nil {
			return c, err
		}
		snap, err := stats.Read(ctx)
		if err != nil {
			return c, err
		}
		c[1] = time.Duration(snap.cpu * float64(time.Second))
		if o.otlpPID > 0 {
			if c[2], err = processCPU(o.otlpPID); err != nil {
				return c, fmt.Errorf("the collector's CPU: %w", err)
			}
		}
		return c, nil
	}
	for _, wl := range tracedWorkloads {
		execs := wl.executions(o.executions)
		var rates, perCPU [2][]float64
		var parts [2][3]time.Duration // CPU by part, summed over the counted runs
		var made []int64              // spans each traced run made
		for round := range tracingRounds + 1 {
			order := []int{0, 1}
			if round%2 == 1 {
				order = []int{1, 0}
			}
			for _, i := range order {
				r := []*rig{off, on}[i]
				if _, err := r.starts(ctx, wl.benchWorkload, execs); err != nil {
					return err
				}
				written, exported, _ := tel.SpanCounts()
				before, err := cpu()
				if err != nil {
					return err
				}
				var rate float64
				// (labelled for --cpuprofile: -tagfocus tracing=on)
				pprof.Do(ctx, pprof.Labels("tracing", []string{"off", "on"}[i], "workload", wl.name), func(ctx context.Context) {
					rate, err = r.transitions(ctx, execs*wl.states)
				})
				if err != nil {
					return err
				}
				if err := tel.ForceFlush(ctx); err != nil { // every span sent: its cost is this run's
					return err
				}
				after, err := cpu()
				if err != nil {
					return err
				}
				if r == on { // no span dropped, none lost
					w, e, l := tel.SpanCounts()
					if w-written != e-exported {
						return fmt.Errorf("tracing: %s: %d spans written, %d exported, %d lost in upload", wl.name, w-written, e-exported, l)
					}
					made = append(made, w-written)
				}
				if round > 0 {
					var used time.Duration
					for k := range after {
						used += after[k] - before[k]
						parts[i][k] += after[k] - before[k]
					}
					rates[i] = append(rates[i], rate)
					perCPU[i] = append(perCPU[i], float64(execs*wl.states)/used.Seconds())
				}
			}
		}
		offRate, onRate := median(rates[0]), median(rates[1])
		offCPU, onCPU := median(perCPU[0]), median(perCPU[1])
		// Each run makes execs × wl.spans spans, unless the store timed out:
		// a task call retried after its work item's lease makes another
		// (a call made again), a transition whose commit's reply was lost
		// none.
		fmt.Fprintf(stdout, "  %s: every span exported (%d an execution; a run: %d expected, made %v)\n", wl.name, wl.spans, execs*wl.spans, made)
		fmt.Fprintf(stdout, "  %s: per wall-clock second off %.0f, on %.0f: on is %.0f%% of off (runs: off %.0f, on %.0f)\n",
			wl.name, offRate, onRate, 100*onRate/offRate, rates[0], rates[1])
		fmt.Fprintf(stdout, "  %s: per CPU second off %.0f (%.1f µs a transition), on %.0f (%.1f µs): on is %.0f%% of off (runs: off %.0f, on %.0f)\n",
			wl.name, offCPU, 1e6/offCPU, onCPU, 1e6/onCPU, 100*onCPU/offCPU, perCPU[0], perCPU[1])
		per := func(d time.Duration) float64 {
			return float64(d.Microseconds()) / float64(tracingRounds*execs*wl.states)
		}
		fmt.Fprintf(stdout, "  %s: µs of CPU a transition, off / on: this process %.1f / %.1f, the Redis %.1f / %.1f, the collector %.1f / %.1f\n",
			wl.name, per(parts[0][0]), per(parts[1][0]), per(parts[0][1]), per(parts[1][1]), per(parts[0][2]), per(parts[1][2]))
		if o.jaegerQuery != "" {
			if err := checkJaegerTrace(ctx, on, tel, wl, o.jaegerQuery, stdout); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkJaegerTrace runs one execution of wl with tracing on, under a
// traceparent of its own, and reads its trace back from the Jaeger query
// API at query: every span of it must be there.
func checkJaegerTrace(ctx context.Context, on *rig, tel *telemetry.Telemetry, wl tracedWorkload, query string, stdout io.Writer) error {
	var id [16]byte
	_, _ = rand.Read(id[:])
	traceID := hex.EncodeToString(id[:])
	d := on.d
	if wl.workersOnly {
		d = on.workersOnly
	}
	if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: wl.name, Definition: wl.def, Input: wl.input(),
		TraceParent: "00-" + traceID + "-00f067aa0ba902b7-01"}); err != nil {
		return err
	}
	if _, err := on.transitions(ctx, wl.states); err != nil {
		return err
	}
	if err := tel.ForceFlush(ctx); err != nil {
		return err
	}
	var got struct {
		Data []struct {
			Spans []struct {
				OperationName string `json:"operationName"`
			} `json:"spans"`
		} `json:"data"`
	}
	// Jaeger stores what it received before it answers the upload, but
	// through its pipeline's batch processor: poll briefly.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := getJSON(ctx, query+"/api/traces/"+traceID, &got)
		if err == nil && len(got.Data) == 1 && len(got.Data[0].Spans) == wl.spans {
			break
		}
		if time.Now().After(deadline) {
			n := 0
			if len(got.Data) > 0 {
				n = len(got.Data[0].Spans)
			}
			return fmt.Errorf("tracing: %s: trace %s in Jaeger (%s): %d spans, want %d (%v)", wl.name, traceID, query, n, wl.spans, err)
		}
		time.Sleep(50 * time.Millisecond) // polling Jaeger's store
	}
	fmt.Fprintf(stdout, "  %s: a sample trace in Jaeger, whole: %s/api/traces/%s has its %d spans\n", wl.name, query, traceID, wl.spans)
	return nil
}

// getJSON decodes the JSON body of a GET of url into v.
func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(v)
}
