package bucket

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

const mapRunARN = "arn:aws:states:us-east-1:123456789012:mapRun:Orders/Fan:ad9b5f27-090b-3ac6-9beb-243cd77144a7"

func results(n int) []integrations.MapItemResult {
	start := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	var out []integrations.MapItemResult
	for i := range n {
		name := fmt.Sprintf("child-%d", i)
		r := integrations.MapItemResult{
			Index: i, Name: name, Input: map[string]any{"id": int64(i)},
			ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:Orders/Fan:" + name,
			StartDate:    start, StopDate: start.Add(time.Second),
		}
		switch i % 4 {
		case 0, 1:
			r.Status, r.Output = "SUCCEEDED", []any{int64(i), int64(i * 10)}
		case 2:
			r.Status, r.Error, r.Cause = "FAILED", "Boom", "it broke"
		case 3:
			r.Status, r.ExecutionARN, r.Name, r.StartDate, r.StopDate = "PENDING", "", "", time.Time{}, time.Time{}
		}
		out = append(out, r)
	}
	return out
}

func readJSON(t *testing.T, s *Service, b, k string) any {
	t.Helper()
	data, _, err := s.store.Get(b, k, 0)
	require.NoError(t, err)
	v, err := asl.DecodeJSON(data)
	require.NoError(t, err)
	return v
}

func TestWriteResults(t *testing.T) {
	t.Parallel()
	s := setup(t, "results")
	details, err := s.WriteResults(context.Background(), &integrations.WriteResultsRequest{
		Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results", "Prefix": "runs/"},
		MapRunARN: mapRunARN, Results: results(4),
	})
	require.NoError(t, err)
	base := "runs/ad9b5f27-090b-3ac6-9beb-243cd77144a7"
	require.Equal(t, map[string]any{"Bucket": "results", "Key": base + "/manifest.json"}, details)

	man := readJSON(t, s, "results", base+"/manifest.json").(map[string]any)
	require.Equal(t, "results", man["DestinationBucket"])
	require.Equal(t, mapRunARN, man["MapRunArn"])
	files := man["ResultFiles"].(map[string]any)
	for kind, want := range map[string]int{"SUCCEEDED": 1, "FAILED": 1, "PENDING": 1} {
		require.Len(t, files[kind], want, kind)
		f := files[kind].([]any)[0].(map[string]any)
		require.Equal(t, base+"/"+kind+"_0.json", f["Key"])
		_, o, err := s.store.Get("results", f["Key"].(string), 0)
		require.NoError(t, err)
		require.Equal(t, o.Size, f["Size"])
	}

	succeeded := readJSON(t, s, "results", base+"/SUCCEEDED_0.json").([]any)
	require.Len(t, succeeded, 2)
	require.Equal(t, map[string]any{
		"ExecutionArn":        "arn:aws:states:us-east-1:123456789012:execution:Orders/Fan:child-0",
		"Input":               `{"id":0}`,
		"InputDetails":        map[string]any{"Included": true},
		"Name":                "child-0",
		"Output":              `[0,0]`,
		"OutputDetails":       map[string]any{"Included": true},
		"RedriveCount":        int64(0),
		"RedriveStatus":       "NOT_REDRIVABLE",
		"RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
		"StartDate":           "2024-05-06T07:08:09.123Z",
		"StateMachineArn":     "arn:aws:states:us-east-1:123456789012:stateMachine:Orders/Fan",
		"Status":              "SUCCEEDED",
		"StopDate":            "2024-05-06T07:08:10.123Z",
	}, succeeded[0])
	failed := readJSON(t, s, "results", base+"/FAILED_0.json").([]any)
	require.Equal(t, "Boom", failed[0].(map[string]any)["Error"])
	require.Equal(t, "it broke", failed[0].(map[string]any)["Cause"])
	require.NotContains(t, failed[0], "Output")
	pending := readJSON(t, s, "results", base+"/PENDING_0.json").([]any)
	require.Equal(t, `{"id":3}`, pending[0].(map[string]any)["Input"])
}

