package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// examples/fanout, end to end as its signalbox.yaml says to run it: three
// orders POSTed to the file's route, each published by the checkout
// state machine's sns:publish Task; the audit queue receives all three as
// published, the billing queue the two of 100 or more (the attribute
// filter) in SNS's envelope, and the ship state machine runs for the two
// European ones (the body filter), each with its order as input; every
// queue message carries its request's trace.
func TestExampleFanout(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join(repoRoot, "examples", "fanout"))
	require.NoError(t, err)
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	log := s.WaitLog(t, "msg=serving")
	require.Contains(t, log, "topic created orders")

	orders := []string{
		`{"order":"o-1","amount":250,"country":"NL"}`,
		`{"order":"o-2","amount":20,"country":"DE"}`,
		`{"order":"o-3","amount":500,"country":"US"}`,
	}
	const trace = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
	for _, o := range orders {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/orders", strings.NewReader(o))
		require.NoError(t, err)
		req.Header.Set("traceparent", trace)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}

	ctx := context.Background()
	q := crashSQSClient(s.URL)
	receive := func(queue string, n int) []string {
		url := s.URL + "/123456789012/" + queue
		var bodies []string
		safety := time.Now().Add(60 * time.Second) // a net against a hang, not a synchronisation
		for len(bodies) < n {
			require.True(t, time.Now().Before(safety), "%s: %d of %d messages; the server's log:\n%s", queue, len(bodies), n, s.Log())
			out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 5,
				MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"AWSTraceHeader"}})
			require.NoError(t, err)
			for _, m := range out.Messages {
				require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793", strings.Split(m.Attributes["AWSTraceHeader"], ";")[0])
				bodies = append(bodies, aws.ToString(m.Body))
			}
		}
		sort.Strings(bodies)
		return bodies
	}
	// the Task's Message is the order as JSON text (its keys in the order
	// the runtime keeps them: sorted)
	var want []string
	for _, o := range orders {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(o), &v))
		b, err := json.Marshal(v)
		require.NoError(t, err)
		want = append(want, string(b))
	}
	sort.Strings(want)
	require.Equal(t, want, receive("audit", 3))
	var amounts []string
	for _, body := range receive("billing", 2) {
		var env struct{ Type, Message, TopicArn string }
		require.NoError(t, json.Unmarshal([]byte(body), &env))
		require.Equal(t, "Notification", env.Type)
		require.Equal(t, "arn:aws:sns:us-east-1:123456789012:orders", env.TopicArn)
		var o struct{ Order string }
		require.NoError(t, json.Unmarshal([]byte(env.Message), &o))
		amounts = append(amounts, o.Order)
	}
	sort.Strings(amounts)
	require.Equal(t, []string{"o-1", "o-3"}, amounts)

	client := sfnAPIClient(s.URL)
	ship := "arn:aws:states:us-east-1:123456789012:stateMachine:ship"
	var outputs []string
	safety := time.Now().Add(60 * time.Second)
	for len(outputs) < 2 {
		require.True(t, time.Now().Before(safety), "ship ran %d of 2 times; the server's log:\n%s", len(outputs), s.Log())
		list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ship), StatusFilter: sfntypes.ExecutionStatusSucceeded})
		require.NoError(t, err)
		outputs = outputs[:0]
		for _, e := range list.Executions {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			require.NoError(t, err)
			outputs = append(outputs, aws.ToString(d.Output))
		}
	}
	sort.Strings(outputs)
	require.Equal(t, []string{`{"shipped":"o-1","to":"NL"}`, `{"shipped":"o-2","to":"DE"}`}, outputs)
}
