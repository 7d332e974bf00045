package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// runConformance is the store conformance suite: every operation, against
// whatever server open connects to. Each test gets a client of its own with
// a key prefix of its own.
func runConformance(t *testing.T, open func(t *testing.T) *Client) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *Client)
	}{
		{"ExecutionCreate", testExecutionCreate},
		{"ExecutionCreateIdempotent", testExecutionCreateIdempotent},
		{"ExecutionCreateRepairsIndex", testExecutionCreateRepairsIndex},
		{"ExecutionGetMissing", testExecutionGetMissing},
		{"Transition", testTransition},
		{"TransitionCAS", testTransitionCAS},
		{"TransitionSteps", testTransitionSteps},
		{"Retention", testRetention},
		{"ExecutionHandOver", testExecutionHandOver},
		{"TransitionConcurrent", testTransitionConcurrent},
		{"TransitionClose", testTransitionClose},
		{"ForkItems", testForkItems},
		{"TransitionInvalid", testTransitionInvalid},
		{"ExecutionEnd", testExecutionEnd},
		{"ExecutionEndOutbox", testExecutionEndOutbox},
		{"ExecutionParent", testExecutionParent},
		{"ExecutionRedrive", testExecutionRedrive},
		{"HistoryIDs", testHistoryIDs},
		{"HistoryPage", testHistoryPage},
		{"OutboxFlush", testOutboxFlush},
		{"OutboxHandOver", testOutboxHandOver},
		{"OutboxHandOverChain", testOutboxHandOverChain},
		{"OutboxTrimConcurrent", testOutboxTrimConcurrent},
		{"WorkReadAck", testWorkReadAck},
		{"WorkAckRead", testWorkAckRead},
		{"WorkReadBlocks", testWorkReadBlocks},
		{"WorkReclaim", testWorkReclaim},
		{"WorkRelease", testWorkRelease},
		{"WorkCorrupt", testWorkCorrupt},
		{"WorkGroupRecreated", testWorkGroupRecreated},
		{"TimersDue", testTimersDue},
		{"TimersRescheduled", testTimersRescheduled},
		{"OpenExecutions", testOpenExecutions},
		{"OpenExecutionStates", testOpenExecutionStates},
		{"StateMachines", testStateMachines},
		{"ExecutionList", testExecutionList},
		{"ExecutionListStable", testExecutionListStable},
		{"ExecutionListFilters", testExecutionListFilters},
		{"HistoryLargeEvents", testHistoryLargeEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// testHistoryLargeEvents: events of any size come back whole, the first
// of a call too (which the script prefixes: the embedded server's Lua
// once turned string.byte of a long string into a registry overflow).
func testHistoryLargeEvents(t *testing.T, c *Client) {
	ctx := context.Background()
	pad := `"` + strings.Repeat("x", 64<<10) + `"`
	id := create(t, c, "large", `{"pad":`+pad+`}`)
	p := step(id, RootThread, 0, "B")
	p.Events = []Event{{JSON: []byte(`{"type":"PassStateExited","output":` + pad + `}`)}, {JSON: []byte(`{"type":"PassStateEntered","input":` + pad + `}`)}}
	_, err := c.Transition(ctx, p)
	require.NoError(t, err)
	page, err := c.HistoryPage(ctx, &HistoryPageParams{ExecutionID: id})
	require.NoError(t, err)
	require.Len(t, page.Events, 4)
	for i, ev := range page.Events {
		var v struct {
			ID   int64 `json:"id"`
			Prev int64 `json:"previousEventId"`
		}
		require.NoError(t, json.Unmarshal(ev.JSON, &v), "event %d", i+1)
		require.Equal(t, int64(i+1), v.ID)
		require.Equal(t, int64(i), v.Prev)
	}
	require.Contains(t, string(page.Events[3].JSON), pad)
}

func testExecutionCreate(t *testing.T, c *Client) {
	ctx := context.Background()
	res, err := c.ExecutionCreate(ctx, createParams("run-1", `{"a":1}`))
	require.NoError(t, err)
	id := ExecutionID(testARN, "run-1")
	require.False(t, res.Existing)
	require.Equal(t, []int64{1, 2}, res.EventIDs)

	want := &Execution{
		ID: id, StateMachineARN: testARN, Name: "run-1", DefinitionSHA: "d3f",
		Status: StatusRunning, Input: []byte(`{"a":1}`),
		StartDate: t0.Truncate(time.Millisecond), TraceID: "trace-1", SpanID: "span-1", Events: 2,
	}
	require.Equal(t, want, res.Execution)
	got, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, want, got)

	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.Equal(t, &Thread{ID: RootThread, Seq: 0, LastEventID: 2, Record: []byte(testRecord)}, th)

	require.Equal(t, []string{
		`{"id":1,"previousEventId":0,"type":"ExecutionStarted","input":{"a":1}}`,
		`{"id":2,"previousEventId":1,"type":"PassStateEntered"}`,
	}, history(t, c, id))

	n, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, c.outboxed(1), n)
	require.Equal(t, []string{id + "|0|0|step"}, items(readAll(t, c, "w1")))
}