func TestWriteResultsTransformations(t *testing.T) {
	t.Parallel()
	s := setup(t, "results")
	for _, tc := range []struct {
		transformation, outputType, ext, want string
	}{
		{"COMPACT", "JSON", ".json", `[[0,0],[1,10]]`},
		{"FLATTEN", "", ".json", `[0,0,1,10]`},
		{"FLATTEN", "JSONL", ".jsonl", "0\n0\n1\n10\n"},
	} {
		_, err := s.WriteResults(context.Background(), &integrations.WriteResultsRequest{
			Resource: ResourceSDKPutObject, Parameters: map[string]any{"Bucket": "results", "Prefix": tc.transformation + tc.outputType},
			OutputType: tc.outputType, Transformation: tc.transformation, MapRunARN: mapRunARN, Results: results(3),
		})
		require.NoError(t, err)
		base := tc.transformation + tc.outputType + "/ad9b5f27-090b-3ac6-9beb-243cd77144a7/"
		data, _, err := s.store.Get("results", base+"SUCCEEDED_0"+tc.ext, 0)
		require.NoError(t, err)
		require.Equal(t, tc.want, string(data), tc.transformation)
		data, _, err = s.store.Get("results", base+"FAILED_0"+tc.ext, 0)
		require.NoError(t, err)
		require.Contains(t, string(data), `"ExecutionArn"`) // a failed child is written whole, as with NONE
	}
}

func TestWriteResultsSplitsFiles(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Dir: t.TempDir(), Create: []string{"results"}, ResultFileBytes: 1000})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	all := results(40)
	_, err = s.WriteResults(context.Background(), &integrations.WriteResultsRequest{
		Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results"}, MapRunARN: mapRunARN, Results: all,
	})
	require.NoError(t, err)
	man := readJSON(t, s, "results", "ad9b5f27-090b-3ac6-9beb-243cd77144a7/manifest.json").(map[string]any)
	files := man["ResultFiles"].(map[string]any)["SUCCEEDED"].([]any)
	require.Greater(t, len(files), 1)
	var names []string
	for i, f := range files {
		k := f.(map[string]any)["Key"].(string)
		require.True(t, strings.HasSuffix(k, fmt.Sprintf("/SUCCEEDED_%d.json", i)), k)
		for _, e := range readJSON(t, s, "results", k).([]any) {
			names = append(names, e.(map[string]any)["Name"].(string))
		}
		require.LessOrEqual(t, f.(map[string]any)["Size"], int64(1000))
	}
	var want []string
	for _, r := range all {
		if r.Status == "SUCCEEDED" {
			want = append(want, r.Name)
		}
	}
	require.Equal(t, want, names) // in item order, none lost
}

func TestWriteResultsErrors(t *testing.T) {
	t.Parallel()
	s := setup(t, "results")
	for _, tc := range []struct {
		req  integrations.WriteResultsRequest
		want string
	}{
		{integrations.WriteResultsRequest{Resource: ResourceGetObject, Parameters: map[string]any{"Bucket": "results"}, MapRunARN: mapRunARN}, "The ResultWriter's Resource"},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "nope"}, MapRunARN: mapRunARN}, "The specified bucket does not exist"},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results", "Key": "x"}, MapRunARN: mapRunARN}, `field "Key" is not supported`},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results"}, MapRunARN: mapRunARN, OutputType: "CSV"}, "WriterConfig.OutputType"},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results"}, MapRunARN: mapRunARN, Transformation: "X"}, "WriterConfig.Transformation"},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results", "Prefix": "../x"}, MapRunARN: mapRunARN}, "The key"},
		{integrations.WriteResultsRequest{Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results"}}, "The Map Run has no ARN"},
	} {
		_, err := s.WriteResults(context.Background(), &tc.req)
		var ie *integrations.Error
		require.ErrorAs(t, err, &ie)
		require.Equal(t, ErrResultWriterFailed, ie.Name)
		require.Contains(t, ie.Cause, tc.want)
	}
}

// TestReadWhatWasWritten reads a Map Run's written results back as the
// items of another Map (a JSON file of them), a round trip.
func TestReadWhatWasWritten(t *testing.T) {
	t.Parallel()
	s := setup(t, "results")
	details, err := s.WriteResults(context.Background(), &integrations.WriteResultsRequest{
		Resource: ResourcePutObject, Parameters: map[string]any{"Bucket": "results", "Prefix": "p"}, MapRunARN: mapRunARN, Results: results(8),
	})
	require.NoError(t, err)
	man := readJSON(t, s, "results", details.(map[string]any)["Key"].(string)).(map[string]any)
	key := man["ResultFiles"].(map[string]any)["SUCCEEDED"].([]any)[0].(map[string]any)["Key"].(string)
	items, err := s.ReadItems(context.Background(), &integrations.ReadItemsRequest{Resource: ResourceGetObject, Parameters: obj("results", key), InputType: "JSON"})
	require.NoError(t, err)
	require.Len(t, items, 4)
	require.Equal(t, "child-5", items[3].(map[string]any)["Name"])
}
