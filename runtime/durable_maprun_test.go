package runtime_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// tokenBox serves a .waitForTaskToken task by keeping its token: the
// iteration waits until the test answers it, so a map run's counters can
// be read while iterations run, with no timing involved.
type tokenBox struct {
	mu     sync.Mutex
	tokens []string
}

func (b *tokenBox) Invoke(_ context.Context, req *integrations.Request) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = append(b.tokens, req.TaskToken)
	return map[string]any{"MessageId": "m"}, nil
}

// take returns the tokens handed out since the last take.
func (b *tokenBox) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.tokens
	b.tokens = nil
	return out
}

// distributedWaiting is a Distributed Map over $.items whose iterations
// wait for their task token.
func distributedWaiting(bounds string) string {
	return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","Label":"work",` + bounds + `
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{
	"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
	"Parameters":{"QueueUrl":"q","MessageBody":{"v.$":"$","t.$":"$$.Task.Token"}},"End":true}}},"End":true}}}`
}

func requireCounts(t *testing.T, d *runtime.Durable, arn string, status runtime.Status, want runtime.MapRunCounts) *runtime.MapRunInfo {
	t.Helper()
	info, err := d.DescribeMapRun(context.Background(), arn)
	require.NoError(t, err)
	require.Equal(t, status, info.Status)
	require.Equal(t, want, info.Executions)
	require.Equal(t, want, info.Items)
	return info
}

// A Distributed Map is a map run: its counters move as its iterations end,
// UpdateMapRun raises its concurrency while it runs, its iterations write
// nothing to the parent's history, and a failure within the tolerance
// leaves it SUCCEEDED.
func TestDurableDistributedMapRun(t *testing.T) {
	t.Parallel()
	box := &tokenBox{}
	d, _ := newDurable(t, box)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "dm", Input: decode(t, `{"items":[1,2,3,4,5]}`),
		Definition: []byte(distributedWaiting(`"MaxConcurrency":2,"ToleratedFailureCount":1,`))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))

	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	arn := runs[0].ARN
	require.Regexp(t, `^arn:aws:states:us-east-1:123456789012:mapRun:dm/work:[0-9a-f-]{36}-[0-9-]+$`, arn)
	require.Equal(t, started.ExecutionARN, runs[0].ExecutionARN)
	info := requireCounts(t, d, arn, runtime.StatusRunning, runtime.MapRunCounts{Pending: 3, Running: 2, Total: 5})
	require.Equal(t, 2, info.MaxConcurrency)
	require.Equal(t, 1, info.ToleratedFailureCount)
	require.Equal(t, "STANDARD", info.ExecutionType)
	first := box.take()
	require.Len(t, first, 2)
	require.Equal(t, []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted"}, historyTypes(t, d, started.ID))

	// raised to 4: the next end starts three more
	four := 4
	require.NoError(t, d.UpdateMapRun(ctx, arn, runtime.MapRunUpdate{MaxConcurrency: &four}))
	require.NoError(t, d.SendTaskSuccess(ctx, first[0], map[string]any{"ok": 1}))
	require.NoError(t, d.Drain(ctx))
	requireCounts(t, d, arn, runtime.StatusRunning, runtime.MapRunCounts{Running: 4, Succeeded: 1, Total: 5})
	rest := append(first[1:], box.take()...)
	require.Len(t, rest, 4)

	// one failure is tolerated
	require.NoError(t, d.SendTaskFailure(ctx, rest[0], "Boom", "it broke"))
	require.NoError(t, d.Drain(ctx))
	requireCounts(t, d, arn, runtime.StatusRunning, runtime.MapRunCounts{Running: 3, Succeeded: 1, Failed: 1, Total: 5})
	for _, tok := range rest[1:] {
		require.NoError(t, d.SendTaskSuccess(ctx, tok, map[string]any{"ok": 2}))
	}
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(e.Output, &out))
	require.Len(t, out, 5)
	info = requireCounts(t, d, arn, runtime.StatusSucceeded, runtime.MapRunCounts{Succeeded: 4, Failed: 1, Total: 5})
	require.False(t, info.StopDate.IsZero())
	require.Equal(t, 4, info.MaxConcurrency)
	require.Equal(t, []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
		"MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}, historyTypes(t, d, started.ID))
	require.ErrorIs(t, d.UpdateMapRun(ctx, arn, runtime.MapRunUpdate{MaxConcurrency: &four}), runtime.ErrExecutionClosed)
}

// UpdateMapRun's tolerance applies to the failures that follow: lowered to
// none, the next failure fails the map run, and the iterations not ended
// count as aborted.
func TestDurableDistributedMapToleranceLowered(t *testing.T) {
	t.Parallel()
	box := &tokenBox{}
	d, _ := newDurable(t, box)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "dm", Input: decode(t, `{"items":[1,2,3,4]}`),
		Definition: []byte(distributedWaiting(`"MaxConcurrency":2,"ToleratedFailurePercentage":50,`))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	arn := runs[0].ARN
	zero, none := 0, 0.0
	require.NoError(t, d.UpdateMapRun(ctx, arn, runtime.MapRunUpdate{ToleratedFailureCount: &zero, ToleratedFailurePercentage: &none}))
	tokens := box.take()
	require.NoError(t, d.SendTaskFailure(ctx, tokens[0], "Boom", "it broke"))
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.ExceedToleratedFailureThreshold", e.Error)
	info := requireCounts(t, d, arn, runtime.StatusFailed, runtime.MapRunCounts{Failed: 1, Aborted: 3, Total: 4})
	require.Equal(t, 0, info.ToleratedFailureCount)
	types := historyTypes(t, d, started.ID)
	require.Equal(t, []string{"MapRunFailed", "MapStateFailed", "ExecutionFailed"}, types[len(types)-3:])
}

// A stopped execution's running map run reads as ABORTED.
func TestDurableDistributedMapAbortedWithItsExecution(t *testing.T) {
	t.Parallel()
	box := &tokenBox{}
	d, _ := newDurable(t, box)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "dm", Input: decode(t, `{"items":[1,2,3]}`),
		Definition: []byte(distributedWaiting(`"MaxConcurrency":1,`))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.Stop(ctx, started.ID, "", ""))
	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	info := requireCounts(t, d, runs[0].ARN, runtime.StatusAborted, runtime.MapRunCounts{Aborted: 3, Total: 3})
	require.False(t, info.StopDate.IsZero())
	_, err = d.DescribeMapRun(ctx, "arn:aws:states:us-east-1:123456789012:mapRun:dm/work:00000000-0000-0000-0000-000000000000-0-1")
	require.ErrorIs(t, err, runtime.ErrNotFound)
	_, err = d.DescribeMapRun(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:dm")
	require.ErrorIs(t, err, runtime.ErrInvalidArgument)
}

// A redriven execution's map run left open stays ABORTED; the Map runs
// again as a new map run.
func TestDurableDistributedMapRedriven(t *testing.T) {
	t.Parallel()
	box := &tokenBox{}
	d, _ := newDurable(t, box)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "dm", Input: decode(t, `{"items":[1,2]}`),
		Definition: []byte(distributedWaiting(``))})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.Stop(ctx, started.ID, "", ""))
	box.take()
	_, err = d.Redrive(ctx, started.ID)
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	runs, err := d.ListMapRuns(ctx, started.ID)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, runtime.StatusAborted, runs[0].Status)
	require.Equal(t, runtime.MapRunCounts{Aborted: 2, Total: 2}, runs[0].Executions)
	require.Equal(t, runtime.StatusRunning, runs[1].Status)
	require.Equal(t, runtime.MapRunCounts{Running: 2, Total: 2}, runs[1].Executions)
	for _, tok := range box.take() {
		require.NoError(t, d.SendTaskSuccess(ctx, tok, map[string]any{}))
	}
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
}
