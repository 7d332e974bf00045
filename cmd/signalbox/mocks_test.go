package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store/storetest"
)

// AWS's example of mocked service integrations (testdata/mocks: the
// MockConfigFile and the LambdaSQSIntegration definition from the Step
// Functions Developer Guide, unchanged), run through `signalbox serve
// --mocks` with the SDK for Go, as the guide runs it through Step
// Functions Local.
const (
	mockConfigFile = "testdata/mocks/MockConfigFile.json"
	mockedMachine  = "testdata/mocks/LambdaSQSIntegration.asl.json"
	mockedName     = "LambdaSQSIntegration"
	mockedRole     = "arn:aws:iam::123456789012:role/service-role/LambdaSQSIntegration"
	lambdaSuccess  = `{"Payload":{"StatusCode":200,"body":"Hello from Lambda!"},"StatusCode":200}` // as the history renders it: keys sorted
	sqsSuccess     = `{"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}`
	// the example's queue does not exist: the real sqs:sendMessage says so
	// (maskRequestID hides its random request id)
	sqsNoQueueErr = `The specified queue does not exist. (Service: AmazonSQS; Status Code: 400; Error Code: AWS.SimpleQueueService.NonExistentQueue; Request ID: <id>; Proxy: null)`
)

var requestIDRE = regexp.MustCompile(`Request ID: [0-9a-f-]{36};`)

// maskRequestID replaces the request id of an SQS error's cause by <id>.
func maskRequestID(s string) string { return requestIDRE.ReplaceAllString(s, "Request ID: <id>;") }

// createMocked creates the example's state machine, of type typ, on the
// server of client, and returns its ARN.
func createMocked(t *testing.T, client *sfn.Client, typ types.StateMachineType) string {
	t.Helper()
	def, err := os.ReadFile(mockedMachine)
	require.NoError(t, err)
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(mockedName), Definition: aws.String(string(def)), RoleArn: aws.String(mockedRole), Type: typ,
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// allEvents is an execution's history, oldest first.
func allEvents(t *testing.T, client *sfn.Client, arn string) []types.HistoryEvent {
	t.Helper()
	var events []types.HistoryEvent
	p := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		events = append(events, page.Events...)
	}
	return events
}

// taskOutcomes renders the task events of a history, one a string:
// "ok <output>" for TaskSucceeded, "fail <error>: <cause>" for TaskFailed.
func taskOutcomes(events []types.HistoryEvent) []string {
	var out []string
	for _, ev := range events {
		switch ev.Type {
		case types.HistoryEventTypeTaskSucceeded:
			out = append(out, "ok "+aws.ToString(ev.TaskSucceededEventDetails.Output))
		case types.HistoryEventTypeTaskFailed:
			d := ev.TaskFailedEventDetails
			out = append(out, "fail "+aws.ToString(d.Error)+": "+aws.ToString(d.Cause))
		}
	}
	return out
}

// enteredInput is the input of the first StateEntered event of state.
func enteredInput(t *testing.T, events []types.HistoryEvent, state string) string {
	t.Helper()
	for _, ev := range events {
		if d := ev.StateEnteredEventDetails; d != nil && aws.ToString(d.Name) == state {
			return aws.ToString(d.Input)
		}
	}
	t.Fatalf("no state %s entered", state)
	return ""
}

var retryPathOutcomes = []string{
	"fail Lambda.ResourceNotReadyException: Lambda resource is not ready.",
	"fail Lambda.TimeoutException: Lambda timed out.",
	"fail Lambda.TimeoutException: Lambda timed out.",
	"ok " + lambdaSuccess,
	"ok " + sqsSuccess,
}

