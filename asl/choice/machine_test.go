package choice_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/jpath"
)

// machine is a tiny interpreter for the state machines of the recorded
// cases that only use Pass, Choice, Succeed and Fail states with plain
// JSONPath input and output processing. It lets the conformance test check
// Choice rules end to end without the real interpreter; anything beyond
// that subset is refused with a skip reason.
type machine struct {
	states map[string]map[string]any
	start  string
	rules  map[string][]*choice.Rule
}

// outcome is how a run ended.
type outcome struct {
	output  any
	failed  bool
	errName string
	cause   string
}

// allowedFields lists, per state type, the fields the machine implements.
var allowedFields = map[string][]string{
	"Pass":    {"Type", "Comment", "Next", "End", "Result", "ResultPath", "InputPath", "OutputPath", "Assign"},
	"Choice":  {"Type", "Comment", "Choices", "Default", "InputPath", "OutputPath"},
	"Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
	"Fail":    {"Type", "Comment", "Error", "Cause"},
}

// newMachine compiles a definition. It returns a skip reason when the
// definition is outside the machine's subset, and an error when a Choice
// rule does not parse (AWS accepted every recorded definition).
func newMachine(def map[string]any) (m *machine, skip string, err error) {
	if ql, ok := def["QueryLanguage"]; ok && ql != "JSONPath" {
		return nil, "query language " + fmt.Sprint(ql), nil
	}
	states, ok := def["States"].(map[string]any)
	if !ok {
		return nil, "no States", nil
	}
	m = &machine{states: map[string]map[string]any{}, rules: map[string][]*choice.Rule{}}
	m.start, _ = def["StartAt"].(string)
	for _, name := range slices.Sorted(maps.Keys(states)) {
		st, _ := states[name].(map[string]any)
		typ, _ := st["Type"].(string)
		allowed, ok := allowedFields[typ]
		if !ok {
			return nil, typ + " state", nil
		}
		for k := range st {
			if !contains(allowed, k) {
				return nil, typ + "." + k, nil
			}
		}
		if reason := assignSkip(st["Assign"]); reason != "" {
			return nil, reason, nil
		}
		m.states[name] = st
		if typ != "Choice" {
			continue
		}
		choices, _ := st["Choices"].([]any)
		for i, c := range choices {
			r, diags := choice.Parse(c, fmt.Sprintf("/States/%s/Choices/%d", name, i), true)
			if len(diags) > 0 {
				return nil, "", diags.Err()
			}
			m.rules[name] = append(m.rules[name], r)
		}
	}
	return m, "", nil
}

// assignSkip refuses Assign values the machine does not implement: "k.$"
// entries must be plain path strings, and literal values must not hide
// further ".$" keys.
func assignSkip(v any) string {
	if v == nil {
		return ""
	}
	a, ok := v.(map[string]any)
	if !ok {
		return "Assign not an object"
	}
	for k, x := range a {
		if strings.HasSuffix(k, ".$") {
			if s, ok := x.(string); !ok || !strings.HasPrefix(s, "$") {
				return "Assign intrinsic or non-path"
			}
		} else if hasPathKeys(x) {
			return "Assign nested template"
		}
	}
	return ""
}

func hasPathKeys(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasSuffix(k, ".$") || hasPathKeys(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasPathKeys(e) {
				return true
			}
		}
	}
	return false
}

// run executes the machine on an input.
func (m *machine) run(input any) outcome {
	ctx := map[string]any{"Execution": map[string]any{"Input": input}}
	vars := map[string]any{}
	scope := func(in any) jpath.Scope {
		return jpath.Scope{Input: in, Context: ctx, Vars: func(n string) (any, bool) {
			v, ok := vars[n]
			return v, ok
		}}
	}
	fail := func(err error) outcome {
		if e, ok := err.(*aslerr.Error); ok {
			return outcome{failed: true, errName: e.Name, cause: e.Cause}
		}
		return outcome{failed: true, errName: "harness", cause: err.Error()}
	}
	cur, in := m.start, input
	for step := 0; step < 1000; step++ {
		st, ok := m.states[cur]
		if !ok {
			return fail(fmt.Errorf("no state %q", cur))
		}
		switch st["Type"] {
		case "Pass":
			eff, err := applyPath(st, "InputPath", scope(in))
			if err != nil {
				return fail(err)
			}
			res := eff
			if r, ok := st["Result"]; ok {
				res = r
			}
			out, err := applyResultPath(st, in, res)
			if err != nil {
				return fail(err)
			}
			if out, err = applyPath(st, "OutputPath", scope(out)); err != nil {
				return fail(err)
			}
			if err := assign(st, scope(in), vars); err != nil {
				return fail(err)
			}
			if st["End"] == true {
				return outcome{output: out}
			}
			cur, _ = st["Next"].(string)
			in = out
		case "Choice":
			eff, err := applyPath(st, "InputPath", scope(in))
			if err != nil {
				return fail(err)
			}
			r, err := choice.First(m.rules[cur], scope(eff))
			if err != nil {
				return fail(err)
			}
			next, _ := st["Default"].(string)
			if r != nil {
				next = r.Next
			}
			if next == "" {
				return outcome{failed: true, errName: aslerr.NoChoiceMatched}
			}
			out, err := applyPath(st, "OutputPath", scope(eff))
			if err != nil {
				return fail(err)
			}
			cur, in = next, out
		case "Succeed":
			eff, err := applyPath(st, "InputPath", scope(in))
			if err != nil {
				return fail(err)
			}
			out, err := applyPath(st, "OutputPath", scope(eff))
			if err != nil {
				return fail(err)
			}
			return outcome{output: out}
		case "Fail":
			name, _ := st["Error"].(string)
			cause, _ := st["Cause"].(string)
			return outcome{failed: true, errName: name, cause: cause}
		}
	}
	return fail(fmt.Errorf("more than 1000 transitions"))
}

// applyPath applies InputPath or OutputPath: absent keeps the value, null
// gives {}, a path selects.
func applyPath(st map[string]any, field string, s jpath.Scope) (any, error) {
	raw, ok := st[field]
	switch {
	case !ok:
		return s.Input, nil
	case raw == nil:
		return map[string]any{}, nil
	}
	src, _ := raw.(string)
	p, err := jpath.Compile(src)
	if err != nil {
		return nil, err
	}
	v, ok := p.Get(s)
	if !ok {
		return nil, aslerr.New(aslerr.Runtime, "Invalid path '%s' : No results for path", src)
	}
	return v, nil
}

// applyResultPath places a state's result into its raw input.
func applyResultPath(st map[string]any, in, res any) (any, error) {
	raw, ok := st["ResultPath"]
	switch {
	case !ok:
		return res, nil
	case raw == nil:
		return in, nil
	}
	src, _ := raw.(string)
	p, err := jpath.CompileReference(src)
	if err != nil {
		return nil, err
	}
	return p.Set(in, res)
}

// assign evaluates a state's Assign and updates the variables, all
// right-hand sides seeing the variables as they were before the state.
func assign(st map[string]any, s jpath.Scope, vars map[string]any) error {
	a, _ := st["Assign"].(map[string]any)
	next := map[string]any{}
	for k, v := range a {
		name, isPath := strings.CutSuffix(k, ".$")
		if isPath {
			p, err := jpath.Compile(v.(string))
			if err != nil {
				return err
			}
			if v, ok := p.Get(s); ok {
				next[name] = v
				continue
			}
			return aslerr.New(aslerr.Runtime, "Assign path %s selects nothing", v)
		}
		next[name] = v
	}
	for k, v := range next {
		vars[k] = v
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
