package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/managedredis"
	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
)

// needRedisServer skips a test of --data-dir where redis-server is not
// installed.
func needRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
}

// dataDirWait is how long the executions of the restart test wait: long
// enough that every one is still waiting when serve is killed, a moment
// after they all entered their Wait.
const dataDirWait = 6 * time.Second

// `serve --data-dir` killed with SIGKILL while executions sit in Wait
// states, and started again on the same directory: every execution
// finishes, after the restart, with its output; the state machines are
// still there.
func TestServeDataDirSurvivesSIGKILLDuringWaits(t *testing.T) {
	t.Parallel()
	needRedisServer(t)
	dir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, "--data-dir", dir)
	require.Equal(t, "store: durable, survives a restart: a redis-server of serve's own in "+dir+" (AOF, appendfsync everysec)", s.Store)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	machines := map[string]string{
		"seconds":   fmt.Sprintf(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":%d,"Next":"P"},"P":{"Type":"Pass","Result":"done","ResultPath":"$.after","End":true}}}`, int(dataDirWait.Seconds())),
		"timestamp": `{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.until","Next":"P"},"P":{"Type":"Pass","Result":"done","ResultPath":"$.after","End":true}}}`,
	}
	arns := map[string]string{}
	for name, def := range machines {
		out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		})
		require.NoError(t, err)
		arns[name] = aws.ToString(out.StateMachineArn)
	}
	until := time.Now().Add(dataDirWait).UTC().Format(time.RFC3339Nano)
	type started struct{ arn, input string }
	var executions []started
	for i := range 20 {
		machine, input := "seconds", fmt.Sprintf(`{"n":%d}`, i)
		if i%2 == 1 {
			machine, input = "timestamp", fmt.Sprintf(`{"n":%d,"until":%q}`, i, until)
		}
		out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arns[machine]), Input: aws.String(input)})
		require.NoError(t, err)
		executions = append(executions, started{aws.ToString(out.ExecutionArn), input})
	}
	// Every execution in its Wait, none out of it: then the kill.
	deadline := time.Now().Add(sfnServeSafety)
	for _, x := range executions {
		for {
			seen := historyTypes(t, client, x.arn)
			require.NotContains(t, seen, types.HistoryEventTypeWaitStateExited, "a Wait ended before the kill: the machine was slower than the test's %s Wait allows", dataDirWait)
			if len(seen) > 0 && seen[len(seen)-1] == types.HistoryEventTypeWaitStateEntered {
				break
			}
			require.True(t, time.Now().Before(deadline), "execution %s never entered its Wait: %v", x.arn, seen)
			time.Sleep(5 * time.Millisecond) // the poll's pace; the history is what the test waits on
		}
	}
	killed := time.Now()
	s.Kill(t)

	s = startServe(t, "--data-dir", dir, "--redis-prefix", s.Prefix)
	require.Contains(t, s.Store, "store: durable")
	client = sfnAPIClient(s.URL)
	for name, arn := range arns {
		desc, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
		require.NoError(t, err, "state machine %s lost", name)
		require.JSONEq(t, machines[name], aws.ToString(desc.Definition))
	}
	for _, x := range executions {
		desc := awaitExecution(t, s, client, x.arn, types.ExecutionStatusSucceeded)
		var want map[string]any
		require.NoError(t, json.Unmarshal([]byte(x.input), &want))
		want["after"] = "done"
		wantJSON, _ := json.Marshal(want)
		require.JSONEq(t, string(wantJSON), aws.ToString(desc.Output))
		history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(x.arn)})
		require.NoError(t, err)
		var exited *types.HistoryEvent
		for _, ev := range history.Events {
			if ev.Type == types.HistoryEventTypeWaitStateExited {
				exited = &ev
			}
		}
		require.NotNil(t, exited, "no WaitStateExited in %s", x.arn)
		require.True(t, exited.Timestamp.After(killed), "the Wait of %s ended at %s, before the kill at %s", x.arn, exited.Timestamp, killed)
	}
}

// A second serve on a data directory in use is refused, saying why; the
// first goes on serving.
func TestServeDataDirRefusesASecondServe(t *testing.T) {
	t.Parallel()
	needRedisServer(t)
	dir := t.TempDir()
	s := startServe(t, "--data-dir", dir)
	res := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--data-dir", dir)
	require.Equal(t, 1, res.code, "%s", res.stderr)
	require.Contains(t, res.stderr, dir+" is in use by process")
	require.Contains(t, res.stderr, managedredis.LockFile)
	_, err := sfnAPIClient(s.URL).ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
}

