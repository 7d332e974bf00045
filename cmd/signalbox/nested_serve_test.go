package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// createMachine creates a state machine through the API and returns its
// ARN.
func createMachine(t *testing.T, client *sfn.Client, name, def string) string {
	t.Helper()
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// awaitExecutionsOf polls ListExecutions of a state machine until n of its
// executions have the status, and returns their ARNs.
func awaitExecutionsOf(t *testing.T, s *served, client *sfn.Client, sm string, status types.ExecutionStatus, n int) []string {
	t.Helper()
	deadline := time.Now().Add(sfnServeSafety)
	for {
		var arns []string
		p := sfn.NewListExecutionsPaginator(client, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: status})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			require.NoError(t, err)
			for _, e := range page.Executions {
				arns = append(arns, aws.ToString(e.ExecutionArn))
			}
		}
		if len(arns) >= n {
			return arns
		}
		require.True(t, time.Now().Before(deadline), "%d of %d executions of %s %s after %s; the server's log:\n%s", len(arns), n, sm, status, sfnServeSafety, s.Log())
		time.Sleep(5 * time.Millisecond) // the poll's pace; the count is what the test waits on
	}
}

// The nested-execution integration in a real `signalbox serve`, through
// the SDK: a .sync chain three deep (.sync, then .sync:2) completes with
// each child's output, and StopExecution of the top one stops the chain
// below it.
func TestServeNestedExecutions(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	c := createMachine(t, client, "C", `{"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"c.$":"States.MathAdd($.x, 1)"},"End":true}}}`)
	b := createMachine(t, client, "B", `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+c+`","Input":{"x.$":"$.x","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},"OutputPath":"$.Output","End":true}}}`)
	a := createMachine(t, client, "A", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync",
		"Parameters":{"StateMachineArn":"`+b+`","Input":{"x.$":"$.x"}},"ResultSelector":{"b.$":"States.StringToJson($.Output)","status.$":"$.Status"},"End":true}}}`)
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(a), Name: aws.String("e1"), Input: aws.String(`{"x":1}`)})
	require.NoError(t, err)
	out := awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"b":{"c":2},"status":"SUCCEEDED"}`, aws.ToString(out.Output))
	cs := awaitExecutionsOf(t, s, client, c, types.ExecutionStatusSucceeded, 1)
	cIn, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(cs[0])})
	require.NoError(t, err)
	var in map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(cIn.Input)), &in))
	require.Contains(t, in["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"], ":execution:B:")

	w := createMachine(t, client, "W", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	mid := createMachine(t, client, "Mid", `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"`+w+`"},"End":true}}}`)
	top := createMachine(t, client, "Top", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"`+mid+`"},"End":true}}}`)
	started, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(top), Name: aws.String("e1")})
	require.NoError(t, err)
	ws := awaitExecutionsOf(t, s, client, w, types.ExecutionStatusRunning, 1)
	mids := awaitExecutionsOf(t, s, client, mid, types.ExecutionStatusRunning, 1)
	_, err = client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: started.ExecutionArn, Error: aws.String("Cancelled")})
	require.NoError(t, err)
	for _, arn := range []string{aws.ToString(started.ExecutionArn), mids[0], ws[0]} {
		awaitExecution(t, s, client, arn, types.ExecutionStatusAborted)
	}
}

// TestCrashNestedSync kills `signalbox serve` with SIGKILL twice, and
// starts it again each time, while parents wait for their .sync children
// (each child waits 1 to 6 seconds, then passes): the first kill comes
// once every parent has started its child (most of them running), the
// second when two thirds of the children have ended, so that some
// children's ends are still to be told to their parents. Then every parent succeeded with
// its own child's output, and every parent started exactly one child (the
// start is idempotent per attempt: a call made again after a kill finds
// the child the first call started).
//
// It runs in the real-Redis run (SIGNALBOX_REDIS_URL set), with
// redis-server on PATH; -short runs fewer parents.
func TestCrashNestedSync(t *testing.T) {
	parents := 500
	if testing.Short() {
		parents = 40
	}
	r := startCrashRun(t, "sbcn-", 4*time.Minute, "--lease", "2s")
	client := sfnAPIClient(r.serve.URL)
	ctx := r.ctx
	child := createMachine(t, client, "child", `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.wait","Next":"P"},
		"P":{"Type":"Pass","Parameters":{"n.$":"$.n","double.$":"States.MathAdd($.n, $.n)"},"End":true}}}`)
	parent := createMachine(t, client, "parent", `{"StartAt":"S","States":{"S":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+child+`","Input":{"n.$":"$.n","wait.$":"$.wait"}},"OutputPath":"$.Output","End":true}}}`)
	arns := make([]string, parents)
	for i := range parents {
		st, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(parent), Name: aws.String("p-" + strconv.Itoa(i)), Input: aws.String(fmt.Sprintf(`{"n":%d,"wait":%d}`, i, 1+i%6))})
		require.NoError(t, err)
		arns[i] = aws.ToString(st.ExecutionArn)
	}
	var atKills []string
	for _, m := range []struct {
		status types.ExecutionStatus
		n      int
	}{{"", parents}, {types.ExecutionStatusSucceeded, 2 * parents / 3}} {
		awaitExecutionsOf(t, r.serve, client, child, m.status, m.n)
		running := len(awaitExecutionsOf(t, r.serve, client, child, types.ExecutionStatusRunning, 0))
		done := len(awaitExecutionsOf(t, r.serve, client, parent, types.ExecutionStatusSucceeded, 0))
		r.serve.Kill(t)
		atKills = append(atKills, fmt.Sprintf("%d children running, %d parents told", running, done))
		r.serve = startServe(t, r.args...)
		r.servers = append(r.servers, r.serve)
		client = sfnAPIClient(r.serve.URL)
	}
	awaitExecutionsOf(t, r.serve, client, parent, types.ExecutionStatusSucceeded, parents)
	for i, arn := range arns {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		require.JSONEq(t, fmt.Sprintf(`{"n":%d,"double":%d}`, i, 2*i), aws.ToString(d.Output))
	}
	children := awaitExecutionsOf(t, r.serve, client, child, "", parents)
	require.Len(t, children, parents, "one child per parent: %s", strings.Join(children[:min(len(children), 5)], ", "))
	t.Logf("nested crash test: %d parents, serve killed twice (at %s), %d children", parents, strings.Join(atKills, "; "), len(children))
}
