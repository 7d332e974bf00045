package asl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// M2 item 1: QueryLanguage at the top level and per state, JSONPath by
// default; a JSONPath machine may hold JSONata states, a JSONata machine
// may not hold JSONPath states.

func TestQueryLanguageValidation(t *testing.T) {
	t.Parallel()
	branch := func(state string) string { return `{"StartAt":"B","States":{"B":` + state + `}}` }
	tests := []struct {
		name string
		def  string
		want []string
	}{
		{name: "default JSONPath", def: machine(`"A":{"Type":"Pass","End":true,"Parameters":{"x.$":"$.a"}}`)},
		{name: "explicit JSONPath machine", def: `{"QueryLanguage":"JSONPath","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"InputPath":"$"}}}`},
		{name: "JSONata machine", def: jmachine(`"A":{"Type":"Pass","End":true,"Output":"{% $states.input %}"}`)},
		{name: "JSONata state in a default machine", def: machine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONata","Output":"{% 1 %}"}`)},
		{name: "JSONata state in a JSONPath machine", def: `{"QueryLanguage":"JSONPath","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONata","Output":"{% 1 %}"}}}`},
		{name: "JSONata state beside JSONPath states", def: machine(`"A":{"Type":"Pass","Next":"B","QueryLanguage":"JSONata","Output":"{% 1 %}"},"B":{"Type":"Pass","End":true,"ResultPath":"$.r"}`)},
		{name: "JSONata state naming JSONata again in a JSONata machine", def: jmachine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONata"}`)},
		{name: "JSONPath state in a JSONata machine", def: jmachine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}`), want: []string{"/States/A/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONPath state inside a branch of a JSONata machine", def: jmachine(`"A":{"Type":"Parallel","End":true,"Branches":[` + branch(`{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}`) + `]}`), want: []string{"/States/A/Branches/0/States/B/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONPath state inside a processor of a JSONata machine", def: jmachine(`"A":{"Type":"Map","End":true,"ItemProcessor":` + branch(`{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}`) + `}`), want: []string{"/States/A/ItemProcessor/States/B/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "branch states of a JSONata machine default to JSONata", def: jmachine(`"A":{"Type":"Parallel","End":true,"Branches":[` + branch(`{"Type":"Pass","End":true,"InputPath":"$"}`) + `]}`), want: []string{"/States/A/Branches/0/States/B/InputPath SCHEMA_VALIDATION_FAILED"}},
		{name: "branch states of a JSONata Parallel in a JSONPath machine stay JSONPath", def: machine(`"A":{"Type":"Parallel","End":true,"QueryLanguage":"JSONata","Branches":[` + branch(`{"Type":"Pass","End":true,"InputPath":"$"}`) + `]}`)},
		{name: "QueryLanguage unknown at the top", def: `{"QueryLanguage":"jsonata","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, want: []string{"/QueryLanguage INVALID_VALUE"}},
		{name: "QueryLanguage unknown in a state", def: machine(`"A":{"Type":"Succeed","QueryLanguage":"XPath"}`), want: []string{"/States/A/QueryLanguage INVALID_VALUE"}},
		{name: "QueryLanguage not a string", def: machine(`"A":{"Type":"Succeed","QueryLanguage":1}`), want: []string{"/States/A/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "QueryLanguage in a branch's top level", def: machine(`"A":{"Type":"Parallel","End":true,"Branches":[{"QueryLanguage":"JSONata","StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`), want: []string{"/States/A/Branches/0/QueryLanguage SCHEMA_VALIDATION_FAILED"}},
		{name: "JSONata fields in a JSONPath state", def: machine(`"A":{"Type":"Task","Resource":"r","End":true,"Arguments":{},"Output":{}}`), want: []string{"/States/A/Arguments SCHEMA_VALIDATION_FAILED", "/States/A/Output SCHEMA_VALIDATION_FAILED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, nilIfEmpty(found(Validate([]byte(tt.def)))))
		})
	}
}

func TestQueryLanguageMessages(t *testing.T) {
	t.Parallel()
	require.Equal(t, "SCHEMA_VALIDATION_FAILED: a state may not use JSONPath when the state machine's QueryLanguage is JSONata",
		diagnostic(t, jmachine(`"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONPath"}`), "/States/A/QueryLanguage"))
	require.Equal(t, `INVALID_VALUE: QueryLanguage must be JSONPath or JSONata, got "jsonata"`,
		diagnostic(t, `{"QueryLanguage":"jsonata","StartAt":"A","States":{"A":{"Type":"Succeed"}}}`, "/QueryLanguage"))
}

// TestQueryLanguageSelectsEvaluation checks that the query language, not
// the look of a string, decides how a value is read: "{% %}" is a literal
// in a JSONPath state and "$.x" is a literal in a JSONata state.
func TestQueryLanguageSelectsEvaluation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, output string
	}{
		{
			name:   "JSONPath by default: {% %} is a literal",
			def:    machine(`"A":{"Type":"Pass","End":true,"Parameters":{"x":"{% 1 + 1 %}","y.$":"$.a"}}`),
			output: `{"x":"{% 1 + 1 %}","y":1}`,
		},
		{
			name:   "JSONata machine: expressions are evaluated, paths are literals",
			def:    jmachine(`"A":{"Type":"Pass","End":true,"Output":{"x":"{% 1 + 1 %}","y":"$.a"}}`),
			output: `{"x":2,"y":"$.a"}`,
		},
		{
			name:   "a JSONata state in a JSONPath machine",
			def:    `{"QueryLanguage":"JSONPath","StartAt":"A","States":{"A":{"Type":"Pass","End":true,"QueryLanguage":"JSONata","Output":{"x":"{% $states.input.a * 10 %}"}}}}`,
			output: `{"x":10}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := mustCompile(t, tt.def)
			s, _ := m.State("A")
			o := Step(s, map[string]any{"a": int64(1)}, newContext("A"))
			succeed, ok := o.(Succeed)
			require.True(t, ok, "%#v", o)
			requireJSON(t, tt.output, succeed.Output)
		})
	}
}

// TestQueryLanguageMixedFlow passes data from a JSONata state to a
// JSONPath state and back, each reading the other's output as its input.
func TestQueryLanguageMixedFlow(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, `{"StartAt":"A","States":{
		"A":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"n":"{% $states.input.n + 1 %}"},"Next":"B"},
		"B":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)"},"Next":"C"},
		"C":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.n * 100 %}","End":true}}}`)
	in := any(map[string]any{"n": int64(1)})
	for _, name := range []string{"A", "B", "C"} {
		s, _ := m.State(name)
		switch o := Step(s, in, newContext(name)).(type) {
		case Next:
			in = o.Output
		case Succeed:
			in = o.Output
		default:
			t.Fatalf("state %s: %#v", name, o)
		}
	}
	require.Equal(t, int64(300), in)
}
