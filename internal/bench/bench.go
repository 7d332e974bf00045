// Package bench is `signalbox bench`: the shared workloads timed on the
// in-memory engine (beside the peer, aws-local-stepfunctions, with
// --peer), and the durable runtime, the gateway and the JSONata engine
// measured by their subcommands. The signalbox binary dispatches `bench`
// to Main; the measurements that need `signalbox run` or `signalbox serve`
// run that binary (os.Executable) as a child process.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/signalbox/signalbox/internal/cli"
)

// The project's goals, reported beside the figures and never enforced:
// the in-memory engine runs every workload at least speedGoal times the
// peer's transitions per second, and `signalbox run` of a workload stays
// under its memory goal.
const speedGoal = 10

var memoryGoalMiB = map[string]float64{"map_10k": 100}

// benchConfig is one `signalbox bench`.
type benchConfig struct {
	WorkloadsDir    string
	Repeats, Warmup int
	Only            []string
	JSON            bool
	Peer            bool
	// PeerScript is bench/peer.sh; PeerScriptErr says why it is missing.
	PeerScript    string
	PeerScriptErr error
	// Self is the signalbox binary whose `run` is measured in a child
	// process; empty skips the child runs.
	Self string
}

var benchHelp = cli.Help{
	Synopsis: "signalbox bench [durable | gateway | queue | topic | bus | jsonata] [--workloads DIR] [--repeats N] [--warmup N] [--peer] [--only a,b] [--json]",
	Summary: `Time the shared benchmark workloads through the in-memory engine (transitions per second, each
run's outputs checked), with --peer beside aws-local-stepfunctions on node. The subcommands
durable, gateway, queue, topic, bus and jsonata measure the durable runtime, the gateway, the
queue router (SQS's API, beside goaws), the topic router (SNS's API, beside goaws), the bus
router (EventBridge's API, 1 to 10,000 rules) and JSONata: see 'signalbox bench durable --help'
and the others.`,
	Example: `signalbox bench --only map_10k
signalbox bench jsonata --go-only`,
}

