package asl

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// M2 item 4: the functions AWS adds to JSONata ($partition, $range, $hash,
// $random, $uuid, $parse), the clock and randomness they draw from, and
// $eval, which AWS removes.

// evalOutput runs `{"Output": "{% expr %}"}` in a JSONata Pass state with
// the context c and returns the outcome.
func evalOutput(t *testing.T, expr, input string, c *Context) Outcome {
	t.Helper()
	src := EncodeJSON("{% " + expr + " %}")
	return Step(jstateOf(t, `{"Type":"Pass","End":true,"Output":`+src+`}`), decode(t, input), c)
}

// requireValue checks that expr evaluates to the JSON value want.
func requireValue(t *testing.T, expr, input, want string) {
	t.Helper()
	o := evalOutput(t, expr, input, newContext("S"))
	s, ok := o.(Succeed)
	require.True(t, ok, "%s: %#v", expr, o)
	requireJSON(t, want, s.Output)
}

// requireThrows checks that expr fails with a QueryEvaluationError that
// names the expression and holds msg.
func requireThrows(t *testing.T, expr, msg string) {
	t.Helper()
	o := evalOutput(t, expr, `{}`, newContext("S"))
	requireQueryErrorContains(t, o, "The JSONata expression '"+expr+"' specified for the field 'Output' threw an error during evaluation. ", msg)
}

func TestJSONataPartition(t *testing.T) {
	t.Parallel()
	// From the recorded cases test_array_partition (AWS's results).
	tests := []struct{ arr, size, want string }{
		{arr: `[0]`, size: `1`, want: `[[0]]`},
		{arr: `[0,1,2]`, size: `1`, want: `[[0],[1],[2]]`},
		{arr: `[0,1,2]`, size: `2`, want: `[[0,1],[2]]`},
		{arr: `[0,1,2]`, size: `3`, want: `[[0,1,2]]`},
		{arr: `[0,1,2]`, size: `5`, want: `[[0,1,2]]`},
		{arr: `[0,1,2,3]`, size: `2`, want: `[[0,1],[2,3]]`},
		{arr: `[0,1,2,3]`, size: `3`, want: `[[0,1,2],[3]]`},
		{arr: `[]`, size: `2`, want: `[]`},
	}
	for _, tt := range tests {
		requireValue(t, `$partition($states.input.a, $states.input.n)`, `{"a":`+tt.arr+`,"n":`+tt.size+`}`, tt.want)
	}
	requireThrows(t, `$partition([1,2], 0)`, "the chunk size of $partition must be a positive integer")
	requireThrows(t, `$partition([1,2], 1.5)`, "the chunk size of $partition must be a positive integer")
	requireThrows(t, `$partition([1,2])`, "does not match function signature")
}

func TestJSONataRange(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{expr: `$range(1, 5)`, want: `[1,2,3,4,5]`},
		{expr: `$range(0, 10, 2)`, want: `[0,2,4,6,8,10]`},
		{expr: `$range(0, 9, 2)`, want: `[0,2,4,6,8]`},
		{expr: `$range(5, 1, -2)`, want: `[5,3,1]`},
		{expr: `$range(-2, 2)`, want: `[-2,-1,0,1,2]`},
		// From the recorded cases test_array_range (AWS's results): AWS's
		// $range answers a JSONata sequence, so one value comes out as
		// itself, not as a one-item array.
		{expr: `$range(0, 9, 3)`, want: `[0,3,6,9]`},
		{expr: `$range(0, 10, 3)`, want: `[0,3,6,9]`},
		{expr: `$range(1, 9, 9)`, want: `1`},
		{expr: `$range(1, 9, 2)`, want: `[1,3,5,7,9]`},
		{expr: `$range(3, 3)`, want: `3`},
		// as any sequence: [] keeps it an array, an array constructor wraps it
		{expr: `$range(3, 3)[]`, want: `[3]`},
		{expr: `[$range(3, 3)]`, want: `[3]`},
		{expr: `$count($range(3, 3))`, want: `1`},
		{expr: `$range(1, 3)[1]`, want: `2`},
	}
	for _, tt := range tests {
		requireValue(t, tt.expr, `{}`, tt.want)
	}
	// An empty sequence is undefined, which a field may not hold.
	for _, expr := range []string{`$range(5, 1)`, `$range(1, 5, -1)`} {
		o := evalOutput(t, expr, `{}`, newContext("S"))
		requireQueryError(t, o, undefinedCause(expr, "Output"))
	}
	requireValue(t, `[$range(5, 1)]`, `{}`, `[]`)
	// At most 1,000 items, as States.ArrayRange.
	o := evalOutput(t, `$range(1, 1000)`, `{}`, newContext("S"))
	out := o.(Succeed).Output.([]any)
	require.Len(t, out, 1000)
	require.Equal(t, int64(1000), out[999])
	requireThrows(t, `$range(0, 1000)`, "$range may produce at most 1000 items")
	requireThrows(t, `$range(1, 5, 0)`, "non-zero integer step")
	requireThrows(t, `$range(1.5, 5)`, "$range needs integer start, end")
	requireThrows(t, `$range(1)`, "does not match function signature")
}

