package jsonata

import "math"

// evalPath evaluates a location path: each step is evaluated against every
// item of the previous step's result, and the results are flattened. Once a
// step binds a variable (@$focus, #$index) or a parent (%) refers to it, the
// path carries a tuple stream: each item with its variable bindings.
func (ev *evaluator) evalPath(n *node, input any, env *frame) (any, error) {
	start := 0
	var inputSeq any
	var result any = Undefined
	if n.simple && (!isArray(input) || n.steps[0].kind == kVariable) {
		// fast path: while each step gives a single value, there is no
		// sequence to build
		cur := input
		for ; start < len(n.steps); start++ {
			res, err := ev.eval(n.steps[start], cur, env)
			if err != nil {
				return nil, err
			}
			if res == Undefined {
				return Undefined, nil
			}
			if isArray(res) {
				result = stepResult(res, start == len(n.steps)-1)
				start++
				break
			}
			cur = res
		}
		if start == len(n.steps) {
			if result == Undefined {
				return cur, nil
			}
			return result, nil
		}
		items, _ := arrayItems(result)
		if len(items) == 0 {
			return result, nil
		}
		inputSeq = result
	} else if isArray(input) && n.steps[0].kind != kVariable {
		inputSeq = input
	} else {
		inputSeq = &sequence{items: []any{input}, sequence: true}
	}
	var tuples *sequence
	isTuple := false
	var err error
	for i := start; i < len(n.steps); i++ {
		step := n.steps[i]
		if step.tuple {
			isTuple = true
		}
		switch {
		case i == 0 && step.consArray:
			result, err = ev.eval(step, inputSeq, env)
		case isTuple:
			tuples, err = ev.tupleStep(step, inputSeq, tuples, env)
		default:
			result, err = ev.step(step, inputSeq, env, i == len(n.steps)-1)
		}
		if err != nil {
			return nil, err
		}
		if !isTuple {
			items, ok := arrayItems(result)
			if result == Undefined || (ok && len(items) == 0) {
				break
			}
		}
		if step.focus == "" {
			inputSeq = result
		}
	}
	if isTuple {
		if tuples == nil {
			tuples = &sequence{sequence: true, tupleStream: true}
		}
		if n.tuple {
			result = tuples
		} else {
			out := newSeq(len(tuples.items))
			for _, t := range tuples.items {
				out.push(t.(tuple)["@"])
			}
			result = out
		}
	}
	if n.keepSingletonArray {
		if s, ok := result.(*sequence); ok && s.cons && !s.sequence {
			result = &sequence{items: []any{s}, sequence: true}
		}
		if s, ok := result.(*sequence); ok {
			s.keepSingleton = true
		}
	}
	if n.group != nil {
		if isTuple {
			result = tuples
		}
		return ev.groupBy(n.group, result, env)
	}
	return result, nil
}

// step evaluates one non-tuple path step against each item of input.
func (ev *evaluator) step(step *node, input any, env *frame, last bool) (any, error) {
	items, ok := arrayItems(input)
	if !ok {
		items = []any{input}
	}
	if step.kind == kSort {
		res, err := ev.sortByTerms(step, items, env, false)
		if err != nil {
			return nil, err
		}
		if step.stages != nil {
			return ev.stages(step.stages, res, env)
		}
		return res, nil
	}
	// fast path: one input item
	if len(items) == 1 && len(step.stages) == 0 {
		res, err := ev.eval(step, items[0], env)
		if err != nil {
			return nil, err
		}
		return stepResult(res, last), nil
	}
	collected := make([]any, 0, len(items))
	for _, it := range items {
		res, err := ev.eval(step, it, env)
		if err != nil {
			return nil, err
		}
		for _, st := range step.stages {
			if res, err = ev.filter(st.filter, res, env); err != nil {
				return nil, err
			}
		}
		if res != Undefined {
			collected = append(collected, res)
		}
	}
	if last && len(collected) == 1 && isArray(collected[0]) && !isSeq(collected[0]) {
		return collected[0], nil
	}
	out := newSeq(len(collected))
	for _, r := range collected {
		if ri, ok := arrayItems(r); ok && !isCons(r) {
			out.items = append(out.items, ri...)
		} else {
			out.push(r)
		}
	}
	return out, nil
}

