package bench

import (
	"os/exec"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// `signalbox bench jsonata` measures every case on our engine; with node
// and jsonata-js it reports both and the ratio, and says whether the
// results agree. The figures are not checked: speed is measured, never
// asserted.
func TestBenchJSONataReportsEveryCase(t *testing.T) {
	res := runMain(t, "jsonata", "--go-only", "--ms", "1")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	for _, c := range jsonataCases() {
		require.Regexp(t, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(c.Name)+` +\d+$`), res.stdout)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: jsonata-js not compared")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed: jsonata-js not compared")
	}
	res = runMain(t, "jsonata", "--ms", "1", "--only", "path,match,sum-10k")
	require.Equal(t, 0, res.code, "stdout %s\nstderr %s", res.stdout, res.stderr)
	for _, name := range []string{"path", "match", "sum-10k"} {
		require.Regexp(t, regexp.MustCompile(`(?m)^`+name+` +\d+ +\d+ +[\d.]+x  same$`), res.stdout)
	}
	require.Regexp(t, `geometric mean js/ours [\d.]+x over 3 cases`, res.stdout)
}
