package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// decodeOne decodes stdout, which must hold exactly one JSON object on one
// line.
func decodeOne(t *testing.T, stdout string) map[string]any {
	t.Helper()
	require.True(t, strings.HasSuffix(stdout, "\n"), "stdout ends with a newline: %q", stdout)
	require.Equal(t, 1, strings.Count(stdout, "\n"), "stdout is one line: %q", stdout)
	dec := json.NewDecoder(strings.NewReader(stdout))
	var obj map[string]any
	require.NoError(t, dec.Decode(&obj), stdout)
	var extra any
	require.True(t, errors.Is(dec.Decode(&extra), io.EOF), "nothing follows the object: %q", stdout)
	return obj
}

func TestRunCLIResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		def      string
		args     []string
		wantCode int
		want     string
	}{
		{
			name:     "succeeded: exit 0 and the output",
			def:      `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"hello.$":"$.name"},"End":true}}}`,
			args:     []string{"--input", `{"name":"world"}`},
			wantCode: 0,
			want:     `{"status":"SUCCEEDED","output":{"hello":"world"}}`,
		},
		{
			name:     "the default input is {}",
			def:      `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
			wantCode: 0,
			want:     `{"status":"SUCCEEDED","output":{}}`,
		},
		{
			name:     "a null output is printed",
			def:      `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":null,"End":true}}}`,
			wantCode: 0,
			want:     `{"status":"SUCCEEDED","output":null}`,
		},
		{
			name:     "failed: exit 1, error and cause",
			def:      `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Order.Invalid","Cause":"no items"}}}`,
			wantCode: 1,
			want:     `{"status":"FAILED","error":"Order.Invalid","cause":"no items"}`,
		},
		{
			name:     "timed out: exit 1",
			def:      `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`,
			args:     []string{"--clock", "virtual"},
			wantCode: 1,
			want:     `{"status":"TIMED_OUT","error":"States.Timeout","cause":"The execution timed out"}`,
		},
		{
			name:     "a Task with no mock fails, naming the resource",
			def:      `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}`,
			wantCode: 1,
			want:     `{"status":"FAILED","error":"States.Runtime","cause":"the Task state \"T\" calls \"arn:aws:states:::sqs:sendMessage\", and signalbox run serves Task states from a mock file only: give --mocks and --test-case"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"m.asl.json": tt.def})
			res := runCLI(t, dir, append([]string{"run", "m.asl.json"}, tt.args...)...)
			require.Equal(t, tt.wantCode, res.code, "stderr: %s", res.stderr)
			decodeOne(t, res.stdout)
			require.JSONEq(t, tt.want, res.stdout)
		})
	}
}

func TestRunCLIInvalidDefinition(t *testing.T) {
	t.Parallel()
	res := runCLI(t, filepath.Join("testdata", "cli"), "run", "invalid.asl.json")
	require.Equal(t, 2, res.code)
	require.Empty(t, res.stdout, "nothing on stdout")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	require.Len(t, lines, 3, res.stderr)
	require.Contains(t, lines[0], "invalid.asl.json:4: /States/A/Retry/0/ErrorEquals/0")
	require.Contains(t, lines[0], "STATES_ALL_NOT_LAST")
	require.Contains(t, lines[1], "invalid.asl.json:5: /States/B UNREACHABLE_STATE")
	require.Contains(t, lines[2], "invalid.asl.json:5: /States/B/Type")
	require.Contains(t, lines[2], "SCHEMA_VALIDATION_FAILED")
}

func TestRunCLIBadArguments(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"m.asl.json":   `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`,
		"in.json":      `{"a":1}`,
		"bad.json":     `{"a":`,
		"mocks.json":   `{"StateMachines":{"m":{"TestCases":{"T":{}}}},"MockedResponses":{}}`,
		"badmock.json": `{"StateMachines":42}`,
	})
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no file", []string{}, "exactly one definition file"},
		{"two files", []string{"m.asl.json", "m.asl.json"}, "exactly one definition file"},
		{"missing file", []string{"nope.asl.json"}, "nope.asl.json"},
		{"bad --input JSON", []string{"m.asl.json", "--input", `{"a":`}, "not valid JSON"},
		{"bad --input-file JSON", []string{"m.asl.json", "--input-file", "bad.json"}, "not valid JSON"},
		{"missing --input-file", []string{"m.asl.json", "--input-file", "nope.json"}, "nope.json"},
		{"--input with --input-file", []string{"m.asl.json", "--input", `{}`, "--input-file", "in.json"}, "--input and --input-file"},
		{"--mocks without --test-case", []string{"m.asl.json", "--mocks", "mocks.json"}, "--mocks and --test-case"},
		{"--test-case without --mocks", []string{"m.asl.json", "--test-case", "T"}, "--mocks and --test-case"},
		{"unknown --clock", []string{"m.asl.json", "--clock", "fast"}, `--clock must be real or virtual, got "fast"`},
		{"unknown flag", []string{"m.asl.json", "--bogus"}, "-bogus"},
		{"invalid mock file", []string{"m.asl.json", "--mocks", "badmock.json", "--test-case", "T"}, "badmock.json"},
		{"unknown test case", []string{"m.asl.json", "--mocks", "mocks.json", "--test-case", "Nope"}, `"Nope"`},
		{"unknown state machine", []string{"m.asl.json", "--mocks", "mocks.json", "--test-case", "T", "--name", "other"}, `"other"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, dir, append([]string{"run"}, tt.args...)...)
			require.Equal(t, 2, res.code, "stdout %q stderr %q", res.stdout, res.stderr)
			require.Empty(t, res.stdout)
			require.Contains(t, res.stderr, tt.wantStderr)
		})
	}
}

