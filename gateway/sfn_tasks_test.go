package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

func TestSFNTaskTokens(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "asker", tokenDef, "")

	// Heartbeat, then success: the output becomes the task's result.
	arn := b.start(t, sm, "yes", `{"q":"ok?"}`)
	token := b.token(t, arn)
	_, err := b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	require.NoError(t, err)
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	desc := b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"q":"ok?","answer":{"approved":true}}`, aws.ToString(desc.Output))
	// A token is usable once: its task is closed (as AWS answers,
	// TaskTimedOut).
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	var gone *types.TaskTimedOut
	require.True(t, errors.As(err, &gone), "%v", err)
	_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	require.Error(t, err)
	_, err = b.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Late")})
	require.Error(t, err)

	// Failure: the execution fails with the error given.
	arn = b.start(t, sm, "no", `{}`)
	token = b.token(t, arn)
	// Refused answers leave the task waiting.
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{not json`)})
	var badOutput *types.InvalidOutput
	require.True(t, errors.As(err, &badOutput), "%v", err)
	_, err = b.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(strings.Repeat("e", 257))})
	requireAWSError(t, err, "ValidationException")
	b.waitStatus(t, arn, types.ExecutionStatusRunning)
	_, err = b.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Rejected"), Cause: aws.String("by a human")})
	require.NoError(t, err)
	desc = b.waitStatus(t, arn, types.ExecutionStatusFailed)
	require.Equal(t, "Rejected", aws.ToString(desc.Error))
	require.Equal(t, "by a human", aws.ToString(desc.Cause))

	// Tokens that are not ours.
	for _, bad := range []string{"not-a-token", "djF8eHx5", strings.Repeat("A", 100)} {
		_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(bad), Output: aws.String(`{}`)})
		var invalid *types.InvalidToken
		require.True(t, errors.As(err, &invalid), "%q: %v", bad, err)
		_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(bad)})
		requireAWSError(t, err, "InvalidToken")
		_, err = b.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(bad)})
		requireAWSError(t, err, "InvalidToken")
	}
	_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(strings.Repeat("A", 2049))})
	requireAWSError(t, err, "ValidationException")
}

// A task's token is void once its execution has been stopped: TaskTimedOut,
// as AWS answers.
func TestSFNTaskTokenOfAStoppedExecution(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "asker", tokenDef, "")
	arn := b.start(t, sm, "stopped", `{}`)
	token := b.token(t, arn)
	_, err := b.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	requireAWSError(t, err, "TaskTimedOut")
	_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	requireAWSError(t, err, "TaskTimedOut")
	desc := b.waitStatus(t, arn, types.ExecutionStatusAborted)
	require.Nil(t, desc.Output)
}
