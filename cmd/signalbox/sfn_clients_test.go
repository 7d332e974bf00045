package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// A state machine of the configuration file, given no roleArn, has the
// role its executions show in their ExecutionStarted events; one given a
// roleArn has that one. (And a definition file may be YAML: it is stored
// as the JSON it stands for.)
func TestServeConfigMachinesHaveTheRoleTheirHistoryShows(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"pass.asl.json": `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
		// A definition may be YAML too.
		"pass.asl.yaml": "StartAt: P\nStates:\n  P:\n    Type: Pass\n    End: true\n",
		"signalbox.yaml": `stateMachines:
  - name: roleless
    definition: pass.asl.json
  - name: owned
    definition: pass.asl.yaml
    roleArn: arn:aws:iam::123456789012:role/owner
`,
	})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	for name, want := range map[string]string{
		"roleless": "arn:aws:iam::123456789012:role/signalbox",
		"owned":    "arn:aws:iam::123456789012:role/owner",
	} {
		sm := "arn:aws:states:us-east-1:123456789012:stateMachine:" + name
		desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
		require.NoError(t, err)
		require.Equal(t, want, aws.ToString(desc.RoleArn), name)
		require.JSONEq(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, aws.ToString(desc.Definition), name)
		started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm)})
		require.NoError(t, err)
		awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusSucceeded)
		h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 1})
		require.NoError(t, err)
		require.Equal(t, types.HistoryEventTypeExecutionStarted, h.Events[0].Type)
		require.Equal(t, want, aws.ToString(h.Events[0].ExecutionStartedEventDetails.RoleArn), name)
	}
}

// `signalbox run` (the in-memory engine) and `signalbox serve` (the
// durable one) chain the events of an execution alike, and as AWS
// records them: event 2, the first state's entry, follows no event
// (previousEventId 0), whatever the first state's type.
func TestRunAndServeChainEventsAlike(t *testing.T) {
	t.Parallel()
	defs := map[string]string{
		"pass":     `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`,
		"wait":     `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":0,"End":true}}}`,
		"choice":   `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"B"}],"Default":"B"},"B":{"Type":"Succeed"}}}`,
		"parallel": `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}],"End":true}}}`,
		"map":      `{"StartAt":"A","States":{"A":{"Type":"Map","MaxConcurrency":1,"ItemsPath":"$.items","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
		"fail":     `{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","Cause":"c"}}}`,
	}
	const input = `{"items":[1,2]}`
	files := map[string]string{}
	for name, def := range defs {
		files[name+".asl.json"] = def
	}
	dir := writeFiles(t, files)
	s := startServe(t)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()

	// chain is an execution's events as (id, previousEventId, type).
	type link struct {
		ID       int64  `json:"id"`
		Previous int64  `json:"previousEventId"`
		Type     string `json:"type"`
	}
	for name, def := range defs {
		res := runCLI(t, dir, "run", name+".asl.json", "--history", "--input", input)
		var ran struct {
			History []link `json:"history"`
		}
		require.NoError(t, json.Unmarshal([]byte(res.stdout), &ran), "%s: %s %s", name, res.stdout, res.stderr)
		require.GreaterOrEqual(t, len(ran.History), 3, name)
		require.Equal(t, link{2, 0, ran.History[1].Type}, ran.History[1], "%s: run's event 2", name)

		created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
		require.NoError(t, err)
		started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String(input)})
		require.NoError(t, err)
		want := types.ExecutionStatusSucceeded
		if name == "fail" {
			want = types.ExecutionStatusFailed
		}
		awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), want)
		var served []link
		p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, ev := range page.Events {
				served = append(served, link{ev.Id, ev.PreviousEventId, string(ev.Type)})
			}
		}
		require.Equal(t, ran.History, served, "%s: run and serve chain the events differently", name)
	}
}
