package main

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
)

// serve's store deadline is configurable (redis.timeout, --redis-timeout
// wins): against a stalled Redis a StartExecution answers 503
// ServiceUnavailable, which the AWS SDK retries, within that deadline
// rather than the 2 s default, and names no internal address.
func TestServeAnswers503WithinTheConfiguredStoreDeadline(t *testing.T) {
	t.Parallel()
	srv := redisproc.StartForTest(t)
	dir := writeFiles(t, map[string]string{"signalbox.yaml": "redis: {timeout: 250ms}\n"})
	for _, args := range [][]string{
		{"--config", filepath.Join(dir, "signalbox.yaml")},
		{"--redis-timeout", "250ms"},
	} {
		s := startServe(t, append([]string{"--redis-url", srv.URL()}, args...)...)
		client := sfnAPIClient(s.URL)
		ctx := context.Background()
		sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
			Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
		require.NoError(t, err)

		require.NoError(t, srv.Pause())
		begin := time.Now()
		_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
		took := time.Since(begin)
		require.NoError(t, srv.Resume())
		var re *awshttp.ResponseError
		require.True(t, errors.As(err, &re), "%v", err)
		require.Equal(t, http.StatusServiceUnavailable, re.HTTPStatusCode(), "%v", err)
		require.Contains(t, err.Error(), "ServiceUnavailable")
		require.NotContains(t, err.Error(), "127.0.0.1")
		require.Equal(t, aws.TrueTernary, retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err), "the SDK retries it")
		// With the default deadline (2 s) no answer could come before 2 s;
		// this one's is 0.25 s (a net against the default, not a measurement).
		require.Less(t, took, 1500*time.Millisecond, "%v", args)
		require.Regexp(t, `aws request failed.*err="store: .*(unavailable|i/o timeout|deadline exceeded)`, s.WaitLog(t, "aws request failed"), "the detail is in the log")
	}
}
