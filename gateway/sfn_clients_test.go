package gateway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
)

// The mismatches with AWS that real clients found (issue 12, item 5),
// each held by a test through the official SDK.

// ListExecutions of an EXPRESS state machine is refused as on AWS, which
// keeps no record of EXPRESS executions to list.
func TestSFNListExecutionsOfExpressIsNotSupported(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	sm := b.createMachine(t, "fast", echoDef, types.StateMachineTypeExpress)
	_, err := b.client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
	require.Equal(t, "This operation is not supported by this type of state machine",
		requireSFNType[*types.StateMachineTypeNotSupported](t, err).ErrorMessage())

	// A STANDARD one lists.
	std := b.createMachine(t, "slow", echoDef, "")
	out, err := b.client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(std)})
	require.NoError(t, err)
	require.Empty(t, out.Executions)
}

// requireSFNType asserts that err is the SDK's typed exception T, with
// HTTP status 400, and returns it.
func requireSFNType[T interface {
	error
	ErrorCode() string
	ErrorMessage() string
}](t *testing.T, err error) T {
	t.Helper()
	var typed T
	require.ErrorAs(t, err, &typed)
	requireAWSError(t, err, typed.ErrorCode())
	return typed
}

// Every list action's last page carries no nextToken, also when it is
// exactly full; the pages before it carry one that leads on.
func TestSFNLastPageHasNoNextToken(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "one", echoDef, "")
	b.createMachine(t, "two", echoDef, "")
	for _, name := range []string{"a", "b"} {
		_, err := b.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String(name)})
		require.NoError(t, err)
	}
	for _, name := range []string{"x", "y"} {
		b.waitStatus(t, b.start(t, sm, name, `{}`), types.ExecutionStatusSucceeded)
	}
	v1, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(passDef), Publish: true})
	require.NoError(t, err)
	for _, name := range []string{"blue", "green"} {
		_, err := b.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String(name),
			RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: v1.StateMachineVersionArn, Weight: 100}}})
		require.NoError(t, err)
	}
	exec := b.arnPrefix(t, sm) + "execution:one:x"
	// echoDef's history: ExecutionStarted, PassStateEntered,
	// PassStateExited, ExecutionSucceeded.
	const events = 4

	// lister lists one page of maxResults after token: its length and
	// its nextToken.
	type lister func(max int32, token *string) (int, *string)
	lists := map[string]struct {
		list lister
		all  int
	}{
		"ListStateMachines": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.StateMachines), out.NextToken
		}, 2},
		"ListActivities": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListActivities(ctx, &sfn.ListActivitiesInput{MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.Activities), out.NextToken
		}, 2},
		"ListExecutions": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.Executions), out.NextToken
		}, 2},
		"ListExecutions SUCCEEDED": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), StatusFilter: types.ExecutionStatusSucceeded, MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.Executions), out.NextToken
		}, 2},
		"ListStateMachineAliases": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.StateMachineAliases), out.NextToken
		}, 2},
		"ListStateMachineVersions": {func(max int32, token *string) (int, *string) {
			out, err := b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm), MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.StateMachineVersions), out.NextToken
		}, 2},
		"GetExecutionHistory": {func(max int32, token *string) (int, *string) {
			out, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(exec), MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.Events), out.NextToken
		}, events},
		"GetExecutionHistory reversed": {func(max int32, token *string) (int, *string) {
			out, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(exec), ReverseOrder: true, MaxResults: max, NextToken: token})
			require.NoError(t, err)
			return len(out.Events), out.NextToken
		}, events},
	}
	for name, l := range lists {
		// One page, exactly full: no token.
		n, next := l.list(int32(l.all), nil)
		require.Equal(t, l.all, n, name)
		require.Nil(t, next, "%s: a full last page has a nextToken", name)
		// A bigger page: no token.
		n, next = l.list(int32(l.all+1), nil)
		require.Equal(t, l.all, n, name)
		require.Nil(t, next, name)
		// Pages of one: a token on each page but the last.
		seen, pages := 0, 0
		var token *string
		for {
			n, next := l.list(1, token)
			require.Equal(t, 1, n, "%s: page %d", name, pages)
			seen, pages = seen+n, pages+1
			if next == nil {
				break
			}
			require.NotEmpty(t, *next, name)
			require.Less(t, pages, l.all, "%s: a token after the last item", name)
			token = next
		}
		require.Equal(t, l.all, seen, name)
	}
}

