package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl"
)

// Peak memory of `signalbox run` is read from the rusage of a child
// process. On Linux a process's maxrss starts from the resident size of
// the process that spawned it (exec records the spawner's high-water mark),
// so a child of the benchmark itself, grown large by the in-process runs,
// would report the benchmark's memory, not its own. The child is therefore
// spawned by a fresh, small helper, `signalbox bench probe-rss ARGS...`,
// which runs `signalbox ARGS...` and writes the grandchild's peak resident
// size in bytes on file descriptor 3, a pipe the benchmark passes it.

// probeRSSCommand is the first argument that turns `signalbox bench` into
// the helper; probeRSSEnv, set to "3" by the benchmark only, says that file
// descriptor 3 is where the helper reports.
const (
	probeRSSCommand = "probe-rss"
	probeRSSEnv     = "SIGNALBOX_PROBE_RSS_FD"
)

// childRun is one `signalbox run` of a workload in a child process.
type childRun struct {
	// PeakRSS is the run's peak resident set size in bytes; 0 when the
	// platform does not report it.
	PeakRSS int64
}

// runChild runs `self run DEF --input-file INPUT --clock virtual` in a child
// process, checks its result like an in-process execution's and returns
// its peak resident memory.
func runChild(ctx context.Context, self string, w *workload) (childRun, error) {
	args := []string{"run", w.DefinitionPath, "--input-file", w.InputPath, "--clock", "virtual", "--name", w.Name, "--max-payload", strconv.Itoa(benchMaxPayload)}
	var rssR, rssW *os.File
	if rssSupported {
		var err error
		if rssR, rssW, err = os.Pipe(); err != nil {
			return childRun{}, err
		}
		defer rssR.Close()
		args = append([]string{"bench", probeRSSCommand}, args...)
	}
	cmd := exec.CommandContext(ctx, self, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if rssW != nil {
		cmd.ExtraFiles = []*os.File{rssW} // fd 3 in the helper
		cmd.Env = append(os.Environ(), probeRSSEnv+"=3")
	}
	err := cmd.Start()
	if rssW != nil {
		rssW.Close()
	}
	if err != nil {
		return childRun{}, err
	}
	var reported []byte
	if rssR != nil {
		reported, _ = io.ReadAll(rssR)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return childRun{}, err
	}
	var run childRun
	if rssR != nil {
		if run.PeakRSS, err = strconv.ParseInt(strings.TrimSpace(string(reported)), 10, 64); err != nil {
			return run, fmt.Errorf("the peak memory probe reported %q: %s", reported, clip(strings.TrimSpace(stderr.String())))
		}
	}
	return run, checkRunOutput(w, stdout.Bytes(), stderr.String())
}

// checkRunOutput checks what `signalbox run` printed for w.
func checkRunOutput(w *workload, stdout []byte, stderr string) error {
	var out struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  string          `json:"error"`
		Cause  string          `json:"cause"`
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		return fmt.Errorf("`signalbox run` printed no result: %s", clip(strings.TrimSpace(stderr)))
	}
	if out.Status != "SUCCEEDED" {
		return fmt.Errorf("`signalbox run` ended %s: %s: %s", out.Status, out.Error, out.Cause)
	}
	v, err := asl.DecodeJSON(out.Output)
	if err != nil {
		return fmt.Errorf("`signalbox run` printed an output that is not JSON: %v", err)
	}
	if err := w.check(v); err != nil {
		return fmt.Errorf("`signalbox run`: %w", err)
	}
	return nil
}

// cmdProbeRSS is the helper: it runs `signalbox args...` with this
// process's standard streams, writes the child's peak resident size in
// bytes on file descriptor 3 and exits with the child's status.
func cmdProbeRSS(args []string, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if os.Getenv(probeRSSEnv) != "3" || err != nil || !rssSupported {
		fmt.Fprintln(stderr, "signalbox bench probe-rss: an internal helper of `signalbox bench`, not to be run by hand")
		return 2
	}
	report := os.NewFile(3, "rss")
	defer report.Close()
	cmd := exec.Command(self, args...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, probeRSSEnv+"=") })
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintf(stderr, "signalbox bench probe-rss: %v\n", err)
		return 2
	}
	rss, _ := peakRSS(cmd.ProcessState)
	fmt.Fprintln(report, rss)
	return cmd.ProcessState.ExitCode()
}
