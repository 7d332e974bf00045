// Package asl is the Amazon States Language, pure: it parses and validates
// definitions, evaluates paths, templates, intrinsic functions and Choice
// rules, and decides each step of an execution. It never performs I/O,
// reads a clock or draws randomness of its own: the runtime carries out
// what a step decides and passes time and randomness in.
package asl

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl/diag"
)

// StateMachine is a compiled definition, or one of its branches or Map
// processors. It is immutable and safe for concurrent use.
type StateMachine struct {
	Comment        string
	Version        string
	StartAt        string
	TimeoutSeconds int64 // 0: none
	states         map[string]State
	order          []string // state names, sorted
	usesVariables  bool     // some state or catcher assigns variables
}

// UsesVariables reports whether any state of the definition, branches and
// processors included, assigns workflow variables. Variables exist only
// once assigned, so a definition without Assign reads none.
func (m *StateMachine) UsesVariables() bool { return m.usesVariables }

func assigns(m *StateMachine) bool {
	for _, name := range m.order {
		s := m.states[name]
		b := s.base()
		if b.Assign != nil || b.JAssign != nil {
			return true
		}
		for _, c := range b.Catch {
			if c.Assign != nil || c.JAssign != nil {
				return true
			}
		}
		switch x := s.(type) {
		case *Choice:
			for _, t := range x.ruleAssign {
				if t != nil {
					return true
				}
			}
			for _, r := range x.jrules {
				if r.Assign != nil {
					return true
				}
			}
		case *Parallel:
			for _, br := range x.Branches {
				if assigns(br) {
					return true
				}
			}
		case *Map:
			if x.Processor != nil && assigns(x.Processor) {
				return true
			}
		}
	}
	return false
}

// State returns the named state.
func (m *StateMachine) State(name string) (State, bool) {
	s, ok := m.states[name]
	return s, ok
}

// Following is State(name) for the state a visit of from moved on to:
// from's Next is found without looking its name up (a lookup per state
// entered was 3% of a chain of Pass states). from must be one of m's
// states, or nil.
func (m *StateMachine) Following(from State, name string) (State, bool) {
	if from != nil {
		if b := from.base(); b.next != nil && b.Next == name {
			return b.next, true
		}
	}
	return m.State(name)
}

// StateNames returns the names of the machine's own states, sorted.
func (m *StateMachine) StateNames() []string { return m.order }

