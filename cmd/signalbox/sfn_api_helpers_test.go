package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// sfnServeSafety bounds every wait on a served execution: a net against a
// hang, not a way to synchronise (the tests poll for the state they expect).
const sfnServeSafety = 30 * time.Second

// requireSFNError asserts that err is the SDK's typed exception T, answered
// with HTTP status 400 and a message, and returns it.
func requireSFNError[T smithy.APIError](t *testing.T, err error) T {
	t.Helper()
	require.Error(t, err)
	var typed T
	require.True(t, errors.As(err, &typed), "want %T, got %v", typed, err)
	require.NotEmpty(t, typed.ErrorMessage(), "%v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, http.StatusBadRequest, re.HTTPStatusCode(), "%v", err)
	return typed
}

// awaitExecution polls DescribeExecution until the execution arn has left
// RUNNING (or, when want is RUNNING, until it is RUNNING), requires the
// status want, and returns the description.
func awaitExecution(t *testing.T, s *served, client *sfn.Client, arn string, want types.ExecutionStatus) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(sfnServeSafety)
	for {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if out.Status == want {
			return out
		}
		if out.Status != types.ExecutionStatusRunning {
			t.Fatalf("execution %s is %s, not %s (error %q cause %q); the server's log:\n%s",
				arn, out.Status, want, aws.ToString(out.Error), aws.ToString(out.Cause), s.Log())
		}
		require.True(t, time.Now().Before(deadline), "execution %s still RUNNING after %s; the server's log:\n%s", arn, sfnServeSafety, s.Log())
		time.Sleep(5 * time.Millisecond) // the poll's pace; the status is what the test waits on
	}
}

// takeActivityTask is a worker's GetActivityTask on activity: it requires a
// task (the call long-polls for one) and returns its token and input.
func takeActivityTask(t *testing.T, client *sfn.Client, activity, worker string) (token, input string) {
	t.Helper()
	out, err := client.GetActivityTask(context.Background(), &sfn.GetActivityTaskInput{ActivityArn: aws.String(activity), WorkerName: aws.String(worker)})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(out.TaskToken), "no task came for %s within the long poll", activity)
	return aws.ToString(out.TaskToken), aws.ToString(out.Input)
}

// historyTypes is the types of an execution's events, oldest first.
func historyTypes(t *testing.T, client *sfn.Client, arn string) []types.HistoryEventType {
	t.Helper()
	var seen []types.HistoryEventType
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, ev := range page.Events {
			seen = append(seen, ev.Type)
		}
	}
	return seen
}

// requireJSONField decodes the JSON object doc and returns its field key.
func requireJSONField(t *testing.T, doc, key string) any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &m), "not a JSON object: %s", doc)
	require.Contains(t, m, key)
	return m[key]
}

// requireSFNErrorCode asserts that err is an exception the operation's
// model does not list, so that the SDK decodes it untyped: a
// *smithy.GenericAPIError with the code, a message and HTTP status 400.
func requireSFNErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	generic := requireSFNError[*smithy.GenericAPIError](t, err)
	require.Equal(t, code, generic.ErrorCode(), "%v", err)
}
