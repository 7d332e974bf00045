package choice_test

import (
	"testing"

	"github.com/ohler55/ojg/oj"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/diag"
)

// mustDecode decodes JSON text as the runtime does.
func mustDecode(t testing.TB, src string) any {
	t.Helper()
	v, err := oj.ParseString(src)
	require.NoError(t, err, src)
	return v
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		top  bool
		want string
	}{
		{"string equals", `{"Variable": "$.s", "StringEquals": "a\"b", "Next": "X"}`, true, `StringEquals($.s, "a\"b") -> X`},
		{"string less than path", `{"Variable": "$.s", "StringLessThanPath": "$.t", "Next": "X"}`, true, `StringLessThanPath($.s, $.t) -> X`},
		{"string matches", `{"Variable": "$.s", "StringMatches": "log-*.txt", "Next": "X"}`, true, `StringMatches($.s, "log-*.txt") -> X`},
		{"numeric int", `{"Variable": "$.n", "NumericEquals": 1, "Next": "X"}`, true, `NumericEquals($.n, 1) -> X`},
		{"numeric float", `{"Variable": "$.n", "NumericGreaterThanEquals": 2.5, "Next": "X"}`, true, `NumericGreaterThanEquals($.n, 2.5) -> X`},
		{"numeric path", `{"Variable": "$.n", "NumericLessThanPath": "$.m", "Next": "X"}`, true, `NumericLessThanPath($.n, $.m) -> X`},
		{"boolean", `{"Variable": "$.b", "BooleanEquals": false, "Next": "X"}`, true, `BooleanEquals($.b, false) -> X`},
		{"boolean path to variable", `{"Variable": "$guess", "BooleanEqualsPath": "$answer", "Next": "X"}`, true, `BooleanEqualsPath($guess, $answer) -> X`},
		{"timestamp", `{"Variable": "$.t", "TimestampLessThan": "2016-08-18T17:33:00Z", "Next": "X"}`, true, `TimestampLessThan($.t, "2016-08-18T17:33:00Z") -> X`},
		{"timestamp with offset", `{"Variable": "$.t", "TimestampEquals": "2016-08-18T17:33:00.5+01:00", "Next": "X"}`, true, `TimestampEquals($.t, "2016-08-18T17:33:00.5+01:00") -> X`},
		{"timestamp path", `{"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$$.Execution.StartTime", "Next": "X"}`, true, `TimestampGreaterThanEqualsPath($.t, $$.Execution.StartTime) -> X`},
		{"is present", `{"Variable": "$.x", "IsPresent": false, "Next": "X"}`, true, `IsPresent($.x, false) -> X`},
		{"is timestamp", `{"Variable": "$", "IsTimestamp": true, "Next": "X"}`, true, `IsTimestamp($, true) -> X`},
		{"context variable", `{"Variable": "$$.Map.Item.Index", "NumericEquals": 0, "Next": "X"}`, true, `NumericEquals($$.Map.Item.Index, 0) -> X`},
		{"indefinite variable", `{"Variable": "$.items[*].id", "IsPresent": true, "Next": "X"}`, true, `IsPresent($.items[*].id, true) -> X`},
		{
			"and, or, not, comments",
			`{"Comment": "c", "Next": "X", "And": [
				{"Comment": "nested comments are allowed", "Variable": "$.a", "IsPresent": true},
				{"Or": [{"Variable": "$.a", "NumericLessThan": 0}, {"Not": {"Variable": "$.a", "NumericLessThan": 10}}]}
			]}`,
			true,
			`And(IsPresent($.a, true), Or(NumericLessThan($.a, 0), Not(NumericLessThan($.a, 10)))) -> X`,
		},
		{"nested rule has no Next", `{"Variable": "$.a", "IsNull": true}`, false, `IsNull($.a, true)`},
		{"assign at top level", `{"Variable": "$.a", "IsNull": true, "Assign": {"x": 1}, "Next": "X"}`, true, `IsNull($.a, true) -> X`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, diags := choice.Parse(mustDecode(t, tt.src), "/r", tt.top)
			require.Empty(t, diags)
			require.Equal(t, tt.want, r.String())
		})
	}
}

