package httptask_test

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
	"github.com/signalbox/signalbox/integrations/httptask"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// flaky is an API that fails the first attempt it sees with 500 and charges
// on every later one, recording the calls by idempotency key. A redelivered
// call gets the answer its key got before.
type flaky struct {
	*httptest.Server
	mu    sync.Mutex
	keys  []string       // distinct keys, in order of first call
	calls map[string]int // calls per key
}

func newFlaky(t *testing.T) *flaky {
	f := &flaky{calls: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(httptask.IdempotencyHeader)
		var body struct{ Amount int64 }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		f.mu.Lock()
		if f.calls[key] == 0 {
			f.keys = append(f.keys, key)
		}
		f.calls[key]++
		first := key == f.keys[0]
		f.mu.Unlock()
		if first {
			http.Error(w, "ledger unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"charged": body.Amount, "order": r.Header.Get("X-Order")})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *flaky) seen() ([]string, map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := map[string]int{}
	for k, n := range f.calls {
		calls[k] = n
	}
	return append([]string(nil), f.keys...), calls
}

const chargeDefinition = `{"StartAt":"Charge","States":{
	"Charge":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
		"Parameters":{"ApiEndpoint":"URL/charges","Method":"POST","Headers":{"X-Order.$":"$.order"},"RequestBody":{"amount.$":"$.amount"}},
		"Retry":[{"ErrorEquals":["States.Http.StatusCode.500"],"IntervalSeconds":2,"MaxAttempts":2}],
		"ResultSelector":{"charged.$":"$.ResponseBody.charged","order.$":"$.ResponseBody.order","status.$":"$.StatusCode"},
		"ResultPath":"$.charge","Next":"Done"},
	"Done":{"Type":"Succeed"}}}`

var chargeHistory = []string{
	"ExecutionStarted",
	"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
	"SucceedStateEntered", "SucceedStateExited",
	"ExecutionSucceeded",
}

func tasks() *integrations.Mux {
	m := integrations.NewMux()
	m.Handle(httptask.Resource, httptask.New(httptask.Options{}))
	return m
}

// openStore opens a store of the test's own (storetest).
func openStore(t *testing.T) *store.Client { return storetest.Open(t, "sbhttp-") }

func TestADurableExecutionRetriesAnHTTPTask(t *testing.T) {
	t.Parallel()
	api := newFlaky(t)
	clk := testclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: tasks(), Now: clk.Now, Consumer: "w1"})
	ctx := context.Background()
	def := strings.ReplaceAll(chargeDefinition, "URL", api.URL)
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "orders", Definition: []byte(def), Name: "o-1",
		Input: map[string]any{"order": "o-1", "amount": int64(42)}})
	require.NoError(t, err)

	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "RUNNING", e.Status, "parked on the retry's backoff")
	keys, _ := api.seen()
	require.Len(t, keys, 1)

	clk.Advance(2 * time.Second)
	require.NoError(t, d.Drain(ctx))
	e, err = d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	require.JSONEq(t, `{"order":"o-1","amount":42,"charge":{"charged":42,"order":"o-1","status":200}}`, string(e.Output))

	// One call per attempt, each with its own key.
	keys, calls := api.seen()
	require.Len(t, keys, 2)
	require.NotEqual(t, keys[0], keys[1])
	for _, k := range keys {
		require.Equal(t, 1, calls[k], "key %s", k)
		require.NotEmpty(t, k)
	}

	// The history has the failed attempt and the successful retry, the
	// failure named by its status code with the response for cause.
	page, err := d.Inspector().History(ctx, started.ID, runtime.HistoryQuery{Limit: 1000})
	require.NoError(t, err)
	var types []string
	for i, raw := range page.Events {
		var ev struct {
			ID     int64  `json:"id"`
			Type   string `json:"type"`
			Failed *struct {
				Error, Cause, Resource, ResourceType string
			} `json:"taskFailedEventDetails"`
			Succeeded *struct{ Output string } `json:"taskSucceededEventDetails"`
		}
		require.NoError(t, json.Unmarshal(raw.JSON, &ev))
		require.Equal(t, int64(i+1), ev.ID)
		types = append(types, ev.Type)
		switch ev.Type {
		case "TaskFailed":
			require.Equal(t, "States.Http.StatusCode.500", ev.Failed.Error)
			require.Equal(t, "http", ev.Failed.ResourceType)
			require.Equal(t, "invoke", ev.Failed.Resource)
			var cause map[string]any
			require.NoError(t, json.Unmarshal([]byte(ev.Failed.Cause), &cause), ev.Failed.Cause)
			require.Equal(t, float64(500), cause["StatusCode"])
			require.Equal(t, "ledger unavailable\n", cause["ResponseBody"])
		case "TaskSucceeded":
			var out map[string]any
			require.NoError(t, json.Unmarshal([]byte(ev.Succeeded.Output), &out))
			require.Equal(t, float64(200), out["StatusCode"])
			require.Equal(t, map[string]any{"charged": float64(42), "order": "o-1"}, out["ResponseBody"])
		}
	}
	require.Equal(t, chargeHistory, types)
}

func TestTheInMemoryEngineRunsTheSameHTTPTask(t *testing.T) {
	t.Parallel()
	api := newFlaky(t)
	m, err := asl.Parse([]byte(strings.ReplaceAll(chargeDefinition, "URL", api.URL)))
	require.NoError(t, err)
	res := (&runtime.Engine{Tasks: tasks()}).Run(context.Background(), m, runtime.Execution{
		Input: map[string]any{"order": "o-2", "amount": int64(7)}, Clock: runtime.NewVirtualClock(time.Now())})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	require.Equal(t, map[string]any{"order": "o-2", "amount": int64(7), "charge": map[string]any{"charged": int64(7), "order": "o-2", "status": int64(200)}}, res.Output)
	var types []string
	for _, ev := range res.History() {
		types = append(types, string(ev.Type))
	}
	require.Equal(t, chargeHistory, types)
	keys, _ := api.seen()
	require.Len(t, keys, 2)
}

func TestACatchTakesAnHTTPStatusFailure(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"no such order"}`)
	}))
	t.Cleanup(api.Close)
	def := `{"StartAt":"Get","States":{
		"Get":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint":"` + api.URL + `/o/1","Method":"GET"},
			"Retry":[{"ErrorEquals":["States.Http.StatusCode.500"],"MaxAttempts":3}],
			"Catch":[{"ErrorEquals":["States.Http.StatusCode.404"],"ResultPath":"$.error","Next":"Missing"}],"End":true},
		"Missing":{"Type":"Pass","Parameters":{"error.$":"$.error.Error","response.$":"States.StringToJson($.error.Cause)"},"End":true}}}`
	clk := testclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: tasks(), Now: clk.Now, Consumer: "w1"})
	ctx := context.Background()
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "lookup", Definition: []byte(def), Input: map[string]any{}})
	require.NoError(t, err)
	require.NoError(t, d.Drain(ctx))
	e, err := d.Describe(ctx, started.ID)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", e.Status, "%s: %s", e.Error, e.Cause)
	var out struct {
		Error    string
		Response struct {
			StatusCode   int
			StatusText   string
			ResponseBody map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(e.Output, &out), string(e.Output))
	require.Equal(t, "States.Http.StatusCode.404", out.Error)
	require.Equal(t, 404, out.Response.StatusCode)
	require.Equal(t, "Not Found", out.Response.StatusText)
	require.Equal(t, map[string]any{"message": "no such order"}, out.Response.ResponseBody)
}
