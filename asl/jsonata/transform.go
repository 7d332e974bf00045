package jsonata

// transform applies a transform expression |pattern|update,delete| to a
// deep copy of obj: every value the pattern selects in the copy gets the
// fields of the update object and loses the fields named by delete.
func (ev *evaluator) transform(t *transformer, obj any) (any, error) {
	if obj == Undefined {
		return Undefined, nil
	}
	n := t.node
	cloneFn, ok := t.env.lookup("clone")
	if !ok || !isFunction(cloneFn) {
		return nil, newError("T2013", n.pos, "", Undefined)
	}
	result, err := ev.apply(cloneFn, []any{obj}, obj, t.env, nil)
	if err != nil {
		return nil, err
	}
	matches, err := ev.eval(n.pattern, result, t.env)
	if err != nil {
		return nil, err
	}
	if matches == Undefined {
		return result, nil
	}
	items, ok := arrayItems(matches)
	if !ok {
		items = []any{matches}
	}
	for _, m := range items {
		update, err := ev.eval(n.update, m, t.env)
		if err != nil {
			return nil, err
		}
		if update != Undefined {
			if !isObject(update) {
				return nil, newError("T2011", n.update.pos, "", update)
			}
			if mo, ok := m.(*Object); ok {
				objectRange(update, func(k string, v any) bool {
					mo.Set(k, v)
					return true
				})
			}
		}
		if n.del == nil {
			continue
		}
		dels, err := ev.eval(n.del, m, t.env)
		if err != nil {
			return nil, err
		}
		if dels == Undefined {
			continue
		}
		names, ok := arrayItems(dels)
		if !ok {
			names = []any{dels}
		}
		for _, d := range names {
			if !isString(d) {
				return nil, newError("T2012", n.del.pos, "", dels)
			}
		}
		if mo, ok := m.(*Object); ok {
			for _, d := range names {
				mo.Delete(d.(string))
			}
		}
	}
	return result, nil
}
