package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/internal/config"
)

func functionPackage(t *testing.T, bootstrap string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	f, err := w.CreateHeader(h)
	require.NoError(t, err)
	_, err = f.Write([]byte(bootstrap))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// The file's functions are created at start through the function
// service, left alone when unchanged (no new version), updated when the
// file changes; what the service refuses is reported at its line, with
// nothing written.
func TestConfigApplyFunctions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.functionService
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders.zip"), functionPackage(t, "#!/bin/sh\necho 1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prog"), []byte("#!/bin/sh\n"), 0o755))
	apply := func(yaml string) ([]string, []config.Problem) {
		t.Helper()
		c, ps := config.Decode(filepath.Join(dir, "signalbox.yaml"), []byte(yaml))
		require.Empty(t, ps)
		return c.ApplyFunctions(ctx, svc)
	}
	const file = `functions:
  - name: resize
    endpoint: http://127.0.0.1:9/resize
    timeout: 10
  - name: thumb
    executable: prog
    environment: {STAGE: dev}
  - name: orders
    zip: orders.zip
    memorySize: 256
    reservedConcurrency: 4
    tags: {team: shop}
    publish: true
    aliases:
      - {name: live, version: published}
      - {name: dev, version: $LATEST}
`
	done, ps := apply(file)
	require.Empty(t, ps)
	require.Equal(t, []string{"created resize", "created thumb", "created orders, published 1, alias live, alias dev"}, done)
	cfg, err := svc.Resolve(ctx, "resize", "")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:9/resize", cfg.Endpoint)
	require.Equal(t, "10s", cfg.Timeout.String())
	cfg, err = svc.Resolve(ctx, "thumb", "")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "prog"), cfg.Executable)
	require.Equal(t, map[string]string{"STAGE": "dev"}, cfg.Environment)
	cfg, err = svc.Resolve(ctx, "orders:live", "")
	require.NoError(t, err)
	require.Equal(t, "1", cfg.Version)
	require.Equal(t, 4, cfg.ReservedConcurrency)
	require.Equal(t, 256, cfg.MemorySize)

	done, ps = apply(file)
	require.Empty(t, ps)
	require.Equal(t, []string{"unchanged resize", "unchanged thumb", "unchanged orders"}, done)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "orders.zip"), functionPackage(t, "#!/bin/sh\necho 2\n"), 0o644))
	done, ps = apply(strings.Replace(strings.Replace(file, "timeout: 10", "timeout: 20", 1), "reservedConcurrency: 4", "reservedConcurrency: 5", 1))
	require.Empty(t, ps)
	require.Equal(t, []string{"updated resize: configuration", "unchanged thumb", "updated orders: code, concurrency, published 2, alias live"}, done)
	cfg, err = svc.Resolve(ctx, "orders", "live")
	require.NoError(t, err)
	require.Equal(t, "2", cfg.Version)

	// refused by the service: every problem, at its line, nothing written
	_, ps = apply(`functions:
  - name: resize
    endpoint: http://127.0.0.1:9/resize
    timeout: 901
  - name: fresh
    endpoint: ftp://nowhere
`)
	require.Len(t, ps, 2)
	require.Equal(t, "functions[0].timeout", ps[0].Path)
	require.Equal(t, 4, ps[0].Line)
	require.Equal(t, "functions[1].endpoint", ps[1].Path)
	_, err = svc.GetFunction(ctx, "fresh", "")
	require.ErrorIs(t, err, function.ErrNotFound)

	// a function's kind does not change
	_, ps = apply("functions:\n  - {name: resize, executable: prog}\n")
	require.Len(t, ps, 1)
	require.Contains(t, ps[0].Message, "does not change")
}

func TestConfigFunctionsShape(t *testing.T) {
	t.Parallel()
	_, ps := config.Decode("signalbox.yaml", []byte(`functions:
  - name: a
    endpoint: http://x/
    zip: nowhere.zip
  - endpoint: http://x/
    runtime: python3.12
  - name: c
    zip: missing.zip
    aliases: [{name: live, version: published}]
`))
	var got []string
	for _, p := range ps {
		got = append(got, p.Path+": "+p.Message)
	}
	require.Len(t, got, 6, strings.Join(got, "\n"))
	require.Contains(t, got[1], "functions[0]: give exactly one of endpoint")
	require.Contains(t, got[2], "functions[1].name: required")
	require.Contains(t, got[3], "functions[1].runtime: a runtime is a deployment package's")
	require.Contains(t, got[5], "functions[2].aliases[0].version: version published needs publish: true")
}
