package bench

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/testbin"
	"github.com/signalbox/signalbox/store"
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

// runOnRedis runs `signalbox bench ARGS...` on SIGNALBOX_REDIS_URL's Redis
// when set, else on a redis-server of the bench's own (skipped without
// either), skipped too while serve does not answer the bench's API (api
// names it), and requires it to have succeeded.
func runOnRedis(t *testing.T, api string, args ...string) mainResult {
	t.Helper()
	if url := os.Getenv(store.EnvRedisURL); url != "" {
		args = append(args, "--redis-url", url)
	} else if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs a Redis: set " + store.EnvRedisURL + " or put redis-server on PATH")
	}
	res := runMain(t, args...)
	if res.code == 3 {
		t.Skipf("serve's %s API is not there: %s", api, res.stderr)
	}
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	return res
}
