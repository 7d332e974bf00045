package runtime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

const activityARN = "arn:aws:states:us-east-1:123456789012:activity:"

// takeTask takes a task of an activity, which must come.
func takeTask(t *testing.T, d *runtime.Durable, arn, worker string) (string, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	token, input, err := d.GetActivityTask(ctx, arn, worker)
	require.NoError(t, err)
	require.NotEmpty(t, token, "a task is handed out")
	return token, input
}

// requireNoTask asserts that no task of the activity is handed out within
// a short poll.
func requireNoTask(t *testing.T, d *runtime.Durable, arn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	token, input, err := d.GetActivityTask(ctx, arn, "idle")
	require.NoError(t, err)
	require.Empty(t, token)
	require.Nil(t, input)
}

// historyEvents returns an execution's history events, decoded.
func historyEvents(t *testing.T, d *runtime.Durable, id string) []map[string]any {
	t.Helper()
	page, err := runtime.StoreOf(d).HistoryPage(context.Background(), &store.HistoryPageParams{ExecutionID: id, Limit: 1000})
	require.NoError(t, err)
	out := make([]map[string]any, len(page.Events))
	for i, ev := range page.Events {
		require.NoError(t, json.Unmarshal(ev.JSON, &out[i]))
	}
	return out
}

func eventOfType(t *testing.T, evs []map[string]any, typ string) map[string]any {
	t.Helper()
	for _, ev := range evs {
		if ev["type"] == typ {
			return ev
		}
	}
	t.Fatalf("no %s event", typ)
	return nil
}

func startFor(t *testing.T, d *runtime.Durable, def, name, input string) string {
	t.Helper()
	ctx := context.Background()
	s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Name: name, Input: decode(t, input)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	return s.ID
}

func TestActivitiesLifecycle(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	a, err := d.CreateActivity(ctx, "resize", map[string]string{"team": "media"})
	require.NoError(t, err)
	require.Equal(t, &runtime.ActivityInfo{ARN: activityARN + "resize", Name: "resize", Created: t0}, a)

	clk.Advance(time.Hour)
	again, err := d.CreateActivity(ctx, "resize", map[string]string{"team": "other"})
	require.NoError(t, err)
	require.Equal(t, a, again, "CreateActivity is idempotent by name")
	tags, err := d.ListTagsForResource(ctx, a.ARN)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "media"}, tags, "the repeated create's tags are ignored")

	for _, name := range []string{"", "has space", "a:b", "x{y}", strings.Repeat("n", 81)} {
		_, err := d.CreateActivity(ctx, name, nil)
		require.ErrorIs(t, err, runtime.ErrInvalidName, name)
	}
	_, err = d.CreateActivity(ctx, "tagged", map[string]string{"aws:x": "1"})
	require.ErrorIs(t, err, runtime.ErrValidation)
	many := map[string]string{}
	for i := range runtime.MaxTags + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	_, err = d.CreateActivity(ctx, "tagged", many)
	require.ErrorIs(t, err, runtime.ErrTooManyTags)

	got, err := d.DescribeActivity(ctx, a.ARN)
	require.NoError(t, err)
	require.Equal(t, a, got)
	_, err = d.DescribeActivity(ctx, activityARN+"ghost")
	require.ErrorIs(t, err, runtime.ErrActivityDoesNotExist)
	_, err = d.DescribeActivity(ctx, "arn:aws:states:us-east-1:123456789012:stateMachine:resize")
	require.ErrorIs(t, err, runtime.ErrInvalidArn)

	for _, name := range []string{"crop", "blur"} {
		_, err := d.CreateActivity(ctx, name, nil)
		require.NoError(t, err)
	}
	page, next, err := d.ListActivities(ctx, "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"blur", "crop"}, []string{page[0].Name, page[1].Name})
	require.NotEmpty(t, next)
	page, next, err = d.ListActivities(ctx, next, 2)
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, a, page[0])
	require.Empty(t, next)
	_, _, err = d.ListActivities(ctx, "", 1001)
	require.ErrorIs(t, err, runtime.ErrValidation)

	require.NoError(t, d.DeleteActivity(ctx, a.ARN))
	require.NoError(t, d.DeleteActivity(ctx, a.ARN), "deleting a missing activity is no error, as on AWS")
	_, err = d.DescribeActivity(ctx, a.ARN)
	require.ErrorIs(t, err, runtime.ErrActivityDoesNotExist)
	_, _, err = d.GetActivityTask(ctx, a.ARN, "w")
	require.ErrorIs(t, err, runtime.ErrActivityDoesNotExist)
	_, err = d.ListTagsForResource(ctx, a.ARN)
	require.ErrorIs(t, err, runtime.ErrResourceNotFound)
	_, _, err = d.GetActivityTask(ctx, "not-an-arn", "w")
	require.ErrorIs(t, err, runtime.ErrInvalidArn)
}

