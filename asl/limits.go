package asl

import (
	"fmt"

	"github.com/signalbox/signalbox/asl/aslerr"
)

// MaxPayload is AWS's limit on a state's input, output and result, on an
// execution's input and output, and on each Map iteration's input: 256 KiB
// of JSON text.
const MaxPayload = 256 * 1024

// MaxMapInputs bounds the JSON text of all of a Map state's iteration
// inputs together (after ItemSelector), which are built before the first
// iteration runs. Each is held to MaxPayload; the Items themselves too, so
// without this bound an ItemSelector building a large value per item could
// multiply one payload into gigabytes. AWS builds them one at a time and
// has no such figure.
const MaxMapInputs = 64 << 20

// fitsPayload reports whether v's JSON text is at most MaxPayload bytes,
// counting no further than that, with what c remembers (payloadsize.go).
func fitsPayload(c *Context, v any) bool { return c.payloadSize(v) <= MaxPayload }

// dataLimit is the failure of a state whose data grew past the payload
// limit, in AWS's words. It is never retried or caught.
func dataLimit(state string) Fail {
	return Fail{Error: aslerr.DataLimitExceeded, Cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", state)}
}

// withinLimits holds an outcome to the payload limits: a state's output
// (also after a Wait) and a Task's parameters. Complete holds the result a
// Task, Parallel or Map reports, the Map its Items and iteration inputs.
// Both engines carry out only outcomes that passed here.
func withinLimits(c *Context, o Outcome) Outcome {
	if overLimit(c, o) {
		return dataLimit(c.StateName)
	}
	return o
}

func overLimit(c *Context, o Outcome) bool {
	switch x := o.(type) {
	case Next:
		return !fitsPayload(c, x.Output)
	case Succeed:
		return !fitsPayload(c, x.Output)
	case WaitUntil:
		return overLimit(c, x.Then)
	case CallTask:
		return !fitsPayload(c, x.Parameters)
	}
	return false
}

// mapInputs checks a Map's iteration inputs: each within MaxPayload, all
// together within MaxMapInputs. Items that passed fitsPayload as one array
// pass it without being measured again.
func mapInputs(items []any) bool {
	total := 0
	for _, it := range items {
		n := EncodedLen(it, MaxPayload)
		if n > MaxPayload {
			return false
		}
		if total += n; total > MaxMapInputs {
			return false
		}
	}
	return true
}
