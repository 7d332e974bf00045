package queue

import (
	"errors"
	"fmt"

	"github.com/signalbox/signalbox/store"
)

// errorf returns a client error (HTTP 400) of code.
func errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

func errQueueMissing() *Error {
	return errorf("QueueDoesNotExist", "The specified queue does not exist.")
}

func errInvalidValue(format string, a ...any) *Error {
	return errorf("InvalidParameterValue", format, a...)
}

func errInvalidReceipt(h string) *Error {
	return errorf("ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", clip(h, 64))
}

// isMissing says whether err is the queue's absence (errQueueMissing).
func isMissing(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == errQueueMissing().Code
}

// clip shortens user text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// storeError maps a store error to an SQS error: a missing queue, a limit,
// or, for the server's failures, InternalError (500).
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, store.ErrNotFound):
		return errQueueMissing()
	case errors.Is(err, store.ErrQueueExists):
		return errorf("QueueNameExists", "A queue already exists with the same name and a different value for attribute %s", attrOf(err))
	case errors.Is(err, store.ErrDeletedRecently):
		return errorf("QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	case errors.Is(err, store.ErrPurgeInProgress):
		return errorf("PurgeQueueInProgress", "Only one PurgeQueue operation on the queue is allowed every 60 seconds.")
	case errors.Is(err, store.ErrOverLimit):
		return errorf("OverLimit", "The maximum number of in flight messages is reached.")
	case errors.Is(err, store.ErrLimit):
		return errorf("OverLimit", "%s", err.Error())
	case errors.Is(err, store.ErrInvalid):
		return errInvalidValue("%s", err.Error())
	case errors.Is(err, store.ErrUnavailable):
		// 503, which the SDKs retry; the gateway logs the cause
		return &Error{Code: "ServiceUnavailable", Message: "The service is unavailable: its store did not answer", Server: true}
	}
	return &Error{Code: "InternalError", Message: err.Error(), Server: true}
}

// attrOf pulls the attribute name out of a store.ErrQueueExists error.
func attrOf(err error) string {
	var name string
	if _, e := fmt.Sscanf(err.Error(), store.ErrQueueExists.Error()+": %s differs", &name); e != nil {
		return ""
	}
	return name
}
