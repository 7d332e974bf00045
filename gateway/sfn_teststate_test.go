package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// TestState through the SDK, each case one of AWS's recorded answers
// (docs/teststate.md): the status, the next state, the output and error,
// and at DEBUG the inspection data, each JSON text compared as JSON.
func TestSFNTestState(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	const role = "arn:aws:iam::123456789012:role/test"
	hello := `{"Value":"HelloWorld"}`
	type want struct {
		status     types.TestExecutionStatus
		next       string
		output     string // JSON; "" for none
		err, cause string
		stages     map[string]string // inspection data stages, JSON; nil: no inspection data
		details    *types.InspectionErrorDetails
		maxConc    *int32
		tolerated  *int32
	}
	mock := func(result string) *types.MockInput { return &types.MockInput{Result: aws.String(result)} }
	mockErr := func(e, c string) *types.MockInput {
		return &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String(e), Cause: aws.String(c)}}
	}
	retryTask := `{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},
		"Retry":[{"ErrorEquals":["MockException"],"IntervalSeconds":1,"MaxAttempts":5,"BackoffRate":2.0}],"End":true}`
	catchTask := `{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"foo","Payload":"bar"},
		"Catch":[{"ErrorEquals":["MockException"],"Next":"HandleMockError","Output":"{% $states.errorOutput %}"},
		         {"ErrorEquals":["States.TaskFailed"],"Next":"HandleThreshold","Output":"{% $states.errorOutput %}"}],"End":true}`
	mapState := `{"Type":"Map","ItemsPath":"$.Values","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"HandleItem","States":{"HandleItem":{"Type":"Pass","End":true}}},
		"Catch":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"Next":"HandleThreshold"}],"End":true}`
	one := int32(1)
	zero := int32(0)
	for _, c := range []struct {
		name string
		in   sfn.TestStateInput
		want want
	}{
		{"pass INFO", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Input: aws.String(hello)},
			want{status: types.TestExecutionStatusSucceeded, output: hello}},
		{"pass DEBUG", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Next":"After"}`), Input: aws.String(hello), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, next: "After", output: hello, stages: map[string]string{
				"input": hello, "afterInputPath": hello, "afterParameters": hello, "afterResultSelector": hello, "afterResultPath": hello}}},
		{"pass with Result: no effective input shown", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","InputPath":"$.Value","Result":{"resultKey":"result value"},"ResultPath":"$.r","End":true}`),
			Input: aws.String(hello), InspectionLevel: types.InspectionLevelTrace},
			want{status: types.TestExecutionStatusSucceeded, output: `{"Value":"HelloWorld","r":{"resultKey":"result value"}}`, stages: map[string]string{
				"input": hello, "result": `{"resultKey":"result value"}`, "afterResultSelector": `{"resultKey":"result value"}`,
				"afterResultPath": `{"Value":"HelloWorld","r":{"resultKey":"result value"}}`}}},
		{"pass paths and parameters", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","InputPath":"$.initialData","Parameters":{"staticValue":"some value","inputValue.$":"$.fieldFromInput"},"ResultPath":"$.modifiedData","End":true}`),
			Input: aws.String(`{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}`), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded,
				output: `{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}}`,
				stages: map[string]string{
					"input":               `{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234}}`,
					"afterInputPath":      `{"fieldFromInput":"value from input","otherField":"other"}`,
					"afterParameters":     `{"staticValue":"some value","inputValue":"value from input"}`,
					"afterResultSelector": `{"staticValue":"some value","inputValue":"value from input"}`,
					"afterResultPath":     `{"initialData":{"fieldFromInput":"value from input","otherField":"other"},"unrelatedData":{"someOtherField":1234},"modifiedData":{"staticValue":"some value","inputValue":"value from input"}}`}}},
		{"fail", sfn.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"SomeFailure","Cause":"This state machines raises a 'SomeFailure' failure."}`), Input: aws.String(hello), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusFailed, err: "SomeFailure", cause: "This state machines raises a 'SomeFailure' failure.",
				stages: map[string]string{"input": hello, "afterInputPath": hello}}},
		{"choice", sfn.TestStateInput{Definition: aws.String(`{"Type":"Choice","Choices":[{"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
			{"Variable":"$.value","NumericEquals":0,"Next":"ValueIsZero"},{"And":[{"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"}],"Default":"DefaultState"}`),
			Input: aws.String(`{"type":"Private","value":22}`)},
			want{status: types.TestExecutionStatusSucceeded, next: "ValueInTwenties", output: `{"type":"Private","value":22}`}},
		{"JSONata choice", sfn.TestStateInput{Definition: aws.String(`{"Type":"Choice","QueryLanguage":"JSONata","Choices":[{"Condition":"{% $states.input.cost < 10 %}","Next":"Purchase Approved"}],"Default":"Ask for Approval"}`),
			Input: aws.String(`{"cost":10}`), InspectionLevel: types.InspectionLevelTrace},
			want{status: types.TestExecutionStatusSucceeded, next: "Ask for Approval", output: `{"cost":10}`, stages: map[string]string{"input": `{"cost":10}`}}},
		{"succeed", sfn.TestStateInput{Definition: aws.String(`{"Type":"Succeed"}`), Input: aws.String(hello), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, output: hello, stages: map[string]string{"input": hello, "afterInputPath": hello}}},
		{"wait: not waited for", sfn.TestStateInput{Definition: aws.String(`{"Type":"Wait","Seconds":3600,"Next":"Later"}`), Input: aws.String(hello)},
			want{status: types.TestExecutionStatusSucceeded, next: "Later", output: hello}},
		{"task, a real call", sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::test:echo","Parameters":{"v.$":"$.Value"},"ResultSelector":{"got.$":"$.echo.v"},"ResultPath":"$.out","Next":"N"}`),
			Input: aws.String(hello), RoleArn: aws.String(role), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, next: "N", output: `{"Value":"HelloWorld","out":{"got":"HelloWorld"}}`, stages: map[string]string{
				"input": hello, "afterInputPath": hello, "afterParameters": `{"v":"HelloWorld"}`, "result": `{"echo":{"v":"HelloWorld"}}`,
				"afterResultSelector": `{"got":"HelloWorld"}`, "afterResultPath": `{"Value":"HelloWorld","out":{"got":"HelloWorld"}}`}}},
		{"task, a real call that fails, not retried", sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::test:flaky","Retry":[{"ErrorEquals":["Flaky"]}],"End":true}`),
			Input: aws.String(hello), RoleArn: aws.String(role), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusRetriable, err: "Flaky", cause: "the first call fails",
				stages:  map[string]string{"input": hello, "afterInputPath": hello, "afterParameters": hello},
				details: &types.InspectionErrorDetails{RetryIndex: aws.Int32(0), RetryBackoffIntervalSeconds: aws.Int32(1)}}},
		{"task mocked, no role needed", sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.putItemOutput","End":true}`),
			Input: aws.String(hello), Mock: mock(`{"Payload": "function output", "SdkHttpMetadata": {"HttpStatusCode": 200}}`)},
			want{status: types.TestExecutionStatusSucceeded, output: `{"Value":"HelloWorld","putItemOutput":{"Payload":"function output","SdkHttpMetadata":{"HttpStatusCode":200}}}`}},
		{"JSONata task mocked", sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::apigateway:invoke",
			"Arguments":{"Method":"POST","RequestBody":{"cost":"{% $states.input.cost %}"}},"Output":{"approval":"{% $states.result.approval %}"},"Next":"Check Approval"}`),
			Input: aws.String(`{"cost":10}`), Mock: mock(`{"approval": true }`), InspectionLevel: types.InspectionLevelTrace},
			want{status: types.TestExecutionStatusSucceeded, next: "Check Approval", output: `{"approval":true}`, stages: map[string]string{
				"input": `{"cost":10}`, "afterArguments": `{"Method":"POST","RequestBody":{"cost":10}}`, "result": `{"approval":true}`}}},
		{"mocked error, retriable", sfn.TestStateInput{Definition: aws.String(retryTask), Input: aws.String(hello), Mock: mockErr("MockException", "Mock the cause of the error."),
			StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(4)}, InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusRetriable, err: "MockException", cause: "Mock the cause of the error.",
				stages:  map[string]string{"input": hello, "afterArguments": `{"FunctionName":"foo","Payload":"bar"}`},
				details: &types.InspectionErrorDetails{RetryIndex: aws.Int32(0), RetryBackoffIntervalSeconds: aws.Int32(16)}}},
		{"mocked error, retries spent", sfn.TestStateInput{Definition: aws.String(retryTask), Input: aws.String(hello), Mock: mockErr("MockException", "Mock the cause of the error."),
			StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(5)}, InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusFailed, err: "MockException", cause: "Mock the cause of the error.",
				stages:  map[string]string{"input": hello, "afterArguments": `{"FunctionName":"foo","Payload":"bar"}`},
				details: &types.InspectionErrorDetails{RetryIndex: aws.Int32(0)}}},
		{"mocked error, caught", sfn.TestStateInput{Definition: aws.String(catchTask), Input: aws.String(hello), Mock: mockErr("States.TaskFailed", "The task failed."), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusCaughtError, next: "HandleThreshold", err: "States.TaskFailed", cause: "The task failed.",
				output:  `{"Error":"States.TaskFailed","Cause":"The task failed."}`,
				stages:  map[string]string{"input": hello, "afterArguments": `{"FunctionName":"foo","Payload":"bar"}`},
				details: &types.InspectionErrorDetails{CatchIndex: aws.Int32(1)}}},
		{"map mocked", sfn.TestStateInput{Definition: aws.String(mapState), Input: aws.String(`{"Values":["first","second","third"]}`), Mock: mock(`[1, 1, 1]`), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, output: `[1,1,1]`, maxConc: &zero, tolerated: &one, stages: map[string]string{
				"input": `{"Values":["first","second","third"]}`, "afterInputPath": `{"Values":["first","second","third"]}`, "afterItemsPath": `["first","second","third"]`,
				"afterResultSelector": `[1,1,1]`, "afterResultPath": `[1,1,1]`}}},
		{"map over its tolerated failures", sfn.TestStateInput{Definition: aws.String(mapState), Input: aws.String(`{"Values":["first","second","third"]}`), Mock: mock(`[0, 0, 1]`),
			StateConfiguration: &types.TestStateConfiguration{MapIterationFailureCount: aws.Int32(2)}},
			want{status: types.TestExecutionStatusCaughtError, next: "HandleThreshold", err: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded",
				output: `{"Error":"States.ExceedToleratedFailureThreshold","Cause":"The specified tolerated failure threshold was exceeded"}`}},
		{"map failing by its processor's mocked error", sfn.TestStateInput{Definition: aws.String(mapState), Input: aws.String(`{"Values":[1]}`), Mock: mockErr("MockException", "Mock the cause of the error."),
			StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("HandleItem")}},
			want{status: types.TestExecutionStatusFailed, err: "MockException", cause: "Mock the cause of the error."}},
		{"state of a whole machine, variables", sfn.TestStateInput{Definition: aws.String(`{"QueryLanguage":"JSONata","StartAt":"State0","States":{
			"State0":{"Type":"Pass","Output":{"v":"{% $var_input_value %}","sum":"{% $sum($states.input.input_values) + $var_constant_1 %}","name":"{% $states.context.State.Name %}"},"Assign":{"x":1},"Next":"State1"},
			"State1":{"Type":"Fail","Error":"SomeFailure"}}}`), StateName: aws.String("State0"),
			Input: aws.String(`{"input_values":[1,2,3]}`), Variables: aws.String(`{"var_input_value":"test_value","var_constant_1":10}`), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, next: "State1", output: `{"v":"test_value","sum":16,"name":"StateName"}`, stages: map[string]string{
				"input": `{"input_values":[1,2,3]}`, "variables": `{"var_input_value":"test_value","var_constant_1":10,"x":1}`}}},
		{"a state in a Map's iterations: the first item's Context", sfn.TestStateInput{Definition: aws.String(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"HandleItem",
			"States":{"HandleItem":{"Type":"Pass","Parameters":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value"},"End":true}}},"End":true}}}`), StateName: aws.String("HandleItem"), Input: aws.String(hello)},
			want{status: types.TestExecutionStatusSucceeded, output: `{"index":0,"value":{"Value":"HelloWorld"}}`}},
		{"context given with a mock", sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters":{"MessageBody":{"TaskToken.$":"$$.Task.Token"}},"ResultPath":"$.SQS","Next":"NEXT_STATE"}`),
			Context: aws.String(`{"Task":{"Token":"abcd123"}}`), Mock: mock(`{"ok":1}`), InspectionLevel: types.InspectionLevelDebug},
			want{status: types.TestExecutionStatusSucceeded, next: "NEXT_STATE", output: `{"SQS":{"ok":1}}`, stages: map[string]string{
				"input": `{}`, "afterInputPath": `{}`, "afterParameters": `{"MessageBody":{"TaskToken":"abcd123"}}`, "result": `{"ok":1}`,
				"afterResultSelector": `{"ok":1}`, "afterResultPath": `{"SQS":{"ok":1}}`}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := b.client.TestState(context.Background(), &c.in)
			require.NoError(t, err)
			require.Equal(t, c.want.status, out.Status)
			require.Equal(t, c.want.next, aws.ToString(out.NextState))
			if c.want.output == "" {
				require.Nil(t, out.Output)
			} else {
				require.JSONEq(t, c.want.output, aws.ToString(out.Output))
			}
			require.Equal(t, c.want.err, aws.ToString(out.Error))
			require.Equal(t, c.want.cause, aws.ToString(out.Cause))
			if c.want.stages == nil {
				require.Nil(t, out.InspectionData)
				return
			}
			d := out.InspectionData
			require.NotNil(t, d)
			got := map[string]string{}
			for name, v := range map[string]*string{"input": d.Input, "afterArguments": d.AfterArguments, "afterInputPath": d.AfterInputPath,
				"afterParameters": d.AfterParameters, "afterItemsPath": d.AfterItemsPath, "result": d.Result, "afterResultSelector": d.AfterResultSelector,
				"afterResultPath": d.AfterResultPath, "variables": d.Variables} {
				if v != nil {
					got[name] = *v
				}
			}
			require.Equal(t, len(c.want.stages), len(got), "stages: %v", got)
			for name, v := range c.want.stages {
				require.Contains(t, got, name)
				require.JSONEq(t, v, got[name], name)
			}
			require.Equal(t, c.want.maxConc, d.MaxConcurrency)
			require.Equal(t, c.want.tolerated, d.ToleratedFailureCount)
			if c.want.details == nil {
				require.Nil(t, d.ErrorDetails)
			} else {
				require.NotNil(t, d.ErrorDetails)
				require.Equal(t, c.want.details.RetryIndex, d.ErrorDetails.RetryIndex)
				require.Equal(t, c.want.details.CatchIndex, d.ErrorDetails.CatchIndex)
				require.Equal(t, c.want.details.RetryBackoffIntervalSeconds, d.ErrorDetails.RetryBackoffIntervalSeconds)
			}
		})
	}
}

