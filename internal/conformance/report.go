package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Counts tallies verdicts.
type Counts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Known   int `json:"known"` // failures listed as known differences
	Skipped int `json:"skipped"`
	// PassRate is Passed over the cases that ran (all but the skipped);
	// PassRateAll is Passed over all cases. Both are fractions in [0, 1].
	PassRate    float64 `json:"pass_rate"`
	PassRateAll float64 `json:"pass_rate_all"`
}

// Ran is the number of cases that ran.
func (c Counts) Ran() int { return c.Total - c.Skipped }

func (c *Counts) add(v Verdict) {
	c.Total++
	switch v {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
	case Known:
		c.Known++
	case Skipped:
		c.Skipped++
	}
	c.PassRate, c.PassRateAll = ratio(c.Passed, c.Ran()), ratio(c.Passed, c.Total)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// GroupCounts are the counts of one group of cases.
type GroupCounts struct {
	Group string `json:"group"`
	Counts
}

// ReasonCount is how many cases were skipped for one reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// CaseNote names a case with a one-line reason.
type CaseNote struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// Report summarises a conformance run.
type Report struct {
	Counts
	Groups           []GroupCounts `json:"groups"`            // sorted by group
	SkipReasons      []ReasonCount `json:"skip_reasons"`      // most frequent first
	Failures         []CaseNote    `json:"failures"`          // sorted by name
	KnownDifferences []CaseNote    `json:"known_differences"` // sorted by name
	// StaleKnown are passing cases listed as known differences.
	StaleKnown []string `json:"stale_known,omitempty"`
	// UnknownKnown are known-difference entries naming no case.
	UnknownKnown []string `json:"unknown_known,omitempty"`
}

// NewReport summarises outcomes.
func NewReport(outcomes []Outcome) *Report {
	r := &Report{Groups: []GroupCounts{}, SkipReasons: []ReasonCount{}, Failures: []CaseNote{}, KnownDifferences: []CaseNote{}}
	groups := make(map[string]*GroupCounts)
	reasons := make(map[string]int)
	for _, o := range outcomes {
		r.add(o.Verdict)
		g := groups[o.Group]
		if g == nil {
			g = &GroupCounts{Group: o.Group}
			groups[o.Group] = g
		}
		g.add(o.Verdict)
		switch o.Verdict {
		case Skipped:
			reasons[o.Reason]++
		case Failed:
			r.Failures = append(r.Failures, CaseNote{Name: o.Name, Reason: o.Reason})
		case Known:
			r.KnownDifferences = append(r.KnownDifferences, CaseNote{Name: o.Name, Reason: o.Reason, Detail: oneLine(o.Detail)})
		}
		if o.StaleKnown {
			r.StaleKnown = append(r.StaleKnown, o.Name)
		}
	}
	for _, g := range groups {
		r.Groups = append(r.Groups, *g)
	}
	sort.Slice(r.Groups, func(i, j int) bool { return r.Groups[i].Group < r.Groups[j].Group })
	for reason, n := range reasons {
		r.SkipReasons = append(r.SkipReasons, ReasonCount{Reason: reason, Count: n})
	}
	sort.Slice(r.SkipReasons, func(i, j int) bool {
		a, b := r.SkipReasons[i], r.SkipReasons[j]
		return a.Count > b.Count || a.Count == b.Count && a.Reason < b.Reason
	})
	byName := func(s []CaseNote) {
		sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	}
	byName(r.Failures)
	byName(r.KnownDifferences)
	sort.Strings(r.StaleKnown)
	return r
}

// String renders the report as text for a test log.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conformance: %d cases: %d passed, %d failed, %d known differences, %d skipped\n",
		r.Total, r.Passed, r.Failed, r.Known, r.Skipped)
	fmt.Fprintf(&b, "pass rate: %s of %d run, %s of all %d\n",
		percent(r.PassRate), r.Ran(), percent(r.PassRateAll), r.Total)
	if len(r.Groups) > 0 {
		width := 0
		for _, g := range r.Groups {
			width = max(width, len(g.Group))
		}
		b.WriteString("groups (passed/run, failed, known, skipped):\n")
		for _, g := range r.Groups {
			rate := "-"
			if g.Ran() > 0 {
				rate = percent(g.PassRate)
			}
			fmt.Fprintf(&b, "  %-*s %4d/%-4d %7s  failed %-3d known %-3d skipped %d\n",
				width, g.Group, g.Passed, g.Ran(), rate, g.Failed, g.Known, g.Skipped)
		}
	}
	if len(r.SkipReasons) > 0 {
		fmt.Fprintf(&b, "skipped (%d):\n", r.Skipped)
		for _, s := range r.SkipReasons {
			fmt.Fprintf(&b, "  %4d  %s\n", s.Count, s.Reason)
		}
	}
	writeNotes(&b, "known differences", r.KnownDifferences)
	writeNotes(&b, "failures", r.Failures)
	if len(r.StaleKnown) > 0 {
		fmt.Fprintf(&b, "listed as known differences but passing (%d):\n", len(r.StaleKnown))
		for _, n := range r.StaleKnown {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	if len(r.UnknownKnown) > 0 {
		fmt.Fprintf(&b, "known differences naming no case (%d):\n", len(r.UnknownKnown))
		for _, n := range r.UnknownKnown {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	return b.String()
}

func writeNotes(b *strings.Builder, title string, notes []CaseNote) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintf(b, "%s (%d):\n", title, len(notes))
	for _, n := range notes {
		fmt.Fprintf(b, "  %s: %s\n", n.Name, n.Reason)
	}
}

func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// WriteFile writes the report as indented JSON.
func (r *Report) WriteFile(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("conformance: report: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("conformance: report: %w", err)
	}
	return nil
}
