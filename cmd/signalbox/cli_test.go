package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/testbin"
)

// The CLI tests run the real binary, built once (testbin).
func TestMain(m *testing.M) { testbin.Main(m) }

// signalbox returns the path of the binary.
func signalbox(t *testing.T) string { return testbin.Path(t) }

// cliRun is what one run of the binary produced.
type cliRun struct {
	stdout, stderr string
	code           int
}

// runCLI runs the binary with args, in dir when it is not "".
func runCLI(t *testing.T, dir string, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(signalbox(t), args...)
	cmd.Dir = dir
	return runCmd(t, cmd)
}

// runCmd runs a command of the binary and returns what it printed and its
// exit code.
func runCmd(t *testing.T, cmd *exec.Cmd) cliRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "the binary did not run: %v", err)
		code = exit.ExitCode()
	}
	return cliRun{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// writeFiles writes files (name → content) into a fresh directory and
// returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return dir
}

// testdataPath is the absolute path of a file under testdata/cli.
func testdataPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "cli", name))
	require.NoError(t, err)
	return p
}

// `signalbox bench` is internal/bench's Main, reached through the binary
// (as .ci/run and the README run it).
func TestBenchIsACommandOfTheBinary(t *testing.T) {
	t.Parallel()
	res := runCLI(t, "", "bench", "jsonata", "--go-only", "--ms", "1", "--only", "path")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	require.Regexp(t, `(?m)^path +\d+$`, res.stdout)

	res = runCLI(t, "", "bench", "gateway", "--requests", "0")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "usage: signalbox bench gateway")
}