func TestServeMocksAWSExample(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--mocks", mockConfigFile)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	sm := createMocked(t, client, types.StateMachineTypeStandard)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:"+mockedName, sm)

	for _, tc := range []struct {
		testCase string
		status   types.ExecutionStatus
		output   string   // SUCCEEDED
		errName  string   // FAILED
		cause    string   // FAILED
		outcomes []string // the task events
	}{
		{testCase: "HappyPath", status: types.ExecutionStatusSucceeded, output: sqsSuccess,
			outcomes: []string{"ok " + lambdaSuccess, "ok " + sqsSuccess}},
		// 2 + 4 + 8 seconds of retries: this case takes 14 seconds
		{testCase: "RetryPath", status: types.ExecutionStatusSucceeded, output: sqsSuccess, outcomes: retryPathOutcomes},
		// SQSState is not mocked: as Step Functions Local, the call goes
		// to the real SQS integration, where the example's queue does not
		// exist
		{testCase: "HybridPath", status: types.ExecutionStatusFailed, errName: "SQS.AmazonSQSException", cause: sqsNoQueueErr,
			outcomes: []string{"ok " + lambdaSuccess, "fail SQS.AmazonSQSException: " + sqsNoQueueErr}},
	} {
		t.Run(tc.testCase, func(t *testing.T) {
			t.Parallel()
			name := "executionWith" + tc.testCase + "MockedServices"
			started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(sm + "#" + tc.testCase), Name: aws.String(name),
			})
			require.NoError(t, err)
			arn := aws.ToString(started.ExecutionArn)
			require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:"+name, arn)
			desc := awaitExecution(t, s, client, arn, tc.status)
			require.Equal(t, sm, aws.ToString(desc.StateMachineArn))
			if tc.status == types.ExecutionStatusSucceeded {
				require.JSONEq(t, tc.output, aws.ToString(desc.Output))
			} else {
				require.Equal(t, tc.errName, aws.ToString(desc.Error))
				require.Equal(t, tc.cause, maskRequestID(aws.ToString(desc.Cause)))
			}
			events := allEvents(t, client, arn)
			outcomes := taskOutcomes(events)
			for i := range outcomes {
				outcomes[i] = maskRequestID(outcomes[i])
			}
			require.Equal(t, tc.outcomes, outcomes)
			// the Lambda's mocked result is SQSState's input, as the
			// guide's history shows
			require.JSONEq(t, lambdaSuccess, enteredInput(t, events, "SQSState"))
		})
	}

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		_, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#SadPath")})
		requireSFNError[*types.ValidationException](t, err)
		require.ErrorContains(t, err, `test case "SadPath" of state machine "LambdaSQSIntegration" is not found in the mock configuration (it defines "HappyPath", "HybridPath", "RetryPath")`)
		// without a test case, the Tasks call the integrations: the
		// function runtime finds no such function, as Lambda answers
		started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm)})
		require.NoError(t, err)
		desc := awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusFailed)
		require.Equal(t, "Lambda.ResourceNotFoundException", aws.ToString(desc.Error))
		require.Contains(t, aws.ToString(desc.Cause), "Function not found")
	})

	t.Run("validate warns", func(t *testing.T) {
		t.Parallel()
		raw, err := os.ReadFile(mockedMachine)
		require.NoError(t, err)
		// lambda:invoke and sqs:sendMessage are served; a Glue job is not
		def := strings.Replace(string(raw), "arn:aws:states:::lambda:invoke", "arn:aws:states:::glue:startJobRun.sync", 1)
		out, err := client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{
			Definition: aws.String(def), Severity: types.ValidateStateMachineDefinitionSeverityWarning,
		})
		require.NoError(t, err)
		require.Equal(t, types.ValidateStateMachineDefinitionResultCodeOk, out.Result)
		require.Len(t, out.Diagnostics, 1, "lambda:invoke and sqs:sendMessage are served")
		for i, want := range []struct{ location, resource string }{
			{"/States/LambdaState/Resource", "arn:aws:states:::glue:startJobRun.sync"},
		} {
			d := out.Diagnostics[i]
			require.Equal(t, types.ValidateStateMachineDefinitionSeverityWarning, d.Severity)
			require.Equal(t, "UNHANDLED_TASK_RESOURCE", aws.ToString(d.Code))
			require.Equal(t, want.location, aws.ToString(d.Location))
			require.Contains(t, aws.ToString(d.Message), `"`+want.resource+`"`)
		}
		// severity ERROR (the default) returns errors only
		out, err = client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(def)})
		require.NoError(t, err)
		require.Equal(t, types.ValidateStateMachineDefinitionResultCodeOk, out.Result)
		require.Empty(t, out.Diagnostics)
	})
}

// The example's state machine as an EXPRESS one: StartSyncExecution with
// the test case runs it in memory on the mocks.
func TestServeMocksExpress(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--mocks", mockConfigFile)
	client := sfnAPIClient(s.URL)
	sm := createMocked(t, client, types.StateMachineTypeExpress)
	for _, tc := range []struct {
		testCase string
		status   types.SyncExecutionStatus
		output   string
		errName  string
	}{
		{"HappyPath", types.SyncExecutionStatusSucceeded, sqsSuccess, ""},
		{"RetryPath", types.SyncExecutionStatusSucceeded, sqsSuccess, ""}, // 14 seconds
		{"HybridPath", types.SyncExecutionStatusFailed, "", "SQS.AmazonSQSException"},
	} {
		t.Run(tc.testCase, func(t *testing.T) {
			t.Parallel()
			out, err := client.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(sm + "#" + tc.testCase)})
			require.NoError(t, err)
			require.Equal(t, tc.status, out.Status, "error %q cause %q", aws.ToString(out.Error), aws.ToString(out.Cause))
			require.Equal(t, sm, aws.ToString(out.StateMachineArn))
			if tc.output != "" {
				require.JSONEq(t, tc.output, aws.ToString(out.Output))
			}
			require.Equal(t, tc.errName, aws.ToString(out.Error))
		})
	}
}