func TestRunCLIInputFile(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"m.asl.json": `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"id.$":"$.id","n.$":"$.amount"},"End":true}}}`,
	})
	res := runCLI(t, dir, "run", "m.asl.json", "--input-file", testdataPath(t, "order.input.json"))
	require.Equal(t, 0, res.code, res.stderr)
	require.JSONEq(t, `{"status":"SUCCEEDED","output":{"id":"order-7","n":12.5}}`, res.stdout)
}

// historyEvent is the part of a rendered history event every event has.
type historyEvent struct {
	ID        int64  `json:"id"`
	Previous  *int64 `json:"previousEventId"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
}

func TestRunCLIHistory(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"m.asl.json": `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":31536000,"End":true}}}`})
	begin := time.Now()
	res := runCLI(t, dir, "run", "m.asl.json", "--clock", "virtual", "--history", "--input", `{"x":1}`)
	require.Less(t, time.Since(begin), time.Minute, "a year's wait on the virtual clock takes no real time")
	require.Equal(t, 0, res.code, res.stderr)
	obj := decodeOne(t, res.stdout)
	require.Equal(t, "SUCCEEDED", obj["status"])
	require.Equal(t, map[string]any{"x": float64(1)}, obj["output"])

	var out struct {
		History []historyEvent `json:"history"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out))
	var raw struct {
		History []map[string]any `json:"history"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &raw))

	wantTypes := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"}
	require.Len(t, out.History, len(wantTypes))
	for i, ev := range out.History {
		require.Equal(t, wantTypes[i], ev.Type)
		require.Equal(t, int64(i+1), ev.ID)
		require.NotNil(t, ev.Previous, "event %d has previousEventId", ev.ID)
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, ev.Timestamp)
	}
	require.Equal(t, map[string]any{
		"input": `{"x":1}`, "inputDetails": map[string]any{"truncated": false}, "roleArn": "arn:aws:iam::123456789012:role/signalbox",
	}, raw.History[0]["executionStartedEventDetails"])

	entered, err := time.Parse(time.RFC3339, out.History[3].Timestamp)
	require.NoError(t, err)
	exited, err := time.Parse(time.RFC3339, out.History[4].Timestamp)
	require.NoError(t, err)
	require.Equal(t, 365*24*time.Hour, exited.Sub(entered), "the virtual clock moved by the whole wait")
}

func TestRunCLIWithoutHistoryHasNoHistory(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"m.asl.json": `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`})
	res := runCLI(t, dir, "run", "m.asl.json")
	require.Equal(t, 0, res.code)
	require.NotContains(t, decodeOne(t, res.stdout), "history")
}

