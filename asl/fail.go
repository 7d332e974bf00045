package asl

import (
	"slices"
	"strings"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// FailState ends its machine with an error and a cause, fixed or taken
// from the input by a path or an intrinsic function.
type FailState struct {
	Base
	Error, Cause       string
	errorDyn, causeDyn *tnode // ErrorPath, CausePath
	// JSONata: Error or Cause as an expression.
	errorExpr, causeExpr *jtemplate
}

func parseFail(b Base, o *object, d *diag.List) *FailState {
	s := &FailState{Base: b}
	parseBase(&s.Base, o, 0, d)
	o.exclusive("Error", "ErrorPath")
	o.exclusive("Cause", "CausePath")
	if s.lang == langJSONata {
		s.errorExpr = jexprOnly(o, "Error", d)
		s.causeExpr = jexprOnly(o, "Cause", d)
		for _, k := range []string{"ErrorPath", "CausePath"} {
			if o.has(k) {
				o.get(k)
				d.Add(o.at(k), diag.SchemaValidationFailed, "the field %q is not supported in a JSONata state: use an expression in Error or Cause", k)
			}
		}
	}
	if s.errorExpr == nil {
		s.Error, _ = o.str("Error", false)
	}
	if s.causeExpr == nil {
		s.Cause, _ = o.str("Cause", false)
	}
	if s.lang == langJSONPath {
		s.errorDyn = parseFailPath(o, "ErrorPath", d)
		s.causeDyn = parseFailPath(o, "CausePath", d)
	}
	return s
}

// failPathIntrinsics are the intrinsic functions AWS allows in ErrorPath
// and CausePath: those that return a string.
var failPathIntrinsics = []string{"States.Format", "States.JsonToString", "States.ArrayGetItem", "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.UUID"}

func parseFailPath(o *object, key string, d *diag.List) *tnode {
	src, ok := o.str(key, false)
	if !ok {
		return nil
	}
	if intrinsic.IsCall(src) {
		call, err := intrinsic.Parse(src)
		if err != nil {
			d.Add(o.at(key), diag.InvalidIntrinsic, "%v", err)
			return nil
		}
		if !slices.Contains(failPathIntrinsics, call.Func()) {
			d.Add(o.at(key), diag.SchemaValidationFailed, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call that returns a string (%s); %s is not one of them",
				key, strings.Join(failPathIntrinsics, ", "), call.Func())
			return nil
		}
		return &tnode{kind: tCall, call: call, field: key, source: src}
	}
	p, err := jpath.CompileReference(src)
	if err != nil {
		d.Add(o.at(key), diag.InvalidJSONPath, "%v", err)
		return nil
	}
	return &tnode{kind: tPath, path: p, field: key, source: src}
}

func (s *FailState) enter(e *env) Outcome {
	f := Fail{Error: s.Error, Cause: s.Cause}
	if s.lang == langJSONata {
		bind := e.bindings(e.input, nil)
		for _, x := range []struct {
			t     *jtemplate
			field string
			dst   *string
		}{{s.errorExpr, "Error", &f.Error}, {s.causeExpr, "Cause", &f.Cause}} {
			if x.t == nil {
				continue
			}
			v, err := x.t.eval(e, bind)
			if err != nil {
				return failWith(asError(err))
			}
			str, ok := v.(string)
			if !ok {
				return failWith(asError(jtypeError(e, x.t, x.field, "string", v)))
			}
			*x.dst = str
		}
		return f
	}
	// a Fail state has no InputPath: TestState shows its input as such
	e.note("afterInputPath", e.input)
	for _, dyn := range []struct {
		n   *tnode
		dst *string
	}{{s.errorDyn, &f.Error}, {s.causeDyn, &f.Cause}} {
		if dyn.n == nil {
			continue
		}
		v, err := dyn.n.eval(e)
		if err != nil {
			return failWith(asError(err))
		}
		str, ok := v.(string)
		if !ok {
			return failWith(e.runtimeErr("The %s '%s' did not resolve to a string: %s", dyn.n.field, dyn.n.source, EncodeJSON(v)))
		}
		*dyn.dst = str
	}
	return f
}
