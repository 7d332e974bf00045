package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// otlpReceiver is an OTLP/HTTP trace receiver on loopback: it decodes
// what an exporter sends to /v1/traces (protobuf), as a collector does.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []receivedSpan
}

type receivedSpan struct {
	name, traceID, spanID, parentID, service, traceState string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		var msg coltracepb.ExportTraceServiceRequest
		if err == nil && req.URL.Path == "/v1/traces" {
			err = proto.Unmarshal(body, &msg)
		}
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range msg.ResourceSpans {
			service := ""
			for _, kv := range rs.GetResource().GetAttributes() {
				if kv.Key == "service.name" {
					service = kv.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.spans = append(r.spans, receivedSpan{name: s.Name, traceID: hex.EncodeToString(s.TraceId), spanID: hex.EncodeToString(s.SpanId),
						parentID: hex.EncodeToString(s.ParentSpanId), service: service, traceState: s.TraceState})
				}
			}
		}
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *otlpReceiver) received() []receivedSpan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedSpan(nil), r.spans...)
}

// serve --otlp-endpoint exports each execution as one trace, the
// caller's: the execution's span the child of the caller's span, each
// state's the child of the execution's, the task call's the child of its
// state's; the caller's tracestate goes with the execution's spans and out
// with its HTTP task's call (whose server span, serve's own, shows it).
// The spans are flushed when serve stops.
func TestServeExportsTracesByOTLP(t *testing.T) {
	t.Parallel()
	recv := newOTLPReceiver(t)
	s := startServeUnder(t, []string{"env", "OTEL_SERVICE_NAME=signalbox-test"}, "--otlp-endpoint", recv.URL)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	def := `{"StartAt":"Prepare","States":{"Prepare":{"Type":"Pass","Result":{"url":"` + s.URL + `/api/v1/health"},"Next":"Call"},
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint.$":"$.url","Method":"GET"},"Next":"Done"},
		"Done":{"Type":"Succeed"}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("traced"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	require.NoError(t, err)
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{}`),
		TraceHeader: aws.String("00-" + traceID + "-" + callerSpan + "-01")}, func(o *sfn.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("tracestate", "rojo=00f067aa0ba902b7"))
	})
	require.NoError(t, err)
	done := awaitExecution(t, s, client, aws.ToString(out.ExecutionArn), types.ExecutionStatusSucceeded)
	require.Contains(t, aws.ToString(done.TraceHeader), traceID)
	s.Stop(t) // flushes the spans

	byID := map[string]receivedSpan{}
	names := map[string]receivedSpan{}
	var requests []string
	for _, sp := range recv.received() {
		if strings.HasPrefix(sp.name, "POST / ") {
			requests = append(requests, sp.name) // the API's server spans
		}
		if sp.traceID != traceID {
			continue
		}
		require.Equal(t, "signalbox-test", sp.service, "OTEL_SERVICE_NAME names the service")
		byID[sp.spanID] = sp
		names[sp.name] = sp
	}
	exec, ok := names["execution traced"]
	require.True(t, ok, "the execution's span, in the caller's trace: %v", names)
	require.Equal(t, callerSpan, exec.parentID)
	for _, state := range []string{"Pass Prepare", "Task Call", "Succeed Done"} {
		require.Equal(t, exec.spanID, names[state].parentID, "%s is the execution's child", state)
	}
	task, ok := names["task arn:aws:states:::http:invoke"]
	require.True(t, ok, "the task call's span: %v", names)
	require.Equal(t, names["Task Call"].spanID, task.parentID, "the call is its state's child")
	require.Equal(t, "rojo=00f067aa0ba902b7", exec.traceState, "the caller's tracestate")
	require.Equal(t, "rojo=00f067aa0ba902b7", names["Task Call"].traceState)
	health, ok := names["GET /api/v1/health"]
	require.True(t, ok, "the HTTP task's request, served by serve itself: %v", names)
	require.Equal(t, task.spanID, health.parentID, "the request's parent is the task call")
	require.Equal(t, "rojo=00f067aa0ba902b7", health.traceState, "the tracestate went out with the call")
	require.Contains(t, requests, "POST / CreateStateMachine", "a server span per request, named after the API's action")
	require.Contains(t, requests, "POST / StartExecution")
}