// stepResult is step's result for a single evaluated item.
func stepResult(res any, last bool) any {
	if res == Undefined {
		return newSeq(0)
	}
	if ri, ok := arrayItems(res); ok {
		if last && !isSeq(res) {
			return res
		}
		if isCons(res) {
			return &sequence{items: []any{res}, sequence: true}
		}
		return &sequence{items: ri[:len(ri):len(ri)], sequence: true}
	}
	return &sequence{items: []any{res}, sequence: true}
}

func isCons(v any) bool {
	s, ok := v.(*sequence)
	return ok && s.cons
}

// tupleStep evaluates a path step in a tuple stream.
func (ev *evaluator) tupleStep(step *node, input any, tuples *sequence, env *frame) (*sequence, error) {
	if step.kind == kSort {
		var res *sequence
		if tuples != nil {
			sorted, err := ev.sortByTerms(step, tuples.items, env, true)
			if err != nil {
				return nil, err
			}
			res = &sequence{items: sorted.(*sequence).items, sequence: true, tupleStream: true}
		} else {
			items, ok := arrayItems(input)
			if !ok {
				items = []any{input}
			}
			sorted, err := ev.sortByTerms(step, items, env, false)
			if err != nil {
				return nil, err
			}
			si, _ := arrayItems(sorted)
			res = &sequence{items: make([]any, len(si)), sequence: true, tupleStream: true}
			for i, v := range si {
				t := tuple{"@": v}
				if step.index != "" {
					t[step.index] = float64(i)
				}
				res.items[i] = t
			}
		}
		if step.stages != nil {
			out, err := ev.stages(step.stages, res, env)
			if err != nil {
				return nil, err
			}
			return out.(*sequence), nil
		}
		return res, nil
	}
	if tuples == nil {
		items, ok := arrayItems(input)
		if !ok {
			items = []any{input}
		}
		tuples = &sequence{items: make([]any, len(items)), sequence: true, tupleStream: true}
		for i, it := range items {
			tuples.items[i] = tuple{"@": it}
		}
	}
	out := &sequence{sequence: true, tupleStream: true}
	for _, ti := range tuples.items {
		tb := ti.(tuple)
		res, err := ev.eval(step, tb["@"], frameFromTuple(env, tb))
		if err != nil {
			return nil, err
		}
		if res == Undefined {
			continue
		}
		items, ok := arrayItems(res)
		if !ok {
			items = []any{res}
		}
		resTuples := false
		if s, ok := res.(*sequence); ok && s.tupleStream {
			resTuples = true
		}
		for bb, it := range items {
			t := tb.clone()
			if resTuples {
				for k, v := range it.(tuple) {
					t[k] = v
				}
			} else {
				if step.focus != "" {
					t[step.focus] = it
				} else {
					t["@"] = it
				}
				if step.index != "" {
					t[step.index] = float64(bb)
				}
				if step.ancestor != nil {
					t[step.ancestor.label] = tb["@"]
				}
			}
			out.items = append(out.items, t)
		}
	}
	if step.stages != nil {
		res, err := ev.stages(step.stages, out, env)
		if err != nil {
			return nil, err
		}
		return res.(*sequence), nil
	}
	return out, nil
}

// stages applies the predicates and index bindings of a step.
func (ev *evaluator) stages(stages []stage, input any, env *frame) (any, error) {
	res := input
	for _, st := range stages {
		if st.filter != nil {
			var err error
			if res, err = ev.filter(st.filter, res, env); err != nil {
				return nil, err
			}
			continue
		}
		if s, ok := res.(*sequence); ok {
			for i, t := range s.items {
				if tp, ok := t.(tuple); ok {
					tp[st.index] = float64(i)
				}
			}
		}
	}
	return res, nil
}