func testExecutionCreateIdempotent(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{"a":1}`)
	closed := create(t, c, "closed", `{"a":1}`)
	_, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: closed, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: t0.Add(time.Second)},
	})
	require.NoError(t, err)

	tests := []struct {
		name, exec, input string
		err               error
		// finished: the start carried the execution out to success (in
		// direct mode, scriptExecutionRecord's case)
		finished bool
	}{
		{"open, same input", "run", `{"a":1}`, nil, false},
		{"open, other input", "run", `{"a":2}`, ErrExecutionAlreadyExists, false},
		{"closed, same input", "closed", `{"a":1}`, ErrExecutionAlreadyExists, false},
		{"closed, other input", "closed", `{"a":2}`, ErrExecutionAlreadyExists, false},
		{"open, same input, finished by its start", "run", `{"a":1}`, nil, true},
		{"open, other input, finished by its start", "run", `{"a":2}`, ErrExecutionAlreadyExists, true},
		{"closed, same input, finished by its start", "closed", `{"a":1}`, ErrExecutionAlreadyExists, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := createParams(tt.exec, tt.input)
			if tt.finished {
				p.Outbox = nil
				p.Close = &ExecutionClose{Status: StatusSucceeded, Output: []byte(`2`), StopDate: t0}
			}
			res, err := c.ExecutionCreate(ctx, p)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.True(t, res.Existing)
			require.Nil(t, res.EventIDs)
			require.Equal(t, id, res.Execution.ID)
			require.Equal(t, StatusRunning, res.Execution.Status)
		})
	}
	// Nothing was written twice, and the closed execution is not open.
	require.Len(t, history(t, c, id), 2)
	require.Len(t, history(t, c, closed), 2)
	ob, err := c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.EqualValues(t, c.outboxed(1), ob)
	open, err := c.OpenExecutions(ctx, &OpenExecutionsParams{})
	require.NoError(t, err)
	require.Equal(t, []OpenExecution{{ID: id, StartDate: t0.Truncate(time.Millisecond)}}, open)
}

// testExecutionCreateRepairsIndex: a StartExecution repeated after a crash
// that lost the index entry puts it back.
func testExecutionCreateRepairsIndex(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	require.NoError(t, c.OpenExecutionRemove(ctx, id))
	res, err := c.ExecutionCreate(ctx, createParams("run", `{}`))
	require.NoError(t, err)
	require.True(t, res.Existing)
	open, err := c.OpenExecutions(ctx, &OpenExecutionsParams{})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, id, open[0].ID)
}

func testExecutionGetMissing(t *testing.T, c *Client) {
	ctx := context.Background()
	_, err := c.ExecutionGet(ctx, ExecutionID(testARN, "none"))
	require.ErrorIs(t, err, ErrNotFound)
	_, err = c.ExecutionGet(ctx, "a}b")
	require.ErrorIs(t, err, ErrInvalid)
	id := create(t, c, "run", `{}`)
	_, err = c.ThreadGet(ctx, id, "7")
	require.ErrorIs(t, err, ErrNotFound)
}

func testTransition(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	res, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: id, Thread: RootThread, Seq: 0,
		Record: []byte(`{"state":"B"}`),
		Events: []Event{
			{JSON: []byte(`{"type":"PassStateExited","name":"A"}`)},
			{JSON: []byte(`{"type":"PassStateEntered","name":"B"}`)},
			{JSON: []byte(`{}`), PreviousID: 1},
		},
		Vars:   []Var{{Name: "0/x", Value: []byte(`42`)}, {Name: "0/y", Value: []byte(`"s"`)}},
		Outbox: []OutboxItem{{Item: WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindTask}}},
	})
	require.NoError(t, err)
	require.Equal(t, []int64{3, 4, 5}, res.EventIDs)
	require.Equal(t, int64(1), res.Seq)
	require.Equal(t, int64(5), res.LastEventID)

	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.Equal(t, &Thread{ID: RootThread, Seq: 1, LastEventID: 5, Record: []byte(`{"state":"B"}`)}, th)
	require.Equal(t, []string{
		`{"id":3,"previousEventId":2,"type":"PassStateExited","name":"A"}`,
		`{"id":4,"previousEventId":3,"type":"PassStateEntered","name":"B"}`,
		`{"id":5,"previousEventId":1}`,
	}, history(t, c, id)[2:])
	vars, err := c.rdb.HGetAll(ctx, c.keys.VarsKey(id)).Result()
	require.NoError(t, err)
	require.Equal(t, map[string]string{"0/x": "42", "0/y": `"s"`}, vars)
	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.EqualValues(t, 5, x.Events)
	require.Equal(t, StatusRunning, x.Status)

	// A transition without events keeps the thread's latest event.
	res, err = c.Transition(ctx, &TransitionParams{ExecutionID: id, Thread: RootThread, Seq: 1, Record: []byte(`{}`)})
	require.NoError(t, err)
	require.Empty(t, res.EventIDs)
	require.EqualValues(t, 2, res.Seq)
	require.EqualValues(t, 5, res.LastEventID)

	n, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, c.outboxed(2), n)
	require.Equal(t, []string{id + "|0|0|step", id + "|0|1|task"}, items(readAll(t, c, "w")))
}

func testTransitionCAS(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.Transition(ctx, step(id, RootThread, 0, "B"))
	require.NoError(t, err)

	tests := []struct {
		name string
		p    *TransitionParams
		err  error
	}{
		{"stale seq", step(id, RootThread, 0, "C"), ErrStale},
		{"future seq", step(id, RootThread, 5, "C"), ErrStale},
		{"missing thread", step(id, "1", 0, "C"), ErrNotFound},
		{"missing execution", step(ExecutionID(testARN, "none"), RootThread, 1, "C"), ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Transition(ctx, tt.p)
			require.ErrorIs(t, err, tt.err)
		})
	}
	// The failed transitions wrote nothing.
	require.Len(t, history(t, c, id), 3)
	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.Equal(t, &Thread{ID: RootThread, Seq: 1, LastEventID: 3, Record: []byte(`{"state":"B"}`)}, th)
}

// testTransitionConcurrent: of transitions racing from one seq, exactly one
// takes effect.
func testTransitionConcurrent(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.Transition(ctx, step(id, RootThread, 0, "S"+strconv.Itoa(i)))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			require.ErrorIs(t, err, ErrStale)
		}
	}
	require.Equal(t, 1, ok)
	require.Len(t, history(t, c, id), 3)
}

func testTransitionClose(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	other := create(t, c, "other", `{}`)
	stop := t0.Add(90 * time.Second)
	res, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Events: []Event{{JSON: []byte(`{"type":"ExecutionFailed"}`)}},
		Close:  &ExecutionClose{Status: "FAILED", Error: "States.TaskFailed", Cause: "boom", StopDate: stop},
	})
	require.NoError(t, err)
	require.Equal(t, []int64{3}, res.EventIDs)

	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "FAILED", x.Status)
	require.Nil(t, x.Output)
	require.Equal(t, "States.TaskFailed", x.Error)
	require.Equal(t, "boom", x.Cause)
	require.Equal(t, stop, x.StopDate)

	_, err = c.Transition(ctx, step(id, RootThread, 1, "B"))
	require.ErrorIs(t, err, ErrClosed)
	require.Len(t, history(t, c, id), 3)

	open, err := c.OpenExecutions(ctx, &OpenExecutionsParams{})
	require.NoError(t, err)
	require.Equal(t, []OpenExecution{{ID: other, StartDate: t0.Truncate(time.Millisecond)}}, open)

	_, err = c.Transition(ctx, &TransitionParams{
		ExecutionID: other, Thread: RootThread, Seq: 0,
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`{"ok":true}`), StopDate: stop},
	})
	require.NoError(t, err)
	x, err = c.ExecutionGet(ctx, other)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", x.Status)
	require.Equal(t, []byte(`{"ok":true}`), x.Output)
}

func testExecutionEnd(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	stop := t0.Add(time.Minute)
	end := &ExecutionEndParams{
		ExecutionID: id, Status: "ABORTED", Error: "Stopped", Cause: "by the test", StopDate: stop,
		Events: []Event{{JSON: []byte(`{"type":"ExecutionAborted"}`)}},
	}
	require.NoError(t, c.ExecutionEnd(ctx, end))
	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "ABORTED", x.Status)
	require.Equal(t, "Stopped", x.Error)
	require.Equal(t, "by the test", x.Cause)
	require.Equal(t, stop, x.StopDate)
	h := history(t, c, id)
	require.Len(t, h, 3)
	require.Contains(t, h[2], `"previousEventId":2,"type":"ExecutionAborted"`)

	// Once ended, it stays ended: its threads' transitions and a second
	// end are refused.
	require.ErrorIs(t, c.ExecutionEnd(ctx, end), ErrClosed)
	_, err = c.Transition(ctx, step(id, RootThread, 0, "B"))
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, c.ExecutionEnd(ctx, &ExecutionEndParams{ExecutionID: "nope", Status: "ABORTED", StopDate: stop}), ErrNotFound)
	require.ErrorIs(t, c.ExecutionEnd(ctx, &ExecutionEndParams{ExecutionID: id, Status: "RUNNING", StopDate: stop}), ErrInvalid)
}

func testTransitionInvalid(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	item := WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindStep}
	tests := []struct {
		name string
		edit func(p *TransitionParams)
	}{
		{"event not an object", func(p *TransitionParams) { p.Events = []Event{{JSON: []byte(`[1]`)}} }},
		{"event not JSON", func(p *TransitionParams) { p.Events = []Event{{JSON: []byte(`{"a":}`)}} }},
		{"negative previous id", func(p *TransitionParams) { p.Events[0].PreviousID = -2 }},
		{"thread with a brace", func(p *TransitionParams) { p.Thread = "{0}" }},
		{"item with a bar", func(p *TransitionParams) {
			p.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: "a|b", Kind: KindStep}}}
		}},
		{"item without kind", func(p *TransitionParams) { p.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: RootThread}}} }},
		{"timer before 1970", func(p *TransitionParams) { p.Outbox = []OutboxItem{{Item: item, Due: time.Unix(-5, 0)}} }},
		{"variable without a name", func(p *TransitionParams) { p.Vars = []Var{{Value: []byte(`1`)}} }},
		{"close running", func(p *TransitionParams) { p.Close = &ExecutionClose{Status: StatusRunning, StopDate: t0} }},
		{"close without date", func(p *TransitionParams) { p.Close = &ExecutionClose{Status: "SUCCEEDED"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := step(id, RootThread, 0, "B")
			tt.edit(p)
			_, err := c.Transition(ctx, p)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.EqualValues(t, 0, th.Seq)
}

// testHistoryIDs: the threads of an execution take their event ids from one
// counter, and each chains its events to its own latest one.
func testHistoryIDs(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	// Thread 1 as a fork would create it: seq 0, its latest event thread
	// 0's latest.
	require.NoError(t, c.rdb.HSet(ctx, c.keys.ThreadsKey(id), "1", "0|2|{}").Err())

	for _, s := range []struct {
		thread string
		seq    int64
		ids    []int64
	}{
		{"1", 0, []int64{3}},
		{RootThread, 0, []int64{4}},
		{"1", 1, []int64{5}},
		{"1", 2, []int64{6}},
		{RootThread, 1, []int64{7}},
	} {
		res, err := c.Transition(ctx, step(id, s.thread, s.seq, "T"+s.thread))
		require.NoError(t, err)
		require.Equal(t, s.ids, res.EventIDs)
	}
	require.Equal(t, []string{
		`{"id":3,"previousEventId":2,"type":"PassStateEntered","name":"T1"}`,
		`{"id":4,"previousEventId":2,"type":"PassStateEntered","name":"T0"}`,
		`{"id":5,"previousEventId":3,"type":"PassStateEntered","name":"T1"}`,
		`{"id":6,"previousEventId":5,"type":"PassStateEntered","name":"T1"}`,
		`{"id":7,"previousEventId":4,"type":"PassStateEntered","name":"T0"}`,
	}, history(t, c, id)[2:])
}

func testHistoryPage(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`) // events 1, 2
	for seq := range int64(3) {     // events 3, 4, 5
		_, err := c.Transition(ctx, step(id, RootThread, seq, "S"))
		require.NoError(t, err)
	}
	tests := []struct {
		name    string
		p       HistoryPageParams
		ids     []int64
		next    int64
		reverse bool
	}{
		{"all", HistoryPageParams{}, []int64{1, 2, 3, 4, 5}, 0, false},
		{"first page", HistoryPageParams{Limit: 2}, []int64{1, 2}, 2, false},
		{"middle page", HistoryPageParams{From: 2, Limit: 2}, []int64{3, 4}, 4, false},
		{"last page", HistoryPageParams{From: 4, Limit: 2}, []int64{5}, 0, false},
		{"exact last page", HistoryPageParams{From: 3, Limit: 2}, []int64{4, 5}, 0, false},
		{"past the end", HistoryPageParams{From: 5, Limit: 2}, nil, 0, false},
		{"reverse all", HistoryPageParams{Reverse: true}, []int64{5, 4, 3, 2, 1}, 0, true},
		{"reverse first page", HistoryPageParams{Limit: 2, Reverse: true}, []int64{5, 4}, 4, true},
		{"reverse middle page", HistoryPageParams{From: 4, Limit: 2, Reverse: true}, []int64{3, 2}, 2, true},
		{"reverse last page", HistoryPageParams{From: 2, Limit: 2, Reverse: true}, []int64{1}, 0, true},
		{"reverse exact last page", HistoryPageParams{From: 3, Limit: 2, Reverse: true}, []int64{2, 1}, 0, true},
		{"reverse before the start", HistoryPageParams{From: 1, Reverse: true}, nil, 0, true},
	}
	all := history(t, c, id)
	// The same events in an execution created SUCCEEDED, whose history is
	// one string (scriptExecutionCreate): the same pages.
	p := createParams("closed", `{}`)
	p.Outbox = nil
	for range 3 {
		p.Events = append(p.Events, Event{JSON: []byte(`{"type":"PassStateEntered","name":"S"}`)})
	}
	p.Close = &ExecutionClose{Status: StatusSucceeded, Output: []byte(`1`), StopDate: t0}
	closed, err := c.ExecutionCreate(ctx, p)
	require.NoError(t, err)
	require.Equal(t, "string", c.rdb.Type(ctx, c.keys.HistoryKey(closed.Execution.ID)).Val())
	require.Equal(t, all, history(t, c, closed.Execution.ID))
	for _, exec := range []string{id, closed.Execution.ID} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := tt.p
				p.ExecutionID = exec
				res, err := c.HistoryPage(ctx, &p)
				require.NoError(t, err)
				var ids []int64
				for _, e := range res.Events {
					ids = append(ids, e.ID)
					require.Equal(t, all[e.ID-1], string(e.JSON))
				}
				require.Equal(t, tt.ids, ids)
				require.Equal(t, tt.next, res.Next)
			})
		}
	}
	res, err := c.HistoryPage(ctx, &HistoryPageParams{ExecutionID: ExecutionID(testARN, "none"), Reverse: true})
	require.NoError(t, err)
	require.Empty(t, res.Events)
	_, err = c.HistoryPage(ctx, &HistoryPageParams{ExecutionID: id, Limit: -1})
	require.ErrorIs(t, err, ErrInvalid)
}

