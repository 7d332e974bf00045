package conformance

import (
	"os"
	"sort"
	"testing"
)

// ReportEnv names the environment variable that, when set, is the path Run
// writes its report to as JSON.
const ReportEnv = "SIGNALBOX_CONFORMANCE_REPORT"

// Run runs every case in dir as a subtest named after the case, through
// run. A case that cannot run on an engine supporting s is skipped with
// the reason; a failing case fails its subtest unless the
// known-differences file knownDiff (see LoadKnownDifferences; "" for none)
// lists it, in which case it is logged and reported as a known
// difference. At the end Run logs a report (see Report) of the cases that
// ran and, when the environment variable named by ReportEnv is set,
// writes it there as JSON.
func Run(t *testing.T, dir string, s Supported, knownDiff string, run Runner) {
	t.Helper()
	cases, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	known, err := LoadKnownDifferences(knownDiff)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []Outcome
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			o := Evaluate(c, s, known, run)
			outcomes = append(outcomes, o)
			switch o.Verdict {
			case Skipped:
				t.Skip(o.Reason)
			case Failed:
				t.Errorf("%s\nfile: %s", o.Detail, c.File)
			case Known:
				t.Logf("known difference (%s): %s", o.Reason, o.Detail)
			}
			if o.StaleKnown {
				t.Logf("passes but is listed as a known difference: %s", known[c.Name])
			}
		})
	}
	report := NewReport(outcomes)
	report.UnknownKnown = unknownNames(known, cases)
	t.Log("\n" + report.String())
	if path := os.Getenv(ReportEnv); path != "" {
		if err := report.WriteFile(path); err != nil {
			t.Error(err)
		}
	}
}

// unknownNames returns the sorted names in known that name no case.
func unknownNames(known map[string]string, cases []*Case) []string {
	names := make(map[string]bool, len(cases))
	for _, c := range cases {
		names[c.Name] = true
	}
	var unknown []string
	for name := range known {
		if !names[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
}
