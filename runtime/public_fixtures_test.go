package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// These run a few of the public definitions of asl/testdata/public (see
// its README.md) through the in-memory engine on a virtual clock: the
// self-contained ones, and ones whose tasks a handler here stands in for.

// publicDefinition reads a definition of asl/testdata/public.
func publicDefinition(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "asl", "testdata", "public", name))
	require.NoError(t, err)
	return string(b)
}

// TestPublicChoiceWithNotAndAnd runs the Choice rules of
// path-based-on-data (Not, NumericEquals, And of two bounds).
func TestPublicChoiceWithNotAndAnd(t *testing.T) {
	t.Parallel()
	def := publicDefinition(t, "wf-path-based-on-data.json")
	for input, last := range map[string]string{
		`{"type":"Public","value":0}`:   "NEXT_STATE_ONE",
		`{"type":"Private","value":0}`:  "NEXT_STATE_TWO",
		`{"type":"Private","value":25}`: "NEXT_STATE_TWO",
		`{"type":"Private","value":30}`: "DEFAULT_STATE",
	} {
		res := run(t, def, input, nil)
		requireSucceeded(t, res, input)
		require.Equal(t, last, lastEntered(t, res), input)
	}
}

// lastEntered is the name of the last state the execution entered.
func lastEntered(t *testing.T, res *runtime.Result) string {
	t.Helper()
	name := ""
	for _, e := range res.History() {
		if strings.HasSuffix(string(e.Type), "StateEntered") {
			name = e.Name
		}
	}
	return name
}

// TestPublicEitherOrParallel runs either-or-parallel-pattern: three
// branches race (two poll with a Wait loop, one times out after 15 s) and
// the first to fail ends the Parallel, whose Catch picks the next state.
// With no process complete, the timeout branch fails at 15 s and wins;
// with Process1ToComplete or Process2ToComplete, that process's branch
// fails at 0 s and wins, as on AWS, however the branches' goroutines are
// scheduled (the earliest failure in virtual time is the Parallel's: see
// VirtualClock), and the execution ends at that time, the polling
// branches stopped there.
func TestPublicEitherOrParallel(t *testing.T) {
	t.Parallel()
	def := publicDefinition(t, "wf-either-or-parallel-pattern.json")
	res := run(t, def, `{}`, nil)
	require.Equal(t, runtime.StatusSucceeded, res.Status, "error %q cause %q", res.Error, res.Cause)
	out, ok := res.Output.(map[string]any)
	require.True(t, ok, "output %v", res.Output)
	require.Equal(t, "States.RanOutOfTime", out["Error"])
	require.Equal(t, "Next Step if Process Ran out of time", lastEntered(t, res))
	require.Equal(t, t0.Add(15*time.Second), res.StopDate)

	for input, next := range map[string]string{
		`{"Process1ToComplete": true}`: "Next Step If Process1 Completes",
		`{"Process2ToComplete": true}`: "Next Step if Process 2 Completes",
	} {
		for range 20 {
			res := run(t, def, input, nil)
			require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: error %q cause %q", input, res.Error, res.Cause)
			require.Equal(t, next, lastEntered(t, res), input)
			require.Equal(t, t0, res.StopDate, input)
		}
	}
}

// TestPublicExplicitFailureWithParallel runs
// explicit-failure-with-parallel-states with its two Lambda functions
// (SAM placeholders as Resource) stood in for: the failing branch's error
// is caught into $.error, and the Fail state takes its Error and Cause from
// there by ErrorPath and CausePath.
func TestPublicExplicitFailureWithParallel(t *testing.T) {
	t.Parallel()
	h := integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
		switch req.Resource {
		case "${getSuccessFunctionArn}":
			return map[string]any{"ok": true}, nil
		case "${getQuickFailFunctionArn}":
			return nil, &integrations.Error{Name: "QuickFail", Cause: "failed on purpose"}
		}
		return nil, integrations.NoIntegration(req)
	})
	res := run(t, publicDefinition(t, "wf-explicit-failure-with-parallel-states.json"), `{"n":1}`, h)
	requireFailed(t, res, runtime.StatusFailed, "QuickFail")
	require.Equal(t, "failed on purpose", res.Cause)
}

// TestPublicJSONataHTTPPage runs distributed-data-stream-aggregator's
// processing child (JSONata, variables, http:invoke, an inline Map over
// Items, sfn:sendTaskSuccess) with the HTTP API and Step Functions stood
// in for.
func TestPublicJSONataHTTPPage(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]any{}
	h := integrations.HandlerFunc(func(_ context.Context, req *integrations.Request) (any, error) {
		mu.Lock()
		calls[req.Resource] = req.Parameters
		mu.Unlock()
		switch req.Resource {
		case "arn:aws:states:::http:invoke":
			return decode(t, `{"StatusCode":200,"ResponseBody":{"count":2,"results":[
				{"resourceKey":"A1","state":"FAILED","errors":[{"message":"bad \"code\""}]},
				{"resourceKey":"B2","state":"FAILED","errors":[{"message":"expired"}]}]}}`), nil
		case "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess":
			return map[string]any{}, nil
		}
		return nil, integrations.NoIntegration(req)
	})
	res := run(t, publicDefinition(t, "wf-distributed-data-stream-aggregator-processing-child.json"),
		`{"locationId":"L7","dataType":"FAILED","limit":"50","offset":"100","childTaskToken":"tok"}`, h)
	requireSucceeded(t, res, `{}`)
	requireJSON(t, `{"ApiEndpoint":"api_endpointL7/get-data","Method":"GET",
		"InvocationConfig":{"ConnectionArn":"ConnectionArn"},
		"QueryParameters":{"state":"FAILED","limit":"50","offset":"100"}}`, calls["arn:aws:states:::http:invoke"])
	requireJSON(t, `{"TaskToken":"tok","Output":{
		"csvContent":[{"discount_code":"A1","error_message":"bad code","status":"FAILED"},
			{"discount_code":"B2","error_message":"expired","status":"FAILED"}],
		"resultCount":2,"offset":102}}`, calls["arn:aws:states:::aws-sdk:sfn:sendTaskSuccess"])
}

// TestPublicSamplesRunToAnEnd runs every public definition once, from an
// empty input, with every task answered by a stub: most fail early on a
// path their real input would hold, a few succeed. Each must end as an
// execution ends (SUCCEEDED or FAILED: a Fail state may name no error),
// never hang nor panic. The event bound ends the polling loops some of them hold.
func TestPublicSamplesRunToAnEnd(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "asl", "testdata", "public", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	stub := integrations.HandlerFunc(func(context.Context, *integrations.Request) (any, error) {
		return map[string]any{"Payload": map[string]any{}}, nil
	})
	succeeded := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m, d := asl.Compile(b)
		require.Empty(t, d, f)
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		e := &runtime.Engine{Tasks: stub, MaxEvents: 3000}
		res := e.Run(ctx, m, runtime.Execution{Name: "public", Input: map[string]any{}, Clock: runtime.NewVirtualClock(t0)})
		cancel()
		require.Contains(t, []runtime.Status{runtime.StatusSucceeded, runtime.StatusFailed}, res.Status, "%s: %s %s", f, res.Error, res.Cause)
		if res.Status == runtime.StatusSucceeded {
			succeeded++
		}
	}
	t.Logf("%d definitions, %d succeeded", len(files), succeeded)
}
