package jsonata

import "strconv"

// builder turns the raw parse tree into the evaluated AST: it gathers path
// steps, attaches predicates, group-by and order-by clauses to steps, marks
// tail calls, and resolves each parent operator (%) to the path step whose
// input it denotes.
type builder struct {
	parents []*node // every kParent node, indexed by slot.index
}

func (b *builder) build(n *node) (*node, error) {
	if n == nil {
		return nil, nil
	}
	var res *node
	var err error
	switch n.kind {
	case rDot:
		res, err = b.buildDot(n)
	case rPredicate:
		res, err = b.buildPredicate(n)
	case rGroup:
		if res, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		if res.group != nil {
			return nil, newError("S0210", n.pos, "", Undefined)
		}
		g := &groupBy{pos: n.pos}
		for _, pr := range n.pairs {
			k, err := b.build(pr[0])
			if err != nil {
				return nil, err
			}
			v, err := b.build(pr[1])
			if err != nil {
				return nil, err
			}
			g.pairs = append(g.pairs, [2]*node{k, v})
		}
		res.group = g
	case rOrderBy:
		if res, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		if res.kind != kPath {
			res = &node{kind: kPath, pos: res.pos, steps: []*node{res}}
		}
		sortStep := &node{kind: kSort, pos: n.pos}
		for _, t := range n.terms {
			e, err := b.build(t.expr)
			if err != nil {
				return nil, err
			}
			pushAncestry(sortStep, e)
			sortStep.terms = append(sortStep.terms, sortTerm{expr: e, descending: t.descending})
		}
		res.steps = append(res.steps, sortStep)
		if err := b.resolveAncestry(res); err != nil {
			return nil, err
		}
	case rFocus:
		if res, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		step := res
		if res.kind == kPath {
			step = res.steps[len(res.steps)-1]
		}
		if step.stages != nil || step.predicates != nil {
			return nil, newError("S0215", n.pos, "@", Undefined)
		}
		if step.kind == kSort {
			return nil, newError("S0216", n.pos, "@", Undefined)
		}
		if n.keepArray {
			step.keepArray = true
		}
		step.focus = n.str
		step.tuple = true
	case rIndex:
		if res, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		step := res
		if res.kind == kPath {
			step = res.steps[len(res.steps)-1]
		} else {
			res = &node{kind: kPath, pos: res.pos, steps: []*node{res}}
			for _, p := range step.predicates {
				step.stages = append(step.stages, stage{filter: p, pos: p.pos})
			}
			step.predicates = nil
		}
		if step.stages == nil {
			step.index = n.str
		} else {
			step.stages = append(step.stages, stage{index: n.str, pos: n.pos})
		}
		step.tuple = true
	case kBind:
		res = &node{kind: kBind, pos: n.pos, str: n.str}
		if res.rhs, err = b.build(n.rhs); err != nil {
			return nil, err
		}
		pushAncestry(res, res.rhs)
	case kApply:
		res = &node{kind: kApply, pos: n.pos}
		if res.lhs, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		if res.rhs, err = b.build(n.rhs); err != nil {
			return nil, err
		}
		res.keepArray = res.lhs.keepArray || res.rhs.keepArray
	case kBinary:
		res = &node{kind: kBinary, pos: n.pos, op: n.op}
		if res.lhs, err = b.build(n.lhs); err != nil {
			return nil, err
		}
		if res.rhs, err = b.build(n.rhs); err != nil {
			return nil, err
		}
		pushAncestry(res, res.lhs)
		pushAncestry(res, res.rhs)
	case kNegate:
		e, err := b.build(n.lhs)
		if err != nil {
			return nil, err
		}
		if e.kind == kNumber {
			res = &node{kind: kNumber, pos: e.pos, num: -e.num, keepArray: e.keepArray}
		} else {
			res = &node{kind: kNegate, pos: n.pos, lhs: e}
			pushAncestry(res, e)
		}
	case kArray:
		res = &node{kind: kArray, pos: n.pos}
		for _, it := range n.items {
			e, err := b.build(it)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, e)
			res.items = append(res.items, e)
		}
	case kObject:
		res = &node{kind: kObject, pos: n.pos}
		for _, pr := range n.pairs {
			k, err := b.build(pr[0])
			if err != nil {
				return nil, err
			}
			pushAncestry(res, k)
			v, err := b.build(pr[1])
			if err != nil {
				return nil, err
			}
			pushAncestry(res, v)
			res.pairs = append(res.pairs, [2]*node{k, v})
		}
	case kCall, kPartial:
		res = &node{kind: n.kind, pos: n.pos}
		for _, it := range n.items {
			e, err := b.build(it)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, e)
			res.items = append(res.items, e)
		}
		if res.lhs, err = b.build(n.lhs); err != nil {
			return nil, err
		}
	case kLambda:
		res = &node{kind: kLambda, pos: n.pos, params: n.params, sig: n.sig}
		body, err := b.build(n.body)
		if err != nil {
			return nil, err
		}
		res.body = tailCall(body)
	case kCondition:
		res = &node{kind: kCondition, pos: n.pos}
		if res.cond, err = b.build(n.cond); err != nil {
			return nil, err
		}
		pushAncestry(res, res.cond)
		if res.then, err = b.build(n.then); err != nil {
			return nil, err
		}
		pushAncestry(res, res.then)
		if n.els != nil {
			if res.els, err = b.build(n.els); err != nil {
				return nil, err
			}
			pushAncestry(res, res.els)
		}
	case kTransform:
		res = &node{kind: kTransform, pos: n.pos}
		if res.pattern, err = b.build(n.pattern); err != nil {
			return nil, err
		}
		if res.update, err = b.build(n.update); err != nil {
			return nil, err
		}
		if res.del, err = b.build(n.del); err != nil {
			return nil, err
		}
	case kBlock:
		res = &node{kind: kBlock, pos: n.pos}
		for _, it := range n.items {
			e, err := b.build(it)
			if err != nil {
				return nil, err
			}
			pushAncestry(res, e)
			if e.consArray || (e.kind == kPath && e.steps[0].consArray) {
				res.consArray = true
			}
			res.items = append(res.items, e)
		}
	case kName:
		res = &node{kind: kPath, pos: n.pos, steps: []*node{n}, keepSingletonArray: n.keepArray}
	case kParent:
		n.slot = &slot{label: "!" + strconv.Itoa(len(b.parents)), level: 1, index: len(b.parents)}
		b.parents = append(b.parents, n)
		res = n
	default:
		res = n
	}
	if err != nil {
		return nil, err
	}
	if n.keepArray {
		res.keepArray = true
	}
	return res, nil
}

