package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error in AWS's shape: the HTTP status, the exception's code
// (JSON's "__type", the query protocol's <Code>, REST-JSON's
// X-Amzn-ErrorType) and its message.
type Error struct {
	Status  int
	Code    string
	Message string
	// Reason is a ValidationException's reason (JSON), "" for none.
	Reason string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Fault is the query protocol's <Type>: Sender for the caller's mistakes
// (4xx), Receiver for the server's (5xx).
func (e *Error) Fault() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Errorf builds a 400 error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// The exception codes of the protocol layer itself, common to the
// services, as AWS spells them.
const (
	IncompleteSignature   = "IncompleteSignatureException"
	InternalFailure       = "InternalFailure"
	InvalidSignature      = "InvalidSignatureException"
	MissingAuthToken      = "MissingAuthenticationTokenException"
	RequestEntityTooLarge = "RequestEntityTooLargeException"
	Serialization         = "SerializationException"
	ServiceUnavailable    = "ServiceUnavailable" // 503: the AWS SDKs retry it
	UnknownOperation      = "UnknownOperationException"
	UnrecognizedClient    = "UnrecognizedClientException"
	Validation            = "ValidationException"
	// the query protocol's names for a missing or unknown action and a
	// malformed parameter
	InvalidAction         = "InvalidAction"
	MissingAction         = "MissingAction"
	InvalidParameterValue = "InvalidParameterValue"
)
