package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

func TestSFNExecutionRunsToItsEnd(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "greeter", passDef, "")
	before := time.Now().Add(-time.Second)

	started, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(sm), Name: aws.String("first"), Input: aws.String(`{"who":"world"}`),
	})
	require.NoError(t, err)
	arn := aws.ToString(started.ExecutionArn)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:greeter:first", arn)
	require.WithinRange(t, aws.ToTime(started.StartDate), before, time.Now().Add(time.Second))

	done := b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
	require.Equal(t, arn, aws.ToString(done.ExecutionArn))
	require.Equal(t, sm, aws.ToString(done.StateMachineArn))
	require.Equal(t, "first", aws.ToString(done.Name))
	require.JSONEq(t, `{"who":"world"}`, aws.ToString(done.Input))
	require.JSONEq(t, `{"greeting":"hello world"}`, aws.ToString(done.Output))
	require.True(t, done.InputDetails.Included)
	require.True(t, done.OutputDetails.Included)
	require.WithinDuration(t, aws.ToTime(started.StartDate), aws.ToTime(done.StartDate), time.Millisecond)
	require.False(t, aws.ToTime(done.StopDate).Before(aws.ToTime(done.StartDate)))
	require.Equal(t, types.ExecutionRedriveStatusNotRedrivable, done.RedriveStatus)
	require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`, aws.ToString(done.TraceHeader), "the execution's own span")

	meta, err := b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn), IncludedData: types.IncludedDataMetadataOnly})
	require.NoError(t, err)
	require.Nil(t, meta.Input)
	require.Nil(t, meta.Output)

	// A start of the same name: refused once the execution has ended.
	_, err = b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("first"), Input: aws.String(`{"who":"world"}`)})
	var exists *types.ExecutionAlreadyExists
	require.True(t, errors.As(err, &exists), "%v", err)

	// Without a name or input: a UUID and {}.
	echo := b.createMachine(t, "echo", echoDef, "")
	anon, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(echo)})
	require.NoError(t, err)
	require.Regexp(t, `:execution:echo:[0-9a-f-]{36}$`, aws.ToString(anon.ExecutionArn))
	done = b.waitStatus(t, aws.ToString(anon.ExecutionArn), types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{}`, aws.ToString(done.Input))
	require.JSONEq(t, `{}`, aws.ToString(done.Output))

	// A failing one.
	failing := b.createMachine(t, "failing", failDef, "")
	failed := b.waitStatus(t, b.start(t, failing, "f", `{}`), types.ExecutionStatusFailed)
	require.Equal(t, "Boom", aws.ToString(failed.Error))
	require.Equal(t, "it had to", aws.ToString(failed.Cause))
	require.Nil(t, failed.Output)
	require.Equal(t, types.ExecutionRedriveStatusRedrivable, failed.RedriveStatus)
}

func TestSFNStartExecutionErrors(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "m", tokenDef, "")
	start := func(arn, name, input string) error {
		_, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String(name), Input: aws.String(input)})
		return err
	}
	requireAWSError(t, start(sm, "bad name", `{}`), "InvalidName")
	requireAWSError(t, start(sm, strings.Repeat("n", 81), `{}`), "InvalidName")
	requireAWSError(t, start(sm, "x", `{"unclosed"`), "InvalidExecutionInput")
	requireAWSError(t, start(sm, "x", `"`+strings.Repeat("a", 256*1024)+`"`), "InvalidExecutionInput")
	requireAWSError(t, start(sm+"-gone", "x", `{}`), "StateMachineDoesNotExist")
	requireAWSError(t, start(sm+":3", "x", `{}`), "StateMachineDoesNotExist")
	requireAWSError(t, start("arn:aws:states:us-east-1:123456789012:execution:m:x", "x", `{}`), "InvalidArn")
	list, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Empty(t, list.Executions, "no refused start stored anything")

	// While it runs, the same name and input is the same execution; another
	// input is refused.
	arn := b.start(t, sm, "open", `{"n":1}`)
	b.token(t, arn)
	again, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("open"), Input: aws.String(`{"n":1}`)})
	require.NoError(t, err)
	require.Equal(t, arn, aws.ToString(again.ExecutionArn))
	requireAWSError(t, start(sm, "open", `{"n":2}`), "ExecutionAlreadyExists")

	_, err = b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn + "-gone")})
	var missing *types.ExecutionDoesNotExist
	require.True(t, errors.As(err, &missing), "%v", err)
	_, err = b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:m")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(sm)})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:express:m:a:b")})
	requireAWSError(t, err, "ExecutionDoesNotExist")
}

