package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

func TestSFNActivities(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)

	created, err := b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("approve")})
	require.NoError(t, err)
	act := aws.ToString(created.ActivityArn)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:activity:approve", act)
	require.WithinRange(t, aws.ToTime(created.CreationDate), before, time.Now().Add(time.Second))
	again, err := b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("approve")})
	require.NoError(t, err)
	require.Equal(t, act, aws.ToString(again.ActivityArn), "creating an activity is idempotent")
	desc, err := b.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(act)})
	require.NoError(t, err)
	require.Equal(t, "approve", aws.ToString(desc.Name))
	require.Equal(t, act, aws.ToString(desc.ActivityArn))

	// A state machine whose Task is the activity: a worker takes the task
	// and answers it.
	def := fmt.Sprintf(`{"StartAt":"Approve","States":{"Approve":{"Type":"Task","Resource":%q,"HeartbeatSeconds":600,"End":true}}}`, act)
	sm := b.createMachine(t, "approval", def, "")
	arn := b.start(t, sm, "a1", `{"amount":42}`)
	task, err := b.client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act), WorkerName: aws.String("w1")})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(task.TaskToken))
	require.JSONEq(t, `{"amount":42}`, aws.ToString(task.Input))
	_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken})
	require.NoError(t, err)
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	done := b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"approved":true}`, aws.ToString(done.Output))
	history, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	var seen []types.HistoryEventType
	for _, ev := range history.Events {
		seen = append(seen, ev.Type)
		switch ev.Type {
		case types.HistoryEventTypeActivityScheduled:
			require.Equal(t, act, aws.ToString(ev.ActivityScheduledEventDetails.Resource))
		case types.HistoryEventTypeActivityStarted:
			require.Equal(t, "w1", aws.ToString(ev.ActivityStartedEventDetails.WorkerName))
		case types.HistoryEventTypeActivitySucceeded:
			require.JSONEq(t, `{"approved":true}`, aws.ToString(ev.ActivitySucceededEventDetails.Output))
		}
	}
	require.Subset(t, seen, []types.HistoryEventType{types.HistoryEventTypeActivityScheduled, types.HistoryEventTypeActivityStarted, types.HistoryEventTypeActivitySucceeded})

	// A second activity, then pages of one.
	_, err = b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("review")})
	require.NoError(t, err)
	var names []string
	var token *string
	for {
		page, err := b.client.ListActivities(ctx, &sfn.ListActivitiesInput{MaxResults: 1, NextToken: token})
		require.NoError(t, err)
		for _, a := range page.Activities {
			names = append(names, aws.ToString(a.Name))
			require.False(t, aws.ToTime(a.CreationDate).IsZero())
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	require.Equal(t, []string{"approve", "review"}, names)

	// Error paths.
	_, err = b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("bad name")})
	requireAWSError(t, err, "InvalidName")
	_, err = b.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(act + "-gone")})
	var missing *types.ActivityDoesNotExist
	require.True(t, errors.As(err, &missing), "%v", err)
	_, err = b.client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act + "-gone")})
	requireAWSError(t, err, "ActivityDoesNotExist")
	_, err = b.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(sm)})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String("nope")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.ListActivities(ctx, &sfn.ListActivitiesInput{NextToken: aws.String("nope")})
	requireAWSError(t, err, "InvalidToken")

	// Delete: gone, and deleting again succeeds.
	_, err = b.client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(act)})
	require.NoError(t, err)
	_, err = b.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(act)})
	requireAWSError(t, err, "ActivityDoesNotExist")
	_, err = b.client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(act)})
	require.NoError(t, err)
	list, err := b.client.ListActivities(ctx, &sfn.ListActivitiesInput{})
	require.NoError(t, err)
	require.Len(t, list.Activities, 1)
}
