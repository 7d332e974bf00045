package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// M2 item 3: the reserved variable $states. input and context everywhere;
// result only in the Output and Assign of Task, Parallel and Map;
// errorOutput only in a Catch. Where a field is absent, referencing it is
// undefined, which fails the state with AWS's "returned nothing" message
// naming the field.

// how a test drives the state S.
type drive int

const (
	byStep     drive = iota // Step on the input
	byComplete              // Complete with the result {"r":1}
	byCatch                 // HandleError with the error Boom, caught
)

// run drives the JSONata state S and returns what it decided.
func (d drive) run(t *testing.T, state string) Outcome {
	t.Helper()
	s := jstateOf(t, state)
	in := decode(t, `{"in":1}`)
	c := newContext("S")
	switch d {
	case byComplete:
		return Complete(s, in, decode(t, `{"r":1}`), c)
	case byCatch:
		return HandleError(s, in, &aslerr.Error{Name: "Boom", Cause: "why"}, c)
	}
	return Step(s, in, c)
}

// withExpr builds a state from a template holding %s where the expression
// goes.
func withExpr(tmpl, expr string) string {
	out := ""
	for i := 0; i < len(tmpl); i++ {
		if i+1 < len(tmpl) && tmpl[i] == '%' && tmpl[i+1] == 's' {
			out += "{% " + expr + " %}"
			i++
			continue
		}
		out += string(tmpl[i])
	}
	return out
}

func TestStatesVariable(t *testing.T) {
	t.Parallel()
	const catch = `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T",`
	places := []struct {
		name  string
		state string // %s is where the expression goes
		drive drive
		field string // the field's name in AWS's messages
		has   []string
	}{
		{name: "Pass Output", state: `{"Type":"Pass","Next":"T","Output":"%s"}`, field: "Output", has: []string{"input", "context"}},
		{name: "Pass Assign", state: `{"Type":"Pass","Next":"T","Assign":{"v":"%s"}}`, field: "Assign/v", has: []string{"input", "context"}},
		{name: "Task Arguments", state: `{"Type":"Task","Resource":"r","End":true,"Arguments":{"FunctionName":"%s"}}`, field: "Arguments/FunctionName", has: []string{"input", "context"}},
		{name: "Task TimeoutSeconds", state: `{"Type":"Task","Resource":"r","End":true,"TimeoutSeconds":"%s"}`, field: "TimeoutSeconds", has: []string{"input", "context"}},
		{name: "Task Output", state: `{"Type":"Task","Resource":"r","Next":"T","Output":"%s"}`, drive: byComplete, field: "Output", has: []string{"input", "context", "result"}},
		{name: "Task Assign", state: `{"Type":"Task","Resource":"r","Next":"T","Assign":{"v":"%s"}}`, drive: byComplete, field: "Assign/v", has: []string{"input", "context", "result"}},
		{name: "Parallel Arguments", state: `{"Type":"Parallel","End":true,"Arguments":"%s","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`, field: "Arguments", has: []string{"input", "context"}},
		{name: "Parallel Output", state: `{"Type":"Parallel","Next":"T","Output":"%s","Branches":[{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}]}`, drive: byComplete, field: "Output", has: []string{"input", "context", "result"}},
		{name: "Map Items", state: `{"Type":"Map","End":true,` + proc + `,"Items":["%s"]}`, field: "Items[0]", has: []string{"input", "context"}},
		{name: "Map ItemSelector", state: `{"Type":"Map","End":true,` + proc + `,"Items":[1],"ItemSelector":{"x":"%s"}}`, field: "ItemSelector/x", has: []string{"input", "context"}},
		{name: "Map Assign", state: `{"Type":"Map","Next":"T",` + proc + `,"Assign":{"v":"%s"}}`, drive: byComplete, field: "Assign/v", has: []string{"input", "context", "result"}},
		{name: "Choice Condition", state: `{"Type":"Choice","Choices":[{"Condition":"%s","Next":"T"}],"Default":"T"}`, field: "Condition", has: []string{"input", "context"}},
		{name: "Choice Output", state: `{"Type":"Choice","Choices":[{"Condition":"{% false %}","Next":"T"}],"Default":"T","Output":"%s"}`, field: "Output", has: []string{"input", "context"}},
		{name: "Wait Seconds", state: `{"Type":"Wait","Next":"T","Seconds":"%s"}`, field: "Seconds", has: []string{"input", "context"}},
		{name: "Succeed Output", state: `{"Type":"Succeed","Output":"%s"}`, field: "Output", has: []string{"input", "context"}},
		{name: "Fail Cause", state: `{"Type":"Fail","Cause":"%s"}`, field: "Cause", has: []string{"input", "context"}},
		{name: "Catch Output", state: catch + `"Output":"%s"}]}`, drive: byCatch, field: "Output", has: []string{"input", "context", "errorOutput"}},
		{name: "Catch Assign", state: catch + `"Assign":{"v":"%s"}}]}`, drive: byCatch, field: "Assign/v", has: []string{"input", "context", "errorOutput"}},
	}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for _, field := range []string{"input", "context", "result", "errorOutput"} {
				// A numeric-valued probe, so that every place accepts it:
				// Seconds and TimeoutSeconds need an integer, Condition a
				// boolean, Fail's Cause a string.
				expr := "$exists($states." + field + ") ? 1 : 1"
				switch p.field {
				case "Condition":
					expr = "$exists($states." + field + ")"
				case "Cause":
					expr = "$string($exists($states." + field + "))"
				}
				// The probe succeeds everywhere; the direct reference fails
				// exactly where the field is absent.
				require.NotEqual(t, aslerr.QueryEvaluationError, failName(p.drive.run(t, withExpr(p.state, expr))), "%s: probe for %s", p.name, field)
				o := p.drive.run(t, withExpr(p.state, "$states."+field))
				present := contains(p.has, field)
				if present {
					// Typed fields may reject the value's type, but it
					// is there.
					f, _ := o.(Fail)
					require.NotContains(t, f.Cause, "returned nothing", "%s: $states.%s should be defined", p.name, field)
					continue
				}
				requireQueryError(t, o, undefinedCause("$states."+field, p.field))
			}
		})
	}
}

