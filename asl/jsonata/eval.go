package jsonata

import (
	"cmp"
	"math"
	"sync/atomic"
	"time"
)

// evaluator holds the state of one evaluation: limits and counters, and the
// injected clock and random source. A compiled expression is shared; an
// evaluator is not.
type evaluator struct {
	depth    int
	maxDepth int
	steps    int
	maxSteps int
	built    int64 // bytes of values built (see build)
	// rangeItems counts the items of the evaluation's ranges.
	rangeItems int
	maxBytes   int64
	done       <-chan struct{}
	now        func() time.Time
	random     func() float64
	nowValue   time.Time
	nowSet     bool
	// captured is set when a function value captures a scope of this
	// evaluation: the scope may then outlive it (see evalState).
	captured bool
}

// eval evaluates node n against the context value input.
func (ev *evaluator) eval(n *node, input any, env *frame) (any, error) {
	ev.depth++
	if ev.depth > ev.maxDepth {
		ev.depth--
		return nil, newError("U1001", n.pos, "", Undefined)
	}
	ev.steps++
	if ev.steps > ev.maxSteps {
		ev.depth--
		return nil, newError("U1001", n.pos, "", Undefined)
	}
	if ev.done != nil && ev.steps&1023 == 0 {
		select {
		case <-ev.done:
			ev.depth--
			return nil, newError("U1003", n.pos, "", Undefined)
		default:
		}
	}
	res, err := ev.evalNode(n, input, env)
	if err == nil {
		for _, p := range n.predicates {
			if res, err = ev.filter(p, res, env); err != nil {
				break
			}
		}
	}
	if err == nil && n.kind != kPath && n.group != nil {
		res, err = ev.groupBy(n.group, res, env)
	}
	ev.depth--
	if err != nil {
		return nil, err
	}
	return collapse(res, n.keepArray), nil
}

// charge counts n units of work against the step limit, for built-in
// functions whose cost grows with their input.
func (ev *evaluator) charge(n int) error {
	ev.steps += n
	if ev.steps > ev.maxSteps {
		return newError("U1001", 0, "", Undefined)
	}
	return nil
}

// builtInFlight is what the evaluations in progress in this process have
// built (see build): the budget of one evaluation bounds one request, this
// bounds many at once (40 concurrent requests of a doubling function took
// a server to 14-21 GB).
var builtInFlight atomic.Int64

// MaxBytesInFlight bounds builtInFlight: an evaluation whose next value
// would pass it fails as if over its own budget.
var MaxBytesInFlight int64 = 128 << 20

// build counts n bytes of values about to be built against the
// evaluation's byte budget and the process's.
func (ev *evaluator) build(n int) error {
	ev.built += int64(n)
	inFlight := builtInFlight.Add(int64(n))
	if ev.built > ev.maxBytes || inFlight > MaxBytesInFlight {
		return newError("U1002", 0, "", ev.maxBytes)
	}
	return nil
}

// builtSize is what a built-in function's result counts against the byte
// budget: a string's bytes, 16 per item of an array, 32 per key of an
// object (its items and values were counted as they were built).
func builtSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []any:
		return 16 * len(x)
	case *sequence:
		return 16 * len(x.items)
	case *Object:
		return 32 * x.Len()
	case map[string]any:
		return 32 * len(x)
	}
	return 0
}

