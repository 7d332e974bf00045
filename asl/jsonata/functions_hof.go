package jsonata

func fnMap(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	fn := arg(args, 1)
	out := newSeq(len(items))
	arr := arg(args, 0)
	for i, it := range items {
		r, err := ev.callFunction(fn, c, it, float64(i), arr)
		if err != nil {
			return nil, err
		}
		if r != Undefined {
			out.push(r)
		}
	}
	return out, nil
}

func fnFilter(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	fn := arg(args, 1)
	out := newSeq(0)
	arr := arg(args, 0)
	for i, it := range items {
		r, err := ev.callFunction(fn, c, it, float64(i), arr)
		if err != nil {
			return nil, err
		}
		if toBoolean(r) {
			out.push(it)
		}
	}
	return out, nil
}

func fnSingle(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	fn := arg(args, 1)
	arr := arg(args, 0)
	found := false
	var result any = Undefined
	for i, it := range items {
		pass := true
		if fn != Undefined {
			r, err := ev.callFunction(fn, c, it, float64(i), arr)
			if err != nil {
				return nil, err
			}
			pass = toBoolean(r)
		}
		if pass {
			if found {
				return nil, newError("D3138", c.pos, "single", Undefined)
			}
			found = true
			result = it
		}
	}
	if !found {
		return nil, newError("D3139", c.pos, "single", Undefined)
	}
	return result, nil
}

func fnReduce(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	fn := arg(args, 1)
	n := arity(fn)
	if n < 2 {
		return nil, newError("D3050", c.pos, "reduce", Undefined)
	}
	acc := arg(args, 2)
	i := 0
	if acc == Undefined && len(items) > 0 {
		acc = items[0]
		i = 1
	}
	for ; i < len(items); i++ {
		callArgs := []any{acc, items[i]}
		if n >= 3 {
			callArgs = append(callArgs, float64(i))
		}
		if n >= 4 {
			callArgs = append(callArgs, arg(args, 0))
		}
		r, err := ev.apply(fn, callArgs, c.input, c.env, nil)
		if err != nil {
			return nil, err
		}
		acc = r
	}
	return acc, nil
}
