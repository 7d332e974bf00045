package runtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// t0 is when every virtual-clock execution of these tests starts.
var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// safety bounds a test that waits on goroutines of the engine. It is a net
// against a hang, never a way to synchronise: tests signal with channels.
const safety = 10 * time.Second

// compile parses a definition the test knows to be valid.
func compile(t *testing.T, def string) *asl.StateMachine {
	t.Helper()
	m, d := asl.Compile([]byte(def))
	require.Empty(t, d, "the test's definition is invalid")
	return m
}

// decode parses a JSON value the test writes by hand.
func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := asl.DecodeJSON([]byte(s))
	require.NoError(t, err)
	return v
}

// requireJSON asserts that v renders as the JSON text want.
func requireJSON(t *testing.T, want string, v any) {
	t.Helper()
	require.JSONEq(t, want, asl.EncodeJSON(v))
}

// run runs def on a virtual clock starting at t0 with the given input
// (JSON text; "" is {}), serving Task states with h.
func run(t *testing.T, def, input string, h integrations.Handler) *runtime.Result {
	t.Helper()
	return runWith(t, context.Background(), &runtime.Engine{Tasks: h}, def, input)
}

func runWith(t *testing.T, ctx context.Context, e *runtime.Engine, def, input string) *runtime.Result {
	t.Helper()
	if input == "" {
		input = "{}"
	}
	res := e.Run(ctx, compile(t, def), runtime.Execution{
		Name:  "test",
		Input: decode(t, input),
		Clock: runtime.NewVirtualClock(t0),
	})
	require.NotNil(t, res)
	return res
}

// requireSucceeded asserts that the execution succeeded with output want
// (JSON text).
func requireSucceeded(t *testing.T, res *runtime.Result, want string) {
	t.Helper()
	require.Equal(t, runtime.StatusSucceeded, res.Status, "error %q cause %q", res.Error, res.Cause)
	requireJSON(t, want, res.Output)
}

// requireFailed asserts how an execution ended when it did not succeed.
func requireFailed(t *testing.T, res *runtime.Result, status runtime.Status, errName string) {
	t.Helper()
	require.Equal(t, status, res.Status, "output %s, cause %q", asl.EncodeJSON(res.Output), res.Cause)
	require.Equal(t, errName, res.Error, "cause %q", res.Cause)
}

// call is what the recorder saw of one Task call.
type call struct {
	Resource       string
	StateName      string
	Parameters     any
	Attempt        int
	IdempotencyKey string
	ExecutionARN   string
}

// recorder is a Task handler test double: it records every request and
// answers with respond.
type recorder struct {
	respond func(ctx context.Context, req *integrations.Request) (any, error)

	mu    sync.Mutex
	calls []call
}

func newRecorder(respond func(ctx context.Context, req *integrations.Request) (any, error)) *recorder {
	return &recorder{respond: respond}
}

// echo answers every call with its parameters.
func echo(_ context.Context, req *integrations.Request) (any, error) { return req.Parameters, nil }

// Invoke records req and answers it.
func (r *recorder) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call{
		Resource:       req.Resource,
		StateName:      req.StateName,
		Parameters:     req.Parameters,
		Attempt:        req.Attempt,
		IdempotencyKey: req.IdempotencyKey,
		ExecutionARN:   req.ExecutionARN,
	})
	r.mu.Unlock()
	return r.respond(ctx, req)
}

// Calls returns the calls so far.
func (r *recorder) Calls() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// inFlight counts concurrent calls and remembers the most seen at once.
type inFlight struct {
	mu       sync.Mutex
	now, max int
	reached  map[int]chan struct{} // closed when now first reaches the key
}

func newInFlight() *inFlight { return &inFlight{reached: map[int]chan struct{}{}} }

// enter counts a call in and returns a function that counts it out.
func (f *inFlight) enter() func() {
	f.mu.Lock()
	f.now++
	f.max = max(f.max, f.now)
	if ch, ok := f.reached[f.now]; ok {
		select {
		case <-ch:
		default:
			close(ch)
		}
	}
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}
}

// when returns a channel closed once n calls have been in flight at once.
func (f *inFlight) when(n int) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.reached[n]
	if !ok {
		ch = make(chan struct{})
		f.reached[n] = ch
		if f.max >= n {
			close(ch)
		}
	}
	return ch
}

// Max returns the most calls seen in flight at once.
func (f *inFlight) Max() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.max
}

// events renders the history as GetExecutionHistory does and decodes it:
// one map per event.
func events(t *testing.T, res *runtime.Result) []map[string]any {
	t.Helper()
	data, err := json.Marshal(res.History())
	require.NoError(t, err)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

// types lists the history's event types in order.
func types(res *runtime.Result) []string {
	out := make([]string, len(res.History()))
	for i, ev := range res.History() {
		out[i] = string(ev.Type)
	}
	return out
}

// ofType returns the events of a type, in order.
func ofType(res *runtime.Result, typ runtime.EventType) []runtime.Event {
	var out []runtime.Event
	for _, ev := range res.History() {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// elapsed is how far the virtual clock moved from t0 to when.
func elapsed(when time.Time) time.Duration { return when.Sub(t0) }

// entered reports whether the execution entered the state called name.
func entered(res *runtime.Result, name string) bool {
	for _, ev := range res.History() {
		if ev.Name == name && strings.HasSuffix(string(ev.Type), "StateEntered") {
			return true
		}
	}
	return false
}