// Without redis-server on PATH, serve --data-dir names what to install.
func TestServeDataDirWithoutRedisServer(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(signalbox(t), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
	cmd.Env = []string{"PATH=" + t.TempDir()}
	res := runCmd(t, cmd)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "redis-server is not on PATH")
	require.Contains(t, res.stderr, "apt-get install redis-server")
	require.Contains(t, res.stderr, "brew install redis")
}

// --data-dir and --redis-url name two stores: refused.
func TestServeDataDirExcludesRedisURL(t *testing.T) {
	t.Parallel()
	res := runCLI(t, "", "serve", "--data-dir", t.TempDir(), "--redis-url", "redis://127.0.0.1:6379/0")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "give one of them")
}

// serve's second line says which store it uses and whether it survives a
// restart.
func TestServeSaysWhichStoreItUses(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	if os.Getenv(store.EnvRedisURL) != "" {
		require.Contains(t, s.Store, "store: external, its durability is that Redis's: ")
	} else {
		require.Equal(t, "store: volatile, lost on restart: the embedded store in this process's memory (--data-dir DIR keeps it)", s.Store)
	}
	srv := redisproc.StartForTest(t, "--appendonly", "yes")
	s = startServe(t, "--redis-url", srv.URL())
	require.Equal(t, "store: external, its durability is that Redis's: "+srv.URL()+" (Redis appendonly yes, appendfsync everysec: a crash of the Redis host can lose up to about one second of acknowledged writes)", s.Store)
}

// The store line hides a URL's password, a cluster's too.
func TestRedactURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"redis://:hunter2@h:1/0":           "redis://:xxxxx@h:1/0",
		"rediss://u:hunter2@h:1":           "rediss://u:xxxxx@h:1",
		"redis+cluster://:hunter2@a:1,b:2": "redis+cluster://:xxxxx@a:1,b:2",
		"redis://u@h:1":                    "redis://u@h:1",
		"unix:///data/redis.sock":          "unix:///data/redis.sock",
	} {
		require.Equal(t, want, redactURL(raw))
	}
}

// managedPID is the pid of the redis-server serve --data-dir dir runs.
func managedPID(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, managedredis.PIDFile))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	return pid
}

// serve stops its redis-server after the server, with SIGTERM, and waits
// for it: redis-server writes its AOF, removes its pid file and exits
// before serve does.
func TestServeDataDirStopsItsRedisAfterTheServer(t *testing.T) {
	t.Parallel()
	needRedisServer(t)
	dir := t.TempDir()
	s := startServe(t, "--data-dir", dir)
	pid := managedPID(t, dir)
	s.Stop(t)
	require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "redis-server (pid %d) outlived serve", pid)
	require.NoFileExists(t, filepath.Join(dir, managedredis.PIDFile))
	require.DirExists(t, filepath.Join(dir, "appendonlydir"))
	log, err := os.ReadFile(filepath.Join(dir, managedredis.LogFile))
	require.NoError(t, err)
	require.Contains(t, string(log), "Received SIGTERM scheduling shutdown")
	require.Contains(t, string(log), "ready to exit, bye bye")
	require.Contains(t, s.Log(), `msg="redis-server stopped"`)
}

// A redis-server that dies under serve stops serve, with exit status 1 and
// the way to its log, rather than leave it answering 503 forever.
func TestServeDataDirStopsWhenItsRedisDies(t *testing.T) {
	t.Parallel()
	needRedisServer(t)
	dir := t.TempDir()
	s := startServe(t, "--data-dir", dir)
	pid := managedPID(t, dir)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	s.killed = true // it ends by itself
	err := s.cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "serve went on without its redis-server; its log:\n%s", s.Log())
	require.Equal(t, 1, exit.ExitCode())
	require.Contains(t, s.Log(), `msg="the managed redis-server exited: stopping" log=`+filepath.Join(dir, managedredis.LogFile))
}

// With --data-dir and no --functions-dir, a function's deployment package
// is unpacked beside the store, under the data directory's functions/.
func TestServeDataDirKeepsFunctionPackages(t *testing.T) {
	t.Parallel()
	needRedisServer(t)
	dir := t.TempDir()
	s := startServe(t, "--data-dir", dir)
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bootstrap", Method: zip.Deflate})
	require.NoError(t, err)
	_, err = w.Write([]byte("#!/bin/sh\nexit 0\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	client := lambda.New(lambda.Options{BaseEndpoint: aws.String(s.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err = client.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String("kept"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Role: aws.String("arn:aws:iam::123456789012:role/r"),
		Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()}})
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(dir, "functions", "kept"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "one package")
	_, err = os.Stat(filepath.Join(dir, "functions", "kept", entries[0].Name(), "bootstrap"))
	require.NoError(t, err)
}
