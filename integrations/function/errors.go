package function

import (
	"fmt"
	"strings"
)

// The names of the *Error failures of this package. A failure of Lambda's
// API is named "Lambda." and its error code (the Lambda API answers the
// code, APICode); Step Functions shows the Java SDK's exception class
// instead (TaskErrorName).
const (
	ErrServiceException  = "Lambda.ServiceException"
	ErrTooManyRequests   = "Lambda.TooManyRequestsException"
	ErrResourceNotFound  = "Lambda.ResourceNotFoundException"
	ErrRequestTooLarge   = "Lambda.RequestTooLargeException"
	ErrInvalidRuntime    = "Lambda.InvalidRuntimeException"
	ErrInvalidContent    = "Lambda.InvalidRequestContentException"
	ErrInvalidParameter  = "Lambda.InvalidParameterValueException"
	ErrValidation        = "Lambda.ValidationException"
	ErrSdkClient         = "Lambda.SdkClientException"
	ErrAWSLambda         = "Lambda.AWSLambdaException"
	ErrSandboxTimedOut   = "Sandbox.Timedout"
	ErrUnknownFunctionFE = "Lambda.Unknown"
)

// apiErrors are the Lambda API's error codes this package names, with the
// HTTP status Lambda answers them with.
var apiErrors = map[string]int{
	"ServiceException":               500,
	"TooManyRequestsException":       429,
	"ResourceNotFoundException":      404,
	"RequestTooLargeException":       413,
	"InvalidRuntimeException":        502,
	"InvalidRequestContentException": 400,
	"InvalidParameterValueException": 400,
	"ValidationException":            400,
	"ResourceConflictException":      409,
	"ResourceNotReadyException":      502,
	"UnsupportedMediaTypeException":  415,
}

// javaModelled are the codes the AWS SDK for Java models as exception
// classes of their own; Step Functions names the others
// Lambda.AWSLambdaException (its errors are "Lambda." and the class).
var javaModelled = map[string]bool{
	"ServiceException": true, "TooManyRequestsException": true, "ResourceNotFoundException": true,
	"RequestTooLargeException": true, "InvalidRuntimeException": true, "InvalidRequestContentException": true,
	"InvalidParameterValueException": true, "ResourceConflictException": true, "ResourceNotReadyException": true,
	"UnsupportedMediaTypeException": true,
}

// APICode is the Lambda API error code of a failure named "Lambda.<code>"
// ("" for another name, Sandbox.Timedout for one), and the HTTP status
// Lambda answers it with (500 for a code this package does not know).
func APICode(e *Error) (code string, status int) {
	code, ok := strings.CutPrefix(e.Name, "Lambda.")
	if !ok {
		return "", 500
	}
	if s, ok := apiErrors[code]; ok {
		return code, s
	}
	return code, 500
}

// TaskErrorName is the error a Task state fails with for e, as Step
// Functions names a Lambda API failure: "Lambda." and the AWS SDK for
// Java's exception class, Lambda.AWSLambdaException for a code it does not
// model. A name that is not a Lambda API code is itself.
func TaskErrorName(e *Error) string {
	code, _ := APICode(e)
	switch {
	case code == "":
		return e.Name
	case javaModelled[code], code == "AWSLambdaException", code == "SdkClientException", code == "Unknown":
		return e.Name
	default:
		return ErrAWSLambda
	}
}

// TaskCause is the cause a Task state fails with for e, as the AWS SDK for
// Java renders a service's error: the message, then the service, status,
// code and request id.
func TaskCause(e *Error, requestID string) string {
	code, status := APICode(e)
	switch code {
	case "", "SdkClientException", "Unknown", "AWSLambdaException":
		return e.Cause
	}
	return fmt.Sprintf("%s (Service: AWSLambda; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)", e.Cause, status, code, requestID)
}

func serviceError(format string, args ...any) *Error {
	return &Error{Name: ErrServiceException, Cause: fmt.Sprintf(format, args...)}
}
