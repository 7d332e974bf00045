package asl

import (
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// Helpers of the JSONata and variable tests.

// jmachine wraps states (the inside of "States") into a JSONata definition
// starting at A.
func jmachine(states string) string {
	return `{"QueryLanguage":"JSONata","StartAt":"A","States":{` + states + `}}`
}

// jstateOf is stateOf for a JSONata machine: it compiles a JSONata machine
// whose start state "S" is the given JSON, plus a state "T" ({"Type":
// "Succeed"}) when the JSON mentions "T", and returns S.
func jstateOf(t testing.TB, state string) State {
	t.Helper()
	return stateIn(t, `{"QueryLanguage":"JSONata",`, state)
}

// jstep runs the JSONata state S (see jstateOf) on input with a fresh test
// context.
func jstep(t testing.TB, state, input string) Outcome {
	t.Helper()
	return Step(jstateOf(t, state), decode(t, input), newContext("S"))
}

// withVars returns c seeing the given workflow variables, as the runtime
// sets them up.
func withVars(c *Context, vars map[string]any) *Context {
	c.Vars = func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}
	c.AllVars = func() map[string]any { return vars }
	return c
}

// stateCause is the cause of an error raised by the state S of the test
// context: AWS's prefix naming the state and its entered event, then msg.
func stateCause(msg string) string {
	return "An error occurred while executing the state 'S' (entered at the event id #2). " + msg
}

// undefinedCause is the cause of an expression that returned nothing.
func undefinedCause(expr, field string) string {
	return stateCause("The JSONata expression '" + expr + "' specified for the field '" + field + "' returned nothing (undefined).")
}

// requireQueryError checks for a States.QueryEvaluationError failure with
// the given cause.
func requireQueryError(t testing.TB, o Outcome, cause string) {
	t.Helper()
	requireFail(t, o, aslerr.QueryEvaluationError, cause)
}

// requireQueryErrorContains checks for a States.QueryEvaluationError
// failure whose cause names the state and holds each of parts.
func requireQueryErrorContains(t testing.TB, o Outcome, parts ...string) {
	t.Helper()
	f, ok := o.(Fail)
	require.True(t, ok, "want Fail, got %#v", o)
	require.Equal(t, aslerr.QueryEvaluationError, f.Error, f.Cause)
	require.True(t, strings.HasPrefix(f.Cause, stateCause("")), f.Cause)
	for _, p := range parts {
		require.Contains(t, f.Cause, p)
	}
}

// diagnostic returns the diagnostic of a definition at ptr, failing when
// there is none.
func diagnostic(t testing.TB, def, ptr string) string {
	t.Helper()
	for _, d := range Validate([]byte(def)) {
		if d.Path == ptr {
			return d.Code + ": " + d.Message
		}
	}
	require.Failf(t, "no diagnostic", "at %s for %s: got %v", ptr, def, found(Validate([]byte(def))))
	return ""
}
