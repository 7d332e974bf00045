package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// prefixRun is one execution on the durable engine: what Start alone left
// (before any worker ran), and what the execution ended with.
type prefixRun struct {
	afterStart *runtime.ExecutionInfo
	startTypes []string
	history    string // normalized (normalizeHistory)
	end        *runtime.ExecutionInfo
	calls      []call
}

func runPrefixed(t *testing.T, workersOnly bool, def, input string) prefixRun {
	t.Helper()
	ctx := context.Background()
	clk := testclock.New(t0)
	rec := newRecorder(echo)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: rec, Now: clk.Now, Consumer: "p", WorkersOnly: workersOnly})
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "StateMachine", Name: "run", Definition: []byte(def), Input: decode(t, input)})
	require.NoError(t, err)
	var r prefixRun
	r.afterStart, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	r.startTypes = historyTypes(t, d, started.ID)
	var evs []map[string]any
	evs, r.end = finishVirtual(t, d, clk, started.ID)
	r.history = normalizeHistory(t, evs)
	r.calls = rec.Calls()
	return r
}

// A start carries out the top-level thread's steps that need nothing from
// outside (durable_prefix.go) and writes them with the execution: what it
// writes is what the workers would have written, event for event, and
// the workers go on from there.
func TestStartCarriesOutThePurePrefix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, def, input string
		// what Start alone leaves: the status and the last event's type
		status, last string
	}{
		{"a pass chain ends at its start",
			`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"B"},"B":{"Type":"Pass","Result":2,"ResultPath":"$.b","End":true}}}`,
			`{}`, "SUCCEEDED", "ExecutionSucceeded"},
		{"a choice to a fail",
			`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":3,"Next":"Big"}],"Default":"Ok"},
			  "Big":{"Type":"Fail","Error":"TooBig","Cause":"n > 3"},"Ok":{"Type":"Succeed"}}}`,
			`{"n":5}`, "FAILED", "ExecutionFailed"},
		{"variables set before the first task reach it",
			`{"StartAt":"Set","States":{"Set":{"Type":"Pass","Assign":{"x":5},"Next":"Call"},
			  "Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"v.$":"$x"},"Next":"Use"},
			  "Use":{"Type":"Pass","Parameters":{"x.$":"$x","got.$":"$.v"},"End":true}}}`,
			`{}`, "RUNNING", "TaskScheduled"},
		{"a wait's timer is set by the start",
			`{"StartAt":"A","TimeoutSeconds":600,"States":{"A":{"Type":"Pass","Next":"Nap"},"Nap":{"Type":"Wait","Seconds":30,"Next":"B"},"B":{"Type":"Pass","End":true}}}`,
			`{"k":1}`, "RUNNING", "WaitStateEntered"},
		{"a map is left to the workers",
			`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"M"},"M":{"Type":"Map","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`,
			`[1,2,3]`, "RUNNING", "MapStateEntered"},
		{"a task's arguments failing, caught",
			`{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":"{% $error('Boom') %}",
			  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"}],"Next":"B"},
			  "B":{"Type":"Pass","Output":"{% $states.input %}","End":true}}}`,
			`{"k":1}`, "SUCCEEDED", "ExecutionSucceeded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pre := runPrefixed(t, false, tc.def, tc.input)
			require.Equal(t, tc.status, pre.afterStart.Status, "after Start alone")
			require.Equal(t, tc.last, pre.startTypes[len(pre.startTypes)-1], "after Start alone: %v", pre.startTypes)

			workers := runPrefixed(t, true, tc.def, tc.input)
			require.Equal(t, "RUNNING", workers.afterStart.Status)
			require.Equal(t, []string{"ExecutionStarted", workers.startTypes[1]}, workers.startTypes, "without the prefix, Start writes two events")

			require.Equal(t, workers.history, pre.history, "the same history either way")
			require.Equal(t, workers.end.Status, pre.end.Status)
			require.Equal(t, string(workers.end.Output), string(pre.end.Output))
			require.Equal(t, workers.calls, pre.calls, "the same task calls")
		})
	}
}

// A start repeated with the same name and input finds the execution its
// first call created: running (it waits for a task), the same execution;
// already ended by its prefix, ExecutionAlreadyExists, as for any closed
// execution.
func TestStartWithAPrefixIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := newRecorder(echo)
	clk := testclock.New(t0)
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: rec, Now: clk.Now, Consumer: "p"})
	waits := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"T"},"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`
	first := requireStartIdempotent(t, d, runtime.StartParams{StateMachineName: "m", Name: "once", Definition: []byte(waits), Input: decode(t, `{"a":1}`)})
	require.NoError(t, d.Drain(ctx))
	require.Len(t, rec.Calls(), 1, "one execution, one call")
	e, err := d.Describe(ctx, first.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status)

	pure := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	p := runtime.StartParams{StateMachineName: "n", Name: "once", Definition: []byte(pure), Input: decode(t, `{"a":1}`)}
	closed, err := d.Start(ctx, p)
	require.NoError(t, err)
	_, err = d.Start(ctx, p)
	require.ErrorIs(t, err, runtime.ErrExecutionAlreadyExists)
	_, err = d.Redrive(ctx, closed.ID)
	require.ErrorIs(t, err, store.ErrClosed, "created SUCCEEDED (and with no thread kept): not redrivable")
	open, err := runtime.StoreOf(d).OpenExecutions(ctx, &store.OpenExecutionsParams{})
	require.NoError(t, err)
	for _, o := range open {
		require.NotEqual(t, closed.ID, o.ID, "an execution created closed is not among the open ones")
	}
	list, _, err := d.ListExecutions(ctx, "n", "", "", 10)
	require.NoError(t, err)
	require.Len(t, list, 1, "the execution created closed is listed under its state machine")
	require.Equal(t, "SUCCEEDED", list[0].Status)
}
