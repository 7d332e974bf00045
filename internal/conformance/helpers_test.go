package conformance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"
)

// casesDirEnv overrides where the recorded cases are found.
const casesDirEnv = "SIGNALBOX_CONFORMANCE_DIR"

// casesDir returns the directory of the recorded cases, skipping the test
// when it is absent (the cases live outside the module).
func casesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(casesDirEnv)
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "conformance", "asl")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded cases not found (set %s): %v", casesDirEnv, err)
	}
	return dir
}

// loadReal loads the recorded cases.
func loadReal(t *testing.T) []*Case {
	t.Helper()
	cases, err := Load(casesDir(t))
	require.NoError(t, err)
	return cases
}

// js decodes JSON text the way cases are decoded.
func js(t *testing.T, text string) any {
	t.Helper()
	v, err := oj.ParseString(text)
	require.NoError(t, err)
	return v
}

// succeeded is a successful result with the given output.
func succeeded(out any) Result {
	return Result{Status: StatusSucceeded, Output: out, HasOutput: true}
}

// failed is a failed result.
func failed(err, cause string) Result {
	return Result{Status: StatusFailed, Error: err, Cause: cause}
}

// expectedOf is a runner that returns each case's expectation.
func expectedOf(c *Case) (Result, error) { return c.Expected, nil }
