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

// payloadLimit is the limit c holds states to: Context.MaxPayload, else
// AWS's MaxPayload.
func (c *Context) payloadLimit() int {
	if c.MaxPayload > 0 {
		return c.MaxPayload
	}
	return MaxPayload
}

// fitsPayload reports whether v's JSON text is at most c's payload limit,
// counting no further than that, with what c remembers (payloadsize.go).
func (c *Context) fitsPayload(v any) bool { return c.payloadSize(v) <= c.payloadLimit() }

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
	if c.overLimit(o) {
		return dataLimit(c.StateName)
	}
	return o
}

func (c *Context) overLimit(o Outcome) bool {
	switch x := o.(type) {
	case Next:
		return !c.fitsPayload(x.Output)
	case Succeed:
		return !c.fitsPayload(x.Output)
	case WaitUntil:
		return c.overLimit(x.Then)
	case CallTask:
		return !c.fitsPayload(x.Parameters)
	}
	return false
}

// mapInputs checks a Map's iteration inputs: each within the payload
// limit, all together within MaxMapInputs. Items that passed fitsPayload
// as one array pass it without being measured again.
func (c *Context) mapInputs(items []any) bool {
	total, limit := 0, c.payloadLimit()
	for _, it := range items {
		n := EncodedLen(it, limit)
		if n > limit {
			return false
		}
		if total += n; total > MaxMapInputs {
			return false
		}
	}
	return true
}
