package runtime_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// benchWorkload is one of the shared workloads (../shared/bench/workloads
// beside the repository, or $SIGNALBOX_BENCH_DIR/workloads), loaded as
// `signalbox bench` loads it.
type benchWorkload struct {
	machine    *asl.StateMachine
	input      any
	executions int
	states     int
}

func loadBenchWorkload(b *testing.B, name string) benchWorkload {
	b.Helper()
	dir := filepath.Join("..", "..", "shared", "bench", "workloads")
	if d := os.Getenv("SIGNALBOX_BENCH_DIR"); d != "" {
		dir = filepath.Join(d, "workloads")
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		b.Skipf("no shared workloads: %v", err)
	}
	var manifest struct {
		Workloads []struct {
			Name, Definition, Input string
			Executions              int `json:"executions_per_run"`
			States                  int `json:"states_per_execution"`
		}
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		b.Fatal(err)
	}
	for _, w := range manifest.Workloads {
		if w.Name != name {
			continue
		}
		def, err := os.ReadFile(filepath.Join(dir, w.Definition))
		if err != nil {
			b.Fatal(err)
		}
		m, d := asl.Compile(def)
		if len(d) > 0 {
			b.Fatal(d[0])
		}
		raw, err := os.ReadFile(filepath.Join(dir, w.Input))
		if err != nil {
			b.Fatal(err)
		}
		in, err := asl.DecodeJSON(raw)
		if err != nil {
			b.Fatal(err)
		}
		return benchWorkload{machine: m, input: in, executions: w.Executions, states: w.States}
	}
	b.Skipf("no workload %s in %s", name, dir)
	return benchWorkload{}
}

// run runs the workload's executions as `signalbox bench` does: on
// GOMAXPROCS goroutines when there are several, each on a virtual clock.
func (w benchWorkload) run(ctx context.Context, eng *runtime.Engine) []*runtime.Result {
	results := make([]*runtime.Result, w.executions)
	workers := 1
	if w.executions > 1 {
		workers = min(goruntime.GOMAXPROCS(0), w.executions)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(results) {
					return
				}
				results[i] = eng.Run(ctx, w.machine, runtime.Execution{Input: w.input, Clock: runtime.NewVirtualClock(time.Now())})
			}
		})
	}
	wg.Wait()
	return results
}

// benchEngineWorkload times b.N runs of a shared workload, changed by
// adapt when not nil, through the in-memory engine and reports transitions
// per second. Every execution must succeed and enter the expected number
// of states.
func benchEngineWorkload(b *testing.B, name string, adapt func(*benchWorkload)) {
	benchEngineWorkloadOn(b, &runtime.Engine{Tasks: integrations.NewMux()}, name, adapt)
}

func benchEngineWorkloadOn(b *testing.B, eng *runtime.Engine, name string, adapt func(*benchWorkload)) {
	w := loadBenchWorkload(b, name)
	if adapt != nil {
		adapt(&w)
	}
	for _, res := range w.run(b.Context(), eng) {
		entered := 0
		for _, ev := range res.History() {
			if strings.HasSuffix(string(ev.Type), "StateEntered") {
				entered++
			}
		}
		if res.Status != runtime.StatusSucceeded || entered != w.states {
			b.Fatalf("%s: status %s (%s: %s), %d states entered, expected %d", name, res.Status, res.Error, res.Cause, entered, w.states)
		}
	}
	goruntime.GC()
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		w.run(b.Context(), eng)
	}
	transitions := float64(w.states * w.executions * b.N)
	b.ReportMetric(transitions/b.Elapsed().Seconds(), "transitions/s")
	// On a shared machine the process's CPU time varies less than the
	// wall time: the cost of one transition, collector included.
	b.ReportMetric(float64(cpuTime()-cpu)/transitions, "cpu-ns/transition")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// What the work of branch m6-memperf gave (payload sizes measured once,
// asl/payloadsize.go; compact history records; a thread's Context, visit
// and Map iteration threads reused; a Map's result measured from its
// iterations' lengths), measured with `signalbox bench --only W --repeats
// 5`, binaries alternated with the order flipped each round, on 2 cores
// shared with other engineers' tests (load average 1-3): absolute figures
// drift with that load, the ratios less. Medians of the run medians, and
// the median of the per-round ratios:
//
//	pass_chain_100, start commit 0472615 -> this branch, 21 rounds:
//	  612,712 -> 947,070 transitions/s, 1.55x (paired 1.56x)
//	pass_chain_100, main 8a70f2c -> this branch merged with it, 15 rounds:
//	  607,092 -> 954,378 transitions/s, 1.57x (paired 1.54x)
//	map_10k, main 8a70f2c (the first commit that runs it: its payload
//	limit raised to 4 MiB) -> this branch, 15 rounds:
//	  246,202 -> 530,107 transitions/s, 2.15x (paired 2.12x)
//	choice_loop_10k (not a target), main 8a70f2c -> this branch, 7 rounds:
//	  642,045 -> 951,697 transitions/s, 1.48x (paired 1.51x)
//
// Before the merge, in a busier spell: pass_chain_100 340,229 -> 508,638
// (1.49x, paired 1.54x); BenchmarkEngineMap4k 171,750 -> 352,354 (2.05x),
// 5,959 -> 2,908 CPU ns per transition.

// BenchmarkEnginePassChain100 is the shared workload pass_chain_100: 200
// executions of a chain of 100 Pass states with Parameters.
func BenchmarkEnginePassChain100(b *testing.B) {
	benchEngineWorkload(b, "pass_chain_100", nil)
}

// BenchmarkEngineMap4k is the shared workload map_10k cut to its first
// 4,000 items. map_10k itself fails at once: its 10,000 items (300 KB of
// JSON) and its output (about 600 KB) are over AWS's 256 KiB payload
// limit, so the Map fails with States.DataLimitExceeded before its first
// iteration (`signalbox bench` reports it WRONG). 4,000 items is the
// round number below the largest Map whose output fits (4,205 items);
// each iteration does what map_10k's do.
func BenchmarkEngineMap4k(b *testing.B) {
	const n = 4000
	benchEngineWorkload(b, "map_10k", func(w *benchWorkload) {
		in := w.input.(map[string]any)
		w.input = map[string]any{"items": in["items"].([]any)[:n]}
		w.states = n + 1
	})
}

// BenchmarkEngineMap10k is the shared workload map_10k with the payload
// limit raised as `signalbox bench` raises it (4 MiB), which its 300 KB
// of items and 600 KB of output need.
func BenchmarkEngineMap10k(b *testing.B) {
	benchEngineWorkloadOn(b, &runtime.Engine{Tasks: integrations.NewMux(), MaxPayload: 4 << 20}, "map_10k", nil)
}