// activityMachine runs one activity task with Parameters, a timeout, a
// heartbeat and a retry of its failures named "Again".
func activityMachine(arn string) string {
	return `{"StartAt":"Work","States":{
		"Work":{"Type":"Task","Resource":"` + arn + `","Parameters":{"job.$":"$.job","try.$":"$$.State.RetryCount"},
			"TimeoutSeconds":300,"HeartbeatSeconds":60,"ResultPath":"$.result",
			"Retry":[{"ErrorEquals":["Again"],"IntervalSeconds":5}],"Next":"Done"},
		"Done":{"Type":"Succeed"}}}`
}

func TestActivityTaskRoundTrip(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	id := startFor(t, d, activityMachine(act.ARN), "r-1", `{"job":"img-1"}`)

	token, input := takeTask(t, d, act.ARN, "worker-7")
	require.JSONEq(t, `{"job":"img-1","try":0}`, string(input))
	requireNoTask(t, d, act.ARN) // handed out once

	// A heartbeat keeps the task alive past its HeartbeatSeconds.
	clk.Advance(50 * time.Second)
	require.NoError(t, d.SendTaskHeartbeat(ctx, token))
	clk.Advance(50 * time.Second)
	require.NoError(t, d.Drain(ctx))
	require.NoError(t, d.SendTaskSuccess(ctx, token, map[string]any{"size": int64(42)}))
	require.ErrorIs(t, d.SendTaskSuccess(ctx, token, "again"), runtime.ErrTaskDoesNotExist, "a token is usable once")
	require.NoError(t, d.Drain(ctx))

	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"job":"img-1","result":{"size":42}}`, string(e.Output))
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
		"ActivitySucceeded", "TaskStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"},
		historyTypes(t, d, id))

	evs := historyEvents(t, d, id)
	scheduled := eventOfType(t, evs, "ActivityScheduled")["activityScheduledEventDetails"].(map[string]any)
	require.Equal(t, act.ARN, scheduled["resource"])
	require.JSONEq(t, `{"job":"img-1","try":0}`, scheduled["input"].(string))
	require.Equal(t, map[string]any{"truncated": false}, scheduled["inputDetails"])
	require.EqualValues(t, 300, scheduled["timeoutInSeconds"])
	require.EqualValues(t, 60, scheduled["heartbeatInSeconds"])
	require.Equal(t, map[string]any{"workerName": "worker-7"}, eventOfType(t, evs, "ActivityStarted")["activityStartedEventDetails"])
	succeeded := eventOfType(t, evs, "ActivitySucceeded")["activitySucceededEventDetails"].(map[string]any)
	require.JSONEq(t, `{"size":42}`, succeeded["output"].(string))

	tasks, err := runtime.StoreOf(d).ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Empty(t, tasks, "the started task left the queue")
}

func TestActivityTaskFailureIsRetried(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	id := startFor(t, d, activityMachine(act.ARN), "r-1", `{"job":"img-1"}`)

	first, _ := takeTask(t, d, act.ARN, "")
	require.NoError(t, d.SendTaskFailure(ctx, first, "Again", "disk full"))
	require.NoError(t, d.Drain(ctx))
	requireNoTask(t, d, act.ARN) // the retry waits for its interval
	clk.Advance(5 * time.Second)
	require.NoError(t, d.Drain(ctx))

	second, input := takeTask(t, d, act.ARN, "")
	require.NotEqual(t, first, second, "each attempt has its own token")
	require.JSONEq(t, `{"job":"img-1","try":1}`, string(input))
	require.ErrorIs(t, d.SendTaskSuccess(ctx, first, "late"), runtime.ErrTaskDoesNotExist)
	require.NoError(t, d.SendTaskFailure(ctx, second, "Fatal", "corrupt image"))
	require.NoError(t, d.Drain(ctx))

	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "Fatal", e.Error)
	require.Equal(t, "corrupt image", e.Cause)
	evs := historyEvents(t, d, id)
	require.Equal(t, map[string]any{"error": "Again", "cause": "disk full"}, eventOfType(t, evs, "ActivityFailed")["activityFailedEventDetails"])
	require.Equal(t, map[string]any{}, eventOfType(t, evs, "ActivityStarted")["activityStartedEventDetails"], "no worker name")
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered",
		"ActivityScheduled", "ActivityStarted", "ActivityFailed",
		"ActivityScheduled", "ActivityStarted", "ActivityFailed", "ExecutionFailed"}, historyTypes(t, d, id))
}

func TestActivityTaskTimeouts(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	def := `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + act.ARN + `",
		"TimeoutSeconds":30,"HeartbeatSeconds":10,"End":true}}}`

	// Not taken within TimeoutSeconds (HeartbeatSeconds count from the
	// start only): the task times out, and its queued task goes stale.
	unclaimed := startFor(t, d, def, "unclaimed", `{}`)
	clk.Advance(29 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, unclaimed)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "the heartbeat timer is not armed before the start")
	clk.Advance(time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, unclaimed)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.Timeout", e.Error)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"},
		historyTypes(t, d, unclaimed))
	requireNoTask(t, d, act.ARN)
	tasks, err := runtime.StoreOf(d).ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Empty(t, tasks, "the stale task was dropped")

	// Taken, then silent: HeartbeatSeconds after the start it times out.
	silent := startFor(t, d, def, "silent", `{}`)
	clk.Advance(15 * time.Second)
	require.NoError(t, d.Drain(ctx))
	token, _ := takeTask(t, d, act.ARN, "w")
	clk.Advance(9 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, silent)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status)
	clk.Advance(time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, silent)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.HeartbeatTimeout", e.Error)
	require.Equal(t, "States.HeartbeatTimeout", eventOfType(t, historyEvents(t, d, silent), "ActivityTimedOut")["activityTimedOutEventDetails"].(map[string]any)["error"])
	require.ErrorIs(t, d.SendTaskSuccess(ctx, token, "late"), runtime.ErrTaskDoesNotExist)
}

