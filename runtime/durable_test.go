package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// openStore opens a store of the test's own (storetest).
func openStore(t testing.TB) *store.Client { return storetest.Open(t, "sbrt-") }

func newDurable(t *testing.T, h integrations.Handler) (*runtime.Durable, *testclock.Clock) {
	clk := testclock.New(t0)
	return runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: h, Now: clk.Now, Consumer: "w1"}), clk
}

// requireStartIdempotent starts p twice and requires the second start to
// find the first one's execution, open.
func requireStartIdempotent(t *testing.T, d *runtime.Durable, p runtime.StartParams) *runtime.Started {
	t.Helper()
	first, err := d.Start(context.Background(), p)
	require.NoError(t, err)
	again, err := d.Start(context.Background(), p)
	require.NoError(t, err)
	require.True(t, again.Existing)
	require.Equal(t, first.ExecutionARN, again.ExecutionARN)
	return first
}

// historyTypes returns the types of an execution's history events.
func historyTypes(t *testing.T, d *runtime.Durable, id string) []string {
	t.Helper()
	page, err := runtime.StoreOf(d).HistoryPage(context.Background(), &store.HistoryPageParams{ExecutionID: id, Limit: 1000})
	require.NoError(t, err)
	var types []string
	for i, ev := range page.Events {
		var v struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(ev.JSON, &v))
		require.Equal(t, int64(i+1), v.ID, "history ids are sequential")
		types = append(types, v.Type)
	}
	return types
}

func TestDurableRunsAFlowWithTaskRetryAndWait(t *testing.T) {
	t.Parallel()
	calls := 0
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		calls++
		if req.Attempt == 0 {
			return nil, &integrations.Error{Name: "Flaky", Cause: "first attempt fails"}
		}
		p := req.Parameters.(map[string]any)
		return map[string]any{"charged": p["amount"]}, nil
	})
	d, clk := newDurable(t, h)
	ctx := context.Background()
	def := `{"StartAt":"Prepare","States":{
		"Prepare":{"Type":"Pass","Parameters":{"amount.$":"$.amount"},"Assign":{"who.$":"$.amount"},"Next":"Big?"},
		"Big?":{"Type":"Choice","Choices":[{"Variable":"$.amount","NumericGreaterThan":10,"Next":"Charge"}],"Default":"Small"},
		"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":5}],"ResultPath":"$.result","Next":"Settle"},
		"Settle":{"Type":"Wait","Seconds":60,"Next":"Done"},
		"Done":{"Type":"Pass","Parameters":{"charged.$":"$.result.charged","who.$":"$who"},"End":true},
		"Small":{"Type":"Fail","Error":"TooSmall"}}}`
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "orders", Definition: []byte(def), Name: "o-1", Input: decode(t, `{"amount":42}`)})
	require.NoError(t, err)
	require.False(t, started.Existing)

	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "parked on the retry's backoff")
	require.Equal(t, 1, calls)

	clk.Advance(5 * time.Second)
	require.NoError(t, d.Drain(ctx))
	require.Equal(t, 2, calls, "the retry ran once its backoff passed")
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "waiting in Settle")

	clk.Advance(59 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, _ = d.Describe(ctx, started.ID)
	require.Equal(t, "RUNNING", e.Status, "one second of the Wait is left")

	clk.Advance(time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `{"charged":42,"who":42}`, string(e.Output))
	require.Equal(t, []string{
		"ExecutionStarted",
		"PassStateEntered", "PassStateExited",
		"ChoiceStateEntered", "ChoiceStateExited",
		"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"WaitStateEntered", "WaitStateExited",
		"PassStateEntered", "PassStateExited",
		"ExecutionSucceeded",
	}, historyTypes(t, d, started.ID))
}

func TestDurableStartIsIdempotentByName(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	def := []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`)
	p := runtime.StartParams{StateMachineName: "m", Definition: def, Name: "same", Input: decode(t, `{"a":1}`)}
	requireStartIdempotent(t, d, p)

	p.Input = decode(t, `{"a":2}`)
	_, err := d.Start(ctx, p)
	require.ErrorIs(t, err, runtime.ErrExecutionAlreadyExists)
}

func TestDurableFailsAndRecordsTheError(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(`{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}`), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "Boom", e.Error)
	require.Equal(t, "on purpose", e.Cause)
	require.Equal(t, []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}, historyTypes(t, d, started.ID))
}

func TestDurableParallelAndMapRunInsideOneStep(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	def := `{"StartAt":"Init","States":{
		"Init":{"Type":"Pass","Assign":{"k":10},"Next":"Both"},
		"Both":{"Type":"Parallel","Branches":[
			{"StartAt":"Sq","States":{"Sq":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, $k)"},"End":true}}},"End":true}}},
			{"StartAt":"Len","States":{"Len":{"Type":"Pass","Parameters":{"n.$":"States.ArrayLength($.items)"},"End":true}}}],
		"End":true}}}`
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: decode(t, `{"items":[1,2,3]}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `[[{"v":11},{"v":12},{"v":13}],{"n":3}]`, string(e.Output))
	types := historyTypes(t, d, started.ID)
	require.Contains(t, types, "MapIterationSucceeded")
	require.Equal(t, "ExecutionSucceeded", types[len(types)-1])
}

