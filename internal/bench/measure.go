package bench

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// measurement is the in-process timing of one workload.
type measurement struct {
	Workers int
	Seconds []float64 // wall seconds of each timed run
	Err     error     // the first execution that did not verify
}

// benchMaxPayload is the payload limit the workloads run with: map_10k's
// input (301 KiB) and output exceed AWS's 256 KiB, which the engine
// enforces by default (on AWS the workload fails with
// States.DataLimitExceeded); the peer enforces none. The bench measures
// the engine's speed, so it raises the limit, and says so.
const benchMaxPayload = 4 << 20

// benchEngine is the engine of `signalbox run --max-payload` without a
// mock file: in memory, every Task state failing for want of a handler.
func benchEngine() *runtime.Engine {
	return &runtime.Engine{Tasks: integrations.NewMux(), MaxPayload: benchMaxPayload}
}

// benchWorkers is how many goroutines run the executions of one run: one
// per processor when a run has several independent executions, as a server
// would run them; one otherwise (a single execution still runs its Map
// iterations and Parallel branches concurrently inside the engine).
func benchWorkers(w *workload) int {
	if w.ExecutionsPerRun == 1 {
		return 1
	}
	return min(goruntime.GOMAXPROCS(0), w.ExecutionsPerRun)
}

// measure runs warmup untimed and repeats timed runs of w, verifying every
// execution of every run after the run's timing stopped. It stops at the
// first execution that does not verify.
func measure(ctx context.Context, w *workload, repeats, warmup int) measurement {
	m := measurement{Workers: benchWorkers(w)}
	eng := benchEngine()
	for r := range warmup + repeats {
		// Start every run from a collected heap, so that one run's garbage
		// is not charged to the next.
		goruntime.GC()
		d, results := runOnce(ctx, eng, w, m.Workers)
		for i, res := range results {
			if err := w.verify(res); err != nil {
				m.Err = fmt.Errorf("run %d, execution %d of %d: %w", r+1, i+1, len(results), err)
				return m
			}
		}
		if r >= warmup {
			m.Seconds = append(m.Seconds, d.Seconds())
		}
	}
	return m
}

// runOnce runs the ExecutionsPerRun executions of one run on workers
// goroutines and returns the wall time from the first start to the last
// end, and every execution's result.
func runOnce(ctx context.Context, eng *runtime.Engine, w *workload, workers int) (time.Duration, []*runtime.Result) {
	results := make([]*runtime.Result, w.ExecutionsPerRun)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(results) {
					return
				}
				results[i] = eng.Run(ctx, w.Machine, runtime.Execution{
					StateMachineName: w.Name,
					Input:            w.InputValue,
					Clock:            runtime.NewVirtualClock(time.Now()),
				})
			}
		})
	}
	wg.Wait()
	return time.Since(start), results
}

// median returns the median of xs (the mean of the middle two when their
// number is even).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
