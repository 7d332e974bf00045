package asl

import (
	"math"
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/asl/jpath"
)

// Retrier is one element of a state's Retry field.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64   // default 1
	MaxAttempts     int64   // default 3; 0 never retries
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int64   // 0: no cap
	JitterFull      bool    // JitterStrategy "FULL"
}

// Catcher is one element of a state's Catch field.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  resultPath
	Assign      *Template
	// JSONata catchers: Output (default: the error output) and Assign.
	Output  *jtemplate
	JAssign *jtemplate
}

// Matches reports whether an ErrorEquals list matches an error name:
// exactly, through States.ALL (which never matches States.Runtime or
// States.DataLimitExceeded), or through States.TaskFailed (which matches
// any error but States.Timeout, States.Runtime and States.DataLimitExceeded).
func Matches(errorEquals []string, name string) bool {
	terminal := name == aslerr.Runtime || name == aslerr.DataLimitExceeded
	for _, e := range errorEquals {
		switch {
		case e == name:
			return true
		case e == aslerr.ALL && !terminal:
			return true
		case e == aslerr.TaskFailed && !terminal && name != aslerr.Timeout:
			return true
		}
	}
	return false
}

// Backoff returns the delay before the retry that follows attempt number
// attempt (0 for the first retry): IntervalSeconds × BackoffRate^attempt,
// capped at MaxDelaySeconds, and with FULL jitter a uniformly random
// fraction of that drawn from rnd (a value in [0,1)).
func (r *Retrier) Backoff(attempt int, rnd float64) time.Duration {
	secs := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(attempt))
	if r.MaxDelaySeconds > 0 && secs > float64(r.MaxDelaySeconds) {
		secs = float64(r.MaxDelaySeconds)
	}
	if r.JitterFull {
		secs *= rnd
	}
	const maxSecs = float64(math.MaxInt64 / int64(time.Second))
	if secs > maxSecs || math.IsInf(secs, 0) || math.IsNaN(secs) {
		secs = maxSecs
	}
	return time.Duration(secs * float64(time.Second))
}

func parseErrorEquals(o *object, d *diag.List) []string {
	arr, ok := o.array("ErrorEquals", true)
	if !ok {
		return nil
	}
	if len(arr) == 0 {
		d.Add(o.at("ErrorEquals"), diag.SchemaValidationFailed, "ErrorEquals must name at least one error")
	}
	names := make([]string, 0, len(arr))
	for i, v := range arr {
		s, isStr := v.(string)
		if !isStr || s == "" {
			d.Add(diag.Pointer(o.ptr, "ErrorEquals", i), diag.SchemaValidationFailed, "an error name must be a non-empty string")
			continue
		}
		if s == aslerr.ALL && len(arr) > 1 {
			d.Add(diag.Pointer(o.ptr, "ErrorEquals", i), diag.StatesAllNotLast, "States.ALL must appear alone in ErrorEquals")
		}
		names = append(names, s)
	}
	return names
}

