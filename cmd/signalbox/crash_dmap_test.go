package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/httptask"
)

// crashDMapDefinition is the crash test's Distributed Map: 20,000 JSON
// Lines items read from the bucket "data", each processed by a STANDARD
// child whose HTTP Task calls the test's API (URL) with the item's id, the
// results written to the same bucket under "results".
const crashDMapDefinition = `{"StartAt":"Each","States":{"Each":{"Type":"Map","Label":"items",
	"MaxConcurrency":200,"ToleratedFailurePercentage":5,
	"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},
		"Parameters":{"Bucket":"data","Key":"items.jsonl"}},
	"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"data","Prefix":"results"}},
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
			"Parameters":{"ApiEndpoint":"URL/item","Method":"POST","QueryParameters":{"id.$":"States.Format('{}', $.id)"},"RequestBody":{"id.$":"$.id"}},
			"ResultSelector":{"id.$":"$.ResponseBody.id"},"End":true}}},
	"End":true}}}`

// crashItemAPI is the API the children call: POST /item?id=N answers
// {"id": N}. It records every call by item and idempotency key; progress
// hears of each item seen the first time.
type crashItemAPI struct {
	mu       sync.Mutex
	items    int
	calls    int
	keys     map[int]map[string]int // item → key → calls
	problems []string
	progress func(int)
}

