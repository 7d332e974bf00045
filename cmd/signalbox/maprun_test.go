package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// map-runs prints an execution's map runs with their counts.
func TestClientMapRuns(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	createMachines(t, s, map[string]string{"fanout": `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Label":"fan",
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`})
	c := clientRun{env: []string{envEndpoint + "=" + s.URL}}
	res := c.run(t, "start", "fanout", "--input", `{"items":[1,2,3]}`, "--wait")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	exec := jsonObject(t, res)["executionArn"].(string)

	res = c.run(t, "map-runs", exec)
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	runs := jsonArray(t, res)
	require.Len(t, runs, 1)
	require.Equal(t, "SUCCEEDED", runs[0]["status"])
	require.Contains(t, runs[0]["mapRunArn"], ":mapRun:fanout/fan:")
	counts := runs[0]["executionCounts"].(map[string]any)
	require.Equal(t, 3.0, counts["succeeded"])
	require.Equal(t, 3.0, counts["total"])

	res = c.run(t, "map-runs", exec+"x")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "ExecutionDoesNotExist")
}
