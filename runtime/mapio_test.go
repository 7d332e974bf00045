package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// objects is a small ItemReader and ResultWriter over objects in memory,
// written for these tests (test input, not a fake of a part under test:
// integrations/bucket is the real one): s3:getObject reads a JSON array
// or JSON Lines object by Bucket and Key; s3:putObject keeps the results
// under Prefix and the map run's id, and answers the manifest's place, as
// AWS's ResultWriterDetails do.
type objects struct {
	mu      sync.Mutex
	data    map[string][]byte
	written map[string][]integrations.MapItemResult
	writes  int
}

func newObjects(files map[string]string) *objects {
	o := &objects{data: map[string][]byte{}, written: map[string][]integrations.MapItemResult{}}
	for k, v := range files {
		o.data[k] = []byte(v)
	}
	return o
}

func (o *objects) Invoke(context.Context, *integrations.Request) (any, error) {
	return nil, &integrations.Error{Name: "States.Runtime", Cause: "objects serve ItemReader and ResultWriter only"}
}

func (o *objects) ReadItems(_ context.Context, req *integrations.ReadItemsRequest) ([]any, error) {
	p, _ := req.Parameters.(map[string]any)
	key := fmt.Sprint(p["Bucket"], "/", p["Key"])
	o.mu.Lock()
	b, ok := o.data[key]
	o.mu.Unlock()
	if !ok {
		return nil, &integrations.Error{Name: "S3.NoSuchKey", Cause: "no object " + key}
	}
	if int64(len(b)) > req.MaxBytes {
		return nil, fmt.Errorf("object %s is %d bytes, over %d", key, len(b), req.MaxBytes)
	}
	switch req.InputType {
	case "JSON":
		v, err := asl.DecodeJSON(b)
		if err != nil {
			return nil, err
		}
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("object %s holds no JSON array", key)
		}
		return items, nil
	case "JSONL":
		var items []any
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			v, err := asl.DecodeJSON(sc.Bytes())
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		}
		return items, sc.Err()
	}
	return nil, fmt.Errorf("input type %q", req.InputType)
}

func (o *objects) WriteResults(_ context.Context, req *integrations.WriteResultsRequest) (any, error) {
	p, _ := req.Parameters.(map[string]any)
	id := req.MapRunARN[bytes.LastIndexByte([]byte(req.MapRunARN), ':')+1:]
	key := fmt.Sprint(p["Prefix"], "/", id, "/manifest.json")
	o.mu.Lock()
	defer o.mu.Unlock()
	o.written[key] = req.Results // the same key again: overwritten
	o.writes++
	return map[string]any{"Bucket": p["Bucket"], "Key": key}, nil
}

// results returns the results written under the one key written.
func (o *objects) results(t *testing.T) (string, []integrations.MapItemResult) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	require.Len(t, o.written, 1)
	for k, v := range o.written {
		return k, v
	}
	return "", nil
}

func objectsMux(o *objects) *integrations.Mux {
	mux := integrations.NewMux()
	mux.Handle("arn:aws:states:::s3:getObject", o)
	mux.Handle("arn:aws:states:::s3:putObject", o)
	return mux
}

// readerWriterDef reads $.key's JSON Lines, batches them two by two, fails
// the batch holding n = 3 (tolerated: one), and writes the results.
const readerWriterDef = `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,
	"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},
		"Parameters":{"Bucket":"in","Key.$":"$.key"}},
	"ItemBatcher":{"MaxItemsPerBatch":2},
	"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"res"}},
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$.Items[0].n","NumericEquals":3,"Next":"F"}],"Default":"P"},
		"F":{"Type":"Fail","Error":"Three","Cause":"three is out"},
		"P":{"Type":"Pass","Parameters":{"count.$":"States.ArrayLength($.Items)"},"End":true}}},
	"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},
	"Caught":{"Type":"Pass","End":true}}}`

const fiveLines = "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n"