func (a *crashItemAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	key := r.Header.Get(httptask.IdempotencyHeader)
	a.mu.Lock()
	a.calls++
	first := false
	switch {
	case err != nil || id < 0 || id >= a.items:
		a.problems = append(a.problems, fmt.Sprintf("a call to %s names no item", r.URL))
	case key == "":
		a.problems = append(a.problems, fmt.Sprintf("item %d: a call without an idempotency key", id))
	default:
		if a.keys[id] == nil {
			a.keys[id] = map[string]int{}
			first = true
		}
		a.keys[id][key]++
	}
	a.mu.Unlock()
	if err != nil {
		http.Error(w, "no item", http.StatusBadRequest)
		return
	}
	if first {
		a.progress(1)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%d}`, id)
}

// seen is how many items have been called so far, and how many calls.
func (a *crashItemAPI) seen() (items, calls int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.keys), a.calls
}

// TestCrashDistributedMap kills `signalbox serve` with SIGKILL twice, and
// starts it again each time, while a Distributed Map of 20,000 items runs
// (issue 17's done-criterion): items read from a JSON Lines object of a
// local bucket (--buckets-dir), each processed by a STANDARD child whose
// HTTP Task calls the test's API, at most 200 at a time, the results
// written by a ResultWriter. The kills come when a third and two thirds of
// the items have reached the API: children are in flight each time. Then:
//   - the execution SUCCEEDED, with one map run, whose DescribeMapRun
//     counts 20,000 items and children, all succeeded, all results
//     written;
//   - the ResultWriter's manifest lists SUCCEEDED files only, and those
//     files (the only ones under the run's prefix) hold each item exactly
//     once: no result counted twice, none lost;
//   - the API saw every item at least once (a child's task is called at
//     least once: a call a kill interrupted is made again, under the same
//     idempotency key); the calls made again are logged.
//
// It runs with the real-Redis tests (startCrashRun), on a redis-server of
// its own with appendfsync always; --lease 2s lets the restarted serve
// take over the killed one's work soon. -short runs 2,000 items.
func TestCrashDistributedMap(t *testing.T) {
	items := 20000
	if testing.Short() {
		items = 2000
	}
	buckets := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(buckets, "data"), 0o755))
	var lines strings.Builder
	for i := range items {
		fmt.Fprintf(&lines, `{"id":%d,"name":"item-%05d"}`+"\n", i, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(buckets, "data", "items.jsonl"), []byte(lines.String()), 0o644))

	r := startCrashRun(t, "sbcdm-", 3*time.Minute, "--buckets-dir", buckets, "--lease", "2s")
	r.total = items
	api := &crashItemAPI{items: items, keys: map[int]map[string]int{}, progress: r.progress}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	ctx := r.ctx
	client := sfnAPIClient(r.serve.URL) // the same address after every restart
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("crash-dmap"),
		Definition: aws.String(strings.ReplaceAll(crashDMapDefinition, "URL", srv.URL)), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	require.NoError(t, err)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("twenty-thousand"), Input: aws.String(`{}`)})
	require.NoError(t, err)
	execArn := aws.ToString(started.ExecutionArn)

	// The poller: DescribeExecution until the execution has ended, retried
	// while serve is down.
	ended := make(chan struct{})
	var final *sfn.DescribeExecutionOutput
	r.run(func() error {
		for {
			var out *sfn.DescribeExecutionOutput
			err := crashRetry(ctx, func() error {
				var err error
				out, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
				return err
			})
			if err != nil {
				return fmt.Errorf("DescribeExecution: %w", err)
			}
			if out.Status != sfntypes.ExecutionStatusRunning {
				final = out
				close(ended)
				return nil
			}
			select {
			case <-time.After(50 * time.Millisecond): // the poll's pace; the status is what the test waits on
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	// The kills' moments, as the milestones come (each kill follows its
	// milestone at once).
	killedAt := make([]string, len(r.milestones))
	var marks sync.WaitGroup
	for i, m := range r.milestones {
		marks.Go(func() {
			select {
			case <-m:
				seen, calls := api.seen()
				killedAt[i] = fmt.Sprintf("%.1fs (%d items seen, %d calls)", time.Since(r.begin).Seconds(), seen, calls)
			case <-ctx.Done():
			}
		})
	}
	r.killTwice()
	r.await(ended, func() string {
		seen, calls := api.seen()
		return fmt.Sprintf("the execution did not end within the deadline: %d of %d items seen by the API, %d calls; the last serve's log:\n%s", seen, items, calls, r.serve.Log())
	})
	elapsed := r.finish()
	marks.Wait()

	// The execution succeeded, with one map run.
	require.Equal(t, sfntypes.ExecutionStatusSucceeded, final.Status, "error %q cause %q; the last serve's log:\n%s", aws.ToString(final.Error), aws.ToString(final.Cause), r.serve.Log())
	var out struct {
		MapRunArn           string
		ResultWriterDetails struct{ Bucket, Key string }
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(final.Output)), &out), "output %s", aws.ToString(final.Output))
	bg := t.Context()
	runs, err := client.ListMapRuns(bg, &sfn.ListMapRunsInput{ExecutionArn: aws.String(execArn)})
	require.NoError(t, err)
	require.Len(t, runs.MapRuns, 1, "a Map step taken again after a kill starts no second map run")
	require.Equal(t, out.MapRunArn, aws.ToString(runs.MapRuns[0].MapRunArn))

	// The parent's history: the Map state and its run each started and
	// ended once, whatever the kills interrupted.
	kinds := map[sfntypes.HistoryEventType]int{}
	for _, k := range historyTypes(t, client, execArn) {
		kinds[k]++
	}
	for _, k := range []sfntypes.HistoryEventType{sfntypes.HistoryEventTypeExecutionStarted, sfntypes.HistoryEventTypeMapStateEntered,
		sfntypes.HistoryEventTypeMapStateStarted, sfntypes.HistoryEventTypeMapRunStarted, sfntypes.HistoryEventTypeMapRunSucceeded,
		sfntypes.HistoryEventTypeMapStateSucceeded, sfntypes.HistoryEventTypeMapStateExited, sfntypes.HistoryEventTypeExecutionSucceeded} {
		require.Equal(t, 1, kinds[k], "%s events in the history %v", k, kinds)
	}
	require.Zero(t, kinds[sfntypes.HistoryEventTypeMapRunFailed]+kinds[sfntypes.HistoryEventTypeMapStateFailed], "the history %v", kinds)

	// DescribeMapRun: every item and child succeeded, every result written.
	run, err := client.DescribeMapRun(bg, &sfn.DescribeMapRunInput{MapRunArn: aws.String(out.MapRunArn)})
	require.NoError(t, err)
	require.Equal(t, sfntypes.MapRunStatusSucceeded, run.Status)
	require.Equal(t, int32(200), run.MaxConcurrency)
	require.Equal(t, sfntypes.MapRunItemCounts{Succeeded: int64(items), Total: int64(items), ResultsWritten: int64(items)},
		withoutRedrive(*run.ItemCounts), "itemCounts")
	require.Equal(t, sfntypes.MapRunExecutionCounts{Succeeded: int64(items), Total: int64(items), ResultsWritten: int64(items)},
		sfntypes.MapRunExecutionCounts(withoutRedrive(sfntypes.MapRunItemCounts(*run.ExecutionCounts))), "executionCounts")

	// The ResultWriter's manifest and files: each item exactly once.
	id := out.MapRunArn[strings.LastIndexByte(out.MapRunArn, ':')+1:]
	require.Equal(t, "data", out.ResultWriterDetails.Bucket)
	require.Equal(t, "results/"+id+"/manifest.json", out.ResultWriterDetails.Key)
	manifestText, err := os.ReadFile(filepath.Join(buckets, "data", filepath.FromSlash(out.ResultWriterDetails.Key)))
	require.NoError(t, err)
	var manifest struct {
		DestinationBucket, MapRunArn string
		ResultFiles                  map[string][]struct {
			Key  string
			Size int64
		}
	}
	require.NoError(t, json.Unmarshal(manifestText, &manifest))
	require.Equal(t, out.MapRunArn, manifest.MapRunArn)
	require.Equal(t, "data", manifest.DestinationBucket)
	require.Empty(t, manifest.ResultFiles["FAILED"], "manifest %s", manifestText)
	require.Empty(t, manifest.ResultFiles["PENDING"], "manifest %s", manifestText)
	require.NotEmpty(t, manifest.ResultFiles["SUCCEEDED"])
	listed := []string{"manifest.json"}
	count := 0
	results := make([]int, items) // item → entries
	for _, f := range manifest.ResultFiles["SUCCEEDED"] {
		text, err := os.ReadFile(filepath.Join(buckets, "data", filepath.FromSlash(f.Key)))
		require.NoError(t, err, "the manifest lists %s", f.Key)
		require.Equal(t, f.Size, int64(len(text)), "%s: the manifest's size", f.Key)
		listed = append(listed, f.Key[strings.LastIndexByte(f.Key, '/')+1:])
		var entries []struct{ Status, Input, Output string }
		require.NoError(t, json.Unmarshal(text, &entries), "%s", f.Key)
		for _, e := range entries {
			var in struct {
				ID   *int
				Name string
			}
			var res struct{ ID *int }
			require.NoError(t, json.Unmarshal([]byte(e.Input), &in), "an entry's Input %q", e.Input)
			require.NoError(t, json.Unmarshal([]byte(e.Output), &res), "an entry's Output %q", e.Output)
			require.Equal(t, "SUCCEEDED", e.Status)
			require.True(t, in.ID != nil && *in.ID >= 0 && *in.ID < items, "an entry's Input %q", e.Input)
			require.Equal(t, fmt.Sprintf("item-%05d", *in.ID), in.Name)
			require.True(t, res.ID != nil && *res.ID == *in.ID, "item %d: the Output %q is not the API's answer for it", *in.ID, e.Output)
			results[*in.ID]++
			count++
		}
	}
	var twice, lost []int
	for i, n := range results {
		if n > 1 {
			twice = append(twice, i)
		} else if n == 0 {
			lost = append(lost, i)
		}
	}
	require.Empty(t, twice, "items whose result the ResultWriter wrote more than once")
	require.Empty(t, lost, "items without a result")
	require.Equal(t, items, count)
	onDisk, err := os.ReadDir(filepath.Join(buckets, "data", "results", id))
	require.NoError(t, err)
	var names []string
	for _, e := range onDisk {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, listed, names, "the run's prefix holds the manifest and the files it lists, nothing else")

	// The API saw every item; the calls made again.
	api.mu.Lock()
	defer api.mu.Unlock()
	require.Empty(t, api.problems)
	require.Len(t, api.keys, items, "every item reached the API")
	sameKey, newKey, repeated := 0, 0, 0
	for _, keys := range api.keys {
		newKey += len(keys) - 1
		calls := 0
		for _, n := range keys {
			sameKey += n - 1
			calls += n
		}
		if calls > 1 {
			repeated++
		}
	}
	t.Logf("distributed map crash test: %d items, serve killed with SIGKILL at %s and %s; SUCCEEDED in %.1fs; "+
		"%d API calls for %d items: %d made again (%d under the same idempotency key, %d under another), %d items called more than once; "+
		"%d result files, each item's result written exactly once",
		items, killedAt[0], killedAt[1], elapsed.Seconds(), api.calls, items, api.calls-items, sameKey, newKey, repeated, len(manifest.ResultFiles["SUCCEEDED"]))
}

// withoutRedrive is counts with the redrive fields zeroed (they are not
// what the test is about).
func withoutRedrive(c sfntypes.MapRunItemCounts) sfntypes.MapRunItemCounts {
	c.FailuresNotRedrivable, c.PendingRedrive = nil, nil
	return c
}