// A worker that dies after its transition but before acknowledging leaves
// the item leased; the worker that takes it over finds it stale and drops
// it. One that dies before its transition leaves the step to be done by
// the next: either way the step takes effect exactly once.
func TestDurableWorkTakenOverAfterACrash(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	d.WorkersOnly = true // the start leaves A's step to the workers
	ctx := context.Background()
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"B"},"B":{"Type":"Pass","Result":2,"ResultPath":"$.b","End":true}}}`
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)

	// The first worker reads A's step and dies before doing anything.
	works, err := runtime.StoreOf(d).WorkRead(ctx, "dead-1", 10, 0)
	require.NoError(t, err)
	require.Len(t, works, 1)

	// The second worker takes it over and carries out A; then it dies after
	// the transition, before acknowledging.
	second := runtime.NewDurable(runtime.StoreOf(d), &runtime.Durable{Now: d.Now, Consumer: "dead-2"})
	taken := reclaimAll(t, second)
	require.Len(t, taken, 1)
	require.NoError(t, second.Process(ctx, taken[0].Item))

	// A third worker reclaims A's item again: stale, dropped. B's step, in
	// the ready stream, it carries out.
	third := runtime.NewDurable(runtime.StoreOf(d), &runtime.Durable{Now: d.Now, Consumer: "alive"})
	again := reclaimAll(t, third)
	require.Len(t, again, 1)
	require.NoError(t, third.Process(ctx, again[0].Item))
	require.NoError(t, runtime.StoreOf(d).WorkAck(ctx, again[0].ID))
	require.NoError(t, third.Drain(ctx))

	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `{"a":1,"b":2}`, string(e.Output))
	require.Equal(t, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"},
		historyTypes(t, d, started.ID), "no transition twice, none missing")
}

// reclaimAll takes over every leased item, however short its idle time has
// been (the dead workers above never come back).
func reclaimAll(t *testing.T, d *runtime.Durable) []store.Work {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		works, err := runtime.StoreOf(d).WorkReclaim(context.Background(), d.Consumer, time.Millisecond, 10)
		if err != nil && !errors.Is(err, store.ErrCorrupt) {
			require.NoError(t, err)
		}
		if len(works) > 0 {
			return works
		}
	}
	t.Fatal("nothing to reclaim")
	return nil
}

func TestDurableExecutionTimesOut(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: map[string]any{},
		Definition: []byte(`{"TimeoutSeconds":30,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	clk.Advance(29 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, _ := d.Describe(ctx, started.ID)
	require.Equal(t, "RUNNING", e.Status)

	clk.Advance(time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "TIMED_OUT", e.Status)
	require.Equal(t, "States.Timeout", e.Error)

	// The Wait's timer still fires later; its work finds the execution
	// closed and is dropped.
	clk.Advance(time.Hour)
	require.NoError(t, d.Drain(ctx))
	require.Equal(t, []string{"ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"}, historyTypes(t, d, started.ID))
}

func TestDurableStop(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: map[string]any{},
		Definition: []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.Stop(ctx, started.ID, "Cancelled", "the customer changed their mind"))
	require.ErrorIs(t, d.Stop(ctx, started.ID, "", ""), store.ErrClosed)
	clk.Advance(time.Minute)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "ABORTED", e.Status)
	require.Equal(t, "Cancelled", e.Error)
	require.Equal(t, []string{"ExecutionStarted", "WaitStateEntered", "ExecutionAborted"}, historyTypes(t, d, started.ID))
}

func runDurable(t *testing.T, h integrations.Handler, def, input string) (*runtime.Durable, *runtime.ExecutionInfo) {
	t.Helper()
	d, _ := newDurable(t, h)
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: decode(t, input)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	return d, e
}

