package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// benchReport is the outcome of one workload: one JSON line with --json,
// one table row otherwise. Field names follow the peer runner's.
type benchReport struct {
	Workload           string    `json:"workload"`
	ExecutionsPerRun   int       `json:"executions_per_run"`
	StatesPerExecution int       `json:"states_per_execution"`
	Workers            int       `json:"workers"`
	OutputOK           bool      `json:"output_ok"`
	Error              string    `json:"error,omitempty"`
	RunSeconds         []float64 `json:"run_seconds"`
	MedianSeconds      float64   `json:"median_seconds"`
	MinSeconds         float64   `json:"min_seconds"`
	TPSMedian          float64   `json:"transitions_per_second_median"`
	TPSBest            float64   `json:"transitions_per_second_best"`
	ExecPerSecMedian   float64   `json:"executions_per_second_median"`
	// RunPeakRSSMiB is the peak resident memory of `signalbox run` of the
	// workload in a child process.
	RunPeakRSSMiB float64 `json:"run_peak_rss_mib,omitempty"`
	MemoryGoalMiB float64 `json:"memory_goal_mib,omitempty"`
	MemoryGoalMet *bool   `json:"memory_goal_met,omitempty"`

	Peer         json.RawMessage `json:"peer,omitempty"`
	PeerError    string          `json:"peer_error,omitempty"`
	Ratio        float64         `json:"ratio,omitempty"`
	SpeedGoal    float64         `json:"speed_goal,omitempty"`
	SpeedGoalMet *bool           `json:"speed_goal_met,omitempty"`

	peer *peerResult
}

func newBenchReport(w *workload) *benchReport {
	return &benchReport{
		Workload:           w.Name,
		ExecutionsPerRun:   w.ExecutionsPerRun,
		StatesPerExecution: w.StatesPerExecution,
		MemoryGoalMiB:      memoryGoalMiB[w.Name],
		RunSeconds:         []float64{},
	}
}

func (r *benchReport) setPeer(p *peerResult) {
	r.peer, r.Peer = p, p.Raw
	if !p.OutputOK {
		r.PeerError = "the peer's output was wrong"
	}
}

func (r *benchReport) setMeasurement(m measurement) {
	r.Workers = m.Workers
	if m.Err != nil {
		r.Error = m.Err.Error()
		return
	}
	r.OutputOK = true
	r.RunSeconds = m.Seconds
	r.MedianSeconds = median(m.Seconds)
	r.MinSeconds = slices.Min(m.Seconds)
	transitions := float64(r.StatesPerExecution * r.ExecutionsPerRun)
	r.TPSMedian = math.Round(transitions / r.MedianSeconds)
	r.TPSBest = math.Round(transitions / r.MinSeconds)
	r.ExecPerSecMedian = math.Round(float64(r.ExecutionsPerRun)/r.MedianSeconds*100) / 100
}

func (r *benchReport) setChildRun(run childRun, err error) {
	if run.PeakRSS > 0 {
		r.RunPeakRSSMiB = math.Round(float64(run.PeakRSS)/(1<<20)*10) / 10
		if r.MemoryGoalMiB > 0 {
			met := r.RunPeakRSSMiB < r.MemoryGoalMiB
			r.MemoryGoalMet = &met
		}
	}
	if err != nil {
		r.OutputOK, r.Error = false, err.Error()
	}
}

// compare sets the ratio to the peer and whether the speed goal is met.
func (r *benchReport) compare() {
	if r.peer == nil || !r.peer.OutputOK || r.peer.TPSMedian <= 0 || !r.OutputOK {
		return
	}
	ratio := r.TPSMedian / r.peer.TPSMedian
	met := ratio >= speedGoal
	r.Ratio, r.SpeedGoal, r.SpeedGoalMet = math.Round(ratio*10)/10, speedGoal, &met
}

func printJSONReport(w io.Writer, r *benchReport) {
	data, _ := json.Marshal(r)
	fmt.Fprintln(w, string(data))
}

