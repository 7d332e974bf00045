package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bucket"
	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// A node opened with --buckets-dir serves the S3 resources: a state
// machine puts an object and gets it back through its Task states, and the
// Mux's handler of the reader's resource reads items (the runtime's way to
// Distributed Map's ItemReader). The file's buckets.create makes its
// buckets.
func TestBucketTasksThroughTheNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "signalbox.yaml")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "buckets"), 0o755))
	cfg, problems := config.Decode(file, []byte("buckets:\n  dir: buckets\n  create: [data]\n"))
	require.Empty(t, problems)

	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbnode-")
	n, problems, err := openNode(ctx, nodeOptions{Store: opts, Config: cfg, BucketsDir: cfg.Buckets.Dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	require.Empty(t, problems)
	t.Cleanup(func() {
		require.NoError(t, n.store.Purge(context.Background()))
		require.NoError(t, n.Close())
	})

	def := `{"StartAt":"Put","States":{
		"Put":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject","Parameters":{"Bucket":"data","Key":"in/items.jsonl","Body.$":"$.body"},"ResultPath":null,"Next":"Get"},
		"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"data","Key":"in/items.jsonl"},"ResultSelector":{"body.$":"$.Body"},"End":true}}}`
	started, err := n.runtime.Start(ctx, runtimeStart("objects", def, `{"body":"{\"a\":1}\n{\"a\":2}\n"}`, ""))
	require.NoError(t, err)
	require.NoError(t, n.runtime.Drain(ctx))
	e, err := n.runtime.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"body":"{\"a\":1}\n{\"a\":2}\n"}`, string(e.Output))
	_, err = os.Stat(filepath.Join(dir, "buckets", "data", "in", "items.jsonl"))
	require.NoError(t, err, "the object is a file of the bucket's directory")

	h, ok := n.integrations.Lookup(bucket.ResourceGetObject)
	require.True(t, ok)
	items, err := h.(integrations.ItemReader).ReadItems(ctx, &integrations.ReadItemsRequest{
		Resource: bucket.ResourceGetObject, Parameters: map[string]any{"Bucket": "data", "Key": "in/items.jsonl"}, InputType: "JSONL"})
	require.NoError(t, err)
	require.Equal(t, `[{"a":1},{"a":2}]`, asl.EncodeJSON(items))

	// a missing key: the task fails with S3's error name, as the SDK integration's
	def = `{"StartAt":"Get","States":{"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"data","Key":"nope"},"End":true}}}`
	started, err = n.runtime.Start(ctx, runtimeStart("missing", def, `{}`, ""))
	require.NoError(t, err)
	require.NoError(t, n.runtime.Drain(ctx))
	e, err = n.runtime.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "S3.NoSuchKeyException", e.Error)
}

// Without --buckets-dir the S3 resources are not served.
func TestNoBucketsWithoutADirectory(t *testing.T) {
	t.Parallel()
	n, _ := openTestNode(t, nil)
	_, ok := n.integrations.Lookup(bucket.ResourceGetObject)
	require.False(t, ok)
}

// The file's buckets.dir is --buckets-dir's value unless the command line
// gives one.
func TestConfigGivesTheBucketsDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "b"), 0o755))
	file := filepath.Join(dir, "signalbox.yaml")
	require.NoError(t, os.WriteFile(file, []byte("buckets: {dir: b}\n"), 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, filepath.Join(dir, "b")},
		{[]string{"--buckets-dir", "/elsewhere"}, "/elsewhere"},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		d := fs.String("buckets-dir", "", "")
		require.NoError(t, fs.Parse(tc.args))
		cfg, code := configFlags("serve", fs, file, io.Discard)
		require.NotNil(t, cfg, "exit %d", code)
		require.Equal(t, tc.want, *d)
	}
}