// serve --log-format json logs one JSON object a line; an unknown format
// is refused.
func TestServeLogsJSON(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--log-format", "json")
	s.Stop(t)
	lines := strings.Split(strings.TrimSpace(s.Log()), "\n")
	require.NotEmpty(t, lines)
	for _, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "a JSON object a line: %q", line)
		require.Contains(t, rec, "msg")
		require.Contains(t, rec, "level")
	}
	res := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--log-format", "xml")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "--log-format")
}

// metricValue is the value of one sample of a Prometheus text exposition
// (name and labels as they are printed, e.g. `x_total{a="b"}`), or 0.
func metricValue(t *testing.T, text, sample string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if sameLabels(name, sample) {
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			require.NoError(t, err, line)
			return f
		}
	}
	return 0
}

// sameLabels reports whether the sample got has every label of want (the
// exporter adds labels of its own: otel_scope_name, ...).
func sameLabels(got, want string) bool {
	gn, gl, _ := strings.Cut(got, "{")
	wn, wl, _ := strings.Cut(want, "{")
	if gn != wn {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(wl, "}"), ",") {
		if l != "" && !strings.Contains(gl, l) {
			return false
		}
	}
	return true
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return string(body)
}

// GET /metrics (a Prometheus scrape) moves as executions run: started,
// ended by status, state transitions, task durations by resource, open
// executions and timers, HTTP requests by route.
func TestServeMetricsMoveAsAnExecutionRuns(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	before := scrape(t, s.URL)
	require.Zero(t, metricValue(t, before, `signalbox_executions_started_total{state_machine="metered"}`))

	def := `{"StartAt":"Prepare","States":{"Prepare":{"Type":"Pass","Result":{"url":"` + s.URL + `/api/v1/health"},"Next":"Call"},
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint.$":"$.url","Method":"GET"},"Next":"Nap"},
		"Nap":{"Type":"Wait","Seconds":3600,"End":true}}}`
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("metered"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	require.NoError(t, err)
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{}`)})
	require.NoError(t, err)
	// it waits an hour: wait until it is in its Wait, then stop it
	safety := time.Now().Add(30 * time.Second) // a net against a hang, not a synchronisation
	for {
		types := historyTypes(t, client, aws.ToString(out.ExecutionArn))
		if len(types) > 0 && types[len(types)-1] == "WaitStateEntered" {
			break
		}
		require.True(t, time.Now().Before(safety), "never reached its Wait: %v", types)
		_ = scrape(t, s.URL) // a request of its own between polls, not a sleep
	}
	during := scrape(t, s.URL)
	require.Equal(t, 1.0, metricValue(t, during, `signalbox_executions_started_total{state_machine="metered"}`))
	require.Equal(t, 3.0, metricValue(t, during, `signalbox_state_transitions_total{state_machine="metered"}`), "Prepare, Call, Nap entered")
	require.GreaterOrEqual(t, metricValue(t, during, `signalbox_executions_open`), 1.0)
	require.GreaterOrEqual(t, metricValue(t, during, `signalbox_timers`), 1.0, "the Wait's timer")
	require.Equal(t, 1.0, metricValue(t, during, `signalbox_task_duration_seconds_count{outcome="succeeded",resource="arn:aws:states:::http:invoke"}`))
	require.Positive(t, metricValue(t, during, `http_server_request_duration_seconds_count{http_request_method="POST",http_route="/"}`), "HTTP requests by route:\n%s", during)
	require.Positive(t, metricValue(t, during, `signalbox_redis_duration_seconds_count{command="evalsha"}`), "Redis round trips by command")

	_, err = client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn})
	require.NoError(t, err)
	after := scrape(t, s.URL)
	require.Equal(t, 1.0, metricValue(t, after, `signalbox_executions_ended_total{state_machine="metered",status="ABORTED"}`))
}

// One trace, whatever happens to the processes: an execution started by
// this process (which takes its first state itself), whose task call is
// under way in one `signalbox worker` when that worker is killed with
// SIGKILL, and which a second worker takes over and ends. Every state is
// one span, once, in the caller's trace, emitted by whoever ended it; the
// killed worker's unfinished call leaves no span, the second's call does.
func TestTraceSurvivesAKilledWorker(t *testing.T) {
	t.Parallel()
	srv := redisproc.StartForTest(t)
	recv := newOTLPReceiver(t)
	ctx := context.Background()
	prefix := storetest.Prefix("sbtk-")
	st, err := store.Open(ctx, store.Options{URL: srv.URL(), Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	// The endpoint the task calls: the first call is held until its
	// caller dies; later ones answer at once.
	entered := make(chan struct{})
	var calls sync.Mutex
	n := 0
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Lock()
		n++
		first := n == 1
		calls.Unlock()
		if first {
			close(entered)
			<-r.Context().Done() // the worker is gone
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(endpoint.Close)

	startWorker := func() (*exec.Cmd, *bytes.Buffer) {
		w := exec.Command(signalbox(t), "worker", "--redis-url", srv.URL(), "--redis-prefix", prefix, "--lease", "1s",
			"--otlp-endpoint", recv.URL)
		var stderr bytes.Buffer
		w.Stderr = &stderr
		require.NoError(t, w.Start())
		return w, &stderr
	}
	first, _ := startWorker()

	tel, err := telemetry.Setup(ctx, telemetry.Options{Endpoint: recv.URL, Getenv: func(string) string { return "" }})
	require.NoError(t, err)
	d := runtime.NewDurable(st, &runtime.Durable{Tracer: tel.Tracer, Consumer: "starter"})
	def := `{"StartAt":"Prep","States":{"Prep":{"Type":"Pass","Result":"` + endpoint.URL + `","ResultPath":"$.url","Next":"Call"},
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint.$":"$.url","Method":"GET"},"ResultPath":null,"Next":"After"},
		"After":{"Type":"Pass","End":true}}}`
	const traceID, callerSpan = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{},
		TraceParent: "00-" + traceID + "-" + callerSpan + "-01"})
	require.NoError(t, err)
	require.NoError(t, tel.Shutdown(ctx)) // the starter's spans (Prep's)

	<-entered // the first worker is inside the call
	require.NoError(t, first.Process.Kill())
	_ = first.Wait()
	second, secondErr := startWorker()
	safety := time.Now().Add(60 * time.Second) // a net against a hang; the loop ends when the execution does
	for {
		e, err := d.Describe(ctx, started.ID)
		require.NoError(t, err)
		if e.Status != "RUNNING" {
			require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
			break
		}
		require.True(t, time.Now().Before(safety), "the second worker never ended it; its log:\n%s", secondErr)
		time.Sleep(20 * time.Millisecond) // a poll's interval, not a synchronisation
	}
	require.NoError(t, second.Process.Signal(syscall.SIGTERM)) // flushes its spans
	require.NoError(t, second.Wait())

	count := map[string]int{}
	byName := map[string]receivedSpan{}
	for _, sp := range recv.received() {
		if sp.traceID != traceID {
			continue
		}
		count[sp.name]++
		byName[sp.name] = sp
	}
	for _, name := range []string{"execution m", "Pass Prep", "Task Call", "Pass After"} {
		require.Equal(t, 1, count[name], "%s once: %v", name, count)
	}
	exec := byName["execution m"]
	require.Equal(t, callerSpan, exec.parentID)
	for _, name := range []string{"Pass Prep", "Task Call", "Pass After"} {
		require.Equal(t, exec.spanID, byName[name].parentID, name)
	}
	require.Equal(t, 1, count["task arn:aws:states:::http:invoke"], "the second worker's call; the killed one's never ended: %v", count)
	require.Equal(t, byName["Task Call"].spanID, byName["task arn:aws:states:::http:invoke"].parentID)
}
