package asl

import (
	"math"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
)

// maxWait is the longest delay a Wait state accepts.
const maxWait = math.MaxInt32 * time.Second

// Wait delays for a number of seconds or until a timestamp.
type Wait struct {
	Base
	Seconds       int64
	HasSeconds    bool
	Timestamp     time.Time
	HasTimestamp  bool
	SecondsPath   *jpath.Path
	TimestampPath *jpath.Path
	// JSONata: Seconds or Timestamp as an expression.
	secondsExpr, timestampExpr *jtemplate
}

func parseWait(b Base, o *object, d *diag.List) *Wait {
	s := &Wait{Base: b}
	parseBase(&s.Base, o, fNext|fInputPath|fOutputPath|fAssign|fOutput, d)
	n := 0
	for _, k := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if o.has(k) {
			n++
		}
	}
	if n != 1 {
		d.Add(o.ptr, diag.SchemaValidationFailed, "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath")
	}
	if s.lang == langJSONata {
		s.secondsExpr = jexprOnly(o, "Seconds", d)
		s.timestampExpr = jexprOnly(o, "Timestamp", d)
		rejectJSONataPaths(o, d, "an expression in Seconds or Timestamp", "SecondsPath", "TimestampPath")
	}
	if s.secondsExpr == nil {
		if v, ok := o.integer("Seconds", 0); ok {
			if v > 99999999 {
				d.Add(o.at("Seconds"), diag.InvalidValue, "Seconds must be at most 99999999")
			}
			s.Seconds, s.HasSeconds = v, true
		}
	}
	if ts, ok := o.str("Timestamp", false); s.timestampExpr == nil && ok {
		t, err := ParseTimestamp(ts)
		if err != nil {
			d.Add(o.at("Timestamp"), diag.InvalidValue, "Timestamp %q is not an ISO-8601 extended offset date-time", ts)
		}
		s.Timestamp, s.HasTimestamp = t, true
	}
	if s.lang == langJSONPath {
		s.SecondsPath = referencePath(o, "SecondsPath", d)
		s.TimestampPath = referencePath(o, "TimestampPath", d)
	}
	return s
}

// ParseTimestamp parses a timestamp as ASL accepts them: RFC 3339 with a
// 'T' separator and an offset ('Z' or ±hh:mm), fractional seconds optional.
func ParseTimestamp(s string) (time.Time, error) {
	if strings.ContainsAny(s, "tz") {
		return time.Time{}, &time.ParseError{Layout: time.RFC3339, Value: s, Message: ": lower-case separator"}
	}
	return time.Parse(time.RFC3339Nano, s)
}

func (s *Wait) enterJSONata(e *env) Outcome {
	raw := e.input
	bind := e.bindings(raw, nil)
	now := e.ctx.EnteredTime
	until := now
	switch {
	case s.HasSeconds:
		until = now.Add(time.Duration(s.Seconds) * time.Second)
	case s.HasTimestamp:
		until = s.Timestamp
	case s.secondsExpr != nil:
		n, err := evalIntIn(e, s.secondsExpr, "Seconds", bind, 0, int64(maxWait/time.Second))
		if err != nil {
			return failWith(asError(err))
		}
		until = now.Add(time.Duration(n) * time.Second)
	case s.timestampExpr != nil:
		v, err := s.timestampExpr.eval(e, bind)
		if err != nil {
			return failWith(asError(err))
		}
		str, _ := v.(string)
		t, perr := ParseTimestamp(str)
		if perr != nil {
			return failWith(stateErr(e.ctx, aslerr.QueryEvaluationError, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: "+plain(v)))
		}
		until = t
	}
	if until.Sub(now) > maxWait {
		return failWith(e.runtimeErr("Wait state delay is too long."))
	}
	out, vars, err := s.jsonataOutput(e, bind, raw)
	if err != nil {
		return failWith(asError(err))
	}
	return WaitUntil{Until: until, Then: s.then(out, vars)}
}

func (s *Wait) enter(e *env) Outcome {
	if s.lang == langJSONata {
		return s.enterJSONata(e)
	}
	raw := e.input
	in, err := s.InputPath.apply(e, raw)
	if err != nil {
		return failWith(asError(err))
	}
	e.note("afterInputPath", in)
	e.input = in
	now := e.ctx.EnteredTime
	var until time.Time
	switch {
	case s.HasSeconds:
		until = now.Add(time.Duration(s.Seconds) * time.Second)
	case s.HasTimestamp:
		until = s.Timestamp
	case s.SecondsPath != nil:
		v, ok := s.SecondsPath.Get(e.scope())
		if !ok {
			return failWith(e.runtimeErr("The SecondsPath parameter does not reference an input value: %s", s.SecondsPath))
		}
		n, isInt := v.(int64)
		if !isInt {
			return failWith(e.runtimeErr("The SecondsPath parameter cannot be parsed as a long value: %s == %s", s.SecondsPath, EncodeJSON(v)))
		}
		if n < 0 {
			return failWith(e.runtimeErr("The SecondsPath parameter references a negative value: %s == %d", s.SecondsPath, n))
		}
		if n > int64(maxWait/time.Second) {
			return failWith(e.runtimeErr("Wait state delay is too long."))
		}
		until = now.Add(time.Duration(n) * time.Second)
	case s.TimestampPath != nil:
		v, ok := s.TimestampPath.Get(e.scope())
		if !ok {
			return failWith(e.runtimeErr("The TimestampPath parameter does not reference an input value: %s", s.TimestampPath))
		}
		str, isStr := v.(string)
		t, perr := ParseTimestamp(str)
		if !isStr || perr != nil {
			return failWith(e.runtimeErr("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", s.TimestampPath, plain(v)))
		}
		until = t
	}
	if until.Sub(now) > maxWait {
		return failWith(e.runtimeErr("Wait state delay is too long."))
	}
	vars, err := e.assign(s.Assign, in)
	if err != nil {
		return failWith(asError(err))
	}
	out, err := s.OutputPath.apply(e, in)
	if err != nil {
		return failWith(asError(err))
	}
	return WaitUntil{Until: until, Then: s.then(out, vars)}
}

// plain renders a value for an error message: strings without quotes.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return EncodeJSON(v)
}
