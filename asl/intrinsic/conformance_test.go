package intrinsic_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// recordedCase is one AWS conformance case (shared/conformance/README.md).
type recordedCase struct {
	name string
	doc  map[string]any
}

func (c recordedCase) definition() map[string]any {
	d, _ := c.doc["definition"].(map[string]any)
	return d
}

func (c recordedCase) expected() map[string]any {
	e, _ := c.doc["expected"].(map[string]any)
	return e
}

// conformanceDir finds shared/conformance/asl: $SIGNALBOX_CONFORMANCE_DIR,
// or beside an ancestor of the working directory (the repository sits next
// to shared/ on the machines and in CI).
func conformanceDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("SIGNALBOX_CONFORMANCE_DIR"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	require.NoError(t, err)
	for dir := wd; ; dir = filepath.Dir(dir) {
		candidate := filepath.Join(dir, "shared", "conformance", "asl")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		if filepath.Dir(dir) == dir {
			t.Skip("shared/conformance/asl not found; set SIGNALBOX_CONFORMANCE_DIR")
		}
	}
}

func loadCases(t testing.TB) []recordedCase {
	t.Helper()
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	cases := make([]recordedCase, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		v, err := oj.ParseString(string(data))
		require.NoError(t, err, f)
		doc, ok := v.(map[string]any)
		require.True(t, ok, f)
		cases = append(cases, recordedCase{name: strings.TrimSuffix(filepath.Base(f), ".json"), doc: doc})
	}
	return cases
}

