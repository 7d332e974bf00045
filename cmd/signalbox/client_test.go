package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/require"
)

// clientRun is one run of a client command.
type clientRun struct {
	env   []string // KEY=VALUE, over an environment without AWS_* and $SIGNALBOX_ENDPOINT
	stdin string
}

// run runs the binary with args and returns what it printed.
func (r clientRun) run(t *testing.T, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(signalbox(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, envEndpoint+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, r.env...)
	cmd.Stdin = strings.NewReader(r.stdin)
	return runCmd(t, cmd)
}

// jsonObject decodes a client command's JSON object output.
func jsonObject(t *testing.T, res cliRun) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	return out
}

// jsonArray decodes a client command's JSON array output.
func jsonArray(t *testing.T, res cliRun) []map[string]any {
	t.Helper()
	var out []map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	return out
}

// eachField collects one member of each object.
func eachField(objs []map[string]any, key string) []any {
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o[key]
	}
	return out
}

// createMachines creates state machines (name → definition) on s through
// the SDK and returns their ARNs.
func createMachines(t *testing.T, s *served, defs map[string]string) map[string]string {
	t.Helper()
	client := sfnAPIClient(s.URL)
	arns := map[string]string{}
	for name, def := range defs {
		out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		})
		require.NoError(t, err)
		arns[name] = aws.ToString(out.StateMachineArn)
	}
	return arns
}

const (
	greeterDef = `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"End":true}}}`
	failerDef  = `{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}`
	sleeperDef = `{"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":3600,"End":true}}}`
)