func TestSFNStartExecutionOfAVersion(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	created, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("versioned"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole), Publish: true,
	})
	require.NoError(t, err)
	v1 := aws.ToString(created.StateMachineVersionArn)
	require.Equal(t, aws.ToString(created.StateMachineArn)+":1", v1)
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: created.StateMachineArn, Definition: aws.String(failDef)})
	require.NoError(t, err)

	// The version runs its own definition; the state machine its latest.
	byVersion := b.waitStatus(t, b.start(t, v1, "by-version", `{"who":"v1"}`), types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"greeting":"hello v1"}`, aws.ToString(byVersion.Output))
	require.Equal(t, aws.ToString(created.StateMachineArn), aws.ToString(byVersion.StateMachineArn))
	b.waitStatus(t, b.start(t, aws.ToString(created.StateMachineArn), "latest", `{}`), types.ExecutionStatusFailed)
}

func TestSFNStartSyncExecution(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	express := b.createMachine(t, "quick", passDef, types.StateMachineTypeExpress)
	out, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{
		StateMachineArn: aws.String(express), Name: aws.String("now"), Input: aws.String(`{"who":"sync"}`),
	})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)
	require.JSONEq(t, `{"greeting":"hello sync"}`, aws.ToString(out.Output))
	require.JSONEq(t, `{"who":"sync"}`, aws.ToString(out.Input))
	require.Equal(t, "now", aws.ToString(out.Name))
	require.Equal(t, express, aws.ToString(out.StateMachineArn))
	require.True(t, strings.HasPrefix(aws.ToString(out.ExecutionArn), "arn:aws:states:us-east-1:123456789012:express:quick:now:"), aws.ToString(out.ExecutionArn))
	require.False(t, aws.ToTime(out.StopDate).Before(aws.ToTime(out.StartDate)))

	meta, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{
		StateMachineArn: aws.String(express), Input: aws.String(`{"who":"x"}`), IncludedData: types.IncludedDataMetadataOnly,
	})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, meta.Status)
	require.Nil(t, meta.Output)
	require.Nil(t, meta.Input)
	require.NotEmpty(t, aws.ToString(meta.Name))

	failing := b.createMachine(t, "quick-fail", failDef, types.StateMachineTypeExpress)
	failed, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(failing)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusFailed, failed.Status)
	require.Equal(t, "Boom", aws.ToString(failed.Error))
	require.Nil(t, failed.Output)

	standard := b.createMachine(t, "slow", passDef, "")
	_, err = b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(standard)})
	var typ *types.StateMachineTypeNotSupported
	require.True(t, errors.As(err, &typ), "%v", err)
	_, err = b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express + "-gone")})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Input: aws.String("nope")})
	requireAWSError(t, err, "InvalidExecutionInput")
	_, err = b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Name: aws.String("a/b")})
	requireAWSError(t, err, "InvalidName")
}

func TestSFNListExecutions(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "m", passDef, "")
	waiting := b.createMachine(t, "waiting", tokenDef, "")
	var want []string
	for i := range 5 {
		arn := b.start(t, sm, fmt.Sprintf("e%d", i), `{"who":"x"}`)
		b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
		want = append([]string{arn}, want...) // newest first
	}
	running := b.start(t, waiting, "r", `{}`)
	b.token(t, running)

	var got []string
	var token *string
	var last time.Time
	for {
		out, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 2, NextToken: token})
		require.NoError(t, err)
		for _, e := range out.Executions {
			got = append(got, aws.ToString(e.ExecutionArn))
			// newest first; executions started in the same millisecond
			// come in no particular order
			if !last.IsZero() {
				require.False(t, aws.ToTime(e.StartDate).After(last), "newest first")
			}
			last = aws.ToTime(e.StartDate)
			require.Equal(t, types.ExecutionStatusSucceeded, e.Status)
			require.Equal(t, sm, aws.ToString(e.StateMachineArn))
			require.False(t, aws.ToTime(e.StopDate).IsZero())
			require.True(t, strings.HasSuffix(aws.ToString(e.ExecutionArn), ":"+aws.ToString(e.Name)))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	require.ElementsMatch(t, want, got, "every execution once")

	out, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(waiting), StatusFilter: types.ExecutionStatusRunning})
	require.NoError(t, err)
	require.Len(t, out.Executions, 1)
	require.Equal(t, running, aws.ToString(out.Executions[0].ExecutionArn))
	require.Nil(t, out.Executions[0].StopDate, "a running execution has no stop date")
	out, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: types.ExecutionStatusFailed})
	require.NoError(t, err)
	require.Empty(t, out.Executions)

	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm + "-gone")})
	requireAWSError(t, err, "StateMachineDoesNotExist")
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: "SLEEPING"})
	requireAWSError(t, err, "ValidationException")
	first, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 1})
	require.NoError(t, err)
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(waiting), NextToken: first.NextToken})
	requireAWSError(t, err, "InvalidToken")
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String("m")})
	requireAWSError(t, err, "InvalidArn")
}

// historyEvent is the part of an event the tests read.
type historyEventView struct {
	ID, Previous int64
	Type         types.HistoryEventType
	Time         time.Time
}

func TestSFNGetExecutionHistory(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "m", passDef, "")
	before := time.Now().Add(-time.Second)
	arn := b.start(t, sm, "h", `{"who":"history"}`)
	b.waitStatus(t, arn, types.ExecutionStatusSucceeded)

	out, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	require.Nil(t, out.NextToken)
	var view []historyEventView
	for _, ev := range out.Events {
		view = append(view, historyEventView{ev.Id, ev.PreviousEventId, ev.Type, aws.ToTime(ev.Timestamp)})
	}
	require.Len(t, view, 4)
	wantTypes := []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypePassStateEntered,
		types.HistoryEventTypePassStateExited, types.HistoryEventTypeExecutionSucceeded,
	}
	for i, v := range view {
		require.Equal(t, int64(i+1), v.ID)
		prev := int64(i)
		if i == 1 {
			prev = 0 // as on AWS, the first state's entry follows no event
		}
		require.Equal(t, prev, v.Previous)
		require.Equal(t, wantTypes[i], v.Type)
		require.WithinRange(t, v.Time, before, time.Now().Add(time.Second))
	}
	started := out.Events[0].ExecutionStartedEventDetails
	require.NotNil(t, started)
	require.JSONEq(t, `{"who":"history"}`, aws.ToString(started.Input))
	require.NotEmpty(t, aws.ToString(started.RoleArn))
	entered := out.Events[1].StateEnteredEventDetails
	require.Equal(t, "Greet", aws.ToString(entered.Name))
	exited := out.Events[2].StateExitedEventDetails
	require.JSONEq(t, `{"greeting":"hello history"}`, aws.ToString(exited.Output))
	require.JSONEq(t, `{"greeting":"hello history"}`, aws.ToString(out.Events[3].ExecutionSucceededEventDetails.Output))

	// Without execution data: the same events, no inputs or outputs.
	lean, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	require.NoError(t, err)
	require.Len(t, lean.Events, 4)
	require.Nil(t, lean.Events[0].ExecutionStartedEventDetails.Input)
	require.Equal(t, "Greet", aws.ToString(lean.Events[1].StateEnteredEventDetails.Name))
	require.Nil(t, lean.Events[2].StateExitedEventDetails.Output)

	// Pages of one, newest first.
	var ids []int64
	var token *string
	for {
		page, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 1, NextToken: token})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Events), 1)
		for _, ev := range page.Events {
			ids = append(ids, ev.Id)
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	require.Equal(t, []int64{4, 3, 2, 1}, ids)

	// Pages of three, oldest first, through the SDK's paginator.
	p := sfn.NewGetExecutionHistoryPaginator(b.client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 3})
	ids = nil
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, ev := range page.Events {
			ids = append(ids, ev.Id)
		}
	}
	require.Equal(t, []int64{1, 2, 3, 4}, ids)

	_, err = b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn + "-gone")})
	requireAWSError(t, err, "ExecutionDoesNotExist")
	_, err = b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), NextToken: aws.String("bogus")})
	requireAWSError(t, err, "InvalidToken")
	forward, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1})
	require.NoError(t, err)
	_, err = b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true, NextToken: forward.NextToken})
	requireAWSError(t, err, "InvalidToken")
	_, err = b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String("x")})
	requireAWSError(t, err, "InvalidArn")
}

func TestSFNStopAndRedriveExecution(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "asker", tokenDef, "")
	arn := b.start(t, sm, "stopped", `{}`)
	token := b.token(t, arn)

	stopped, err := b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Halt"), Cause: aws.String("by the test")})
	require.NoError(t, err)
	desc := b.waitStatus(t, arn, types.ExecutionStatusAborted)
	require.Equal(t, "Halt", aws.ToString(desc.Error))
	require.Equal(t, "by the test", aws.ToString(desc.Cause))
	require.WithinDuration(t, aws.ToTime(stopped.StopDate), aws.ToTime(desc.StopDate), time.Millisecond)
	require.Equal(t, types.ExecutionRedriveStatusRedrivable, desc.RedriveStatus)
	// Stopping it again changes nothing.
	again, err := b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Other")})
	require.NoError(t, err)
	require.WithinDuration(t, aws.ToTime(stopped.StopDate), aws.ToTime(again.StopDate), time.Millisecond)
	desc = b.waitStatus(t, arn, types.ExecutionStatusAborted)
	require.Equal(t, "Halt", aws.ToString(desc.Error))
	// The task's token is void with its execution stopped.
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	require.Error(t, err)

	// Redrive: the Task state runs again with a new token.
	redriven, err := b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	require.WithinRange(t, aws.ToTime(redriven.RedriveDate), aws.ToTime(stopped.StopDate).Add(-time.Second), time.Now().Add(time.Second))
	token = b.token(t, arn)
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`"yes"`)})
	require.NoError(t, err)
	desc = b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
	require.Equal(t, int32(1), aws.ToInt32(desc.RedriveCount))
	require.JSONEq(t, `{"answer":"yes"}`, aws.ToString(desc.Output))
	history, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	require.NoError(t, err)
	var seen []types.HistoryEventType
	for _, ev := range history.Events {
		seen = append(seen, ev.Type)
		if ev.Type == types.HistoryEventTypeExecutionRedriven {
			require.Equal(t, int32(1), aws.ToInt32(ev.ExecutionRedrivenEventDetails.RedriveCount))
		}
	}
	require.Contains(t, seen, types.HistoryEventTypeExecutionAborted)
	require.Contains(t, seen, types.HistoryEventTypeExecutionRedriven)

	// A succeeded execution cannot be redriven; a failed one can.
	_, err = b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	var notRedrivable *types.ExecutionNotRedrivable
	require.True(t, errors.As(err, &notRedrivable), "%v", err)
	flaky := b.createMachine(t, "flaky", flakyDef, "")
	failedARN := b.start(t, flaky, "once", `{}`)
	failed := b.waitStatus(t, failedARN, types.ExecutionStatusFailed)
	require.Equal(t, "Flaky", aws.ToString(failed.Error))
	_, err = b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(failedARN)})
	require.NoError(t, err)
	ok := b.waitStatus(t, failedARN, types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"call":2}`, aws.ToString(ok.Output))

	// A running one can be neither redriven nor stopped twice into another state.
	running := b.start(t, sm, "running", `{}`)
	b.token(t, running)
	_, err = b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(running)})
	requireAWSError(t, err, "ExecutionNotRedrivable")

	_, err = b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn + "-gone")})
	requireAWSError(t, err, "ExecutionDoesNotExist")
	_, err = b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(running), Error: aws.String(strings.Repeat("e", 257))})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String("arn:nope")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn + "-gone")})
	requireAWSError(t, err, "ExecutionDoesNotExist")
	_, err = b.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String("arn:nope")})
	requireAWSError(t, err, "InvalidArn")
	desc = b.waitStatus(t, running, types.ExecutionStatusRunning)
	require.Empty(t, aws.ToString(desc.Error), "refused calls changed nothing")
}

// requireJSONObject decodes a JSON object the API returned.
func requireJSONObject(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}
