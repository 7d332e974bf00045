package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// peerResult is one line of the peer runner's output (bench/peer.sh): the
// peer's figures for one workload.
type peerResult struct {
	Workload      string  `json:"workload"`
	Peer          string  `json:"peer"`
	Version       string  `json:"version"`
	Concurrency   int     `json:"concurrency"`
	StatesCounted int     `json:"state_entered_events_counted"`
	OutputOK      bool    `json:"output_ok"`
	TPSMedian     float64 `json:"transitions_per_second_median"`
	TPSBest       float64 `json:"transitions_per_second_best"`
	// Raw is the whole line, passed on unchanged by --json.
	Raw json.RawMessage `json:"-"`
}

// runPeer runs the peer script on one workload with the same repeats and
// warmup as ours. benchDir is the shared bench directory holding peers/
// and workloads/, so that the peer runs exactly the workloads we run. The
// peer's own output on stderr (npm, its summary) is kept back and only its
// last line is quoted when it fails.
func runPeer(ctx context.Context, script, benchDir, workload string, repeats, warmup int) (*peerResult, error) {
	cmd := exec.CommandContext(ctx, "bash", script,
		"--repeats", strconv.Itoa(repeats), "--warmup", strconv.Itoa(warmup), "--only", workload)
	cmd.Env = append(os.Environ(), "SIGNALBOX_BENCH_DIR="+benchDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	p, err := parsePeerOutput(stdout.Bytes(), workload)
	if err == nil {
		// A line was printed: a failed exit then means a wrong output,
		// which the line itself says (output_ok).
		return p, nil
	}
	if runErr != nil {
		if last := lastLine(stderr.String()); last != "" {
			return nil, fmt.Errorf("%s (%v)", last, runErr)
		}
		return nil, runErr
	}
	return nil, err
}

// parsePeerOutput finds the line of workload among the runner's JSON lines.
func parsePeerOutput(out []byte, workload string) (*peerResult, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var p peerResult
		if err := json.Unmarshal(line, &p); err != nil {
			return nil, fmt.Errorf("the peer printed a line that is not JSON: %v", err)
		}
		if p.Workload == workload {
			p.Raw = append(json.RawMessage(nil), line...)
			return &p, nil
		}
	}
	return nil, fmt.Errorf("the peer printed no result for %s", workload)
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
