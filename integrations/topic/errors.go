package topic

import (
	"fmt"
	"net/http"
)

// invalidf is InvalidParameter, worded as AWS words it: "Invalid
// parameter: <what>".
func invalidf(format string, a ...any) *Error {
	return &Error{Code: "InvalidParameter", Message: "Invalid parameter: " + fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

func errNotFound(msg string) *Error {
	return &Error{Code: "NotFound", Message: msg, Status: http.StatusNotFound}
}

func errTopicMissing() *Error { return errNotFound("Topic does not exist") }

func errSubscriptionMissing() *Error { return errNotFound("Subscription does not exist") }

// errResourceMissing is the tagging actions' answer for a topic that does
// not exist.
func errResourceMissing() *Error {
	return &Error{Code: "ResourceNotFound", Message: "Resource does not exist", Status: http.StatusNotFound}
}

func errorCode(code string, status int, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...), Status: status}
}

// clip shortens user text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
