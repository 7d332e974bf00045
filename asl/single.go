package asl

import (
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/diag"
)

// CompileState parses and validates one state on its own, as Step
// Functions' TestState takes it: its transitions (Next, a Choice's rules,
// a Catch's) name states that need not exist. name is the state's name
// ($$.State.Name unless the Context object is given). The state's
// QueryLanguage is its own, JSONPath by default. A state with problems
// yields nil and the diagnostics, pointed within the state.
func CompileState(name string, data []byte) (State, diag.List) {
	v, d := decodeDefinition(data)
	if d != nil {
		return nil, d
	}
	s := parseState(name, v, "", langJSONPath, &d)
	if s != nil {
		checkUniqueNames(&StateMachine{states: map[string]State{name: s}, order: []string{name}}, "", map[string]string{}, &d)
	}
	if len(d) > 0 || s == nil {
		sortDiagnostics(d)
		return nil, d.Bounded()
	}
	return s, nil
}

// Find returns the named state of m or of any machine nested in it
// (Parallel branches, Map processors: state names are unique across a
// whole definition), and whether it runs in a Map's iterations.
func (m *StateMachine) Find(name string) (s State, inMap, ok bool) {
	if s, ok := m.states[name]; ok {
		return s, false, true
	}
	for _, n := range m.order {
		switch x := m.states[n].(type) {
		case *Parallel:
			for _, br := range x.Branches {
				if s, inMap, ok := br.Find(name); ok {
					return s, inMap, true
				}
			}
		case *Map:
			if x.Processor != nil {
				if s, _, ok := x.Processor.Find(name); ok {
					return s, true, true
				}
			}
		}
	}
	return nil, false, false
}

// Handlers reports which of s's retriers and catchers HandleError gives
// an error named name to: the index of the first retrier whose
// ErrorEquals matches (whether or not it has attempts left) and of the
// first matching catcher, -1 for none. States.Runtime and
// States.DataLimitExceeded meet neither.
func Handlers(s State, name string) (retrier, catcher int) {
	retrier, catcher = -1, -1
	if name == aslerr.Runtime || name == aslerr.DataLimitExceeded {
		return
	}
	b := s.base()
	for i, r := range b.Retry {
		if Matches(r.ErrorEquals, name) {
			retrier = i
			break
		}
	}
	for i, c := range b.Catch {
		if Matches(c.ErrorEquals, name) {
			catcher = i
			break
		}
	}
	return
}

// Retries reports how many retriers s has.
func Retries(s State) int { return len(s.base().Retry) }

// HasResultWriter reports whether s is a Map state with a ResultWriter.
func HasResultWriter(s State) bool {
	m, ok := s.(*Map)
	return ok && m.Writer != nil
}