// arnPrefix is "arn:aws:states:<region>:<account>:" of a state machine ARN.
func (b *sfnBundle) arnPrefix(t *testing.T, smARN string) string {
	t.Helper()
	prefix, _, ok := strings.Cut(smARN, "stateMachine:")
	require.True(t, ok, smARN)
	return prefix
}

// A caller's trace header comes back from DescribeExecution as given,
// whether an X-Ray header or a W3C traceparent; StartSyncExecution
// returns it too.
func TestSFNTraceHeaderIsKeptAsGiven(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "traced", echoDef, "")
	for name, header := range map[string]string{
		"xray":      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		"xray-root": "Root=1-5759e988-bd862e3fe1be46a994272794",
		"w3c":       "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
		"opaque":    "my-own-header",
	} {
		out, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String(name), TraceHeader: aws.String(header)})
		require.NoError(t, err)
		desc := b.waitStatus(t, aws.ToString(out.ExecutionArn), types.ExecutionStatusSucceeded)
		require.Equal(t, header, aws.ToString(desc.TraceHeader), name)
	}
	// Without one, the execution's own trace, as a W3C traceparent.
	desc := b.waitStatus(t, b.start(t, sm, "none", `{}`), types.ExecutionStatusSucceeded)
	require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`, aws.ToString(desc.TraceHeader))

	_, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), TraceHeader: aws.String(strings.Repeat("x", 257))})
	requireAWSError(t, err, "ValidationException")

	express := b.createMachine(t, "traced-fast", echoDef, types.StateMachineTypeExpress)
	header := "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0"
	sync, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), TraceHeader: aws.String(header)})
	require.NoError(t, err)
	require.Equal(t, header, aws.ToString(sync.TraceHeader))
}

// DescribeStateMachine shows the logging and tracing configurations:
// AWS's defaults, or tracing as created and updated.
func TestSFNDescribeStateMachineConfigurations(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	plain := b.createMachine(t, "plain", echoDef, "")
	desc, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(plain)})
	require.NoError(t, err)
	require.Equal(t, &types.LoggingConfiguration{Level: types.LogLevelOff, IncludeExecutionData: false}, desc.LoggingConfiguration)
	require.Equal(t, &types.TracingConfiguration{Enabled: false}, desc.TracingConfiguration)

	created, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("traced"), Definition: aws.String(echoDef), RoleArn: aws.String(sfnRole),
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelOff},
	})
	require.NoError(t, err)
	traced := aws.ToString(created.StateMachineArn)
	tracing := func() bool {
		desc, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(traced)})
		require.NoError(t, err)
		require.Equal(t, types.LogLevelOff, desc.LoggingConfiguration.Level)
		return desc.TracingConfiguration.Enabled
	}
	require.True(t, tracing())
	// DescribeStateMachineForExecution shows them too.
	exec := b.start(t, traced, "traced", `{}`)
	b.waitStatus(t, exec, types.ExecutionStatusSucceeded)
	forExec, err := b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(exec)})
	require.NoError(t, err)
	require.Equal(t, &types.LoggingConfiguration{Level: types.LogLevelOff}, forExec.LoggingConfiguration)
	require.Equal(t, &types.TracingConfiguration{Enabled: true}, forExec.TracingConfiguration)
	// An update without a tracing configuration leaves it.
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(traced), Definition: aws.String(passDef)})
	require.NoError(t, err)
	require.True(t, tracing())
	_, err = b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(traced), TracingConfiguration: &types.TracingConfiguration{Enabled: false}})
	require.NoError(t, err)
	require.False(t, tracing())
}

// StartSyncExecution bills as AWS's pricing says: the duration rounded up
// to 100 ms, the memory in 64 MB chunks.
func TestSFNStartSyncExecutionBillingDetails(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "billed", passDef, types.StateMachineTypeExpress)
	out, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(`{"who":"bill"}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)
	require.NotNil(t, out.BillingDetails)
	require.Equal(t, int64(64), out.BillingDetails.BilledMemoryUsedInMB)
	ran := aws.ToTime(out.StopDate).Sub(aws.ToTime(out.StartDate))
	billed := out.BillingDetails.BilledDurationInMilliseconds
	require.Zero(t, billed%100, "billed in 100 ms steps: %d", billed)
	require.GreaterOrEqual(t, billed, int64(100))
	require.GreaterOrEqual(t, time.Duration(billed)*time.Millisecond, ran)
	require.Less(t, time.Duration(billed)*time.Millisecond, ran+100*time.Millisecond+time.Millisecond)

	// A failed execution is billed too.
	failed := b.createMachine(t, "billed-fail", failDef, types.StateMachineTypeExpress)
	out, err = b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(failed)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusFailed, out.Status)
	require.Equal(t, int64(64), out.BillingDetails.BilledMemoryUsedInMB)
	require.GreaterOrEqual(t, out.BillingDetails.BilledDurationInMilliseconds, int64(100))
}

