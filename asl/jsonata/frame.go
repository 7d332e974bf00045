package jsonata

// frame is a scope of variable bindings. Frames belong to one evaluation,
// except the scope of a prepared function set (Functions), which is shared
// and never written to; lambdas capture the frame they were defined in.
type frame struct {
	parent *frame
	names  []string
	vals   []any
	tup    tuple // variables bound by a tuple stream, when not nil
	inline [3]any
}

func newFrame(parent *frame) *frame { return &frame{parent: parent} }

// frameFromTuple returns a scope binding the variables of a tuple.
func frameFromTuple(parent *frame, t tuple) *frame {
	return &frame{parent: parent, tup: t}
}

// bind sets a variable in this scope.
func (f *frame) bind(name string, v any) {
	for i := len(f.names) - 1; i >= 0; i-- {
		if f.names[i] == name {
			f.vals[i] = v
			return
		}
	}
	f.names = append(f.names, name)
	f.vals = append(f.vals, v)
}

// lookup finds a variable in this scope or an enclosing one.
func (f *frame) lookup(name string) (any, bool) {
	for fr := f; fr != nil; fr = fr.parent {
		if fr.tup != nil {
			if v, ok := fr.tup[name]; ok {
				return v, true
			}
		}
		for i := len(fr.names) - 1; i >= 0; i-- {
			if fr.names[i] == name {
				return fr.vals[i], true
			}
		}
	}
	if fn, ok := builtins[name]; ok {
		return fn, true
	}
	return nil, false
}
