// Package jsonata is a JSONata 2.0.6 engine as AWS Step Functions uses it
// (without $eval), written from the JSONata documentation and checked
// against JSONata's own test suite.
//
// Compile an expression once and evaluate it many times, from any number of
// goroutines: a compiled *Expr is immutable, and everything an evaluation
// needs (variable bindings, extra functions, clock, random source, limits)
// comes with each call in Options.
//
// Values. Inputs are plain JSON values as ojg or encoding/json decode them
// (map[string]any, []any, string, bool, nil, int64 or float64), or
// *Object for objects whose key order matters. JSON null is nil and is
// distinct from Undefined, the result of an expression that selects
// nothing. Results are plain JSON values with objects as map[string]any;
// EvalOrdered returns objects as *Object, which keeps key order. In results,
// numbers with an integral value in the safe-integer range are int64, other
// numbers float64.
//
// Limits. Evaluation depth (nesting of sub-expression evaluations, the
// analogue of a call stack) and steps (sub-expression evaluations and units
// of work in built-in functions) are bounded; exceeding them is the error
// the error U1001 (as in JSONata) rather than a stack overflow or a hang.
package jsonata

import (
	"errors"
	"time"
)

// Limits. MaxDepthCap bounds Options.MaxDepth so that the Go stack of an
// evaluation stays well below the runtime's limit (one level of depth costs
// about 1.5 KB of stack).
//
// DefaultMaxBytes bounds the values one evaluation builds, counted as they
// are built (a string's bytes, 16 per array item): a function that doubles
// a string 26 times built 1.3 GB in 7.9 s before it was bounded.
const (
	DefaultMaxDepth = 1000
	DefaultMaxSteps = 10_000_000
	MaxDepthCap     = 50_000
	DefaultMaxBytes = 16 << 20
)

// Expr is a compiled JSONata expression.
type Expr struct {
	src  string
	root *node
}

// Options are the per-evaluation settings.
type Options struct {
	// Bindings are variables ($name) visible to the expression: plain JSON
	// values, or Function values. The map is read, not copied, while the
	// expression is evaluated: it must not change meanwhile.
	Bindings map[string]any
	// Functions are extra native functions ($name), for example AWS's
	// $partition or $uuid, bound anew on every evaluation.
	Functions map[string]Function
	// Prepared are extra native functions prepared once with
	// NewFunctions: the cheaper way to pass the same functions to many
	// evaluations. Functions and Bindings of the same name take precedence.
	Prepared *Functions
	// Now is the clock for $now() and $millis(); nil makes them fail.
	Now func() time.Time
	// Random is the source of $random() and $shuffle(), returning numbers
	// in [0, 1); nil makes them fail.
	Random func() float64
	// MaxDepth bounds the evaluation depth (0: DefaultMaxDepth; at most
	// MaxDepthCap).
	MaxDepth int
	// MaxSteps bounds the evaluation work (0: DefaultMaxSteps).
	MaxSteps int
	// MaxBytes bounds the values the evaluation builds (0:
	// DefaultMaxBytes); past it the evaluation fails (U1002).
	MaxBytes int64
	// Done, when set, stops the evaluation at its next check once it is
	// closed (U1003): the execution was stopped, timed out, or its client
	// left.
	Done <-chan struct{}
	// RejectFunctions makes a result that is a function an error
	// (ErrFunctionResult) instead of Undefined: a host that must store the
	// result as JSON can then say why it cannot.
	RejectFunctions bool
}

// ErrFunctionResult is returned, with Options.RejectFunctions, when the
// result of an expression is a function.
var ErrFunctionResult = errors.New("the result is a function")

// Compile parses an expression. Syntax errors are *Error values with a
// JSONata code (S0xxx) and position.
func Compile(src string) (*Expr, error) {
	raw, err := parse(src)
	if err != nil {
		return nil, err
	}
	b := &builder{}
	root, err := b.build(raw)
	if err != nil {
		return nil, err
	}
	if root.kind == kParent || root.seekingParent != nil {
		return nil, newError("S0217", root.pos, kindName(root.kind), Undefined)
	}
	finalize(root)
	return &Expr{src: src, root: root}, nil
}

// MustCompile is Compile that panics on error, for expressions known at
// build time.
func MustCompile(src string) *Expr {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source of the expression.
func (e *Expr) String() string { return e.src }

// Eval evaluates the expression against input (a plain JSON value, or
// Undefined for no input). The result is a plain JSON value or Undefined.
// Errors are *Error values.
//
// The result may share memory with input and with Options.Bindings: a value
// the expression selects unchanged (such as $states.input.data) is returned
// as is when it is already plain, not copied. The engine never mutates its
// inputs; callers must not mutate results they did not build themselves.
func (e *Expr) Eval(input any, opts *Options) (any, error) {
	return e.eval(input, opts, false)
}

// EvalOrdered is Eval returning objects as *Object, in the order the
// expression built them or the input held them.
func (e *Expr) EvalOrdered(input any, opts *Options) (any, error) {
	return e.eval(input, opts, true)
}