// Main runs `signalbox bench ARGS...` and returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == probeRSSCommand {
		return cmdProbeRSS(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "durable" {
		return cmdBenchDurable(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "gateway" {
		return cmdBenchGateway(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "queue" {
		return cmdBenchQueue(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "topic" {
		return cmdBenchTopic(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "bus" {
		return cmdBenchBus(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "jsonata" {
		return cmdBenchJSONata(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workloads", "", "the workloads directory holding manifest.json (default: $SIGNALBOX_BENCH_DIR/workloads, else ../shared/bench/workloads beside the repository)")
	repeats := fs.Int("repeats", 5, "timed runs of each workload")
	warmup := fs.Int("warmup", 1, "untimed runs of each workload before the timed ones")
	peer := fs.Bool("peer", false, "also run the peer (bench/peer.sh: aws-local-stepfunctions on Node) and compare")
	only := fs.String("only", "", "comma-separated workload names to run (default: all)")
	asJSON := fs.Bool("json", false, "print one JSON object per workload instead of a table")
	rest, code, ok := cli.Parse(fs, benchHelp, args, stdout)
	if !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "signalbox bench: "+format+"\n", a...)
		return 2
	}
	if len(rest) > 0 {
		return fail("unexpected argument %q\nusage: %s", rest[0], benchHelp.Synopsis)
	}
	if *repeats < 1 || *warmup < 0 {
		return fail("--repeats must be at least 1 and --warmup at least 0")
	}
	cfg := benchConfig{Repeats: *repeats, Warmup: *warmup, JSON: *asJSON, Peer: *peer}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			cfg.Only = append(cfg.Only, n)
		}
	}
	if cfg.WorkloadsDir = *dir; cfg.WorkloadsDir == "" {
		d, err := defaultWorkloadsDir()
		if err != nil {
			return fail("%v", err)
		}
		cfg.WorkloadsDir = d
	}
	if root, err := findRepoRoot(); err != nil {
		cfg.PeerScriptErr = fmt.Errorf("bench/peer.sh not found: %w", err)
	} else {
		cfg.PeerScript = filepath.Join(root, "bench", "peer.sh")
	}
	self, err := os.Executable()
	if err != nil {
		return fail("cannot find the signalbox binary: %v", err)
	}
	cfg.Self = self
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runBench(ctx, cfg, stdout, stderr)
}

// runBench runs the configured workloads and reports them. It returns 1
// when a workload's output or state count was wrong, 2 when the workloads
// cannot be loaded.
func runBench(ctx context.Context, cfg benchConfig, stdout, stderr io.Writer) int {
	ws, err := loadManifest(cfg.WorkloadsDir, cfg.Only)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox bench: %v\n", err)
		return 2
	}
	peerErr := cfg.PeerScriptErr
	var reports []*benchReport
	code := 0
	for _, w := range ws {
		rep := benchOne(ctx, cfg, w, &peerErr, stderr)
		if rep.Error != "" {
			fmt.Fprintf(stderr, "signalbox bench: %s: WRONG: %s\n", w.Name, rep.Error)
			code = 1
		}
		if cfg.JSON {
			printJSONReport(stdout, rep)
		}
		reports = append(reports, rep)
	}
	if !cfg.JSON {
		printBenchTable(stdout, cfg, reports)
	}
	return code
}

// benchOne measures one workload: the peer first (unless *peerErr says it
// cannot run; a new failure is kept there so that it is not tried again),
// then ours in process, then `signalbox run` in a child process. Both see
// the machine within the same minute, never at the same time.
func benchOne(ctx context.Context, cfg benchConfig, w *workload, peerErr *error, stderr io.Writer) *benchReport {
	rep := newBenchReport(w)
	if cfg.Peer {
		if *peerErr == nil {
			fmt.Fprintf(stderr, "%s: peer (npm ci, %d warmup + %d timed runs)...\n", w.Name, cfg.Warmup, cfg.Repeats)
			var p *peerResult
			if p, *peerErr = runPeer(ctx, cfg.PeerScript, filepath.Dir(cfg.WorkloadsDir), w.Name, cfg.Repeats, cfg.Warmup); *peerErr == nil {
				rep.setPeer(p)
			}
		}
		if *peerErr != nil {
			rep.PeerError = (*peerErr).Error()
		}
	}
	fmt.Fprintf(stderr, "%s: signalbox (%d warmup + %d timed runs, workers: %d)...\n", w.Name, cfg.Warmup, cfg.Repeats, benchWorkers(w))
	rep.setMeasurement(measure(ctx, w, cfg.Repeats, cfg.Warmup))
	if cfg.Self != "" && rep.Error == "" {
		run, err := runChild(ctx, cfg.Self, w)
		rep.setChildRun(run, err)
	}
	rep.compare()
	return rep
}

// defaultWorkloadsDir is $SIGNALBOX_BENCH_DIR/workloads (the variable
// names the shared bench directory, as for bench/peer.sh), else
// ../shared/bench/workloads beside the repository holding the working
// directory.
func defaultWorkloadsDir() (string, error) {
	if d := os.Getenv("SIGNALBOX_BENCH_DIR"); d != "" {
		return filepath.Join(d, "workloads"), nil
	}
	root, err := findRepoRoot()
	if err != nil {
		return "", fmt.Errorf("%v: give --workloads DIR or set SIGNALBOX_BENCH_DIR", err)
	}
	return filepath.Join(root, "..", "shared", "bench", "workloads"), nil
}

// moduleLine is the line of go.mod that marks the repository's root.
var moduleLine = regexp.MustCompile(`(?m)^module\s+github\.com/signalbox/signalbox\s*$`)

// findRepoRoot walks up from the working directory to the directory whose
// go.mod declares Signalbox's module.
func findRepoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && moduleLine.Match(data) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("the working directory is not inside the signalbox repository")
		}
		d = filepath.Dir(d)
	}
}