func TestRunCLIMocks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		testCase   string
		wantCode   int
		want       string // the result without history
		wantFailed []string
		// wantDelays are the delays before each retry: IntervalSeconds 1,
		// BackoffRate 2, on the virtual clock.
		wantDelays []time.Duration
	}{
		{
			name:     "Return values serve every Task",
			testCase: "HappyPath",
			wantCode: 0,
			want: `{"status":"SUCCEEDED","output":{"id":"order-7","amount":12.5,
				"charge":{"charged":true},"notified":{"messageId":"m-1"}}}`,
		},
		{
			name:     "Throw is caught by Catch",
			testCase: "Declined",
			wantCode: 0,
			want: `{"status":"SUCCEEDED","output":{"id":"order-7","amount":12.5,
				"declined":{"Error":"Card.Declined","Cause":"insufficient funds"},"outcome":"declined"}}`,
			wantFailed: []string{"Card.Declined"},
		},
		{
			name:     "retries consume the \"0\" then the \"1-2\" responses",
			testCase: "Flaky",
			wantCode: 0,
			want: `{"status":"SUCCEEDED","output":{"id":"order-7","amount":12.5,
				"charge":{"charged":true},"notified":{"messageId":"m-1"}}}`,
			wantFailed: []string{"Lambda.ServiceException", "Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException"},
			wantDelays: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:       "retries exhausted",
			testCase:   "TooFlaky",
			wantCode:   1,
			want:       `{"status":"FAILED","error":"Lambda.TooManyRequestsException","cause":"slow down"}`,
			wantFailed: []string{"Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException", "Lambda.TooManyRequestsException"},
			wantDelays: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runCLI(t, "", "run", testdataPath(t, "orders.asl.json"), "--input-file", testdataPath(t, "order.input.json"),
				"--mocks", testdataPath(t, "orders.mocks.json"), "--test-case", tt.testCase, "--clock", "virtual", "--history")
			require.Equal(t, tt.wantCode, res.code, "stdout %s stderr %s", res.stdout, res.stderr)
			obj := decodeOne(t, res.stdout)
			history := obj["history"].([]any)
			delete(obj, "history")
			got, err := json.Marshal(obj)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(got))

			// The Charge state's task events: which errors it failed with, and
			// how long after each failure it was scheduled again.
			var failed []string
			var delays []time.Duration
			var lastFailure time.Time
			for _, raw := range history {
				ev := raw.(map[string]any)
				ts, err := time.Parse(time.RFC3339, ev["timestamp"].(string))
				require.NoError(t, err)
				switch ev["type"] {
				case "TaskFailed":
					failed = append(failed, ev["taskFailedEventDetails"].(map[string]any)["error"].(string))
					lastFailure = ts
				case "TaskScheduled":
					if !lastFailure.IsZero() {
						delays = append(delays, ts.Sub(lastFailure))
						lastFailure = time.Time{}
					}
				}
			}
			require.Equal(t, tt.wantFailed, failed)
			require.Equal(t, tt.wantDelays, delays)
		})
	}
}

func TestRunCLIUnmockedTaskNamesStateAndResource(t *testing.T) {
	t.Parallel()
	res := runCLI(t, "", "run", testdataPath(t, "orders.asl.json"), "--input-file", testdataPath(t, "order.input.json"),
		"--mocks", testdataPath(t, "orders.mocks.json"), "--test-case", "NotifyNotMocked", "--clock", "virtual")
	require.Equal(t, 1, res.code)
	obj := decodeOne(t, res.stdout)
	require.Equal(t, "FAILED", obj["status"])
	require.Equal(t, "States.Runtime", obj["error"])
	cause := obj["cause"].(string)
	require.Contains(t, cause, `"Notify"`)
	require.Contains(t, cause, `"arn:aws:states:::sns:publish"`)
}

