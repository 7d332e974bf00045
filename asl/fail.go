package asl

import (
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
}

func parseFail(b Base, o *object, d *diag.List) *FailState {
	s := &FailState{Base: b}
	parseBase(&s.Base, o, 0, d)
	o.exclusive("Error", "ErrorPath")
	o.exclusive("Cause", "CausePath")
	s.Error, _ = o.str("Error", false)
	s.Cause, _ = o.str("Cause", false)
	s.errorDyn = parseFailPath(o, "ErrorPath", d)
	s.causeDyn = parseFailPath(o, "CausePath", d)
	return s
}

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
