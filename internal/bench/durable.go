package bench

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// `signalbox bench durable` measures the durable runtime on a Redis:
//   - starts/s: executions started from 32 goroutines;
//   - transitions/s: state transitions (states entered, AWS's billing unit)
//     of pre-started executions, carried out by one worker process;
//   - for both, what they cost the Redis, from INFO deltas: script calls
//     per second, Redis commands (those inside scripts included) and Redis
//     CPU (user + system, the whole server) per start or transition;
//   - executions/s end to end: executions started from 32 goroutines while
//     the workers run them, until the last has ended (the peak rate of
//     the workflow as a whole: starting and running share the machine);
//   - p50/p99 start-to-end latency of the 5-state workflow, started at a
//     steady half of that peak while the workers run;
//   - with --memory N, the worker's heap after each wave of executions,
//     over N transitions.
//
// By default it runs everything twice, each time on a redis-server of its
// own on loopback: with appendonly yes and appendfsync everysec (what
// durability costs), then with persistence off (what the figures of a
// volatile Redis would be); --persistence picks the settings, --redis-url
// measures an existing server instead (its settings are read and
// reported). redis-benchmark's no-op EVAL rate on the same server is
// printed beside the figures as context: one of its calls does nothing,
// one transition script carries a whole chain of steps, so the two are not
// divided into one another.
//
// Two 5-state workflows: pass5 (five Pass states: a worker commits a chain
// of such steps in one transition) and task5 (five Task states calling an
// integration in this process that answers at once: the cost of real tasks
// less their own latency), and two Maps of a one-Pass-state processor,
// map10 and map1000 (over 10 and 1,000 items: every iteration is a thread
// of its own, with its own transitions), whose cost per state is set
// beside pass5's. The starter and the workers share this process.

var benchDurableHelp = cli.Help{
	Synopsis: "signalbox bench durable [--persistence everysec,off | --redis-url URL] [--executions N] [--workers N] [--seconds S] [--memory N]",
	Summary: `Measure the durable runtime: executions started per second, state transitions per second of
5-state workflows and Maps carried out by one worker, the end-to-end peak and its latency, and
what each cost the Redis; by default on redis-servers of its own, with each persistence setting.`,
	Example: "signalbox bench durable --persistence everysec --executions 2000",
}

// benchMapDef is a Map over $.items whose processor is one Pass state.
const benchMapDef = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`

// benchDistributedMapDef is a Distributed Map over $.items whose processor
// is one Pass state: a map run's item throughput (dmap20000: items per
// second are its state transitions per second, less one per execution).
const benchDistributedMapDef = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`

// benchWorkload is a workflow the bench starts, with its input and the
// states one execution enters (AWS's unit: a Map and each iteration's
// states).
type benchWorkload struct {
	name   string
	def    []byte
	items  int // the Map's items; 0: no input
	states int
	// workersOnly starts the executions without their pure prefix
	// (runtime.Durable.WorkersOnly), so that the workers take every step:
	// what an execution's steps cost once it has reached a task or a
	// timer, measured on pass5 (whose steps a start carries out
	// otherwise).
	workersOnly bool
}

var (
	benchPass5     = benchWorkload{"pass5", []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`), 0, 5, false}
	benchTask5     = benchWorkload{"task5", []byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::signalbox:bench","Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::signalbox:bench","Next":"C"},"C":{"Type":"Task","Resource":"arn:aws:states:::signalbox:bench","Next":"D"},"D":{"Type":"Task","Resource":"arn:aws:states:::signalbox:bench","Next":"E"},"E":{"Type":"Task","Resource":"arn:aws:states:::signalbox:bench","End":true}}}`), 0, 5, false}
	benchWorkloads = []benchWorkload{benchPass5, {"pass5 by the workers", benchPass5.def, 0, 5, true}, benchTask5,
		{"map10", []byte(benchMapDef), 10, 11, false}, {"map1000", []byte(benchMapDef), 1000, 1001, false},
		{"map5000", []byte(benchMapDef), 5000, 5001, false}, {"dmap20000", []byte(benchDistributedMapDef), 20000, 20001, false}, benchLambda5, benchLambdaRT5}
)

