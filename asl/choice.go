package asl

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/choice"
	"github.com/signalbox/signalbox/asl/diag"
)

// Choice moves to the Next of the first rule that matches, or to Default.
type Choice struct {
	Base
	Choices []*choice.Rule
	Default string
	// ruleAssign holds each rule's compiled Assign (nil when it has none).
	ruleAssign []*Template
	// jrules are the rules of a JSONata Choice state.
	jrules []*jrule
	// targets are the rules' transitions, by their place in Choices, a
	// rule that did not parse included (its Next as written): so that
	// validation reports them at their places.
	targets []transition
}

// jrule is a Choice rule of a JSONata state: a Condition expression.
type jrule struct {
	Condition *jtemplate
	Next      string
	Assign    *jtemplate
	Output    *jtemplate
}

func parseChoice(b Base, o *object, d *diag.List) *Choice {
	s := &Choice{Base: b}
	parseBase(&s.Base, o, fInputPath|fOutputPath|fAssign|fOutput, d)
	if def, ok := o.str("Default", false); ok && def == "" {
		d.Add(o.at("Default"), diag.MissingTransition, "Default may not be empty")
	} else {
		s.Default = def
	}
	arr, ok := o.array("Choices", true)
	if ok && len(arr) == 0 {
		d.Add(o.at("Choices"), diag.SchemaValidationFailed, "Choices must hold at least one rule")
	}
	for i, v := range arr {
		ptr := diag.Pointer(o.ptr, "Choices", i)
		field := diag.Pointer("/Choices", i, "Next")
		if s.lang == langJSONata {
			if r := parseJRule(v, ptr, d); r != nil {
				s.jrules = append(s.jrules, r)
				s.targets = append(s.targets, transition{field, r.Next})
			} else {
				s.targets = append(s.targets, rawNext(v, field)...)
			}
			continue
		}
		r, rd := choice.Parse(v, ptr, true)
		*d = append(*d, rd...)
		if r == nil {
			s.targets = append(s.targets, rawNext(v, field)...)
		} else {
			s.targets = append(s.targets, transition{field, r.Next})
		}
		if r != nil {
			s.Choices = append(s.Choices, r)
			var t *Template
			if r.Assign != nil {
				t = compileAssign(r.Assign, diag.Pointer(ptr, "Assign"), d)
			}
			s.ruleAssign = append(s.ruleAssign, t)
		}
	}
	if o.has("Next") || o.has("End") {
		d.Add(o.ptr, diag.SchemaValidationFailed, "a Choice state may not have Next or End")
		o.get("Next")
		o.get("End")
	}
	return s
}

func parseJRule(v any, ptr string, d *diag.List) *jrule {
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	r := &jrule{}
	r.Next, _ = o.str("Next", true)
	if c, ok := o.get("Condition"); !ok {
		d.Add(o.at("Condition"), diag.SchemaValidationFailed, "the field \"Condition\" is required in a JSONata Choice rule")
	} else {
		r.Condition = compileJTemplate(c, "Condition", o.at("Condition"), d)
	}
	r.Assign = parseJAssign(o, d)
	r.Output = jfield(o, "Output", d)
	o.get("Comment")
	o.finish()
	return r
}

func (s *Choice) enterJSONata(e *env) Outcome {
	raw := e.input
	bind := e.bindings(raw, nil)
	next, assign, output := s.Default, s.JAssign, s.Output
	for _, r := range s.jrules {
		v, err := r.Condition.eval(e, bind)
		if err != nil {
			return failWith(asError(err))
		}
		b, isBool := v.(bool)
		if !isBool {
			return failWith(asError(jtypeError(e, r.Condition, "Condition", "boolean", v)))
		}
		if b {
			// The state's own Assign and Output apply to Default only,
			// as AWS does: a matching rule brings its own.
			next, assign, output = r.Next, r.Assign, r.Output
			break
		}
	}
	if next == "" {
		return failWith(&aslerr.Error{Name: aslerr.NoChoiceMatched, Cause: "No Matches!"})
	}
	vars, err := evalJAssign(e, assign, bind)
	if err != nil {
		return failWith(asError(err))
	}
	out := raw
	if output != nil {
		if out, err = output.eval(e, bind); err != nil {
			return failWith(asError(err))
		}
	}
	return Next{State: next, Output: out, Assign: vars}
}

func (s *Choice) enter(e *env) Outcome {
	if s.lang == langJSONata {
		return s.enterJSONata(e)
	}
	in, err := s.InputPath.apply(e, e.input)
	if err != nil {
		return failWith(asError(err))
	}
	e.note("afterInputPath", in)
	e.input = in
	scope := e.scope()
	next, assign := s.Default, s.Assign
	for i, r := range s.Choices {
		ok, err := r.Eval(scope)
		if err != nil {
			ae := asError(err)
			return failWith(stateErr(e.ctx, ae.Name, ae.Cause))
		}
		if ok {
			next, assign = r.Next, s.ruleAssign[i]
			break
		}
	}
	if next == "" {
		return failWith(&aslerr.Error{Name: aslerr.NoChoiceMatched, Cause: "No Matches!"})
	}
	vars, err := e.assign(assign, in)
	if err != nil {
		return failWith(asError(err))
	}
	out, err := s.OutputPath.apply(e, in)
	if err != nil {
		return failWith(asError(err))
	}
	return Next{State: next, Output: out, Assign: vars}
}
