package events

import (
	"context"
	"errors"
	"net/http"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/bus"
)

// excInternal is EventBridge's internal error (500).
const excInternal = "InternalException"

// toAWSError is the one place where an error becomes EventBridge's: a
// *bus.Error by its code and status, an error of the protocol layer as it
// is, a cancelled request as such; anything else is an InternalException
// (500), its detail for the log only.
func toAWSError(err error) *awsproto.Error {
	var be *bus.Error
	if errors.As(err, &be) {
		status := be.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return &awsproto.Error{Status: status, Code: be.Code, Message: be.Message}
	}
	if ae, ok := awsproto.As(err); ok {
		return ae
	}
	if errors.Is(err, context.Canceled) {
		return &awsproto.Error{Status: 499, Code: "RequestAbortedException", Message: "the request was cancelled"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &awsproto.Error{Status: http.StatusServiceUnavailable, Code: awsproto.ServiceUnavailable, Message: err.Error()}
	}
	return &awsproto.Error{Status: http.StatusInternalServerError, Code: excInternal, Message: err.Error()}
}

// validation is a ValidationException of the request's shape.
func validation(format string, args ...any) error {
	return awsproto.Errorf(awsproto.Validation, format, args...)
}
