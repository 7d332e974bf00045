package pattern

import (
	"sync"
	"sync/atomic"
)

// automaton is many patterns as one machine. A state stands for the
// fields of a branch matched so far; an edge leaves a state for one path
// and holds, in an index, the conditions of every field at that path
// from that state, each leading to the state of its field's branches
// with that field matched. Branches share their states as far as their
// sorted fields agree (same path, same conditions), so matching walks
// the event's values once per reachable state, not once per pattern.
type automaton struct {
	root *state
	byID map[string]*entry
	ids  []string // handle -> id; "" once removed
	dead int      // removed handles still in the states

	filter pathFilter

	// dirty edges have ranges not yet laid out; Match builds them
	// (once, under mu) before its first walk after an Add.
	mu      sync.Mutex
	pending []*edge
	dirty   atomic.Bool

	scratch sync.Pool
}

type entry struct {
	handle uint32
	p      *Pattern
}

type state struct {
	edges       []*edge
	byPath      map[int32]*edge // by path id
	absentEdges []*edge         // edges with exists:false targets
	ends        []uint32        // handles of the patterns a branch of which ends here
}

type edge struct {
	pid    int32             // the path's id in the machine's filter
	groups map[string]*state // field signature -> next state
	idx    index
}

func (a *automaton) init() {
	a.root = &state{}
	a.byID = map[string]*entry{}
	a.filter = newPathFilter()
	a.ids = a.ids[:0]
	a.dead = 0
	a.pending = nil
	a.dirty.Store(false)
}

func (a *automaton) add(id string, p *Pattern) {
	if _, ok := a.byID[id]; ok {
		a.remove(id)
	}
	h := uint32(len(a.ids))
	a.ids = append(a.ids, id)
	a.byID[id] = &entry{handle: h, p: p}
	a.insert(h, p)
}

func (a *automaton) insert(h uint32, p *Pattern) {
	for bi := range p.branches {
		s := a.root
		for fi := range p.branches[bi].fields {
			f := &p.branches[bi].fields[fi]
			pid := a.filter.watch(f.path)
			e := s.byPath[pid]
			if e == nil {
				e = &edge{pid: pid, groups: map[string]*state{}}
				if s.byPath == nil {
					s.byPath = map[int32]*edge{}
				}
				s.byPath[pid] = e
				s.edges = append(s.edges, e)
			}
			next := e.groups[f.sig]
			if next == nil {
				next = &state{}
				e.groups[f.sig] = next
				if e.idx.add(f.conds, next) {
					a.pending = append(a.pending, e)
					a.dirty.Store(true)
				}
				if f.absent && len(e.idx.absent) == 1 {
					s.absentEdges = append(s.absentEdges, e)
				}
			}
			s = next
		}
		if n := len(s.ends); n == 0 || s.ends[n-1] != h {
			s.ends = append(s.ends, h)
		}
	}
}

// remove forgets id: its handle no longer reports. The states it alone
// used stay until the removed handles outnumber the live ones, when the
// machine is rebuilt from the live patterns.
func (a *automaton) remove(id string) {
	e, ok := a.byID[id]
	if !ok {
		return
	}
	delete(a.byID, id)
	a.ids[e.handle] = ""
	a.dead++
	if a.dead > 64 && a.dead > len(a.byID) {
		a.rebuild()
	}
}

func (a *automaton) rebuild() {
	live := make([]*entry, 0, len(a.byID))
	for _, h := range a.ids {
		if h != "" {
			live = append(live, a.byID[h])
		}
	}
	ids := make([]string, 0, len(live))
	for _, e := range live {
		ids = append(ids, a.ids[e.handle])
	}
	a.init()
	for i, e := range live {
		a.add(ids[i], e.p)
	}
}

// ready lays out the ranges of the edges changed since the last match.
func (a *automaton) ready() {
	if !a.dirty.Load() {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.dirty.Load() {
		return
	}
	for _, e := range a.pending {
		e.idx.build()
	}
	a.pending = nil
	a.dirty.Store(false)
}
