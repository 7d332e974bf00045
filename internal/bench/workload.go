package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/runtime"
)

// benchManifest is the shared workloads' manifest.json.
type benchManifest struct {
	Workloads []workloadSpec `json:"workloads"`
}

// workloadSpec is one workload of the manifest.
type workloadSpec struct {
	Name               string `json:"name"`
	Definition         string `json:"definition"`
	Input              string `json:"input"`
	ExecutionsPerRun   int    `json:"executions_per_run"`
	StatesPerExecution int    `json:"states_per_execution"`
	// ExpectedOutput is the output itself, or a string stating a rule the
	// output must follow (see outputRules).
	ExpectedOutput json.RawMessage `json:"expected_output"`
}

// workload is a loaded, compiled workload, ready to run.
type workload struct {
	workloadSpec
	DefinitionPath, InputPath string
	Machine                   *asl.StateMachine
	InputValue                any
	check                     func(output any) error
}

// loadManifest reads dir/manifest.json and loads the workloads it names,
// keeping only those in only (all when only is empty). Every definition is
// compiled once here.
func loadManifest(dir string, only []string) ([]*workload, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m benchManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "manifest.json"), err)
	}
	known := map[string]bool{}
	var names []string
	for _, s := range m.Workloads {
		known[s.Name] = true
		names = append(names, s.Name)
	}
	for _, n := range only {
		if !known[n] {
			return nil, fmt.Errorf("no workload %q in the manifest (it has %s)", n, strings.Join(names, ", "))
		}
	}
	var ws []*workload
	for _, s := range m.Workloads {
		if len(only) > 0 && !slices.Contains(only, s.Name) {
			continue
		}
		w, err := loadWorkload(dir, s)
		if err != nil {
			return nil, fmt.Errorf("workload %s: %w", s.Name, err)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

func loadWorkload(dir string, s workloadSpec) (*workload, error) {
	if s.ExecutionsPerRun < 1 || s.StatesPerExecution < 1 {
		return nil, fmt.Errorf("executions_per_run and states_per_execution must be positive")
	}
	w := &workload{
		workloadSpec:   s,
		DefinitionPath: filepath.Join(dir, s.Definition),
		InputPath:      filepath.Join(dir, s.Input),
	}
	def, err := os.ReadFile(w.DefinitionPath)
	if err != nil {
		return nil, err
	}
	m, d := asl.Compile(def)
	if len(d) > 0 {
		return nil, fmt.Errorf("%s does not compile: %v", s.Definition, d[0])
	}
	w.Machine = m
	raw, err := os.ReadFile(w.InputPath)
	if err != nil {
		return nil, err
	}
	if w.InputValue, err = asl.DecodeJSON(raw); err != nil {
		return nil, fmt.Errorf("%s: %v", s.Input, err)
	}
	if w.check, err = outputCheck(s.ExpectedOutput); err != nil {
		return nil, err
	}
	return w, nil
}

// verify checks one finished execution: it succeeded, it entered exactly
// StatesPerExecution states (counted from its history) and its output is
// the expected one.
func (w *workload) verify(res *runtime.Result) error {
	if res.Status != runtime.StatusSucceeded {
		return fmt.Errorf("status %s: %s: %s", res.Status, res.Error, res.Cause)
	}
	if n := statesEntered(res.History()); n != w.StatesPerExecution {
		return fmt.Errorf("entered %d states, the manifest says %d", n, w.StatesPerExecution)
	}
	return w.check(res.Output)
}

// statesEntered counts the *StateEntered events of a history.
func statesEntered(h []runtime.Event) int {
	n := 0
	for _, ev := range h {
		if strings.HasSuffix(string(ev.Type), "StateEntered") {
			n++
		}
	}
	return n
}

// outputCheck turns a manifest's expected_output into a check: an exact
// comparison, or the check of a rule stated in words.
func outputCheck(raw json.RawMessage) (func(any) error, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("no expected_output")
	}
	var rule string
	if json.Unmarshal(raw, &rule) == nil {
		for _, r := range outputRules {
			if m := r.pattern.FindStringSubmatch(rule); m != nil {
				return r.check(m)
			}
		}
		return nil, fmt.Errorf("expected_output states a rule this command cannot check: %q", rule)
	}
	want, err := asl.DecodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("expected_output: %v", err)
	}
	wantJSON := asl.EncodeJSON(want)
	return func(got any) error {
		if g := asl.EncodeJSON(got); g != wantJSON {
			return fmt.Errorf("output %s, expected %s", clip(g), clip(wantJSON))
		}
		return nil
	}, nil
}

// outputRules are the rules a manifest may state in words, each matched by
// its exact wording so that a changed rule fails loudly instead of passing.
var outputRules = []struct {
	pattern *regexp.Regexp
	check   func(match []string) (func(any) error, error)
}{
	{
		// map_10k: the Map's output, element by element.
		pattern: regexp.MustCompile(`^array of ([0-9,]+) objects; element i == \{"id": i, "name": "item-i", "double": 2\*i, "tag": "processed"\}$`),
		check: func(m []string) (func(any) error, error) {
			n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
			if err != nil {
				return nil, fmt.Errorf("expected_output: bad count %q", m[1])
			}
			return func(got any) error { return checkMapItems(got, n) }, nil
		},
	},
}

// checkMapItems checks that got is an array of n objects, element i being
// {"id": i, "name": "item-i", "double": 2*i, "tag": "processed"}.
func checkMapItems(got any, n int) error {
	arr, ok := got.([]any)
	if !ok {
		return fmt.Errorf("output is %s, expected an array", asl.TypeName(got))
	}
	if len(arr) != n {
		return fmt.Errorf("output has %d elements, expected %d", len(arr), n)
	}
	for i, e := range arr {
		want := asl.EncodeJSON(map[string]any{"id": int64(i), "name": "item-" + strconv.Itoa(i), "double": int64(2 * i), "tag": "processed"})
		if g := asl.EncodeJSON(e); g != want {
			return fmt.Errorf("output element %d is %s, expected %s", i, clip(g), want)
		}
	}
	return nil
}

// clip shortens a rendering for an error message.
func clip(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
