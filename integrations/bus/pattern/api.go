// Package pattern is EventBridge's event patterns: parsed and validated as
// AWS validates them (InvalidEventPatternException's messages), and many
// patterns compiled into one automaton (Machine) that matches an event
// against all of them at once, in the manner of aws/event-ruler and
// quamina: the cost of a match grows with the event, not with the number
// of patterns.
//
// The package is pure: standard library only, no I/O. doc.go lists what is
// supported, the limits and the behaviours chosen where AWS is silent.
package pattern

import "sync"

// Error is a pattern that does not parse or validate: Message is AWS's
// text for InvalidEventPatternException ("Event pattern is not valid.
// Reason: ...").
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Pattern is one parsed, validated event pattern: its $or branches, each
// a conjunction of fields sorted by path.
type Pattern struct {
	src      string
	branches []branch

	// filter holds the paths the fields read, with their ids in the
	// fields (pid), made by the first Matches: a Pattern that only feeds
	// a Machine never holds one.
	once   sync.Once
	filter pathFilter
}

// Parse parses and validates an event pattern (a JSON object), with AWS's
// limits. Errors are *Error.
func Parse(src string) (*Pattern, error) {
	bs, err := compile(src)
	if err != nil {
		return nil, err
	}
	return &Pattern{src: src, branches: bs}, nil
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.src }

// Matches reports whether event (an EventBridge event, a JSON object)
// matches the pattern: TestEventPattern's answer. An event that is not a
// JSON object is an error.
//
// Matches evaluates the pattern directly, branch by branch; it shares no
// structure with Machine, so each checks the other in the tests.
func (p *Pattern) Matches(event []byte) (bool, error) {
	p.once.Do(func() {
		p.filter = newPathFilter()
		for i := range p.branches {
			for j := range p.branches[i].fields {
				f := &p.branches[i].fields[j]
				f.pid = p.filter.watch(f.path)
			}
		}
	})
	ev, err := scanEvent(event, &p.filter)
	if err != nil {
		return false, err
	}
	defer ev.release()
	for i := range p.branches {
		if evaluate(&p.branches[i], ev) {
			return true, nil
		}
	}
	return false, nil
}

// Machine matches events against many patterns at once.
//
// A Machine is built by Add and Remove from one goroutine at a time; once
// built, Match is safe for concurrent use by many goroutines. Add and
// Remove must not run concurrently with Match: a caller that changes a
// Machine while others match builds a new one (or guards it with a
// RWMutex).
type Machine struct {
	a automaton
}

// NewMachine returns a Machine with no patterns.
func NewMachine() *Machine {
	m := &Machine{}
	m.a.init()
	return m
}

// Add adds p under id (a rule's name); adding an id again replaces its
// pattern.
func (m *Machine) Add(id string, p *Pattern) { m.a.add(id, p) }

// Remove removes id's pattern.
func (m *Machine) Remove(id string) { m.a.remove(id) }

// Len returns the number of patterns held.
func (m *Machine) Len() int { return len(m.a.byID) }

// Match returns the ids whose pattern event matches, sorted, each once.
// An event that is not a JSON object is an error.
func (m *Machine) Match(event []byte) ([]string, error) { return m.a.match(event) }
