package asl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jsonata"
)

// The JSONata query language in states: "{% ... %}" expressions anywhere
// in Arguments, Output, Assign, Items, ItemSelector, Condition and the
// other fields that take them, evaluated with the reserved variable
// $states and the workflow variables bound.

// jsonataExpr is a compiled JSONata expression. eval reports an undefined
// result as defined == false.
// Time ($now, $millis) and randomness ($random, $uuid) come from the
// state's Context, never from the wall clock or a global source.
type jsonataExpr interface {
	eval(bindings map[string]any, c *Context) (v any, defined bool, err error)
}

// errUnsupportedResult is what an engine returns for a result JSON cannot
// carry, such as a function.
var errUnsupportedResult = errors.New("unsupported result type")

// compileJSONata compiles one expression; nil while no JSONata engine is
// linked in, in which case JSONata states are rejected as not supported.
var compileJSONata func(src string) (jsonataExpr, error)

// queryLanguage is a state's query language.
type queryLanguage uint8

const (
	langJSONPath queryLanguage = iota
	langJSONata
)

func (q queryLanguage) String() string {
	if q == langJSONata {
		return "JSONata"
	}
	return "JSONPath"
}

// readQueryLanguage reads a QueryLanguage field, defaulting to def. A
// JSONata machine may not hold JSONPath states.
func readQueryLanguage(o *object, def queryLanguage, d *diag.List) queryLanguage {
	q, ok := o.str("QueryLanguage", false)
	if !ok {
		return def
	}
	switch q {
	case "JSONPath":
		if def == langJSONata {
			d.Add(o.at("QueryLanguage"), diag.SchemaValidationFailed, "a state may not use JSONPath when the state machine's QueryLanguage is JSONata")
		}
		return langJSONPath
	case "JSONata":
		if compileJSONata == nil {
			d.Add(o.at("QueryLanguage"), diag.Unsupported, "the JSONata query language is not supported yet")
		}
		return langJSONata
	}
	d.Add(o.at("QueryLanguage"), diag.InvalidValue, "QueryLanguage must be JSONPath or JSONata, got %q", q)
	return def
}

// expression returns the JSONata source of a "{% ... %}" string.
// The string must start with "{%" and end with "%}" exactly: anything
// else, leading or trailing white space included, is a literal string.
func expression(s string) (string, bool) {
	if len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}

// jtemplate is a JSON value of a JSONata state with expressions inside.
type jtemplate struct {
	kind  tnodeKind // tLiteral, tObject, tArray or tCall (an expression)
	lit   any
	keys  []string
	elems []*jtemplate
	expr  jsonataExpr
	src   string
	field string // "Output/result": where the expression stands, for errors
}

// compileJTemplate compiles v; field names it in error messages.
func compileJTemplate(v any, field, ptr string, d *diag.List) *jtemplate {
	switch x := v.(type) {
	case string:
		src, ok := expression(x)
		if !ok {
			return &jtemplate{kind: tLiteral, lit: x}
		}
		if compileJSONata == nil {
			d.Add(ptr, diag.Unsupported, "JSONata expressions are not supported yet")
			return &jtemplate{kind: tLiteral}
		}
		ex, err := compileJSONata(src)
		if err != nil {
			d.Add(ptr, diag.InvalidValue, "invalid JSONata expression %q: %v", src, err)
			return &jtemplate{kind: tLiteral}
		}
		return &jtemplate{kind: tCall, expr: ex, src: src, field: field}
	case map[string]any:
		n := &jtemplate{kind: tObject}
		dynamic := false
		for _, k := range sortedKeys(x) {
			c := compileJTemplate(x[k], field+"/"+k, diag.Pointer(ptr, k), d)
			dynamic = dynamic || c.kind != tLiteral
			n.keys = append(n.keys, k)
			n.elems = append(n.elems, c)
		}
		if !dynamic {
			return &jtemplate{kind: tLiteral, lit: x}
		}
		return n
	case []any:
		n := &jtemplate{kind: tArray}
		dynamic := false
		for i, e := range x {
			c := compileJTemplate(e, fmt.Sprintf("%s[%d]", field, i), diag.Pointer(ptr, i), d)
			dynamic = dynamic || c.kind != tLiteral
			n.elems = append(n.elems, c)
		}
		if !dynamic {
			return &jtemplate{kind: tLiteral, lit: x}
		}
		return n
	}
	return &jtemplate{kind: tLiteral, lit: v}
}

// jfield reads an optional field of a JSONata state as a template.
func jfield(o *object, key string, d *diag.List) *jtemplate {
	v, ok := o.get(key)
	if !ok {
		return nil
	}
	return compileJTemplate(v, key, o.at(key), d)
}