func TestActivityTaskOnADeletedActivityFails(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "gone", nil)
	require.NoError(t, err)
	require.NoError(t, d.DeleteActivity(ctx, act.ARN))
	id := startFor(t, d, `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"`+act.ARN+`",
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Succeed"}}}`, "x", `{}`)
	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status, "as on AWS: a States.Runtime failure, not caught")
	require.Equal(t, "States.Runtime", e.Error)
	require.Equal(t, "An error occurred while executing the state 'Work' (entered at the event id #2). The activity "+act.ARN+" does not exist.", e.Cause)
	require.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "ExecutionFailed"}, historyTypes(t, d, id))
}

func TestActivityDeletedWhileTasksWait(t *testing.T) {
	t.Parallel()
	d, clk := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	def := `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + act.ARN + `","TimeoutSeconds":60,"End":true}}}`
	taken := startFor(t, d, def, "taken", `{}`)
	token, _ := takeTask(t, d, act.ARN, "w")
	waiting := startFor(t, d, def, "waiting", `{}`)

	require.NoError(t, d.DeleteActivity(ctx, act.ARN))
	// A token handed out stays valid; a task not handed out waits for its
	// timeout.
	require.NoError(t, d.SendTaskSuccess(ctx, token, "done"))
	clk.Advance(time.Minute)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, taken)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)
	e, err = d.Describe(ctx, waiting)
	require.NoError(t, err)
	require.Equal(t, "FAILED", e.Status)
	require.Equal(t, "States.Timeout", e.Error)
}

// Every scheduled task is handed out exactly once, however many pollers
// compete, and whatever duplicates and stale tasks the queue holds.
func TestActivityTasksAreHandedOutOnce(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	def := `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + act.ARN + `","End":true}}}`
	const n = 12
	ids := map[string]bool{}
	for i := range n {
		ids[startFor(t, d, def, fmt.Sprint("e-", i), fmt.Sprintf(`{"i":%d}`, i))] = true
	}
	// A scheduling worker that died after its push and before its
	// transition: the redelivered task item pushed the task again.
	tasks, err := runtime.StoreOf(d).ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Len(t, tasks, n)
	for _, task := range tasks[:4] {
		require.NoError(t, runtime.StoreOf(d).ActivityTaskPush(ctx, "resize", task))
	}
	// A poller that took a task and died before starting it leaves it
	// queued.
	_, err = runtime.StoreOf(d).ActivityTaskWait(ctx, "resize", 0)
	require.NoError(t, err)

	var (
		mu     sync.Mutex
		inputs []string
		wg     sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				pctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
				token, input, err := d.GetActivityTask(pctx, act.ARN, fmt.Sprint("w", w))
				cancel()
				if err != nil || token == "" {
					return
				}
				mu.Lock()
				inputs = append(inputs, string(input))
				mu.Unlock()
				if err := d.SendTaskSuccess(ctx, token, input); err != nil {
					panic(err)
				}
			}
		}()
	}
	wg.Wait()
	require.Len(t, inputs, n, "each task once: %v", inputs)
	require.NoError(t, d.Drain(ctx))
	for id := range ids {
		e, err := d.Describe(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "SUCCEEDED", e.Status)
		types := historyTypes(t, d, id)
		require.Equal(t, "ExecutionSucceeded", types[len(types)-1])
		started := 0
		for _, typ := range types {
			if typ == "ActivityStarted" {
				started++
			}
		}
		require.Equal(t, 1, started)
	}
	tasks, err = runtime.StoreOf(d).ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Empty(t, tasks)
}

