package asl

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
)

// Kind is a state's Type.
type Kind string

// The state kinds: a closed set, one type and one file each.
const (
	KindPass     Kind = "Pass"
	KindTask     Kind = "Task"
	KindChoice   Kind = "Choice"
	KindWait     Kind = "Wait"
	KindSucceed  Kind = "Succeed"
	KindFail     Kind = "Fail"
	KindParallel Kind = "Parallel"
	KindMap      Kind = "Map"
)

// State is one compiled state of a machine.
type State interface {
	Name() string
	Kind() Kind
	base() *Base
	// enter runs the state on its raw input.
	enter(e *env) Outcome
}

// Base holds the fields every state kind may have. Kinds that do not allow
// a field leave it at its zero value (the parser rejects it).
type Base struct {
	name    string
	kind    Kind
	Comment string
	// Next is the state that follows; End is set for a terminal state.
	Next string
	End  bool
	next State // the state Next names, once the machine is compiled

	InputPath  inputPath
	OutputPath inputPath
	ResultPath resultPath
	Parameters *Template // also ItemSelector for Map
	Selector   *Template // ResultSelector
	Retry      []*Retrier
	Catch      []*Catcher
	Assign     *Template

	// The query language of the state, and of the machine around it.
	lang, machineLang queryLanguage
	// JSONata states: Arguments (Task, Parallel), Output and Assign.
	Arguments *jtemplate
	Output    *jtemplate
	JAssign   *jtemplate
}

// Name returns the state's name.
func (b *Base) Name() string { return b.name }

// Kind returns the state's type.
func (b *Base) Kind() Kind { return b.kind }

func (b *Base) base() *Base { return b }

// then is the outcome that moves on from this state with output,
// assigning vars.
func (b *Base) then(output any, vars map[string]any) Outcome {
	if b.End {
		return Succeed{Output: output, Assign: vars}
	}
	return Next{State: b.Next, Output: output, Assign: vars}
}

// inputPath is an InputPath or OutputPath: the zero value is "$", null
// gives the empty object.
type inputPath struct {
	path  *jpath.Path
	null  bool
	field string
}

func parseInputPath(o *object, key string, d *diag.List) inputPath {
	v, ok := o.get(key)
	if !ok {
		return inputPath{field: key}
	}
	if v == nil {
		return inputPath{null: true, field: key}
	}
	s, isStr := v.(string)
	if !isStr {
		d.Add(o.at(key), diag.SchemaValidationFailed, "%s must be a string or null", key)
		return inputPath{field: key}
	}
	p, err := jpath.Compile(s)
	if err != nil {
		d.Add(o.at(key), diag.InvalidJSONPath, "%v", err)
		return inputPath{field: key}
	}
	if s == "$" {
		return inputPath{field: key}
	}
	return inputPath{path: p, field: key}
}

