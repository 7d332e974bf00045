package runtime

import (
	"fmt"
	"strings"

	"github.com/signalbox/signalbox/asl"
)

// scope holds the workflow variables one thread can see. A Parallel branch
// and a Map iteration get a child scope: they read the variables of the
// scopes around them, and what they assign stays in their own, invisible
// once they end.
type scope struct {
	parent *scope
	vars   map[string]any
	// lookupFn and allFn are lookup and all as the Context takes them,
	// made once per scope.
	lookupFn func(string) (any, bool)
	allFn    func() map[string]any
}

// funcs returns lookup and all as functions.
func (s *scope) funcs() (func(string) (any, bool), func() map[string]any) {
	if s.lookupFn == nil {
		s.lookupFn, s.allFn = s.lookup, s.all
	}
	return s.lookupFn, s.allFn
}

// assigned reports whether variables were assigned in this scope.
func (s *scope) assigned() bool { return len(s.vars) > 0 }

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

// storedScope is the scope a durable thread sees, built from the
// execution's variables as the store keeps them ("<thread>/<name>": JSON):
// the thread's own scope inside those of the threads around it
// (scopeChain), so that both engines resolve and shadow variables by the
// same scope.
func storedScope(thread string, vars map[string]string) (*scope, error) {
	var s *scope
	chain := scopeChain(thread)
	for i := len(chain) - 1; i >= 0; i-- {
		s = newScope(s)
		prefix := chain[i] + "/"
		for k, v := range vars {
			name, ok := strings.CutPrefix(k, prefix)
			if !ok || strings.Contains(name, "/") {
				continue
			}
			val, err := asl.DecodeJSON([]byte(v))
			if err != nil {
				return nil, fmt.Errorf("variable %s: %w", name, err)
			}
			if s.vars == nil {
				s.vars = map[string]any{}
			}
			s.vars[name] = val
		}
	}
	return s, nil
}
