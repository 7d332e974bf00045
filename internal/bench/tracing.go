package bench

import (
	"context"
	"fmt"
	"io"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
)

// benchTracing measures what tracing costs the workers: state transitions
// per second of pass5 (every step a worker's) and task5 with tracing off
// and on (spans exported by OTLP/HTTP to o.otlpEndpoint, through the same
// setup as serve's: internal/telemetry, no span dropped), alternated three
// times on the same store, medians reported with their ratio.
// off is the bench's rig, tracing off; the rig with it on shares its store.
func benchTracing(ctx context.Context, off *rig, tasks integrations.Handler, o benchDurableOptions, stdout io.Writer) error {
	tel, err := telemetry.Setup(ctx, telemetry.Options{Endpoint: o.otlpEndpoint, Getenv: func(string) string { return "" }})
	if err != nil {
		return err
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	st := off.st
	traced := integrations.Chain(tasks, integrations.Tracing(tel.Tracer))
	on := &rig{st: st, workersOnly: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Consumer: "bench", WorkersOnly: true}),
		d: runtime.NewDurable(st, &runtime.Durable{Tasks: traced, Tracer: tel.Tracer, Concurrency: o.workers, Consumer: "bench"})}
	fmt.Fprintf(stdout, "tracing: state transitions/s with tracing off and on (OTLP/HTTP to %s, no span dropped), alternated 3 times, medians:\n", o.otlpEndpoint)
	for _, wl := range []benchWorkload{benchWorkloads[1], benchTask5} { // pass5 by the workers, task5
		execs := wl.executions(o.executions)
		var rates [2][]float64
		for range 3 {
			for i, r := range []*rig{off, on} {
				if _, err := r.starts(ctx, wl, execs); err != nil {
					return err
				}
				rate, err := r.transitions(ctx, execs*wl.states)
				if err != nil {
					return err
				}
				rates[i] = append(rates[i], rate)
			}
			if err := tel.ForceFlush(ctx); err != nil { // the exporter's backlog is not the next round's
				return err
			}
		}
		offRate, onRate := median(rates[0]), median(rates[1])
		fmt.Fprintf(stdout, "  %s: off %.0f/s, on %.0f/s: on is %.0f%% of off (runs: off %.0f, on %.0f)\n",
			wl.name, offRate, onRate, 100*onRate/offRate, rates[0], rates[1])
	}
	return nil
}