// input is the workload's execution input.
func (w benchWorkload) input() map[string]any {
	if w.items == 0 {
		return map[string]any{}
	}
	items := make([]any, w.items)
	for i := range items {
		items[i] = i
	}
	return map[string]any{"items": items}
}

// executions is how many executions of w make about as many state
// transitions as n of pass5, at least 2.
func (w benchWorkload) executions(n int) int { return max(2, n*5/w.states) }

// persistenceArgs are redis-server's arguments for each --persistence
// setting.
var persistenceArgs = map[string][]string{
	"off":      {"--appendonly", "no"},
	"no":       {"--appendonly", "yes", "--appendfsync", "no"},
	"everysec": {"--appendonly", "yes", "--appendfsync", "everysec"},
	"always":   {"--appendonly", "yes", "--appendfsync", "always"},
}

type benchDurableOptions struct {
	executions, workers, memory int
	seconds                     float64
	workloads                   string
	otlpEndpoint                string
	otlpPID                     int
	jaegerQuery                 string
	cpuProfile                  string
}

func cmdBenchDurable(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench durable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", "", "measure this Redis instead of servers of the bench's own")
	persistence := fs.String("persistence", "everysec,off", "the settings to run with, each on a redis-server of its own: off, no, everysec, always (appendfsync)")
	var o benchDurableOptions
	fs.IntVar(&o.executions, "executions", 10000, "executions per throughput measurement")
	fs.IntVar(&o.workers, "workers", runtime.DefaultConcurrency, "the worker's concurrency")
	fs.Float64Var(&o.seconds, "seconds", 3, "how long the latency measurement starts executions")
	fs.StringVar(&o.workloads, "workloads", "", "run only these workloads, comma-separated (pass5, pass5 by the workers, task5, map10, map1000, map5000, dmap20000, lambda5, lambdart5); default all")
	fs.IntVar(&o.memory, "memory", 0, "also run this many transitions (pass5) and report the worker's heap after each wave")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "also measure transitions with tracing on, exporting by OTLP to this URL (a Jaeger's, say; OTEL_EXPORTER_OTLP_PROTOCOL=grpc for gRPC; \"discard\": spans encoded, not sent), against tracing off, in the same run")
	fs.StringVar(&o.jaegerQuery, "jaeger-query", "", "with --otlp-endpoint a Jaeger's, its query API's URL (http://127.0.0.1:16686): a sample trace of each workload is read back from it, whole")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "with --otlp-endpoint, write a CPU profile (go tool pprof) of the tracing comparison to this file")
	fs.IntVar(&o.otlpPID, "otlp-pid", 0, "the process id of the collector at --otlp-endpoint, whose CPU the tracing comparison counts with the bench's and the Redis's (Linux)")
	if rest, code, ok := cli.Parse(fs, benchDurableHelp, args, stdout); !ok || len(rest) > 0 {
		if ok {
			cli.Usage(stderr, benchDurableHelp)
			code = 2
		}
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["redis-url"] && given["persistence"] {
		fmt.Fprintln(stderr, "signalbox bench durable: --persistence sets up servers of the bench's own; --redis-url measures an existing one: give one of them")
		return 2
	}
	settings := strings.Split(*persistence, ",")
	for _, p := range settings {
		if _, ok := persistenceArgs[p]; !ok && *redisURL == "" {
			fmt.Fprintf(stderr, "signalbox bench durable: --persistence %q: want off, no, everysec or always\n", p)
			return 2
		}
	}
	cli.TuneGC()
	ctx := context.Background()
	if *redisURL != "" {
		return benchDurableOn(ctx, *redisURL, o, stdout, stderr)
	}
	for _, p := range settings {
		dir, err := os.MkdirTemp("", "signalbox-bench-redis-")
		if err != nil {
			fmt.Fprintf(stderr, "signalbox bench durable: %v\n", err)
			return 1
		}
		srv, err := redisproc.Start(ctx, dir, persistenceArgs[p]...)
		if err != nil {
			_ = os.RemoveAll(dir)
			fmt.Fprintf(stderr, "signalbox bench durable: %v (or measure an existing server with --redis-url)\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "== persistence %s: redis-server of the bench's own on %s (data in %s)\n", p, srv.Addr, dir)
		code := benchDurableOn(ctx, srv.URL(), o, stdout, stderr)
		srv.Stop()
		_ = os.RemoveAll(dir)
		if code != 0 {
			return code
		}
	}
	return 0
}

// benchDurableOn runs every measurement on the Redis of redisURL.
func benchDurableOn(ctx context.Context, redisURL string, o benchDurableOptions, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "signalbox bench durable: %v\n", err)
		return 1
	}
	prefix := randomKeyPrefix("sbbench-")
	st, err := store.Open(ctx, store.Options{URL: redisURL, Prefix: prefix})
	if err != nil {
		return fail(err)
	}
	defer func() {
		_ = st.Purge(context.Background())
		_ = st.Close()
	}()
	stats, err := newRedisStats(redisURL)
	if err != nil {
		return fail(err)
	}
	defer stats.Close()
	tasks := integrations.NewMux()
	tasks.Handle("arn:aws:states:::signalbox:bench", integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		return req.Parameters, nil
	}))
	var fnServer *functionServer
	if wants(o.workloads, "lambda5") || wants(o.workloads, "lambdart5") {
		if fnServer, err = startFunctionServer(); err != nil {
			return fail(err)
		}
		defer fnServer.Close()
		executable := ""
		if wants(o.workloads, "lambdart5") {
			dir, err := os.MkdirTemp("", "signalbox-bench-handler")
			if err != nil {
				return fail(err)
			}
			defer os.RemoveAll(dir)
			if executable, err = buildRuntimeHandler(dir); err != nil {
				return fail(err)
			}
		}
		closeTasks, err := fnServer.register(tasks, executable)
		if err != nil {
			return fail(err)
		}
		defer closeTasks()
	}
	r := &rig{d: runtime.NewDurable(st, &runtime.Durable{Tasks: tasks, Concurrency: o.workers, Consumer: "bench"}), st: st,
		workersOnly: runtime.NewDurable(st, &runtime.Durable{Tasks: tasks, Consumer: "bench", WorkersOnly: true})}

	fmt.Fprintf(stdout, "Redis %s (keys under %s); worker concurrency %d; GOMAXPROCS %d\n", redisURL, prefix, o.workers, goruntime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "persistence: %s\n", st.Persistence(ctx))
	if plain, pipelined, err := redisBenchmarkEval(redisURL); err != nil {
		fmt.Fprintf(stdout, "context: redis-benchmark: %v\n", err)
	} else {
		fmt.Fprintf(stdout, "context: redis-benchmark EVAL \"return 1\" (a no-op script) on this server: %.0f/s (50 clients), %.0f/s (pipelines of 16)\n", plain, pipelined)
	}
	n := o.executions
	if fnServer != nil {
		rate, err := fnServer.benchBareHTTP(ctx, 20000)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "baseline of lambda5 and lambdart5: bare HTTP round trips to its function server, 32 goroutines: %.0f/s\n", rate)
	}
	for _, wl := range benchWorkloads {
		if o.workloads != "" && !slices.Contains(strings.Split(o.workloads, ","), wl.name) {
			continue
		}
		execs := wl.executions(n)
		before, err := stats.Read(ctx)
		if err != nil {
			return fail(err)
		}
		startRate, err := r.starts(ctx, wl, execs)
		if err != nil {
			return fail(err)
		}
		mid, err := stats.Read(ctx)
		if err != nil {
			return fail(err)
		}
		// (asked of the store, not of the server's counters, which other
		// clients of a shared server move too)
		leftOpen, err := r.d.Inspector().AnyOpen(ctx)
		if err != nil {
			return fail(err)
		}
		trRate, err := r.transitions(ctx, execs*wl.states)
		if err != nil {
			return fail(err)
		}
		after, err := stats.Read(ctx)
		if err != nil {
			return fail(err)
		}
		workers := fmt.Sprintf("state transitions %.0f/s (%s)", trRate, after.Sub(mid).Per(execs*wl.states, "transition"))
		if !leftOpen {
			workers = "state transitions: none left to the workers (each start carried its execution out)"
		}
		fmt.Fprintf(stdout, "%s: starts %.0f/s (%s); %s; start and transitions together, per state: %.1f µs Redis CPU\n",
			wl.name, startRate, mid.Sub(before).Per(execs, "start"), workers, after.Sub(before).CPUPer(execs*wl.states))
	}
	peak, err := r.endToEnd(ctx, n)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "pass5 end to end (started while the workers run): %.0f executions/s (%.0f state transitions/s)\n", peak, 5*peak)
	rate := peak / 2
	p50, p99, count, err := r.latency(ctx, rate, o.seconds)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "pass5 start-to-end at %.0f executions/s (half the peak, %d executions): p50 %.1f ms, p99 %.1f ms\n", rate, count, p50, p99)
	if o.memory > 0 {
		if err := r.memory(ctx, o.memory, stdout); err != nil {
			return fail(err)
		}
	}
	if o.otlpEndpoint != "" {
		if err := benchTracing(ctx, r, tasks, stats, o, stdout); err != nil {
			return fail(err)
		}
	}
	return 0
}

