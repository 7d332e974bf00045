package pattern

import (
	"slices"
	"strconv"
)

// task is a state reached with the array positions of the values that
// led to it.
type task struct {
	st  *state
	mem []arrPos
}

type taskKey struct {
	st  *state
	mem string
}

// walk is one match's working memory, pooled.
type walk struct {
	stack   []task
	seen    map[taskKey]struct{}
	handles []uint32
	from    task
	mem     []arrPos // the positions of the value being followed
}

func (w *walk) emit(st *state) { w.push(st, w.mem) }

func (a *automaton) match(event []byte) ([]string, error) {
	a.ready()
	ev, err := scanEvent(event, &a.filter)
	if err != nil {
		return nil, err
	}
	defer ev.release()
	w, _ := a.scratch.Get().(*walk)
	if w == nil {
		w = &walk{seen: map[taskKey]struct{}{}}
	}
	defer func() {
		w.stack = w.stack[:0]
		w.handles = w.handles[:0]
		clear(w.seen)
		a.scratch.Put(w)
	}()

	w.push(a.root, nil)
	for len(w.stack) > 0 {
		t := w.stack[len(w.stack)-1]
		w.stack = w.stack[:len(w.stack)-1]
		w.handles = append(w.handles, t.st.ends...)
		w.from = t
		st := t.st
		if len(st.edges) <= len(ev.touched) {
			for _, e := range st.edges {
				if idxs := ev.at(e.pid); len(idxs) > 0 {
					w.follow(e, ev, idxs)
				}
			}
		} else {
			for _, id := range ev.touched {
				if e := st.byPath[id]; e != nil {
					w.follow(e, ev, ev.at(id))
				}
			}
		}
		for _, e := range st.absentEdges {
			if len(ev.at(e.pid)) == 0 {
				for _, nx := range e.idx.absent {
					w.push(nx, t.mem)
				}
			}
		}
	}
	if len(w.handles) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(w.handles))
	for _, h := range w.handles {
		if id := a.ids[h]; id != "" {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// follow moves along edge e on each of the path's values that can join
// the current task's positions.
func (w *walk) follow(e *edge, ev *event, idxs []int32) {
	t := w.from
	for _, li := range ev.candidates(e.pid, idxs, t.mem) {
		lm := ev.positions(li)
		if !compatible(t.mem, lm) {
			continue
		}
		w.mem = t.mem
		if len(lm) > 0 {
			w.mem = merge(t.mem, lm)
		}
		e.idx.collect(&ev.leaves[li].v, w)
	}
}

func (w *walk) push(st *state, mem []arrPos) {
	k := taskKey{st: st}
	if len(mem) > 0 {
		k.mem = posKey(mem)
	}
	if _, ok := w.seen[k]; ok {
		return
	}
	w.seen[k] = struct{}{}
	w.stack = append(w.stack, task{st: st, mem: mem})
}

func posKey(mem []arrPos) string {
	b := make([]byte, 0, 8*len(mem))
	for _, p := range mem {
		b = strconv.AppendUint(b, uint64(p.arr), 10)
		b = append(b, '=')
		b = strconv.AppendUint(b, uint64(p.idx), 10)
		b = append(b, ',')
	}
	return string(b)
}