func (n *jtemplate) eval(e *env, b map[string]any) (any, error) {
	switch n.kind {
	case tLiteral:
		return n.lit, nil
	case tObject:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := n.elems[i].eval(e, b)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case tArray:
		a := make([]any, len(n.elems))
		for i, c := range n.elems {
			v, err := c.eval(e, b)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	}
	v, defined, err := n.expr.eval(b, e.ctx)
	if errors.Is(err, errUnsupportedResult) {
		return nil, stateErr(e.ctx, aslerr.QueryEvaluationError, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", n.src, n.field))
	}
	if err != nil {
		return nil, stateErr(e.ctx, aslerr.QueryEvaluationError, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation%s", n.src, n.field, evaluationError(err)))
	}
	if !defined {
		return nil, stateErr(e.ctx, aslerr.QueryEvaluationError, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", n.src, n.field))
	}
	return v, nil
}

// bindings builds what JSONata expressions of a state see: $states and the
// workflow variables.
func (e *env) bindings(input any, extra map[string]any) map[string]any {
	var b map[string]any
	if e.ctx.AllVars != nil {
		vars := e.ctx.AllVars()
		b = make(map[string]any, len(vars)+1)
		for k, v := range vars {
			b[k] = v
		}
	} else {
		b = make(map[string]any, 1)
	}
	states := map[string]any{"input": input, "context": e.ctx.Object()}
	for k, v := range extra {
		states[k] = v
	}
	b[reservedVariable] = states
	return b
}

// jtypeError is the error of an expression whose result has the wrong type.
func jtypeError(e *env, n *jtemplate, field, want string, v any) error {
	src := n.src
	if n.kind != tCall {
		src = EncodeJSON(v)
	}
	return stateErr(e.ctx, aslerr.QueryEvaluationError, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s", src, field, want, TypeName(v), EncodeJSON(v)))
}

// evalJAssign evaluates a JSONata Assign object.
func evalJAssign(e *env, t *jtemplate, b map[string]any) (map[string]any, error) {
	if t == nil {
		return nil, nil
	}
	v, err := t.eval(e, b)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// jsonataOutput evaluates a JSONata state's Assign and Output; def is the
// output when the state has no Output field.
func (b *Base) jsonataOutput(e *env, bind map[string]any, def any) (any, map[string]any, error) {
	vars, err := evalJAssign(e, b.JAssign, bind)
	if err != nil {
		return nil, nil, err
	}
	if b.Output == nil {
		return def, vars, nil
	}
	out, err := b.Output.eval(e, bind)
	return out, vars, err
}

// jexprOnly compiles a field when it holds a JSONata expression, marking
// it read; a field holding anything else is left to the caller.
func jexprOnly(o *object, key string, d *diag.List) *jtemplate {
	s, ok := o.m[key].(string)
	if !ok {
		return nil
	}
	if _, isExpr := expression(s); !isExpr {
		return nil
	}
	o.get(key)
	return compileJTemplate(s, key, o.at(key), d)
}

// rejectJSONataPaths reports the ...Path fields of a JSONata state, which
// AWS allows in JSONPath states only; use says what to write instead.
// They are marked read, so that they are reported once.
func rejectJSONataPaths(o *object, d *diag.List, use string, keys ...string) {
	for _, k := range keys {
		if o.has(k) {
			o.get(k)
			d.Add(o.at(k), diag.SchemaValidationFailed, "the field %q is not supported in a JSONata state: use %s", k, use)
		}
	}
}

// evalInt evaluates a numeric expression field to a whole number.
func evalInt(e *env, t *jtemplate, field string, bind map[string]any) (int64, error) {
	v, err := t.eval(e, bind)
	if err != nil {
		return 0, err
	}
	n, ok := AsInt(v)
	if !ok {
		return 0, jtypeError(e, t, field, "integer", v)
	}
	return n, nil
}

// evalIntIn is evalInt for a field whose number must be from lo to hi (hi
// 0: no upper bound). A number out of range is a query evaluation error in
// the words of the Wait state's Seconds: "The Seconds field must be a
// non-negative integer no greater than N, got -1"; every JSONata number
// field of a state words it alike (TimeoutSeconds, HeartbeatSeconds,
// MaxConcurrency, the ItemBatcher's), rather than running on with the
// value clamped or ignored.
func evalIntIn(e *env, t *jtemplate, field string, bind map[string]any, lo, hi int64) (int64, error) {
	n, err := evalInt(e, t, field, bind)
	if err != nil {
		return 0, err
	}
	if n >= lo && (hi == 0 || n <= hi) {
		return n, nil
	}
	what := "a non-negative integer"
	if lo > 0 {
		what = "a positive integer"
	}
	if hi > 0 {
		what += fmt.Sprintf(" no greater than %d", hi)
	}
	return 0, stateErr(e.ctx, aslerr.QueryEvaluationError, fmt.Sprintf("The %s field must be %s, got %d", field, what, n))
}

// evaluationError is how AWS ends the cause of a JSONata expression that
// failed: ". CODE: message" with jsonata-js's code and message, or
// ": message" for a failure without a code.
func evaluationError(err error) string {
	var je *jsonata.Error
	if errors.As(err, &je) && je.Code != "" {
		return ". " + je.Code + ": " + je.Message
	}
	return ": " + err.Error()
}