func TestJSONataHash(t *testing.T) {
	t.Parallel()
	// Digests of "hello" and of "".
	tests := []struct{ alg, input, want string }{
		{alg: "MD5", input: "hello", want: "5d41402abc4b2a76b9719d911017c592"},
		{alg: "SHA-1", input: "hello", want: "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"},
		{alg: "SHA-256", input: "hello", want: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
		{alg: "SHA-384", input: "hello", want: "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f"},
		{alg: "SHA-512", input: "hello", want: "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"},
		{alg: "SHA-256", input: "", want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tt := range tests {
		requireValue(t, `$hash($states.input.s, $states.input.alg)`, `{"s":"`+tt.input+`","alg":"`+tt.alg+`"}`, `"`+tt.want+`"`)
	}
	requireThrows(t, `$hash('hello', 'SHA-999')`, `unsupported hash algorithm "SHA-999": use MD5, SHA-1, SHA-256, SHA-384 or SHA-512`)
	requireThrows(t, `$hash('hello', 'sha-256')`, `unsupported hash algorithm "sha-256"`)
	requireThrows(t, `$hash('hello')`, "does not match function signature")
}

func TestJSONataParse(t *testing.T) {
	t.Parallel()
	// From the recorded cases test_parse (AWS's results).
	tests := []struct{ text, want string }{
		{text: `-0`, want: `0`},
		{text: `1`, want: `1`},
		{text: `1.1`, want: `1.1`},
		{text: `true`, want: `true`},
		{text: `"HelloWorld"`, want: `"HelloWorld"`},
		{text: `[1, 2, "HelloWorld"]`, want: `[1,2,"HelloWorld"]`},
		{text: `{"Arg1": 1, "Arg2": []}`, want: `{"Arg1":1,"Arg2":[]}`},
		{text: `null`, want: `null`},
	}
	for _, tt := range tests {
		requireValue(t, `$parse($states.input.s)`, `{"s":`+EncodeJSON(tt.text)+`}`, tt.want)
	}
	requireThrows(t, `$parse('{bad')`, "$parse: the string is not valid JSON")
	requireThrows(t, `$parse('')`, "$parse: the string is not valid JSON")
	requireThrows(t, `$parse(1)`, "does not match function signature")
}

// TestJSONataEvalRejected checks that $eval, which AWS removes from its
// JSONata, fails the state with a clear QueryEvaluationError, whether
// called directly or through a variable.
func TestJSONataEvalRejected(t *testing.T) {
	t.Parallel()
	requireThrows(t, `$eval('1 + 1')`, "the function $eval is not supported in Step Functions")
	requireThrows(t, `($f := $eval; $f('1'))`, "the function $eval is not supported in Step Functions")
}

var uuidV4Pattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestJSONataRandomness checks that $random() and $uuid() draw from the
// Context's source, so that a fixed source repeats, and that a seeded
// $random repeats whatever the source.
func TestJSONataRandomness(t *testing.T) {
	t.Parallel()
	value := func(expr string, c *Context) any {
		t.Helper()
		o := evalOutput(t, expr, `{}`, c)
		s, ok := o.(Succeed)
		require.True(t, ok, "%s: %#v", expr, o)
		return s.Output
	}

	// $random() is the source's next number.
	require.Equal(t, 0.25, value(`$random()`, newContext("S")))
	c := newContext("S")
	c.Rand = fixedRand{f: 0.75}
	require.Equal(t, 0.75, value(`$random()`, c))

	// $random(seed): the same seed gives the same number, whatever the
	// source; another seed another number; all in [0, 1).
	a := value(`$random(42)`, newContext("S"))
	c = newContext("S")
	c.Rand = fixedRand{f: 0.9, u: 7}
	require.Equal(t, a, value(`$random(42)`, c))
	require.Equal(t, true, value(`$random(42) = $random(42)`, newContext("S")))
	require.NotEqual(t, a, value(`$random(43)`, newContext("S")))
	for _, seed := range []string{"0", "1", "-5", "123456789", "$states.context.State.EnteredTime ~> $toMillis()"} {
		f, ok := value(`$random(`+seed+`)`, newContext("S")).(float64)
		require.True(t, ok, seed)
		require.True(t, f >= 0 && f < 1, "%s: %v", seed, f)
	}
	requireThrows(t, `$random(1.5)`, "the seed of $random must be an integer")
	requireThrows(t, `$random('x')`, "does not match function signature")

	// $uuid(): a version 4 UUID from the source's bits.
	u := value(`$uuid()`, newContext("S")).(string)
	require.Regexp(t, uuidV4Pattern, u)
	require.Equal(t, u, value(`$uuid()`, newContext("S")))
	c = newContext("S")
	c.Rand = fixedRand{u: 0xdeadbeef}
	other := value(`$uuid()`, c).(string)
	require.Regexp(t, uuidV4Pattern, other)
	require.NotEqual(t, u, other)

	// Without a source, neither can draw: a clear error, not a panic.
	for _, expr := range []string{`$random()`, `$uuid()`} {
		c = newContext("S")
		c.Rand = nil
		requireQueryErrorContains(t, evalOutput(t, expr, `{}`, c), "has no random source")
	}
}

// TestJSONataClock checks that $now() and $millis() are the state's
// EnteredTime, not the wall clock.
func TestJSONataClock(t *testing.T) {
	t.Parallel()
	requireValue(t, `$now()`, `{}`, `"2024-03-04T05:06:07.890Z"`)
	requireValue(t, `$millis()`, `{}`, `1709528767890`)
	requireValue(t, `$now('[Y0001]-[M01]-[D01]')`, `{}`, `"2024-03-04"`)
	requireValue(t, `$now() = $states.context.State.EnteredTime`, `{}`, `true`)
	c := newContext("S")
	c.EnteredTime = c.EnteredTime.Add(1500 * 1e6) // 1.5 s later
	o := evalOutput(t, `$millis()`, `{}`, c)
	require.Equal(t, int64(1709528769390), o.(Succeed).Output)
}

// TestJSONataStandardFunctions spot-checks that the standard library is
// there alongside AWS's functions.
func TestJSONataStandardFunctions(t *testing.T) {
	t.Parallel()
	requireValue(t, `$merge([$states.input.part1, $states.input.part2])`, `{"part1":{"hello":"world"},"part2":{"foo":"bar"}}`, `{"hello":"world","foo":"bar"}`)
	requireValue(t, `$sum($states.input.n) & ' ' & $uppercase('x')`, `{"n":[1,2]}`, `"3 X"`)
	requireValue(t, `$string($states.input)`, `{"a":[1]}`, `"{\"a\":[1]}"`)
	require.True(t, strings.HasPrefix(EncodeJSON(evalOutput(t, `$keys($states.context)`, `{}`, newContext("S")).(Succeed).Output), `[`))
}