// testOutboxHandOver: a transition's own entries are handed over in one
// round trip; with an entry left over from before, the hand-over falls
// back to a full flush, so nothing is trimmed undelivered.
func testOutboxHandOver(t *testing.T, c *Client) {
	skipDirect(t, c)
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id) // the create's first step
	require.NoError(t, err)
	drain := func() []string {
		works, err := c.WorkRead(ctx, "w", 100, 0)
		require.NoError(t, err)
		var items []string
		for _, w := range works {
			items = append(items, w.Item.String())
			require.NoError(t, c.WorkAck(ctx, w.ID))
		}
		return items
	}
	drain()

	withItem := func(seq int64, state string) *TransitionParams {
		p := step(id, RootThread, seq, state)
		p.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: RootThread, Seq: seq + 1, Kind: "step"}}}
		return p
	}
	p := withItem(0, "B")
	res, err := c.Transition(ctx, p)
	require.NoError(t, err)
	n, err := c.OutboxHandOver(ctx, id, res)
	require.NoError(t, err)
	require.Equal(t, len(p.Outbox), n)
	require.Equal(t, []string{p.Outbox[0].Item.String()}, drain())
	left, err := c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.Zero(t, left, "the outbox was trimmed")

	// A leftover from a crashed flush sits before the next entries: the
	// hand-over must deliver it too.
	_, err = c.Transition(ctx, withItem(1, "C")) // its worker dies before handing over
	require.NoError(t, err)
	res, err = c.Transition(ctx, withItem(2, "D"))
	require.NoError(t, err)
	_, err = c.OutboxHandOver(ctx, id, res)
	require.NoError(t, err)
	require.Len(t, drain(), 2, "the leftover and the new entry")
	left, err = c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.Zero(t, left)
}

func testOutboxFlush(t *testing.T, c *Client) {
	skipDirect(t, c)
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	due := t0.Add(time.Minute)
	_, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Outbox: []OutboxItem{
			{Item: WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindWake}, Due: due},
			{Item: WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindTask}},
		},
	})
	require.NoError(t, err)
	for i, want := range []int{3, 0} { // a second flush finds nothing
		n, err := c.OutboxFlush(ctx, id)
		require.NoError(t, err, "flush %d", i)
		require.Equal(t, want, n, "flush %d", i)
	}
	require.Equal(t, []string{id + "|0|0|step", id + "|0|1|task"}, items(readAll(t, c, "w")))
	timers, err := c.rdb.ZRangeWithScores(ctx, c.keys.TimersKey(), 0, -1).Result()
	require.NoError(t, err)
	require.Len(t, timers, 1)
	require.Equal(t, id+"|0|1|wake", timers[0].Member)
	require.Equal(t, float64(due.UnixMilli()), timers[0].Score)

	n, err := c.OutboxFlush(ctx, ExecutionID(testARN, "none"))
	require.NoError(t, err)
	require.Zero(t, n)
}

// testOutboxTrimConcurrent: a flush that read the outbox before another
// flush trimmed it, and before a transition appended to it, removes only
// what it read.
func testOutboxTrimConcurrent(t *testing.T, c *Client) {
	skipDirect(t, c)
	ctx := context.Background()
	id := create(t, c, "run", `{}`) // outbox entry 1
	key := c.keys.OutboxKey(id)
	read, err := c.rdb.LRange(ctx, key, 0, -1).Result() // a slow flush reads entry 1
	require.NoError(t, err)
	require.Len(t, read, 1)
	n, err := c.OutboxFlush(ctx, id) // a fast flush hands entry 1 over
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, err = c.Transition(ctx, &TransitionParams{ // entries 2 and 3
		ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Outbox: []OutboxItem{
			{Item: WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindStep}},
			{Item: WorkItem{Exec: id, Thread: RootThread, Seq: 1, Kind: KindTask}},
		},
	})
	require.NoError(t, err)
	removed, err := scriptOutboxTrim.Run(ctx, c.rdb, []string{key}, 1, len(read)).Int()
	require.NoError(t, err) // the slow flush trims up to entry 1
	require.Zero(t, removed)
	left, err := c.rdb.LRange(ctx, key, 0, -1).Result()
	require.NoError(t, err)
	require.Equal(t, []string{"2|0|" + id + "|0|1|step", "3|0|" + id + "|0|1|task"}, left)
}