func (ev *evaluator) evalNode(n *node, input any, env *frame) (any, error) {
	switch n.kind {
	case kPath:
		return ev.evalPath(n, input, env)
	case kName:
		return lookupField(input, n.str), nil
	case kString:
		return n.str, nil
	case kNumber:
		if n.val != nil {
			return n.val, nil
		}
		return n.num, nil
	case kValue:
		return n.val, nil
	case kRegex:
		return &regexValue{lit: n.re}, nil
	case kVariable:
		if n.str == "" {
			if s, ok := input.(*sequence); ok && s.outerWrapper && len(s.items) > 0 {
				return s.items[0], nil
			}
			return input, nil
		}
		if v, ok := env.lookup(n.str); ok {
			return v, nil
		}
		return Undefined, nil
	case kWildcard:
		return wildcard(input), nil
	case kDescendant:
		return descendants(input), nil
	case kParent:
		if v, ok := env.lookup(n.slot.label); ok {
			return v, nil
		}
		return Undefined, nil
	case kBinary:
		return ev.evalBinary(n, input, env)
	case kNegate:
		v, err := ev.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if v == Undefined {
			return Undefined, nil
		}
		f, ok := toNumber(v)
		if !ok {
			return nil, newError("D1002", n.pos, "-", v)
		}
		return -f, nil
	case kArray:
		return ev.evalArray(n, input, env)
	case kObject:
		return ev.groupBy(&groupBy{pairs: n.pairs, pos: n.pos}, input, env)
	case kBlock:
		scope := newFrame(env)
		var res any = Undefined
		for _, e := range n.items {
			var err error
			if res, err = ev.eval(e, input, scope); err != nil {
				return nil, err
			}
		}
		return res, nil
	case kCondition:
		c, err := ev.eval(n.cond, input, env)
		if err != nil {
			return nil, err
		}
		if toBoolean(c) {
			return ev.eval(n.then, input, env)
		}
		if n.els != nil {
			return ev.eval(n.els, input, env)
		}
		return Undefined, nil
	case kBind:
		v, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		env.bind(n.str, v)
		return v, nil
	case kCall:
		return ev.evalCall(n, input, env, nil)
	case kPartial:
		return ev.evalPartial(n, input, env)
	case kLambda:
		ev.captured = true
		return &lambda{params: n.params, body: n.body, sig: n.sig, env: env, input: input, thunk: n.thunk, pos: n.pos}, nil
	case kApply:
		return ev.evalApply(n, input, env)
	case kTransform:
		ev.captured = true
		return &transformer{node: n, env: env}, nil
	case kSort:
		items, ok := arrayItems(input)
		if !ok {
			items = []any{input}
		}
		return ev.sortByTerms(n, items, env, false)
	case kPlaceholder:
		return nil, newError("S0201", n.pos, "?", Undefined)
	}
	return nil, newError("S0206", n.pos, "", Undefined)
}

// lookupField returns the value of field name of an object, or the sequence
// of those values over an array (flattening arrays one level).
func lookupField(input any, name string) any {
	switch v := input.(type) {
	case *Object:
		if r, ok := v.Get(name); ok {
			return r
		}
		return Undefined
	case map[string]any:
		if r, ok := v[name]; ok {
			return r
		}
		return Undefined
	case []any, *sequence:
		items, _ := arrayItems(v)
		out := newSeq(len(items))
		for _, it := range items {
			r := lookupField(it, name)
			if r == Undefined {
				continue
			}
			if ri, ok := arrayItems(r); ok {
				out.items = append(out.items, ri...)
			} else {
				out.push(r)
			}
		}
		return out
	}
	return Undefined
}

// wildcard returns the values of all fields of an object, arrays flattened.
func wildcard(input any) any {
	if s, ok := input.(*sequence); ok && s.outerWrapper && len(s.items) > 0 {
		input = s.items[0]
	}
	out := newSeq(0)
	plain := false
	add := func(_ string, v any) bool {
		if isArray(v) {
			out.items = flattenInto(out.items, v)
			plain = true
		} else {
			out.push(v)
		}
		return true
	}
	if items, ok := arrayItems(input); ok {
		for _, it := range items {
			add("", it)
		}
		if plain {
			return out.items
		}
		return out
	}
	if !isObject(input) {
		return out
	}
	objectRange(input, func(_ string, v any) bool {
		if isArray(v) {
			out.items = flattenInto(out.items, v)
			plain = true
		} else {
			out.push(v)
		}
		return true
	})
	if plain {
		return out.items
	}
	return out
}

