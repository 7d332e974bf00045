package choice_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/diag"
)

// recordedCase is one execution recorded against AWS Step Functions (see
// the README next to the cases).
type recordedCase struct {
	name              string
	definition        map[string]any
	input             any
	expected          map[string]any
	needs             []any
	inputPlaceholders bool
}

// conformanceDir is where the recorded cases live:
// $SIGNALBOX_CONFORMANCE_DIR, or the shared checkout next to the repository.
func conformanceDir() string {
	if d := os.Getenv("SIGNALBOX_CONFORMANCE_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "conformance", "asl")
}

// loadChoiceCases returns every recorded case whose definition has a
// Choice state, decoded the way the runtime decodes JSON.
func loadChoiceCases(t *testing.T) []recordedCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(conformanceDir(), "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skipf("no recorded cases in %s", conformanceDir())
	}
	var cases []recordedCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if !strings.Contains(string(data), `"Choices"`) {
			continue
		}
		v, err := oj.ParseString(string(data))
		require.NoError(t, err, f)
		m := v.(map[string]any)
		c := recordedCase{input: m["input"]}
		c.name, _ = m["name"].(string)
		c.definition, _ = m["definition"].(map[string]any)
		c.expected, _ = m["expected"].(map[string]any)
		c.needs, _ = m["needs"].([]any)
		c.inputPlaceholders, _ = m["input_placeholders"].(bool)
		cases = append(cases, c)
	}
	return cases
}

// statePrefix is what the interpreter puts before a state's runtime error.
var statePrefix = regexp.MustCompile(`^An error occurred while executing the state '.*?' \(entered at the event id #\d+\)\. `)

// TestConformanceCases runs every recorded case simple enough for the test
// machine (Pass, Choice, Succeed, Fail; JSONPath) and checks it ends as AWS
// recorded: same output, or same error and cause.
func TestConformanceCases(t *testing.T) {
	cases := loadChoiceCases(t)
	skipped := map[string]int{}
	checked, passed := 0, 0
	for _, c := range cases {
		if len(c.needs) > 0 {
			skipped["needs services"]++
			continue
		}
		if c.inputPlaceholders {
			skipped["masked input"]++
			continue
		}
		m, skip, err := newMachine(c.definition)
		require.NoError(t, err, c.name)
		if skip != "" {
			skipped[skip]++
			continue
		}
		checked++
		ok := t.Run(c.name, func(t *testing.T) {
			got := m.run(c.input)
			want := c.expected
			if want["status"] == "SUCCEEDED" {
				require.False(t, got.failed, "failed with %s: %s", got.errName, got.cause)
				require.True(t, equalJSON(want["output"], got.output), "output\nwant %s\ngot  %s", oj.JSON(want["output"]), oj.JSON(got.output))
				return
			}
			require.Equal(t, "FAILED", want["status"])
			require.True(t, got.failed, "succeeded with %s", oj.JSON(got.output))
			wantErr, _ := want["error"].(string)
			wantCause, _ := want["cause"].(string)
			require.Equal(t, wantErr, got.errName)
			require.Equal(t, statePrefix.ReplaceAllString(wantCause, ""), got.cause)
		})
		if ok {
			passed++
		}
	}
	t.Logf("recorded cases with a Choice state: %d; checked %d, passed %d; skipped %s",
		len(cases), checked, passed, summarize(skipped))
	// The harness must keep covering the Choice operator suite.
	require.GreaterOrEqual(t, checked, 300)
}

// TestConformanceRulesParse parses every Choice rule of every recorded
// definition, however complex the rest of it: AWS accepted them all, so
// JSONPath rules must compile, and JSONata rules ("Condition") must be
// refused as not supported, nothing else.
func TestConformanceRulesParse(t *testing.T) {
	cases := loadChoiceCases(t)
	rules := 0
	for _, c := range cases {
		walkChoiceStates(c.definition, "", func(ptr string, st map[string]any) {
			choices, _ := st["Choices"].([]any)
			for i, raw := range choices {
				rules++
				rptr := diag.Pointer(ptr, "Choices", i)
				r, diags := choice.Parse(raw, rptr, true)
				if _, jsonata := raw.(map[string]any)["Condition"]; jsonata {
					require.Nil(t, r, "%s %s", c.name, rptr)
					require.Len(t, diags, 1, "%s %s", c.name, rptr)
					require.Equal(t, diag.Unsupported, diags[0].Code)
					require.Equal(t, rptr+"/Condition", diags[0].Path)
					continue
				}
				require.Empty(t, diags, "%s %s", c.name, rptr)
				require.NotNil(t, r)
			}
		})
	}
	t.Logf("parsed %d Choice rules of %d recorded definitions", rules, len(cases))
	require.Greater(t, rules, 300)
}

// walkChoiceStates calls fn for every Choice state in a definition,
// including those inside Parallel branches and Map processors.
func walkChoiceStates(v any, ptr string, fn func(ptr string, st map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if x["Type"] == "Choice" {
			fn(ptr, x)
		}
		for k, e := range x {
			walkChoiceStates(e, diag.Pointer(ptr, k), fn)
		}
	case []any:
		for i, e := range x {
			walkChoiceStates(e, diag.Pointer(ptr, i), fn)
		}
	}
}

// equalJSON compares decoded JSON by value: 1 equals 1.0, and objects
// compare regardless of key order.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			f, ok := y[k]
			if !ok || !equalJSON(e, f) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case int64:
		return equalJSON(float64(x), b)
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	}
	return a == b
}

func summarize(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, counts[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
