package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// signalbox start --sync: StartSyncExecution, with the SDK's "sync-" host
// prefix turned off, so that an endpoint of 127.0.0.1 or localhost works
// (sync-localhost resolves nowhere); a state machine named NAME#TestCase
// runs on the server's mocks.
func TestClientStartSync(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--mocks", mockConfigFile)
	sm := createMocked(t, sfnAPIClient(s.URL), types.StateMachineTypeExpress)
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	for _, endpoint := range []string{s.URL, "http://localhost:" + port} {
		c := clientRun{env: []string{envEndpoint + "=" + endpoint}}
		res := c.run(t, "start", mockedName+"#HappyPath", "--sync", "--input", `{"who":"sync"}`)
		require.Equal(t, 0, res.code, "%s: stderr: %s", endpoint, res.stderr)
		out := jsonObject(t, res)
		require.Equal(t, "SUCCEEDED", out["status"])
		require.JSONEq(t, sqsSuccess, out["output"].(string))
		require.JSONEq(t, `{"who":"sync"}`, out["input"].(string))
		require.Equal(t, sm, out["stateMachineArn"])
		require.True(t, strings.HasPrefix(out["executionArn"].(string), "arn:aws:states:us-east-1:123456789012:express:LambdaSQSIntegration:"), out["executionArn"])
	}

	c := clientRun{env: []string{envEndpoint + "=" + s.URL}}
	// an execution that fails: its answer, and exit status 1
	res := c.run(t, "start", sm+"#HybridPath", "--sync")
	require.Equal(t, 1, res.code, "stderr: %s", res.stderr)
	out := jsonObject(t, res)
	require.Equal(t, "FAILED", out["status"])
	require.Equal(t, "SQS.AmazonSQSException", out["error"])
	require.Equal(t, sqsNoQueueErr, maskRequestID(out["cause"].(string)))

	res = c.run(t, "start", mockedName+"#SadPath", "--sync")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, `ValidationException`)
	require.Contains(t, res.stderr, `test case "SadPath" of state machine "LambdaSQSIntegration" is not found`)

	res = c.run(t, "start", mockedName, "--sync", "--wait")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "give --sync or --wait, not both")
}
