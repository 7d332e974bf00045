package runtimeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations/function"
)

// Limits, as Lambda's.
const (
	// MaxPayloadSize is the largest event a synchronous invocation takes,
	// in bytes: Lambda's "payload is too large for the RequestResponse
	// invocation type (limit 6291456 bytes)".
	MaxPayloadSize = 6291456
	// MaxResponseSize is the largest response (or error document) a
	// runtime may post, in bytes: "Response payload size exceeded maximum
	// allowed payload size (6291556 bytes)".
	MaxResponseSize = 6291556
	// MaxClientContext is the longest ClientContext, decoded, in bytes.
	MaxClientContext = 3583
	// MaxErrorType is the longest errorType kept from a runtime's header.
	MaxErrorType = 1024
)

// The error types (errorType of the document) Lambda reports when the
// runtime itself fails.
const (
	ErrorTypeTimeout           = "Sandbox.Timedout"
	ErrorTypeExit              = "Runtime.ExitError"
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	ErrorTypeResponseTooLarge  = "Function.ResponseSizeTooLarge"
	ErrorTypeUnknown           = "Runtime.Unknown"
)

// The names of the failures to run a function (function.Error.Name).
const (
	ErrTooManyRequests       = "Lambda.TooManyRequestsException"
	ErrRequestTooLarge       = "Lambda.RequestTooLargeException"
	ErrInvalidRequestContent = "Lambda.InvalidRequestContentException"
	ErrService               = "Lambda.ServiceException"
)

// runtimeError is the document of a failure Lambda reports for the
// runtime: errorType first, then errorMessage, as Lambda prints it.
func runtimeError(errorType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, message})
	return b
}

// timeoutDoc is a timed-out invocation's document.
func timeoutDoc(requestID string, timeout time.Duration) []byte {
	return runtimeError(ErrorTypeTimeout, fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()))
}

// exitDoc is the document of a runtime that exited (err is what Wait
// said: nil for a clean exit).
func exitDoc(requestID string, err error) []byte {
	msg := "Runtime exited without providing a reason"
	var ee *exec.ExitError
	if errors.As(err, &ee) && !ee.Success() {
		msg = "Runtime exited with error: " + ee.Error()
	} else if err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		msg = "Runtime exited with error: " + err.Error()
	}
	return runtimeError(ErrorTypeExit, "RequestId: "+requestID+" Error: "+msg)
}

// entrypointDoc is the document of an executable that cannot be started.
func entrypointDoc(requestID string, err error) []byte {
	return runtimeError(ErrorTypeInvalidEntrypoint, "RequestId: "+requestID+" Error: "+err.Error())
}

// tooLargeDoc is the document of a response over MaxResponseSize.
func tooLargeDoc() []byte {
	return runtimeError(ErrorTypeResponseTooLarge, fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseSize))
}

// errorDocument is the error document of an invocation (or init) error a
// runtime posted: its body when that is a JSON object (Lambda hands it on
// as it came), else one made of the Lambda-Runtime-Function-Error-Type
// header and the body as the message, as Lambda does "when error payload
// is not provided or can not be read". Always a JSON object.
func errorDocument(errorType string, body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed) {
		return trimmed
	}
	errorType = cleanText(errorType, MaxErrorType)
	if errorType == "" {
		errorType = ErrorTypeUnknown
	}
	msg := cleanText(string(trimmed), len(trimmed))
	if msg == "" {
		msg = errorType
	}
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, errorType})
	return b
}

// cleanText is s cut to max bytes and made valid UTF-8.
func cleanText(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	if !utf8.ValidString(s) {
		s = string(bytes.ToValidUTF8([]byte(s), []byte("\uFFFD")))
	}
	return s
}

// throttled is the error of an invocation beyond a concurrency bound.
func throttled(reason string) error {
	return &function.Error{Name: ErrTooManyRequests, Cause: "Rate Exceeded. Reason: " + reason}
}

// errClosed is the error of an invocation of a closed pool.
var errClosed = &function.Error{Name: ErrService, Cause: "the function process pool is closed"}

// apiError is the body of a Runtime API error answer.
type apiError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}
