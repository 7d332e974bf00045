package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// sfnSafety bounds every wait on an execution: a net against a hang, not
// a way to synchronise (the tests poll the API for the state they expect).
const sfnSafety = 20 * time.Second

// sfnRole is the role ARN the tests create state machines with.
const sfnRole = "arn:aws:iam::123456789012:role/test"

// sfnBundle is one Step Functions endpoint under test: a runtime on its
// own store with running workers, gateway.New over it on a loopback
// server, and the official SDK's client pointed at it.
type sfnBundle struct {
	d      *runtime.Durable
	url    string
	client *sfn.Client
	// tokens receives the task token of every test:token.waitForTaskToken
	// task, as a queue consumer would.
	tokens chan string
	// flaky counts the calls of test:flaky by execution ARN: the first
	// call of an execution fails, the next ones succeed.
	mu    sync.Mutex
	flaky map[string]int
}

// sfnOpenStore opens a store of the test's own (storetest).
func sfnOpenStore(t *testing.T) *store.Client { return storetest.Open(t, "sbgw-") }

// newSFN starts the bundle; opts adjust the gateway's options.
func newSFN(t *testing.T, opts ...func(*gateway.Options)) *sfnBundle {
	t.Helper()
	b := &sfnBundle{tokens: make(chan string, 16), flaky: map[string]int{}}
	mux := integrations.NewMux()
	mux.Handle("arn:aws:states:::test:token.waitForTaskToken", integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		b.tokens <- req.TaskToken
		return map[string]any{"sent": true}, nil
	}))
	mux.Handle("arn:aws:states:::test:flaky", integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		b.mu.Lock()
		b.flaky[req.ExecutionARN]++
		n := b.flaky[req.ExecutionARN]
		b.mu.Unlock()
		if n == 1 {
			return nil, &integrations.Error{Name: "Flaky", Cause: "the first call fails"}
		}
		return map[string]any{"call": n}, nil
	}))
	mux.Handle("arn:aws:states:::test:echo", integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		return map[string]any{"echo": req.Parameters}, nil
	}))
	b.d = runtime.NewDurable(sfnOpenStore(t), &runtime.Durable{Tasks: mux, Lease: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.d.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })

	b.url = serveGateway(t, gateway.Options{Runtime: b.d, Logger: testLogger(t)}, opts)
	b.client = sfnClient(b.url, "AKIDTEST", "secret")
	return b
}

// sfnClient is the SDK's client for url, signing with the given key.
// StartSyncExecution's "sync-" host prefix is turned off: the endpoint is
// an IP address.
func sfnClient(url, keyID, secret string) *sfn.Client {
	return sfn.NewFromConfig(sdkConfig(keyID, secret), func(o *sfn.Options) {
		o.BaseEndpoint = aws.String(url)
		o.APIOptions = append(o.APIOptions, noHostPrefix)
	})
}

func noHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("NoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// requireAWSError asserts that err is the AWS exception code, with HTTP
// status 400, and returns its message.
func requireAWSError(t *testing.T, err error, code string) string {
	t.Helper()
	return requireAWSErrorStatus(t, err, code, http.StatusBadRequest)
}

func requireAWSErrorStatus(t *testing.T, err error, code string, status int) string {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	require.NotEmpty(t, ae.ErrorMessage())
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "%v", err)
	return ae.ErrorMessage()
}

// createMachine creates a state machine of the given type ("" for
// STANDARD) and returns its ARN.
func (b *sfnBundle) createMachine(t *testing.T, name, def string, typ types.StateMachineType) string {
	t.Helper()
	out, err := b.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(sfnRole), Type: typ,
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// start starts an execution and returns its ARN.
func (b *sfnBundle) start(t *testing.T, smARN, name, input string) string {
	t.Helper()
	out, err := b.client.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(smARN), Name: aws.String(name), Input: aws.String(input),
	})
	require.NoError(t, err)
	return aws.ToString(out.ExecutionArn)
}

// waitStatus polls DescribeExecution until the execution has the status
// want, and returns the description.
func (b *sfnBundle) waitStatus(t *testing.T, arn string, want types.ExecutionStatus) *sfn.DescribeExecutionOutput {
	t.Helper()
	return waitExecution(t, b.client, arn, want)
}

func waitExecution(t *testing.T, client *sfn.Client, arn string, want types.ExecutionStatus) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(sfnSafety)
	for {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		require.NoError(t, err)
		if out.Status == want {
			return out
		}
		if out.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			t.Fatalf("execution %s is %s, not %s (error %q cause %q)", arn, out.Status, want,
				aws.ToString(out.Error), aws.ToString(out.Cause))
		}
		time.Sleep(5 * time.Millisecond) // the poll's pace; the status is what the test waits on
	}
}

// token waits for the next task token, then until the execution arn
// waits for it (its latest event is TaskSubmitted): the integration hands
// the token over before the runtime records the hand-over, and the
// runtime takes answers only after.
func (b *sfnBundle) token(t *testing.T, arn string) string {
	t.Helper()
	var tok string
	select {
	case tok = <-b.tokens:
	case <-time.After(sfnSafety):
		t.Fatal("no task token came")
	}
	deadline := time.Now().Add(sfnSafety)
	for {
		h, err := b.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{
			ExecutionArn: aws.String(arn), ReverseOrder: true, MaxResults: 1,
		})
		require.NoError(t, err)
		if len(h.Events) == 1 && h.Events[0].Type == types.HistoryEventTypeTaskSubmitted {
			return tok
		}
		require.True(t, time.Now().Before(deadline), "execution %s never waited for its token", arn)
		time.Sleep(5 * time.Millisecond) // the poll's pace
	}
}

// rawResponse is an answer to a hand-made request.
type rawResponse struct {
	Status int
	Header http.Header
	Body   map[string]any
}

// rawCall posts body to the endpoint with the given X-Amz-Target ("" for
// none), unsigned, as a client that does not use an SDK would.
func rawCall(t *testing.T, url, target, body string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.NewDecoder(bytes.NewReader(data)).Decode(&m), "not a JSON object: %s", data)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: m}
}

// requireRawError asserts an AWS-shaped error answer.
func requireRawError(t *testing.T, r rawResponse, status int, typ string) {
	t.Helper()
	require.Equal(t, status, r.Status, "%v", r.Body)
	require.Equal(t, typ, r.Body["__type"], "%v", r.Body)
	require.NotEmpty(t, r.Body["message"], "%v", r.Body)
	require.Equal(t, "application/x-amz-json-1.0", r.Header.Get("Content-Type"))
	require.NotEmpty(t, r.Header.Get("x-amzn-RequestId"))
}

// Definitions the tests run.
const (
	passDef = `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"End":true}}}`
	echoDef = `{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}}`
	failDef = `{"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"Boom","Cause":"it had to"}}}`
	// tokenDef waits for SendTask* on its token.
	tokenDef = `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::test:token.waitForTaskToken",
		"Parameters":{"token.$":"$$.Task.Token"},"HeartbeatSeconds":600,"ResultPath":"$.answer","End":true}}}`
	// flakyDef fails on its first call: redrive makes it succeed.
	flakyDef = `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::test:flaky","End":true}}}`
)
