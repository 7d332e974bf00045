package runtime

import (
	"errors"
	"hash/fnv"
	"math/rand/v2"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
)

// Inline Map iterations. A Map whose processor does nothing but decide
// (Pass, Choice, Succeed and Fail states assigning no variables) has no work to
// wait for: its iterations run inside the transition that starts it, in
// item order, instead of each being a thread with its own transitions
// through the work stream. Measured with bench durable before this, a
// Map of one Pass state cost 184 µs (10 items) to 205 µs (1,000 items) of
// Redis CPU per state, 2 script calls per state, against 22.5 µs for a
// chain of Pass states.
//
// Only the top-level thread, in a transition whose events the worker
// numbers itself (the store refuses it should the numbering be wrong:
// ExpectEvents), runs a Map inline: a state's StateEntered id is part of
// its Context (error causes name it), and the iterations' first events
// and the Map's end follow its MapStateStarted by id, as the in-memory
// engine chains them. A Map with more items than maxInlineItems, or an
// iteration longer than maxInlineSteps states (a Choice loop), is forked.
const (
	maxInlineItems = 1000
	maxInlineSteps = 64
	// maxInlineBytes bounds the history one inline Map writes in its
	// transition (its events carry every iteration's input and output):
	// past it, the Map is forked and its history spread over the
	// iterations' transitions.
	maxInlineBytes = 8 << 20
)

// errNotInline: the Map is to be forked after all.
var errNotInline = errors.New("the Map's iterations cannot run inline")

// pureMachine reports whether a machine's states only decide.
func pureMachine(m *asl.StateMachine) bool {
	if m.UsesVariables() {
		return false
	}
	for _, name := range m.StateNames() {
		st, _ := m.State(name)
		switch st.Kind() {
		case asl.KindPass, asl.KindChoice, asl.KindSucceed, asl.KindFail:
		default:
			return false
		}
	}
	return true
}

// nextID is the id the next event of the transition gets; known only when
// the worker numbers the transition's events (base >= 0).
func (t *transition) nextID() int64 { return t.base + int64(len(t.events)) + 1 }

// mapInline runs a Map's iterations in the transition; errNotInline (and
// nothing recorded) when they cannot.
func (t *transition) mapInline(x asl.RunMap) (asl.Outcome, error) {
	n := len(x.Items)
	if t.base < 0 || x.Distributed || n > maxInlineItems || !pureMachine(x.Processor) {
		return nil, errNotInline
	}
	mark, spans := len(t.events), len(t.spans)
	startedID := t.nextID()
	t.event(Event{Type: MapStateStarted, Length: n})
	outs := make([]any, n)
	failed := 0
	var first *aslerr.Error
	size, counted := 0, mark // the bytes of the events from mark on
	for i, item := range x.Items {
		out, failure, err := t.iterate(x, t.st.Name(), i, item, startedID, maxInlineSteps)
		for _, e := range t.events[counted:] {
			size += len(e.JSON)
		}
		counted = len(t.events)
		// Past maxInlineBytes, or more events than the history holds, the
		// Map is forked: its history is spread over its iterations'
		// transitions.
		if err == nil && (size > maxInlineBytes || int64(len(t.events)-mark) > t.d.maxHistoryEvents()) {
			err = errNotInline
		}
		if err != nil {
			t.events, t.spans = t.events[:mark], t.spans[:spans]
			return nil, err
		}
		if failure == nil {
			outs[i] = out
			continue
		}
		failed++
		if first == nil {
			first = failure
		}
		outs[i] = failedIteration(failure)
		if !x.Tolerates(failed, n) {
			return forkEnded(t, t.st, t.input, t.c, true, nil, x.Failure(first), startedID), nil
		}
	}
	return forkEnded(t, t.st, t.input, t.c, true, outs, nil, startedID), nil
}

// iterate runs iteration i of the Map state name's pure processor,
// through at most steps states: its output, or the failure a Fail state
// ended it with.
func (t *transition) iterate(x asl.RunMap, name string, i int, item any, startedID int64, steps int) (any, *aslerr.Error, error) {
	t.event(Event{Type: MapIterationStarted, Name: name, Index: i, PreviousID: startedID})
	c := t.iterationContext(i, item)
	m, state, in := x.Processor, x.Processor.StartAt, item
	tr, began := t.x.trace, t.d.now()
	// spans, when tracing: the iteration's, and its states' under it, as
	// the in-memory engine makes them
	span := func(st asl.State, out any, failure *aslerr.Error) {
		if tr != nil {
			t.spans = append(t.spans, tr.stateSpan(tr.child(t.rec.EnteredID, i), st, c, in, out, t.d.now(), failure))
		}
	}
	ended := func(failure *aslerr.Error) {
		if tr != nil {
			t.spans = append(t.spans, tr.childSpan(t.rec.EnteredID, true, i, began, t.d.now(), failure))
		}
	}
	for range steps {
		st, ok := m.State(state)
		if !ok {
			return nil, nil, errNotInline
		}
		visitState(c, st, t.d.now(), t.nextID(), 0, nil)
		t.event(Event{Type: StateEntered(st.Kind()), Name: state, Payload: in, Timestamp: c.EnteredTime})
		switch o := asl.Step(st, in, c).(type) {
		case asl.Next:
			t.event(Event{Type: StateExited(st.Kind()), Name: state, Payload: o.Output})
			span(st, o.Output, nil)
			state, in = o.State, o.Output
		case asl.Succeed:
			t.event(Event{Type: StateExited(st.Kind()), Name: state, Payload: o.Output})
			span(st, o.Output, nil)
			t.event(Event{Type: MapIterationSucceeded, Name: name, Index: i})
			ended(nil)
			return o.Output, nil, nil
		case asl.Fail:
			failure := &aslerr.Error{Name: o.Error, Cause: o.Cause}
			span(st, nil, failure)
			t.event(Event{Type: MapIterationFailed, Name: name, Index: i})
			ended(failure)
			return nil, failure, nil
		default:
			return nil, nil, errNotInline
		}
	}
	return nil, nil, errNotInline
}

// iterationContext is the Context of iteration i's states: the Map state's
// execution fields, the item, and a random source of the iteration's own
// (seeded from the execution, the Map's step and i, so that a step taken
// again draws the same numbers).
func (t *transition) iterationContext(i int, item any) *asl.Context {
	p := t.c
	h := fnv.New64a()
	h.Write([]byte(t.x.id))
	c := t.x.executionContext(t.d)
	c.RedriveCount, c.MaxPayload, c.Interrupt = p.RedriveCount, p.MaxPayload, p.Interrupt
	c.InMap, c.MapItemIndex, c.MapItemValue = true, i, item
	c.Rand = &lockedSource{r: rand.New(rand.NewPCG(h.Sum64(), uint64(t.seq)<<20|uint64(i)))}
	// the variables of the scopes around it: a pure processor assigns
	// none, it may read them
	c.Vars, c.AllVars = p.Vars, p.AllVars
	return c
}
