// Package intrinsic implements the intrinsic functions of the Amazon States
// Language (States.Format, States.Array, States.MathAdd, ...) for JSONPath
// states.
//
// A call such as "States.Format('Hello {}', $.name)" is parsed once, when the
// definition is loaded, into a typed call tree (Parse). Parsing checks what
// the text alone can tell: the syntax, the function names, the number of
// arguments, the nesting depth and a literal States.Format template. The
// tree is then evaluated any number of times, concurrently, against a state's
// input, the Context object and the workflow variables (Eval).
//
// Evaluation follows AWS Step Functions as observed: an argument path that
// selects nothing and an argument of the wrong type or range both fail with
// States.Runtime, and the cause names the whole expression as written:
//
//	The function 'States.MathAdd($.a, 1)' had the following error: Invalid arguments in States.MathAdd
//
// The state runner prefixes it with "An error occurred while executing the
// state ..." as it does for every runtime error.
//
// Numbers that functions compute (States.MathAdd, States.ArrayLength,
// States.ArrayRange, States.MathRandom) are int64. The package is pure: it
// reads no clock and draws randomness only from Env.Rand.
package intrinsic
