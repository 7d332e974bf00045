package choice

// Operator is the test a Rule applies: a comparison, a type test, or one
// of the Boolean combinators And, Or and Not. The ...Path forms of the
// comparisons share the Operator of their literal form; Rule.String shows
// the difference.
type Operator uint8

// The operators of the Amazon States Language, JSONPath query language.
const (
	And Operator = iota + 1
	Or
	Not

	StringEquals
	StringLessThan
	StringGreaterThan
	StringLessThanEquals
	StringGreaterThanEquals
	StringMatches

	NumericEquals
	NumericLessThan
	NumericGreaterThan
	NumericLessThanEquals
	NumericGreaterThanEquals

	BooleanEquals

	TimestampEquals
	TimestampLessThan
	TimestampGreaterThan
	TimestampLessThanEquals
	TimestampGreaterThanEquals

	IsNull
	IsPresent
	IsNumeric
	IsString
	IsBoolean
	IsTimestamp

	numOperators
)

// kind groups operators by what they do with the selected value.
type kind uint8

const (
	kindLogical   kind = iota + 1 // And, Or, Not
	kindString                    // String... (but StringMatches)
	kindMatches                   // StringMatches
	kindNumeric                   // Numeric...
	kindBoolean                   // BooleanEquals
	kindTimestamp                 // Timestamp...
	kindTypeTest                  // Is...
)

// relation is how a comparison turns an ordering into a truth value.
type relation uint8

const (
	relEquals relation = iota + 1
	relLessThan
	relGreaterThan
	relLessThanEquals
	relGreaterThanEquals
)

// unordered is the result of comparing values that have no order between
// them (a NaN); every relation is false for it.
const unordered = 2

// holds reports whether the relation is true of c, the result of comparing
// the Variable's value with the operand (-1, 0, 1, or unordered).
func (r relation) holds(c int) bool {
	switch r {
	case relEquals:
		return c == 0
	case relLessThan:
		return c == -1
	case relGreaterThan:
		return c == 1
	case relLessThanEquals:
		return c == -1 || c == 0
	case relGreaterThanEquals:
		return c == 1 || c == 0
	}
	return false
}

type operatorInfo struct {
	name string
	kind kind
	rel  relation
}

var operators = [numOperators]operatorInfo{
	And: {"And", kindLogical, 0},
	Or:  {"Or", kindLogical, 0},
	Not: {"Not", kindLogical, 0},

	StringEquals:            {"StringEquals", kindString, relEquals},
	StringLessThan:          {"StringLessThan", kindString, relLessThan},
	StringGreaterThan:       {"StringGreaterThan", kindString, relGreaterThan},
	StringLessThanEquals:    {"StringLessThanEquals", kindString, relLessThanEquals},
	StringGreaterThanEquals: {"StringGreaterThanEquals", kindString, relGreaterThanEquals},
	StringMatches:           {"StringMatches", kindMatches, 0},

	NumericEquals:            {"NumericEquals", kindNumeric, relEquals},
	NumericLessThan:          {"NumericLessThan", kindNumeric, relLessThan},
	NumericGreaterThan:       {"NumericGreaterThan", kindNumeric, relGreaterThan},
	NumericLessThanEquals:    {"NumericLessThanEquals", kindNumeric, relLessThanEquals},
	NumericGreaterThanEquals: {"NumericGreaterThanEquals", kindNumeric, relGreaterThanEquals},

	BooleanEquals: {"BooleanEquals", kindBoolean, relEquals},

	TimestampEquals:            {"TimestampEquals", kindTimestamp, relEquals},
	TimestampLessThan:          {"TimestampLessThan", kindTimestamp, relLessThan},
	TimestampGreaterThan:       {"TimestampGreaterThan", kindTimestamp, relGreaterThan},
	TimestampLessThanEquals:    {"TimestampLessThanEquals", kindTimestamp, relLessThanEquals},
	TimestampGreaterThanEquals: {"TimestampGreaterThanEquals", kindTimestamp, relGreaterThanEquals},

	IsNull:      {"IsNull", kindTypeTest, 0},
	IsPresent:   {"IsPresent", kindTypeTest, 0},
	IsNumeric:   {"IsNumeric", kindTypeTest, 0},
	IsString:    {"IsString", kindTypeTest, 0},
	IsBoolean:   {"IsBoolean", kindTypeTest, 0},
	IsTimestamp: {"IsTimestamp", kindTypeTest, 0},
}

// String returns the operator's name in the Amazon States Language.
func (o Operator) String() string {
	if o == 0 || o >= numOperators {
		return "Operator(?)"
	}
	return operators[o].name
}

func (o Operator) kind() kind         { return operators[o].kind }
func (o Operator) relation() relation { return operators[o].rel }

// hasPathForm reports whether the operator has a ...Path form, whose
// operand is a reference path instead of a literal.
func (o Operator) hasPathForm() bool {
	switch o.kind() {
	case kindString, kindNumeric, kindBoolean, kindTimestamp:
		return true
	}
	return false
}

// operatorField is what a field name of a Choice rule means, when it names
// an operator.
type operatorField struct {
	op   Operator
	path bool // the ...Path form
}

// operatorFields maps every operator field name, ...Path forms included,
// to its operator.
var operatorFields = func() map[string]operatorField {
	m := make(map[string]operatorField, 2*int(numOperators))
	for op := And; op < numOperators; op++ {
		m[op.String()] = operatorField{op: op}
		if op.hasPathForm() {
			m[op.String()+"Path"] = operatorField{op: op, path: true}
		}
	}
	return m
}()
