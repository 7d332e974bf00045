package bench

import (
	"bytes"
	"testing"

	"github.com/signalbox/signalbox/internal/testbin"
)

// The bench runs `signalbox run` (through `signalbox bench probe-rss`) in
// a child process, so the tests build the signalbox binary, once.
func TestMain(m *testing.M) { testbin.Main(m) }

// signalbox returns the path of the signalbox binary.
func signalbox(t *testing.T) string { return testbin.Path(t) }

// mainResult is what one Main printed and returned.
type mainResult struct {
	stdout, stderr string
	code           int
}

// runMain runs `signalbox bench ARGS...` in this process.
func runMain(t *testing.T, args ...string) mainResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return mainResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
}
