package asl

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// TimeFormat is how the Context object and history render timestamps.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Context is what a state sees of its execution: the Context object ("$$")
// and the sources of time and randomness. Nothing in asl reads the wall
// clock or a global random source: the runtime fills these in.
type Context struct {
	ExecutionID      string // execution ARN
	ExecutionName    string
	ExecutionInput   any
	ExecutionStart   time.Time
	RoleArn          string
	RedriveCount     int
	Express          bool   // Express executions show no RedriveCount
	StateMachineID   string // state machine ARN
	StateMachineName string

	StateName      string
	EnteredTime    time.Time // also "now" for the state's decisions
	RetryCount     int       // retries of this state so far
	CanRetry       bool      // the state kind has Retry: $$.State.RetryCount is shown
	Retries        []int     // retries so far per retrier of the state
	EnteredEventID int64     // the id of the state's StateEntered history event

	TaskToken string // set while a .waitForTaskToken task runs

	InMap        bool // set inside a Map iteration (and its ItemSelector)
	MapItemIndex int
	MapItemValue any

	// Rand is the random source for States.MathRandom and States.UUID.
	Rand intrinsic.Random
	// Vars resolves workflow variables; nil when there are none.
	Vars func(name string) (any, bool)
	// AllVars returns every variable the state can see, for JSONata
	// bindings; nil when there are none.
	AllVars func() map[string]any
	// Interrupt, when set, is cancelled when the execution stops, times
	// out or the client waiting for it leaves: an evaluation in progress
	// (JSONata, intrinsics, templates) stops at its next check and the
	// state fails. Nil means the evaluation is bounded by its own limits
	// only.
	Interrupt context.Context
	// MaxPayload is the limit on a state's input, output, result and
	// parameters and each Map iteration's input, in bytes of JSON text; 0
	// is AWS's 256 KiB (MaxPayload). A self-hosted runtime may raise it
	// on purpose (Engine.MaxPayload); over it, States.DataLimitExceeded.
	MaxPayload int
	// Inspect, when set, records the state's data flow stage by stage, as
	// TestState's inspectionData shows it: each stage's value by AWS's
	// name ("afterInputPath", "afterParameters", "result",
	// "afterResultSelector", "afterResultPath", "afterArguments",
	// "afterItemsPath"). Nil (every execution) records nothing.
	Inspect map[string]any
	// Override, when set, is the Context object "$$" shows instead of the
	// one the fields above make (TestState's context).
	Override any

	obj any // the Context object, built on first use
	// execObj and smObj are its Execution and StateMachine parts, which
	// never change within an execution.
	execObj, smObj map[string]any
	// jsonataOpts are the JSONata evaluation options bound to this
	// Context, built on first use (its functions draw from Rand).
	jsonataOpts any
	// sizes remembers the JSON lengths of values measured for the
	// payload limits (payloadsize.go).
	sizes sizeMemo
	// step is Step's env, kept here so that a state's step allocates
	// none (a state's enter is called through an interface: its env
	// would escape).
	step env
}

// Object returns the Context object as a JSON value, as "$$" sees it.
func (c *Context) Object() any {
	if c.obj != nil {
		return c.obj
	}
	if c.Override != nil {
		c.obj = c.Override
		return c.obj
	}
	if c.execObj == nil {
		// The execution's and state machine's parts are the same for
		// every state of the execution: built once, kept across
		// Invalidate.
		c.execObj = map[string]any{
			"Id":        c.ExecutionID,
			"Name":      c.ExecutionName,
			"Input":     c.ExecutionInput,
			"StartTime": c.ExecutionStart.UTC().Format(TimeFormat),
			"RoleArn":   c.RoleArn,
		}
		if !c.Express {
			c.execObj["RedriveCount"] = int64(c.RedriveCount)
		}
		c.smObj = map[string]any{"Id": c.StateMachineID, "Name": c.StateMachineName}
	}
	state := map[string]any{
		"Name":        c.StateName,
		"EnteredTime": c.EnteredTime.UTC().Format(TimeFormat),
	}
	if c.CanRetry {
		state["RetryCount"] = int64(c.RetryCount)
	}
	obj := map[string]any{
		"Execution":    c.execObj,
		"StateMachine": c.smObj,
		"State":        state,
	}
	if c.TaskToken != "" {
		obj["Task"] = map[string]any{"Token": c.TaskToken}
	}
	if c.InMap {
		obj["Map"] = map[string]any{"Item": map[string]any{"Index": int64(c.MapItemIndex), "Value": c.MapItemValue}}
	}
	c.obj = obj
	return obj
}

// Invalidate drops the cached Context object after a field changed.
func (c *Context) Invalidate() { c.obj = nil }

// note records a stage of the state's data flow when the Context records
// them (Inspect).
func (e *env) note(stage string, v any) {
	if e.ctx.Inspect != nil {
		e.ctx.Inspect[stage] = v
	}
}

// env is what one evaluation inside a state sees.
type env struct {
	input any // "$"
	ctx   *Context
}

func (e *env) scope() jpath.Scope {
	return jpath.Scope{Input: e.input, LazyContext: e.ctx, Vars: e.ctx.Vars}
}

// runtimeErr builds a States.Runtime error in AWS's words, naming the
// state and the event that entered it.
func (e *env) runtimeErr(format string, args ...any) *aslerr.Error {
	return stateErr(e.ctx, aslerr.Runtime, fmt.Sprintf(format, args...))
}

func stateErr(c *Context, name, msg string) *aslerr.Error {
	return &aslerr.Error{Name: name, Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", c.StateName, c.EnteredEventID, msg)}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