func TestParseKeepsNextCommentAssign(t *testing.T) {
	t.Parallel()
	r, diags := choice.Parse(mustDecode(t, `{"Variable": "$.a", "IsNull": true, "Next": "N", "Comment": "why", "Assign": {"x.$": "$.a"}}`), "/r", true)
	require.Empty(t, diags)
	require.Equal(t, "N", r.Next)
	require.Equal(t, "why", r.Comment)
	require.Equal(t, map[string]any{"x.$": "$.a"}, r.Assign)
	require.Equal(t, choice.IsNull, r.Operator())
}

// problem is a diagnostic without its message, which is free text.
type problem struct{ path, code string }

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	const (
		schema = diag.SchemaValidationFailed
		rule   = diag.InvalidChoiceRule
		path   = diag.InvalidJSONPath
		unsupp = diag.Unsupported
	)
	tests := []struct {
		name string
		src  string
		top  bool
		want []problem
	}{
		{"not an object", `[1]`, true, []problem{{"/r", schema}}},
		{"missing Next", `{"Variable": "$.a", "IsNull": true}`, true, []problem{{"/r", schema}}},
		{"empty Next", `{"Variable": "$.a", "IsNull": true, "Next": ""}`, true, []problem{{"/r/Next", schema}}},
		{"Next not a string", `{"Variable": "$.a", "IsNull": true, "Next": 3}`, true, []problem{{"/r/Next", schema}}},
		{"Next in nested rule", `{"Variable": "$.a", "IsNull": true, "Next": "X"}`, false, []problem{{"/r/Next", schema}}},
		{"Assign in nested rule", `{"Variable": "$.a", "IsNull": true, "Assign": {}}`, false, []problem{{"/r/Assign", schema}}},
		{"Assign not an object", `{"Variable": "$.a", "IsNull": true, "Assign": [], "Next": "X"}`, true, []problem{{"/r/Assign", schema}}},
		{"Comment not a string", `{"Variable": "$.a", "IsNull": true, "Comment": 1, "Next": "X"}`, true, []problem{{"/r/Comment", schema}}},
		{"no operator", `{"Variable": "$.a", "Next": "X"}`, true, []problem{{"/r", rule}}},
		{"two operators", `{"Variable": "$.a", "IsNull": true, "StringEquals": "x", "Next": "X"}`, true, []problem{{"/r", rule}}},
		{"two operators, both bad", `{"Variable": "$.a", "IsNull": 1, "StringEquals": 2, "Next": "X"}`, true, []problem{{"/r", rule}, {"/r/IsNull", schema}, {"/r/StringEquals", schema}}},
		{"unknown field", `{"Variable": "$.a", "IsNull": true, "Nxt": "X", "Next": "X"}`, true, []problem{{"/r/Nxt", schema}}},
		{"StringMatchesPath does not exist", `{"Variable": "$.a", "StringMatchesPath": "$.b", "Next": "X"}`, true, []problem{{"/r/StringMatchesPath", schema}, {"/r", rule}}},
		{"IsNullPath does not exist", `{"Variable": "$.a", "IsNullPath": "$.b", "Next": "X"}`, true, []problem{{"/r/IsNullPath", schema}, {"/r", rule}}},
		{"missing Variable", `{"NumericEquals": 1, "Next": "X"}`, true, []problem{{"/r", rule}}},
		{"Variable with And", `{"Variable": "$.a", "And": [{"Variable": "$.a", "IsNull": true}], "Next": "X"}`, true, []problem{{"/r/Variable", rule}}},
		{"Variable not a string", `{"Variable": 1, "IsNull": true, "Next": "X"}`, true, []problem{{"/r/Variable", schema}}},
		{"Variable not a path", `{"Variable": "a.b", "IsNull": true, "Next": "X"}`, true, []problem{{"/r/Variable", path}}},
		{"Variable bad syntax", `{"Variable": "$.a[", "IsNull": true, "Next": "X"}`, true, []problem{{"/r/Variable", path}}},
		{"path operand not a reference path", `{"Variable": "$.a", "NumericEqualsPath": "$.b[*]", "Next": "X"}`, true, []problem{{"/r/NumericEqualsPath", path}}},
		{"path operand not a string", `{"Variable": "$.a", "NumericEqualsPath": 1, "Next": "X"}`, true, []problem{{"/r/NumericEqualsPath", schema}}},
		{"numeric wants a number", `{"Variable": "$.a", "NumericEquals": "1", "Next": "X"}`, true, []problem{{"/r/NumericEquals", schema}}},
		{"string wants a string", `{"Variable": "$.a", "StringLessThan": 1, "Next": "X"}`, true, []problem{{"/r/StringLessThan", schema}}},
		{"matches wants a string", `{"Variable": "$.a", "StringMatches": null, "Next": "X"}`, true, []problem{{"/r/StringMatches", schema}}},
		{"boolean wants a boolean", `{"Variable": "$.a", "BooleanEquals": "true", "Next": "X"}`, true, []problem{{"/r/BooleanEquals", schema}}},
		{"type test wants a boolean", `{"Variable": "$.a", "IsPresent": 1, "Next": "X"}`, true, []problem{{"/r/IsPresent", schema}}},
		{"timestamp wants a string", `{"Variable": "$.a", "TimestampEquals": 1, "Next": "X"}`, true, []problem{{"/r/TimestampEquals", schema}}},
		{"timestamp wants an offset", `{"Variable": "$.a", "TimestampEquals": "2016-08-18T17:33:00", "Next": "X"}`, true, []problem{{"/r/TimestampEquals", schema}}},
		{"timestamp wants a real date", `{"Variable": "$.a", "TimestampEquals": "2023-02-29T00:00:00Z", "Next": "X"}`, true, []problem{{"/r/TimestampEquals", schema}}},
		{"And not an array", `{"And": {}, "Next": "X"}`, true, []problem{{"/r/And", schema}}},
		{"And empty", `{"And": [], "Next": "X"}`, true, []problem{{"/r/And", schema}}},
		{"Or element not an object", `{"Or": [{"Variable": "$.a", "IsNull": true}, 3], "Next": "X"}`, true, []problem{{"/r/Or/1", schema}}},
		{"Not not an object", `{"Not": [], "Next": "X"}`, true, []problem{{"/r/Not", schema}}},
		{"nested Next", `{"Not": {"Variable": "$.a", "IsNull": true, "Next": "X"}, "Next": "X"}`, true, []problem{{"/r/Not/Next", schema}}},
		{
			"every nested problem",
			`{"And": [{"Variable": "$.a"}, {"Or": [{"Variable": "$.a", "NumericEquals": "x"}]}, {"Not": {"StringEquals": "x"}}], "Next": "X"}`,
			true,
			[]problem{{"/r/And/0", rule}, {"/r/And/1/Or/0/NumericEquals", schema}, {"/r/And/2/Not", rule}},
		},
		{"JSONata Condition", `{"Condition": "{% $x %}", "Next": "X"}`, true, []problem{{"/r/Condition", unsupp}}},
		{"escaped pointer", `{"Variable": "$.a", "IsNull": true, "a/b": 1, "Next": "X"}`, true, []problem{{"/r/a~1b", schema}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, diags := choice.Parse(mustDecode(t, tt.src), "/r", tt.top)
			require.Nil(t, r)
			got := make([]problem, len(diags))
			for i, d := range diags {
				got[i] = problem{d.Path, d.Code}
				require.NotEmpty(t, d.Message)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseMessages(t *testing.T) {
	t.Parallel()
	_, diags := choice.Parse(mustDecode(t, `{"Variable": "$.a", "NumericEquals": "1", "Next": "X"}`), "/States/C/Choices/0", true)
	require.Equal(t, "/States/C/Choices/0/NumericEquals: SCHEMA_VALIDATION_FAILED: field 'NumericEquals' must be a number, not a string", diags[0].String())
	_, diags = choice.Parse(mustDecode(t, `{"Variable": "$.a", "IsNull": true, "StringEquals": "x", "Next": "X"}`), "/c", true)
	require.Equal(t, "/c: INVALID_CHOICE_RULE: a Choice rule must have exactly one operator; it has 2: IsNull, StringEquals", diags[0].String())
}