func testWorkReadAck(t *testing.T, c *Client) {
	ctx := context.Background()
	require.Empty(t, readAll(t, c, "w1"))
	a := create(t, c, "a", `{}`)
	b := create(t, c, "b", `{}`)
	for _, id := range []string{a, b} {
		_, err := c.OutboxFlush(ctx, id)
		require.NoError(t, err)
	}
	first, err := c.WorkRead(ctx, "w1", 1, 0)
	require.NoError(t, err)
	require.Equal(t, []string{a + "|0|0|step"}, items(first))
	second := readAll(t, c, "w2")
	require.Equal(t, []string{b + "|0|0|step"}, items(second))
	require.Empty(t, readAll(t, c, "w1"), "each item is delivered once")

	require.NoError(t, c.WorkAck(ctx, first[0].ID, second[0].ID))
	pending, err := c.rdb.XPending(ctx, c.keys.ReadyStream(), ReadyGroup).Result()
	require.NoError(t, err)
	require.Zero(t, pending.Count)
	n, err := c.rdb.XLen(ctx, c.keys.ReadyStream()).Result()
	require.NoError(t, err)
	require.Zero(t, n, "acknowledged entries are removed")

	require.ErrorIs(t, c.WorkAck(ctx, "nope"), ErrInvalid)
	_, err = c.WorkRead(ctx, "", 1, 0)
	require.ErrorIs(t, err, ErrInvalid)
}

// testWorkReadBlocks: a blocked read returns as soon as an item arrives.
func testWorkReadBlocks(t *testing.T, c *Client) {
	ctx := context.Background()
	got := make(chan []Work)
	go func() {
		w, err := c.WorkRead(ctx, "w", 10, 10*time.Second)
		if err != nil {
			w = nil
		}
		got <- w
	}()
	id := create(t, c, "run", `{}`)
	// The reader may block before or after the flush: both deliver.
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	select {
	case w := <-got:
		require.Equal(t, []string{id + "|0|0|step"}, items(w))
	case <-time.After(5 * time.Second):
		t.Fatal("a blocked read did not return when an item arrived")
	}
}

// testWorkReclaim: a lease idle long enough is taken over; the old holder
// can no longer extend it.
// testWorkRelease: work handed back is ready for another consumer at
// once, and no longer leased to the first.
func testWorkRelease(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	mine := readAll(t, c, "leaving")
	require.Len(t, mine, 1)
	require.NoError(t, c.WorkRelease(ctx, mine))
	theirs := readAll(t, c, "staying")
	require.Equal(t, items(mine), items(theirs))
	pending, err := c.rdb.XPending(ctx, c.keys.ReadyStream(), ReadyGroup).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), pending.Count, "only the new entry is pending, the released one was acknowledged")
	require.Equal(t, map[string]int64{"staying": 1}, pending.Consumers)
}

func testWorkReclaim(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	w := readAll(t, c, "dead")
	require.Len(t, w, 1)

	held, err := c.LeaseExtend(ctx, "dead", w[0].ID)
	require.NoError(t, err)
	require.Equal(t, []string{w[0].ID}, held, "a held lease is extended")
	held, err = c.LeaseExtend(ctx, "other", w[0].ID)
	require.NoError(t, err)
	require.Empty(t, held, "a lease held by another consumer is not taken")

	got, err := c.WorkReclaim(ctx, "live", time.Hour, 0)
	require.NoError(t, err)
	require.Empty(t, got, "a fresh lease is not reclaimed")

	// Idle time is the server's clock: with a 1ms lease, poll. The deadline
	// is a safety net, not a wait.
	deadline := time.Now().Add(5 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		got, err = c.WorkReclaim(ctx, "live", time.Millisecond, 0)
		require.NoError(t, err)
	}
	require.Len(t, got, 1)
	require.Equal(t, w[0], got[0])

	held, err = c.LeaseExtend(ctx, "dead", w[0].ID)
	require.NoError(t, err)
	require.Empty(t, held, "a lost lease is not extended")
	held, err = c.LeaseExtend(ctx, "live", w[0].ID)
	require.NoError(t, err)
	require.Equal(t, []string{w[0].ID}, held)

	require.NoError(t, c.WorkAck(ctx, w[0].ID))
	held, err = c.LeaseExtend(ctx, "live", w[0].ID)
	require.NoError(t, err)
	require.Empty(t, held, "an acknowledged entry has no lease")
}

// testWorkCorrupt: an entry that is not a work item is removed and
// reported; the good ones are delivered.
func testWorkCorrupt(t *testing.T, c *Client) {
	ctx := context.Background()
	stream := c.keys.ReadyStream()
	require.NoError(t, c.rdb.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"item", "junk"}}).Err())
	require.NoError(t, c.rdb.XAdd(ctx, c.readyArgs("e|0|1|step")).Err())
	w, err := c.WorkRead(ctx, "w", 10, 0)
	require.ErrorIs(t, err, ErrCorrupt)
	require.Equal(t, []string{"e|0|1|step"}, items(w))
	n, err := c.rdb.XLen(ctx, stream).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "the junk is removed, the good entry is pending")
}

// testWorkGroupRecreated: a reader recreates the consumer group when the
// stream was deleted (FLUSHDB, an operator).
func testWorkGroupRecreated(t *testing.T, c *Client) {
	ctx := context.Background()
	require.NoError(t, c.rdb.Del(ctx, c.keys.ReadyStream()).Err())
	require.Empty(t, readAll(t, c, "w"))
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{id + "|0|0|step"}, items(readAll(t, c, "w")))

	require.NoError(t, c.rdb.Del(ctx, c.keys.ReadyStream()).Err())
	got, err := c.WorkReclaim(ctx, "w", time.Millisecond, 0)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Empty(t, readAll(t, c, "w"))
}

