package asl

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// literalExpr is a stand-in JSONata expression: a JSON literal.
type literalExpr struct{ v any }

func (x literalExpr) eval(map[string]any, *Context) (any, bool, error) { return x.v, true, nil }

// withLiteralJSONata links a stand-in JSONata engine whose expressions are
// JSON literals ("{% 3 %}" is 3) for the duration of a test. Tests using it
// must not run in parallel: the engine is package state.
func withLiteralJSONata(t *testing.T) {
	saved := compileJSONata
	compileJSONata = func(src string) (jsonataExpr, error) {
		v, err := DecodeJSON([]byte(src))
		return literalExpr{v}, err
	}
	t.Cleanup(func() { compileJSONata = saved })
}

// TestJSONataNumbers checks that the numeric fields of JSONata Map and Wait
// states accept an expression in place of a number.
func TestJSONataNumbers(t *testing.T) {
	withLiteralJSONata(t)

	m := mustCompile(t, `{"QueryLanguage":"JSONata","StartAt":"S","States":{
		"S":{"Type":"Map","End":true,"Items":"{% [1, 2] %}","MaxConcurrency":"{% 3 %}","ToleratedFailureCount":"{% 1 %}","ToleratedFailurePercentage":"{% 50 %}",
			"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Succeed"}}}}}}`)
	s, _ := m.State("S")
	r := requireRunMap(t, Step(s, map[string]any{}, newContext("S")))
	require.Equal(t, []any{int64(1), int64(2)}, r.Items)
	require.Equal(t, 3, r.MaxConcurrency)
	require.Equal(t, 1, r.ToleratedFailureCount)
	require.Equal(t, 50.0, r.ToleratedFailurePercentage)

	m = mustCompile(t, `{"QueryLanguage":"JSONata","StartAt":"S","States":{"S":{"Type":"Wait","End":true,"Seconds":"{% 5 %}"}}}`)
	s, _ = m.State("S")
	o := Step(s, map[string]any{}, newContext("S"))
	require.Equal(t, WaitUntil{Until: enteredTime.Add(5 * time.Second), Then: Succeed{Output: map[string]any{}}}, o)
}

func TestJSONataValidation(t *testing.T) {
	withLiteralJSONata(t)
	tests := []struct {
		name string
		def  string
		want []string
	}{
		{name: "JSONPath fields in a JSONata state", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"InputPath":"$","ResultPath":"$.r"}}}`, want: []string{"/States/A/InputPath SCHEMA_VALIDATION_FAILED", "/States/A/ResultPath SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONPath state in a JSONata machine", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}}}`, want: []string{"/States/A/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "a number field holding a plain string", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Wait","End":true,"Seconds":"5"}}}`, want: []string{"/States/A/Seconds SCHEMA_VALIDATION_FAILED"}},
		{name: "an invalid expression", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Output":"{% [ %}"}}}`, want: []string{"/States/A/Output INVALID_VALUE"}},
		{name: "a valid JSONata machine", def: `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Output":{"x":"{% 1 %}","y":"{%1%} "}}}}`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, nilIfEmpty(found(Validate([]byte(tt.def)))), tt.name)
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
