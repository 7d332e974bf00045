package jsonata

import "sync"

// lambda is a function defined in an expression, closed over the scope and
// context value of its definition. A thunk is a pending tail call.
type lambda struct {
	params []string
	body   *node
	sig    *signature
	env    *frame
	input  any
	thunk  bool
	pos    int
}

// native is a built-in function.
type native struct {
	name  string
	sig   *signature
	arity int
	fn    func(ev *evaluator, c *callCtx, args []any) (any, error)
}

// callCtx is what a native function sees of its call site.
type callCtx struct {
	input any
	env   *frame
	pos   int
	name  string
}

// partial is a partially applied function: args holds the bound arguments
// and placeholder for the open ones.
type partial struct {
	fn   any
	args []any
}

// transformer is the function a transform expression |pattern|update,delete|
// evaluates to.
type transformer struct {
	node *node
	env  *frame
}

// placeholderType marks an open argument of a partial application.
type placeholderType struct{}

var placeholder any = placeholderType{}

// Function is a native function supplied through Options.Functions or
// Options.Bindings. Signature is a JSONata function signature such as
// "<n-n:n>" (see the JSONata documentation) used to validate and coerce
// arguments; empty means any arguments. Impl receives the arguments in the
// engine's representation: nil, bool, string, float64 or int64, []any,
// *Object or map[string]any, or Undefined for a missing argument. It returns
// a value of the same kinds (plain map[string]any is accepted) or Undefined.
type Function struct {
	Signature string
	Impl      func(args []any) (any, error)
}

// signatures caches the parsed signatures of user functions.
var signatures sync.Map // string -> *signature

func (f *Function) signature() (*signature, error) {
	if f.Signature == "" {
		return nil, nil
	}
	if s, ok := signatures.Load(f.Signature); ok {
		return s.(*signature), nil
	}
	s, err := parseSignature(f.Signature)
	if err != nil {
		return nil, err
	}
	signatures.Store(f.Signature, s)
	return s, nil
}

// arity is the number of arguments a higher-order function passes to fn.
func arity(fn any) int {
	switch f := fn.(type) {
	case *lambda:
		return len(f.params)
	case *native:
		return f.arity
	case *partial:
		n := 0
		for _, a := range f.args {
			if a == placeholder {
				n++
			}
		}
		return n
	case *Function:
		if s, err := f.signature(); err == nil && s != nil {
			return s.arity()
		}
		return 1
	case Function:
		return arity(&f)
	}
	return 1
}

// procName is the name of the function a call node invokes, for errors.
func procName(n *node) string {
	switch n.kind {
	case kPath:
		if len(n.steps) > 0 {
			return n.steps[0].str
		}
	case kVariable, kName:
		return n.str
	}
	return ""
}

// evalCall evaluates a function call. first, when not nil, is the value of
// the left side of ~>, passed as the first argument.
func (ev *evaluator) evalCall(n *node, input any, env *frame, first *any) (any, error) {
	proc, args, err := ev.prepareCall(n, input, env, first)
	if err != nil {
		return nil, err
	}
	res, err := ev.apply(proc, args, input, env, n)
	if err != nil {
		return nil, withPosition(err, n.pos, procName(n.lhs))
	}
	return res, nil
}

// prepareCall evaluates a call's procedure and arguments.
func (ev *evaluator) prepareCall(n *node, input any, env *frame, first *any) (any, []any, error) {
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, nil, err
	}
	if proc == Undefined && n.lhs.kind == kPath && len(n.lhs.steps) > 0 {
		if _, ok := env.lookup(n.lhs.steps[0].str); ok {
			return nil, nil, newError("T1005", n.pos, n.lhs.steps[0].str, Undefined)
		}
	}
	args := make([]any, 0, len(n.items)+1)
	if first != nil {
		args = append(args, *first)
	}
	for _, a := range n.items {
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	return proc, args, nil
}

// apply invokes a function, running pending tail calls to completion.
func (ev *evaluator) apply(proc any, args []any, input any, env *frame, site *node) (any, error) {
	res, err := ev.applyInner(proc, args, input, env, site)
	for err == nil {
		l, ok := res.(*lambda)
		if !ok || !l.thunk {
			break
		}
		ev.steps++
		if ev.steps > ev.maxSteps {
			return nil, newError("U1001", l.pos, "", Undefined)
		}
		call := l.body
		var next any
		var nargs []any
		next, nargs, err = ev.prepareCall(call, l.input, l.env, nil)
		if err != nil {
			return nil, err
		}
		res, err = ev.applyInner(next, nargs, l.input, l.env, call)
		if err != nil {
			err = withPosition(err, call.pos, procName(call.lhs))
		}
	}
	return res, err
}