// apply selects the part of v that the path names.
func (p inputPath) apply(e *env, v any) (any, error) {
	switch {
	case p.null:
		return map[string]any{}, nil
	case p.path == nil:
		return v, nil
	}
	saved := e.input
	e.input = v
	out, ok := p.path.Get(e.scope())
	var err error
	if !ok {
		err = e.runtimeErr("Invalid path '%s' : %s", p.path.String(), p.path.NotFound(e.scope()))
	}
	e.input = saved
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parseCommon reads the fields shared by all kinds that allow them.
type fields uint16

const (
	fNext fields = 1 << iota
	fInputPath
	fOutputPath
	fResultPath
	fParameters
	fResultSelector
	fRetryCatch
	fAssign
	fArguments // JSONata: Task and Parallel
	fOutput    // JSONata: every kind but Fail
)

// jsonPathOnly are the fields a JSONata state may not have.
var jsonPathOnly = []string{"InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector"}

func parseBase(b *Base, o *object, allowed fields, d *diag.List) {
	b.Comment, _ = o.str("Comment", false)
	if b.lang == langJSONata {
		parseJSONataBase(b, o, allowed, d)
		return
	}
	parseNext(b, o, allowed, d)
	if allowed&fInputPath != 0 {
		b.InputPath = parseInputPath(o, "InputPath", d)
	}
	if allowed&fOutputPath != 0 {
		b.OutputPath = parseInputPath(o, "OutputPath", d)
	}
	if allowed&fResultPath != 0 {
		b.ResultPath = parseResultPath(o, d)
	}
	if allowed&fParameters != 0 {
		if v, ok := o.get("Parameters"); ok {
			b.Parameters = compileTemplate(v, o.at("Parameters"), d)
		}
	}
	if allowed&fResultSelector != 0 {
		if v, ok := o.get("ResultSelector"); ok {
			b.Selector = compileTemplate(v, o.at("ResultSelector"), d)
		}
	}
	if allowed&fAssign != 0 {
		b.Assign = parseAssign(o, d)
	}
	if allowed&fRetryCatch != 0 {
		b.Retry = parseRetry(o, d)
		b.Catch = parseCatch(o, b.lang, d)
	}
}

func parseNext(b *Base, o *object, allowed fields, d *diag.List) {
	if allowed&fNext != 0 {
		next, hasNext := o.str("Next", false)
		end, hasEnd := o.boolean("End")
		switch {
		case hasNext && hasEnd && end:
			d.Add(o.at("End"), diag.SchemaValidationFailed, "a state may not have both Next and End")
		case !hasNext && !end:
			d.Add(o.ptr, diag.MissingNextOrEnd, "the state %q needs either Next or \"End\": true", b.name)
		}
		if hasNext && next == "" {
			d.Add(o.at("Next"), diag.MissingTransition, "Next may not be empty")
		}
		b.Next, b.End = next, end && !hasNext
	}
}

// parseJSONataBase reads the shared fields of a JSONata state.
func parseJSONataBase(b *Base, o *object, allowed fields, d *diag.List) {
	parseNext(b, o, allowed, d)
	for _, k := range jsonPathOnly {
		if o.has(k) {
			o.get(k)
			d.Add(o.at(k), diag.SchemaValidationFailed, "the field %q is not supported in a JSONata state: use Arguments, Output and Assign", k)
		}
	}
	if allowed&fArguments != 0 {
		b.Arguments = jfield(o, "Arguments", d)
	}
	if allowed&fOutput != 0 {
		b.Output = jfield(o, "Output", d)
	}
	if allowed&fAssign != 0 {
		b.JAssign = parseJAssign(o, d)
	}
	if allowed&fRetryCatch != 0 {
		b.Retry = parseRetry(o, d)
		b.Catch = parseCatch(o, b.lang, d)
	}
}

func parseJAssign(o *object, d *diag.List) *jtemplate {
	v, ok := o.get("Assign")
	if !ok {
		return nil
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		d.Add(o.at("Assign"), diag.SchemaValidationFailed, "Assign must be an object, got %s", TypeName(v))
		return nil
	}
	for k := range m {
		if msg := checkVariableName(k); msg != "" {
			d.Add(diag.Pointer(o.at("Assign"), k), diag.InvalidValue, "%s", msg)
		}
	}
	return compileJTemplate(v, "Assign", o.at("Assign"), d)
}

// arguments is what a Task or Parallel state works on: the effective
// input (JSONPath) or the evaluated Arguments (JSONata).
func (b *Base) arguments(e *env, raw any) (any, error) {
	if b.lang != langJSONata {
		return b.effectiveInput(e, raw)
	}
	v := raw
	if b.Arguments != nil {
		var err error
		if v, err = b.Arguments.eval(e, e.bindings(raw, nil)); err != nil {
			return nil, err
		}
	}
	e.note("afterArguments", v)
	return v, nil
}

// effectiveInput applies InputPath and Parameters to the raw input.
func (b *Base) effectiveInput(e *env, raw any) (any, error) {
	v, err := b.InputPath.apply(e, raw)
	if err != nil {
		return nil, err
	}
	e.note("afterInputPath", v)
	if b.Parameters != nil {
		e.input = v
		if v, err = b.Parameters.evalPayload(e); err != nil {
			return nil, err
		}
	}
	e.note("afterParameters", v)
	return v, nil
}

// finishResult applies ResultSelector, Assign, ResultPath and OutputPath
// to a result: the output and the variables to assign.
func (b *Base) finishResult(e *env, raw, result any) (any, map[string]any, error) {
	e.note("result", result)
	if b.lang == langJSONata {
		return b.jsonataOutput(e, e.bindings(raw, map[string]any{"result": result}), result)
	}
	if b.Selector != nil {
		e.input = result
		r, err := b.Selector.evalPayload(e)
		if err != nil {
			return nil, nil, err
		}
		result = r
	}
	e.note("afterResultSelector", result)
	vars, err := e.assign(b.Assign, result)
	if err != nil {
		return nil, nil, err
	}
	out, err := b.ResultPath.apply(e, raw, result)
	if err != nil {
		return nil, nil, err
	}
	e.note("afterResultPath", out)
	out, err = b.OutputPath.apply(e, out)
	return out, vars, err
}

// asError turns an evaluation failure into an ASL error.
func asError(err error) *aslerr.Error {
	if ae, ok := err.(*aslerr.Error); ok {
		return ae
	}
	return &aslerr.Error{Name: aslerr.Runtime, Cause: err.Error()}
}