func TestDurableMapLimitedConcurrencyKeepsOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []any
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		mu.Lock()
		order = append(order, req.Parameters)
		mu.Unlock()
		return req.Parameters, nil
	})
	_, e := runDurable(t, h, `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ItemsPath":"$.items",
		"ItemSelector":{"n.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index"},
		"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}},"End":true}}}`,
		`{"items":["a","b","c","d","e"]}`)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `[{"n":"a","i":0},{"n":"b","i":1},{"n":"c","i":2},{"n":"d","i":3},{"n":"e","i":4}]`, string(e.Output))
	require.Len(t, order, 5, "each iteration's task ran once")
}

func TestDurableMapToleratesFailures(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,"ItemProcessor":{"StartAt":"C","States":{
		"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"Bad"}],"Default":"Good"},
		"Bad":{"Type":"Fail","Error":"Two","Cause":"no twos"},"Good":{"Type":"Pass","End":true}}},"End":true}}}`
	_, e := runDurable(t, nil, def, `[1,2,3]`)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out []any
	require.NoError(t, json.Unmarshal(e.Output, &out))
	require.Equal(t, float64(1), out[0])
	require.Equal(t, "Two", out[1].(map[string]any)["Error"])
	require.Equal(t, float64(3), out[2])

	_, e = runDurable(t, nil, def, `[2,2,3]`)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.ExceedToleratedFailureThreshold", e.Error)
}

func TestDurableParallelFailureIsCaughtAndBranchesSeeOuterVariables(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"Init","States":{
		"Init":{"Type":"Pass","Assign":{"k":7},"Next":"P"},
		"P":{"Type":"Parallel","Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"k.$":"$k"},"Assign":{"inner":1},"End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Fail","Error":"Nope","Cause":"branch B"}}}],
			"Catch":[{"ErrorEquals":["Nope"],"ResultPath":"$.err","Next":"After"}],"End":true},
		"After":{"Type":"Pass","Parameters":{"err.$":"$.err.Error","k.$":"$k"},"End":true}}}`
	d, e := runDurable(t, nil, def, `{}`)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"err":"Nope","k":7}`, string(e.Output))
	types := historyTypes(t, d, e.ID)
	require.Contains(t, types, "ParallelStateFailed")
	require.Equal(t, "ExecutionSucceeded", types[len(types)-1])

	// A variable assigned inside a branch is invisible outside it.
	_, e = runDurable(t, nil, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"inner":1},"End":true}}}],"Next":"Read"},
		"Read":{"Type":"Pass","Parameters":{"v.$":"$inner"},"End":true}}}`, `{}`)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.Runtime", e.Error)
}

