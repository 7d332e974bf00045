package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"
)

// sfnAPIClient is the official SDK's Step Functions client pointed at a
// served Signalbox. StartSyncExecution's "sync-" host prefix is turned
// off: the endpoint is an IP address.
func sfnAPIClient(url string) *sfn.Client {
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
	}
	return sfn.NewFromConfig(cfg, func(o *sfn.Options) {
		o.BaseEndpoint = aws.String(url)
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.Before)
		})
	})
}

// The Step Functions API of a real `signalbox serve`, driven by the SDK:
// a state machine created, run by the server's workers to its end, its
// history read; the errors in AWS's shape.
func TestServeStepFunctionsAPI(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	def := `{"StartAt":"Wait","States":{
		"Wait":{"Type":"Wait","Seconds":0,"Next":"Greet"},
		"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"End":true}}}`
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("greeter"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
	})
	require.NoError(t, err)
	sm := aws.ToString(created.StateMachineArn)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:greeter", sm)

	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("e1"), Input: aws.String(`{"who":"serve"}`)})
	require.NoError(t, err)
	arn := aws.ToString(started.ExecutionArn)
	var desc *sfn.DescribeExecutionOutput
	deadline := time.Now().Add(30 * time.Second) // a safety net: the loop waits on the status
	for {
		desc, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if desc.Status != types.ExecutionStatusRunning {
			break
		}
		require.True(t, time.Now().Before(deadline), "still running after 30s; the server's log:\n%s", s.Log())
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, types.ExecutionStatusSucceeded, desc.Status, "%s: %s", aws.ToString(desc.Error), aws.ToString(desc.Cause))
	require.JSONEq(t, `{"greeting":"hello serve"}`, aws.ToString(desc.Output))

	history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	var seen []types.HistoryEventType
	for i, ev := range history.Events {
		require.Equal(t, int64(i+1), ev.Id)
		seen = append(seen, ev.Type)
	}
	require.Equal(t, []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeWaitStateEntered, types.HistoryEventTypeWaitStateExited,
		types.HistoryEventTypePassStateEntered, types.HistoryEventTypePassStateExited, types.HistoryEventTypeExecutionSucceeded,
	}, seen)

	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1)
	require.Equal(t, arn, aws.ToString(list.Executions[0].ExecutionArn))

	// Errors, as the SDK types them.
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn + "-missing")})
	var missing *types.ExecutionDoesNotExist
	require.True(t, errors.As(err, &missing), "%v", err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("e1"), Input: aws.String(`{"who":"again"}`)})
	var exists *types.ExecutionAlreadyExists
	require.True(t, errors.As(err, &exists), "%v", err)
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("broken"), Definition: aws.String(`{"StartAt":"X","States":{}}`), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
	})
	var invalid *types.InvalidDefinition
	require.True(t, errors.As(err, &invalid), "%v", err)
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr))
	require.Contains(t, apiErr.ErrorMessage(), "MISSING_TRANSITION_TARGET")

	// A request no SDK sends.
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(`{"name":`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.CreateStateMachine")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "SerializationException", body["__type"])
	require.NotEmpty(t, body["message"])
}

// StartSyncExecution runs an EXPRESS state machine in the server and
// answers with its result.
func TestServeStartSyncExecution(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--workers", "0")
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("quick"), Type: types.StateMachineTypeExpress, RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, $.n)"},"End":true}}}`),
	})
	require.NoError(t, err)
	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String(`{"n":21}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)
	require.JSONEq(t, `{"n":42}`, aws.ToString(out.Output))
}
