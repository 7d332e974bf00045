package asl

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Evaluations are bounded in what they build and stop when the execution
// does: a state fails with AWS's error and the process stays small.
func TestEvaluationsAreBounded(t *testing.T) {
	// A JSONata function doubling a string 26 times built 1.3 GB in 7.9 s.
	o := step(t, `{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% ($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('ab', 26))) %}","End":true}`, `{}`)
	f, ok := o.(Fail)
	require.True(t, ok, "%#v", o)
	require.Equal(t, "States.QueryEvaluationError", f.Error)
	require.Contains(t, f.Cause, "bytes of values")

	// The same with arrays, doubled by the array constructor.
	o = step(t, `{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% ($f := function($a, $n) { $n = 0 ? $a : $f([$a, $a], $n - 1) }; $count($f([1], 40))) %}","End":true}`, `{}`)
	f, ok = o.(Fail)
	require.True(t, ok, "%#v", o)
	require.Equal(t, "States.QueryEvaluationError", f.Error)

	// Nested intrinsics double their argument at each level: the fifth
	// level would build 6.4 MB.
	deep := "$.s"
	for range 5 {
		deep = "States.Format('{}{}', " + deep + ", " + deep + ")"
	}
	o = step(t, `{"Type":"Pass","Parameters":{"x.$":"States.StringSplit(`+deep+`, 'z')"},"End":true}`, `{"s":"`+strings.Repeat("a", 200_000)+`"}`)
	f, ok = o.(Fail)
	require.True(t, ok, "%T", o)
	require.Equal(t, "States.Runtime", f.Error)
	require.Contains(t, f.Cause, "the result would be more than 4194304 bytes")
}

// An evaluation in progress stops when the execution's context ends.
func TestEvaluationStopsWhenInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newContext("S")
	c.Interrupt = ctx
	o := Step(stateOf(t, `{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $count([1..1000000].($ * 2)) %}","End":true}`), map[string]any{}, c)
	f, ok := o.(Fail)
	require.True(t, ok, "%#v", o)
	require.Equal(t, "States.QueryEvaluationError", f.Error)
	require.Contains(t, f.Cause, "interrupted")

	// not interrupted, the same evaluation completes
	o = Step(stateOf(t, `{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $count([1..1000000].($ * 2)) %}","End":true}`), map[string]any{}, newContext("S"))
	s, ok := o.(Succeed)
	require.True(t, ok, "%#v", o)
	require.EqualValues(t, 1000000, s.Output)
}