// buildDot builds a path from lhs.rhs.
func (b *builder) buildDot(n *node) (*node, error) {
	lstep, err := b.build(n.lhs)
	if err != nil {
		return nil, err
	}
	path := lstep
	if lstep.kind != kPath {
		path = &node{kind: kPath, pos: lstep.pos, steps: []*node{lstep}}
	}
	if lstep.kind == kParent {
		path.seekingParent = []*slot{lstep.slot}
	}
	rest, err := b.build(n.rhs)
	if err != nil {
		return nil, err
	}
	if rest.kind == kPath {
		path.steps = append(path.steps, rest.steps...)
	} else {
		for _, p := range rest.predicates {
			rest.stages = append(rest.stages, stage{filter: p, pos: p.pos})
		}
		rest.predicates = nil
		path.steps = append(path.steps, rest)
	}
	for _, s := range path.steps {
		switch s.kind {
		case kNumber:
			return nil, newError("S0213", s.pos, "", s.num)
		case kValue:
			return nil, newError("S0213", s.pos, "", s.val)
		case kString:
			s.kind = kName
		}
		if s.keepArray {
			path.keepSingletonArray = true
		}
	}
	if first := path.steps[0]; first.kind == kArray {
		first.consArray = true
	}
	if last := path.steps[len(path.steps)-1]; last.kind == kArray {
		last.consArray = true
	}
	return path, b.resolveAncestry(path)
}

// buildPredicate attaches a predicate to the last step of a path, or to an
// expression.
func (b *builder) buildPredicate(n *node) (*node, error) {
	res, err := b.build(n.lhs)
	if err != nil {
		return nil, err
	}
	step := res
	onPath := false
	if res.kind == kPath {
		step = res.steps[len(res.steps)-1]
		onPath = true
	}
	if step.group != nil {
		return nil, newError("S0209", n.pos, "", Undefined)
	}
	pred, err := b.build(n.rhs)
	if err != nil {
		return nil, err
	}
	if pred.seekingParent != nil {
		for _, s := range pred.seekingParent {
			if s.level == 1 {
				if _, err := b.seekParent(step, s); err != nil {
					return nil, err
				}
			} else {
				s.level--
			}
		}
		pushAncestry(step, pred)
	}
	if onPath {
		step.stages = append(step.stages, stage{filter: pred, pos: n.pos})
	} else {
		step.predicates = append(step.predicates, pred)
	}
	return res, nil
}

