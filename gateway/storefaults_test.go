package gateway_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// requireUnavailable asserts the SDK got 503 ServiceUnavailable, with a
// message that names no internal address.
func requireUnavailable(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	require.Equal(t, http.StatusServiceUnavailable, re.HTTPStatusCode(), "%v", err)
	require.Contains(t, err.Error(), "ServiceUnavailable")
	require.NotContains(t, err.Error(), "127.0.0.1")
	require.NotContains(t, err.Error(), "OOM")
}

// When Redis refuses writes (out of memory) reads still answer and writes
// answer 503; when it stalls, requests answer 503 within the store's
// deadline and /ready within its own, instead of hanging for 20 s.
func TestStoreFaultsAnswer503AndSpoilNoReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := redisproc.StartForTest(t, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
	st, err := store.Open(ctx, store.Options{URL: srv.URL(), Timeout: 500 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	d := runtime.NewDurable(st, &runtime.Durable{Consumer: "faults", Concurrency: 2})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	hs := httptest.NewServer(gateway.New(gateway.Options{Runtime: d, Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(hs.Close)
	client := sfnClient(hs.URL, "AKIDTEST", "secret")

	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)})
	require.NoError(t, err)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"a":1}`)})
	require.NoError(t, err)
	for {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		require.NoError(t, err)
		if out.Status != types.ExecutionStatusRunning {
			require.Equal(t, types.ExecutionStatusSucceeded, out.Status)
			break
		}
	}

	// Refuse writes: a limit far below what the server holds. (Filling it to
	// the edge was not enough: the worker's own deletes brought it back under
	// the limit now and then, and a start got through.)
	filler := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer filler.Close()
	info, err := filler.InfoMap(ctx, "memory").Result()
	require.NoError(t, err)
	used, err := strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
	require.NoError(t, err)
	require.NoError(t, filler.ConfigSet(ctx, "maxmemory", strconv.FormatInt(used/4, 10)).Err())
	require.ErrorContains(t, filler.Set(ctx, "filler", "x", 0).Err(), "OOM")
	for range 3 {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		require.NoError(t, err, "a read is not spoiled by refused writes")
		require.Equal(t, types.ExecutionStatusSucceeded, out.Status)
		_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"a":2}`)})
		requireUnavailable(t, err)
	}
	require.NoError(t, filler.ConfigSet(ctx, "maxmemory", "0").Err()) // room again

	// a stalled server: answers come within the deadline
	require.NoError(t, srv.Pause())
	defer func() { _ = srv.Resume() }()
	begin := time.Now()
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"a":3}`)})
	requireUnavailable(t, err)
	resp, err := http.Get(hs.URL + "/api/v1/ready")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	// a net against a hang (it took 20 s), not a measurement: the store's
	// deadline is 0.5 s, and a call is tried twice
	require.Less(t, time.Since(begin), 15*time.Second)
	require.NoError(t, srv.Resume())
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err, "the store answers again")
}