// filter applies a predicate: a number selects by position (negative from
// the end), anything else keeps the items for which it is true.
func (ev *evaluator) filter(pred *node, input any, env *frame) (any, error) {
	out := newSeq(0)
	items, ok := arrayItems(input)
	if !ok {
		items = []any{input}
	}
	tupleIn := false
	if s, ok := input.(*sequence); ok && s.tupleStream {
		tupleIn = true
		out.tupleStream = true
	}
	if pred.kind == kNumber && len(pred.predicates) == 0 && pred.group == nil {
		idx := int(math.Floor(pred.num))
		if idx < 0 {
			idx += len(items)
		}
		if idx >= 0 && idx < len(items) {
			it := items[idx]
			if isArray(it) {
				return it, nil
			}
			if it != Undefined {
				out.push(it)
			}
		}
		return out, nil
	}
	for i, it := range items {
		ctx, fenv := it, env
		if tupleIn {
			t := it.(tuple)
			ctx = t["@"]
			fenv = frameFromTuple(env, t)
		}
		res, err := ev.eval(pred, ctx, fenv)
		if err != nil {
			return nil, err
		}
		if f, ok := toNumber(res); ok {
			if matchIndex(f, i, len(items)) && it != Undefined {
				out.push(it)
			}
			continue
		}
		if ri, ok := arrayItems(res); ok && allNumbers(ri) && len(ri) > 0 {
			for _, r := range ri {
				f, _ := toNumber(r)
				if matchIndex(f, i, len(items)) && it != Undefined {
					out.push(it)
				}
			}
			continue
		}
		if toBoolean(res) && it != Undefined {
			out.push(it)
		}
	}
	return out, nil
}

func matchIndex(f float64, i, n int) bool {
	idx := int(math.Floor(f))
	if idx < 0 {
		idx += n
	}
	return idx == i
}

func allNumbers(items []any) bool {
	for _, it := range items {
		if !isNumber(it) {
			return false
		}
	}
	return true
}

// groupBy evaluates an object constructor: each input item is evaluated
// against every key expression; items with the same key are grouped and the
// value expression is evaluated against each group.
func (ev *evaluator) groupBy(g *groupBy, input any, env *frame) (any, error) {
	items, ok := arrayItems(input)
	if !ok {
		items = []any{input}
	}
	if len(items) == 0 {
		items = []any{Undefined}
	}
	isTuple := false
	if s, ok := input.(*sequence); ok && s.tupleStream {
		isTuple = true
	}
	type entry struct {
		data any
		pair int
	}
	var keys []string
	groups := make(map[string]*entry)
	for _, it := range items {
		ctx, fenv := it, env
		if isTuple {
			t := it.(tuple)
			ctx = t["@"]
			fenv = frameFromTuple(env, t)
		}
		for pi, pr := range g.pairs {
			k, err := ev.eval(pr[0], ctx, fenv)
			if err != nil {
				return nil, err
			}
			if k == Undefined {
				continue
			}
			ks, ok := k.(string)
			if !ok {
				return nil, newError("T1003", pr[0].pos, "", k)
			}
			if e, ok := groups[ks]; ok {
				if e.pair != pi {
					return nil, newError("D1009", pr[0].pos, "", ks)
				}
				if isTuple {
					e.data = appendTuple(e.data, it)
				} else {
					e.data = appendValues(e.data, it)
				}
				continue
			}
			groups[ks] = &entry{data: it, pair: pi}
			keys = append(keys, ks)
		}
	}
	out := NewObject(len(keys))
	for _, k := range keys {
		e := groups[k]
		ctx, fenv := e.data, env
		if isTuple {
			t := reduceTuples(e.data)
			ctx = t["@"]
			delete(t, "@")
			fenv = frameFromTuple(env, t)
		}
		v, err := ev.eval(g.pairs[e.pair][1], ctx, fenv)
		if err != nil {
			return nil, err
		}
		if v != Undefined {
			out.Set(k, v)
		}
	}
	return out, nil
}

// appendTuple collects the tuples of a group.
func appendTuple(data, t any) any {
	if list, ok := data.([]any); ok {
		return append(list, t)
	}
	return []any{data, t}
}

// reduceTuples merges the tuples of a group into one tuple whose values are
// the sequences of the members' values.
func reduceTuples(data any) tuple {
	list, ok := data.([]any)
	if !ok {
		return data.(tuple).clone()
	}
	res := list[0].(tuple).clone()
	for _, t := range list[1:] {
		for k, v := range t.(tuple) {
			if prev, ok := res[k]; ok {
				res[k] = appendValues(prev, v)
			} else {
				res[k] = v
			}
		}
	}
	return res
}