// callStrings returns every intrinsic call of a JSONPath definition: the
// values of ".$" fields (outside Result) and of ErrorPath and CausePath
// that start with "States.".
func callStrings(def map[string]any) []string {
	if def["QueryLanguage"] == "JSONata" {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["QueryLanguage"] == "JSONata" {
				return
			}
			for k, e := range x {
				if k == "Result" { // literal data, never evaluated
					continue
				}
				if s, ok := e.(string); ok && intrinsic.IsCall(s) &&
					(strings.HasSuffix(k, ".$") || k == "ErrorPath" || k == "CausePath") {
					out = append(out, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(def)
	return out
}

// recordedCalls returns the sorted, distinct calls of all recorded cases.
func recordedCalls(cases []recordedCase) []string {
	var calls []string
	for _, c := range cases {
		calls = append(calls, callStrings(c.definition())...)
	}
	slices.Sort(calls)
	return slices.Compact(calls)
}

func TestRecordedCallsParse(t *testing.T) {
	t.Parallel()
	calls := recordedCalls(loadCases(t))
	require.GreaterOrEqual(t, len(calls), 40)
	for _, src := range calls {
		c, err := intrinsic.Parse(src)
		require.NoError(t, err, src)
		again, err := intrinsic.Parse(c.String())
		require.NoError(t, err, c.String())
		require.Equal(t, c.String(), again.String())
	}
}

var update = flag.Bool("update", false, "rewrite testdata/recorded_calls.json from the recorded cases")

const seedFile = "testdata/recorded_calls.json"

// TestRecordedCallsSeedFile keeps testdata/recorded_calls.json, the fuzz
// seed corpus, in step with the recorded cases. Run it with -update to
// rewrite the file.
func TestRecordedCallsSeedFile(t *testing.T) {
	calls := recordedCalls(loadCases(t))
	if *update {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		require.NoError(t, enc.Encode(calls))
		require.NoError(t, os.WriteFile(seedFile, b.Bytes(), 0o644))
	}
	require.Equal(t, calls, seedCalls(t), "run: go test ./asl/intrinsic/ -run TestRecordedCallsSeedFile -update")
}

func seedCalls(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(seedFile)
	require.NoError(t, err)
	v, err := oj.ParseString(string(data))
	require.NoError(t, err)
	var calls []string
	for _, e := range v.([]any) {
		calls = append(calls, e.(string))
	}
	return calls
}

// TestRecordedCases runs every recorded case that is a chain of Pass states
// (ending, optionally, in Succeed or Fail) using intrinsic functions, with
// just enough of the Pass semantics to evaluate Parameters, and compares
// with what AWS produced.
func TestRecordedCases(t *testing.T) {
	t.Parallel()
	ran := 0
	for _, c := range loadCases(t) {
		if len(callStrings(c.definition())) == 0 {
			continue
		}
		needs, _ := c.doc["needs"].([]any)
		if len(needs) > 0 || c.doc["input_placeholders"] == true {
			continue
		}
		out, failure, ok := runChain(t, c.definition(), c.doc["input"])
		if !ok {
			continue
		}
		ran++
		exp := c.expected()
		if exp["status"] == "SUCCEEDED" {
			require.Nil(t, failure, c.name)
			requireSameJSON(t, exp["output"], out, c.name)
			continue
		}
		require.NotNil(t, failure, c.name)
		require.Equal(t, exp["error"], failure.Name, c.name)
		cause, _ := exp["cause"].(string)
		require.Equal(t, stateErrorPrefix.ReplaceAllString(cause, ""), failure.Cause, c.name)
	}
	require.GreaterOrEqual(t, ran, 100, "too few recorded cases could be run")
	t.Logf("ran %d recorded cases", ran)
}

// stateErrorPrefix is what the state runner, not this package, puts before
// a cause.
var stateErrorPrefix = regexp.MustCompile(`^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. `)

var allowedPassFields = map[string]bool{
	"Type": true, "Next": true, "End": true, "Comment": true, "Parameters": true, "Result": true,
	"InputPath": true, "OutputPath": true, "ResultPath": true,
}

// runChain runs a definition made of Pass states ending in Pass, Succeed or
// Fail. ok is false when the definition is anything else.
func runChain(t *testing.T, def map[string]any, input any) (out any, failure *aslerr.Error, ok bool) {
	t.Helper()
	states, _ := def["States"].(map[string]any)
	name, _ := def["StartAt"].(string)
	ctx := map[string]any{
		"Execution": map[string]any{
			"Id": "arn:aws:states:us-east-1:111111111111:execution:sm-name:exec-name", "Name": "exec-name",
			"Input": input, "StartTime": "2024-01-01T00:00:00Z",
		},
		"StateMachine": map[string]any{"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:sm-name", "Name": "sm-name"},
	}
	for steps := 0; steps < 20; steps++ {
		state, _ := states[name].(map[string]any)
		if state == nil {
			return nil, nil, false
		}
		ctx["State"] = map[string]any{"Name": name, "EnteredTime": "2024-01-01T00:00:00Z"}
		env := &intrinsic.Env{Scope: jpath.Scope{Input: input, Context: ctx}, Rand: fixedRand{}}
		switch state["Type"] {
		case "Succeed":
			return input, nil, true
		case "Fail":
			f := &aslerr.Error{}
			for field, dst := range map[string]*string{"Error": &f.Name, "Cause": &f.Cause} {
				if s, isString := state[field].(string); isString {
					*dst = s
				}
				if src, isString := state[field+"Path"].(string); isString {
					v, err := evalField(t, src, env)
					if err != nil {
						return nil, err, true
					}
					*dst, _ = v.(string)
				}
			}
			return nil, f, true
		case "Pass":
		default:
			return nil, nil, false
		}
		for field, v := range state {
			if !allowedPassFields[field] || (strings.HasSuffix(field, "Path") && v != "$") {
				return nil, nil, false
			}
		}
		result := input
		if r, has := state["Result"]; has {
			result = r
		}
		if params, has := state["Parameters"]; has {
			var err *aslerr.Error
			if result, err = evalTemplate(t, params, env); err != nil {
				return nil, err, true
			}
		}
		if state["End"] == true {
			return result, nil, true
		}
		input = result
		name, _ = state["Next"].(string)
	}
	return nil, nil, false
}

// evalTemplate evaluates a payload template: fields ending in ".$" take the
// value of their path or intrinsic call.
func evalTemplate(t *testing.T, tmpl any, env *intrinsic.Env) (any, *aslerr.Error) {
	switch x := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if s, isString := v.(string); isString && strings.HasSuffix(k, ".$") {
				r, err := evalField(t, s, env)
				if err != nil {
					return nil, err
				}
				out[strings.TrimSuffix(k, ".$")] = r
				continue
			}
			r, err := evalTemplate(t, v, env)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			r, err := evalTemplate(t, v, env)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return tmpl, nil
}

func evalField(t *testing.T, src string, env *intrinsic.Env) (any, *aslerr.Error) {
	t.Helper()
	if !intrinsic.IsCall(src) {
		p, err := jpath.Compile(src)
		require.NoError(t, err)
		v, found := p.Get(env.Scope)
		require.True(t, found, src)
		return v, nil
	}
	c, err := intrinsic.Parse(src)
	require.NoError(t, err, src)
	v, err := c.Eval(env)
	if err != nil {
		ae, isASL := err.(*aslerr.Error)
		require.True(t, isASL, "%s: %T is not an *aslerr.Error", src, err)
		return nil, ae
	}
	return v, nil
}

// fixedRand is a deterministic Random for tests.
type fixedRand struct{}

func (fixedRand) Float64() float64 { return 0.5 }
func (fixedRand) Uint64() uint64   { return 0x0123456789abcdef }

// requireSameJSON compares JSON values by value: numbers numerically,
// objects without regard to key order, and recorded placeholders (such as
// "<uuid:1>") as wildcards.
func requireSameJSON(t *testing.T, want, got any, msg string) {
	t.Helper()
	require.True(t, sameJSON(want, got), "%s\nwant: %s\ngot:  %s", msg, oj.JSON(want), oj.JSON(got))
}

var placeholder = regexp.MustCompile(`<[A-Za-z_:0-9\-]+>`)

func sameJSON(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, has := g[k]
			if !has || !sameJSON(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameJSON(w[i], g[i]) {
				return false
			}
		}
		return true
	case string:
		if w == "RandomNumberGenerated" { // masked at recording
			_, isInt := got.(int64)
			return isInt
		}
		g, ok := got.(string)
		if !ok {
			return false
		}
		if !placeholder.MatchString(w) {
			return w == g
		}
		parts := placeholder.Split(w, -1)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		return regexp.MustCompile("^(?s)" + strings.Join(parts, ".*") + "$").MatchString(g)
	}
	wf, wNum := number(want)
	gf, gNum := number(got)
	if wNum || gNum {
		return wNum && gNum && wf == gf
	}
	return want == got
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}