// A task whose call has not committed its waiting yet (its thread still
// about to call, with that token) is kept for later; one of an execution
// that ended meanwhile is dropped.
func TestActivityTaskOfAnUncommittedScheduling(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	id := startFor(t, d, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, "waits", `{}`)
	st := runtime.StoreOf(d)
	th, err := st.ThreadGet(ctx, id, store.RootThread)
	require.NoError(t, err)
	// The thread as a call of the activity leaves it until its transition
	// commits: about to call, with the token the task carries.
	token := tokenFor(id, store.RootThread)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(th.Record, &rec))
	rec["ph"], rec["tok"], rec["call"] = "task", token, map[string]any{"res": act.ARN, "p": map[string]any{}}
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	_, err = st.Transition(ctx, &store.TransitionParams{ExecutionID: id, Thread: store.RootThread, Seq: th.Seq, Record: raw})
	require.NoError(t, err)
	queued := store.ActivityTask{Token: token}
	require.NoError(t, st.ActivityTaskPush(ctx, "resize", queued))
	requireNoTask(t, d, act.ARN)
	tasks, err := st.ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Equal(t, []store.ActivityTask{queued}, tasks, "kept")

	require.NoError(t, d.Stop(ctx, id, "", ""))
	requireNoTask(t, d, act.ARN)
	tasks, err = st.ActivityTasks(ctx, "resize")
	require.NoError(t, err)
	require.Empty(t, tasks, "dropped once its execution ended")
}

// tokenFor builds a task token in the runtime's format (tokens.go).
func tokenFor(execID, thread string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + execID + "|" + thread + "|0000000000000000"))
}

func TestGetActivityTaskWaitsForATask(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	type got struct {
		token string
		err   error
	}
	done := make(chan got, 1)
	go func() {
		pctx, cancel := context.WithTimeout(ctx, safety)
		defer cancel()
		token, _, err := d.GetActivityTask(pctx, act.ARN, "w")
		done <- got{token, err}
	}()
	startFor(t, d, `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"`+act.ARN+`","End":true}}}`, "x", `{}`)
	select {
	case g := <-done:
		require.NoError(t, g.err)
		require.NotEmpty(t, g.token, "the waiting poll got the task")
	case <-time.After(safety + time.Second):
		t.Fatal("the poll did not return")
	}
}

func TestActivityTasksInParallelBranches(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx := context.Background()
	act, err := d.CreateActivity(ctx, "resize", nil)
	require.NoError(t, err)
	branch := func(v string) string {
		return `{"StartAt":"T` + v + `","States":{"T` + v + `":{"Type":"Task","Resource":"` + act.ARN + `","Parameters":{"v":"` + v + `"},"End":true}}}`
	}
	id := startFor(t, d, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[`+branch("a")+`,`+branch("b")+`],"End":true}}}`, "p", `{}`)
	for range 2 {
		token, input := takeTask(t, d, act.ARN, "w")
		var in map[string]string
		require.NoError(t, json.Unmarshal(input, &in))
		require.NoError(t, d.SendTaskSuccess(ctx, token, strings.ToUpper(in["v"])))
		require.NoError(t, d.Drain(ctx))
	}
	e, err := d.Describe(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `["A","B"]`, string(e.Output))
}

// With ActivityTraceField set, an activity's worker finds the task's trace
// context in its input, an object: the Task state's span when tracing
// (here not: the starter's), with the starter's tracestate and baggage;
// an input that is not an object, or has the field already, is handed
// over unchanged, as it is with no ActivityTraceField.
func TestActivityInputCarriesTheTraceContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := testclock.New(t0)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Now: clk.Now, Consumer: "w1", ActivityTraceField: "_trace"})
	a, err := d.CreateActivity(ctx, "traced", nil)
	require.NoError(t, err)
	def := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + a.ARN + `","End":true}}}`
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	start := func(name, input string) {
		_, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Definition: []byte(def), Name: name, Input: decode(t, input),
			TraceParent: parent, TraceState: "rojo=1", Baggage: "tenant=acme"})
		require.NoError(t, err)
		require.NoError(t, d.Drain(ctx))
	}
	for name, input := range map[string]string{"object": `{"n":1}`, "array": `[1]`, "taken": `{"_trace":"mine"}`} {
		start(name, input)
		_, got := takeTask(t, d, a.ARN, "w")
		switch name {
		case "object":
			require.JSONEq(t, `{"n":1,"_trace":{"traceparent":"`+parent+`","tracestate":"rojo=1","baggage":"tenant=acme"}}`, string(got))
		default:
			require.JSONEq(t, input, string(got), name)
		}
	}
}