// Parse compiles a definition. A definition with problems yields a
// *diag.Error listing every one of them.
func Parse(data []byte) (*StateMachine, error) {
	m, d := Compile(data)
	if err := d.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// Validate reports every problem of a definition; an empty list means the
// definition is valid.
func Validate(data []byte) diag.List {
	_, d := Compile(data)
	return d
}

// decodeDefinition decodes a definition's JSON text, or says why it
// cannot (a diagnostic at its root).
func decodeDefinition(data []byte) (any, diag.List) {
	var d diag.List
	if !utf8.Valid(data) {
		d.Add("", diag.InvalidJSON, "the definition is not valid UTF-8")
		return nil, d
	}
	v, err := DecodeJSON(data)
	if err != nil {
		d.Add("", diag.InvalidJSON, "the definition is not valid JSON: %v", err)
		return nil, d
	}
	return v, nil
}

// Compile parses and validates a definition, returning the machine (nil
// when there are diagnostics) and the diagnostics.
func Compile(data []byte) (*StateMachine, diag.List) {
	v, d := decodeDefinition(data)
	if d != nil {
		return nil, d
	}
	m := parseMachineAt(v, "", true, langJSONPath, nil, &d)
	if m != nil {
		checkUniqueNames(m, "", map[string]string{}, &d)
	}
	if len(d) > 0 {
		sortDiagnostics(d)
		return nil, d.Bounded()
	}
	m.usesVariables = assigns(m)
	return m, nil
}

// checkUniqueNames reports state names used more than once anywhere in the
// definition: AWS requires them unique across branches and Map processors
// too. seen maps a name to the pointer of its first use.
func checkUniqueNames(m *StateMachine, ptr string, seen map[string]string, d *diag.List) {
	for _, name := range m.order {
		sptr := diag.Pointer(ptr, "States", name)
		if first, dup := seen[name]; dup {
			d.Add(sptr, diag.DuplicateStateName, "the state name %q is already used at %s", name, first)
		} else {
			seen[name] = sptr
		}
		switch s := m.states[name].(type) {
		case *Parallel:
			for i, b := range s.Branches {
				checkUniqueNames(b, diag.Pointer(sptr, "Branches", i), seen, d)
			}
		case *Map:
			if s.Processor != nil {
				checkUniqueNames(s.Processor, diag.Pointer(sptr, s.processorField), seen, d)
			}
		}
	}
}

func sortDiagnostics(d diag.List) {
	sort.SliceStable(d, func(i, j int) bool { return d[i].Path < d[j].Path })
}

// maxStateName is AWS's limit on the length of a state name.
const maxStateName = 80

// parseMachine reads StartAt and States (and, for the top level, the
// execution-wide fields) of a machine.
// top reads the execution-wide fields; extra, when not nil, reads the
// fields a Map processor adds. Only the top level passes a top object.
// lang is the query language its states default to: the top level's.
func parseMachine(v any, ptr string, lang queryLanguage, extra func(*object), d *diag.List) *StateMachine {
	return parseMachineAt(v, ptr, false, lang, extra, d)
}

// MaxNesting bounds how deep Parallel branches and Map processors nest:
// a JSON pointer grows with the depth, and so does every diagnostic's, so
// 1,900 levels made a 36 MB error. Real definitions nest a few levels.
const MaxNesting = 100

func parseMachineAt(v any, ptr string, top bool, lang queryLanguage, extra func(*object), d *diag.List) *StateMachine {
	if strings.Count(ptr, "/States/") >= MaxNesting {
		d.Add(ptr, diag.SchemaValidationFailed, "Parallel branches and Map processors are nested more than %d deep", MaxNesting)
		return nil
	}
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	problems := len(*d)
	m := &StateMachine{states: map[string]State{}}
	m.Comment, _ = o.str("Comment", false)
	var hasStart bool
	m.StartAt, hasStart = o.str("StartAt", true)
	if top {
		m.Version, _ = o.str("Version", false)
		if n, ok := o.integer("TimeoutSeconds", 1); ok {
			m.TimeoutSeconds = n
		}
		lang = readQueryLanguage(o, langJSONPath, d)
	}
	if extra != nil {
		extra(o)
	}
	statesV, ok := o.get("States")
	if !ok {
		d.Add(o.at("States"), diag.SchemaValidationFailed, "the field \"States\" is required")
		o.finish()
		return m
	}
	so, ok := newObject(statesV, o.at("States"), d)
	if !ok {
		o.finish()
		return m
	}
	if len(so.m) == 0 {
		d.Add(so.ptr, diag.SchemaValidationFailed, "States must hold at least one state")
	}
	// unparsed holds the transitions of the states that did not parse
	// (no Type, say), read from their fields as they are.
	unparsed := map[string][]transition{}
	for _, name := range sortedKeys(so.m) {
		sptr := so.at(name)
		if utf8.RuneCountInString(name) > maxStateName {
			d.Add(sptr, diag.InvalidStateName, "the state name %q is longer than %d characters", name, maxStateName)
		}
		if name == "" {
			d.Add(sptr, diag.InvalidStateName, "a state name may not be empty")
		}
		if s := parseState(name, so.m[name], sptr, lang, d); s != nil {
			m.states[name] = s
			m.order = append(m.order, name)
		} else {
			unparsed[name] = rawTransitions(so.m[name])
		}
		so.seen[name] = true
	}
	o.finish()
	for _, st := range m.states {
		b := st.base()
		b.next = m.states[b.Next]
	}
	// A state that did not parse (no Type, say) still exists: transitions
	// to it are sound, and its own are read from its fields, so that one
	// problem does not hide the others.
	if hasStart {
		if _, ok := so.m[m.StartAt]; !ok {
			d.Add(o.at("StartAt"), diag.MissingTransition, "StartAt names the state %q, which does not exist", m.StartAt)
		}
	}
	checkTransitions(m, so.ptr, so.m, unparsed, d)
	// Reported alone, as AWS does: a machine whose states have other
	// problems (a missing End, say) is reported for those.
	if len(unparsed) == 0 && len(*d) == problems && len(m.states) > 0 && !slices.ContainsFunc(m.order, func(name string) bool { return isTerminal(m.states[name]) }) {
		// AWS's words and place ("at null" for the top level)
		d.Add(ptr, diag.MissingEndState, "Workflow has no terminal state")
	}
	return m
}

// isTerminal reports whether a state can end its machine.
func isTerminal(s State) bool {
	return s.Kind() == KindSucceed || s.Kind() == KindFail || s.base().End
}

// checkTransitions reports transitions to states that are not in names
// (the States object), and states that no transition reaches. unparsed
// holds the transitions of the states that did not parse.
func checkTransitions(m *StateMachine, ptr string, names map[string]any, unparsed map[string][]transition, d *diag.List) {
	edges := func(name string) []transition {
		if s, ok := m.states[name]; ok {
			return transitions(s)
		}
		return unparsed[name]
	}
	for _, name := range sortedKeys(names) {
		for _, t := range edges(name) {
			if _, ok := names[t.target]; !ok {
				d.Add(diag.Pointer(ptr, name)+t.field, diag.MissingTransition, "the state %q does not exist", t.target)
			}
		}
	}
	if _, ok := names[m.StartAt]; !ok {
		return
	}
	reached := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if _, ok := names[name]; !ok || reached[name] {
			return
		}
		reached[name] = true
		for _, t := range edges(name) {
			visit(t.target)
		}
	}
	visit(m.StartAt)
	for _, name := range sortedKeys(names) {
		if !reached[name] {
			d.Add(diag.Pointer(ptr, name), diag.UnreachableState, "the state %q is not reachable from StartAt", name)
		}
	}
}

