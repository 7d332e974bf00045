package jsonata

// Functions is a set of native functions prepared once, with NewFunctions,
// for any number of evaluations: pass it as Options.Prepared. The
// functions of Options.Functions are bound anew, with allocations, on every
// evaluation; a prepared set is bound once and then shared.
//
// A Functions value is immutable and safe for concurrent use; the zero
// value and nil hold no functions.
type Functions struct {
	// scope binds each function, as a *Function, by name. It is the
	// outermost scope of the evaluations that use the set and is never
	// written to: evaluation binds variables in inner scopes only.
	scope *frame
}

// NewFunctions prepares fns (keyed by name, without the $). The map is
// copied: changing it later does not change the set.
func NewFunctions(fns map[string]Function) *Functions {
	vars := make(tuple, len(fns))
	for name, f := range fns {
		vars[name] = &Function{Signature: f.Signature, Impl: f.Impl}
	}
	return &Functions{scope: &frame{tup: vars}}
}

// frame returns the scope of the set, nil when it holds nothing.
func (fs *Functions) frame() *frame {
	if fs == nil || fs.scope == nil || len(fs.scope.tup) == 0 {
		return nil
	}
	return fs.scope
}

// has reports whether the set holds a function named name.
func (fs *Functions) has(name string) bool {
	if fr := fs.frame(); fr != nil {
		_, ok := fr.tup[name]
		return ok
	}
	return false
}