// randomKeyPrefix is a key prefix no other run uses.
func randomKeyPrefix(kind string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return kind + hex.EncodeToString(b[:])
}

// redisBenchmarkEval runs redis-benchmark's EVAL of a no-op script against
// the server of redisURL, without and with pipelining.
func redisBenchmarkEval(redisURL string) (plain, pipelined float64, err error) {
	u, err := url.Parse(redisURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return 0, 0, fmt.Errorf("needs a redis:// URL, not %q", redisURL)
	}
	host, port := u.Hostname(), cmp.Or(u.Port(), "6379")
	run := func(p string) (float64, error) {
		args := []string{"-h", host, "-p", port, "-n", "100000", "-c", "50", "-P", p, "--csv"}
		if pw, ok := u.User.Password(); ok {
			args = append(args, "-a", pw)
		}
		if u.Scheme == "rediss" {
			args = append(args, "--tls")
		}
		out, err := exec.Command("redis-benchmark", append(args, "eval", "return 1", "0")...).Output()
		if err != nil {
			return 0, fmt.Errorf("redis-benchmark: %w", err)
		}
		recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
		if err != nil || len(recs) < 2 || len(recs[1]) < 2 {
			return 0, fmt.Errorf("redis-benchmark printed %q", out)
		}
		return strconv.ParseFloat(recs[1][1], 64)
	}
	if plain, err = run("1"); err != nil {
		return 0, 0, err
	}
	pipelined, err = run("16")
	return plain, pipelined, err
}