// rawTransitions reads the transitions of a state that did not parse from
// its fields as they are (Next, Default, Choices[i].Next, Catch[i].Next),
// leaving out what is not a string where a state name belongs.
func rawTransitions(v any) []transition {
	o, _ := v.(map[string]any)
	var ts []transition
	for _, f := range []string{"Next", "Default"} {
		if target, ok := o[f].(string); ok {
			ts = append(ts, transition{"/" + f, target})
		}
	}
	for _, f := range []string{"Choices", "Catch"} {
		list, _ := o[f].([]any)
		for i, item := range list {
			ts = append(ts, rawNext(item, diag.Pointer("/"+f, i, "Next"))...)
		}
	}
	return ts
}

// rawNext is the transition of a rule or catcher that did not parse: its
// Next as written, when that is a string.
func rawNext(v any, field string) []transition {
	o, _ := v.(map[string]any)
	if target, ok := o["Next"].(string); ok {
		return []transition{{field, target}}
	}
	return nil
}

type transition struct {
	field  string // JSON pointer suffix within the state
	target string
}

func transitions(s State) []transition {
	b := s.base()
	var ts []transition
	if b.Next != "" {
		ts = append(ts, transition{"/Next", b.Next})
	}
	for i, c := range b.Catch {
		if c.Next != "" {
			ts = append(ts, transition{diag.Pointer("/Catch", i, "Next"), c.Next})
		}
	}
	if c, ok := s.(*Choice); ok {
		ts = append(ts, c.targets...)
		if c.Default != "" {
			ts = append(ts, transition{"/Default", c.Default})
		}
	}
	return ts
}

// parseState reads one state of any kind.
func parseState(name string, v any, ptr string, machineLang queryLanguage, d *diag.List) State {
	o, ok := newObject(v, ptr, d)
	if !ok {
		return nil
	}
	typ, ok := o.str("Type", true)
	if !ok {
		return nil
	}
	b := Base{name: name, kind: Kind(typ), machineLang: machineLang}
	b.lang = readQueryLanguage(o, machineLang, d)
	var s State
	switch Kind(typ) {
	case KindPass:
		s = parsePass(b, o, d)
	case KindTask:
		s = parseTask(b, o, d)
	case KindChoice:
		s = parseChoice(b, o, d)
	case KindWait:
		s = parseWait(b, o, d)
	case KindSucceed:
		s = parseSucceed(b, o, d)
	case KindFail:
		s = parseFail(b, o, d)
	case KindParallel:
		s = parseParallel(b, o, d)
	case KindMap:
		s = parseMap(b, o, d)
	default:
		d.Add(o.at("Type"), diag.SchemaValidationFailed, "unknown state type %q", typ)
		return nil
	}
	o.finish()
	return s
}