// applyInner invokes a function once; a tail call in a lambda body comes
// back as a thunk.
func (ev *evaluator) applyInner(proc any, args []any, input any, env *frame, site *node) (any, error) {
	name := ""
	if site != nil && site.lhs != nil {
		name = procName(site.lhs)
	}
	switch f := proc.(type) {
	case *lambda:
		if f.sig != nil {
			var err error
			if args, err = f.sig.validate(args, input, name); err != nil {
				return nil, err
			}
		}
		return ev.applyLambda(f, args)
	case *native:
		if f.sig != nil {
			var err error
			if args, err = f.sig.validate(args, input, f.name); err != nil {
				return nil, err
			}
		}
		pos := 0
		if site != nil {
			pos = site.pos
		}
		res, err := f.fn(ev, &callCtx{input: input, env: env, pos: pos, name: f.name}, args)
		if err == nil {
			err = ev.build(builtSize(res))
		}
		return res, err
	case *partial:
		full := make([]any, 0, len(f.args))
		i := 0
		for _, a := range f.args {
			if a == placeholder {
				if i < len(args) {
					a = args[i]
				} else {
					a = Undefined
				}
				i++
			}
			full = append(full, a)
		}
		return ev.apply(f.fn, full, input, env, site)
	case *regexValue:
		if len(args) == 0 {
			return Undefined, nil
		}
		s, ok := args[0].(string)
		if !ok {
			return Undefined, nil
		}
		return regexMatcher(f.lit, s, 0), nil
	case *transformer:
		var arg any = Undefined
		if len(args) > 0 {
			arg = args[0]
		}
		return ev.transform(f, arg)
	case *Function:
		return ev.applyUser(f, args, input, name)
	case Function:
		return ev.applyUser(&f, args, input, name)
	case func(args []any) (any, error):
		return ev.applyUser(&Function{Impl: f}, args, input, name)
	}
	return nil, newError("T1006", 0, name, Undefined)
}

// applyUser calls a user-supplied Go function.
func (ev *evaluator) applyUser(f *Function, args []any, input any, name string) (any, error) {
	sig, err := f.signature()
	if err != nil {
		return nil, err
	}
	if sig != nil {
		if args, err = sig.validate(args, input, name); err != nil {
			return nil, err
		}
	}
	plainArgs := make([]any, len(args))
	for i, a := range args {
		plainArgs[i] = unflag(a)
	}
	if f.Impl == nil {
		return nil, newError("T1006", 0, name, Undefined)
	}
	res, err := f.Impl(plainArgs)
	if err != nil {
		if _, ok := err.(*Error); ok {
			return nil, err
		}
		return nil, &Error{Code: "D3137", Token: name, Message: err.Error(), Value: err.Error()}
	}
	if res == nil {
		return nil, nil
	}
	return res, nil
}

// unflag turns a sequence into a plain array for a user function.
func unflag(v any) any {
	if s, ok := v.(*sequence); ok {
		return s.items
	}
	return v
}

// applyLambda evaluates a lambda's body with its parameters bound.
func (ev *evaluator) applyLambda(f *lambda, args []any) (any, error) {
	scope := &frame{parent: f.env, names: f.params[:len(f.params):len(f.params)]}
	if len(f.params) <= len(scope.inline) {
		scope.vals = scope.inline[:len(f.params):len(f.params)]
	} else {
		scope.vals = make([]any, len(f.params))
	}
	for i := range f.params {
		if i < len(args) {
			scope.vals[i] = args[i]
		} else {
			scope.vals[i] = Undefined
		}
	}
	return ev.eval(f.body, f.input, scope)
}

// evalPartial evaluates a partial application such as $f(?, 2).
func (ev *evaluator) evalPartial(n *node, input any, env *frame) (any, error) {
	args := make([]any, 0, len(n.items))
	for _, a := range n.items {
		if a.kind == kPlaceholder {
			args = append(args, placeholder)
			continue
		}
		v, err := ev.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	proc, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if proc == Undefined && n.lhs.kind == kPath && len(n.lhs.steps) > 0 {
		if _, ok := env.lookup(n.lhs.steps[0].str); ok {
			return nil, newError("T1007", n.pos, n.lhs.steps[0].str, Undefined)
		}
	}
	if !isFunction(proc) {
		return nil, newError("T1008", n.pos, procName(n.lhs), Undefined)
	}
	return &partial{fn: proc, args: args}, nil
}

// evalApply evaluates lhs ~> rhs: rhs applied to lhs, or, when both are
// functions, their composition.
func (ev *evaluator) evalApply(n *node, input any, env *frame) (any, error) {
	lhs, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.rhs.kind == kCall {
		return ev.evalCall(n.rhs, input, env, &lhs)
	}
	fn, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	if !isFunction(fn) {
		return nil, newError("T2006", n.pos, "~>", fn)
	}
	if isFunction(lhs) {
		ev.captured = true
		return &native{name: "compose", arity: 1, fn: func(ev *evaluator, c *callCtx, args []any) (any, error) {
			r, err := ev.apply(lhs, args, c.input, env, nil)
			if err != nil {
				return nil, err
			}
			return ev.apply(fn, []any{r}, c.input, env, nil)
		}}, nil
	}
	return ev.apply(fn, []any{lhs}, input, env, n.rhs)
}

// callFunction invokes fn from a higher-order built-in, passing as many of
// args as fn takes.
func (ev *evaluator) callFunction(fn any, c *callCtx, args ...any) (any, error) {
	n := arity(fn)
	if n < len(args) {
		args = args[:n]
	}
	return ev.apply(fn, args, c.input, c.env, nil)
}