// SFN_MOCK_CONFIG names the file, as for Step Functions Local; a server
// without mocks refuses a test case, saying how to give them.
func TestServeMocksFromEnvironment(t *testing.T) {
	t.Parallel()
	// startServe runs the binary with the test's environment: the
	// variable goes in through a wrapper
	abs, err := filepath.Abs(mockConfigFile)
	require.NoError(t, err)
	s := startServeUnder(t, []string{"env", "SFN_MOCK_CONFIG=" + abs})
	client := sfnAPIClient(s.URL)
	sm := createMocked(t, client, types.StateMachineTypeExpress)
	out, err := client.StartSyncExecution(context.Background(), &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(sm + "#HappyPath")})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)

	plain := startServe(t)
	client = sfnAPIClient(plain.URL)
	sm = createMocked(t, client, types.StateMachineTypeStandard)
	_, err = client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#HappyPath")})
	requireSFNError[*types.ValidationException](t, err)
	require.ErrorContains(t, err, "this server has no mock configuration (start it with --mocks FILE or $SFN_MOCK_CONFIG)")

	res := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--mocks", "testdata/mocks/missing.json")
	require.Equal(t, 2, res.code, "%s", res.stderr)
	require.Contains(t, res.stderr, "--mocks: mock: read mock configuration")
}

// The test case travels with a Standard execution, and so does the count
// of its mocked calls: a server stopped during RetryPath's retries and
// started again on the same Redis ends the execution as the documented
// path does (had the count restarted, the retries would meet the
// throwing responses again and the execution would fail).
func TestServeMocksSurviveARestart(t *testing.T) {
	t.Parallel()
	srv := redisproc.StartForTest(t, "--appendonly", "yes")
	prefix := storetest.Prefix("sbmock-")
	// the first server, stopped by the test (startServe's stop their
	// server at the test's end)
	first := exec.Command(signalbox(t), "serve", "--addr", "127.0.0.1:0", "--mocks", mockConfigFile, "--redis-url", srv.URL(), "--redis-prefix", prefix)
	var log bytes.Buffer
	first.Stderr = &log
	stdout, err := first.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, first.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "serve exited before listening: %s", log.String())
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "signalbox serving on ")
	require.True(t, ok, line)
	client := sfnAPIClient(url)
	sm := createMocked(t, client, types.StateMachineTypeStandard)
	started, err := client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#RetryPath"), Name: aws.String("restarted")})
	require.NoError(t, err)
	arn := aws.ToString(started.ExecutionArn)
	// stop the server once the first attempt failed (the retry waits 2s)
	deadline := time.Now().Add(sfnServeSafety)
	for len(taskOutcomes(allEvents(t, client, arn))) < 1 {
		require.True(t, time.Now().Before(deadline), "no task outcome")
		time.Sleep(5 * time.Millisecond) // the poll's pace
	}
	require.NoError(t, first.Process.Signal(syscall.SIGTERM))
	require.NoError(t, first.Wait(), log.String())
	again := startServe(t, "--mocks", mockConfigFile, "--redis-url", srv.URL(), "--redis-prefix", prefix)
	client = sfnAPIClient(again.URL)
	awaitExecution(t, again, client, arn, types.ExecutionStatusSucceeded)
	require.Equal(t, retryPathOutcomes, taskOutcomes(allEvents(t, client, arn)))
	require.Equal(t, 1, strings.Count(again.Log(), "mocks: executions started with"))
}

// A mocked .waitForTaskToken task ends with its mocked response, as in
// Step Functions Local (which makes up the token): no SendTaskSuccess is
// waited for.
func TestServeMocksWaitForTaskToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mocks := filepath.Join(dir, "mocks.json")
	require.NoError(t, os.WriteFile(mocks, []byte(`{
		"StateMachines": {"Callback": {"TestCases": {"Approved": {"Ask": "Approval"}}}},
		"MockedResponses": {"Approval": {"0": {"Return": {"approved": true}}}}}`), 0o644))
	s := startServe(t, "--mocks", mocks)
	client := sfnAPIClient(s.URL)
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String("Callback"), RoleArn: aws.String(mockedRole), Definition: aws.String(`{"StartAt":"Ask","States":{"Ask":{
			"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/approvals","MessageBody":{"token.$":"$$.Task.Token"}},
			"End":true}}}`),
	})
	require.NoError(t, err)
	started, err := client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(aws.ToString(out.StateMachineArn) + "#Approved")})
	require.NoError(t, err)
	desc := awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"approved":true}`, aws.ToString(desc.Output))
	require.Equal(t, []string{`ok {"approved":true}`}, taskOutcomes(allEvents(t, client, aws.ToString(started.ExecutionArn))))
}
