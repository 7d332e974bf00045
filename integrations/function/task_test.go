package function_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// call is one invocation the functions server got.
type call struct {
	fn        string
	event     map[string]any
	requestID string
}

// functions is an HTTP server of test functions on loopback, one a path:
//
//	echo      answers {"got": <event>}
//	flaky     answers 502 (no error document) to its first call, then as echo
//	fail      fails with the errorType of the event's "type" ("" for none)
//	slow      answers when the test releases it or the caller gives up
type functions struct {
	*httptest.Server
	mu      sync.Mutex
	calls   []call
	flakies int
	got     chan call // every call, as it comes
	release chan struct{}
}

func newFunctions(t *testing.T) *functions {
	f := &functions{got: make(chan call, 100), release: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var event map[string]any
		_ = json.Unmarshal(b, &event)
		c := call{fn: strings.TrimPrefix(r.URL.Path, "/"), event: event, requestID: r.Header.Get(function.HeaderRequestID)}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		if c.fn == "flaky" {
			f.flakies++
		}
		first := f.flakies == 1
		f.mu.Unlock()
		f.got <- c
		switch c.fn {
		case "flaky":
			if first {
				http.Error(w, "upstream hiccup", http.StatusBadGateway)
				return
			}
			fallthrough
		case "echo":
			var raw any // any JSON value
			_ = json.Unmarshal(b, &raw)
			_ = json.NewEncoder(w).Encode(map[string]any{"got": raw})
		case "fail":
			w.Header().Set(function.HeaderFunctionError, "Unhandled")
			doc := map[string]any{"errorMessage": "it went wrong", "trace": []string{"at handler (index.js:1)"}}
			if typ, _ := event["type"].(string); typ != "" {
				doc["errorType"] = typ
			}
			_ = json.NewEncoder(w).Encode(doc)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-f.release:
				_, _ = io.WriteString(w, `"late"`)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	t.Cleanup(func() { close(f.release) })
	return f
}

// tasks registers the function Tasks on a mux, with the test's functions
// (timeout: the slow function's).
func (f *functions) tasks(t *testing.T, slowTimeout time.Duration, extra ...function.Config) (*integrations.Mux, *function.Tasks) {
	cfgs := []function.Config{}
	for _, name := range []string{"echo", "flaky", "fail", "slow"} {
		c := function.Config{Name: name, Endpoint: f.URL + "/" + name, ReservedConcurrency: -1}
		if name == "slow" {
			c.Timeout = slowTimeout
		}
		cfgs = append(cfgs, c)
	}
	r, err := function.NewStaticResolver("us-east-1", "123456789012", append(cfgs, extra...)...)
	require.NoError(t, err)
	tasks := function.NewTasks(r, function.NewDispatcher(nil))
	t.Cleanup(tasks.Close)
	m := integrations.NewMux()
	tasks.Register(m)
	return m, tasks
}

// runMemory runs def in the in-memory engine.
func runMemory(t *testing.T, m *integrations.Mux, def string, input any) *runtime.Result {
	t.Helper()
	sm, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	return (&runtime.Engine{Tasks: m}).Run(context.Background(), sm, runtime.Execution{StateMachineName: "orders", Input: input, Clock: runtime.NewVirtualClock(time.Now())})
}

func TestLambdaInvokeResultShape(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, 0)
	res := runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"echo","Payload.$":"$"},"End":true}}}`, map[string]any{"order": int64(7)})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	got := <-f.got
	out := res.Output.(map[string]any)
	md := out["SdkHttpMetadata"].(map[string]any)
	headers := md["HttpHeaders"].(map[string]any)
	all := md["AllHttpHeaders"].(map[string]any)
	require.Equal(t, got.requestID, headers["x-amzn-RequestId"], "the request id the function got")
	require.Equal(t, map[string]any{"RequestId": got.requestID}, out["SdkResponseMetadata"])
	require.Equal(t, "$LATEST", out["ExecutedVersion"])
	require.Equal(t, int64(200), out["StatusCode"])
	require.Equal(t, int64(200), md["HttpStatusCode"])
	require.Equal(t, map[string]any{"got": map[string]any{"order": int64(7)}}, out["Payload"], "the payload parsed")
	require.Equal(t, "$LATEST", headers["X-Amz-Executed-Version"])
	require.Equal(t, "application/json", headers["Content-Type"])
	require.Equal(t, "0", headers["x-amzn-Remapped-Content-Length"])
	require.Equal(t, "keep-alive", headers["Connection"])
	require.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$`, headers["X-Amzn-Trace-Id"])
	_, err := time.Parse(http.TimeFormat, headers["Date"].(string))
	require.NoError(t, err)
	require.Len(t, all, len(headers))
	for k, v := range headers {
		require.Equal(t, []any{v}, all[k], k)
	}
	require.Equal(t, []string{"Connection", "Content-Length", "Content-Type", "Date", "ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode",
		"X-Amz-Executed-Version", "X-Amzn-Trace-Id", "x-amzn-Remapped-Content-Length", "x-amzn-RequestId"}, sortedKeys(out, headers))
	var payloadLen int
	require.NoError(t, json.Unmarshal([]byte(headers["Content-Length"].(string)), &payloadLen))
	require.Equal(t, len(`{"got":{"order":7}}`)+1, payloadLen, "the answer's bytes (with the encoder's newline)")

	// the legacy form: a bare function ARN; the input is the event, the
	// payload the result
	res = runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}`,
		map[string]any{"order": int64(8)})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	require.Equal(t, map[string]any{"got": map[string]any{"order": int64(8)}}, res.Output)
	require.Equal(t, map[string]any{"order": float64(8)}, (<-f.got).event)

	// a string Payload is the event's JSON text, as Step Functions hands
	// it to Lambda (recorded AWS runs: "\"HelloWorld\"", "0.0", "[]")
	for text, want := range map[string]any{`"HelloWorld"`: "HelloWorld", `1.5`: 1.5, `[]`: []any{}, `{"a":1}`: map[string]any{"a": int64(1)}} {
		res = runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"echo","Payload.$":"$.p"},"OutputPath":"$.Payload.got","End":true}}}`, map[string]any{"p": text})
		require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
		require.Equal(t, want, res.Output, text)
		<-f.got
	}

	// no Payload: the event is {}
	res = runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST"},"OutputPath":"$.Payload","End":true}}}`, map[string]any{"x": int64(1)})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	require.Equal(t, map[string]any{"got": map[string]any{}}, res.Output)
	<-f.got
}