// The client commands against a real `signalbox serve`: start (with and
// without --wait, by name and by ARN, input inline, from a file and from
// standard input), describe, history and list, every page read.
func TestClientCommands(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	arns := createMachines(t, s, map[string]string{"greeter": greeterDef, "failer": failerDef, "sleeper": sleeperDef})
	c := clientRun{env: []string{envEndpoint + "=" + s.URL}}

	// start --wait, by name: the description of the ended execution.
	res := c.run(t, "start", "greeter", "--input", `{"who":"cli"}`, "--wait")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	done := jsonObject(t, res)
	require.Equal(t, "SUCCEEDED", done["status"])
	require.JSONEq(t, `{"greeting":"hello cli"}`, done["output"].(string))
	require.Equal(t, arns["greeter"], done["stateMachineArn"])
	first := done["executionArn"].(string)
	require.True(t, strings.HasPrefix(first, "arn:aws:states:us-east-1:123456789012:execution:greeter:"), first)

	// start without --wait, by ARN, a named execution, input from a file.
	file := filepath.Join(t.TempDir(), "input.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"who":"file"}`), 0o644))
	res = c.run(t, "start", arns["greeter"], "--name", "second", "--input-file", file)
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	started := jsonObject(t, res)
	require.Len(t, started, 2, "only executionArn and startDate: %s", res.stdout)
	second := started["executionArn"].(string)
	require.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:greeter:second", second)
	when, err := time.Parse(time.RFC3339, started["startDate"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), when, time.Minute)

	desc := jsonObject(t, c.run(t, "describe", second))
	require.Equal(t, second, desc["executionArn"])
	require.Equal(t, "second", desc["name"])
	require.Equal(t, arns["greeter"], desc["stateMachineArn"])
	require.JSONEq(t, `{"who":"file"}`, desc["input"].(string))
	require.Contains(t, []any{"RUNNING", "SUCCEEDED"}, desc["status"])

	// Input from standard input.
	res = clientRun{env: c.env, stdin: `{"who":"stdin"}`}.run(t, "start", "greeter", "--input-file", "-", "--wait")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	require.JSONEq(t, `{"greeting":"hello stdin"}`, jsonObject(t, res)["output"].(string))

	// A failed execution: its error and cause, exit status 1.
	res = c.run(t, "start", "failer", "--wait")
	require.Equal(t, 1, res.code, "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	failed := jsonObject(t, res)
	require.Equal(t, "FAILED", failed["status"])
	require.Equal(t, "Boom", failed["error"])
	require.Equal(t, "it broke", failed["cause"])

	// --timeout: the execution goes on, the command gives up.
	res = c.run(t, "start", "sleeper", "--wait", "--timeout", "300ms")
	require.Equal(t, 1, res.code, "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	require.Equal(t, "RUNNING", jsonObject(t, res)["status"])
	require.Contains(t, res.stderr, "RUNNING after --timeout 300ms")

	// describe a state machine, by ARN and by name.
	for _, ref := range []string{arns["greeter"], "greeter"} {
		res = c.run(t, "describe", ref)
		require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
		sm := jsonObject(t, res)
		require.Equal(t, "greeter", sm["name"])
		require.Equal(t, "STANDARD", sm["type"])
		require.JSONEq(t, greeterDef, sm["definition"].(string))
	}

	// history: every page, in order and reversed.
	res = c.run(t, "history", first)
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	events := jsonArray(t, res)
	require.Equal(t, []any{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}, eachField(events, "type"))
	require.Equal(t, []any{1.0, 2.0, 3.0, 4.0}, eachField(events, "id"))
	ended := events[3]["executionSucceededEventDetails"].(map[string]any)
	require.JSONEq(t, `{"greeting":"hello cli"}`, ended["output"].(string))
	require.Equal(t, res.stdout, c.run(t, "history", first, "--page-size", "3").stdout, "one page or two, the same events")
	reversed := jsonArray(t, c.run(t, "history", "--reverse", first, "--page-size", "3"))
	require.Equal(t, []any{4.0, 3.0, 2.0, 1.0}, eachField(reversed, "id"))

	// list: the state machines, or one's executions; every page.
	res = c.run(t, "list")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	names := eachField(jsonArray(t, res), "name")
	require.ElementsMatch(t, []any{"greeter", "failer", "sleeper"}, names)
	require.Equal(t, res.stdout, c.run(t, "list", "--page-size", "1").stdout)

	// The second execution has ended by now or soon: wait on its status.
	deadline := time.Now().Add(30 * time.Second) // a safety net: the loop waits on the status
	var executions []map[string]any
	for {
		res = c.run(t, "list", "greeter", "--page-size", "1")
		require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
		executions = jsonArray(t, res)
		if !slices.Contains(eachField(executions, "status"), any("RUNNING")) {
			break
		}
		require.True(t, time.Now().Before(deadline), "still running after 30s: %s", res.stdout)
	}
	require.Len(t, executions, 3)
	require.Contains(t, eachField(executions, "executionArn"), any(first))
	require.Contains(t, eachField(executions, "executionArn"), any(second))
	require.Equal(t, []any{"SUCCEEDED", "SUCCEEDED", "SUCCEEDED"}, eachField(executions, "status"))
	require.Len(t, jsonArray(t, c.run(t, "list", "greeter", "--status", "FAILED")), 0)
	failedList := jsonArray(t, c.run(t, "list", arns["failer"], "--status", "FAILED"))
	require.Equal(t, []any{failed["executionArn"]}, eachField(failedList, "executionArn"))
}

// Errors from the server are printed as AWS names them, with exit status
// 1 and nothing on stdout.
func TestClientAWSErrors(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	arns := createMachines(t, s, map[string]string{"greeter": greeterDef})
	c := clientRun{}
	missing := "arn:aws:states:us-east-1:123456789012:execution:greeter:missing"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"describe", missing}, "ExecutionDoesNotExist: "},
		{[]string{"history", missing}, "ExecutionDoesNotExist: "},
		{[]string{"describe", arns["greeter"] + "x"}, "StateMachineDoesNotExist: "},
		{[]string{"start", "nosuchmachine"}, "StateMachineDoesNotExist: State Machine Does Not Exist: 'nosuchmachine'"},
		{[]string{"list", "nosuchmachine"}, "StateMachineDoesNotExist: "},
		{[]string{"start", "greeter", "--input", "{"}, "InvalidExecutionInput: "},
		{[]string{"history", "not-an-arn"}, "InvalidArn: "},
	} {
		res := c.run(t, append(tc.args, "--endpoint", s.URL)...)
		require.Equal(t, 1, res.code, "%q: stdout: %s\nstderr: %s", tc.args, res.stdout, res.stderr)
		require.True(t, strings.HasPrefix(res.stderr, tc.want), "%q: stderr %q", tc.args, res.stderr)
		require.Empty(t, res.stdout, "%q", tc.args)
	}
	// The same name twice.
	require.Equal(t, 0, c.run(t, "start", "greeter", "--name", "once", "--endpoint", s.URL).code)
	res := c.run(t, "start", "greeter", "--name", "once", "--input", `{"who":"again"}`, "--endpoint", s.URL)
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stderr, "ExecutionAlreadyExists: "), res.stderr)
}