func testTimersDue(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Len(t, readAll(t, c, "w"), 1)

	var out []OutboxItem
	for i := range 3 {
		out = append(out, OutboxItem{
			Item: WorkItem{Exec: id, Thread: strconv.Itoa(i), Seq: 1, Kind: KindWake},
			Due:  t0.Add(time.Duration(10+i) * time.Second),
		})
	}
	_, err = c.Transition(ctx, &TransitionParams{ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{}`), Outbox: out})
	require.NoError(t, err)
	_, err = c.OutboxFlush(ctx, id)
	require.NoError(t, err)

	for _, s := range []struct {
		now   time.Time
		limit int
		moved int
		items []string
	}{
		{t0.Add(9 * time.Second), 0, 0, nil},
		{t0.Add(11 * time.Second), 1, 1, []string{id + "|0|1|wake"}},
		{t0.Add(11 * time.Second), 0, 1, []string{id + "|1|1|wake"}},
		{t0.Add(11 * time.Second), 0, 0, nil},
		{t0.Add(time.Hour), 0, 1, []string{id + "|2|1|wake"}},
		{t0.Add(time.Hour), 0, 0, nil},
	} {
		moved, err := c.TimersDue(ctx, s.now, s.limit)
		require.NoError(t, err)
		require.Equal(t, s.moved, moved, "at %v", s.now)
		require.Equal(t, s.items, nilIfEmpty(items(readAll(t, c, "w"))), "at %v", s.now)
	}
	n, err := c.rdb.ZCard(ctx, c.keys.TimersKey()).Result()
	require.NoError(t, err)
	require.Zero(t, n)
}

// testTimersRescheduled: a timer moved to a later time between the poller's
// read and its removal stays.
func testTimersRescheduled(t *testing.T, c *Client) {
	ctx := context.Background()
	key := c.keys.TimersKey()
	now := t0.UnixMilli()
	require.NoError(t, c.rdb.ZAdd(ctx, key,
		redisZ(now-1, "a|0|1|wake"), redisZ(now+1000, "b|0|1|wake"), redisZ(now, "c|0|1|wake")).Err())
	removed, err := scriptTimersRemove.Run(ctx, c.rdb, []string{key}, now, "a|0|1|wake", "b|0|1|wake", "c|0|1|wake", "d|0|1|wake").Int()
	require.NoError(t, err)
	require.Equal(t, 2, removed)
	left, err := c.rdb.ZRange(ctx, key, 0, -1).Result()
	require.NoError(t, err)
	require.Equal(t, []string{"b|0|1|wake"}, left)
}

func testOpenExecutions(t *testing.T, c *Client) {
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"c", "a", "b"} {
		p := createParams(name, `{}`)
		p.StartDate = t0.Add(time.Duration(i) * time.Minute)
		res, err := c.ExecutionCreate(ctx, p)
		require.NoError(t, err)
		ids = append(ids, res.Execution.ID)
	}
	tests := []struct {
		name string
		p    OpenExecutionsParams
		want []string
	}{
		{"all, by start time", OpenExecutionsParams{}, ids},
		{"limit", OpenExecutionsParams{Limit: 2}, ids[:2]},
		{"offset", OpenExecutionsParams{Offset: 1, Limit: 1}, ids[1:2]},
		{"started before", OpenExecutionsParams{StartedBefore: t0.Add(time.Minute)}, ids[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.OpenExecutions(ctx, &tt.p)
			require.NoError(t, err)
			var gotIDs []string
			for _, o := range got {
				gotIDs = append(gotIDs, o.ID)
			}
			require.Equal(t, tt.want, gotIDs)
		})
	}
	got, err := c.OpenExecutions(ctx, &OpenExecutionsParams{Offset: 2})
	require.NoError(t, err)
	require.Equal(t, []OpenExecution{{ID: ids[2], StartDate: t0.Add(2 * time.Minute).Truncate(time.Millisecond)}}, got)
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func testStateMachines(t *testing.T, c *Client) {
	ctx := context.Background()
	p := &StateMachineCreateParams{Name: "orders", DefinitionSHA: "sha1", Type: "STANDARD", RoleARN: "role", RevisionID: "r1", Now: t0}
	sm, existing, err := c.StateMachineCreate(ctx, p)
	require.NoError(t, err)
	require.False(t, existing)
	require.Equal(t, &StateMachine{Name: "orders", DefinitionSHA: "sha1", Type: "STANDARD", RoleARN: "role", Created: t0.Truncate(time.Millisecond), RevisionID: "r1"}, sm)

	_, existing, err = c.StateMachineCreate(ctx, p)
	require.NoError(t, err)
	require.True(t, existing, "the same definition, type and role: returned again")
	q := *p
	q.DefinitionSHA = "sha2"
	_, _, err = c.StateMachineCreate(ctx, &q)
	require.ErrorIs(t, err, ErrStateMachineExists)

	up, err := c.StateMachineUpdate(ctx, &StateMachineUpdateParams{Name: "orders", DefinitionSHA: "sha2", RevisionID: "r2", Now: t0.Add(time.Minute)})
	require.NoError(t, err)
	require.Equal(t, "sha2", up.DefinitionSHA)
	require.Equal(t, "role", up.RoleARN, "empty fields stay")
	require.Equal(t, "r2", up.RevisionID)
	require.Equal(t, t0.Add(time.Minute).Truncate(time.Millisecond), up.Updated)
	_, err = c.StateMachineUpdate(ctx, &StateMachineUpdateParams{Name: "nope", Now: t0})
	require.ErrorIs(t, err, ErrNotFound)

	v1, err := c.StateMachineVersionPublish(ctx, "orders", "sha2", "first", t0)
	require.NoError(t, err)
	require.Equal(t, 1, v1)
	again, err := c.StateMachineVersionPublish(ctx, "orders", "sha2", "same", t0)
	require.NoError(t, err)
	require.Equal(t, 1, again, "an unchanged definition is not published twice")
	v2, err := c.StateMachineVersionPublish(ctx, "orders", "sha3", "", t0)
	require.NoError(t, err)
	require.Equal(t, 2, v2)
	ver, err := c.StateMachineVersionGet(ctx, "orders", 1)
	require.NoError(t, err)
	require.Equal(t, &StateMachineVersion{Version: 1, DefinitionSHA: "sha2", Created: t0.Truncate(time.Millisecond), Description: "first"}, ver)
	_, err = c.StateMachineVersionGet(ctx, "orders", 3)
	require.ErrorIs(t, err, ErrNotFound)
	versions, err := c.StateMachineVersionList(ctx, "orders")
	require.NoError(t, err)
	require.Len(t, versions, 2)
	require.Equal(t, []int{2, 1}, []int{versions[0].Version, versions[1].Version}, "newest first")
	require.Equal(t, ver, versions[1])
	versions, err = c.StateMachineVersionList(ctx, "nope")
	require.NoError(t, err)
	require.Empty(t, versions)
	n, err := c.StateMachineVersionCount(ctx, "orders")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	_, err = c.StateMachineVersionDelete(ctx, "orders", 2)
	require.NoError(t, err)
	n, err = c.StateMachineVersionCount(ctx, "orders")
	require.NoError(t, err)
	require.Equal(t, 1, n, "a deleted version is not counted")
	n, err = c.StateMachineVersionCount(ctx, "nope")
	require.NoError(t, err)
	require.Zero(t, n)

	// Tracing is off unless created or updated on; an update without it
	// leaves it.
	on := true
	traced, _, err := c.StateMachineCreate(ctx, &StateMachineCreateParams{Name: "traced", DefinitionSHA: "s", Type: "STANDARD", Now: t0, Tracing: true})
	require.NoError(t, err)
	require.True(t, traced.Tracing)
	traced, err = c.StateMachineUpdate(ctx, &StateMachineUpdateParams{Name: "traced", DefinitionSHA: "s2", Now: t0})
	require.NoError(t, err)
	require.True(t, traced.Tracing)
	on = false
	traced, err = c.StateMachineUpdate(ctx, &StateMachineUpdateParams{Name: "traced", Now: t0, Tracing: &on})
	require.NoError(t, err)
	require.False(t, traced.Tracing)
	require.NoError(t, c.StateMachineDelete(ctx, "traced"))

	for _, n := range []string{"b", "a", "c"} {
		_, _, err := c.StateMachineCreate(ctx, &StateMachineCreateParams{Name: n, DefinitionSHA: "s", Type: "STANDARD", Now: t0})
		require.NoError(t, err)
	}
	page, next, err := c.StateMachineList(ctx, "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, page)
	page, next, err = c.StateMachineList(ctx, next, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"c", "orders"}, page)
	require.Empty(t, next)

	require.NoError(t, c.StateMachineDelete(ctx, "orders"))
	_, err = c.StateMachineGet(ctx, "orders")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = c.StateMachineVersionGet(ctx, "orders", 1)
	require.ErrorIs(t, err, ErrNotFound)
	page, _, err = c.StateMachineList(ctx, "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, page)
}

func testExecutionList(t *testing.T, c *Client) {
	ctx := context.Background()
	var ids []string
	for i, name := range []string{"e0", "e1", "e2", "e3", "e4"} {
		id := create(t, c, name, `{}`)
		e, err := c.ExecutionGet(ctx, id)
		require.NoError(t, err)
		e.StartDate = t0.Add(time.Duration(i) * time.Second) // a distinct start each
		require.NoError(t, c.ExecutionListAdd(ctx, "m", id, e))
		ids = append(ids, id)
	}
	_, err := c.Transition(ctx, &TransitionParams{ExecutionID: ids[1], Thread: RootThread, Seq: 0,
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: t0}})
	require.NoError(t, err)

	page, cursor, err := c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{ids[4], ids[3]}, execIDs(page), "newest first")
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 2, Cursor: cursor})
	require.NoError(t, err)
	require.Equal(t, []string{ids[2], ids[1]}, execIDs(page))
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 2, Cursor: cursor})
	require.NoError(t, err)
	require.Equal(t, []string{ids[0]}, execIDs(page))
	require.Empty(t, cursor)

	page, _, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Status: "SUCCEEDED"})
	require.NoError(t, err)
	require.Equal(t, []string{ids[1]}, execIDs(page))
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Status: "RUNNING", Limit: 3})
	require.NoError(t, err)
	require.Equal(t, []string{ids[4], ids[3], ids[2]}, execIDs(page))
	// A full page that is the last has no cursor: all of them, and all of
	// one status, the other executions between.
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Status: "RUNNING", Limit: 1, Cursor: cursor})
	require.NoError(t, err)
	require.Equal(t, []string{ids[0]}, execIDs(page), "ids[1] is SUCCEEDED")
	require.Empty(t, cursor)
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 5})
	require.NoError(t, err)
	require.Len(t, page, 5)
	require.Empty(t, cursor)
	page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Status: "SUCCEEDED", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{ids[1]}, execIDs(page))
	require.Empty(t, cursor, "no SUCCEEDED one follows")
	_, _, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Cursor: "x"})
	require.ErrorIs(t, err, ErrInvalid)
}

// testExecutionListStable: pages are cut by start and id, not by
// position: an execution started between two pages neither repeats
// one nor shifts the next, and executions of one millisecond page
// through whole.
func testExecutionListStable(t *testing.T, c *Client) {
	ctx := context.Background()
	add := func(name string, at time.Time) string {
		t.Helper()
		id := create(t, c, name, `{}`)
		e, err := c.ExecutionGet(ctx, id)
		require.NoError(t, err)
		e.StartDate = at
		require.NoError(t, c.ExecutionListAdd(ctx, "m", id, e))
		return id
	}
	// seven started in one millisecond: more than a read of a page of
	// two (four), so that a read passes over a whole batch of them
	var same []string
	for i := range 7 {
		same = append(same, add(fmt.Sprint("s", i), t0))
	}
	older := add("older", t0.Add(-time.Second))
	var seen []string
	page, cursor, err := c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 2})
	require.NoError(t, err)
	seen = append(seen, execIDs(page)...)
	add("newer", t0.Add(time.Second)) // between two pages: not in this listing
	for cursor != "" {
		page, cursor, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 2, Cursor: cursor})
		require.NoError(t, err)
		seen = append(seen, execIDs(page)...)
	}
	want := slices.Clone(same)
	slices.Sort(want)
	slices.Reverse(want)
	require.Equal(t, append(want, older), seen, "each once, newest first, one millisecond's by id")
	page, _, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "newer", page[0].Name)
	require.Nil(t, page[0].Input, "a listing reads no input")
}

// testExecutionListFilters: status, version, alias and redrive filters;
// a call reads at most ExecutionListScan executions, then answers with
// what it found and a cursor to go on from.
func testExecutionListFilters(t *testing.T, c *Client) {
	ctx := context.Background()
	n := ExecutionListScan + 200
	ids := make([]string, n)
	for i := range n {
		id := create(t, c, fmt.Sprint("e", i), `{}`)
		e, err := c.ExecutionGet(ctx, id)
		require.NoError(t, err)
		e.StartDate = t0.Add(time.Duration(i) * time.Millisecond)
		require.NoError(t, c.ExecutionListAdd(ctx, "m", id, e))
		ids[i] = id
	}
	// the oldest two: started with version 1, the second through alias live
	require.NoError(t, c.ExecutionOriginSet(ctx, ids[0], testARN+":1", ""))
	require.NoError(t, c.ExecutionOriginSet(ctx, ids[1], testARN+":1", testARN+":live"))
	_, err := c.Transition(ctx, &TransitionParams{ExecutionID: ids[0], Thread: RootThread, Seq: 0,
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: t0}})
	require.NoError(t, err)

	all := func(p ExecutionListParams) (found []string, calls int) {
		t.Helper()
		for {
			page, cursor, err := c.ExecutionList(ctx, &p)
			require.NoError(t, err)
			calls++
			found = append(found, execIDs(page)...)
			if cursor == "" {
				return found, calls
			}
			p.Cursor = cursor
		}
	}
	got, calls := all(ExecutionListParams{StateMachine: "m", VersionARN: testARN + ":1"})
	require.Equal(t, []string{ids[1], ids[0]}, got)
	require.Equal(t, 2, calls, "the first call read its limit of executions and found none: a cursor, an empty page")
	page, cursor, err := c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", VersionARN: testARN + ":1"})
	require.NoError(t, err)
	require.Empty(t, page)
	require.NotEmpty(t, cursor)
	got, _ = all(ExecutionListParams{StateMachine: "m", AliasARN: testARN + ":live"})
	require.Equal(t, []string{ids[1]}, got)
	got, _ = all(ExecutionListParams{StateMachine: "m", Status: "SUCCEEDED", VersionARN: testARN + ":1"})
	require.Equal(t, []string{ids[0]}, got)
	got, _ = all(ExecutionListParams{StateMachine: "m", VersionARN: testARN + ":2"})
	require.Empty(t, got)
	yes := true
	got, _ = all(ExecutionListParams{StateMachine: "m", Redriven: &yes})
	require.Empty(t, got, "none redriven")
	no := false
	got, _ = all(ExecutionListParams{StateMachine: "m", Redriven: &no, Limit: 1000})
	require.Len(t, got, n)
	_, _, err = c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "m", Cursor: "12/"})
	require.ErrorIs(t, err, ErrInvalid)
}

func execIDs(es []*Execution) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func testExecutionRedrive(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	readAll(t, c, "w")
	p := &ExecutionRedriveParams{ExecutionID: id, Record: []byte(`{"again":true}`), Kind: "step",
		Events: []Event{{JSON: []byte(`{"type":"ExecutionRedriven"}`)}}}
	_, err = c.ExecutionRedrive(ctx, p)
	require.ErrorIs(t, err, ErrClosed, "a running execution cannot be redriven")

	_, err = c.Transition(ctx, &TransitionParams{ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Close: &ExecutionClose{Status: "FAILED", Error: "E", Cause: "c", StopDate: t0}})
	require.NoError(t, err)
	n, err := c.ExecutionRedrive(ctx, p)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", x.Status)
	require.Empty(t, x.Error)
	require.True(t, x.StopDate.IsZero())
	require.Equal(t, 1, x.RedriveCount)
	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.Equal(t, int64(2), th.Seq)
	require.Equal(t, `{"again":true}`, string(th.Record))
	require.Equal(t, []string{id + "|0|2|step"}, items(readAll(t, c, "w")), "its next step is handed over")
	open, err := c.OpenExecutions(ctx, &OpenExecutionsParams{})
	require.NoError(t, err)
	require.Len(t, open, 1, "listed as open again")
	_, err = c.ExecutionRedrive(ctx, &ExecutionRedriveParams{ExecutionID: "nope", Kind: "step"})
	require.ErrorIs(t, err, ErrNotFound)
}

// testOutboxHandOverChain: a chain of transitions carried out one after
// the other hands on only its last step; with a leftover before it, every
// entry is handed on (the stale ones are for the seq check to drop).
func testOutboxHandOverChain(t *testing.T, c *Client) {
	skipDirect(t, c)
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	readAll(t, c, "w")
	withItem := func(seq int64) *TransitionParams {
		p := step(id, RootThread, seq, "S")
		p.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: RootThread, Seq: seq + 1, Kind: "step"}}}
		return p
	}
	var chain []*TransitionResult
	for seq := int64(0); seq < 3; seq++ {
		r, err := c.Transition(ctx, withItem(seq))
		require.NoError(t, err)
		chain = append(chain, r)
	}
	n, err := c.OutboxHandOverChain(ctx, id, chain)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, []string{id + "|0|3|step"}, items(readAll(t, c, "w")), "only the chain's last step")
	left, err := c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.Zero(t, left)

	_, err = c.Transition(ctx, withItem(3)) // its worker died before handing over
	require.NoError(t, err)
	chain = nil
	for seq := int64(4); seq < 6; seq++ {
		r, err := c.Transition(ctx, withItem(seq))
		require.NoError(t, err)
		chain = append(chain, r)
	}
	_, err = c.OutboxHandOverChain(ctx, id, chain)
	require.NoError(t, err)
	require.Len(t, readAll(t, c, "w"), 3, "the leftover and the chain's entries, all handed on")
	left, err = c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.Zero(t, left)

	// The crash test's find: the chain's first entry taken by another
	// flush, another thread's entry appended before the chain's last: the
	// count matches, the outbox is not the chain's. Nothing may be lost.
	other := &TransitionParams{ExecutionID: id, Thread: "0/9/0", Seq: 0}
	_, err = c.rdb.HSet(ctx, c.keys.ThreadsKey(id), "0/9/0", "0|0|{}").Result()
	require.NoError(t, err)
	other.Record = []byte(`{}`)
	other.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: "0/9/0", Seq: 1, Kind: "step"}}}
	r1, err := c.Transition(ctx, withItem(6))
	require.NoError(t, err)
	_, err = c.OutboxFlush(ctx, id) // a recoverer takes the chain's first entry
	require.NoError(t, err)
	_, err = c.Transition(ctx, other) // another thread's entry, not handed over yet
	require.NoError(t, err)
	r2, err := c.Transition(ctx, withItem(7))
	require.NoError(t, err)
	_, err = c.OutboxHandOverChain(ctx, id, []*TransitionResult{r1, r2})
	require.NoError(t, err)
	got := items(readAll(t, c, "w"))
	require.Contains(t, got, id+"|0/9/0|1|step", "the other thread's item was handed on")
	require.Contains(t, got, id+"|0|8|step")
}

// A transition carrying several steps moves the seq on by that many, and
// one that assumed the event counter is refused, writing nothing, when the
// counter moved.
func testTransitionSteps(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`) // events 1 and 2
	p := &TransitionParams{
		ExecutionID: id, Thread: RootThread, Seq: 0, Steps: 3, ExpectEvents: 3,
		Record: []byte(`{"state":"D"}`),
		Events: []Event{{JSON: []byte(`{"type":"PassStateExited"}`)}},
	}
	_, err := c.Transition(ctx, p)
	require.ErrorIs(t, err, ErrEventsMoved)
	th, err := c.ThreadGet(ctx, id, RootThread)
	require.NoError(t, err)
	require.EqualValues(t, 0, th.Seq, "a refused transition writes nothing")
	x, err := c.ExecutionGet(ctx, id)
	require.NoError(t, err)
	require.EqualValues(t, 2, x.Events)

	p.ExpectEvents = 2
	res, err := c.Transition(ctx, p)
	require.NoError(t, err)
	require.EqualValues(t, 3, res.Seq)
	require.Equal(t, []int64{3}, res.EventIDs)
	_, err = c.Transition(ctx, &TransitionParams{ExecutionID: id, Thread: RootThread, Seq: 1, Record: []byte(`{}`)})
	require.ErrorIs(t, err, ErrStale, "the steps' seqs are used up")
}

// ExecutionHandOver lists the execution and passes its first work item on
// without a flush, and leaves the outbox empty; after a lost script cache
// too.
func testExecutionHandOver(t *testing.T, c *Client) {
	ctx := context.Background()
	res, err := c.ExecutionCreate(ctx, createParams("run", `{}`))
	require.NoError(t, err)
	n, err := c.ExecutionHandOver(ctx, res)
	require.NoError(t, err)
	require.Equal(t, c.outboxed(1), n)
	id := ExecutionID(testARN, "run")
	listed, _, err := c.ExecutionList(ctx, &ExecutionListParams{StateMachine: "sm"})
	require.NoError(t, err)
	require.Len(t, listed, 1, "listed under its state machine in the same round trip")
	require.Equal(t, id, listed[0].ID)
	require.Equal(t, []string{id + "|0|0|step"}, items(readAll(t, c, "w")))
	left, err := c.rdb.LLen(ctx, c.keys.OutboxKey(id)).Result()
	require.NoError(t, err)
	require.Zero(t, left)

	// The server forgets its scripts (a restart): both steps load them.
	require.NoError(t, c.rdb.ScriptFlush(ctx).Err())
	other, err := c.ExecutionCreate(ctx, createParams("other", `{}`))
	require.NoError(t, err)
	require.NoError(t, c.rdb.ScriptFlush(ctx).Err())
	n, err = c.ExecutionHandOver(ctx, other)
	require.NoError(t, err)
	require.Equal(t, c.outboxed(1), n)
	require.Equal(t, []string{other.Execution.ID + "|0|0|step"}, items(readAll(t, c, "w")))
	left, err = c.rdb.LLen(ctx, c.keys.OutboxKey(other.Execution.ID)).Result()
	require.NoError(t, err)
	require.Zero(t, left)

	again, err := c.ExecutionCreate(ctx, createParams("run", `{}`))
	require.NoError(t, err)
	require.True(t, again.Existing)
	n, err = c.ExecutionHandOver(ctx, again)
	require.NoError(t, err)
	require.Zero(t, n, "an existing execution's outbox is flushed, and it is empty")
}

// A closed execution's keys expire after its retention, whichever way it
// closed; a redrive keeps them again.
func testRetention(t *testing.T, c *Client) {
	ctx := context.Background()
	keys := func(id string) []string { return c.keys.transitionKeys(id, false) }
	ttls := func(id string) []time.Duration {
		var out []time.Duration
		for _, k := range keys(id) {
			if c.rdb.Exists(ctx, k).Val() == 1 {
				out = append(out, c.rdb.PTTL(ctx, k).Val())
			}
		}
		return out
	}
	const keep = 90 * 24 * time.Hour
	stop := t0.Add(time.Minute)

	byStep := create(t, c, "step", `{}`)
	_, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: byStep, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Vars:  []Var{{Name: "0/x", Value: []byte(`1`)}},
		Close: &ExecutionClose{Status: "FAILED", Error: "E", StopDate: stop, Retention: keep},
	})
	require.NoError(t, err)
	got := ttls(byStep)
	require.GreaterOrEqual(t, len(got), 4, "hash, history, threads and vars exist")
	for _, ttl := range got {
		require.Greater(t, ttl, keep-time.Hour)
		require.LessOrEqual(t, ttl, keep)
	}

	byEnd := create(t, c, "end", `{}`)
	require.NoError(t, c.ExecutionEnd(ctx, &ExecutionEndParams{ExecutionID: byEnd, Status: "ABORTED", StopDate: stop, Retention: keep}))
	for _, ttl := range ttls(byEnd) {
		require.Greater(t, ttl, keep-time.Hour)
	}

	_, err = c.ExecutionRedrive(ctx, &ExecutionRedriveParams{ExecutionID: byStep, Record: []byte(`{}`), Kind: KindStep})
	require.NoError(t, err)
	for _, ttl := range ttls(byStep) {
		require.Equal(t, time.Duration(-1), ttl, "a redriven execution is kept until it closes again")
	}

	forever := create(t, c, "forever", `{}`)
	require.NoError(t, c.ExecutionEnd(ctx, &ExecutionEndParams{ExecutionID: forever, Status: "ABORTED", StopDate: stop}))
	for _, ttl := range ttls(forever) {
		require.Equal(t, time.Duration(-1), ttl)
	}

	// Closed by a transition that keeps it for ever: nothing expires.
	kept := create(t, c, "kept", `{}`)
	_, err = c.Transition(ctx, &TransitionParams{
		ExecutionID: kept, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: stop},
	})
	require.NoError(t, err)
	got = ttls(kept)
	require.GreaterOrEqual(t, len(got), 3, "hash, history and threads exist")
	for _, ttl := range got {
		require.Equal(t, time.Duration(-1), ttl)
	}

	// An execution without variables or forks: every key it has expires.
	plain := create(t, c, "plain", `{}`)
	_, err = c.Transition(ctx, &TransitionParams{
		ExecutionID: plain, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: stop, Retention: keep, NoVariables: true, NoForks: true},
	})
	require.NoError(t, err)
	got = ttls(plain)
	require.GreaterOrEqual(t, len(got), 3, "hash, history and threads exist")
	for _, ttl := range got {
		require.Greater(t, ttl, keep-time.Hour)
	}

	// Created closed by its start: SUCCEEDED keeps its hash and its
	// history (one string, its expiry set with it) and no thread; FAILED
	// its thread too (a redrive goes on from it).
	for _, tc := range []struct {
		name, status string
		keys         int
	}{{"created-succeeded", StatusSucceeded, 2}, {"created-failed", "FAILED", 3}} {
		p := createParams(tc.name, `{}`)
		p.Outbox = nil
		p.Close = &ExecutionClose{Status: tc.status, StopDate: stop, Retention: keep}
		res, err := c.ExecutionCreate(ctx, p)
		require.NoError(t, err)
		got := ttls(res.Execution.ID)
		require.Len(t, got, tc.keys, tc.name)
		for _, ttl := range got {
			require.Greater(t, ttl, keep-time.Hour, tc.name)
		}
	}
}

