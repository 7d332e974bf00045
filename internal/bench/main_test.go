package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The bench runs `signalbox run` (through `signalbox bench probe-rss`) in
// a child process, so the tests build the signalbox binary, once, into a
// directory that TestMain removes after the tests.
var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "signalbox-bench-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// signalbox returns the path of the signalbox binary, building it on
// first use.
func signalbox(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir == "" {
			buildErr = errors.New("TestMain did not make the binary's directory")
			return
		}
		binPath = filepath.Join(binDir, "signalbox")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/signalbox/signalbox/cmd/signalbox").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

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
