package runtime

import (
	"errors"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// The runtime's own errors for what its callers may meet of the store.
// Every exported method of Durable and Inspector passes the store's errors
// through fromStore, the one place where they become these; a caller (the
// gateway, the console, the CLI) tests with errors.Is against the runtime's
// values and never imports the store. The runtime's other errors, named
// like AWS's exceptions (ErrStateMachineDoesNotExist, ...), live next to
// the methods that return them.
var (
	// ErrNotFound: the record asked for does not exist (or no longer does).
	// Methods whose record has an AWS name of its own say so instead
	// (ErrExecutionDoesNotExist, ErrStateMachineDoesNotExist, ...).
	ErrNotFound = errors.New("not found")
	// ErrExecutionClosed: the execution is no longer running (stopping or
	// completing a task of an execution that has ended).
	ErrExecutionClosed = errors.New("execution closed")
	// ErrInvalidArgument: an argument the runtime cannot use (an id with a
	// reserved character, a cursor it did not hand out).
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrExecutionAlreadyExists is AWS's answer to a start whose name is
	// taken: by a closed execution, or an open one with another input.
	ErrExecutionAlreadyExists = errors.New("ExecutionAlreadyExists")
	// ErrStateMachineAlreadyExists is AWS's StateMachineAlreadyExists.
	ErrStateMachineAlreadyExists = errors.New("StateMachineAlreadyExists")
	// ErrUnavailable: the store did not answer in time, refused the
	// connection or refused the write; the request may succeed later.
	ErrUnavailable = errors.New("the store is unavailable")
)

// storeErrors pairs the store's errors with the runtime's; the first match
// wins.
var storeErrors = []struct{ store, runtime error }{
	{store.ErrNotFound, ErrNotFound},
	{store.ErrClosed, ErrExecutionClosed},
	{store.ErrInvalid, ErrInvalidArgument},
	{store.ErrExecutionAlreadyExists, ErrExecutionAlreadyExists},
	{store.ErrStateMachineExists, ErrStateMachineAlreadyExists},
}

// translatedError is a store error as the runtime's callers see it: it is
// the runtime's sentinel for errors.Is, reads as the store's message with
// the store's sentinel text replaced by the runtime's, and unwraps to the
// store's error so that the runtime's own code, which may meet it again,
// still recognises it.
type translatedError struct {
	kind error
	msg  string
	err  error
}

func (e *translatedError) Error() string        { return e.msg }
func (e *translatedError) Is(target error) bool { return target == e.kind }
func (e *translatedError) Unwrap() error        { return e.err }

// fromStore is the one boundary where the store's errors become the
// runtime's; other errors (the runtime's own, a cancelled context, a
// definition's diagnostics) pass unchanged, and so does nil.
func fromStore(err error) error {
	if err == nil {
		return nil
	}
	var done *translatedError
	if errors.As(err, &done) {
		return err
	}
	for _, m := range storeErrors {
		if errors.Is(err, m.store) {
			return &translatedError{kind: m.runtime, msg: strings.Replace(err.Error(), m.store.Error(), m.runtime.Error(), 1), err: err}
		}
	}
	if store.Unavailable(err) {
		// the message stays the store's: it names what failed (a timeout,
		// a refused write), which the operator's log needs
		return &translatedError{kind: ErrUnavailable, msg: err.Error(), err: err}
	}
	return err
}
