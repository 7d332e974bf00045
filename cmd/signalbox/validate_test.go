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
			name:     "invalid file: one line per diagnostic, path code message",
			args:     []string{"invalid.asl.json"},
			wantCode: 1,
			wantStdout: "/States/A/Retry/0/ErrorEquals/0 STATES_ALL_NOT_LAST States.ALL must appear alone in ErrorEquals\n" +
				"/States/B/Type SCHEMA_VALIDATION_FAILED unknown state type \"Foo\"\n",
		},
		{
			name:     "transitions",
			args:     []string{"unreachable.asl.json"},
			wantCode: 1,
			wantStdout: "/States/A/Next MISSING_TRANSITION_TARGET the state \"Missing\" does not exist\n" +
				"/States/B UNREACHABLE_STATE the state \"B\" is not reachable from StartAt\n",
		},
		{
			name:     "several files: each line names its file",
			args:     []string{"valid.asl.json", "unreachable.asl.json"},
			wantCode: 1,
			wantStdout: "unreachable.asl.json: /States/A/Next MISSING_TRANSITION_TARGET the state \"Missing\" does not exist\n" +
				"unreachable.asl.json: /States/B UNREACHABLE_STATE the state \"B\" is not reachable from StartAt\n",
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
		{"file":"invalid.asl.json","path":"/States/A/Retry/0/ErrorEquals/0","code":"STATES_ALL_NOT_LAST","message":"States.ALL must appear alone in ErrorEquals"},
		{"file":"invalid.asl.json","path":"/States/B/Type","code":"SCHEMA_VALIDATION_FAILED","message":"unknown state type \"Foo\""},
		{"file":"missing.asl.json","path":"","code":"FILE_UNREADABLE","message":"open missing.asl.json: no such file or directory"}
	]`, res.stdout)
}

func TestValidateCLIUnreadableDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.asl.json"), 0o755))
	res := runCLI(t, dir, "validate", "sub.asl.json")
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stdout, "/ FILE_UNREADABLE "), res.stdout)
}

func TestValidateCLINotJSON(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"x.json": "not json"})
	res := runCLI(t, dir, "validate", "--json", "x.json")
	require.Equal(t, 1, res.code)
	var diags []map[string]string
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &diags))
	require.Len(t, diags, 1)
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
