package intrinsic

import (
	"strings"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/jpath"
)

// prefix starts every intrinsic function call.
const prefix = "States."

// Random is the source of randomness for States.MathRandom without a seed
// and States.UUID. *math/rand/v2.Rand satisfies it.
type Random interface {
	Float64() float64
	Uint64() uint64
}

// Env is what a call is evaluated against.
type Env struct {
	// Scope holds the documents argument paths read: the state input ("$"),
	// the Context object ("$$") and the workflow variables ("$name").
	Scope jpath.Scope
	// Rand draws the numbers of States.MathRandom without a seed and of
	// States.UUID. When nil, those calls fail with States.Runtime.
	Rand Random
}

// Call is a parsed intrinsic function call. It is immutable and safe for
// concurrent use by any number of goroutines.
type Call struct {
	src  string
	root *call
}

// IsCall reports whether s, the value of a field whose name ends in ".$",
// is an intrinsic function call rather than a path.
func IsCall(s string) bool { return strings.HasPrefix(s, prefix) }

// String returns the call in canonical form: arguments separated by ", ",
// string and number literals as written.
func (c *Call) String() string {
	var b strings.Builder
	c.root.write(&b)
	return b.String()
}

// Source returns the call exactly as it was written.
func (c *Call) Source() string { return c.src }

// Func returns the name of the outermost function, such as "States.Format".
func (c *Call) Func() string { return c.root.fn.name }

// Eval evaluates the call. A failure is an *aslerr.Error named
// States.Runtime whose cause says which function failed and why, as AWS
// writes it.
func (c *Call) Eval(env *Env) (any, error) {
	if env == nil {
		env = &Env{}
	}
	v, err := c.root.eval(env)
	if err != nil {
		return nil, c.fail(env, err)
	}
	return v, nil
}

// fail turns an evaluation error into the error a state raises.
func (c *Call) fail(env *Env, err error) error {
	var detail string
	switch e := err.(type) {
	case *missingPathError:
		detail = "The JsonPath argument for the field '" + e.path +
			"' could not be found in the input '" + compactJSON(env.Scope.Input) + "'"
	case *evalError:
		detail = e.msg
	default:
		detail = err.Error()
	}
	return &aslerr.Error{
		Name:  aslerr.Runtime,
		Cause: "The function '" + c.src + "' had the following error: " + detail,
	}
}
