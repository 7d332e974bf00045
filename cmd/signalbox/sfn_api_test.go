package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Every Step Functions action of the list, against one real
// `signalbox serve` through the official SDK: each once with success and
// once with an error the SDK decodes as its typed exception.
func TestServeEveryStepFunctionsAction(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	const (
		role    = "arn:aws:iam::123456789012:role/r"
		account = "arn:aws:states:us-east-1:123456789012:"
		passDef = `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"End":true}}}`
		failDef = `{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Boom","Cause":"it had to"}}}`
		badDef  = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Missing"}}}`
	)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

	// ValidateStateMachineDefinition.
	valid, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef)})
	require.NoError(t, err)
	require.Equal(t, types.ValidateStateMachineDefinitionResultCodeOk, valid.Result)
	require.Empty(t, valid.Diagnostics)
	invalid, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(badDef)})
	require.NoError(t, err)
	require.Equal(t, types.ValidateStateMachineDefinitionResultCodeFail, invalid.Result)
	require.NotEmpty(t, invalid.Diagnostics)
	require.Equal(t, "MISSING_TRANSITION_TARGET", aws.ToString(invalid.Diagnostics[0].Code))
	require.Equal(t, "/States/A/Next", aws.ToString(invalid.Diagnostics[0].Location))
	_, err = client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef), Severity: "LOUD"})
	requireSFNError[*types.ValidationException](t, err)

	// CreateStateMachine, with tags.
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("greeter"), Definition: aws.String(passDef), RoleArn: aws.String(role),
		Tags: []types.Tag{tag("team", "core")},
	})
	require.NoError(t, err)
	sm := aws.ToString(created.StateMachineArn)
	require.Equal(t, account+"stateMachine:greeter", sm)
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("broken"), Definition: aws.String(badDef), RoleArn: aws.String(role)})
	require.Contains(t, requireSFNError[*types.InvalidDefinition](t, err).ErrorMessage(), "MISSING_TRANSITION_TARGET")
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("greeter"), Definition: aws.String(failDef), RoleArn: aws.String(role)})
	requireSFNError[*types.StateMachineAlreadyExists](t, err)

	// DescribeStateMachine.
	desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Equal(t, "greeter", aws.ToString(desc.Name))
	require.Equal(t, passDef, aws.ToString(desc.Definition))
	require.Equal(t, types.StateMachineTypeStandard, desc.Type)
	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(sm + "-gone")})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)
	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("nope")})
	requireSFNError[*types.InvalidArn](t, err)

	// PublishStateMachineVersion: version 1 greets.
	v1, err := client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), Description: aws.String("greets")})
	require.NoError(t, err)
	require.Equal(t, sm+":1", aws.ToString(v1.StateMachineVersionArn))
	_, err = client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm + "-gone")})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)

	// UpdateStateMachine: the state machine now fails; version 1 still greets.
	updated, err := client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(failDef)})
	require.NoError(t, err)
	require.NotEqual(t, aws.ToString(desc.RevisionId), aws.ToString(updated.RevisionId))
	_, err = client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(badDef)})
	requireSFNError[*types.InvalidDefinition](t, err)
	_, err = client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm + "-gone"), Definition: aws.String(passDef)})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)
	_, err = client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm)})
	requireSFNError[*types.MissingRequiredParameter](t, err)

	// CreateStateMachineAlias on version 1.
	aliased, err := client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("live"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}},
	})
	require.NoError(t, err)
	alias := aws.ToString(aliased.StateMachineAliasArn)
	require.Equal(t, sm+":live", alias)
	_, err = client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("dangling"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(sm + ":9"), Weight: 100}},
	})
	requireSFNError[*types.ResourceNotFound](t, err)
	_, err = client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{
		Name:                 aws.String("half"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 50}},
	})
	requireSFNError[*types.ValidationException](t, err)

	// TagResource and ListTagsForResource.
	_, err = client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(sm), Tags: []types.Tag{tag("env", "dev")}})
	require.NoError(t, err)
	tags, err := client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(sm)})
	require.NoError(t, err)
	require.Equal(t, []types.Tag{tag("env", "dev"), tag("team", "core")}, tags.Tags)
	_, err = client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(sm + "-gone"), Tags: []types.Tag{tag("a", "b")}})
	requireSFNError[*types.ResourceNotFound](t, err)
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = tag(fmt.Sprintf("k%d", i), "v")
	}
	_, err = client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(sm), Tags: many})
	requireSFNError[*types.TooManyTags](t, err)
	// AWS's model gives TagResource no ValidationException: the SDK decodes
	// it untyped.
	_, err = client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(sm), Tags: []types.Tag{tag("aws:reserved", "x")}})
	requireSFNErrorCode(t, err, "ValidationException")
	_, err = client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(sm + "-gone")})
	requireSFNError[*types.ResourceNotFound](t, err)
	_, err = client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	requireSFNError[*types.InvalidArn](t, err)

	// StartExecution through the alias runs version 1, to its end.
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(alias), Name: aws.String("hello"), Input: aws.String(`{"who":"alias"}`)})
	require.NoError(t, err)
	greeted := aws.ToString(started.ExecutionArn)
	require.Equal(t, account+"execution:greeter:hello", greeted)
	// DescribeExecution.
	done := awaitExecution(t, s, client, greeted, types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"greeting":"hello alias"}`, aws.ToString(done.Output))
	require.Equal(t, alias, aws.ToString(done.StateMachineAliasArn))
	require.Equal(t, sm+":1", aws.ToString(done.StateMachineVersionArn))
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(greeted + "-gone")})
	requireSFNError[*types.ExecutionDoesNotExist](t, err)
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(sm)})
	requireSFNError[*types.InvalidArn](t, err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(alias), Name: aws.String("hello"), Input: aws.String(`{"who":"again"}`)})
	requireSFNError[*types.ExecutionAlreadyExists](t, err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "-gone")})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(`{"unclosed"`)})
	requireSFNError[*types.InvalidExecutionInput](t, err)
	_, err = client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("bad name")})
	requireSFNError[*types.InvalidName](t, err)

	// DescribeStateMachineForExecution: the definition it ran, not the latest.
	forExec, err := client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(greeted)})
	require.NoError(t, err)
	require.Equal(t, passDef, aws.ToString(forExec.Definition))
	require.Equal(t, sm, aws.ToString(forExec.StateMachineArn))
	_, err = client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(greeted + "-gone")})
	requireSFNError[*types.ExecutionDoesNotExist](t, err)

	// The state machine itself runs its latest definition, and fails.
	latest, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("latest")})
	require.NoError(t, err)
	failed := awaitExecution(t, s, client, aws.ToString(latest.ExecutionArn), types.ExecutionStatusFailed)
	require.Equal(t, "Boom", aws.ToString(failed.Error))
	require.Equal(t, "it had to", aws.ToString(failed.Cause))

	// ListExecutions: newest first, filtered by status.
	listed, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	var names []string
	for _, e := range listed.Executions {
		names = append(names, aws.ToString(e.Name))
	}
	require.Equal(t, []string{"latest", "hello"}, names)
	listed, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: types.ExecutionStatusFailed})
	require.NoError(t, err)
	require.Len(t, listed.Executions, 1)
	require.Equal(t, aws.ToString(latest.ExecutionArn), aws.ToString(listed.Executions[0].ExecutionArn))
	_, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm + "-gone")})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)
	_, err = client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: "SLEEPING"})
	requireSFNError[*types.ValidationException](t, err)

	// GetExecutionHistory.
	require.Equal(t, []types.HistoryEventType{
		types.HistoryEventTypeExecutionStarted, types.HistoryEventTypePassStateEntered,
		types.HistoryEventTypePassStateExited, types.HistoryEventTypeExecutionSucceeded,
	}, historyTypes(t, client, greeted))
	_, err = client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(greeted + "-gone")})
	requireSFNError[*types.ExecutionDoesNotExist](t, err)
	_, err = client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(greeted), NextToken: aws.String("bogus")})
	requireSFNError[*types.InvalidToken](t, err)

	// StartSyncExecution: an EXPRESS state machine answers at once; a
	// STANDARD one is refused.
	express, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("quick"), Type: types.StateMachineTypeExpress, RoleArn: aws.String(role), Definition: aws.String(passDef),
	})
	require.NoError(t, err)
	syncOut, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"who":"sync"}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, syncOut.Status)
	require.JSONEq(t, `{"greeting":"hello sync"}`, aws.ToString(syncOut.Output))
	_, err = client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(sm)})
	requireSFNError[*types.StateMachineTypeNotSupported](t, err)
	_, err = client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(aws.ToString(express.StateMachineArn) + "-gone")})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)

	// CreateActivity, and a state machine whose Task is the activity.
	act, err := client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("approve")})
	require.NoError(t, err)
	activity := aws.ToString(act.ActivityArn)
	require.Equal(t, account+"activity:approve", activity)
	_, err = client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("bad name")})
	requireSFNError[*types.InvalidName](t, err)
	asker, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("asker"), RoleArn: aws.String(role),
		Definition: aws.String(`{"StartAt":"Approve","States":{"Approve":{"Type":"Task","Resource":"` + activity +
			`","HeartbeatSeconds":600,"ResultPath":"$.answer","End":true}}}`),
	})
	require.NoError(t, err)
	ask := func(name, input string) string {
		t.Helper()
		out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: asker.StateMachineArn, Name: aws.String(name), Input: aws.String(input)})
		require.NoError(t, err)
		return aws.ToString(out.ExecutionArn)
	}

	// GetActivityTask, SendTaskHeartbeat, SendTaskSuccess.
	yes := ask("yes", `{"amount":42}`)
	token, input := takeActivityTask(t, client, activity, "w1")
	require.JSONEq(t, `{"amount":42}`, input)
	_, err = client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	require.NoError(t, err)
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{not json`)})
	requireSFNError[*types.InvalidOutput](t, err)
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	done = awaitExecution(t, s, client, yes, types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"amount":42,"answer":{"approved":true}}`, aws.ToString(done.Output))
	// A token is usable once.
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	requireSFNError[*types.TaskTimedOut](t, err)
	_, err = client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	requireSFNError[*types.TaskTimedOut](t, err)
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{}`)})
	requireSFNError[*types.InvalidToken](t, err)
	_, err = client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("not-a-token")})
	requireSFNError[*types.InvalidToken](t, err)
	_, err = client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(activity + "-gone")})
	requireSFNError[*types.ActivityDoesNotExist](t, err)

	// SendTaskFailure: the execution fails with the error given.
	no := ask("no", `{}`)
	token, _ = takeActivityTask(t, client, activity, "w2")
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(strings.Repeat("e", 257))})
	requireSFNErrorCode(t, err, "ValidationException") // not in SendTaskFailure's model: untyped
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Rejected"), Cause: aws.String("by a human")})
	require.NoError(t, err)
	failed = awaitExecution(t, s, client, no, types.ExecutionStatusFailed)
	require.Equal(t, "Rejected", aws.ToString(failed.Error))
	require.Equal(t, "by a human", aws.ToString(failed.Cause))
	require.Equal(t, types.ExecutionRedriveStatusRedrivable, failed.RedriveStatus)
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Late")})
	requireSFNError[*types.TaskTimedOut](t, err)
	_, err = client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("not-a-token")})
	requireSFNError[*types.InvalidToken](t, err)

	// StopExecution of one waiting on its activity task.
	halted := ask("halted", `{"n":1}`)
	token, _ = takeActivityTask(t, client, activity, "w3")
	_, err = client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(halted)})
	requireSFNError[*types.ExecutionNotRedrivable](t, err)
	stopped, err := client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(halted), Error: aws.String("Halt"), Cause: aws.String("by the test")})
	require.NoError(t, err)
	require.False(t, aws.ToTime(stopped.StopDate).IsZero())
	aborted := awaitExecution(t, s, client, halted, types.ExecutionStatusAborted)
	require.Equal(t, "Halt", aws.ToString(aborted.Error))
	require.Equal(t, types.ExecutionRedriveStatusRedrivable, aborted.RedriveStatus)
	_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	requireSFNError[*types.TaskTimedOut](t, err)
	_, err = client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(halted + "-gone")})
	requireSFNError[*types.ExecutionDoesNotExist](t, err)
	_, err = client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String("arn:nope")})
	requireSFNError[*types.InvalidArn](t, err)

	// RedriveExecution: the aborted one and the failed one run their Task
	// again, and this time succeed.
	for i, arn := range []string{halted, no} {
		redriven, err := client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		require.False(t, aws.ToTime(redriven.RedriveDate).IsZero())
		token, _ = takeActivityTask(t, client, activity, fmt.Sprintf("r%d", i))
		_, err = client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`"ok"`)})
		require.NoError(t, err)
		done = awaitExecution(t, s, client, arn, types.ExecutionStatusSucceeded)
		require.Equal(t, int32(1), aws.ToInt32(done.RedriveCount))
		require.Equal(t, "ok", requireJSONField(t, aws.ToString(done.Output), "answer"))
		require.Contains(t, historyTypes(t, client, arn), types.HistoryEventTypeExecutionRedriven)
	}
	_, err = client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(greeted)})
	requireSFNError[*types.ExecutionNotRedrivable](t, err)
	_, err = client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(greeted + "-gone")})
	requireSFNError[*types.ExecutionDoesNotExist](t, err)

	// ListActivities.
	_, err = client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("review")})
	require.NoError(t, err)
	activities, err := client.ListActivities(ctx, &sfn.ListActivitiesInput{MaxResults: 1})
	require.NoError(t, err)
	require.Len(t, activities.Activities, 1)
	require.Equal(t, "approve", aws.ToString(activities.Activities[0].Name))
	require.NotNil(t, activities.NextToken)
	activities, err = client.ListActivities(ctx, &sfn.ListActivitiesInput{NextToken: activities.NextToken})
	require.NoError(t, err)
	require.Len(t, activities.Activities, 1)
	require.Equal(t, "review", aws.ToString(activities.Activities[0].Name))
	require.Nil(t, activities.NextToken)
	_, err = client.ListActivities(ctx, &sfn.ListActivitiesInput{NextToken: aws.String("nope")})
	requireSFNError[*types.InvalidToken](t, err)

	// DeleteActivity: gone, and deleting again succeeds as on AWS.
	_, err = client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(activity)})
	require.NoError(t, err)
	_, err = client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(activity)})
	requireSFNError[*types.ActivityDoesNotExist](t, err)
	_, err = client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(activity)})
	require.NoError(t, err)
	_, err = client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String("nope")})
	requireSFNError[*types.InvalidArn](t, err)

	// ListStateMachines, in name order.
	machines, err := client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	names = nil
	for _, m := range machines.StateMachines {
		names = append(names, aws.ToString(m.Name))
	}
	require.Equal(t, []string{"asker", "greeter", "quick"}, names)
	_, err = client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: aws.String("made-up")})
	requireSFNError[*types.InvalidToken](t, err)
	_, err = client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 1001})
	requireSFNErrorCode(t, err, "ValidationException") // not in ListStateMachines' model: untyped

	// DeleteStateMachine: gone, and deleting again succeeds as on AWS.
	_, err = client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: express.StateMachineArn})
	require.NoError(t, err)
	_, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: express.StateMachineArn})
	requireSFNError[*types.StateMachineDoesNotExist](t, err)
	_, err = client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: express.StateMachineArn})
	require.NoError(t, err)
	_, err = client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String("nope")})
	requireSFNError[*types.InvalidArn](t, err)
	machines, err = client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Len(t, machines.StateMachines, 2)
}
