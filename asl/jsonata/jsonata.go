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
	"math"
	"time"
)

// Limits. MaxDepthCap bounds Options.MaxDepth so that the Go stack of an
// evaluation stays well below the runtime's limit (one level of depth costs
// about 1.5 KB of stack).
const (
	DefaultMaxDepth = 1000
	DefaultMaxSteps = 10_000_000
	MaxDepthCap     = 50_000
)

// Expr is a compiled JSONata expression.
type Expr struct {
	src  string
	root *node
}

// Options are the per-evaluation settings.
type Options struct {
	// Bindings are variables ($name) visible to the expression: plain JSON
	// values, or Function values.
	Bindings map[string]any
	// Functions are extra native functions ($name), for example AWS's
	// $partition or $uuid.
	Functions map[string]Function
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
func (e *Expr) Eval(input any, opts *Options) (any, error) {
	res, err := e.EvalOrdered(input, opts)
	if err != nil {
		return nil, err
	}
	return toPlain(res, false, 0)
}

// EvalOrdered is Eval returning objects as *Object, in the order the
// expression built them or the input held them.
func (e *Expr) EvalOrdered(input any, opts *Options) (any, error) {
	if opts == nil {
		opts = &Options{}
	}
	ev := &evaluator{
		maxDepth: opts.MaxDepth,
		maxSteps: opts.MaxSteps,
		now:      opts.Now,
		random:   opts.Random,
	}
	if ev.maxDepth <= 0 {
		ev.maxDepth = DefaultMaxDepth
	}
	ev.maxDepth = min(ev.maxDepth, MaxDepthCap)
	if ev.maxSteps <= 0 {
		ev.maxSteps = DefaultMaxSteps
	}
	if items, ok := input.([]any); ok {
		input = &sequence{items: []any{items}, sequence: true, outerWrapper: true}
	}
	env := newFrame(nil)
	env.bind("$", input)
	for name, f := range opts.Functions {
		env.bind(name, &Function{Signature: f.Signature, Impl: f.Impl})
	}
	for name, v := range opts.Bindings {
		env.bind(name, v)
	}
	res, err := ev.eval(e.root, input, env)
	if err != nil {
		return nil, err
	}
	if opts.RejectFunctions && isFunction(res) {
		return nil, ErrFunctionResult
	}
	return toPlain(res, true, 0)
}

// toPlain converts an engine value to a result: sequences become []any,
// integral numbers int64; objects become map[string]any unless ordered.
// Functions become Undefined at the top and are dropped inside values.
func toPlain(v any, ordered bool, depth int) (any, error) {
	if depth > maxNesting {
		return nil, newError("U1001", 0, "", Undefined)
	}
	switch x := v.(type) {
	case nil, bool, string, undefinedType:
		return v, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), nil
		}
		return x, nil
	case int64:
		return x, nil
	case *Object:
		if ordered {
			out := NewObject(x.Len())
			for i, k := range x.keys {
				c, err := toPlain(x.vals[i], ordered, depth+1)
				if err != nil {
					return nil, err
				}
				if c != Undefined {
					out.Set(k, c)
				}
			}
			return out, nil
		}
		out := make(map[string]any, x.Len())
		for i, k := range x.keys {
			c, err := toPlain(x.vals[i], ordered, depth+1)
			if err != nil {
				return nil, err
			}
			if c != Undefined {
				out[k] = c
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			c, err := toPlain(val, ordered, depth+1)
			if err != nil {
				return nil, err
			}
			if c != Undefined {
				out[k] = c
			}
		}
		return out, nil
	case []any, *sequence:
		items, _ := arrayItems(x)
		out := make([]any, 0, len(items))
		for _, it := range items {
			c, err := toPlain(it, ordered, depth+1)
			if err != nil {
				return nil, err
			}
			if c != Undefined {
				out = append(out, c)
			}
		}
		return out, nil
	}
	if f, ok := toNumber(v); ok {
		return toPlain(f, ordered, depth)
	}
	return Undefined, nil
}