// TestState's refusals, in AWS's words where AWS's recorded answers give
// them.
func TestSFNTestStateRefusals(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	task := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`
	mapDef := `{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`
	for _, c := range []struct {
		name    string
		in      sfn.TestStateInput
		code    string
		message string
	}{
		{"a task without a role", sfn.TestStateInput{Definition: aws.String(task)}, "ValidationException", "RoleArn must be specified when testing a Task state"},
		{"a mock not JSON", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("not JSON string"), FieldValidationMode: types.MockResponseValidationModeNone}},
			"ValidationException", "Mocked result must be valid JSON"},
		{"a mock of a Pass", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Mock: &types.MockInput{Result: aws.String("{}")}},
			"ValidationException", "State type 'Pass' is not supported when a mock is specified"},
		{"a mock of a Succeed", sfn.TestStateInput{Definition: aws.String(`{"Type":"Succeed"}`), Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E")}}},
			"ValidationException", "State type 'Succeed' is not supported when a mock is specified"},
		{"a Map without a mock", sfn.TestStateInput{Definition: aws.String(mapDef)}, "InvalidDefinition",
			"TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"},
		{"a mock of both kinds", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}"), ErrorOutput: &types.MockErrorOutput{Error: aws.String("E")}}},
			"ValidationException", "A test mock should have only one of the following fields: [result, errorOutput]."},
		{"secrets with a mock", sfn.TestStateInput{Definition: aws.String(task), RevealSecrets: true, Mock: &types.MockInput{Result: aws.String("{}")}},
			"ValidationException", "TestState does not support RevealSecrets when a mock is specified."},
		{"a Map's mock not an array", sfn.TestStateInput{Definition: aws.String(mapDef), Mock: &types.MockInput{Result: aws.String(`{"a":1}`)}},
			"ValidationException", "Mocked result must be an array."},
		{"a state not in the machine", sfn.TestStateInput{Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), StateName: aws.String("dne")},
			"ValidationException", "State not found in definition"},
		{"a Task context for a plain task", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}")}, Context: aws.String(`{"Task":{"Token":"t"}}`)},
			"ValidationException", "Invalid Context object provided: Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern"},
		{"a context Execution.Id not a string", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}")}, Context: aws.String(`{"Execution": {"Id": 1}}`)},
			"ValidationException", "Invalid Context object provided: Execution.Id must be a string"},
		{"a context Map", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}")}, Context: aws.String(`{"Map": {}}`)},
			"ValidationException", "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"},
		{"a context field unknown", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}")}, Context: aws.String(`{"Execution": {"pokemon": "squirtle"}}`)},
			"ValidationException", "Invalid Context object provided: Field 'pokemon' is not allowed"},
		{"a context part unknown", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String("{}")}, Context: aws.String(`{"Pokedex": {}}`)},
			"ValidationException", "Invalid Context object provided: Field 'Pokedex' is not allowed"},
		{"an invalid state", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass"}`)}, "InvalidDefinition", ""},
		{"an invalid level", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), InspectionLevel: "LOUD"}, "ValidationException", ""},
		{"input not JSON", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Input: aws.String("{")}, "InvalidExecutionInput", ""},
		{"errorCausedByState of a Task", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E")}},
			StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("P")}}, "ValidationException", ""},
		{"errorCausedByState not in the Map", sfn.TestStateInput{Definition: aws.String(mapDef), Mock: &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("E")}},
			StateConfiguration: &types.TestStateConfiguration{ErrorCausedByState: aws.String("Nope")}}, "ValidationException", ""},
		{"a mock over the payload limit", sfn.TestStateInput{Definition: aws.String(task), Mock: &types.MockInput{Result: aws.String(`"` + strings.Repeat("x", 300_000) + `"`)}}, "ValidationException", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.client.TestState(context.Background(), &c.in)
			msg := requireAWSError(t, err, c.code)
			if c.message != "" {
				require.Equal(t, c.message, msg)
			}
		})
	}
}

