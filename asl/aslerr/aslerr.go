// Package aslerr defines the error an ASL state raises at run time: an
// error name (States.Runtime, States.TaskFailed, or a custom name) and a
// cause. Error names are data: Retry and Catch match on them.
package aslerr

import "fmt"

// The error names AWS Step Functions defines.
const (
	ALL                             = "States.ALL"
	DataLimitExceeded               = "States.DataLimitExceeded"
	Runtime                         = "States.Runtime"
	Timeout                         = "States.Timeout"
	HeartbeatTimeout                = "States.HeartbeatTimeout"
	TaskFailed                      = "States.TaskFailed"
	Permissions                     = "States.Permissions"
	ResultPathMatchFailure          = "States.ResultPathMatchFailure"
	ParameterPathFailure            = "States.ParameterPathFailure"
	BranchFailed                    = "States.BranchFailed"
	NoChoiceMatched                 = "States.NoChoiceMatched"
	IntrinsicFailure                = "States.IntrinsicFailure"
	ExceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
	ItemReaderFailed                = "States.ItemReaderFailed"
	ResultWriterFailed              = "States.ResultWriterFailed"
	QueryEvaluationError            = "States.QueryEvaluationError"
)

// Error is an error raised by a state, as Retry and Catch see it.
type Error struct {
	Name  string // e.g. "States.Runtime" or a custom name
	Cause string
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// New returns an Error with a formatted cause.
func New(name, format string, args ...any) *Error {
	return &Error{Name: name, Cause: fmt.Sprintf(format, args...)}
}
