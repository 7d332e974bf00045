package asl

import "github.com/signalbox/signalbox/asl/diag"

// SucceedState ends its machine successfully.
type SucceedState struct{ Base }

func parseSucceed(b Base, o *object, d *diag.List) *SucceedState {
	s := &SucceedState{Base: b}
	parseBase(&s.Base, o, fInputPath|fOutputPath|fOutput, d)
	return s
}

func (s *SucceedState) enter(e *env) Outcome {
	if s.lang == langJSONata {
		out, _, err := s.jsonataOutput(e, e.bindings(e.input, nil), e.input)
		if err != nil {
			return failWith(asError(err))
		}
		return Succeed{Output: out}
	}
	v, err := s.InputPath.apply(e, e.input)
	if err == nil {
		e.note("afterInputPath", v)
		v, err = s.OutputPath.apply(e, v)
	}
	if err != nil {
		return failWith(asError(err))
	}
	return Succeed{Output: v}
}
