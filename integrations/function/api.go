// Package function is the function runtime: AWS Lambda's semantics for the
// functions Task states call (arn:aws:states:::lambda:invoke and bare
// function ARNs), the Lambda API serves (gateway/lambda) and topics and
// rules target. A function is either an HTTP endpoint that receives the
// event as a JSON POST and answers the result, or a local executable that
// implements the AWS Lambda Runtime API (runtimeapi/), started, reused,
// timed out and restarted by Signalbox.
//
// CONTRACT (session 10): the types and interfaces below are shared by the
// helpers building the management plane (functions.go, store/function.go,
// gateway/lambda), the invoke path (invoke.go, task.go) and the Runtime API
// process pool (runtimeapi/). Change them only with a note in the merge.
package function

import (
	"context"
	"errors"
	"time"
)

// Config is one version of a function (or $LATEST) as it runs: what the
// Lambda API's FunctionConfiguration shows, plus where its code is.
type Config struct {
	Name    string // function name
	ARN     string // unqualified: arn:aws:lambda:<region>:<account>:function:<name>
	Version string // "$LATEST" or "1", "2", ...
	// Endpoint is the URL of an HTTP function: the event is POSTed there
	// as JSON and the answer is the result. Exactly one of Endpoint and
	// Executable is set.
	Endpoint string
	// Executable is the path of a Runtime API program (a custom
	// runtime's bootstrap, or a Go handler built with aws-lambda-go);
	// CodeDir is the directory it runs in (LAMBDA_TASK_ROOT), a zip's
	// contents unpacked.
	Executable string
	CodeDir    string
	Handler    string // _HANDLER; informative for a custom runtime
	Runtime    string // e.g. "provided.al2023"; informative
	// Environment are the function's variables, added to the standard
	// ones (AWS_LAMBDA_FUNCTION_NAME, ...).
	Environment map[string]string
	Timeout     time.Duration // 0: the default, 3 s; at most 900 s
	MemorySize  int           // MB; 128 by default; informative
	// ReservedConcurrency caps the invocations running at once; -1 for
	// none (the process pool's own bound applies).
	ReservedConcurrency int
	Description         string
	CodeSha256          string
	CodeSize            int64
	LastModified        time.Time
	RevisionID          string
}

// Invocation is one call of a function.
type Invocation struct {
	Payload   []byte // the event, JSON
	RequestID string // the invocation's id (Lambda-Runtime-Aws-Request-Id)
	// ClientContext is the base64 ClientContext of Invoke (at most 3583
	// bytes decoded), handed to the function as AWS does.
	ClientContext string
	// TraceParent, TraceState: the W3C trace context the call carries
	// (traceparent header for HTTP, _X_AMZN_TRACE_ID and the
	// Lambda-Runtime-Trace-Id header for a Runtime API program).
	TraceParent, TraceState string
	// Deadline is when the function's Timeout runs out (set by the
	// invoker from Config.Timeout when zero).
	Deadline time.Time
}

// Result is what one invocation returned, as Invoke answers it.
type Result struct {
	Payload []byte // the result, or the error document of a function error
	// FunctionError is "Unhandled" when the function failed (its
	// Payload then is {"errorMessage","errorType","stackTrace"}); "" on
	// success.
	FunctionError   string
	StatusCode      int    // 200 for RequestResponse, 202 for Event
	ExecutedVersion string // the version that ran
}

// Invoker runs one invocation of a function. A failure of the function
// itself is a Result with FunctionError set, not an error; an error is a
// failure to run it, an *Error with Lambda's error name (for example
// Lambda.TooManyRequestsException, Lambda.ServiceException,
// Sandbox.Timedout).
type Invoker interface {
	Invoke(ctx context.Context, fn *Config, inv *Invocation) (*Result, error)
}

// Resolver finds the function a FunctionName (a name, a partial or full
// ARN, possibly with ":<version or alias>") and a Qualifier refer to.
// ErrNotFound when there is none.
type Resolver interface {
	Resolve(ctx context.Context, name, qualifier string) (*Config, error)
}

// ErrNotFound: no such function, version or alias.
var ErrNotFound = errors.New("function not found")

// Error is a failure to run a function, named as Lambda names it; the
// Task state's error is Name.
type Error struct {
	Name  string // e.g. "Lambda.ServiceException", "Sandbox.Timedout"
	Cause string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }
