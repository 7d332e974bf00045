package jsonata

func fnCount(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return 0.0, nil
	}
	items, ok := arrayItems(v)
	if !ok {
		return 1.0, nil
	}
	return float64(len(items)), nil
}

func fnAppend(ev *evaluator, c *callCtx, args []any) (any, error) {
	return appendValues(arg(args, 0), arg(args, 1)), nil
}

func fnReverse(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return out, nil
}

func fnShuffle(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	out := append([]any(nil), items...)
	if len(out) <= 1 {
		return out, nil
	}
	if ev.random == nil {
		return nil, newError("U2001", c.pos, "shuffle", Undefined)
	}
	for i := len(out) - 1; i > 0; i-- {
		j := int(ev.random() * float64(i+1))
		if j > i {
			j = i
		}
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func fnDistinct(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	items, ok := arrayItems(v)
	if !ok || len(items) <= 1 {
		return v, nil
	}
	if err := ev.charge(len(items) * len(items) / 16); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		dup := false
		for _, o := range out {
			if deepEqual(it, o) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, it)
		}
	}
	if isSeq(v) {
		return &sequence{items: out, sequence: true}, nil
	}
	return out, nil
}

func fnZip(ev *evaluator, c *callCtx, args []any) (any, error) {
	if len(args) == 0 {
		return []any{}, nil
	}
	lists := make([][]any, len(args))
	n := -1
	for i, a := range args {
		items, ok := arrayItems(a)
		if !ok {
			if a == Undefined {
				items = nil
			} else {
				items = []any{a}
			}
		}
		lists[i] = items
		if n < 0 || len(items) < n {
			n = len(items)
		}
	}
	out := make([]any, n)
	for i := 0; i < n; i++ {
		row := make([]any, len(lists))
		for j := range lists {
			row[j] = lists[j][i]
		}
		out[i] = row
	}
	return out, nil
}

func fnSort(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	items, _ := arrayItems(v)
	if len(items) <= 1 {
		return v, nil
	}
	fn := arg(args, 1)
	var greater func(a, b any) (bool, error)
	if fn == Undefined {
		allNum, allStr := true, true
		for _, it := range items {
			if !isNumber(it) {
				allNum = false
			}
			if !isString(it) {
				allStr = false
			}
		}
		if !allNum && !allStr {
			return nil, newError("D3070", c.pos, "sort", Undefined)
		}
		greater = func(a, b any) (bool, error) {
			if allNum {
				x, _ := toNumber(a)
				y, _ := toNumber(b)
				return x > y, nil
			}
			return a.(string) > b.(string), nil
		}
	} else {
		greater = func(a, b any) (bool, error) {
			r, err := ev.callFunction(fn, c, a, b)
			if err != nil {
				return false, err
			}
			return toBoolean(r), nil
		}
	}
	return mergeSort(ev, items, greater)
}

// mergeSort sorts stably; greater(a, b) reports whether a must come after b.
func mergeSort(ev *evaluator, items []any, greater func(a, b any) (bool, error)) ([]any, error) {
	if len(items) <= 1 {
		return append([]any(nil), items...), nil
	}
	mid := len(items) / 2
	left, err := mergeSort(ev, items[:mid], greater)
	if err != nil {
		return nil, err
	}
	right, err := mergeSort(ev, items[mid:], greater)
	if err != nil {
		return nil, err
	}
	if err := ev.charge(len(items)); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(items))
	i, j := 0, 0
	for i < len(left) && j < len(right) {
		swap, err := greater(left[i], right[j])
		if err != nil {
			return nil, err
		}
		if swap {
			out = append(out, right[j])
			j++
		} else {
			out = append(out, left[i])
			i++
		}
	}
	out = append(out, left[i:]...)
	return append(out, right[j:]...), nil
}

// sortByTerms evaluates an order-by step: items sorted by each term in turn.
func (ev *evaluator) sortByTerms(step *node, items []any, env *frame, isTuple bool) (any, error) {
	if len(items) <= 1 {
		if isTuple {
			return &sequence{items: items, sequence: true, tupleStream: true}, nil
		}
		// items may be the input's: appending to the sequence must copy
		return &sequence{items: items[:len(items):len(items)], sequence: true}, nil
	}
	evalTerm := func(t sortTerm, it any) (any, error) {
		if isTuple {
			tp := it.(tuple)
			return ev.eval(t.expr, tp["@"], frameFromTuple(env, tp))
		}
		return ev.eval(t.expr, it, env)
	}
	greater := func(a, b any) (bool, error) {
		comp := 0
		for _, t := range step.terms {
			av, err := evalTerm(t, a)
			if err != nil {
				return false, err
			}
			bv, err := evalTerm(t, b)
			if err != nil {
				return false, err
			}
			if av == Undefined {
				if bv == Undefined {
					comp = 0
				} else {
					comp = 1
				}
				continue
			}
			if bv == Undefined {
				comp = -1
				continue
			}
			aok := isNumber(av) || isString(av)
			bok := isNumber(bv) || isString(bv)
			if !aok {
				return false, newError("T2008", step.pos, "", av)
			}
			if !bok {
				return false, newError("T2008", step.pos, "", bv)
			}
			as, aIsStr := av.(string)
			bs, bIsStr := bv.(string)
			if aIsStr != bIsStr {
				e := &Error{Code: "T2007", Position: step.pos, Value: av}
				e.Message = e.render(map[string]any{"value2": bv})
				return false, e
			}
			if aIsStr {
				switch {
				case as == bs:
					comp = 0
					continue
				case as < bs:
					comp = -1
				default:
					comp = 1
				}
			} else {
				x, _ := toNumber(av)
				y, _ := toNumber(bv)
				switch {
				case x == y:
					comp = 0
					continue
				case x < y:
					comp = -1
				default:
					comp = 1
				}
			}
			if t.descending {
				comp = -comp
			}
			break
		}
		return comp == 1, nil
	}
	sorted, err := mergeSort(ev, items, greater)
	if err != nil {
		return nil, err
	}
	return &sequence{items: sorted, sequence: true, tupleStream: isTuple}, nil
}