func sortedKeys(ms ...map[string]any) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			out = append(out, k)
		}
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// retryDefinition retries Lambda's service exceptions as AWS's own
// templates do, and catches the functions' own errors.
const retryDefinition = `{"StartAt":"Call","States":{
	"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName.$":"$.fn","Payload":{"type.$":"$.type"}},
		"Retry":[{"ErrorEquals":["Lambda.ServiceException","Lambda.AWSLambdaException","Lambda.SdkClientException","Lambda.TooManyRequestsException"],"IntervalSeconds":2,"MaxAttempts":6,"BackoffRate":2}],
		"Catch":[{"ErrorEquals":["OrderError","Lambda.Unknown","Sandbox.Timedout","Lambda.ResourceNotFoundException"],"ResultPath":"$.error","Next":"Failed"}],
		"OutputPath":"$.Payload","End":true},
	"Failed":{"Type":"Pass","End":true}}}`

func TestLambdaInvokeRetriesAServiceExceptionInADurableExecution(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, 0)
	clk := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	d := runtime.NewDurable(storetest.Open(t, "sbfntask-"), &runtime.Durable{Tasks: m, Now: clk.Now, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "orders", Definition: []byte(retryDefinition), Name: "o-1",
		Input: map[string]any{"fn": "flaky", "type": "x"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "parked on the retry's backoff")
	first := <-f.got

	clk.Advance(2 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"got":{"type":"x"}}`, string(e.Output))
	second := <-f.got
	require.NotEqual(t, first.requestID, second.requestID, "each attempt its own request id")

	// the failed attempt's history: Lambda.ServiceException, its cause as
	// the Java SDK renders it
	page, err := d.Inspector().History(ctx, started.ID, runtime.HistoryQuery{Limit: 100})
	require.NoError(t, err)
	var failed struct{ Error, Cause, Resource, ResourceType string }
	for _, raw := range page.Events {
		var ev struct {
			Type   string
			Failed *struct{ Error, Cause, Resource, ResourceType string } `json:"taskFailedEventDetails"`
		}
		require.NoError(t, json.Unmarshal(raw.JSON, &ev))
		if ev.Failed != nil {
			failed = *ev.Failed
		}
	}
	require.Equal(t, "Lambda.ServiceException", failed.Error)
	require.Equal(t, "lambda", failed.ResourceType)
	require.Equal(t, "invoke", failed.Resource)
	require.Contains(t, failed.Cause, "502 Bad Gateway: upstream hiccup (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: "+first.requestID+"; Proxy: null)")
}

func TestLambdaInvokeFailures(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, 100*time.Millisecond, function.Config{Name: "throttled", Endpoint: f.URL + "/echo", ReservedConcurrency: 0})
	caught := func(input map[string]any) map[string]any {
		t.Helper()
		res := runMemory(t, m, retryDefinition, input)
		require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
		return res.Output.(map[string]any)["error"].(map[string]any)
	}

	// the function's errorType is the error, its error document the cause
	e := caught(map[string]any{"fn": "fail", "type": "OrderError"})
	require.Equal(t, "OrderError", e["Error"])
	require.JSONEq(t, `{"errorType":"OrderError","errorMessage":"it went wrong","trace":["at handler (index.js:1)"]}`, e["Cause"].(string))
	<-f.got

	// no errorType: Lambda.Unknown
	e = caught(map[string]any{"fn": "fail", "type": ""})
	require.Equal(t, "Lambda.Unknown", e["Error"])
	require.True(t, strings.HasPrefix(e["Cause"].(string), `The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"it went wrong"`), e["Cause"])
	<-f.got

	// the function's Timeout: Sandbox.Timedout, as Lambda reports it
	e = caught(map[string]any{"fn": "slow", "type": ""})
	require.Equal(t, "Sandbox.Timedout", e["Error"])
	slow := <-f.got
	require.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: `+slow.requestID+` Error: Task timed out after 0.10 seconds"}`, e["Cause"].(string))

	// no such function
	e = caught(map[string]any{"fn": "nope", "type": ""})
	require.Equal(t, "Lambda.ResourceNotFoundException", e["Error"])
	require.Contains(t, e["Cause"], "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;")

	// reserved concurrency 0: throttled every time, retried, then the
	// execution fails with it (no Catch for it)
	res := runMemory(t, m, retryDefinition, map[string]any{"fn": "throttled", "type": ""})
	require.Equal(t, runtime.StatusFailed, res.Status)
	require.Equal(t, "Lambda.TooManyRequestsException", res.Error)
	require.Contains(t, res.Cause, "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException;")
	var attempts int
	for _, ev := range res.History() {
		if ev.Type == runtime.TaskFailed {
			attempts++
		}
	}
	require.Equal(t, 7, attempts, "the first call and six retries")

	// parameters Step Functions refuses
	for params, want := range map[string]string{
		`{"Payload":{}}`:                                        "States.Runtime",
		`{"FunctionName":"echo","Bogus":1}`:                     "States.Runtime",
		`{"FunctionName":7}`:                                    "States.Runtime",
		`{"FunctionName":"echo","InvocationType":"Sometimes"}`:  "Lambda.AWSLambdaException",
		`{"FunctionName":"echo","ClientContext":"not base64!"}`: "Lambda.InvalidRequestContentException",
		`{"FunctionName":"echo","Payload":"not JSON"}`:          "Lambda.InvalidRequestContentException",
		`{"FunctionName":"bad name"}`:                           "Lambda.AWSLambdaException",
		`{"FunctionName":"echo:1","Qualifier":"2"}`:             "Lambda.InvalidParameterValueException",
		`{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:echo","Qualifier":"9"}`: "Lambda.ResourceNotFoundException",
	} {
		res := runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":`+params+`,"End":true}}}`, map[string]any{})
		require.Equal(t, runtime.StatusFailed, res.Status, params)
		require.Equal(t, want, res.Error, "%s: %s", params, res.Cause)
	}
}