func TestDurableNestedMapInParallel(t *testing.T) {
	t.Parallel()
	_, e := runDurable(t, nil, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
		{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"Sq","States":{
			"Sq":{"Type":"Map","ItemsPath":"$.ys","ItemProcessor":{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 100)"},"End":true}}},"End":true}}},"End":true}}},
		{"StartAt":"Q","States":{"Q":{"Type":"Pass","Result":"q","End":true}}}],"End":true}}}`,
		`{"xs":[{"ys":[1,2]},{"ys":[]},{"ys":[3]}]}`)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `[[[{"v":101},{"v":102}],[],[{"v":103}]],"q"]`, string(e.Output))
}

func TestDurableStartChecksNameInputAndTrace(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)
	for _, name := range []string{"has space", "a/b", "semi;colon", "x{y}", strings.Repeat("n", 81)} {
		_, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: def, Name: name, Input: map[string]any{}})
		require.ErrorIs(t, err, runtime.ErrInvalidName, name)
	}
	_, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: def, Input: map[string]any{"big": strings.Repeat("x", runtime.MaxPayload)}})
	require.ErrorIs(t, err, runtime.ErrInvalidInput)

	s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: def, Input: map[string]any{},
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	require.NoError(t, err)
	e, err := d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", e.TraceID, "the execution joins the caller's trace")
	require.Equal(t, "00f067aa0ba902b7", e.SpanID)

	s, err = d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: def, Input: map[string]any{}, TraceParent: "garbage"})
	require.NoError(t, err)
	e, err = d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.Len(t, e.TraceID, 32, "a new trace")
	require.Empty(t, e.SpanID, "no caller's span: the execution's own is the trace's root")
}

func TestDurableStateOutputOverTheLimitFails(t *testing.T) {
	t.Parallel()
	_, e := runDurable(t, nil, `{"StartAt":"Grow","States":{"Grow":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`, `{"s":"`+strings.Repeat("x", 200*1024)+`"}`)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.DataLimitExceeded", e.Error)
	require.Contains(t, e.Cause, "'Grow'")
}

func TestDurableRedriveFromTheFailedState(t *testing.T) {
	t.Parallel()
	calls := 0
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		calls++
		if calls == 1 {
			return nil, &integrations.Error{Name: "Down", Cause: "the service is down"}
		}
		return "paid", nil
	})
	d, _ := newDurable(t, h)
	ctx := context.Background()
	def := `{"StartAt":"Prepare","States":{
		"Prepare":{"Type":"Pass","Result":{"n":1},"Next":"Pay"},
		"Pay":{"Type":"Task","Resource":"r","ResultPath":"$.paid","Next":"Done"},
		"Done":{"Type":"Pass","Parameters":{"paid.$":"$.paid","redrives.$":"$$.Execution.RedriveCount"},"End":true}}}`
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	_, err = d.Redrive(ctx, "no-such-execution")
	require.ErrorIs(t, err, store.ErrNotFound)

	n, err := d.Redrive(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"paid":"paid","redrives":1}`, string(e.Output))
	require.Equal(t, 1, e.RedriveCount)
	require.Equal(t, 2, calls, "Prepare did not run again, Pay did")
	require.Equal(t, []string{
		"ExecutionStarted", "PassStateEntered", "PassStateExited",
		"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed",
		"ExecutionRedriven", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"PassStateEntered", "PassStateExited", "ExecutionSucceeded",
	}, historyTypes(t, d, started.ID))

	_, err = d.Redrive(ctx, started.ID)
	require.ErrorIs(t, err, store.ErrClosed, "a succeeded execution cannot be redriven")
}

func TestDurableTaskTokens(t *testing.T) {
	t.Parallel()
	// The integration hands the token on (as an SQS message would) and
	// returns at once; the test plays the worker that answers.
	tokens := make(chan string, 10)
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		p := req.Parameters.(map[string]any)
		require.Equal(t, req.TaskToken, p["token"], "$$.Task.Token is the token the integration gets")
		tokens <- req.TaskToken
		return map[string]any{"MessageId": "m-1"}, nil
	})
	d, clk := newDurable(t, h)
	ctx := context.Background()
	def := `{"StartAt":"Ask","States":{
		"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"token.$":"$$.Task.Token"},
			"HeartbeatSeconds":60,"TimeoutSeconds":300,"ResultPath":"$.answer",
			"Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"ResultPath":"$.err","Next":"Late"}],"Next":"Done"},
		"Late":{"Type":"Pass","Result":"late","ResultPath":"$.answer","Next":"Done"},
		"Done":{"Type":"Succeed"}}}`
	start := func(name string) string {
		s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Name: name, Input: map[string]any{}})
		require.NoError(t, err)
		require.NoError(t, d.Drain(ctx))
		return s.ID
	}

	// Success, after a heartbeat that keeps the task alive past 60 s.
	id := start("ok")
	token := <-tokens
	clk.Advance(50 * time.Second)
	require.NoError(t, d.SendTaskHeartbeat(ctx, token))
	clk.Advance(50 * time.Second)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.SendTaskSuccess(ctx, token, map[string]any{"approved": true}))
	require.ErrorIs(t, d.SendTaskSuccess(ctx, token, "again"), runtime.ErrTaskDoesNotExist, "a token is usable once")
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"answer":{"approved":true}}`, string(e.Output))
	types := historyTypes(t, d, id)
	require.Contains(t, types, "TaskSubmitted")
	require.Contains(t, types, "TaskSucceeded")

	// No heartbeat: the task times out and the Catch takes over.
	id = start("silent")
	<-tokens
	clk.Advance(61 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	require.JSONEq(t, `"late"`, mustField(t, e.Output, "answer"))

	// Failure: Retry and Catch see the error (none here: it fails).
	id = start("fails")
	token = <-tokens
	require.NoError(t, d.SendTaskFailure(ctx, token, "Rejected", "by a human"))
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "Rejected", e.Error)

	require.ErrorIs(t, d.SendTaskSuccess(ctx, "not-a-token", 1), runtime.ErrInvalidToken)
}

func mustField(t *testing.T, obj []byte, key string) string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(obj, &m))
	return string(m[key])
}

// A consumer may answer a task's token before the call that handed it out
// has returned: the answer is taken, not refused.
func TestDurableTaskTokenAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	var d *runtime.Durable
	h := integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		require.NoError(t, d.SendTaskHeartbeat(ctx, req.TaskToken), "a heartbeat before the hand-over returns")
		require.NoError(t, d.SendTaskSuccess(ctx, req.TaskToken, map[string]any{"quick": true}))
		return map[string]any{"MessageId": "m-1"}, nil
	})
	d, _ = newDurable(t, h)
	ctx := context.Background()
	def := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"token.$":"$$.Task.Token"},"End":true}}}`
	s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, s.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"quick":true}`, string(e.Output))
	types := historyTypes(t, d, s.ID)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}, types)
}