// rig is what the measurements work on: the runtime, and the store it
// runs on, which waitClosed reads.
type rig struct {
	d, workersOnly *runtime.Durable // the same workers; starts without their prefix
	st             *store.Client
}

// starts starts n executions of workload wl from 32 goroutines.
func (r *rig) starts(ctx context.Context, wl benchWorkload, n int) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	begin := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for int(next.Add(1)) <= n {
				d := r.d
				if wl.workersOnly {
					d = r.workersOnly
				}
				if _, err := d.Start(ctx, runtime.StartParams{StateMachineName: wl.name, Definition: wl.def, Input: wl.input()}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(n) / time.Since(begin).Seconds(), nil
}

// endToEnd starts n pass5 executions from 32 goroutines while the
// workers run, and returns executions per second until the last has
// ended.
func (r *rig) endToEnd(ctx context.Context, n int) (float64, error) {
	begin := time.Now()
	defer r.runWorkers(ctx)()
	if _, err := r.starts(ctx, benchPass5, n); err != nil {
		return 0, err
	}
	if err := r.waitClosed(ctx); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(begin).Seconds(), nil
}

// transitions runs the workers until the n open executions have
// ended; each has 5 state transitions.
func (r *rig) transitions(ctx context.Context, states int) (float64, error) {
	begin := time.Now()
	defer r.runWorkers(ctx)()
	if err := r.waitClosed(ctx); err != nil {
		return 0, err
	}
	return float64(states) / time.Since(begin).Seconds(), nil
}

// runWorkers runs the workers until the function it returns is called,
// which returns once they have stopped.
func (r *rig) runWorkers(ctx context.Context) (stop func()) {
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = r.d.Run(runCtx); close(done) }()
	return func() { cancel(); <-done }
}