// tailCall marks the function calls in tail position of a lambda body so that
// they are evaluated by apply's trampoline rather than recursively.
func tailCall(n *node) *node {
	switch n.kind {
	case kCall:
		if len(n.predicates) == 0 && n.group == nil {
			return &node{kind: kLambda, thunk: true, pos: n.pos, body: n}
		}
	case kCondition:
		n.then = tailCall(n.then)
		if n.els != nil {
			n.els = tailCall(n.els)
		}
	case kBlock:
		if len(n.items) > 0 {
			n.items[len(n.items)-1] = tailCall(n.items[len(n.items)-1])
		}
	}
	return n
}

// seekParent walks back from step n to find the step whose input the parent
// slot refers to.
func (b *builder) seekParent(n *node, s *slot) (*slot, error) {
	switch n.kind {
	case kName, kWildcard:
		s.level--
		if s.level == 0 {
			if n.ancestor != nil {
				s.label = n.ancestor.label
			}
			n.ancestor = s
			n.tuple = true
		}
	case kParent:
		s.level++
	case kBlock:
		if len(n.items) > 0 {
			n.tuple = true
			return b.seekParent(n.items[len(n.items)-1], s)
		}
	case kPath:
		n.tuple = true
		i := len(n.steps) - 1
		var err error
		if s, err = b.seekParent(n.steps[i], s); err != nil {
			return nil, err
		}
		for i--; s.level > 0 && i >= 0; i-- {
			if s, err = b.seekParent(n.steps[i], s); err != nil {
				return nil, err
			}
		}
	default:
		return nil, newError("S0217", n.pos, kindName(n.kind), Undefined)
	}
	return s, nil
}

// pushAncestry records on result the unresolved parent slots of value.
func pushAncestry(result, value *node) {
	if value == nil {
		return
	}
	if value.seekingParent == nil && value.kind != kParent {
		return
	}
	result.seekingParent = append(result.seekingParent, value.seekingParent...)
	if value.kind == kParent {
		result.seekingParent = append(result.seekingParent, value.slot)
	}
}

// resolveAncestry resolves the parent slots sought by the last step of a
// path against its earlier steps; the unresolved ones move to the path.
func (b *builder) resolveAncestry(path *node) error {
	last := path.steps[len(path.steps)-1]
	slots := append([]*slot(nil), last.seekingParent...)
	if last.kind == kParent {
		slots = append(slots, last.slot)
	}
	for _, s := range slots {
		i := len(path.steps) - 2
		for s.level > 0 {
			if i < 0 {
				path.seekingParent = append(path.seekingParent, s)
				break
			}
			step := path.steps[i]
			i--
			// contiguous steps binding a focus variable share one input
			for i >= 0 && step.focus != "" && path.steps[i].focus != "" {
				step = path.steps[i]
				i--
			}
			var err error
			if s, err = b.seekParent(step, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// kindName names a node kind for error messages.
func kindName(k kind) string {
	switch k {
	case kPath:
		return "path"
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kValue:
		return "value"
	case kVariable:
		return "variable"
	case kObject:
		return "unary"
	case kArray:
		return "unary"
	case kCall:
		return "function"
	case kLambda:
		return "lambda"
	case kCondition:
		return "condition"
	case kBinary:
		return "binary"
	}
	return "expression"
}

// finalize prepares a built tree for evaluation: it boxes number literals
// once and marks the paths that can take evaluation's fast path.
func finalize(n *node) {
	if n == nil {
		return
	}
	switch n.kind {
	case kNumber:
		n.val = n.num
	case kPath:
		n.simple = !n.keepArray && !n.keepSingletonArray && n.group == nil && !n.tuple
		for _, s := range n.steps {
			if s.kind == kSort || s.kind == kArray || s.tuple || s.focus != "" || s.index != "" ||
				len(s.stages) > 0 || s.consArray {
				n.simple = false
			}
		}
	}
	for _, c := range []*node{n.lhs, n.rhs, n.body, n.cond, n.then, n.els, n.pattern, n.update, n.del} {
		finalize(c)
	}
	for _, list := range [][]*node{n.items, n.steps, n.predicates} {
		for _, c := range list {
			finalize(c)
		}
	}
	for _, p := range n.pairs {
		finalize(p[0])
		finalize(p[1])
	}
	if n.group != nil {
		for _, p := range n.group.pairs {
			finalize(p[0])
			finalize(p[1])
		}
	}
	for _, st := range n.stages {
		finalize(st.filter)
	}
	for _, t := range n.terms {
		finalize(t.expr)
	}
}