func parseRetry(st *object, d *diag.List) []*Retrier {
	arr, ok := st.array("Retry", false)
	if !ok {
		return nil
	}
	out := make([]*Retrier, 0, len(arr))
	for i, v := range arr {
		o, ok := newObject(v, diag.Pointer(st.ptr, "Retry", i), d)
		if !ok {
			continue
		}
		r := &Retrier{IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		r.ErrorEquals = parseErrorEquals(o, d)
		if n, ok := o.integer("IntervalSeconds", 1); ok {
			if n > 99999999 {
				d.Add(o.at("IntervalSeconds"), diag.InvalidValue, "IntervalSeconds must be at most 99999999")
			}
			r.IntervalSeconds = n
		}
		if n, ok := o.integer("MaxAttempts", 0); ok {
			if n > 99999999 {
				d.Add(o.at("MaxAttempts"), diag.InvalidValue, "MaxAttempts must be at most 99999999")
			}
			r.MaxAttempts = n
		}
		if f, ok := o.number("BackoffRate"); ok {
			if f < 1 {
				d.Add(o.at("BackoffRate"), diag.InvalidValue, "BackoffRate must be at least 1.0")
			}
			r.BackoffRate = f
		}
		if n, ok := o.integer("MaxDelaySeconds", 1); ok {
			if n >= 31622401 {
				d.Add(o.at("MaxDelaySeconds"), diag.InvalidValue, "MaxDelaySeconds must be less than 31622401")
			}
			r.MaxDelaySeconds = n
		}
		if s, ok := o.str("JitterStrategy", false); ok {
			switch s {
			case "FULL":
				r.JitterFull = true
			case "NONE":
			default:
				d.Add(o.at("JitterStrategy"), diag.InvalidValue, "JitterStrategy must be FULL or NONE, got %q", s)
			}
		}
		o.get("Comment")
		o.finish()
		if containsALL(r.ErrorEquals) && i != len(arr)-1 {
			d.Add(o.at("ErrorEquals"), diag.StatesAllNotLast, "a retrier with States.ALL must be the last one")
		}
		out = append(out, r)
	}
	return out
}

func parseCatch(st *object, lang queryLanguage, d *diag.List) []*Catcher {
	arr, ok := st.array("Catch", false)
	if !ok {
		return nil
	}
	out := make([]*Catcher, 0, len(arr))
	for i, v := range arr {
		o, ok := newObject(v, diag.Pointer(st.ptr, "Catch", i), d)
		if !ok {
			continue
		}
		c := &Catcher{}
		c.ErrorEquals = parseErrorEquals(o, d)
		var hasNext bool
		if c.Next, hasNext = o.str("Next", true); hasNext && c.Next == "" {
			d.Add(o.at("Next"), diag.MissingTransition, "Next may not be empty")
		}
		if lang == langJSONata {
			if o.has("ResultPath") {
				o.get("ResultPath")
				d.Add(o.at("ResultPath"), diag.SchemaValidationFailed, "the field \"ResultPath\" is not supported in a JSONata state: use Output")
			}
			c.Output = jfield(o, "Output", d)
			c.JAssign = parseJAssign(o, d)
		} else {
			c.ResultPath = parseResultPath(o, d)
			c.Assign = parseAssign(o, d)
		}
		o.get("Comment")
		o.finish()
		if containsALL(c.ErrorEquals) && i != len(arr)-1 {
			d.Add(o.at("ErrorEquals"), diag.StatesAllNotLast, "a catcher with States.ALL must be the last one")
		}
		out = append(out, c)
	}
	return out
}

func containsALL(names []string) bool {
	for _, n := range names {
		if n == aslerr.ALL {
			return true
		}
	}
	return false
}

// resultPath is a ResultPath: the zero value is "$" (the result replaces
// the input), discard is ResultPath null (the input passes through).
type resultPath struct {
	path    *jpath.Path
	discard bool
}

func parseResultPath(o *object, d *diag.List) resultPath {
	v, ok := o.get("ResultPath")
	if !ok {
		return resultPath{}
	}
	if v == nil {
		return resultPath{discard: true}
	}
	s, isStr := v.(string)
	if !isStr {
		d.Add(o.at("ResultPath"), diag.SchemaValidationFailed, "ResultPath must be a string or null")
		return resultPath{}
	}
	p, err := jpath.CompileReference(s)
	if err != nil {
		d.Add(o.at("ResultPath"), diag.InvalidJSONPath, "%v", err)
		return resultPath{}
	}
	if p.Root() != jpath.Input {
		d.Add(o.at("ResultPath"), diag.InvalidJSONPath, "ResultPath must be a path into the state input ('$...'), got %q", s)
		return resultPath{}
	}
	return resultPath{path: p}
}

// apply places result into the raw input as ResultPath says.
func (r resultPath) apply(e *env, raw, result any) (any, error) {
	switch {
	case r.discard:
		return raw, nil
	case r.path == nil:
		return result, nil
	}
	out, err := r.path.Set(raw, result)
	if err != nil {
		return nil, &aslerr.Error{Name: aslerr.ResultPathMatchFailure, Cause: "Unable to apply ResultPath '" + r.path.String() + "' to input '" + EncodeJSON(raw) + "': " + err.Error()}
	}
	return out, nil
}
