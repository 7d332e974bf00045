package asl

import "github.com/signalbox/signalbox/asl/diag"

// Pass passes its input to its output, optionally injecting a fixed Result.
type Pass struct {
	Base
	Result    any
	HasResult bool
}

func parsePass(b Base, o *object, d *diag.List) *Pass {
	s := &Pass{Base: b}
	parseBase(&s.Base, o, fNext|fInputPath|fOutputPath|fResultPath|fParameters|fAssign|fOutput, d)
	s.Result, s.HasResult = o.get("Result")
	if s.HasResult && s.lang == langJSONata {
		// AWS documents Result as JSONPath only: a JSONata Pass says
		// what it outputs with Output.
		d.Add(o.at("Result"), diag.SchemaValidationFailed, "the field \"Result\" is not supported in a JSONata state: use Output")
	}
	return s
}

func (s *Pass) enter(e *env) Outcome {
	raw := e.input
	if s.lang == langJSONata {
		out, vars, err := s.jsonataOutput(e, e.bindings(raw, nil), raw)
		if err != nil {
			return failWith(asError(err))
		}
		return s.then(out, vars)
	}
	result, err := s.effectiveInput(e, raw)
	if err != nil {
		return failWith(asError(err))
	}
	if s.HasResult {
		result = s.Result
		// as AWS's TestState shows a Pass with a Result: its result, not
		// the effective input it does not use
		if e.ctx.Inspect != nil {
			delete(e.ctx.Inspect, "afterInputPath")
			delete(e.ctx.Inspect, "afterParameters")
			e.note("result", result)
		}
	}
	e.note("afterResultSelector", result)
	vars, err := e.assign(s.Assign, result)
	if err != nil {
		return failWith(asError(err))
	}
	out, err := s.ResultPath.apply(e, raw, result)
	if err == nil {
		e.note("afterResultPath", out)
		out, err = s.OutputPath.apply(e, out)
	}
	if err != nil {
		return failWith(asError(err))
	}
	return s.then(out, vars)
}
