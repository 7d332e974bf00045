package asl

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
)

// maxTaskSeconds is the largest TimeoutSeconds or HeartbeatSeconds AWS
// accepts.
const maxTaskSeconds = 99999999

// Task calls an integration named by its Resource.
type Task struct {
	Base
	Resource         string
	TimeoutSeconds   int64 // 0: none
	HeartbeatSeconds int64 // 0: none
	TimeoutPath      *jpath.Path
	HeartbeatPath    *jpath.Path
	timeoutExpr      *jtemplate // JSONata
	heartbeatExpr    *jtemplate
	Credentials      *Template
	credentialsExpr  *jtemplate // JSONata: Credentials with expressions
}

func parseTask(b Base, o *object, d *diag.List) *Task {
	s := &Task{Base: b}
	parseBase(&s.Base, o, fNext|fInputPath|fOutputPath|fResultPath|fParameters|fResultSelector|fRetryCatch|fAssign|fArguments|fOutput, d)
	s.Resource, _ = o.str("Resource", true)
	o.exclusive("TimeoutSeconds", "TimeoutSecondsPath")
	o.exclusive("HeartbeatSeconds", "HeartbeatSecondsPath")
	if s.lang == langJSONata {
		s.timeoutExpr = jexprOnly(o, "TimeoutSeconds", d)
		s.heartbeatExpr = jexprOnly(o, "HeartbeatSeconds", d)
		rejectJSONataPaths(o, d, "an expression in TimeoutSeconds or HeartbeatSeconds", "TimeoutSecondsPath", "HeartbeatSecondsPath")
	}
	if s.timeoutExpr == nil {
		if n, ok := o.integer("TimeoutSeconds", 1); ok {
			if n > maxTaskSeconds {
				d.Add(o.at("TimeoutSeconds"), diag.InvalidValue, "TimeoutSeconds must be at most %d", maxTaskSeconds)
			}
			s.TimeoutSeconds = n
		}
	}
	if s.heartbeatExpr == nil {
		if n, ok := o.integer("HeartbeatSeconds", 1); ok {
			if n > maxTaskSeconds {
				d.Add(o.at("HeartbeatSeconds"), diag.InvalidValue, "HeartbeatSeconds must be at most %d", maxTaskSeconds)
			}
			s.HeartbeatSeconds = n
		}
	}
	if s.TimeoutSeconds > 0 && s.HeartbeatSeconds >= s.TimeoutSeconds {
		d.Add(o.at("HeartbeatSeconds"), diag.InvalidValue, "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
	if s.lang == langJSONPath {
		s.TimeoutPath = referencePath(o, "TimeoutSecondsPath", d)
		s.HeartbeatPath = referencePath(o, "HeartbeatSecondsPath", d)
	}
	if v, ok := o.get("Credentials"); ok {
		if _, isObj := v.(map[string]any); !isObj {
			d.Add(o.at("Credentials"), diag.SchemaValidationFailed, "Credentials must be an object")
		} else if s.lang == langJSONata {
			s.credentialsExpr = compileJTemplate(v, "Credentials", o.at("Credentials"), d)
		} else {
			s.Credentials = compileTemplate(v, o.at("Credentials"), d)
		}
	}
	return s
}

// referencePath reads an optional field holding a reference path.
func referencePath(o *object, key string, d *diag.List) *jpath.Path {
	src, ok := o.str(key, false)
	if !ok {
		return nil
	}
	p, err := jpath.CompileReference(src)
	if err != nil {
		d.Add(o.at(key), diag.InvalidJSONPath, "%v", err)
		return nil
	}
	return p
}

func (s *Task) enter(e *env) Outcome {
	raw := e.input
	params, err := s.arguments(e, raw)
	if err != nil {
		return HandleError(s, raw, asError(err), e.ctx)
	}
	call := CallTask{Resource: s.Resource, Parameters: params, TimeoutSeconds: int(s.TimeoutSeconds), HeartbeatSeconds: int(s.HeartbeatSeconds)}
	e.input = raw
	if s.TimeoutPath != nil {
		n, err := secondsAt(e, s.TimeoutPath, "TimeoutSecondsPath")
		if err != nil {
			return failWith(err)
		}
		call.TimeoutSeconds = n
	}
	if s.HeartbeatPath != nil {
		n, err := secondsAt(e, s.HeartbeatPath, "HeartbeatSecondsPath")
		if err != nil {
			return failWith(err)
		}
		call.HeartbeatSeconds = n
	}
	for _, x := range []struct {
		t     *jtemplate
		field string
		dst   *int
	}{{s.timeoutExpr, "TimeoutSeconds", &call.TimeoutSeconds}, {s.heartbeatExpr, "HeartbeatSeconds", &call.HeartbeatSeconds}} {
		if x.t == nil {
			continue
		}
		n, err := evalIntIn(e, x.t, x.field, e.bindings(raw, nil), 1, maxTaskSeconds)
		if err != nil {
			return failWith(asError(err))
		}
		*x.dst = int(n)
	}
	if s.Credentials != nil {
		c, err := s.Credentials.Eval(e)
		if err != nil {
			return HandleError(s, raw, asError(err), e.ctx)
		}
		call.Credentials = c
	}
	if s.credentialsExpr != nil {
		c, err := s.credentialsExpr.eval(e, e.bindings(raw, nil))
		if err != nil {
			return HandleError(s, raw, asError(err), e.ctx)
		}
		call.Credentials = c
	}
	return call
}

// secondsAt reads a positive whole number of seconds from a path.
func secondsAt(e *env, p *jpath.Path, field string) (int, *aslerr.Error) {
	v, ok := p.Get(e.scope())
	if !ok {
		return 0, e.runtimeErr("Invalid path '%s' : %s", p.String(), p.NotFound(e.scope()))
	}
	n, isInt := AsInt(v)
	if !isInt || n < 1 || n > maxTaskSeconds {
		return 0, e.runtimeErr("The %s field refers to value %s which is not a valid positive integer: %s", field, EncodeJSON(v), p.String())
	}
	return int(n), nil
}
