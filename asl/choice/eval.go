package choice

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/jpath"
)

// Eval decides the rule against a state's effective input (and the Context
// object and workflow variables the scope holds).
//
// A path that selects nothing is a States.Runtime error, whose Cause is
// AWS's text without the "An error occurred while executing the state ..."
// prefix, which the caller adds. A value of another type than the operator
// expects makes the comparison false.
func (r *Rule) Eval(s jpath.Scope) (bool, error) {
	switch r.op {
	case And:
		for _, c := range r.rules {
			if ok, err := c.Eval(s); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case Or:
		for _, c := range r.rules {
			if ok, err := c.Eval(s); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case Not:
		ok, err := r.rules[0].Eval(s)
		if err != nil {
			return false, err
		}
		return !ok, nil
	}

	v, present := r.variable.Get(s)
	if r.op == IsPresent {
		return present == r.operand.flag, nil
	}
	if !present {
		return false, invalidPath(r.variable)
	}
	if r.op.kind() == kindTypeTest {
		return typeTest(r.op, v) == r.operand.flag, nil
	}
	if r.path == nil {
		return r.compareLiteral(v), nil
	}
	w, ok := r.path.Get(s)
	if !ok {
		return false, invalidPath(r.path)
	}
	return r.compareValues(v, w), nil
}

// compareLiteral compares the Variable's value v with the literal operand.
func (r *Rule) compareLiteral(v any) bool {
	switch r.op.kind() {
	case kindString:
		s, ok := v.(string)
		return ok && r.op.relation().holds(compareUTF16(s, r.operand.str))
	case kindMatches:
		s, ok := v.(string)
		return ok && r.operand.pattern.match(s)
	case kindNumeric:
		n, ok := toNumber(v)
		return ok && r.op.relation().holds(compareNumbers(n, r.operand.num))
	case kindBoolean:
		b, ok := v.(bool)
		return ok && b == r.operand.flag
	case kindTimestamp:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, ok := parseTimestamp(s)
		return ok && r.op.relation().holds(compareInstants(t, r.operand.ts))
	}
	return false
}

// compareValues compares the Variable's value v with the value w that the
// path operand selects. Both must have the operator's type.
func (r *Rule) compareValues(v, w any) bool {
	switch r.op.kind() {
	case kindString:
		a, ok1 := v.(string)
		b, ok2 := w.(string)
		return ok1 && ok2 && r.op.relation().holds(compareUTF16(a, b))
	case kindNumeric:
		a, ok1 := toNumber(v)
		b, ok2 := toNumber(w)
		return ok1 && ok2 && r.op.relation().holds(compareNumbers(a, b))
	case kindBoolean:
		a, ok1 := v.(bool)
		b, ok2 := w.(bool)
		return ok1 && ok2 && a == b
	case kindTimestamp:
		a, ok1 := v.(string)
		b, ok2 := w.(string)
		if !ok1 || !ok2 {
			return false
		}
		ta, ok1 := parseTimestamp(a)
		tb, ok2 := parseTimestamp(b)
		return ok1 && ok2 && r.op.relation().holds(compareInstants(ta, tb))
	}
	return false
}

// typeTest answers an Is... operator (except IsPresent) about a value.
func typeTest(op Operator, v any) bool {
	switch op {
	case IsNull:
		return v == nil
	case IsNumeric:
		_, ok := toNumber(v)
		return ok
	case IsString:
		_, ok := v.(string)
		return ok
	case IsBoolean:
		_, ok := v.(bool)
		return ok
	case IsTimestamp:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, ok = parseTimestamp(s)
		return ok
	}
	return false
}

// invalidPath is AWS's error for a Choice rule path that selects nothing.
func invalidPath(p *jpath.Path) error {
	return &aslerr.Error{
		Name:  aslerr.Runtime,
		Cause: "Invalid path '" + p.String() + "': The choice state's condition path references an invalid value.",
	}
}

// First returns the first of rules that is true, or nil when none is, as a
// Choice state picks its next state. Rules after the first true one are not
// evaluated; an error stops the evaluation.
func First(rules []*Rule, s jpath.Scope) (*Rule, error) {
	for _, r := range rules {
		ok, err := r.Eval(s)
		if err != nil {
			return nil, err
		}
		if ok {
			return r, nil
		}
	}
	return nil, nil
}