// failName is the error of a Fail outcome, "" for any other outcome.
func failName(o Outcome) string {
	if f, ok := o.(Fail); ok {
		return f.Error
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestStatesValues checks what each field of $states holds.
func TestStatesValues(t *testing.T) {
	t.Parallel()
	t.Run("input is the raw state input, also in Output after a result", func(t *testing.T) {
		t.Parallel()
		s := jstateOf(t, `{"Type":"Task","Resource":"r","End":true,"Arguments":{"a":"{% $states.input %}"},"Output":{"in":"{% $states.input %}","res":"{% $states.result %}"}}`)
		require.Equal(t, map[string]any{"a": map[string]any{"in": int64(1)}}, Step(s, decode(t, `{"in":1}`), newContext("S")).(CallTask).Parameters)
		requireJSON(t, `{"in":{"in":1},"res":[1]}`, Complete(s, decode(t, `{"in":1}`), []any{int64(1)}, newContext("S")).(Succeed).Output)
	})
	t.Run("context is the Context object", func(t *testing.T) {
		t.Parallel()
		o := jstep(t, `{"Type":"Pass","End":true,"Output":"{% $states.context %}"}`, `{}`)
		requireJSON(t, EncodeJSON(newContext("S").Object()), o.(Succeed).Output)
	})
	t.Run("context inside a Map iteration has Map.Item", func(t *testing.T) {
		t.Parallel()
		c := newContext("S")
		c.InMap, c.MapItemIndex, c.MapItemValue = true, 3, "v"
		o := Step(jstateOf(t, `{"Type":"Pass","End":true,"Output":"{% $states.context.Map.Item %}"}`), decode(t, `{}`), c)
		requireJSON(t, `{"Index":3,"Value":"v"}`, o.(Succeed).Output)
	})
	t.Run("a Map's own Output sees no Map.Item", func(t *testing.T) {
		t.Parallel()
		s := jstateOf(t, `{"Type":"Map","End":true,`+proc+`,"Output":"{% $states.context.Map %}"}`)
		requireQueryError(t, Complete(s, decode(t, `[]`), []any{}, newContext("S")), undefinedCause("$states.context.Map", "Output"))
	})
	t.Run("errorOutput is the error and its cause", func(t *testing.T) {
		t.Parallel()
		s := jstateOf(t, `{"Type":"Task","Resource":"r","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"T","Output":"{% $states.errorOutput %}"}]}`)
		o := HandleError(s, decode(t, `{}`), &aslerr.Error{Name: "E", Cause: "C"}, newContext("S"))
		requireNext(t, o, "T", `{"Error":"E","Cause":"C"}`)
	})
}
