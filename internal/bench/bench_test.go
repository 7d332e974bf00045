package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	tinyChain = `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"n.$":"$.n","step":1},"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"n.$":"$.n","step":2},"Next":"C"},
		"C":{"Type":"Pass","Parameters":{"n.$":"$.n","step":3},"End":true}}}`
	tinyMap = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"T","States":{
			"T":{"Type":"Pass","Parameters":{"id.$":"$.id","name.$":"$.name","double.$":"States.MathAdd($.id, $.id)","tag":"processed"},"End":true}}},
		"End":true}}}`
	mapRule = `array of %s objects; element i == {"id": i, "name": "item-i", "double": 2*i, "tag": "processed"}`
)

// tinyWorkloads writes a manifest of two small workloads into a fresh
// directory: chain_3 (a 3-state Pass chain, 4 executions a run) and map_10
// (a Map over 10 items). edit may change the manifest before it is written.
func tinyWorkloads(t *testing.T, edit func(ws []map[string]any)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "workloads")
	require.NoError(t, os.Mkdir(dir, 0o755))
	var items []string
	for i := range 10 {
		items = append(items, fmt.Sprintf(`{"id":%d,"name":"item-%d"}`, i, i))
	}
	files := map[string]string{
		"chain.asl.json":   tinyChain,
		"chain.input.json": `{"n":7}`,
		"map.asl.json":     tinyMap,
		"map.input.json":   `{"items":[` + strings.Join(items, ",") + `]}`,
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	ws := []map[string]any{
		{"name": "chain_3", "definition": "chain.asl.json", "input": "chain.input.json",
			"executions_per_run": 4, "states_per_execution": 3, "expected_output": map[string]any{"n": 7, "step": 3}},
		{"name": "map_10", "definition": "map.asl.json", "input": "map.input.json",
			"executions_per_run": 1, "states_per_execution": 11, "expected_output": fmt.Sprintf(mapRule, "10")},
	}
	if edit != nil {
		edit(ws)
	}
	data, err := json.Marshal(map[string]any{"workloads": ws})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644))
	return dir
}

// benchRun runs the bench on dir with one timed run and no warmup, the
// child runs going through the signalbox binary, and returns the exit
// code, the JSON reports by workload and stderr.
func benchRun(t *testing.T, cfg benchConfig) (int, map[string]benchReport, string) {
	t.Helper()
	cfg.Repeats, cfg.JSON, cfg.Self = 1, true, signalbox(t)
	var stdout, stderr bytes.Buffer
	code := runBench(context.Background(), cfg, &stdout, &stderr)
	reports := map[string]benchReport{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if line == "" {
			continue
		}
		var r benchReport
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		reports[r.Workload] = r
	}
	return code, reports, stderr.String()
}

func TestBenchVerifiesWorkloads(t *testing.T) {
	dir := tinyWorkloads(t, nil)
	// A large benchmark process must not inflate the child's peak memory
	// (on Linux a child's maxrss starts from its spawner's).
	ballast := make([]byte, 128<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	code, reports, stderr := benchRun(t, benchConfig{WorkloadsDir: dir})
	goruntime.KeepAlive(ballast)
	require.Equal(t, 0, code, stderr)
	require.Len(t, reports, 2)

	chain := reports["chain_3"]
	require.True(t, chain.OutputOK)
	require.Empty(t, chain.Error)
	require.Equal(t, 4, chain.ExecutionsPerRun)
	require.Equal(t, min(goruntime.GOMAXPROCS(0), 4), chain.Workers)
	require.Len(t, chain.RunSeconds, 1)
	require.Positive(t, chain.TPSMedian)
	require.Equal(t, chain.TPSMedian, chain.TPSBest, "one run: median and best agree")

	m := reports["map_10"]
	require.True(t, m.OutputOK)
	require.Equal(t, 1, m.Workers)
	if rssSupported {
		require.Positive(t, m.RunPeakRSSMiB)
		// `run` of 10 items needs far less than the ballast.
		require.Less(t, m.RunPeakRSSMiB, 64.0)
	}
}

func TestBenchFailsLoudly(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(ws []map[string]any)
		code     int
		workload string // the workload reported wrong (code 1)
		message  string
	}{
		{
			name:     "wrong expected output",
			edit:     func(ws []map[string]any) { ws[0]["expected_output"] = map[string]any{"n": 7, "step": 4} },
			code:     1,
			workload: "chain_3",
			message:  `output {"n":7,"step":3}, expected {"n":7,"step":4}`,
		},
		{
			name:     "expected output differing only in number type",
			edit:     func(ws []map[string]any) { ws[0]["expected_output"] = json.RawMessage(`{"n":7,"step":3.0}`) },
			code:     1,
			workload: "chain_3",
			message:  `output {"n":7,"step":3}, expected {"n":7,"step":3.0}`,
		},
		{
			name:     "wrong state count",
			edit:     func(ws []map[string]any) { ws[0]["states_per_execution"] = 4 },
			code:     1,
			workload: "chain_3",
			message:  "run 1, execution 1 of 4: entered 3 states, the manifest says 4",
		},
		{
			name:     "Map state and iterations counted",
			edit:     func(ws []map[string]any) { ws[1]["states_per_execution"] = 10 },
			code:     1,
			workload: "map_10",
			message:  "entered 11 states, the manifest says 10",
		},
		{
			name:     "map rule with another count",
			edit:     func(ws []map[string]any) { ws[1]["expected_output"] = fmt.Sprintf(mapRule, "11") },
			code:     1,
			workload: "map_10",
			message:  "output has 10 elements, expected 11",
		},
		{
			name:    "a rule the command cannot check",
			edit:    func(ws []map[string]any) { ws[1]["expected_output"] = "an array of items" },
			code:    2,
			message: `expected_output states a rule this command cannot check: "an array of items"`,
		},
		{
			name:    "a definition that does not compile",
			edit:    func(ws []map[string]any) { ws[0]["definition"] = "chain.input.json" },
			code:    2,
			message: "workload chain_3: chain.input.json does not compile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reports, stderr := benchRun(t, benchConfig{WorkloadsDir: tinyWorkloads(t, tt.edit)})
			require.Equal(t, tt.code, code, stderr)
			require.Contains(t, stderr, tt.message)
			if tt.code == 2 {
				require.Empty(t, reports)
				return
			}
			require.Len(t, reports, 2, "the other workload still runs")
			for name, r := range reports {
				if name == tt.workload {
					require.False(t, r.OutputOK)
					require.Contains(t, r.Error, tt.message)
					require.Zero(t, r.TPSMedian, "no figures for a wrong workload")
				} else {
					require.True(t, r.OutputOK, name)
				}
			}
		})
	}
}

func TestBenchOnly(t *testing.T) {
	dir := tinyWorkloads(t, nil)
	code, reports, _ := benchRun(t, benchConfig{WorkloadsDir: dir, Only: []string{"map_10"}})
	require.Equal(t, 0, code)
	require.Len(t, reports, 1)
	require.Contains(t, reports, "map_10")

	code, _, stderr := benchRun(t, benchConfig{WorkloadsDir: dir, Only: []string{"nope"}})
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `no workload "nope" in the manifest (it has chain_3, map_10)`)
}

// fakePeer writes a peer script that records its arguments and
// environment in calls and prints what body prints.
func fakePeer(t *testing.T, body string) (script, calls string) {
	t.Helper()
	dir := t.TempDir()
	script, calls = filepath.Join(dir, "peer.sh"), filepath.Join(dir, "calls")
	text := "echo \"$* dir=$SIGNALBOX_BENCH_DIR\" >> " + calls + "\n" + body + "\n"
	require.NoError(t, os.WriteFile(script, []byte(text), 0o755))
	return script, calls
}

func TestBenchPeer(t *testing.T) {
	dir := tinyWorkloads(t, nil)
	// The peer prints the line of the workload named after --only, with a
	// figure so low that any run of ours is far more than 10 times faster.
	script, calls := fakePeer(t, `echo "npm noise" >&2