// requireWritten checks what the ResultWriter received and what the Map
// answered: {"MapRunArn", "ResultWriterDetails"}.
func requireWritten(t *testing.T, o *objects, output []byte, smName string) string {
	t.Helper()
	key, results := o.results(t)
	require.Len(t, results, 3)
	var out struct {
		MapRunArn           string
		ResultWriterDetails map[string]any
	}
	require.NoError(t, json.Unmarshal(output, &out))
	require.Contains(t, out.MapRunArn, ":mapRun:"+smName+"/M:")
	require.Equal(t, map[string]any{"Bucket": "out", "Key": key}, out.ResultWriterDetails)
	for i, r := range results {
		require.Equal(t, i, r.Index)
		require.Contains(t, r.ExecutionARN, ":execution:"+smName+"/M:"+r.Name)
		require.False(t, r.StartDate.IsZero())
		require.False(t, r.StopDate.Before(r.StartDate))
	}
	require.Equal(t, "SUCCEEDED", results[0].Status)
	requireJSON(t, `{"Items":[{"n":1},{"n":2}]}`, results[0].Input)
	requireJSON(t, `{"count":2}`, results[0].Output)
	require.Equal(t, "FAILED", results[1].Status)
	require.Equal(t, "Three", results[1].Error)
	require.Equal(t, "three is out", results[1].Cause)
	require.Equal(t, "SUCCEEDED", results[2].Status)
	requireJSON(t, `{"count":1}`, results[2].Output)
	return out.MapRunArn
}

// The durable engine reads a Distributed Map's items through the
// ItemReader, in batches, and writes its results through the
// ResultWriter; its map run counts the children and the results written.
func TestDurableDistributedMapReadsAndWrites(t *testing.T) {
	t.Parallel()
	o := newObjects(map[string]string{"in/items.jsonl": fiveLines})
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: objectsMux(o), Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "rw", Input: decode(t, `{"key":"items.jsonl"}`),
		Definition: []byte(readerWriterDef)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	arn := requireWritten(t, o, e.Output, "rw")
	info, err := d.DescribeMapRun(ctx, arn)
	require.NoError(t, err)
	require.Equal(t, runtime.MapRunCounts{Succeeded: 2, Failed: 1, Total: 3, ResultsWritten: 3}, info.Executions)
	require.Equal(t, "EXPRESS", info.ExecutionType)
	require.Equal(t, runtime.StatusSucceeded, info.Status)

	// A missing object: States.ItemReaderFailed, which the Catch takes.
	started, err = d.Start(ctx, runtime.StartParams{StateMachineName: "rw", Name: "missing", Input: decode(t, `{"key":"nope"}`),
		Definition: []byte(readerWriterDef)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	var caught map[string]any
	require.NoError(t, json.Unmarshal(e.Output, &caught))
	require.Equal(t, "States.ItemReaderFailed", caught["Error"])
	require.Contains(t, caught["Cause"], "no object in/nope")
}

// Without a handler for the ResultWriter's resource, the map run fails with
// States.ResultWriterFailed.
func TestDurableDistributedMapWithoutAResultWriter(t *testing.T) {
	t.Parallel()
	o := newObjects(map[string]string{"in/items.jsonl": fiveLines})
	mux := integrations.NewMux()
	mux.Handle("arn:aws:states:::s3:getObject", o)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Mux: mux, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "rw", Input: decode(t, `{"key":"items.jsonl"}`),
		Definition: []byte(readerWriterDef)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	var caught map[string]any
	require.NoError(t, json.Unmarshal(e.Output, &caught))
	require.Equal(t, "States.ResultWriterFailed", caught["Error"], "%s", e.Output)
	types := historyTypes(t, d, started.ID)
	require.Contains(t, types, "MapRunFailed")
}

// The in-memory engine reads and writes the same way, and its map run's
// children write nothing to the execution's history.
func TestEngineDistributedMapReadsAndWrites(t *testing.T) {
	t.Parallel()
	o := newObjects(map[string]string{"in/items.jsonl": fiveLines})
	res := runWith(t, context.Background(), &runtime.Engine{Mux: objectsMux(o)}, readerWriterDef, `{"key":"items.jsonl"}`)
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	requireWritten(t, o, []byte(asl.EncodeJSON(res.Output)), "StateMachine")
	var types []string
	for _, ev := range res.History() {
		types = append(types, string(ev.Type))
	}
	require.Equal(t, []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
		"MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}, types)
}
