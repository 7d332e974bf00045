package jsonata

import "sync"

// evalState is the state of one evaluation: the evaluator, the scope of
// the bindings and the top scope. States are recycled through statePool,
// so that a simple evaluation allocates nothing up front.
//
// A state is recycled only when nothing can refer to it once its
// evaluation has returned: when no function value (a lambda, a transform,
// a composition) captured one of its scopes. Such a function could reach
// the caller in an error's Value or as an argument of a native Function,
// and it must keep its own scopes.
type evalState struct {
	ev       evaluator
	bindings frame
	top      frame
}

var statePool = sync.Pool{New: func() any { return new(evalState) }}

// dollar is the name of the root context variable ($$), bound in the top
// scope. Its capacity is its length, so that binding a variable there
// copies it instead of writing to it.
var dollar = []string{"$"}

// noOptions stands for nil Options.
var noOptions Options

// eval evaluates the expression and converts its result to a plain value
// (keeping key order when ordered).
func (e *Expr) eval(input any, opts *Options, ordered bool) (any, error) {
	st := statePool.Get().(*evalState)
	res, err := e.run(st, input, opts)
	if err == nil {
		res, err = toPlain(res, ordered, 0)
	}
	if !st.ev.captured {
		// clear the state, so that the pool holds on to no values
		*st = evalState{}
		statePool.Put(st)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// run evaluates the expression with st, which must be clear, and returns
// the engine's result, before its conversion to a plain value.
//
// Scopes, from the outermost: the prepared functions (Options.Prepared,
// shared), the functions of Options.Functions (bound for this evaluation),
// Options.Bindings (looked up in the caller's map, not copied), and the top
// scope holding $$ and the variables the expression binds. Inner scopes
// shadow outer ones, so a binding overrides a function of the same name.
func (e *Expr) run(st *evalState, input any, opts *Options) (any, error) {
	if opts == nil {
		opts = &noOptions
	}
	ev := &st.ev
	ev.maxDepth = opts.MaxDepth
	if ev.maxDepth <= 0 {
		ev.maxDepth = DefaultMaxDepth
	}
	ev.maxDepth = min(ev.maxDepth, MaxDepthCap)
	ev.maxSteps = opts.MaxSteps
	if ev.maxSteps <= 0 {
		ev.maxSteps = DefaultMaxSteps
	}
	ev.maxBytes = opts.MaxBytes
	if ev.maxBytes <= 0 {
		ev.maxBytes = DefaultMaxBytes
	}
	ev.done = opts.Done
	ev.now, ev.random = opts.Now, opts.Random
	if items, ok := input.([]any); ok {
		input = &sequence{items: []any{items}, sequence: true, outerWrapper: true}
	}
	env := opts.Prepared.frame()
	if n := len(opts.Functions); n > 0 {
		fs := &frame{parent: env, names: make([]string, 0, n), vals: make([]any, 0, n)}
		fns := make([]Function, 0, n)
		for name, f := range opts.Functions {
			fns = append(fns, f)
			fs.names = append(fs.names, name)
			fs.vals = append(fs.vals, &fns[len(fns)-1])
		}
		env = fs
	}
	if len(opts.Bindings) > 0 {
		st.bindings = frame{parent: env, tup: tuple(opts.Bindings)}
		env = &st.bindings
	}
	st.top.parent = env
	if !definesDollar(opts) {
		st.top.names = dollar
		st.top.vals = st.top.inline[:1:1]
		st.top.vals[0] = input
	}
	defer func() { builtInFlight.Add(-ev.built) }() // no longer in flight
	res, err := ev.eval(e.root, input, &st.top)
	if err != nil {
		return nil, err
	}
	if opts.RejectFunctions && isFunction(res) {
		return nil, ErrFunctionResult
	}
	return res, nil
}

// definesDollar reports whether the options bind the name "$", which then
// takes the place of the input as $$.
func definesDollar(opts *Options) bool {
	if _, ok := opts.Bindings["$"]; ok {
		return true
	}
	if _, ok := opts.Functions["$"]; ok {
		return true
	}
	return opts.Prepared.has("$")
}
