package pattern

import "strconv"

// evaluate reports whether the event meets every field of the branch,
// the values read under one array of objects coming from one element of
// it (AWS's array consistency: {"a":[{"b":1,"c":2},{"b":3,"c":4}]} does
// not match {"a":{"b":[1],"c":[4]}}).
//
// It is a depth-first search over the fields with memoised failures, so
// its work is bounded by fields x distinct array positions, never
// exponential.
func evaluate(b *branch, ev *event) bool {
	e := evaluator{b: b, ev: ev}
	return e.dfs(0, nil)
}

type evaluator struct {
	b      *branch
	ev     *event
	failed map[string]bool
}

func (e *evaluator) dfs(fi int, mem []arrPos) bool {
	if fi == len(e.b.fields) {
		return true
	}
	var key string
	if len(mem) > 0 {
		key = memKey(fi, mem)
		if e.failed[key] {
			return false
		}
	}
	f := &e.b.fields[fi]
	idxs := e.ev.at(f.pid)
	ok := false
	if len(idxs) == 0 {
		ok = f.absent && e.dfs(fi+1, mem)
	} else {
		for _, li := range e.ev.candidates(f.pid, idxs, mem) {
			lm := e.ev.positions(li)
			if !compatible(mem, lm) {
				continue
			}
			v := &e.ev.leaves[li].v
			hit := false
			for ci := range f.conds {
				if f.conds[ci].match(v) {
					hit = true
					break
				}
			}
			if hit && e.dfs(fi+1, merge(mem, lm)) {
				ok = true
				break
			}
		}
	}
	if !ok && len(mem) > 0 {
		if e.failed == nil {
			e.failed = map[string]bool{}
		}
		e.failed[key] = true
	}
	return ok
}

func memKey(fi int, mem []arrPos) string {
	b := strconv.AppendInt(nil, int64(fi), 10)
	for _, p := range mem {
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(p.arr), 10)
		b = append(b, '=')
		b = strconv.AppendUint(b, uint64(p.idx), 10)
	}
	return string(b)
}

// compatible reports whether a leaf at positions lm can join values taken
// at positions mem: in every array both sit in, the same element.
func compatible(mem, lm []arrPos) bool {
	if len(mem) == 0 || len(lm) == 0 {
		return true
	}
	for _, p := range lm {
		for _, q := range mem {
			if p.arr == q.arr && p.idx != q.idx {
				return false
			}
		}
	}
	return true
}

// merge returns the union of two compatible position lists, sorted by
// array (a new slice: mem is shared by the search's other paths).
func merge(mem, lm []arrPos) []arrPos {
	if len(lm) == 0 {
		return mem
	}
	if len(mem) == 0 {
		return lm
	}
	out := make([]arrPos, 0, len(mem)+len(lm))
	i, j := 0, 0
	for i < len(mem) || j < len(lm) {
		switch {
		case j == len(lm) || (i < len(mem) && mem[i].arr < lm[j].arr):
			out = append(out, mem[i])
			i++
		case i == len(mem) || lm[j].arr < mem[i].arr:
			out = append(out, lm[j])
			j++
		default: // same array, same element (compatible)
			out = append(out, mem[i])
			i++
			j++
		}
	}
	return out
}
