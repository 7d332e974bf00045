package conformance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// testCases is a small directory of synthetic cases.
var testCases = filepath.Join("testdata", "cases")

// numberWrong returns each case's expectation, except a wrong output for
// pass_state__number.
func numberWrong(c *Case) (Result, error) {
	if c.Name == "pass_state__number" {
		return succeeded(map[string]any{"n": int64(2)}), nil
	}
	return c.Expected, nil
}

// TestRun runs the synthetic cases with a runner that gets one wrong, which
// the known-differences file lists, and checks the report written.
// Not parallel: it sets an environment variable.
func TestRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	t.Setenv(ReportEnv, path)
	var ran []string
	Run(t, testCases, Supported{}, filepath.Join("testdata", "known.json"), func(c *Case) (Result, error) {
		ran = append(ran, c.Name)
		return numberWrong(c)
	})
	require.Equal(t, []string{"fail_state__custom", "pass_state__hello", "pass_state__number"}, ran)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var r Report
	require.NoError(t, json.Unmarshal(data, &r))
	require.Equal(t, Counts{Total: 6, Passed: 2, Known: 1, Skipped: 3, PassRate: 2.0 / 3, PassRateAll: 2.0 / 6}, r.Counts)
	require.Equal(t, []ReasonCount{
		{ReasonMaskedInput, 1},
		{"needs lambda", 1},
		{ReasonJSONata, 1},
	}, r.SkipReasons)
	require.Equal(t, []CaseNote{{
		Name:   "pass_state__number",
		Reason: "AWS returned 1 before its documentation changed",
		Detail: "/output/n: expected 1, got 2",
	}}, r.KnownDifferences)
	require.Empty(t, r.Failures)
	require.Equal(t, []string{"fail_state__custom"}, r.StaleKnown)
	require.Equal(t, []string{"no_such_case"}, r.UnknownKnown)
	require.Len(t, r.Groups, 5)
}

// TestRunFailsFailingCases runs TestRunHelper in a child process and checks
// that the failing case, and only it, fails its subtest.
func TestRunFailsFailingCases(t *testing.T) {
	t.Parallel()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelper$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=1", ReportEnv+"="+report)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the helper must fail:\n%s", out)
	require.Contains(t, string(out), "--- FAIL: TestRunHelper/pass_state__number")
	require.Contains(t, string(out), "/output/n: expected 1, got 2")
	require.Contains(t, string(out), "--- PASS: TestRunHelper/pass_state__hello")
	require.Contains(t, string(out), "--- SKIP: TestRunHelper/lambda_task__invoke")
	require.Contains(t, string(out), "failures (1):\n")

	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var r Report
	require.NoError(t, json.Unmarshal(data, &r))
	require.Equal(t, []CaseNote{{Name: "pass_state__number", Reason: "/output/n: expected 1, got 2"}}, r.Failures)
}

// helperEnv enables TestRunHelper.
const helperEnv = "SIGNALBOX_CONFORMANCE_HELPER"

// TestRunHelper is run by TestRunFailsFailingCases; it fails on purpose.
func TestRunHelper(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestRunFailsFailingCases")
	}
	Run(t, testCases, Supported{}, "", numberWrong)
}

func TestLoadKnownDifferences(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return path
	}
	tests := []struct {
		name    string
		path    string
		want    map[string]string
		wantErr string
	}{
		{"no file", "", map[string]string{}, ""},
		{"entries", write("ok.json", `{"a__1": "AWS changed"}`), map[string]string{"a__1": "AWS changed"}, ""},
		{"empty object", write("empty.json", `{}`), map[string]string{}, ""},
		{"null", write("null.json", `null`), map[string]string{}, ""},
		{"missing file", filepath.Join(dir, "absent.json"), nil, "no such file"},
		{"not an object", write("array.json", `[]`), nil, "cannot unmarshal array"},
		{"reason not a string", write("number.json", `{"a__1": 1}`), nil, "cannot unmarshal number"},
		{"empty reason", write("blank.json", `{"a__1": " "}`), nil, `"a__1" has no reason`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			known, err := LoadKnownDifferences(tt.path)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, known)
		})
	}
}
