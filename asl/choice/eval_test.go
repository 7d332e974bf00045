package choice_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/jpath"
)

// mustParse compiles a nested rule from JSON text.
func mustParse(t testing.TB, src string) *choice.Rule {
	t.Helper()
	r, diags := choice.Parse(mustDecode(t, src), "/r", false)
	require.Empty(t, diags, src)
	return r
}

// scope builds an evaluation scope with a Context object and variables.
func scope(t testing.TB, input string) jpath.Scope {
	ctx := mustDecode(t, `{"Execution": {"Name": "e1", "StartTime": "2024-01-01T00:00:00Z"}}`)
	vars := map[string]any{"limit": int64(10), "name": "bob"}
	return jpath.Scope{Input: mustDecode(t, input), Context: ctx, Vars: func(n string) (any, bool) {
		v, ok := vars[n]
		return v, ok
	}}
}

func TestEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rule  string
		input string
		want  bool
	}{
		// Numbers compare by value, integers and floats alike.
		{"int equals float", `{"Variable": "$.n", "NumericEquals": 1.0}`, `{"n": 1}`, true},
		{"float equals int", `{"Variable": "$.n", "NumericEquals": 1}`, `{"n": 1.0}`, true},
		{"float not equal", `{"Variable": "$.n", "NumericEquals": 1}`, `{"n": 1.1}`, false},
		{"less than", `{"Variable": "$.n", "NumericLessThan": 1}`, `{"n": 0.5}`, true},
		{"less than equals", `{"Variable": "$.n", "NumericLessThanEquals": 1}`, `{"n": 1}`, true},
		{"greater than", `{"Variable": "$.n", "NumericGreaterThan": 1}`, `{"n": 1}`, false},
		{"greater than equals", `{"Variable": "$.n", "NumericGreaterThanEquals": -1.5}`, `{"n": -1}`, true},
		{"large ints exact", `{"Variable": "$.n", "NumericLessThan": 9007199254740993}`, `{"n": 9007199254740992}`, true},
		{"int vs float past 2^53", `{"Variable": "$.n", "NumericEquals": 9007199254740992.0}`, `{"n": 9007199254740993}`, false},
		{"number from a string is not numeric", `{"Variable": "$.n", "NumericEquals": 1}`, `{"n": "1"}`, false},
		{"boolean is not numeric", `{"Variable": "$.n", "NumericEquals": 1}`, `{"n": true}`, false},
		{"numeric path", `{"Variable": "$.n", "NumericLessThanPath": "$.m"}`, `{"n": 1, "m": 1.5}`, true},
		{"numeric path to a variable", `{"Variable": "$.n", "NumericLessThanPath": "$limit"}`, `{"n": 11}`, false},
		{"numeric path to a string", `{"Variable": "$.n", "NumericEqualsPath": "$.m"}`, `{"n": 1, "m": "1"}`, false},

		// Strings.
		{"string equals", `{"Variable": "$.s", "StringEquals": "Hello"}`, `{"s": "Hello"}`, true},
		{"string equals is exact", `{"Variable": "$.s", "StringEquals": "\t\r\n"}`, `{"s": "\t\n"}`, false},
		{"string equals, number", `{"Variable": "$.s", "StringEquals": "1"}`, `{"s": 1}`, false},
		{"prefix is less", `{"Variable": "$.s", "StringLessThan": "AB"}`, `{"s": "A"}`, true},
		{"greater than equals", `{"Variable": "$.s", "StringGreaterThanEquals": "A"}`, `{"s": "AB"}`, true},
		{"less than equals", `{"Variable": "$.s", "StringLessThanEquals": "b"}`, `{"s": "b"}`, true},
		{"greater than", `{"Variable": "$.s", "StringGreaterThan": "b"}`, `{"s": "B"}`, false},
		// U+1F600 is D83D DE00 in UTF-16, before U+FF21 (Java order);
		// Go's byte order puts it after.
		{"utf-16 order, supplementary first", `{"Variable": "$.s", "StringLessThan": "Ａ"}`, `{"s": "😀"}`, true},
		{"utf-16 order, bmp after", `{"Variable": "$.s", "StringGreaterThan": "😀"}`, `{"s": "Ａ"}`, true},
		{"string path", `{"Variable": "$.s", "StringEqualsPath": "$name"}`, `{"s": "bob"}`, true},
		{"string path to a number", `{"Variable": "$.s", "StringEqualsPath": "$.n"}`, `{"s": "1", "n": 1}`, false},

		// StringMatches.
		{"matches wildcard", `{"Variable": "$.s", "StringMatches": "log-*.txt"}`, `{"s": "log-2024.txt"}`, true},
		{"matches empty run", `{"Variable": "$.s", "StringMatches": "log-*.txt"}`, `{"s": "log-.txt"}`, true},
		{"no match", `{"Variable": "$.s", "StringMatches": "log-*.txt"}`, `{"s": "log-1.csv"}`, false},
		{"escaped star is literal", `{"Variable": "$.s", "StringMatches": "a\\*b"}`, `{"s": "a*b"}`, true},
		{"escaped star does not wildcard", `{"Variable": "$.s", "StringMatches": "a\\*b"}`, `{"s": "axb"}`, false},
		{"escaped backslash", `{"Variable": "$.s", "StringMatches": "a\\\\*"}`, `{"s": "a\\xyz"}`, true},
		{"matches, not a string", `{"Variable": "$.s", "StringMatches": "*"}`, `{"s": 1}`, false},

		// Booleans.
		{"boolean equals", `{"Variable": "$.b", "BooleanEquals": false}`, `{"b": false}`, true},
		{"boolean, not a bool", `{"Variable": "$.b", "BooleanEquals": false}`, `{"b": 0}`, false},
		{"boolean path", `{"Variable": "$.b", "BooleanEqualsPath": "$.c"}`, `{"b": true, "c": true}`, true},
		{"boolean path to null", `{"Variable": "$.b", "BooleanEqualsPath": "$.c"}`, `{"b": true, "c": null}`, false},

		// Timestamps compare as instants.
		{"timestamp equals across offsets", `{"Variable": "$.t", "TimestampEquals": "2012-10-09T19:00:55Z"}`, `{"t": "2012-10-09T20:00:55+01:00"}`, true},
		{"timestamp less than", `{"Variable": "$.t", "TimestampLessThan": "2012-10-09T19:00:56Z"}`, `{"t": "2012-10-09T19:00:55Z"}`, true},
		{"timestamp fraction", `{"Variable": "$.t", "TimestampGreaterThan": "2012-10-09T19:00:55Z"}`, `{"t": "2012-10-09T19:00:55.001Z"}`, true},
		{"timestamp less than equals", `{"Variable": "$.t", "TimestampLessThanEquals": "2012-10-09T19:00:55Z"}`, `{"t": "2012-10-09T19:00:55.000Z"}`, true},
		{"timestamp greater than equals", `{"Variable": "$.t", "TimestampGreaterThanEquals": "2012-10-09T19:00:55Z"}`, `{"t": "2012-10-09T19:00:54Z"}`, false},
		{"timestamp without offset", `{"Variable": "$.t", "TimestampLessThan": "2099-01-01T00:00:00Z"}`, `{"t": "2012-10-09T19:00:55"}`, false},
		{"timestamp, a date", `{"Variable": "$.t", "TimestampLessThan": "2099-01-01T00:00:00Z"}`, `{"t": "2023-02-24"}`, false},
		{"timestamp, a number", `{"Variable": "$.t", "TimestampLessThan": "2099-01-01T00:00:00Z"}`, `{"t": 0}`, false},
		{"timestamp path to context", `{"Variable": "$.t", "TimestampLessThanPath": "$$.Execution.StartTime"}`, `{"t": "2023-12-31T23:59:59Z"}`, true},
		{"timestamp path to a bad timestamp", `{"Variable": "$.t", "TimestampEqualsPath": "$.u"}`, `{"t": "2023-12-31T23:59:59Z", "u": "2023-12-31"}`, false},

		// Type tests.
		{"is null", `{"Variable": "$.x", "IsNull": true}`, `{"x": null}`, true},
		{"is null, false", `{"Variable": "$.x", "IsNull": false}`, `{"x": 0}`, true},
		{"is present", `{"Variable": "$.x", "IsPresent": true}`, `{"x": null}`, true},
		{"is present, missing", `{"Variable": "$.x", "IsPresent": true}`, `{}`, false},
		{"is present false, missing", `{"Variable": "$.x", "IsPresent": false}`, `{}`, true},
		{"is present, missing deep", `{"Variable": "$.x.y[3]", "IsPresent": false}`, `{"x": 1}`, true},
		{"is present, undefined variable", `{"Variable": "$nope", "IsPresent": true}`, `{}`, false},
		{"is numeric", `{"Variable": "$.x", "IsNumeric": true}`, `{"x": 1.5}`, true},
		{"is numeric, a numeric string", `{"Variable": "$.x", "IsNumeric": true}`, `{"x": "1"}`, false},
		{"is string", `{"Variable": "$.x", "IsString": true}`, `{"x": ""}`, true},
		{"is string, null", `{"Variable": "$.x", "IsString": false}`, `{"x": null}`, true},
		{"is boolean", `{"Variable": "$.x", "IsBoolean": true}`, `{"x": false}`, true},
		{"is boolean, a string", `{"Variable": "$.x", "IsBoolean": true}`, `{"x": "true"}`, false},
		{"is timestamp", `{"Variable": "$.x", "IsTimestamp": true}`, `{"x": "2012-10-09T19:00:55+01:00"}`, true},
		{"is timestamp, no offset", `{"Variable": "$.x", "IsTimestamp": true}`, `{"x": "2012-10-09T19:00:55"}`, false},
		{"is timestamp, a number", `{"Variable": "$.x", "IsTimestamp": false}`, `{"x": 1}`, true},

		// Whole input, Context and variables.
		{"whole input", `{"Variable": "$", "StringEquals": "x"}`, `"x"`, true},
		{"context", `{"Variable": "$$.Execution.Name", "StringEquals": "e1"}`, `{}`, true},
		{"variable", `{"Variable": "$limit", "NumericEquals": 10}`, `{}`, true},
		{"variable member", `{"Variable": "$name", "StringMatches": "b*"}`, `{}`, true},

		// Combinators.
		{"and", `{"And": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.a", "NumericEquals": 1}]}`, `{"a": 1}`, true},
		{"and short-circuits", `{"And": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$.a", "NumericEquals": 1}]}`, `{}`, false},
		{"or", `{"Or": [{"Variable": "$.a", "NumericEquals": 2}, {"Variable": "$.a", "NumericEquals": 1}]}`, `{"a": 1}`, true},
		{"or short-circuits", `{"Or": [{"Variable": "$.a", "IsPresent": false}, {"Variable": "$.a", "NumericEquals": 1}]}`, `{}`, true},
		{"or, none", `{"Or": [{"Variable": "$.a", "NumericEquals": 2}]}`, `{"a": 1}`, false},
		{"not", `{"Not": {"Variable": "$.type", "StringEquals": "Private"}}`, `{"type": "Public"}`, true},
		{"not not", `{"Not": {"Not": {"Variable": "$.a", "IsNull": true}}}`, `{"a": null}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mustParse(t, tt.rule).Eval(scope(t, tt.input))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEvalInvalidPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rule  string
		input string
		cause string
	}{
		{"missing variable", `{"Variable": "$.value", "NumericEquals": 42}`, `{}`,
			"Invalid path '$.value': The choice state's condition path references an invalid value."},
		{"missing deep variable", `{"Variable": "$.a.b", "StringEquals": "x"}`, `{"a": "not an object"}`,
			"Invalid path '$.a.b': The choice state's condition path references an invalid value."},
		{"is null on a missing path", `{"Variable": "$.x", "IsNull": true}`, `{}`,
			"Invalid path '$.x': The choice state's condition path references an invalid value."},
		{"undefined workflow variable", `{"Variable": "$undefinedVariable", "StringEquals": "value"}`, `{}`,
			"Invalid path '$undefinedVariable': The choice state's condition path references an invalid value."},
		{"missing context field", `{"Variable": "$$.Execution.Nope", "IsString": true}`, `{}`,
			"Invalid path '$$.Execution.Nope': The choice state's condition path references an invalid value."},
		{"missing path operand", `{"Variable": "$.left", "NumericLessThanPath": "$.right"}`, `{"left": 8}`,
			"Invalid path '$.right': The choice state's condition path references an invalid value."},
		{"missing path operand, wrong variable type", `{"Variable": "$.left", "NumericLessThanPath": "$.right"}`, `{"left": "8"}`,
			"Invalid path '$.right': The choice state's condition path references an invalid value."},
		{"error inside and", `{"And": [{"Variable": "$.a", "IsPresent": false}, {"Variable": "$.a", "BooleanEquals": true}]}`, `{}`,
			"Invalid path '$.a': The choice state's condition path references an invalid value."},
		{"error inside not", `{"Not": {"Variable": "$.a", "BooleanEquals": true}}`, `{}`,
			"Invalid path '$.a': The choice state's condition path references an invalid value."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mustParse(t, tt.rule).Eval(scope(t, tt.input))
			require.False(t, got)
			var ae *aslerr.Error
			require.ErrorAs(t, err, &ae)
			require.Equal(t, aslerr.Runtime, ae.Name)
			require.Equal(t, tt.cause, ae.Cause)
		})
	}
}

func TestFirst(t *testing.T) {
	t.Parallel()
	parseTop := func(src string) *choice.Rule {
		r, diags := choice.Parse(mustDecode(t, src), "/r", true)
		require.Empty(t, diags)
		return r
	}
	rules := []*choice.Rule{
		parseTop(`{"Next": "Public", "Not": {"Variable": "$.type", "StringEquals": "Private"}}`),
		parseTop(`{"Next": "ValueIsZero", "Variable": "$.value", "NumericEquals": 0}`),
		parseTop(`{"Next": "ValueInTwenties", "And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}]}`),
	}
	tests := []struct {
		input string
		want  string // "" for no match
		err   bool
	}{
		{`{"type": "Public"}`, "Public", false},
		{`{"type": "Private", "value": 0}`, "ValueIsZero", false},
		{`{"type": "Private", "value": 22}`, "ValueInTwenties", false},
		{`{"type": "Private", "value": 3}`, "", false},
		{`{"type": "Private"}`, "", true},
	}
	for _, tt := range tests {
		r, err := choice.First(rules, scope(t, tt.input))
		if tt.err {
			require.Error(t, err, tt.input)
			require.Nil(t, r)
			continue
		}
		require.NoError(t, err, tt.input)
		if tt.want == "" {
			require.Nil(t, r, tt.input)
			continue
		}
		require.Equal(t, tt.want, r.Next, tt.input)
	}
}

func TestEvalConcurrent(t *testing.T) {
	t.Parallel()
	r := mustParse(t, `{"Or": [{"Variable": "$.s", "StringMatches": "a*c"}, {"Variable": "$.t", "TimestampLessThan": "2020-01-01T00:00:00Z"}]}`)
	in := scope(t, `{"s": "abc", "t": "2019-01-01T00:00:00Z"}`)
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 1000 {
				got, err := r.Eval(in)
				ok = ok && got && err == nil
			}
			done <- ok
		}()
	}
	for range 8 {
		require.True(t, <-done)
	}
}
