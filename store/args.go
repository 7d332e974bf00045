package store

import (
	"strconv"
	"strings"
)

// args builds a script's ARGV in the sections scripts.go describes.
type args []any

// events appends the events section: each event as the history keeps it
// (scripts.go), so that the script pushes it as it is.
func (a *args) events(evs []Event) error {
	*a = append(*a, len(evs))
	for i, e := range evs {
		inner, err := e.inner()
		if err != nil {
			return errorAt("event", i, err)
		}
		inner = packEvent(inner)
		var el string
		switch {
		case e.PreviousID == NoPreviousEvent:
			el = "^0|" + inner
		case e.PreviousID > 0:
			el = "^" + strconv.FormatInt(e.PreviousID, 10) + "|" + inner
		case i == 0:
			el = "@" + inner // follows the thread's latest event
		default:
			el = "~" + inner
		}
		*a = append(*a, el)
	}
	return nil
}

// joinedEvents is evs as the history keeps them (events), joined by
// historySep into the one string the history of an execution created
// SUCCEEDED is, the first following no event ("@" becomes "^0|": a new
// execution has none).
func joinedEvents(evs []Event) (string, error) {
	var a args
	if err := a.events(evs); err != nil {
		return "", err
	}
	s := make([]string, len(evs))
	for i := range evs {
		s[i] = a[1+i].(string)
	}
	if rest, ok := strings.CutPrefix(s[0], "@"); ok {
		s[0] = "^0|" + rest
	}
	return strings.Join(s, historySep), nil
}

// argBoxes boxes a hot script's integer arguments without an allocation
// each: a value that a conversion to any would copy to the heap (past 255)
// goes into a backing array shared by many, named by pointer, which
// go-redis writes as it writes the value (*int64 as int64). The strings of
// such a script are named by pointer too (&field, no copy), from values
// that do not change until the command is written. The same ARGV as the
// values themselves, on the wire.
type argBoxes struct{ vals []int64 }

// int is v boxed.
func (b *argBoxes) int(v int64) any {
	if v >= 0 && v < 256 {
		return v // the runtime's static boxes
	}
	if len(b.vals) == cap(b.vals) {
		// a new array: the pointers already given stay valid
		b.vals = make([]int64, 0, max(16, 2*cap(b.vals)))
	}
	b.vals = append(b.vals, v)
	return &b.vals[len(b.vals)-1]
}

// pairs appends a pairs section.
func (a *args) pairs(kv ...string) {
	*a = append(*a, len(kv)/2)
	for _, s := range kv {
		*a = append(*a, s)
	}
}

// outbox appends the outbox section.
func (a *args) outbox(items []OutboxItem) error {
	*a = append(*a, len(items))
	for i, it := range items {
		s, err := it.encode()
		if err != nil {
			return errorAt("outbox item", i, err)
		}
		*a = append(*a, s)
	}
	return nil
}

func errorAt(what string, i int, err error) error {
	return &indexError{what: what, i: i, err: err}
}

type indexError struct {
	what string
	i    int
	err  error
}

func (e *indexError) Error() string { return e.what + " " + strconv.Itoa(e.i) + ": " + e.err.Error() }
func (e *indexError) Unwrap() error { return e.err }
