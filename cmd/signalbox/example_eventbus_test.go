package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
)

// examples/eventbus, end to end as its signalbox.yaml says to run it:
// three executions of checkout started through the Step Functions API,
// each putting an OrderPlaced event on the orders bus with its
// events:putEvents Task; the big-orders queue receives the two events of
// 100 or more, whole (EventBridge's envelope, the execution in its
// resources), and the ship state machine runs for all three, its input
// made by the target's InputTransformer.
func TestExampleEventBus(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join(repoRoot, "examples", "eventbus"))
	require.NoError(t, err)
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	log := s.WaitLog(t, "msg=serving")
	require.Contains(t, log, "bus created orders: rule big-orders created: targets big-orders, rule all-orders created: targets ship, archive orders-archive created")

	ctx := context.Background()
	client := sfnAPIClient(s.URL)
	checkout := "arn:aws:states:us-east-1:123456789012:stateMachine:checkout"
	orders := map[string]string{
		"o-1": `{"order":"o-1","total":250,"country":"NL"}`,
		"o-2": `{"order":"o-2","total":20,"country":"DE"}`,
		"o-3": `{"order":"o-3","total":100,"country":"US"}`,
	}
	eventIDs := map[string]string{}   // order → the id of its event
	executions := map[string]string{} // order → the checkout execution that put it
	for _, id := range []string{"o-1", "o-2", "o-3"} {
		out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(checkout), Name: aws.String(id), Input: aws.String(orders[id])})
		require.NoError(t, err)
		done := awaitExecution(t, s, client, aws.ToString(out.ExecutionArn), sfntypes.ExecutionStatusSucceeded)
		var res struct{ Event struct{ EventID string } }
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(done.Output)), &res))
		require.NotEmpty(t, res.Event.EventID, "checkout's output: %s", aws.ToString(done.Output))
		eventIDs[id], executions[id] = res.Event.EventID, aws.ToString(out.ExecutionArn)
	}

	// big-orders: the events of o-1 and o-3, whole
	q := crashSQSClient(s.URL)
	var events []map[string]any
	safety := time.Now().Add(60 * time.Second) // a net against a hang, not a synchronisation
	for len(events) < 2 {
		require.True(t, time.Now().Before(safety), "big-orders: %d of 2 events; the server's log:\n%s", len(events), s.Log())
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/big-orders"), MaxNumberOfMessages: 10, WaitTimeSeconds: 5})
		require.NoError(t, err)
		for _, m := range out.Messages {
			var ev map[string]any
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			events = append(events, ev)
		}
	}
	sort.Slice(events, func(i, j int) bool {
		return events[i]["detail"].(map[string]any)["order"].(string) < events[j]["detail"].(map[string]any)["order"].(string)
	})
	for i, id := range []string{"o-1", "o-3"} {
		ev := events[i]
		require.Equal(t, eventIDs[id], ev["id"])
		require.Equal(t, "OrderPlaced", ev["detail-type"])
		require.Equal(t, "shop", ev["source"])
		require.Equal(t, "123456789012", ev["account"])
		require.Equal(t, "us-east-1", ev["region"])
		require.Equal(t, []any{executions[id], checkout}, ev["resources"], "as Step Functions puts them: the execution and its state machine")
		detail, err := json.Marshal(ev["detail"])
		require.NoError(t, err)
		require.JSONEq(t, orders[id], string(detail))
	}
	// and nothing else: o-2 is under 100
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.URL + "/123456789012/big-orders"), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Empty(t, out.Messages)

	// ship: every order, shaped by the InputTransformer
	ship := "arn:aws:states:us-east-1:123456789012:stateMachine:ship"
	var outputs []string
	for len(outputs) < 3 {
		require.True(t, time.Now().Before(safety), "ship ran %d of 3 times; the server's log:\n%s", len(outputs), s.Log())
		list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(ship), StatusFilter: sfntypes.ExecutionStatusSucceeded})
		require.NoError(t, err)
		outputs = outputs[:0]
		for _, e := range list.Executions {
			d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			require.NoError(t, err)
			outputs = append(outputs, aws.ToString(d.Output))
		}
	}
	want := []string{
		`{"event":"` + eventIDs["o-1"] + `","shipped":"o-1","to":"NL"}`,
		`{"event":"` + eventIDs["o-2"] + `","shipped":"o-2","to":"DE"}`,
		`{"event":"` + eventIDs["o-3"] + `","shipped":"o-3","to":"US"}`,
	}
	sort.Strings(want)
	sort.Strings(outputs)
	require.Equal(t, want, outputs)
}