// Command lines that are wrong exit 2 before any request.
func TestClientUsageErrors(t *testing.T) {
	t.Parallel()
	c := clientRun{env: []string{envEndpoint + "=http://127.0.0.1:1"}} // nothing listens there
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"start"}, "usage: signalbox start"},
		{[]string{"start", "a", "b"}, "usage: signalbox start"},
		{[]string{"start", "a", "--input", "{}", "--input-file", "f"}, "--input or --input-file, not both"},
		{[]string{"start", "a", "--timeout", "1s"}, "--timeout needs --wait"},
		{[]string{"start", "a", "--input-file", "/nonexistent/input.json"}, "/nonexistent/input.json"},
		{[]string{"start", "a", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"describe"}, "usage: signalbox describe"},
		{[]string{"describe", "arn:aws:states:us-east-1:123456789012:widget:w"}, "is not the ARN of an execution"},
		{[]string{"history"}, "usage: signalbox history"},
		{[]string{"history", "x", "--page-size", "1001"}, "--page-size must be between 1 and 1000"},
		{[]string{"list", "a", "b"}, "usage: signalbox list"},
		{[]string{"list", "--status", "RUNNING"}, "--status needs a STATE_MACHINE"},
		{[]string{"list", "--endpoint", "127.0.0.1:8080"}, `--endpoint "127.0.0.1:8080" is not an http:// or https:// URL`},
	} {
		res := c.run(t, tc.args...)
		require.Equal(t, 2, res.code, "%q: stderr: %s", tc.args, res.stderr)
		require.Contains(t, res.stderr, tc.want, "%q", tc.args)
		require.Empty(t, res.stdout, "%q", tc.args)
	}
}

// A server that is not running: a clear error naming the endpoint, from
// --endpoint or $SIGNALBOX_ENDPOINT.
func TestClientServerNotRunning(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	for _, res := range []cliRun{
		clientRun{env: []string{envEndpoint + "=" + closed}}.run(t, "list"),
		clientRun{}.run(t, "start", "greeter", "--wait", "--endpoint", closed),
		clientRun{}.run(t, "describe", "arn:aws:states:us-east-1:123456789012:execution:greeter:x", "--endpoint", closed),
	} {
		require.Equal(t, 1, res.code, "stderr: %s", res.stderr)
		require.Contains(t, res.stderr, "cannot reach the Signalbox server at "+closed)
		require.Contains(t, res.stderr, "connection refused")
		require.Empty(t, res.stdout)
	}
}

// A server that checks SigV4 signatures accepts the credentials of
// $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, and refuses others.
func TestClientSigV4Credentials(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": `credentials:
  - {accessKeyId: AKIDCLIENTTEST, secretAccessKey: client-secret-0123456789}
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	endpoint := envEndpoint + "=" + s.URL

	res := clientRun{env: []string{endpoint, "AWS_ACCESS_KEY_ID=AKIDCLIENTTEST", "AWS_SECRET_ACCESS_KEY=client-secret-0123456789"}}.run(t, "list")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	require.Equal(t, "[]\n", res.stdout)

	res = clientRun{env: []string{endpoint, "AWS_ACCESS_KEY_ID=AKIDCLIENTTEST", "AWS_SECRET_ACCESS_KEY=wrong"}}.run(t, "list")
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stderr, "InvalidSignatureException: "), res.stderr)

	res = clientRun{env: []string{endpoint}}.run(t, "list") // the dummy credentials
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stderr, "UnrecognizedClientException: "), res.stderr)
}

// A server with api.keys and no credentials refuses the client commands
// (its Step Functions API was open to anyone) unless they carry a key:
// $SIGNALBOX_API_KEY.
func TestClientAPIKey(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"signalbox.yaml": `api:
  keys: [client-mgmt-key-0123456789]
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	endpoint := envEndpoint + "=" + s.URL

	res := clientRun{env: []string{endpoint}}.run(t, "list")
	require.Equal(t, 1, res.code, "stdout: %s", res.stdout)
	require.True(t, strings.HasPrefix(res.stderr, "UnrecognizedClientException: "), res.stderr)

	res = clientRun{env: []string{endpoint, "SIGNALBOX_API_KEY=wrong-key-0123456789"}}.run(t, "list")
	require.Equal(t, 1, res.code)
	require.True(t, strings.HasPrefix(res.stderr, "UnrecognizedClientException: "), res.stderr)

	res = clientRun{env: []string{endpoint, "SIGNALBOX_API_KEY=client-mgmt-key-0123456789"}}.run(t, "list")
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	require.Equal(t, "[]\n", res.stdout)
}
