package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bucket"
	"github.com/signalbox/signalbox/runtime"
)

// A Distributed Map over 10,000 JSON Lines items of a local bucket
// (integrations/bucket on a temporary directory), in batches of 10, with
// tolerated failures and a ResultWriter to another bucket.
func TestDurableDistributedMapOverABucket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "inbox"), 0o755))
	var lines strings.Builder
	for i := range 100000 { // the 100,000 JSON Lines items
		fmt.Fprintf(&lines, `{"n":%d,"bad":%v}`+"\n", i, i%500 == 0)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inbox", "items.jsonl"), []byte(lines.String()), 0o644))
	svc, err := bucket.New(bucket.Options{Dir: dir, Create: []string{"outbox"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	mux := integrations.NewMux()
	svc.Register(mux)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: mux, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "bk", Input: map[string]any{},
		Definition: []byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailurePercentage":5,
	"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},
		"Parameters":{"Bucket":"inbox","Key":"items.jsonl"}},
	"ItemBatcher":{"MaxItemsPerBatch":10},
	"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"outbox","Prefix":"results"}},
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$.Items[0].bad","BooleanEquals":true,"Next":"F"}],"Default":"P"},
		"F":{"Type":"Fail","Error":"Bad","Cause":"a bad batch"},
		"P":{"Type":"Pass","Parameters":{"first.$":"$.Items[0].n"},"End":true}}},"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	require.NoError(t, json.Unmarshal(e.Output, &out))
	id := out.MapRunArn[strings.LastIndexByte(out.MapRunArn, ':')+1:]
	require.Equal(t, "outbox", out.ResultWriterDetails.Bucket)
	require.Equal(t, "results/"+id+"/manifest.json", out.ResultWriterDetails.Key)
	manifest, err := os.ReadFile(filepath.Join(dir, "outbox", "results", id, "manifest.json"))
	require.NoError(t, err)
	var m struct {
		MapRunArn   string
		ResultFiles map[string][]map[string]any
	}
	require.NoError(t, json.Unmarshal(manifest, &m))
	require.Equal(t, out.MapRunArn, m.MapRunArn)
	// each batch's result once: 9,800 succeeded, 200 failed (a bad item
	// every 500, each in a batch of its own), in the files the manifest lists
	seen := map[float64]string{}
	for status, want := range map[string]int{"SUCCEEDED": 9800, "FAILED": 200} {
		require.NotEmpty(t, m.ResultFiles[status])
		n := 0
		for _, f := range m.ResultFiles[status] {
			b, err := os.ReadFile(filepath.Join(dir, "outbox", f["Key"].(string)))
			require.NoError(t, err)
			var results []map[string]any
			require.NoError(t, json.Unmarshal(b, &results))
			for _, r := range results {
				var in struct{ Items []struct{ N float64 } }
				require.NoError(t, json.Unmarshal([]byte(r["Input"].(string)), &in))
				require.Len(t, in.Items, 10)
				first := in.Items[0].N
				require.NotContains(t, seen, first, "batch %v counted twice", first)
				seen[first] = status
				require.Equal(t, status == "FAILED", int(first)%500 == 0)
				n++
			}
		}
		require.Equal(t, want, n, status)
	}
	require.Len(t, seen, 10000)

	info, err := d.DescribeMapRun(ctx, out.MapRunArn)
	require.NoError(t, err)
	require.Equal(t, runtime.StatusSucceeded, info.Status)
	require.Equal(t, runtime.MapRunCounts{Succeeded: 9800, Failed: 200, Total: 10000, ResultsWritten: 10000}, info.Executions)
}
