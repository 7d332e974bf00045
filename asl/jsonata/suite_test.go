package jsonata

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// suiteFloor is the pass rate (percent of the cases not excluded) below
// which TestSuite fails, so that regressions are caught.
const suiteFloor = 100.0

// suiteCase is one case of JSONata's test suite (see TESTSUITE.md).
type suiteCase struct {
	Expr            *string         `json:"expr"`
	ExprFile        string          `json:"expr-file"`
	Data            json.RawMessage `json:"data"`
	Dataset         *string         `json:"dataset"`
	Bindings        json.RawMessage `json:"bindings"`
	Result          json.RawMessage `json:"result"`
	UndefinedResult bool            `json:"undefinedResult"`
	Code            string          `json:"code"`
	Error           *struct {
		Code string `json:"code"`
	} `json:"error"`
	Timelimit int  `json:"timelimit"`
	Depth     int  `json:"depth"`
	Unordered bool `json:"unordered"`
}

// caseOutcome is the report entry of one case.
type caseOutcome struct {
	Group    string `json:"group"`
	Name     string `json:"name"`
	Expr     string `json:"expr"`
	Status   string `json:"status"` // pass, fail, excluded
	Reason   string `json:"reason,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
}

// excludedFunctions are the functions AWS Step Functions removes from
// JSONata.
var excludedFunctions = []string{"$eval"}

func suiteDir(t *testing.T) string {
	dir := os.Getenv("JSONATA_SUITE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "jsonata-test-suite")
	}
	dir = filepath.Join(dir, "test", "test-suite")
	if _, err := os.Stat(filepath.Join(dir, "groups")); err != nil {
		t.Skipf("JSONata test suite not found at %s", dir)
	}
	return dir
}

func TestSuite(t *testing.T) {
	dir := suiteDir(t)
	datasets := map[string]any{}
	files, _ := filepath.Glob(filepath.Join(dir, "datasets", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseJSON(string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		datasets[strings.TrimSuffix(filepath.Base(f), ".json")] = v
	}
	groups, _ := filepath.Glob(filepath.Join(dir, "groups", "*"))
	var outcomes []caseOutcome
	for _, g := range groups {
		group := filepath.Base(g)
		caseFiles, _ := filepath.Glob(filepath.Join(g, "*.json"))
		sort.Strings(caseFiles)
		for _, cf := range caseFiles {
			b, err := os.ReadFile(cf)
			if err != nil {
				t.Fatal(err)
			}
			b = escapeLoneSurrogates(b)
			var cases []suiteCase
			if strings.HasPrefix(strings.TrimSpace(string(b)), "[") {
				err = json.Unmarshal(b, &cases)
			} else {
				var c suiteCase
				err = json.Unmarshal(b, &c)
				cases = []suiteCase{c}
			}
			if err != nil {
				t.Fatalf("%s: %v", cf, err)
			}
			for i, c := range cases {
				name := strings.TrimSuffix(filepath.Base(cf), ".json")
				if len(cases) > 1 {
					name = fmt.Sprintf("%s[%d]", name, i)
				}
				out := runSuiteCase(g, c, datasets)
				out.Group, out.Name = group, name
				outcomes = append(outcomes, out)
			}
		}
	}
	reportSuite(t, outcomes)
}

func runSuiteCase(groupDir string, c suiteCase, datasets map[string]any) (out caseOutcome) {
	expr := ""
	if c.Expr != nil {
		expr = *c.Expr
	} else if c.ExprFile != "" {
		b, err := os.ReadFile(filepath.Join(groupDir, c.ExprFile))
		if err != nil {
			return caseOutcome{Status: "fail", Reason: err.Error()}
		}
		expr = string(b)
	}
	out.Expr = expr
	if strings.Contains(filepath.Base(groupDir), "function-eval") {
		out.Status, out.Reason = "excluded", "$eval is not available in AWS Step Functions"
		return out
	}
	for _, f := range excludedFunctions {
		if strings.Contains(expr, f+"(") {
			out.Status, out.Reason = "excluded", f+" is not available in AWS Step Functions"
			return out
		}
	}
	defer func() {
		if r := recover(); r != nil {
			out.Status, out.Reason = "fail", fmt.Sprintf("panic: %v", r)
		}
	}()
	var input any = Undefined
	if len(c.Data) > 0 {
		v, err := ParseJSON(string(c.Data))
		if err != nil {
			return caseOutcome{Expr: expr, Status: "fail", Reason: "bad data: " + err.Error()}
		}
		input = v
	} else if c.Dataset != nil {
		input = datasets[*c.Dataset]
	}
	opts := &Options{
		MaxDepth: c.Depth,
		Now:      func() time.Time { return time.Date(2018, 3, 24, 14, 30, 0, 0, time.UTC) },
		Random:   newTestRandom(),
	}
	if len(c.Bindings) > 0 {
		v, err := ParseJSON(string(c.Bindings))
		if err == nil {
			if o, ok := v.(*Object); ok {
				opts.Bindings = map[string]any{}
				for i, k := range o.keys {
					opts.Bindings[k] = o.vals[i]
				}
			}
		}
	}
	wantCode := c.Code
	if c.Error != nil {
		wantCode = c.Error.Code
	}
	var got any
	e, err := Compile(expr)
	if err == nil {
		got, err = e.EvalOrdered(input, opts)
	}
	switch {
	case wantCode != "":
		out.Expected = "error " + wantCode
		if err == nil {
			out.Status, out.Got = "fail", render(got)
			return out
		}
		code := ""
		if je, ok := err.(*Error); ok {
			code = je.Code
		}
		if code != wantCode {
			out.Status, out.Got = "fail", "error "+err.Error()
			return out
		}
		out.Status = "pass"
		return out
	case err != nil:
		out.Status, out.Got = "fail", "error "+err.Error()
		if c.UndefinedResult {
			out.Expected = "undefined"
		} else {
			out.Expected = string(c.Result)
		}
		return out
	case c.UndefinedResult || len(c.Result) == 0:
		out.Expected = "undefined"
		if got != Undefined {
			out.Status, out.Got = "fail", render(got)
			return out
		}
		out.Status = "pass"
		return out
	}
	want, perr := ParseJSON(string(c.Result))
	if perr != nil {
		out.Status, out.Reason = "fail", "bad result: "+perr.Error()
		return out
	}
	out.Expected = render(want)
	if !suiteEqual(want, got, c.Unordered) {
		out.Status, out.Got = "fail", render(got)
		return out
	}
	out.Status = "pass"
	return out
}

// suiteEqual compares an expected and an actual result: numbers by value,
// objects ignoring key order, arrays in order unless unordered.
func suiteEqual(want, got any, unordered bool) bool {
	if unordered {
		wi, wok := arrayItems(want)
		gi, gok := arrayItems(got)
		if wok && gok && len(wi) == len(gi) {
			used := make([]bool, len(gi))
			for _, w := range wi {
				found := false
				for j, g := range gi {
					if !used[j] && suiteEqual(w, g, false) {
						used[j], found = true, true
						break
					}
				}
				if !found {
					return false
				}
			}
			return true
		}
	}
	if wf, ok := toNumber(want); ok {
		gf, ok := toNumber(got)
		return ok && (wf == gf || math.Abs(wf-gf) <= 1e-13*math.Abs(wf))
	}
	return deepEqual(want, got)
}

func render(v any) string {
	if v == Undefined {
		return "undefined"
	}
	s, err := stringify(v, false)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

// newTestRandom returns a deterministic random source.
func newTestRandom() func() float64 {
	x := uint64(88172645463325252)
	return func() float64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return float64(x>>11) / float64(1<<53)
	}
}

func reportSuite(t *testing.T, outcomes []caseOutcome) {
	type tally struct{ Pass, Fail, Excluded int }
	byGroup := map[string]*tally{}
	total := &tally{}
	for _, o := range outcomes {
		g := byGroup[o.Group]
		if g == nil {
			g = &tally{}
			byGroup[o.Group] = g
		}
		for _, tl := range []*tally{g, total} {
			switch o.Status {
			case "pass":
				tl.Pass++
			case "excluded":
				tl.Excluded++
			default:
				tl.Fail++
			}
		}
	}
	rate := func(tl *tally) float64 {
		if tl.Pass+tl.Fail == 0 {
			return 100
		}
		return 100 * float64(tl.Pass) / float64(tl.Pass+tl.Fail)
	}
	names := make([]string, 0, len(byGroup))
	for g := range byGroup {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		tl := byGroup[g]
		if tl.Fail > 0 {
			t.Logf("%-28s %3d/%-3d %6.2f%% (excluded %d)", g, tl.Pass, tl.Pass+tl.Fail, rate(tl), tl.Excluded)
		}
	}
	overall := rate(total)
	t.Logf("overall: %d passed, %d failed, %d excluded: %.2f%% of %d cases run",
		total.Pass, total.Fail, total.Excluded, overall, total.Pass+total.Fail)
	if path := os.Getenv("JSONATA_SUITE_REPORT"); path != "" {
		groups := map[string]any{}
		for g, tl := range byGroup {
			groups[g] = map[string]any{"pass": tl.Pass, "fail": tl.Fail, "excluded": tl.Excluded, "rate": rate(tl)}
		}
		report := map[string]any{
			"pass": total.Pass, "fail": total.Fail, "excluded": total.Excluded, "rate": overall,
			"groups": groups, "cases": outcomes,
		}
		b, _ := json.MarshalIndent(report, "", "  ")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Errorf("writing report: %v", err)
		}
	}
	if overall < suiteFloor {
		t.Errorf("pass rate %.2f%% is below the floor %.2f%%", overall, suiteFloor)
	}
}

// escapeLoneSurrogates turns the JSON escape of a lone UTF-16 surrogate
// (which Go's JSON decoder would replace by U+FFFD) into a JSONata string
// escape, so that the expression keeps the surrogate.
func escapeLoneSurrogates(b []byte) []byte {
	s := string(b)
	isEsc := func(i int, lo, hi byte) bool {
		if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' || (s[i+2]|0x20) != 'd' {
			return false
		}
		c := s[i+3] | 0x20
		return c >= lo && c <= hi
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
			out.WriteString(s[i : i+2])
			i++
			continue
		}
		if isEsc(i, '8', 'b') && !isEsc(i+6, 'c', 'f') || isEsc(i, 'c', 'f') && !(i >= 6 && isEsc(i-6, '8', 'b')) {
			out.WriteString("\\\\")
			continue
		}
		out.WriteByte(s[i])
	}
	return []byte(out.String())
}