// waitClosed polls until no execution is open.
func (r *rig) waitClosed(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		open, err := r.d.Inspector().AnyOpen(ctx)
		if err != nil {
			return err
		}
		if !open {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("executions still open after 10 minutes")
		}
		time.Sleep(2 * time.Millisecond) // polling the workers' progress
	}
}

// latency starts pass5 executions at rate per second for the given
// seconds while the workers run, then reads each one's start and stop
// dates (milliseconds, as the store keeps them).
func (r *rig) latency(ctx context.Context, rate, seconds float64) (p50, p99 float64, count int, err error) {
	if rate <= 0 {
		return 0, 0, 0, errors.New("no peak rate to halve")
	}
	defer r.runWorkers(ctx)()
	total := int(rate * seconds)
	interval := time.Duration(float64(time.Second) / rate)
	ids := make([]string, total)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	begin := time.Now()
	for i := range total {
		if wait := time.Until(begin.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait) // pacing the open-loop load
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := r.d.Start(ctx, runtime.StartParams{StateMachineName: "latency", Definition: benchPass5.def, Input: map[string]any{}})
			if err != nil {
				firstErr.CompareAndSwap(nil, err)
				return
			}
			ids[i] = s.ID
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, 0, err
	}
	if err := r.waitClosed(ctx); err != nil {
		return 0, 0, 0, err
	}
	var ms []float64
	for _, id := range ids {
		e, err := r.d.Describe(ctx, id)
		if err != nil {
			return 0, 0, 0, err
		}
		ms = append(ms, float64(e.StopDate.Sub(e.StartDate))/float64(time.Millisecond))
	}
	slices.Sort(ms)
	at := func(q float64) float64 { return ms[min(len(ms)-1, int(q*float64(len(ms))))] }
	return at(0.50), at(0.99), len(ms), nil
}

// memory runs pass5 executions in waves (of 10,000 executions, or
// fewer for fewer transitions: at least 10 waves) until transitions have
// been carried out, and prints the heap in use after a collection at the
// end of each wave.
func (r *rig) memory(ctx context.Context, transitions int, stdout io.Writer) error {
	wave := min(10000, max(1, transitions/50))
	// Closed executions expire at once: Redis's memory is not the subject.
	r.d.Retention = time.Millisecond
	defer func() { r.d.Retention = 0 }()
	var heaps []uint64
	for done := 0; done < transitions; done += 5 * wave {
		if _, err := r.starts(ctx, benchPass5, wave); err != nil {
			return err
		}
		if _, err := r.transitions(ctx, 5*wave); err != nil {
			return err
		}
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		heaps = append(heaps, ms.HeapInuse)
	}
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(stdout, "memory over %d transitions: heap in use after each of %d waves (MiB):", len(heaps)*5*wave, len(heaps))
	for _, h := range heaps {
		fmt.Fprintf(stdout, " %.1f", mib(h))
	}
	fmt.Fprintf(stdout, "\nfirst %.1f MiB, last %.1f MiB, max %.1f MiB\n", mib(heaps[0]), mib(heaps[len(heaps)-1]), mib(slices.Max(heaps)))
	return nil
}
