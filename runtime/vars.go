package runtime

// scope holds the workflow variables one thread can see. A Parallel branch
// and a Map iteration get a child scope: they read the variables of the
// scopes around them, and what they assign stays in their own, invisible
// once they end.
type scope struct {
	parent *scope
	vars   map[string]any
}

func newScope(parent *scope) *scope { return &scope{parent: parent} }

// lookup finds a variable in this scope or an enclosing one.
func (s *scope) lookup(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// assign sets variables in this scope.
func (s *scope) assign(vars map[string]any) {
	if len(vars) == 0 {
		return
	}
	if s.vars == nil {
		s.vars = make(map[string]any, len(vars))
	}
	for k, v := range vars {
		s.vars[k] = v
	}
}

// all returns every variable visible from this scope, inner scopes
// shadowing outer ones.
func (s *scope) all() map[string]any {
	var chain []*scope
	n := 0
	for c := s; c != nil; c = c.parent {
		chain = append(chain, c)
		n += len(c.vars)
	}
	out := make(map[string]any, n)
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].vars {
			out[k] = v
		}
	}
	return out
}