// descendants returns the value and all values nested in it, arrays
// flattened.
func descendants(input any) any {
	if input == Undefined {
		return Undefined
	}
	out := newSeq(0)
	var walk func(v any)
	walk = func(v any) {
		if items, ok := arrayItems(v); ok {
			for _, it := range items {
				walk(it)
			}
			return
		}
		out.push(v)
		if isObject(v) {
			objectRange(v, func(_ string, c any) bool {
				walk(c)
				return true
			})
		}
	}
	walk(input)
	if len(out.items) == 1 {
		return out.items[0]
	}
	return out
}

// evalArray evaluates an array constructor.
func (ev *evaluator) evalArray(n *node, input any, env *frame) (any, error) {
	out := make([]any, 0, len(n.items))
	ranged := 0 // items that came from ranges, counted by rangeOf
	for _, it := range n.items {
		v, err := ev.eval(it, input, env)
		if err != nil {
			return nil, err
		}
		if v == Undefined {
			continue
		}
		if it.kind == kBinary && it.op == ".." {
			if seq, ok := v.(*sequence); ok {
				ranged += len(seq.items)
			}
		}
		if it.kind == kArray {
			out = append(out, v)
		} else if items, ok := arrayItems(v); ok {
			out = append(out, items...)
		} else {
			out = append(out, v)
		}
	}
	if err := ev.build(16 * (len(out) - ranged)); err != nil {
		return nil, err
	}
	if n.consArray {
		return &sequence{items: out, cons: true}, nil
	}
	return out, nil
}

// toBoolean casts a value to a boolean as $boolean does (Undefined is false).
func toBoolean(v any) bool {
	switch x := v.(type) {
	case undefinedType, nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case *Object, map[string]any:
		return objectLen(x) > 0
	case []any, *sequence:
		items, _ := arrayItems(x)
		for _, it := range items {
			if toBoolean(it) {
				return true
			}
		}
		return false
	}
	if f, ok := toNumber(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	return false
}

// evalBinary evaluates the binary operators.
func (ev *evaluator) evalBinary(n *node, input any, env *frame) (any, error) {
	lhs, err := ev.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "and":
		if !toBoolean(lhs) {
			return false, nil
		}
		rhs, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return toBoolean(rhs), nil
	case "or":
		if toBoolean(lhs) {
			return true, nil
		}
		rhs, err := ev.eval(n.rhs, input, env)
		if err != nil {
			return nil, err
		}
		return toBoolean(rhs), nil
	}
	rhs, err := ev.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	var res any
	switch n.op {
	case "+", "-", "*", "/", "%":
		res, err = arithmetic(n.op, lhs, rhs)
	case "=":
		if lhs == Undefined || rhs == Undefined {
			return false, nil
		}
		return deepEqual(lhs, rhs), nil
	case "!=":
		if lhs == Undefined || rhs == Undefined {
			return false, nil
		}
		return !deepEqual(lhs, rhs), nil
	case "<", "<=", ">", ">=":
		res, err = compare(n.op, lhs, rhs)
	case "&":
		ls, err1 := concatString(lhs)
		rs, err2 := concatString(rhs)
		if err1 != nil {
			err = err1
		} else if err2 != nil {
			err = err2
		}
		if err == nil {
			if err = ev.build(len(ls) + len(rs)); err == nil {
				res = ls + rs
			}
		}
	case "..":
		res, err = ev.rangeOf(lhs, rhs)
	case "in":
		if lhs == Undefined || rhs == Undefined {
			return false, nil
		}
		items, ok := arrayItems(rhs)
		if !ok {
			items = []any{rhs}
		}
		for _, it := range items {
			if strictEqual(it, lhs) {
				return true, nil
			}
		}
		return false, nil
	default:
		return nil, newError("S0204", n.pos, n.op, Undefined)
	}
	if err != nil {
		return nil, withPosition(err, n.pos, n.op)
	}
	return res, nil
}

