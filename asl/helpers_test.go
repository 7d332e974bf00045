package asl

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// enteredTime is the fixed "now" of every test context: nothing in asl
// reads the clock.
var enteredTime = time.Date(2024, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

// fixedRand is a deterministic random source.
type fixedRand struct {
	f float64
	u uint64
}

func (r fixedRand) Float64() float64 { return r.f }
func (r fixedRand) Uint64() uint64   { return r.u }

// newContext returns a fixed Context for a visit of the named state.
func newContext(state string) *Context {
	return &Context{
		ExecutionID:      "arn:aws:states:us-east-1:111111111111:execution:sm:exec-1",
		ExecutionName:    "exec-1",
		ExecutionInput:   map[string]any{"original": true},
		ExecutionStart:   enteredTime.Add(-90 * time.Second),
		RoleArn:          "arn:aws:iam::111111111111:role/sfn",
		StateMachineID:   "arn:aws:states:us-east-1:111111111111:stateMachine:sm",
		StateMachineName: "sm",
		StateName:        state,
		EnteredTime:      enteredTime,
		EnteredEventID:   2,
		Rand:             fixedRand{f: 0.25, u: 42},
	}
}

// decode parses a JSON test value.
func decode(t testing.TB, src string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(src))
	require.NoError(t, err, src)
	return v
}

// requireJSON checks that v encodes to the same JSON value as want.
func requireJSON(t testing.TB, want string, v any) {
	t.Helper()
	require.JSONEq(t, want, EncodeJSON(v))
}

// mustCompile compiles a definition that must be valid.
func mustCompile(t testing.TB, def string) *StateMachine {
	t.Helper()
	m, d := Compile([]byte(def))
	require.Empty(t, d, "diagnostics for %s", def)
	require.NotNil(t, m)
	return m
}

// stateOf compiles a machine whose start state "S" is the given JSON, plus
// a state "T" ({"Type": "Succeed"}) when the JSON mentions "T", and returns
// S.
func stateOf(t testing.TB, state string) State {
	t.Helper()
	return stateIn(t, `{`, state)
}

// stateIn is stateOf with the definition's opening (its top-level fields
// before StartAt) given.
func stateIn(t testing.TB, opening, state string) State {
	t.Helper()
	def := opening + `"StartAt":"S","States":{"S":` + state
	if strings.Contains(state, `"T"`) {
		def += `,"T":{"Type":"Succeed"}`
	}
	m := mustCompile(t, def+`}}`)
	s, ok := m.State("S")
	require.True(t, ok)
	return s
}

// step runs the state S (see stateOf) on input with a fresh test context.
func step(t testing.TB, state, input string) Outcome {
	t.Helper()
	return Step(stateOf(t, state), decode(t, input), newContext("S"))
}

// runtimeCause is the cause of a States.Runtime error raised by the state S
// of the test context.
func runtimeCause(msg string) string {
	return "An error occurred while executing the state 'S' (entered at the event id #2). " + msg
}

// requireNext checks for a Next outcome to state T with the given output.
func requireNext(t testing.TB, o Outcome, next, output string) Next {
	t.Helper()
	n, ok := o.(Next)
	require.True(t, ok, "want Next, got %#v", o)
	require.Equal(t, next, n.State)
	requireJSON(t, output, n.Output)
	return n
}

// requireFail checks for a Fail outcome.
func requireFail(t testing.TB, o Outcome, errName, cause string) {
	t.Helper()
	f, ok := o.(Fail)
	require.True(t, ok, "want Fail, got %#v", o)
	require.Equal(t, errName, f.Error)
	require.Equal(t, cause, f.Cause)
}