// WorkAckRead acknowledges, drops closed executions from the open index
// and reads, in one call.
func testWorkAckRead(t *testing.T, c *Client) {
	ctx := context.Background()
	a := create(t, c, "a", `{}`)
	_, err := c.OutboxFlush(ctx, a)
	require.NoError(t, err)
	first, err := c.WorkAckRead(ctx, "w1", nil, nil, 10, 0)
	require.NoError(t, err)
	require.Equal(t, []string{a + "|0|0|step"}, items(first))

	b := create(t, c, "b", `{}`)
	_, err = c.OutboxFlush(ctx, b)
	require.NoError(t, err)
	second, err := c.WorkAckRead(ctx, "w1", []string{first[0].ID}, []string{a}, 10, 0)
	require.NoError(t, err)
	require.Equal(t, []string{b + "|0|0|step"}, items(second))
	pending, err := c.rdb.XPending(ctx, c.keys.ReadyStream(), ReadyGroup).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, pending.Count, "the first item is acknowledged, the second leased")
	open, err := c.OpenExecutions(ctx, &OpenExecutionsParams{})
	require.NoError(t, err)
	require.Len(t, open, 1)
	require.Equal(t, b, open[0].ID)

	_, err = c.WorkAckRead(ctx, "w1", []string{"nope"}, nil, 1, 0)
	require.ErrorIs(t, err, ErrInvalid)
}

