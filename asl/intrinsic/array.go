package intrinsic

// maxRangeItems is the most items States.ArrayRange may produce.
const maxRangeItems = 1000

// evalArray implements States.Array: its arguments as an array.
func evalArray(c *call, env *Env) (any, error) {
	vals, err := c.argsAll(env)
	if err != nil {
		return nil, err
	}
	return vals, nil
}

// evalArrayPartition implements States.ArrayPartition(array, size): the
// array cut into chunks of size items, the last one possibly shorter. The
// size is truncated to an integer and must be positive.
func evalArrayPartition(c *call, env *Env) (any, error) {
	a, n, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	arr, ok := a.([]any)
	size, okSize := toInt32Trunc(n)
	if !ok || !okSize || size < 1 {
		return nil, c.fn.invalid
	}
	chunk := int(size)
	out := make([]any, 0, (len(arr)+chunk-1)/chunk)
	for i := 0; i < len(arr); i += chunk {
		end := min(i+chunk, len(arr))
		out = append(out, arr[i:end:end]) // capacity capped: appends never reach arr
	}
	return out, nil
}

// evalArrayContains implements States.ArrayContains(array, value).
func evalArrayContains(c *call, env *Env) (any, error) {
	a, v, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	arr, ok := a.([]any)
	if !ok {
		return nil, c.fn.invalid
	}
	for _, e := range arr {
		if equal(e, v) {
			return true, nil
		}
	}
	return false, nil
}

// evalArrayRange implements States.ArrayRange(first, last, step): the
// integers from first towards last (included when reached) by step. The
// arguments are truncated to integers; step must not be zero and the
// result may hold at most 1000 items.
func evalArrayRange(c *call, env *Env) (any, error) {
	vals, err := c.argsAll(env)
	if err != nil {
		return nil, err
	}
	first, ok1 := toInt32Trunc(vals[0])
	last, ok2 := toInt32Trunc(vals[1])
	step, ok3 := toInt32Trunc(vals[2])
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, c.fn.invalid
	}
	var n int64 // number of items; the int32 bounds keep this from overflowing
	switch {
	case step > 0 && first <= last:
		n = (last-first)/step + 1
	case step < 0 && first >= last:
		n = (first-last)/(-step) + 1
	}
	if n > maxRangeItems {
		return nil, c.fn.invalid
	}
	out := make([]any, n)
	for i := range out {
		out[i] = first + int64(i)*step
	}
	return out, nil
}

// evalArrayGetItem implements States.ArrayGetItem(array, index).
func evalArrayGetItem(c *call, env *Env) (any, error) {
	a, i, err := c.args2(env)
	if err != nil {
		return nil, err
	}
	arr, ok := a.([]any)
	idx, okIdx := toInt32Trunc(i)
	if !ok || !okIdx || idx < 0 || idx >= int64(len(arr)) {
		return nil, c.fn.invalid
	}
	return arr[idx], nil
}

// evalArrayLength implements States.ArrayLength(array).
func evalArrayLength(c *call, env *Env) (any, error) {
	a, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	arr, ok := a.([]any)
	if !ok {
		return nil, c.fn.invalid
	}
	return int64(len(arr)), nil
}

// evalArrayUnique implements States.ArrayUnique(array): the array without
// repeated values, each kept where it first appears.
func evalArrayUnique(c *call, env *Env) (any, error) {
	a, err := c.args1(env)
	if err != nil {
		return nil, err
	}
	arr, ok := a.([]any)
	if !ok {
		return nil, c.fn.invalid
	}
	seen := make(map[string]struct{}, len(arr))
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		k := canonicalKey(e)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, e)
	}
	return out, nil
}