// The exceptions that name a resource are worded as AWS words them.
func TestSFNErrorMessagesAsAWSWordsThem(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "worded", echoDef, "")
	prefix := b.arnPrefix(t, sm)

	_, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("worded"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole)})
	require.Equal(t, "State Machine Already Exists: '"+sm+"'", requireSFNType[*types.StateMachineAlreadyExists](t, err).ErrorMessage())

	missing := prefix + "stateMachine:missing"
	_, err = b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(missing)})
	require.Equal(t, "State Machine Does Not Exist: '"+missing+"'", requireSFNType[*types.StateMachineDoesNotExist](t, err).ErrorMessage())
	_, err = b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(missing)})
	require.Equal(t, "State Machine Does Not Exist: '"+missing+"'", requireSFNType[*types.StateMachineDoesNotExist](t, err).ErrorMessage())
	_, err = b.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(missing)})
	require.Equal(t, "State Machine Does Not Exist: '"+missing+"'", requireSFNType[*types.StateMachineDoesNotExist](t, err).ErrorMessage())

	exec := b.start(t, sm, "once", `{"a":1}`)
	b.waitStatus(t, exec, types.ExecutionStatusSucceeded)
	_, err = b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("once"), Input: aws.String(`{"a":2}`)})
	require.Equal(t, "Execution Already Exists: '"+exec+"'", requireSFNType[*types.ExecutionAlreadyExists](t, err).ErrorMessage())

	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{}`)})
	require.Equal(t, "Invalid Token: 'Invalid token'", requireSFNType[*types.InvalidToken](t, err).ErrorMessage())
	_, err = b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: aws.String("not-a-token")})
	require.Equal(t, "Invalid Token: 'Invalid token'", requireSFNType[*types.InvalidToken](t, err).ErrorMessage())
	_, err = b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(exec), NextToken: aws.String("bm90LWEtdG9rZW4")})
	require.Equal(t, "Invalid Token: 'Invalid token'", requireSFNType[*types.InvalidToken](t, err).ErrorMessage())
}

// A task answered once is closed: a second answer to its token, of any
// kind, is TaskTimedOut, worded as AWS words it.
func TestSFNSecondAnswerToATaskTokenIsTaskTimedOut(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "asks", tokenDef, "")
	exec := b.start(t, sm, "ask", `{}`)
	token := b.token(t, exec)
	_, err := b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"yes":true}`)})
	require.NoError(t, err)
	b.waitStatus(t, exec, types.ExecutionStatusSucceeded)

	const gone = "Task Timed Out: 'Provided task does not exist anymore'"
	_, err = b.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"yes":false}`)})
	require.Equal(t, gone, requireSFNType[*types.TaskTimedOut](t, err).ErrorMessage())
	_, err = b.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Late")})
	require.Equal(t, gone, requireSFNType[*types.TaskTimedOut](t, err).ErrorMessage())
	_, err = b.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	require.Equal(t, gone, requireSFNType[*types.TaskTimedOut](t, err).ErrorMessage())

	// The first answer stands.
	desc, err := b.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(exec)})
	require.NoError(t, err)
	require.JSONEq(t, `{"answer":{"yes":true}}`, aws.ToString(desc.Output))
}

// The role a state machine is created without is the one its executions
// run with: DescribeStateMachine and the history's ExecutionStarted agree.
func TestSFNDefaultRoleIsTheExecutionsRole(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	info, err := b.d.CreateStateMachine(ctx, runtimeParams("roleless", echoDef))
	require.NoError(t, err)
	desc, err := b.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(info.ARN)})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:iam::123456789012:role/signalbox", aws.ToString(desc.RoleArn))
	exec := b.start(t, info.ARN, "run", `{}`)
	b.waitStatus(t, exec, types.ExecutionStatusSucceeded)
	h, err := b.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(exec), MaxResults: 1})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(desc.RoleArn), aws.ToString(h.Events[0].ExecutionStartedEventDetails.RoleArn))
	list, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Len(t, list.StateMachines, 1)
	forExec, err := b.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(exec)})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(desc.RoleArn), aws.ToString(forExec.RoleArn))
}

// runtimeParams are a state machine's as the configuration file gives
// them: no role.
func runtimeParams(name, def string) runtime.StateMachineParams {
	return runtime.StateMachineParams{Name: name, Definition: []byte(def)}
}

// ValidateStateMachineDefinition lists every problem at once: a state
// without a Type hides neither a missing Next target nor an unreachable
// state.
func TestSFNValidateListsEveryProblem(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	out, err := b.client.ValidateStateMachineDefinition(context.Background(), &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(`{
		"StartAt": "A",
		"States": {
			"A": {"Next": "B"},
			"B": {"Type": "Pass", "Next": "Nowhere"},
			"C": {"Type": "Succeed"}
		}}`)})
	require.NoError(t, err)
	require.Equal(t, types.ValidateStateMachineDefinitionResultCodeFail, out.Result)
	var got []string
	for _, d := range out.Diagnostics {
		require.Equal(t, types.ValidateStateMachineDefinitionSeverityError, d.Severity)
		got = append(got, aws.ToString(d.Location)+" "+aws.ToString(d.Code))
	}
	require.Equal(t, []string{
		"/States/A/Type SCHEMA_VALIDATION_FAILED",
		"/States/B/Next MISSING_TRANSITION_TARGET",
		"/States/C UNREACHABLE_STATE",
	}, got)
}

// ListStateMachineVersions lists the published versions newest first,
// page by page.
func TestSFNListStateMachineVersions(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "versioned", echoDef, "")
	none, err := b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm)})
	require.NoError(t, err)
	require.Empty(t, none.StateMachineVersions)
	require.Nil(t, none.NextToken)

	var published []string
	for _, def := range []string{echoDef, passDef, failDef} {
		_, err := b.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(def)})
		require.NoError(t, err)
		v, err := b.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
		require.NoError(t, err)
		published = append(published, aws.ToString(v.StateMachineVersionArn))
	}
	require.Equal(t, []string{sm + ":1", sm + ":2", sm + ":3"}, published)

	var listed []string
	var token *string
	pages := 0
	for {
		page, err := b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm), MaxResults: 2, NextToken: token})
		require.NoError(t, err)
		pages++
		for _, v := range page.StateMachineVersions {
			listed = append(listed, aws.ToString(v.StateMachineVersionArn))
			require.False(t, aws.ToTime(v.CreationDate).IsZero())
		}
		if token = page.NextToken; token == nil {
			break
		}
		require.Less(t, pages, 3)
	}
	require.Equal(t, 2, pages)
	require.Equal(t, []string{sm + ":3", sm + ":2", sm + ":1"}, listed, "newest first")

	_, err = b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm + ":1")})
	requireAWSError(t, err, "ValidationException")
	_, err = b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String("nope")})
	requireAWSError(t, err, "InvalidArn")
	_, err = b.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm), NextToken: aws.String("bogus")})
	require.Equal(t, "Invalid Token: 'Invalid token'", requireSFNType[*types.InvalidToken](t, err).ErrorMessage())
}
