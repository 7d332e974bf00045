package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testExecutionEndOutbox: the work an end hands over (a nested execution's
// notification of its parent, the stop of its own nested executions) is
// written by the script that ends it, and handed over before ExecutionEnd
// returns: the outbox is empty after it, the items ready or timed.
func testExecutionEndOutbox(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "ended", `{}`)
	_, err := c.OutboxFlush(ctx, id) // the first step, as a start hands it over
	require.NoError(t, err)
	first, err := c.WorkRead(ctx, "w", 10, 0)
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.NoError(t, c.WorkAck(ctx, first[0].ID))

	notify := WorkItem{Exec: id, Thread: RootThread, Kind: "nnotify"}
	later := WorkItem{Exec: id, Thread: RootThread, Kind: "later"}
	stop := t0.Add(time.Minute)
	require.NoError(t, c.ExecutionEnd(ctx, &ExecutionEndParams{
		ExecutionID: id, Status: "ABORTED", StopDate: stop,
		Events: []Event{{JSON: []byte(`{"type":"ExecutionAborted"}`)}},
		Outbox: []OutboxItem{{Item: notify}, {Item: later, Due: stop.Add(time.Hour)}},
	}))
	works, err := c.WorkRead(ctx, "w", 10, 0)
	require.NoError(t, err)
	require.Len(t, works, 1)
	require.Equal(t, notify, works[0].Item)
	due, ok, err := c.TimerNext(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, stop.Add(time.Hour), due)
	states, err := c.OpenExecutionStates(ctx, []string{id})
	require.NoError(t, err)
	require.Zero(t, states[0].Outbox)
	require.Len(t, history(t, c, id), 3)
}

// testExecutionParent: a nested execution's link to its parent's task is
// kept with it.
func testExecutionParent(t *testing.T, c *Client) {
	ctx := context.Background()
	p := createParams("child", `{}`)
	p.Parent = &ParentLink{ExecutionARN: "arn:aws:states:us-east-1:1:execution:p:1", Token: "tok", Mode: "sync:2"}
	res, err := c.ExecutionCreate(ctx, p)
	require.NoError(t, err)
	require.Equal(t, p.Parent, res.Execution.Parent)
	x, err := c.ExecutionGet(ctx, res.Execution.ID)
	require.NoError(t, err)
	require.Equal(t, p.Parent, x.Parent)
	other := create(t, c, "orphan", `{}`)
	x, err = c.ExecutionGet(ctx, other)
	require.NoError(t, err)
	require.Nil(t, x.Parent)
}
