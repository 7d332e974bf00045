package sns

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/topic"
)

// SNS's errors are one spelling (the query protocol's <Code>, which the
// SDKs map to their typed exceptions) and an HTTP status. The table is the
// service model's (aws-sdk-go-v2/service/sns v1.48.0: the status and code
// of each error shape, as its response snapshots record them), plus the
// query protocol's common errors (InvalidAction, ValidationError, ...),
// which the model does not list.
var statuses = map[string]int{
	"AuthorizationError":           403,
	"BatchEntryIdsNotDistinct":     400,
	"BatchRequestTooLong":          400,
	"ConcurrentAccess":             400,
	"EmptyBatchRequest":            400,
	"EndpointDisabled":             400,
	"FilterPolicyLimitExceeded":    403,
	"InternalError":                500,
	"InvalidBatchEntryId":          400,
	"InvalidParameter":             400,
	"ParameterValueInvalid":        400,
	"InvalidSecurity":              403,
	"InvalidState":                 400,
	"KMSAccessDenied":              400,
	"KMSDisabled":                  400,
	"KMSInvalidState":              400,
	"KMSNotFound":                  400,
	"KMSOptInRequired":             403,
	"KMSThrottling":                400,
	"NotFound":                     404,
	"OptedOut":                     400,
	"PlatformApplicationDisabled":  400,
	"ReplayLimitExceeded":          403,
	"ResourceNotFound":             404,
	"StaleTag":                     400,
	"SubscriptionLimitExceeded":    403,
	"TagLimitExceeded":             400,
	"TagPolicy":                    400,
	"Throttled":                    429,
	"TooManyEntriesInBatchRequest": 400,
	"TopicLimitExceeded":           403,
	"UserError":                    400,
	"ValidationException":          400,
	"VerificationException":        400,
	// the common errors
	"InvalidAction":      400,
	"MissingAction":      400,
	"ValidationError":    400,
	"ServiceUnavailable": 503,
}

// snsError is an error as the answer carries it.
type snsError struct {
	code    string
	status  int
	message string
}

// fault is the query protocol's <Type>.
func (e *snsError) fault() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// errorf builds one of SNS's errors by its code, with the code's status.
func errorf(code, format string, args ...any) *topic.Error {
	status, ok := statuses[code]
	if !ok {
		status = http.StatusBadRequest
	}
	return &topic.Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// invalid is InvalidParameter as SNS words it: "Invalid parameter: <what>".
func invalid(format string, args ...any) *topic.Error {
	return errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

// missing is a required parameter's absence, as SNS words it.
func missing(param string) *topic.Error {
	return invalid("%s Reason: no value for required parameter", param)
}

// toSNSError is the one place where an error becomes SNS's: a *topic.Error
// by its code and status (a status of 0 is the code's), an error of the
// protocol layer (awsproto) by its code, a cancelled request as such;
// anything else is an InternalError (500), its detail for the log only.
func toSNSError(err error) *snsError {
	var te *topic.Error
	if errors.As(err, &te) {
		status := te.Status
		if status == 0 {
			if status = statuses[te.Code]; status == 0 {
				status = http.StatusBadRequest
			}
		}
		return &snsError{code: te.Code, status: status, message: te.Message}
	}
	if ae, ok := awsproto.As(err); ok {
		// a parameter that does not parse (awsproto's InvalidParameterValue:
		// a boolean that is not one, an entry without its key) is SNS's
		// InvalidParameter
		code := awsproto.QueryCode(ae.Code)
		if ae.Code == awsproto.InvalidParameterValue {
			code = "InvalidParameter"
		}
		status := ae.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return &snsError{code: code, status: status, message: ae.Message}
	}
	if errors.Is(err, context.Canceled) {
		return &snsError{code: "RequestAborted", status: 499, message: "the request was cancelled"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &snsError{code: "ServiceUnavailable", status: http.StatusServiceUnavailable, message: err.Error()}
	}
	return &snsError{code: "InternalError", status: http.StatusInternalServerError, message: err.Error()}
}

// errorResponse is <ErrorResponse>, in SNS's namespace as AWS writes it.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	XMLNS   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// errorBody is e's answer.
func errorBody(e *snsError, requestID string) []byte {
	r := errorResponse{XMLNS: XMLNS, RequestID: requestID}
	r.Error.Type, r.Error.Code, r.Error.Message = e.fault(), e.code, e.message
	b, _ := xml.Marshal(r) // strings only: it cannot fail
	return b
}

// writeError answers e.
func writeError(c *gin.Context, e *snsError, requestID string) {
	c.Data(e.status, awsproto.QueryContentType, errorBody(e, requestID))
}

// logError maps err and logs it; the detail of an internal error is for
// the log only, the answer says where to find it.
func (s *API) logError(c *gin.Context, name string, err error) *snsError {
	e := toSNSError(err)
	id := c.Writer.Header().Get("x-amzn-RequestId")
	if e.status >= 500 {
		s.opts.Logger.Error("sns request failed", "action", name, "requestId", id, "status", e.status, "code", e.code, "err", err)
		switch e.code {
		case "InternalError":
			e.message = "An internal error occurred (request id " + id + "): the server's log has the details."
		case "ServiceUnavailable":
			e.message = "The service is unavailable: its store did not answer (request id " + id + "). Try again later."
		}
		return e
	}
	s.opts.Logger.Info("sns request failed", "action", name, "requestId", id, "status", e.status, "code", e.code, "message", e.message)
	return e
}

// batchEntryError is one failed entry of PublishBatch
// (BatchResultErrorEntry).
func batchEntryError(id string, te *topic.Error) batchResultError {
	e := toSNSError(te)
	return batchResultError{ID: id, Code: e.code, Message: e.message, SenderFault: e.status < 500}
}
