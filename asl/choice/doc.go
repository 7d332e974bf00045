// Package choice compiles the rules of an Amazon States Language Choice
// state (JSONPath query language) and decides them.
//
// A rule is compiled once, when the definition is parsed, into an immutable
// *Rule: paths are compiled, literal operands are checked and converted
// (numbers, timestamps, StringMatches patterns), and every problem is
// reported as a diagnostic with a JSON pointer. Evaluating a rule against a
// state's effective input then parses nothing and, for a comparison
// against a simple path, allocates nothing.
//
// Runtime semantics follow AWS Step Functions:
//
//   - A comparison whose Variable selects a value of another type than the
//     operator expects is false, not an error.
//   - A Variable, or the path operand of a ...Path operator, that selects
//     nothing raises States.Runtime ("Invalid path '$.x': The choice
//     state's condition path references an invalid value."), except for
//     IsPresent, which is there to test exactly that.
//   - Numbers compare by value: 1 equals 1.0, and integers and floats are
//     compared exactly.
//   - Strings compare in UTF-16 code unit order, as Java's
//     String.compareTo does.
//   - Timestamps are ISO-8601 extended offset date-times (RFC 3339 with an
//     offset or Z, optional seconds and fraction); they compare as
//     instants.
//   - And and Or short-circuit, left to right, so a rule guarded by an
//     earlier IsPresent in an And is not evaluated when the guard fails.
package choice
