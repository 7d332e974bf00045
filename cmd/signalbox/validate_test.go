package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateCLI(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "cli")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
	}{
		{
			name:     "valid file: exit 0, nothing printed",
			args:     []string{"valid.asl.json"},
			wantCode: 0,
		},
		{
			name:     "invalid file: one line per diagnostic, file:line: path code message",
			args:     []string{"invalid.asl.json"},
			wantCode: 1,
			wantStdout: "invalid.asl.json:4: /States/A/Retry/0/ErrorEquals/0 STATES_ALL_NOT_LAST States.ALL must appear alone in ErrorEquals\n" +
				"invalid.asl.json:5: /States/B UNREACHABLE_STATE the state \"B\" is not reachable from StartAt\n" +
				"invalid.asl.json:5: /States/B/Type SCHEMA_VALIDATION_FAILED unknown state type \"Foo\"\n",
		},
		{
			name:     "transitions",
			args:     []string{"unreachable.asl.json"},
			wantCode: 1,
			wantStdout: "unreachable.asl.json:1: /States/A/Next MISSING_TRANSITION_TARGET the state \"Missing\" does not exist\n" +
				"unreachable.asl.json:1: /States/B UNREACHABLE_STATE the state \"B\" is not reachable from StartAt\n",
		},
		{
			name:     "several files: each line names its file",
			args:     []string{"valid.asl.json", "unreachable.asl.json"},
			wantCode: 1,
			wantStdout: "unreachable.asl.json:1: /States/A/Next MISSING_TRANSITION_TARGET the state \"Missing\" does not exist\n" +
				"unreachable.asl.json:1: /States/B UNREACHABLE_STATE the state \"B\" is not reachable from StartAt\n",
		},
		{
			name:       "several valid files",
			args:       []string{"valid.asl.json", "orders.asl.json"},
			wantCode:   0,
			wantStdout: "",
		},
		{
			name:       "unreadable file is a diagnostic at the root",
			args:       []string{"valid.asl.json", "missing.asl.json"},
			wantCode:   1,
			wantStdout: "missing.asl.json: / FILE_UNREADABLE open missing.asl.json: no such file or directory\n",
		},
		{
			name:       "flags may follow the files",
			args:       []string{"valid.asl.json", "--json"},
			wantCode:   0,
			wantStdout: "[]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, dir, append([]string{"validate"}, tt.args...)...)
			require.Equal(t, tt.wantCode, res.code, "stderr: %s", res.stderr)
			require.Equal(t, tt.wantStdout, res.stdout)
			require.Empty(t, res.stderr)
		})
	}
}

func TestValidateCLIJSON(t *testing.T) {
	t.Parallel()
	res := runCLI(t, filepath.Join("testdata", "cli"), "validate", "--json", "invalid.asl.json", "valid.asl.json", "missing.asl.json")
	require.Equal(t, 1, res.code)
	require.JSONEq(t, `[
		{"file":"invalid.asl.json","line":4,"path":"/States/A/Retry/0/ErrorEquals/0","code":"STATES_ALL_NOT_LAST","message":"States.ALL must appear alone in ErrorEquals"},
		{"file":"invalid.asl.json","line":5,"path":"/States/B","code":"UNREACHABLE_STATE","message":"the state \"B\" is not reachable from StartAt"},
		{"file":"invalid.asl.json","line":5,"path":"/States/B/Type","code":"SCHEMA_VALIDATION_FAILED","message":"unknown state type \"Foo\""},
		{"file":"missing.asl.json","path":"","code":"FILE_UNREADABLE","message":"open missing.asl.json: no such file or directory"}
	]`, res.stdout)
}

func TestValidateCLIUnreadableDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.asl.json"), 0o755))
	res := runCLI(t, dir, "validate", "sub.asl.json")
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stdout, "sub.asl.json: / FILE_UNREADABLE "), res.stdout)
}

func TestValidateCLINotJSON(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"x.json": "not json"})
	res := runCLI(t, dir, "validate", "--json", "x.json")
	require.Equal(t, 1, res.code)
	var diags []map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &diags))
	require.Len(t, diags, 1)
	require.Equal(t, float64(1), diags[0]["line"])
	require.Equal(t, "INVALID_JSON", diags[0]["code"])
	require.Equal(t, "", diags[0]["path"])
}

func TestValidateCLIUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"validate"}, {"validate", "--nope", "x.json"}} {
		res := runCLI(t, "", args...)
		require.Equal(t, 2, res.code, "%v", args)
		require.Empty(t, res.stdout)
		require.NotEmpty(t, res.stderr)
	}
}

// A YAML definition is validated as the JSON it stands for, and each
// diagnostic names the line of the YAML file where the problem is; one
// that is not YAML names the line the parser stopped at.
func TestValidateCLIYAML(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"order.asl.yaml": `Comment: an order
StartAt: Check
States:
  Check:
    Type: Choice
    Choices:
      - Variable: $.total
        NumericGreaterThan: 100
        Next: Review
    Default: Ship
  Review:
    Type: Wait
    Seconds: ten
    Next: Nowhere
  Ship:
    Type: Pass
    Result: {at: 2024-01-01T00:00:00Z}
    End: true
`,
		"ok.yml":      "StartAt: A\nStates:\n  A:\n    Type: Succeed\n",
		"broken.yaml": "StartAt: A\nStates:\n  A: [\n",
		"keys.yaml":   "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    1: one\n",
		"broken.json": "{\"StartAt\": \"A\",\n \"States\": {\n  \"A\": {\"Type\": \"Pass\",, }}}",
	})
	res := runCLI(t, dir, "validate", "order.asl.yaml", "ok.yml", "broken.yaml", "keys.yaml", "broken.json")
	require.Equal(t, 1, res.code, res.stderr)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.Len(t, lines, 5, res.stdout)
	require.Equal(t, `order.asl.yaml:14: /States/Review/Next MISSING_TRANSITION_TARGET the state "Nowhere" does not exist`, lines[0])
	require.True(t, strings.HasPrefix(lines[1], "order.asl.yaml:13: /States/Review/Seconds SCHEMA_VALIDATION_FAILED "), lines[1])
	require.True(t, strings.HasPrefix(lines[2], "broken.yaml:"), lines[2])
	require.Contains(t, lines[2], ": / INVALID_YAML ")
	require.Equal(t, "keys.yaml:6: / INVALID_YAML a key must be a string, got int (quote it)", lines[3])
	require.True(t, strings.HasPrefix(lines[4], "broken.json:3: / INVALID_JSON "), lines[4])

	// The YAML runs as the JSON it stands for: a timestamp stays a string.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "order.asl.yaml"), []byte(strings.NewReplacer("ten", "0", "Nowhere", "Ship").Replace(readFile(t, filepath.Join(dir, "order.asl.yaml")))), 0o644))
	res = runCLI(t, dir, "validate", "order.asl.yaml")
	require.Equal(t, 0, res.code, res.stdout)
	res = runCLI(t, dir, "run", "order.asl.yaml", "--input", `{"total":5}`)
	require.Equal(t, 0, res.code, res.stderr)
	require.JSONEq(t, `{"status":"SUCCEEDED","output":{"at":"2024-01-01T00:00:00Z"}}`, res.stdout)
	res = runCLI(t, dir, "run", "keys.yaml")
	require.Equal(t, 2, res.code)
	require.Equal(t, "keys.yaml:6: / INVALID_YAML a key must be a string, got int (quote it)\n", res.stderr)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
