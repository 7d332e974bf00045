package runtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// tailed is what a tail yielded, in order.
type tailed struct {
	id  int64
	typ string
	err error
}

// startTail runs a tail on its own goroutine and hands what it yields to
// the channel, closed when the tail ends.
func startTail(ctx context.Context, t *testing.T, in *runtime.Inspector, id string, after int64) <-chan tailed {
	out := make(chan tailed)
	go func() {
		defer close(out)
		for ev, err := range in.Tail(ctx, id, after) {
			var v struct{ Type string }
			if err == nil {
				err = json.Unmarshal(ev.JSON, &v)
			}
			out <- tailed{ev.ID, v.Type, err}
		}
	}()
	return out
}

// nextTailed reads what the tail yields next, failing the test when it has ended.
func nextTailed(t *testing.T, ch <-chan tailed) tailed {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "the tail ended early")
		require.NoError(t, ev.err)
		return ev
	case <-time.After(safety):
		t.Fatal("the tail yielded nothing")
	}
	return tailed{}
}

// requireEnded checks that the tail ends without yielding more.
func requireEnded(t *testing.T, ch <-chan tailed) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.False(t, ok, "the tail yielded %+v after the end", ev)
	case <-time.After(safety):
		t.Fatal("the tail did not end")
	}
}

// A tail yields the events written so far, then those a later transition
// writes, and ends with the execution's last event.
func TestInspectorTailFollowsAnExecutionToItsEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, clk := newDurable(t, nil)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: decode(t, `{}`),
		Definition: []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"P"},"P":{"Type":"Pass","End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))

	in := d.Inspector()
	in.MinPoll, in.MaxPoll = time.Millisecond, 5*time.Millisecond
	ch := startTail(ctx, t, in, started.ID, 0)
	var types []string
	for len(types) == 0 || types[len(types)-1] != "WaitStateEntered" {
		ev := nextTailed(t, ch)
		require.Equal(t, int64(len(types)+1), ev.id, "events in order, none skipped")
		types = append(types, ev.typ)
	}
	require.Equal(t, []string{"ExecutionStarted", "WaitStateEntered"}, types)

	// the Wait ends: the tail, polling, sees the next transition's events
	clk.Advance(10 * time.Second)
	require.NoError(t, d.Drain(ctx))
	for types[len(types)-1] != "ExecutionSucceeded" {
		types = append(types, nextTailed(t, ch).typ)
	}
	requireEnded(t, ch)
	require.Equal(t, historyTypes(t, d, started.ID), types)

	// a tail of a closed execution from an event on yields the rest, and ends
	ch = startTail(ctx, t, in, started.ID, 3)
	require.Equal(t, int64(4), nextTailed(t, ch).id)
	for range len(types) - 4 {
		nextTailed(t, ch)
	}
	requireEnded(t, ch)
}

// A tail ends when its context does, and a tail of no execution yields
// ErrNotFound.
func TestInspectorTailEndsWithItsContextAndOnAMissingExecution(t *testing.T) {
	t.Parallel()
	d, _ := newDurable(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "m", Input: decode(t, `{}`),
		Definition: []byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	ch := startTail(ctx, t, d.Inspector(), started.ID, 0)
	nextTailed(t, ch)
	nextTailed(t, ch)
	cancel()
	requireEnded(t, ch)

	ch = startTail(context.Background(), t, d.Inspector(), "no-such-execution", 0)
	ev, ok := <-ch
	require.True(t, ok)
	require.ErrorIs(t, ev.err, runtime.ErrNotFound)
	requireEnded(t, ch)
}

// The runtime's callers see its errors, never the store's: the store's
// sentinel is still in the chain for the runtime's own code, but the text
// and the values callers test are the runtime's.
func TestInspectorSpeaksTheRuntimesErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, _ := newDurable(t, nil)
	in := d.Inspector()

	_, err := in.DescribeExecution(ctx, "no-such-execution")
	require.ErrorIs(t, err, runtime.ErrNotFound)
	require.ErrorIs(t, err, store.ErrNotFound, "the store's error stays in the chain for the runtime's own checks")
	require.NotContains(t, err.Error(), "store: not found")

	_, _, err = in.ListExecutions(ctx, runtime.ExecutionFilter{StateMachine: "m", Cursor: "not-a-cursor"})
	require.ErrorIs(t, err, runtime.ErrInvalidArgument)

	def := []byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	_, err = d.Start(ctx, runtime.StartParams{StateMachineName: "m", Name: "once", Definition: def, Input: decode(t, `{"a":1}`)})
	require.NoError(t, err)
	_, err = d.Start(ctx, runtime.StartParams{StateMachineName: "m", Name: "once", Definition: def, Input: decode(t, `{"a":2}`)})
	require.ErrorIs(t, err, runtime.ErrExecutionAlreadyExists)
	require.True(t, strings.HasPrefix(err.Error(), runtime.ErrExecutionAlreadyExists.Error()+": "), "%v", err)

	require.NoError(t, d.Drain(ctx))
	list, next, err := in.ListExecutions(ctx, runtime.ExecutionFilter{StateMachine: "m"})
	require.NoError(t, err)
	require.Empty(t, next)
	require.Len(t, list, 1)
	e := list[0]
	require.Equal(t, "SUCCEEDED", e.Status)
	require.True(t, e.Closed())
	require.Equal(t, d.StateMachineARN("m"), e.StateMachineARN)
	require.Equal(t, strings.Replace(d.StateMachineARN("m"), ":stateMachine:", ":execution:", 1)+":once", e.ARN)
	require.Equal(t, d.ExecutionID("m", "once"), e.ID)

	page, err := in.History(ctx, e.ID, runtime.HistoryQuery{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)
	require.Equal(t, int64(2), page.Next)
	rest, err := in.History(ctx, e.ID, runtime.HistoryQuery{After: page.Next})
	require.NoError(t, err)
	require.Equal(t, int64(3), rest.Events[0].ID)
	require.Equal(t, e.Events, rest.Events[len(rest.Events)-1].ID)
	require.Zero(t, rest.Next)
}
