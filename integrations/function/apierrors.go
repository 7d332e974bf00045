package function

import (
	"fmt"
	"net/http"
)

// APIError is an error of the Lambda API, as the Service answers it: the
// exception's code, its HTTP status and a message. gateway/lambda renders
// it as it is; Error (api.go) is the invocation's failure instead.
type APIError struct {
	Code    string
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// The Lambda API's exceptions the Service answers, with their statuses
// (the API reference's Errors sections).
const (
	CodeResourceNotFound   = "ResourceNotFoundException"      // 404
	CodeResourceConflict   = "ResourceConflictException"      // 409
	CodeInvalidParameter   = "InvalidParameterValueException" // 400
	CodePreconditionFailed = "PreconditionFailedException"    // 412
	CodeTooManyRequests    = "TooManyRequestsException"       // 429
	CodeService            = "ServiceException"               // 500
	CodeRequestTooLarge    = "RequestTooLargeException"       // 413
	CodeInvalidZipFile     = "InvalidZipFileException"        // 502
	CodeInvalidRequest     = "InvalidRequestContentException" // 400
	CodeCodeStorage        = "CodeStorageExceededException"   // 400
	CodeUnsupportedMedia   = "UnsupportedMediaTypeException"  // 415
	CodeResourceNotReady   = "ResourceNotReadyException"      // 502
	CodeInvalidRuntime     = "InvalidRuntimeException"        // 502
	CodeResourceInUse      = "ResourceInUseException"         // 400
	CodeValidation         = "ValidationException"            // 400
)

func apiErr(code string, status int, format string, args ...any) *APIError {
	return &APIError{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

func invalidParam(format string, args ...any) *APIError {
	return apiErr(CodeInvalidParameter, http.StatusBadRequest, format, args...)
}

func validation(format string, args ...any) *APIError {
	return apiErr(CodeValidation, http.StatusBadRequest, format, args...)
}

func notFound(format string, args ...any) *APIError {
	return apiErr(CodeResourceNotFound, http.StatusNotFound, format, args...)
}

func conflict(format string, args ...any) *APIError {
	return apiErr(CodeResourceConflict, http.StatusConflict, format, args...)
}

func precondition(format string, args ...any) *APIError {
	return apiErr(CodePreconditionFailed, http.StatusPreconditionFailed, format, args...)
}

// notSupported answers what Lambda has and Signalbox does not.
func notSupported(what string) *APIError {
	return invalidParam("not supported by Signalbox: %s", what)
}

// Is makes a ResourceNotFoundException ErrNotFound (the Resolver's).
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Code == CodeResourceNotFound
}