func TestLambdaInvokeEventAndDryRun(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, 0)
	res := runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"echo","InvocationType":"Event","Payload":{"async":true}},"End":true}}}`, map[string]any{})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	out := res.Output.(map[string]any)
	require.Equal(t, int64(202), out["StatusCode"])
	require.Equal(t, "", out["Payload"])
	require.NotContains(t, out, "ExecutedVersion")
	require.Equal(t, int64(202), out["SdkHttpMetadata"].(map[string]any)["HttpStatusCode"])
	got := <-f.got // the function runs in the background
	require.Equal(t, map[string]any{"async": true}, got.event)
	require.Equal(t, out["SdkResponseMetadata"].(map[string]any)["RequestId"], got.requestID)

	res = runMemory(t, m, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"echo","InvocationType":"DryRun"},"End":true}}}`, map[string]any{})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	require.Equal(t, int64(204), res.Output.(map[string]any)["StatusCode"])
	select {
	case c := <-f.got:
		t.Fatalf("a dry run invoked %s", c.fn)
	default:
	}
}

const tokenDefinition = `{"StartAt":"Ask","States":{
	"Ask":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"echo","Payload":{"token.$":"$$.Task.Token","item.$":"$.item"}},
		"ResultPath":"$.answer","End":true}}}`

func TestLambdaInvokeWaitForTaskToken(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, 0)
	clk := testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	d := runtime.NewDurable(storetest.Open(t, "sbfntoken-"), &runtime.Durable{Tasks: m, Now: clk.Now, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "approve", Definition: []byte(tokenDefinition), Name: "a-1",
		Input: map[string]any{"item": "i-7"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "waiting for the token")
	got := <-f.got
	require.Equal(t, "i-7", got.event["item"])
	token, _ := got.event["token"].(string)
	require.NotEmpty(t, token)

	require.NoError(t, d.SendTaskSuccess(ctx, token, map[string]any{"approved": true}))
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"item":"i-7","answer":{"approved":true}}`, string(e.Output))

	// an Express (in-memory) execution has no token: States.Runtime, and
	// the function is not invoked
	res := runMemory(t, m, tokenDefinition, map[string]any{"item": "i-8"})
	require.Equal(t, runtime.StatusFailed, res.Status)
	require.Equal(t, "States.Runtime", res.Error)
	select {
	case c := <-f.got:
		t.Fatalf("invoked %s", c.fn)
	default:
	}
}

// The Task's TimeoutSeconds ends a call before the function's own Timeout
// does: States.Timeout, as for any task.
func TestTimeoutSecondsBeforeTheFunctionsTimeout(t *testing.T) {
	t.Parallel()
	f := newFunctions(t)
	m, _ := f.tasks(t, time.Minute)
	d := runtime.NewDurable(storetest.Open(t, "sbfntimeout-"), &runtime.Durable{Tasks: m, Consumer: "w1"})
	ctx := context.Background()
	def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:slow","TimeoutSeconds":1,
		"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"TimedOut"}],"End":true},"TimedOut":{"Type":"Pass","End":true}}}`
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "slow", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"Error":"States.Timeout","Cause":"Task timed out"}`, string(e.Output))
}

// A function that answers its task token during its own invocation (as a
// fast consumer does): the token's answer is the task's.
func TestLambdaInvokeWaitForTaskTokenAnsweredDuringTheCall(t *testing.T) {
	t.Parallel()
	var d *runtime.Durable
	errs := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		_ = json.Unmarshal(b, &ev)
		errs <- d.SendTaskSuccess(context.Background(), ev["token"].(string), map[string]any{"early": true})
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "echo", Endpoint: srv.URL, ReservedConcurrency: -1})
	require.NoError(t, err)
	tasks := function.NewTasks(r, function.NewDispatcher(nil))
	t.Cleanup(tasks.Close)
	m := integrations.NewMux()
	tasks.Register(m)
	d = runtime.NewDurable(storetest.Open(t, "sbprobe-"), &runtime.Durable{Tasks: m, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "a", Definition: []byte(tokenDefinition), Input: map[string]any{"item": "x"}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, <-errs, "SendTaskSuccess during the call")
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"item":"x","answer":{"early":true}}`, string(e.Output))
}