// outboxed is n in outbox mode and 0 in direct mode, where the scripts
// schedule work themselves and leave the outbox empty.
func (c *Client) outboxed(n int) int {
	if c.direct {
		return 0
	}
	return n
}

// skipDirect skips a test of the outbox's hand-over in direct mode, which
// does not use it (TestStore*Outbox run it).
func skipDirect(t *testing.T, c *Client) {
	if c.direct {
		t.Skip("direct mode hands no work over through the outbox")
	}
}

// The recoverer reads each open entry's status and outbox length at once.
func testOpenExecutionStates(t *testing.T, c *Client) {
	ctx := context.Background()
	running := create(t, c, "running", `{}`)
	closed := create(t, c, "closed", `{}`)
	_, err := c.Transition(ctx, &TransitionParams{
		ExecutionID: closed, Thread: RootThread, Seq: 0, Record: []byte(`{}`),
		Close: &ExecutionClose{Status: "SUCCEEDED", Output: []byte(`1`), StopDate: t0.Add(time.Second)},
	})
	require.NoError(t, err)
	got, err := c.OpenExecutionStates(ctx, []string{running, closed, ExecutionID(testARN, "none")})
	require.NoError(t, err)
	require.Equal(t, []OpenExecutionState{
		{Status: StatusRunning, Outbox: int64(c.outboxed(1))},
		{Status: StatusSucceeded, Outbox: int64(c.outboxed(1))},
		{},
	}, got)
	_, err = c.OpenExecutionStates(ctx, []string{"a}b"})
	require.ErrorIs(t, err, ErrInvalid)
}

