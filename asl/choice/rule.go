package choice

import (
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/asl/jpath"
)

// Rule is a compiled Choice rule: an element of a Choice state's
// "Choices", or a rule nested in And, Or or Not. It is immutable once
// parsed and safe for concurrent use.
type Rule struct {
	// Next is the state to go to when a top-level rule is true; "" for a
	// nested rule.
	Next string
	// Comment is the rule's comment, if any.
	Comment string
	// Assign is the top-level rule's "Assign" object as written in the
	// definition, nil when absent. It is compiled and applied by the
	// Choice state, not here. Do not modify it.
	Assign map[string]any

	op       Operator
	variable *jpath.Path // comparisons and type tests
	path     *jpath.Path // operand of a ...Path form
	operand  literal     // operand of a literal form
	rules    []*Rule     // And, Or: the operands; Not: the one operand
}

// literal is the operand of a comparison or type test, converted at parse
// time. Which field holds it depends on the operator's kind.
type literal struct {
	str     string  // String..., and the source of a timestamp
	num     number  // Numeric...
	flag    bool    // BooleanEquals and Is...
	ts      instant // Timestamp...
	pattern pattern // StringMatches
}

// Operator returns the rule's operator.
func (r *Rule) Operator() Operator { return r.op }

// String returns the rule in a canonical, readable form, such as
//
//	NumericLessThanPath($.a, $.b) -> Next
//	And(IsPresent($.x, true), StringMatches($.x, "log-*.txt"))
func (r *Rule) String() string {
	var b strings.Builder
	r.write(&b)
	if r.Next != "" {
		b.WriteString(" -> ")
		b.WriteString(r.Next)
	}
	return b.String()
}

func (r *Rule) write(b *strings.Builder) {
	b.WriteString(r.op.String())
	if r.path != nil {
		b.WriteString("Path")
	}
	b.WriteByte('(')
	defer b.WriteByte(')')
	if r.op.kind() == kindLogical {
		for i, c := range r.rules {
			if i > 0 {
				b.WriteString(", ")
			}
			c.write(b)
		}
		return
	}
	b.WriteString(r.variable.String())
	b.WriteString(", ")
	if r.path != nil {
		b.WriteString(r.path.String())
		return
	}
	switch r.op.kind() {
	case kindString, kindTimestamp:
		b.WriteString(strconv.Quote(r.operand.str))
	case kindMatches:
		b.WriteString(strconv.Quote(r.operand.pattern.src))
	case kindNumeric:
		b.WriteString(r.operand.num.String())
	case kindBoolean, kindTypeTest:
		b.WriteString(strconv.FormatBool(r.operand.flag))
	}
}
