package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The kinds of work item the design names. Kind is free text to the store:
// the runtime may add its own (for example distinct timer kinds, so that a
// task's timeout and its heartbeat are different timers).
const (
	KindStep = "step" // run asl.Step at the thread's state
	KindTask = "task" // call the integration for the current attempt
	KindWake = "wake" // a timer fired
)

// WorkItem is a unit of work: run the thread Thread of execution Exec, which
// must still be at sequence number Seq (else the item is stale and
// dropped). Its encoding "exec|thread|seq|kind" is both the ready stream's
// entry and the timers' member.
type WorkItem struct {
	Exec   string
	Thread string
	Seq    int64
	Kind   string
}

// String returns the item's encoding.
func (w WorkItem) String() string {
	return w.Exec + "|" + w.Thread + "|" + strconv.FormatInt(w.Seq, 10) + "|" + w.Kind
}

// validate checks that the item can be encoded and decoded back.
func (w WorkItem) validate() error {
	for _, f := range [...]struct{ name, v string }{{"execution id", w.Exec}, {"thread id", w.Thread}, {"kind", w.Kind}} {
		if err := checkID(f.name, f.v); err != nil {
			return err
		}
	}
	if w.Seq < 0 {
		return fmt.Errorf("%w: work item sequence number %d", ErrInvalid, w.Seq)
	}
	return nil
}

// parseWorkItem decodes an item's encoding.
func parseWorkItem(s string) (WorkItem, error) {
	f := strings.Split(s, "|")
	if len(f) != 4 {
		return WorkItem{}, fmt.Errorf("%w: work item %q", ErrCorrupt, s)
	}
	seq, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return WorkItem{}, fmt.Errorf("%w: work item %q", ErrCorrupt, s)
	}
	w := WorkItem{Exec: f[0], Thread: f[1], Seq: seq, Kind: f[3]}
	if w.validate() != nil {
		return WorkItem{}, fmt.Errorf("%w: work item %q", ErrCorrupt, s)
	}
	return w, nil
}

// OutboxItem is what a transition hands over after it commits: a work item
// for the ready stream, or, when Due is set, a timer that becomes one at
// Due.
type OutboxItem struct {
	Item WorkItem
	Due  time.Time // zero: ready now
}

// encode returns the item as the scripts take it: "<due unix ms>|<item>",
// due 0 for an item that is ready now. The script prefixes the outbox
// sequence number.
func (o OutboxItem) encode() (string, error) {
	if err := o.Item.validate(); err != nil {
		return "", err
	}
	due := int64(0)
	if !o.Due.IsZero() {
		if due = o.Due.UnixMilli(); due <= 0 {
			return "", fmt.Errorf("%w: timer due at %v, before 1970", ErrInvalid, o.Due)
		}
	}
	return strconv.FormatInt(due, 10) + "|" + o.Item.String(), nil
}

// outboxEntry is one stored entry of an outbox list.
type outboxEntry struct {
	seq  int64  // the execution's outbox sequence number
	due  int64  // unix ms, 0 for ready now
	item string // the work item's encoding
	raw  string // the entry as stored: unique in its outbox (its seq)
}

// parseOutboxEntry decodes "<seq>|<due>|<item>".
func parseOutboxEntry(s string) (outboxEntry, error) {
	f := strings.SplitN(s, "|", 3)
	if len(f) != 3 {
		return outboxEntry{}, fmt.Errorf("%w: outbox entry %q", ErrCorrupt, s)
	}
	seq, err1 := strconv.ParseInt(f[0], 10, 64)
	due, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return outboxEntry{}, fmt.Errorf("%w: outbox entry %q", ErrCorrupt, s)
	}
	if _, err := parseWorkItem(f[2]); err != nil {
		return outboxEntry{}, err
	}
	return outboxEntry{seq: seq, due: due, item: f[2], raw: s}, nil
}

// checkID rejects ids that would break a key's hash tag or an encoding.
func checkID(what, id string) error {
	if id == "" || strings.ContainsAny(id, "{}|\n") {
		return fmt.Errorf("%w: %s %q is empty or contains one of { } | or a newline", ErrInvalid, what, id)
	}
	return nil
}