// A mocked task result is checked against its integration's result as
// AWS checks it: STRICT (the default) the required members and the
// members' types, PRESENT the types, NONE nothing; unknown members pass.
func TestSFNTestStateMockFieldValidation(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	task := func(resource string) *string {
		return aws.String(`{"Type":"Task","Resource":"arn:aws:states:::` + resource + `","End":true}`)
	}
	for _, c := range []struct {
		resource, result string
		mode             types.MockResponseValidationMode
		problem          string // "": accepted
	}{
		{"states:startExecution", `{}`, "", "Required field 'ExecutionArn' is missing"},
		{"states:startExecution", `{"executionArn":"x","startDate":"y"}`, types.MockResponseValidationModeStrict, "Required field 'ExecutionArn' is missing"},
		{"states:startExecution", `{"executionArn":"x","startDate":"y"}`, types.MockResponseValidationModePresent, ""},
		{"states:startExecution", `{"ExecutionArn":"x","StartDate":true}`, "", "Field 'StartDate' must be a string"},
		{"states:startExecution", `{"ExecutionArn":"x","StartDate":true}`, types.MockResponseValidationModePresent, "Field 'StartDate' must be a string"},
		{"states:startExecution", `{"ExecutionArn":"x","StartDate":true}`, types.MockResponseValidationModeNone, ""},
		{"states:startExecution", `{"ExecutionArn":"x","StartDate":"2025-01-15T10:30:00.000Z"}`, "", ""},
		{"lambda:invoke", `{"StatusCode":"200"}`, "", "Field 'StatusCode' must be a number"},
		{"lambda:invoke", `{"StatusCode":200,"Payload":{"any":"thing"}}`, "", ""},
		{"events:putEvents", `{"Entries":{}}`, "", "Field 'Entries' must be an array"},
		{"events:putEvents", `{"Entries":[{"EventId":"a"},{"EventId":1}]}`, "", "Field 'EventId' must be a string"},
		{"events:putEvents", `{"random":"json"}`, "", ""},
		{"http:invoke", `{"StatusCode":"not checked"}`, "", ""},
	} {
		out, err := b.client.TestState(context.Background(), &sfn.TestStateInput{Definition: task(c.resource),
			Mock: &types.MockInput{Result: aws.String(c.result), FieldValidationMode: c.mode}})
		if c.problem == "" {
			require.NoError(t, err, "%s %s %s", c.resource, c.result, c.mode)
			require.Equal(t, types.TestExecutionStatusSucceeded, out.Status)
			require.JSONEq(t, c.result, aws.ToString(out.Output))
			continue
		}
		require.Equal(t, "Mock result schema validation error: "+c.problem, requireAWSError(t, err, "ValidationException"), "%s %s %s", c.resource, c.result, c.mode)
	}
}
