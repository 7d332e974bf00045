package jsonata

func fnKeys(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	out := newSeq(0)
	if items, ok := arrayItems(v); ok {
		seen := map[string]bool{}
		for _, it := range items {
			for _, k := range objectKeys(it) {
				if !seen[k] {
					seen[k] = true
					out.push(k)
				}
			}
		}
		return out, nil
	}
	for _, k := range objectKeys(v) {
		out.push(k)
	}
	return out, nil
}

func fnLookup(ev *evaluator, c *callCtx, args []any) (any, error) {
	k, _ := arg(args, 1).(string)
	return lookupField(arg(args, 0), k), nil
}

func fnSpread(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if items, ok := arrayItems(v); ok {
		out := newSeq(len(items))
		for _, it := range items {
			r, err := fnSpread(ev, c, []any{it})
			if err != nil {
				return nil, err
			}
			if ri, ok := arrayItems(r); ok {
				out.items = append(out.items, ri...)
			} else if r != Undefined {
				out.push(r)
			}
		}
		return out, nil
	}
	if !isObject(v) {
		return v, nil
	}
	out := newSeq(objectLen(v))
	objectRange(v, func(k string, val any) bool {
		o := NewObject(1)
		o.Set(k, val)
		out.push(o)
		return true
	})
	return out, nil
}

func fnMerge(ev *evaluator, c *callCtx, args []any) (any, error) {
	items, ok := arrayItems(arg(args, 0))
	if !ok {
		return Undefined, nil
	}
	out := NewObject(0)
	for _, it := range items {
		objectRange(it, func(k string, v any) bool {
			out.Set(k, v)
			return true
		})
	}
	return out, nil
}

func fnEach(ev *evaluator, c *callCtx, args []any) (any, error) {
	obj := arg(args, 0)
	if obj == Undefined {
		return Undefined, nil
	}
	fn := arg(args, 1)
	out := newSeq(objectLen(obj))
	var err error
	objectRange(obj, func(k string, v any) bool {
		var r any
		if r, err = ev.callFunction(fn, c, v, k, obj); err != nil {
			return false
		}
		if r != Undefined {
			out.push(r)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fnSift(ev *evaluator, c *callCtx, args []any) (any, error) {
	obj := arg(args, 0)
	if obj == Undefined {
		return Undefined, nil
	}
	fn := arg(args, 1)
	out := NewObject(0)
	var err error
	objectRange(obj, func(k string, v any) bool {
		var r any
		if r, err = ev.callFunction(fn, c, v, k, obj); err != nil {
			return false
		}
		if toBoolean(r) {
			out.Set(k, v)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if out.Len() == 0 {
		return Undefined, nil
	}
	return out, nil
}

func fnType(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	return typeName(v), nil
}

func fnClone(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	return deepClone(v, 0)
}

// deepClone copies a value into engine-owned, mutable objects and arrays.
func deepClone(v any, depth int) (any, error) {
	if depth > maxNesting {
		return nil, newError("U1001", 0, "", Undefined)
	}
	switch x := v.(type) {
	case *Object, map[string]any:
		out := NewObject(objectLen(x))
		var err error
		objectRange(x, func(k string, val any) bool {
			var cv any
			if cv, err = deepClone(val, depth+1); err != nil {
				return false
			}
			out.Set(k, cv)
			return true
		})
		return out, err
	case []any, *sequence:
		items, _ := arrayItems(x)
		out := make([]any, len(items))
		for i, it := range items {
			cv, err := deepClone(it, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = cv
		}
		return out, nil
	}
	return v, nil
}

func fnError(ev *evaluator, c *callCtx, args []any) (any, error) {
	msg, ok := arg(args, 0).(string)
	if !ok {
		msg = "$error() function evaluated"
	}
	return nil, &Error{Code: "D3137", Position: c.pos, Token: "error", Value: msg, Message: msg}
}

func fnAssert(ev *evaluator, c *callCtx, args []any) (any, error) {
	cond, _ := arg(args, 0).(bool)
	if cond {
		return Undefined, nil
	}
	msg, ok := arg(args, 1).(string)
	if !ok {
		msg = "$assert() statement failed"
	}
	return nil, &Error{Code: "D3141", Position: c.pos, Token: "assert", Value: msg, Message: msg}
}

func fnBoolean(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	return toBoolean(v), nil
}

func fnNot(ev *evaluator, c *callCtx, args []any) (any, error) {
	v := arg(args, 0)
	if v == Undefined {
		return Undefined, nil
	}
	return !toBoolean(v), nil
}

func fnExists(ev *evaluator, c *callCtx, args []any) (any, error) {
	return arg(args, 0) != Undefined, nil
}
