package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
)

// tracingRounds is how many times the comparison alternates tracing off
// and on, after a round that warms both up and is not counted; the order
// within a round swaps each time, so that a drift of the machine's load
// falls on both alike.
const tracingRounds = 5

// benchTracing measures what tracing costs the workers: state transitions
// of pass5 (every step a worker's) and task5 with tracing off and on
// (spans exported by OTLP/HTTP to o.otlpEndpoint, through the same setup
// as serve's: internal/telemetry, no span dropped), alternated on the
// same store, medians reported with their ratio, two ways:
//
//   - per second of the wall clock: what the goal names, and what
//     a shared machine's other load moves by ±30% from run to run;
//   - per second of CPU used by everything the work needs (this process,
//     the Redis, and the collector when o.otlpPID names it), from the
//     workers' start until the exporter has sent every span: what the
//     rate would be with the cores to itself, and steady from run to run.
//
// off is the bench's rig, tracing off; the rig with it on shares its store.
func benchTracing(ctx context.Context, off *rig, tasks integrations.Handler, stats *redisStats, o benchDurableOptions, stdout io.Writer) error {
	tel, err := telemetry.Setup(ctx, telemetry.Options{Endpoint: o.otlpEndpoint, Getenv: func(string) string { return "" }})
	if err != nil {
		return err
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	st := off.st
	traced := integrations.Chain(tasks, integrations.Tracing(tel.Tracer))
	on := &rig{st: st, workersOnly: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Consumer: "bench", WorkersOnly: true}),
		d: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Concurrency: o.workers, Consumer: "bench"})}
	collector := "the collector's CPU not counted (give --otlp-pid)"
	if o.otlpPID > 0 {
		collector = fmt.Sprintf("the collector's CPU counted (pid %d)", o.otlpPID)
	}
	fmt.Fprintf(stdout, "tracing: state transitions with tracing off and on (OTLP/HTTP to %s, no span dropped), alternated %d times, medians; CPU: this process, the Redis, %s:\n",
		o.otlpEndpoint, tracingRounds, collector)
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
	for _, wl := range []benchWorkload{benchWorkloads[1], benchTask5} { // pass5 by the workers, task5
		execs := wl.executions(o.executions)
		var rates, perCPU [2][]float64
		var parts [2][3]time.Duration // CPU by part, summed over the counted runs
		for round := range tracingRounds + 1 {
			order := []int{0, 1}
			if round%2 == 1 {
				order = []int{1, 0}
			}
			for _, i := range order {
				r := []*rig{off, on}[i]
				if _, err := r.starts(ctx, wl, execs); err != nil {
					return err
				}
				before, err := cpu()
				if err != nil {
					return err
				}
				rate, err := r.transitions(ctx, execs*wl.states)
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
		fmt.Fprintf(stdout, "  %s: per wall-clock second off %.0f, on %.0f: on is %.0f%% of off (runs: off %.0f, on %.0f)\n",
			wl.name, offRate, onRate, 100*onRate/offRate, rates[0], rates[1])
		fmt.Fprintf(stdout, "  %s: per CPU second off %.0f (%.1f µs a transition), on %.0f (%.1f µs): on is %.0f%% of off (runs: off %.0f, on %.0f)\n",
			wl.name, offCPU, 1e6/offCPU, onCPU, 1e6/onCPU, 100*onCPU/offCPU, perCPU[0], perCPU[1])
		per := func(d time.Duration) float64 {
			return float64(d.Microseconds()) / float64(tracingRounds*execs*wl.states)
		}
		fmt.Fprintf(stdout, "  %s: µs of CPU a transition, off / on: this process %.1f / %.1f, the Redis %.1f / %.1f, the collector %.1f / %.1f\n",
			wl.name, per(parts[0][0]), per(parts[1][0]), per(parts[0][1]), per(parts[1][1]), per(parts[0][2]), per(parts[1][2]))
	}
	return nil
}
