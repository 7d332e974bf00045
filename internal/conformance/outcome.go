package conformance

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Runner runs one case the way `signalbox run` would, on a virtual clock,
// and returns the execution's result. An error means the case could not
// run at all (an invalid definition, say); it counts as a failure with the
// error's text.
type Runner func(c *Case) (Result, error)

// Verdict is what became of one case.
type Verdict string

// Verdicts.
const (
	Passed  Verdict = "passed"
	Failed  Verdict = "failed"
	Skipped Verdict = "skipped"
	// Known is a failure listed in the known-differences file.
	Known Verdict = "known difference"
)

// Outcome is the verdict on one case.
type Outcome struct {
	Name    string  `json:"name"`
	Group   string  `json:"group"`
	Verdict Verdict `json:"verdict"`
	// Reason is the skip reason, the one-line failure, or the
	// known-difference entry's reason.
	Reason string `json:"reason,omitempty"`
	// Detail is the whole failure (mismatch, runner error or panic) for
	// Failed and Known.
	Detail string `json:"detail,omitempty"`
	// StaleKnown is set when a passing case is listed as a known
	// difference: the entry should go.
	StaleKnown bool `json:"stale_known,omitempty"`
}

// maxReason bounds a one-line reason, in runes.
const maxReason = 300

// Evaluate decides one case: skipped when c.Skip(s) gives a reason,
// otherwise run and checked. A failing case listed in known (name →
// reason) is a known difference.
func Evaluate(c *Case, s Supported, known map[string]string, run Runner) Outcome {
	o := Outcome{Name: c.Name, Group: c.Group()}
	if reason := c.Skip(s); reason != "" {
		o.Verdict, o.Reason = Skipped, reason
		return o
	}
	problem := failure(c, run)
	knownReason, listed := known[c.Name]
	switch {
	case problem == "":
		o.Verdict, o.StaleKnown = Passed, listed
	case listed:
		o.Verdict, o.Reason, o.Detail = Known, knownReason, problem
	default:
		o.Verdict, o.Reason, o.Detail = Failed, oneLine(problem), problem
	}
	return o
}

// failure runs and checks c, returning why it failed or "".
func failure(c *Case, run Runner) (problem string) {
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprintf("runner panicked: %v\n%s", r, debug.Stack())
		}
	}()
	got, err := run(c)
	if err != nil {
		return "could not run: " + err.Error()
	}
	if err := c.Check(got); err != nil {
		return err.Error()
	}
	return ""
}

// oneLine returns the first line of s, shortened.
func oneLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	r := []rune(line)
	if len(r) > maxReason {
		return string(r[:maxReason-1]) + "…"
	}
	return line
}
