package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// waitMapRun polls DescribeMapRun until ok holds.
func (b *sfnBundle) waitMapRun(t *testing.T, arn string, ok func(*sfn.DescribeMapRunOutput) bool) *sfn.DescribeMapRunOutput {
	t.Helper()
	deadline := time.Now().Add(sfnSafety)
	for {
		out, err := b.client.DescribeMapRun(context.Background(), &sfn.DescribeMapRunInput{MapRunArn: aws.String(arn)})
		require.NoError(t, err)
		if ok(out) {
			return out
		}
		require.True(t, time.Now().Before(deadline), "map run %s: %+v %+v", arn, out.ExecutionCounts, out.Status)
		time.Sleep(5 * time.Millisecond) // the poll's pace; the counters are what the test waits on
	}
}

// A Distributed Map's map run through the SDK: listed by its execution,
// described with its counters while it runs, its MaxConcurrency raised.
func TestSFNMapRuns(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "dmap", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"arn:aws:states:::test:token.waitForTaskToken","Parameters":{"t.$":"$$.Task.Token"},"End":true}}},
		"End":true}}}`, "")
	exec := b.start(t, sm, "e1", `{"items":[1,2,3]}`)
	first := <-b.tokens

	var list *sfn.ListMapRunsOutput
	require.Eventually(t, func() bool {
		var err error
		list, err = b.client.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(exec)})
		require.NoError(t, err)
		return len(list.MapRuns) == 1
	}, sfnSafety, 5*time.Millisecond)
	run := list.MapRuns[0]
	require.Equal(t, exec, aws.ToString(run.ExecutionArn))
	require.Equal(t, sm, aws.ToString(run.StateMachineArn))
	arn := aws.ToString(run.MapRunArn)
	require.Contains(t, arn, ":mapRun:dmap/M:")

	out := b.waitMapRun(t, arn, func(o *sfn.DescribeMapRunOutput) bool { return o.ExecutionCounts.Running == 1 })
	require.Equal(t, types.MapRunStatusRunning, out.Status)
	require.Equal(t, int64(2), out.ExecutionCounts.Pending)
	require.Equal(t, int64(3), out.ItemCounts.Total)
	require.Equal(t, int32(1), out.MaxConcurrency)
	require.Equal(t, exec, aws.ToString(out.ExecutionArn))

	_, err := b.client.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(arn), MaxConcurrency: aws.Int32(2)})
	require.NoError(t, err)
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(first), Output: aws.String(`{"n":1}`)})
	require.NoError(t, err)
	rest := []string{<-b.tokens, <-b.tokens}
	out = b.waitMapRun(t, arn, func(o *sfn.DescribeMapRunOutput) bool {
		return o.ExecutionCounts.Running == 2 && o.ExecutionCounts.Succeeded == 1
	})
	require.Equal(t, int32(2), out.MaxConcurrency)
	for _, tok := range rest {
		_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"n":2}`)})
		require.NoError(t, err)
	}
	b.waitStatus(t, exec, types.ExecutionStatusSucceeded)
	out = b.waitMapRun(t, arn, func(o *sfn.DescribeMapRunOutput) bool { return o.Status == types.MapRunStatusSucceeded })
	require.Equal(t, int64(3), out.ExecutionCounts.Succeeded)
	require.NotNil(t, out.StopDate)

	h, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(exec)})
	require.NoError(t, err)
	var started *types.MapRunStartedEventDetails
	for _, e := range h.Events {
		if e.Type == types.HistoryEventTypeMapRunStarted {
			started = e.MapRunStartedEventDetails
		}
		require.NotEqual(t, types.HistoryEventTypeMapIterationStarted, e.Type, "a map run's children are not in its parent's history")
	}
	require.NotNil(t, started)
	require.Equal(t, arn, aws.ToString(started.MapRunArn))

	_, err = b.client.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(arn), MaxConcurrency: aws.Int32(5)})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(arn)})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(sm)})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(arn[:len(arn)-1] + "9")})
	requireAWSError(t, err, "ResourceNotFound")
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String(arn)})
	requireAWSError(t, err, "ValidationException")
}
