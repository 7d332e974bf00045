package asl

import "github.com/signalbox/signalbox/asl/diag"

// Parallel runs every branch on the same input and collects their outputs.
type Parallel struct {
	Base
	Branches []*StateMachine
}

func parseParallel(b Base, o *object, d *diag.List) *Parallel {
	s := &Parallel{Base: b}
	parseBase(&s.Base, o, fNext|fInputPath|fOutputPath|fResultPath|fParameters|fResultSelector|fRetryCatch|fAssign|fArguments|fOutput, d)
	arr, ok := o.array("Branches", true)
	if ok && len(arr) == 0 {
		d.Add(o.at("Branches"), diag.SchemaValidationFailed, "Branches must hold at least one branch")
	}
	for i, v := range arr {
		if m := parseMachine(v, diag.Pointer(o.ptr, "Branches", i), s.machineLang, nil, d); m != nil {
			s.Branches = append(s.Branches, m)
		}
	}
	return s
}

func (s *Parallel) enter(e *env) Outcome {
	raw := e.input
	in, err := s.arguments(e, raw)
	if err != nil {
		return HandleError(s, raw, asError(err), e.ctx)
	}
	return RunParallel{Branches: s.Branches, Input: in}
}