func TestRunCLIMocksNameTheStateMachine(t *testing.T) {
	t.Parallel()
	// --name picks the mock file's state machine; the file name is not used.
	dir := writeFiles(t, map[string]string{
		"renamed.asl.json": `{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`,
	})
	res := runCLI(t, dir, "run", "renamed.asl.json", "--mocks", testdataPath(t, "orders.mocks.json"), "--test-case", "HappyPath", "--name", "orders")
	require.Equal(t, 0, res.code, res.stderr)
	require.JSONEq(t, `{"status":"SUCCEEDED","output":{"StatusCode":200,"Payload":{"charged":true}}}`, res.stdout)
}

// A mocked .waitForTaskToken task gets a task token, its parameters
// reading it ($$.Task.Token, JSONPath and JSONata), as Step Functions
// Local's mocks and serve --mocks give one; each attempt its own.
func TestRunCLIMocksGiveATaskToken(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"tok.asl.json": `{"StartAt":"T","States":{
			"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"MessageBody":{"TaskToken.$":"$$.Task.Token"}},
				"ResultPath":"$.r","Next":"J"},
			"J":{"Type":"Task","QueryLanguage":"JSONata","Resource":"arn:aws:states:::sns:publish.waitForTaskToken",
				"Arguments":{"Message":"{% $states.context.Task.Token %}"},"Output":"{% $merge([$states.input, {'token': $states.context.Task.Token}]) %}","End":true}}}`,
		"tok.mocks.json": `{"StateMachines":{"tok":{"TestCases":{"t":{"T":"R","J":"R"}}}},"MockedResponses":{"R":{"0":{"Return":{"ok":1}}}}}`,
	})
	res := runCLI(t, dir, "run", "tok.asl.json", "--mocks", "tok.mocks.json", "--test-case", "t", "--name", "tok")
	require.Equal(t, 0, res.code, res.stderr)
	obj := decodeOne(t, res.stdout)
	require.Equal(t, "SUCCEEDED", obj["status"], res.stdout)
	out := obj["output"].(map[string]any)
	require.Equal(t, map[string]any{"ok": float64(1)}, out["r"])
	token, _ := out["token"].(string)
	require.NotEmpty(t, token)
}

func TestRunCLIStdoutIsOnlyTheResult(t *testing.T) {
	t.Parallel()
	// Diagnostics and usage go to stderr: a failing run prints nothing else
	// on stdout than its one object.
	dir := writeFiles(t, map[string]string{"m.asl.json": `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}`})
	res := runCLI(t, dir, "run", "m.asl.json", "--history")
	require.Equal(t, 1, res.code)
	require.Empty(t, res.stderr)
	obj := decodeOne(t, res.stdout)
	require.Equal(t, "FAILED", obj["status"])
	require.True(t, bytes.Contains([]byte(res.stdout), []byte(`"type":"ExecutionFailed"`)))
}

// `signalbox run` takes its input exactly: an escaped emoji stays one
// character, int64's edge stays an integer, 1e400 is refused.
func TestRunCLIInputIsExact(t *testing.T) {
	t.Parallel()
	def := writeFiles(t, map[string]string{"p.json": `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`})
	res := runCLI(t, "", "run", filepath.Join(def, "p.json"), "--input", `{"e":"\ud83c\udd97","n":9223372036854775807}`)
	require.Equal(t, 0, res.code, res.stderr)
	require.JSONEq(t, `{"status":"SUCCEEDED","output":{"e":"🆗","n":9223372036854775807}}`, res.stdout)
	require.Contains(t, res.stdout, `9223372036854775807`)
	res = runCLI(t, "", "run", filepath.Join(def, "p.json"), "--input", `{"n":1e400}`)
	require.NotEqual(t, 0, res.code)
	require.Contains(t, res.stderr, "out of range")
}

// An execution that fails without an error or cause shows neither, as AWS
// omits them.
func TestRunCLIOmitsAbsentErrorAndCause(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"bare.json":  `{"StartAt":"F","States":{"F":{"Type":"Fail"}}}`,
		"error.json": `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}`,
	})
	res := runCLI(t, "", "run", filepath.Join(dir, "bare.json"))
	require.JSONEq(t, `{"status":"FAILED"}`, res.stdout)
	res = runCLI(t, "", "run", filepath.Join(dir, "error.json"))
	require.JSONEq(t, `{"status":"FAILED","error":"E"}`, res.stdout)
}