// checkNumber reports whether v is a number, failing on infinities.
func checkNumber(v any) (float64, bool, error) {
	f, ok := toNumber(v)
	if !ok {
		return 0, false, nil
	}
	if math.IsNaN(f) {
		return 0, false, nil
	}
	if math.IsInf(f, 0) {
		return 0, false, newError("D1001", 0, "", f)
	}
	return f, true, nil
}

func arithmetic(op string, lhs, rhs any) (any, error) {
	l, lok, err := checkNumber(lhs)
	if err != nil {
		return nil, err
	}
	if lhs != Undefined && !lok {
		return nil, newError("T2001", 0, op, lhs)
	}
	r, rok, err := checkNumber(rhs)
	if err != nil {
		return nil, err
	}
	if rhs != Undefined && !rok {
		return nil, newError("T2002", 0, op, rhs)
	}
	if !lok || !rok {
		return Undefined, nil
	}
	var res float64
	switch op {
	case "+":
		res = l + r
	case "-":
		res = l - r
	case "*":
		res = l * r
	case "/":
		res = l / r
	case "%":
		res = math.Mod(l, r)
	}
	return res, nil
}

func compare(op string, lhs, rhs any) (any, error) {
	comparable := func(v any) bool {
		return v == Undefined || isString(v) || isNumber(v)
	}
	if !comparable(lhs) {
		return nil, newError("T2010", 0, op, lhs)
	}
	if !comparable(rhs) {
		return nil, newError("T2010", 0, op, rhs)
	}
	if lhs == Undefined || rhs == Undefined {
		return Undefined, nil
	}
	if ls, ok := lhs.(string); ok {
		rs, ok := rhs.(string)
		if !ok {
			return nil, mismatch(op, lhs, rhs)
		}
		return ordered(op, ls, rs), nil
	}
	l, _ := toNumber(lhs)
	r, ok := toNumber(rhs)
	if !ok {
		return nil, mismatch(op, lhs, rhs)
	}
	return ordered(op, l, r), nil
}

// ordered applies the comparison operator op (<, <=, >, >=) to a and b.
func ordered[T cmp.Ordered](op string, a, b T) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

func mismatch(op string, lhs, rhs any) error {
	e := &Error{Code: "T2009", Token: op, Value: lhs}
	e.Message = e.render(map[string]any{"value2": rhs})
	return e
}

// concatString converts an operand of & to a string.
func concatString(v any) (string, error) {
	if v == Undefined {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return stringValue(v, false)
}

// maxRange is the largest sequence the range operator may allocate.
const maxRange = 10_000_000

func (ev *evaluator) rangeOf(lhs, rhs any) (any, error) {
	if lhs != Undefined && !isInteger(lhs) {
		return nil, newError("T2003", 0, "..", lhs)
	}
	if rhs != Undefined && !isInteger(rhs) {
		return nil, newError("T2004", 0, "..", rhs)
	}
	if lhs == Undefined || rhs == Undefined {
		return Undefined, nil
	}
	l, _ := toNumber(lhs)
	r, _ := toNumber(rhs)
	if l > r {
		return Undefined, nil
	}
	size := r - l + 1
	if size > maxRange {
		return nil, newError("D2014", 0, "..", size)
	}
	if err := ev.charge(int(size) / 8); err != nil {
		return nil, err
	}
	// Ranges have a budget of their own, JSONata's bound on one range for
	// all of them together, and not the byte budget: [1..10000000] is a
	// valid expression.
	if ev.rangeItems += int(size); ev.rangeItems > maxRange {
		return nil, newError("D2014", 0, "..", size)
	}
	out := &sequence{items: make([]any, int(size)), sequence: true}
	for i := range out.items {
		out.items[i] = l + float64(i)
	}
	return out, nil
}

// strictEqual is JavaScript's ===: values by value, objects by identity.
func strictEqual(a, b any) bool {
	if fa, ok := toNumber(a); ok {
		fb, ok := toNumber(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case *Object:
		y, ok := b.(*Object)
		return ok && x == y
	case *sequence:
		y, ok := b.(*sequence)
		return ok && x == y
	}
	return false
}
