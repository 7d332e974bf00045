package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// examples/batch, end to end as its signalbox.yaml says to run it (the
// buckets in a temporary directory, so that the test writes nothing into
// the repository): nightly runs report as a nested execution (.sync:2),
// whose Distributed Map reads the 1,000 orders of the input bucket,
// totals them in batches of 100 and writes the results; the map run's
// counts, the manifest and the results agree with the orders.
func TestExampleBatch(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join(repoRoot, "examples", "batch"))
	require.NoError(t, err)
	buckets := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(buckets, "input"), 0o755))
	orders, err := os.ReadFile(filepath.Join(dir, "buckets", "input", "orders.jsonl"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(buckets, "input", "orders.jsonl"), orders, 0o644))
	var want struct{ orders, total int }
	for _, line := range strings.Split(strings.TrimSpace(string(orders)), "\n") {
		var o struct{ Total int }
		require.NoError(t, json.Unmarshal([]byte(line), &o))
		want.orders++
		want.total += o.Total
	}
	require.Equal(t, 1000, want.orders)

	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"), "--buckets-dir", buckets)
	s.WaitLog(t, "msg=serving")
	ctx := context.Background()
	client := sfnAPIClient(s.URL)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:nightly"),
		Name:            aws.String("2026-12-07"), Input: aws.String(`{"key":"orders.jsonl"}`),
	})
	require.NoError(t, err)
	desc := awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusSucceeded)
	var out struct {
		Child  string
		Report struct {
			MapRunArn           string
			ResultWriterDetails struct{ Bucket, Key string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(desc.Output)), &out))
	require.Contains(t, out.Child, ":execution:report:")
	require.Equal(t, "results", out.Report.ResultWriterDetails.Bucket)

	run, err := client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(out.Report.MapRunArn)})
	require.NoError(t, err)
	require.Equal(t, types.MapRunStatusSucceeded, run.Status)
	require.Equal(t, int64(10), run.ExecutionCounts.Succeeded, "1,000 orders in batches of 100")
	require.Equal(t, int64(10), run.ExecutionCounts.Total)
	require.Equal(t, int32(50), run.MaxConcurrency)

	// the results: each batch's totals once, adding up to the orders'
	var manifest struct {
		ResultFiles map[string][]struct{ Key string }
	}
	b, err := os.ReadFile(filepath.Join(buckets, "results", filepath.FromSlash(out.Report.ResultWriterDetails.Key)))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &manifest))
	got := struct{ orders, total int }{}
	for _, f := range manifest.ResultFiles["SUCCEEDED"] {
		b, err := os.ReadFile(filepath.Join(buckets, "results", filepath.FromSlash(f.Key)))
		require.NoError(t, err)
		var results []struct{ Output string }
		require.NoError(t, json.Unmarshal(b, &results))
		for _, r := range results {
			var sum struct{ Orders, Total int }
			require.NoError(t, json.Unmarshal([]byte(r.Output), &sum))
			got.orders += sum.Orders
			got.total += sum.Total
		}
	}
	require.Equal(t, want, got)
	require.Empty(t, manifest.ResultFiles["FAILED"])
}
