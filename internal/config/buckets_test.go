package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigBuckets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "buckets"), 0o755))
	file := filepath.Join(dir, "signalbox.yaml")

	c, ps := Decode(file, []byte("buckets:\n  dir: buckets\n  create: [input, results]\n"))
	require.Empty(t, ps)
	require.Equal(t, Buckets{Dir: filepath.Join(dir, "buckets"), Create: []string{"input", "results"}}, c.Buckets)

	_, ps = Decode(file, []byte("buckets:\n  dir: nowhere\n  create: [Bad_Name, ok-one, ok-one]\n  size: 1\n"))
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	require.Contains(t, all, `signalbox.yaml:2: buckets.dir: "`+filepath.Join(dir, "nowhere")+`" is not a directory`)
	require.Contains(t, all, `buckets.create[0]: "Bad_Name" is not a bucket name`)
	require.Contains(t, all, `buckets.create[2]: the bucket "ok-one" is listed twice`)
	require.Contains(t, all, `buckets.size`)

	_, ps = Decode(file, []byte("buckets:\n  create: [input]\n"))
	require.Len(t, ps, 1)
	require.Contains(t, ps[0].String(), "buckets.dir: required")
}