echo '{"peer":"fake-sfn","version":"1.0","concurrency":1,"workload":"'"$6"'","output_ok":true,"transitions_per_second_median":0.001,"transitions_per_second_best":0.002}'`)
	code, reports, stderr := benchRun(t, benchConfig{WorkloadsDir: dir, Peer: true, PeerScript: script, Warmup: 2})
	require.Equal(t, 0, code, stderr)
	for _, name := range []string{"chain_3", "map_10"} {
		r := reports[name]
		require.Empty(t, r.PeerError, name)
		require.Contains(t, string(r.Peer), `"workload":"`+name+`"`)
		require.NotNil(t, r.SpeedGoalMet, name)
		require.True(t, *r.SpeedGoalMet, name)
		require.InDelta(t, r.TPSMedian/0.001, r.Ratio, r.Ratio*0.01)
	}
	data, err := os.ReadFile(calls)
	require.NoError(t, err)
	require.Equal(t,
		"--repeats 1 --warmup 2 --only chain_3 dir="+filepath.Dir(dir)+"\n"+
			"--repeats 1 --warmup 2 --only map_10 dir="+filepath.Dir(dir)+"\n",
		string(data), "one peer run per workload, with our repeats and warmup and our workloads")
}

func TestBenchPeerProblems(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		calls     int
		peerError string
	}{
		{
			name:      "node missing",
			body:      `echo "npm noise" >&2; echo "peer.sh: node is not installed" >&2; exit 2`,
			calls:     1, // not tried again for the next workload
			peerError: "peer.sh: node is not installed (exit status 2)",
		},
		{
			name:      "wrong peer output",
			body:      `echo '{"workload":"'"$6"'","output_ok":false,"transitions_per_second_median":5}'; exit 1`,
			calls:     2,
			peerError: "the peer's output was wrong",
		},
		{
			name:      "no result",
			body:      `echo '{"workload":"other"}'`,
			calls:     1,
			peerError: "the peer printed no result for chain_3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, calls := fakePeer(t, tt.body)
			code, reports, stderr := benchRun(t, benchConfig{WorkloadsDir: tinyWorkloads(t, nil), Peer: true, PeerScript: script})
			require.Equal(t, 0, code, "a peer problem is reported, not fatal: %s", stderr)
			for name, r := range reports {
				require.True(t, r.OutputOK, name)
				require.Positive(t, r.TPSMedian, name)
				require.Contains(t, r.PeerError, tt.peerError, name)
				require.Nil(t, r.SpeedGoalMet, name)
				require.Zero(t, r.Ratio, name)
			}
			data, err := os.ReadFile(calls)
			require.NoError(t, err)
			require.Equal(t, tt.calls, strings.Count(string(data), "\n"))
		})
	}
}

func TestBenchTable(t *testing.T) {
	met, missed := true, false
	reports := []*benchReport{
		{Workload: "fast", ExecutionsPerRun: 200, StatesPerExecution: 100, Workers: 2, OutputOK: true,
			MedianSeconds: 0.05, TPSMedian: 400000, TPSBest: 1234567, ExecPerSecMedian: 4000,
			Ratio: 12.5, SpeedGoalMet: &met, RunPeakRSSMiB: 30.25, MemoryGoalMiB: 100, MemoryGoalMet: &met,
			peer: &peerResult{Peer: "fake-sfn", Version: "1.0", Concurrency: 1, OutputOK: true, TPSMedian: 32000}},
		{Workload: "slow", ExecutionsPerRun: 1, StatesPerExecution: 10001, Workers: 1, OutputOK: true,
			MedianSeconds: 1, TPSMedian: 10001, TPSBest: 10001, ExecPerSecMedian: 1,
			Ratio: 2, SpeedGoalMet: &missed, RunPeakRSSMiB: 120, MemoryGoalMiB: 100, MemoryGoalMet: &missed,
			peer: &peerResult{OutputOK: true, TPSMedian: 5000}},
		{Workload: "broken", ExecutionsPerRun: 1, StatesPerExecution: 3, Workers: 1, Error: "entered 2 states", PeerError: "peer.sh: node is not installed"},
	}
	var out bytes.Buffer
	printBenchTable(&out, benchConfig{Repeats: 5, Warmup: 1, Peer: true}, reports)
	lines := strings.Split(out.String(), "\n")
	require.Regexp(t, `^fast +200×100 +2 +0\.0500 +400,000 +1,234,567 +4000\.00 +32,000 +12\.5× +10× +pass +30\.2 +<100: pass +ok`, lines[1])
	require.Regexp(t, `^slow +1×10,001 +1 +1\.0000 +10,001 +10,001 +1\.00 +5,000 +2\.0× +10× +FAIL +120\.0 +<100: FAIL +ok`, lines[2])
	require.Regexp(t, `^broken +1×3 +1 +- +- +- +- +n/a +- +10× +- +- +WRONG`, lines[3])
	require.Contains(t, out.String(), "peer: bench/peer.sh (fake-sfn 1.0, 1 execution(s) at a time)")
	require.Contains(t, out.String(), "peer, broken: peer.sh: node is not installed")
	require.Contains(t, out.String(), "WRONG, broken: entered 2 states")
}

func TestCheckRunOutput(t *testing.T) {
	w := &workload{check: func(v any) error { return checkMapItems(v, 2) }}
	tests := []struct {
		name, stdout, err string
	}{
		{"ok", `{"status":"SUCCEEDED","output":[{"id":0,"name":"item-0","double":0,"tag":"processed"},{"id":1,"name":"item-1","double":2,"tag":"processed"}]}`, ""},
		{"float where an integer belongs", `{"status":"SUCCEEDED","output":[{"id":0,"name":"item-0","double":0,"tag":"processed"},{"id":1,"name":"item-1","double":2.0,"tag":"processed"}]}`,
			"`signalbox run`: output element 1 is {\"double\":2.0,"},
		{"extra field", `{"status":"SUCCEEDED","output":[{"id":0,"name":"item-0","double":0,"tag":"processed","x":1},{}]}`, "output element 0 is"},
		{"not an array", `{"status":"SUCCEEDED","output":{}}`, "output is object, expected an array"},
		{"failed", `{"status":"FAILED","error":"States.Runtime","cause":"boom"}`, "`signalbox run` ended FAILED: States.Runtime: boom"},
		{"no result", ``, "`signalbox run` printed no result: the stderr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRunOutput(w, []byte(tt.stdout), "the stderr")
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestMedianAndGroup(t *testing.T) {
	require.Equal(t, 2.0, median([]float64{3, 1, 2}))
	require.Equal(t, 2.5, median([]float64{4, 1, 3, 2}))
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		require.Equal(t, want, group(n))
	}
}

// sharedWorkloads loads the shared workloads (../shared/bench/workloads, or
// $SIGNALBOX_BENCH_DIR/workloads), skipping when there are none.
func sharedWorkloads(tb testing.TB) []*workload {
	tb.Helper()
	dir, err := defaultWorkloadsDir()
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "manifest.json"))
	}
	if err != nil {
		tb.Skipf("no shared workloads: %v", err)
	}
	ws, err := loadManifest(dir, nil)
	require.NoError(tb, err)
	return ws
}

// TestSharedWorkloadsVerify runs each shared workload once as the bench
// does and verifies every execution: map_10k's data exceed AWS's payload
// limit, and it failed the bench unnoticed until this test came.
func TestSharedWorkloadsVerify(t *testing.T) {
	ws := sharedWorkloads(t)
	require.NotEmpty(t, ws)
	for _, w := range ws {
		_, results := runOnce(t.Context(), benchEngine(), w, benchWorkers(w))
		require.Len(t, results, w.ExecutionsPerRun, w.Name)
		for _, res := range results {
			require.NoError(t, w.verify(res), w.Name)
		}
	}
}

// BenchmarkWorkloads runs each shared workload (../shared/bench/workloads,
// or $SIGNALBOX_BENCH_DIR/workloads) as `signalbox bench` does, one run per
// iteration, and reports transitions per second.
func BenchmarkWorkloads(b *testing.B) {
	for _, w := range sharedWorkloads(b) {
		b.Run(w.Name, func(b *testing.B) {
			eng, workers := benchEngine(), benchWorkers(w)
			_, results := runOnce(b.Context(), eng, w, workers)
			for _, res := range results {
				require.NoError(b, w.verify(res))
			}
			runs := 0
			for b.Loop() {
				runOnce(b.Context(), eng, w, workers)
				runs++
			}
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(w.StatesPerExecution*w.ExecutionsPerRun*runs)/secs, "transitions/s")
			b.ReportMetric(float64(w.ExecutionsPerRun*runs)/secs, "executions/s")
		})
	}
}