// A fork with items creates its children's threads only as they start: the
// first Started at the fork, each further one with the join of an earlier
// one; a join removes its child's thread and item, a repeated join finds
// no thread, and a fork that joins early drops the items it did not start.
func testForkItems(t *testing.T, c *Client) {
	ctx := context.Background()
	id := create(t, c, "run", `{}`)
	_, err := c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	readAll(t, c, "w") // the execution's first item
	const fork = "0/0"
	begin := func(i int) OutboxItem {
		return OutboxItem{Item: WorkItem{Exec: id, Thread: fork + "/" + strconv.Itoa(i), Kind: "begin"}}
	}
	_, err = c.TransitionFork(ctx, &TransitionParams{
		ExecutionID: id, Thread: RootThread, Seq: 0, Record: []byte(`{"fork":true}`),
		Outbox: []OutboxItem{begin(0), begin(1)},
	}, &Fork{ID: fork, Items: [][]byte{[]byte(`"a"`), []byte(`"b"`), []byte(`"c"`), []byte(`"d"`), []byte(`"e"`)}, Record: []byte(`{"child":true}`), Started: 2})
	require.NoError(t, err)
	_, err = c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{id + "|0/0/0|0|begin", id + "|0/0/1|0|begin"}, items(readAll(t, c, "w")))
	threads := func() []string {
		t.Helper()
		m, err := c.rdb.HKeys(ctx, c.keys.ThreadsKey(id)).Result()
		require.NoError(t, err)
		sort.Strings(m)
		n, err := c.ThreadCount(ctx, id)
		require.NoError(t, err)
		require.EqualValues(t, len(m), n)
		return m
	}
	require.Equal(t, []string{"0", "0/0/0", "0/0/1"}, threads())
	th, err := c.ThreadGet(ctx, id, "0/0/1")
	require.NoError(t, err)
	// a child's first event chains to the fork's last (its ...StateStarted)
	require.Equal(t, &Thread{ID: "0/0/1", LastEventID: 2, Record: []byte(`{"child":true}`)}, th)
	item, err := c.ForkItem(ctx, id, fork, 4)
	require.NoError(t, err)
	require.Equal(t, `"e"`, string(item))

	join := func(i int, failed bool) (*TransitionResult, error) {
		return c.TransitionJoin(ctx, &TransitionParams{
			ExecutionID: id, Thread: fork + "/" + strconv.Itoa(i), Seq: 0, Record: []byte(`{"done":true}`), InFork: fork,
		}, &Join{Fork: fork, Index: i, Result: []byte(strconv.Itoa(i)), Failed: failed, N: 5, ToleratedCount: -1, ToleratedPercentage: -1,
			Limited: true, NextKind: "begin", Parent: RootThread, ParentSeq: 1, ParentKind: "join"})
	}
	_, err = join(0, false)
	require.NoError(t, err)
	require.Equal(t, []string{"0", "0/0/1", "0/0/2"}, threads(), "child 0's join removed it and created child 2")
	_, err = c.ForkItem(ctx, id, fork, 0)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{id + "|0/0/2|0|begin"}, items(readAll(t, c, "w")))

	// The same join again (a second worker with the same item) finds no
	// thread: nothing is counted or started twice.
	_, err = join(0, false)
	require.ErrorIs(t, err, ErrNotFound)
	require.Equal(t, []string{"0", "0/0/1", "0/0/2"}, threads())

	// Child 1 fails, with no failure tolerated: the fork joins, the items
	// of children 3 and 4 are dropped, and they are never created.
	_, err = join(1, true)
	require.NoError(t, err)
	require.Equal(t, []string{"0", "0/0/2"}, threads())
	_, err = c.OutboxFlush(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{id + "|0|1|join"}, items(readAll(t, c, "w")))
	for _, i := range []int{1, 3, 4} {
		_, err = c.ForkItem(ctx, id, fork, i)
		require.ErrorIs(t, err, ErrNotFound, "item %d", i)
	}
	item, err = c.ForkItem(ctx, id, fork, 2)
	require.NoError(t, err, "child 2 started: it keeps its item until it ends")
	require.Equal(t, `"c"`, string(item))
	res, err := c.JoinResults(ctx, id, fork, 5)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("0"), []byte("1"), nil, nil, nil}, res)
	// Child 2 ends after its fork joined: cancelled, and nothing starts.
	_, err = join(2, false)
	require.ErrorIs(t, err, ErrCancelled)
	require.Equal(t, []string{"0", "0/0/2"}, threads())
}
