package sfn

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/runtime"
)

// errorf builds a 400 error of the given exception name.
func errorf(typ, format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(typ, format, args...)
}

// The exception names of Step Functions' actions, as AWS spells them; the
// protocol's own are awsproto's.
const (
	excActivityDoesNotExist      = "ActivityDoesNotExist"
	excConflict                  = "ConflictException"
	excExecutionAlreadyExists    = "ExecutionAlreadyExists"
	excExecutionDoesNotExist     = "ExecutionDoesNotExist"
	excExecutionNotRedrivable    = "ExecutionNotRedrivable"
	excInvalidArn                = "InvalidArn"
	excInvalidDefinition         = "InvalidDefinition"
	excInvalidExecutionInput     = "InvalidExecutionInput"
	excInvalidName               = "InvalidName"
	excInvalidOutput             = "InvalidOutput"
	excInvalidToken              = "InvalidToken"
	excMissingRequiredParameter  = "MissingRequiredParameter"
	excResourceNotFound          = "ResourceNotFound"
	excServiceQuotaExceeded      = "ServiceQuotaExceededException"
	excStateMachineAlreadyExists = "StateMachineAlreadyExists"
	excStateMachineDoesNotExist  = "StateMachineDoesNotExist"
	excStateMachineTypeNotSupp   = "StateMachineTypeNotSupported"
	excTaskDoesNotExist          = "TaskDoesNotExist"
	excTaskTimedOut              = "TaskTimedOut"
	excTooManyTags               = "TooManyTags"
)

const (
	excInternalFailure    = awsproto.InternalFailure
	excServiceUnavailable = awsproto.ServiceUnavailable
	excSerialization      = awsproto.Serialization
	excValidation         = awsproto.Validation
)

// sentinels are the runtime's errors named like AWS's
// exceptions, with the exception each becomes; the first match wins.
var sentinels = []struct {
	err    error
	typ    string
	status int
}{
	{runtime.ErrStateMachineDoesNotExist, excStateMachineDoesNotExist, http.StatusBadRequest},
	{runtime.ErrStateMachineAlreadyExists, excStateMachineAlreadyExists, http.StatusBadRequest},
	{runtime.ErrExecutionDoesNotExist, excExecutionDoesNotExist, http.StatusBadRequest},
	{runtime.ErrExecutionAlreadyExists, excExecutionAlreadyExists, http.StatusBadRequest},
	{runtime.ErrActivityDoesNotExist, excActivityDoesNotExist, http.StatusBadRequest},
	{runtime.ErrInvalidName, excInvalidName, http.StatusBadRequest},
	{runtime.ErrInvalidArn, excInvalidArn, http.StatusBadRequest},
	{runtime.ErrInvalidInput, excInvalidExecutionInput, http.StatusBadRequest},
	{runtime.ErrTaskDoesNotExist, excTaskDoesNotExist, http.StatusBadRequest},
	{runtime.ErrTaskTimedOut, excTaskTimedOut, http.StatusBadRequest},
	{runtime.ErrInvalidToken, excInvalidToken, http.StatusBadRequest},
	{runtime.ErrResourceNotFound, excResourceNotFound, http.StatusBadRequest},
	{runtime.ErrTooManyTags, excTooManyTags, http.StatusBadRequest},
	{runtime.ErrValidation, excValidation, http.StatusBadRequest},
	{runtime.ErrInvalidDefinition, excInvalidDefinition, http.StatusBadRequest},
	{runtime.ErrConflict, excConflict, http.StatusConflict},
	{runtime.ErrServiceQuotaExceeded, excServiceQuotaExceeded, http.StatusPaymentRequired},
	{runtime.ErrNotFound, excResourceNotFound, http.StatusBadRequest},
	{runtime.ErrInvalidArgument, excValidation, http.StatusBadRequest},
}

// toAWSError is the one place where an error of the runtime
// becomes an AWS exception. Handlers that know better what a missing
// record is (an execution, a task) say so through notFound; everything
// not recognised is an InternalFailure (HTTP 500).
func toAWSError(err error) *awsproto.Error {
	if ae, ok := awsproto.As(err); ok {
		return ae
	}
	var de *diag.Error
	if errors.As(err, &de) {
		return errorf(excInvalidDefinition, "Invalid State Machine Definition: '%s'", de.Diagnostics)
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			// The sentinel's text is the exception's name: the message is
			// what follows it.
			msg := err.Error()
			if i := strings.Index(msg, s.err.Error()+": "); i >= 0 {
				msg = msg[i+len(s.err.Error())+2:]
			} else if msg == s.err.Error() {
				msg = words(msg)
			}
			return &awsproto.Error{Status: s.status, Code: s.typ, Message: awsWording(s.typ, msg)}
		}
	}
	if errors.Is(err, context.Canceled) {
		return &awsproto.Error{Status: 499, Code: "RequestAbortedException", Message: "the request was cancelled"}
	}
	if errors.Is(err, runtime.ErrUnavailable) {
		return &awsproto.Error{Status: http.StatusServiceUnavailable, Code: excServiceUnavailable, Message: err.Error()}
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: excInternalFailure, Message: err.Error()}
}

// namedByARN are the exceptions AWS words as "<words of the name>:
// '<ARN>'" ("State Machine Does Not Exist: 'arn:aws:states:...'").
var namedByARN = map[string]bool{
	excStateMachineDoesNotExist: true, excStateMachineAlreadyExists: true,
	excExecutionDoesNotExist: true, excExecutionAlreadyExists: true, excActivityDoesNotExist: true,
}

// invalidToken is AWS's message of InvalidToken, whatever the token (a
// task token or a page token) and whatever is wrong with it.
const invalidToken = "Invalid Token: 'Invalid token'"

// awsWording words the runtime's message of an exception as AWS does,
// where AWS's wording is known: an ARN alone becomes "State Machine Does
// Not Exist: '<ARN>'", and InvalidToken has one message.
func awsWording(typ, msg string) string {
	switch {
	case typ == excInvalidToken:
		return invalidToken
	case namedByARN[typ] && strings.HasPrefix(msg, "arn:") && !strings.ContainsAny(msg, " '"):
		return words(typ) + ": '" + msg + "'"
	}
	return msg
}

// notFound turns the runtime's "no such record" (ErrNotFound) into the
// exception typ names, for handlers whose record has a name of its own
// (ExecutionDoesNotExist, ...); other errors pass unchanged.
func notFound(err error, typ, format string, args ...any) error {
	if errors.Is(err, runtime.ErrNotFound) {
		return errorf(typ, format, args...)
	}
	return err
}

// required reports a missing required member as AWS words it.
func required(member string) *awsproto.Error {
	e := errorf(excValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
	e.Reason = "MISSING_REQUIRED_PARAMETER"
	return e
}

// notInEnum reports a member whose value is not one of its enum's.
func notInEnum(member, value string, allowed ...string) *awsproto.Error {
	return errorf(excValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, member, strings.Join(allowed, ", "))
}

// tooLong reports a string member over its length limit.
func tooLong(member string, n, max int) *awsproto.Error {
	return errorf(excValidation, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d (got %d)", member, max, n)
}

// notSupported is the answer to a feature Signalbox does not implement.
func notSupported(format string, args ...any) *awsproto.Error {
	return errorf(excValidation, "not supported by Signalbox: "+format, args...)
}

// words spells an exception's name as words: "TaskDoesNotExist" →
// "Task Does Not Exist".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
