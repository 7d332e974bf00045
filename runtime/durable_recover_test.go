package runtime

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// The recoverer goes through the whole open index: it hands over what a
// crashed worker left in an outbox, and drops the entries of executions
// that closed without leaving the index (more of them than a page).
func TestRecoverOutboxesHandsOverAndDropsEndedEntries(t *testing.T) {
	ctx := context.Background()
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbrtr-")
	opts.Outbox = true // the outbox path: an execution's first item waits there
	st, err := store.Open(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Purge(context.Background()); _ = st.Close() })
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := &Durable{store: st, Consumer: "r", Now: func() time.Time { return t0.Add(time.Hour) }}

	create := func(name string) string {
		res, err := st.ExecutionCreate(ctx, &store.ExecutionCreateParams{
			StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:m", Name: name,
			DefinitionSHA: "d", Input: []byte(`{}`), StartDate: t0, StateMachine: "m", Thread: []byte(`{}`),
			Outbox: []store.OutboxItem{{Item: store.WorkItem{Exec: store.ExecutionID("arn:aws:states:us-east-1:123456789012:stateMachine:m", name), Thread: store.RootThread, Kind: "step"}}},
		})
		require.NoError(t, err)
		return res.Execution.ID
	}
	// A page and a half of executions that closed and stayed in the index
	// (a crash before the index's update), then one whose worker died
	// before handing its first item over.
	for i := range recoverPage + recoverPage/2 {
		id := create(fmt.Sprintf("closed-%d", i))
		_, err := st.Transition(ctx, &store.TransitionParams{
			ExecutionID: id, Thread: store.RootThread, Seq: 0, Record: []byte(`{}`), KeepOpenEntry: true,
			Close: &store.ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: t0},
		})
		require.NoError(t, err)
	}
	stuck := create("stuck")
	open, err := st.OpenExecutions(ctx, &store.OpenExecutionsParams{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, open, recoverPage+recoverPage/2+1)

	d.recoverOutboxes(ctx, time.Minute)

	open, err = st.OpenExecutions(ctx, &store.OpenExecutionsParams{Limit: 1000})
	require.NoError(t, err)
	require.Equal(t, []store.OpenExecution{{ID: stuck, StartDate: t0}}, open)
	// The closed executions' outboxes are handed over too (they may hold a
	// nested execution's notification: nested.go); their stale step items
	// are dropped by the workers.
	works, err := st.WorkRead(ctx, "r", 2*recoverPage, 0)
	require.NoError(t, err)
	require.Len(t, works, recoverPage+recoverPage/2+1)
	n := 0
	for _, w := range works {
		if w.Item.Exec == stuck {
			n++
		}
	}
	require.Equal(t, 1, n, "the stuck execution's first item")
	states, err := st.OpenExecutionStates(ctx, []string{stuck})
	require.NoError(t, err)
	require.Zero(t, states[0].Outbox)
}