// printBenchTable prints the human table and what its figures mean.
func printBenchTable(w io.Writer, cfg benchConfig, reports []*benchReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "workload\texecs×states\tworkers\tmedian s\ttps median\ttps best\texec/s\t"
	if cfg.Peer {
		head += "peer tps\tratio\tgoal\tspeed\t"
	}
	head += "run RSS MiB\tmemory\tverified"
	fmt.Fprintln(tw, head)
	for _, r := range reports {
		row := []string{r.Workload, fmt.Sprintf("%d×%s", r.ExecutionsPerRun, group(r.StatesPerExecution)), strconv.Itoa(r.Workers)}
		if r.OutputOK {
			row = append(row, strconv.FormatFloat(r.MedianSeconds, 'f', 4, 64), group(int(r.TPSMedian)), group(int(r.TPSBest)), strconv.FormatFloat(r.ExecPerSecMedian, 'f', 2, 64))
		} else {
			row = append(row, "-", "-", "-", "-")
		}
		if cfg.Peer {
			row = append(row, r.peerColumns()...)
		}
		row = append(row, r.memoryColumns()...)
		row = append(row, map[bool]string{true: "ok", false: "WRONG"}[r.OutputOK])
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush()

	fmt.Fprintf(w, "\ntps: transitions/s = states entered × executions ÷ wall seconds; median and best of %d timed run(s) after %d warmup run(s),\n", cfg.Repeats, cfg.Warmup)
	fmt.Fprintln(w, "  in process: compiled once, the in-memory engine of `signalbox run` (virtual clock, no mocks), every output and state count verified.")
	fmt.Fprintf(w, "payload limit: %d KiB (`--max-payload`), not AWS's 256 KiB, which map_10k's input and output exceed (AWS would fail it).\n", benchMaxPayload>>10)
	fmt.Fprintf(w, "workers: the independent executions of a run run on that many goroutines (GOMAXPROCS=%d), as a server would; a single\n", goruntime.GOMAXPROCS(0))
	fmt.Fprintln(w, "  execution runs its Map iterations concurrently inside the engine.")
	fmt.Fprintln(w, "run RSS: peak resident memory of one `signalbox run --clock virtual` in a child process (its rusage maxrss).")
	if cfg.Peer {
		fmt.Fprintf(w, "peer: bench/peer.sh (%s), run just before ours on each workload with the same repeats and warmup;\n", peerDescription(reports))
		fmt.Fprintf(w, "  ratio = our median tps ÷ the peer's median tps; goal: at least %d×.\n", speedGoal)
		for _, r := range reports {
			if r.PeerError != "" {
				fmt.Fprintf(w, "peer, %s: %s\n", r.Workload, r.PeerError)
			}
		}
	}
	for _, r := range reports {
		if r.Error != "" {
			fmt.Fprintf(w, "WRONG, %s: %s\n", r.Workload, r.Error)
		}
	}
}

func (r *benchReport) peerColumns() []string {
	if r.peer == nil || !r.peer.OutputOK {
		return []string{"n/a", "-", fmt.Sprintf("%d×", speedGoal), "-"}
	}
	cols := []string{group(int(r.peer.TPSMedian)), "-", fmt.Sprintf("%d×", speedGoal), "-"}
	if r.SpeedGoalMet != nil {
		cols[1] = strconv.FormatFloat(r.Ratio, 'f', 1, 64) + "×"
		cols[3] = passFail(*r.SpeedGoalMet)
	}
	return cols
}

func (r *benchReport) memoryColumns() []string {
	rss, goal := "-", ""
	if r.RunPeakRSSMiB > 0 {
		rss = strconv.FormatFloat(r.RunPeakRSSMiB, 'f', 1, 64)
	}
	if r.MemoryGoalMet != nil {
		goal = fmt.Sprintf("<%g: %s", r.MemoryGoalMiB, passFail(*r.MemoryGoalMet))
	}
	return []string{rss, goal}
}

// peerDescription names the peer as its output does, once.
func peerDescription(reports []*benchReport) string {
	for _, r := range reports {
		if r.peer != nil {
			return fmt.Sprintf("%s %s, %d execution(s) at a time", r.peer.Peer, r.peer.Version, max(r.peer.Concurrency, 1))
		}
	}
	return "aws-local-stepfunctions on Node"
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}

// group renders n with thousands separators: 1234567 → 1,234,567.
func group(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
