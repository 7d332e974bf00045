package sqs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/queue"
)

// SQS's errors have two spellings: the JSON protocol's shape name
// ("QueueDoesNotExist", in "__type" as com.amazonaws.sqs#QueueDoesNotExist)
// and the query protocol's code ("AWS.SimpleQueueService.NonExistentQueue",
// in <Code>, and in the JSON protocol's x-amzn-query-error header, which the
// SDKs of the awsQueryCompatible model read: with it, Go SDK v2 sets the
// typed error's ErrorCode() to the query code, and botocore the error's
// Code). The table is the service model's (aws-sdk-go-v2/service/sqs
// v1.53.0 schemas: the AWSQueryError and HTTPError traits of each error
// shape), plus the common errors of the API reference (MissingParameter,
// InvalidParameterValue, ...), which the model does not list.

// code is one error: its query spelling and its HTTP status.
type code struct {
	query  string
	status int
}

// codes are the errors by their JSON spelling.
var codes = map[string]code{
	"BatchEntryIdsNotDistinct":     {"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400},
	"BatchRequestTooLong":          {"AWS.SimpleQueueService.BatchRequestTooLong", 400},
	"EmptyBatchRequest":            {"AWS.SimpleQueueService.EmptyBatchRequest", 400},
	"InvalidAddress":               {"InvalidAddress", 404},
	"InvalidAttributeName":         {"InvalidAttributeName", 400},
	"InvalidAttributeValue":        {"InvalidAttributeValue", 400},
	"InvalidBatchEntryId":          {"AWS.SimpleQueueService.InvalidBatchEntryId", 400},
	"InvalidIdFormat":              {"InvalidIdFormat", 400},
	"InvalidMessageContents":       {"InvalidMessageContents", 400},
	"InvalidSecurity":              {"InvalidSecurity", 403},
	"MessageNotInflight":           {"AWS.SimpleQueueService.MessageNotInflight", 400},
	"OverLimit":                    {"OverLimit", 403},
	"PurgeQueueInProgress":         {"AWS.SimpleQueueService.PurgeQueueInProgress", 403},
	"QueueDeletedRecently":         {"AWS.SimpleQueueService.QueueDeletedRecently", 400},
	"QueueDoesNotExist":            {"AWS.SimpleQueueService.NonExistentQueue", 400},
	"QueueNameExists":              {"QueueAlreadyExists", 400},
	"ReceiptHandleIsInvalid":       {"ReceiptHandleIsInvalid", 404},
	"RequestThrottled":             {"RequestThrottled", 403},
	"ResourceNotFoundException":    {"ResourceNotFoundException", 404},
	"TooManyEntriesInBatchRequest": {"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400},
	"UnsupportedOperation":         {"AWS.SimpleQueueService.UnsupportedOperation", 400},
	// the common errors
	"InvalidAction":               {"InvalidAction", 400},
	"InvalidParameterCombination": {"InvalidParameterCombination", 400},
	"InvalidParameterValue":       {"InvalidParameterValue", 400},
	"InvalidQueryParameter":       {"InvalidQueryParameter", 400},
	"MissingAction":               {"MissingAction", 400},
	"MissingParameter":            {"MissingParameter", 400},
	"InternalError":               {"InternalError", 500},
	"ServiceUnavailable":          {"ServiceUnavailable", 503},
}

// jsonNames are the JSON spellings by query code, for an error given in
// its query spelling.
var jsonNames = func() map[string]string {
	m := map[string]string{}
	for name, c := range codes {
		m[c.query] = name
	}
	return m
}()

// sqsError is an error in both spellings, with its status: the one shape
// both protocols render (writeJSONError, writeQueryError).
type sqsError struct {
	json, query string
	status      int
	message     string
	// modeled: the JSON spelling is an SQS shape, written with its
	// namespace ("com.amazonaws.sqs#QueueDoesNotExist")
	modeled bool
}

// errorf builds one of SQS's errors by its JSON spelling.
func errorf(name, format string, args ...any) *queue.Error {
	return &queue.Error{Code: name, Message: fmt.Sprintf(format, args...)}
}

// missing is MissingParameter as AWS words it.
func missing(param string) *queue.Error {
	return errorf("MissingParameter", "The request must contain the parameter %s.", param)
}

// invalidValue is InvalidParameterValue.
func invalidValue(format string, args ...any) *queue.Error {
	return errorf("InvalidParameterValue", format, args...)
}

// toSQSError is the one place where an error becomes SQS's: a
// *queue.Error by its code (in either spelling), an error of the protocol
// layer (awsproto) by its code, a cancelled request as such; anything else
// is an InternalError (500), its detail for the log only.
func toSQSError(err error) *sqsError {
	var qe *queue.Error
	if errors.As(err, &qe) {
		name := qe.Code
		if n, ok := jsonNames[name]; ok {
			name = n // given in the query spelling
		}
		c, ok := codes[name]
		if !ok {
			c = code{query: name, status: http.StatusBadRequest}
		}
		if qe.Server && c.status < 500 {
			c.status = http.StatusInternalServerError
		}
		return &sqsError{json: name, query: c.query, status: c.status, message: qe.Message, modeled: true}
	}
	if ae, ok := awsproto.As(err); ok {
		if c, ok := codes[ae.Code]; ok { // awsproto's InvalidParameterValue
			return &sqsError{json: ae.Code, query: c.query, status: c.status, message: ae.Message, modeled: true}
		}
		c := code{query: awsproto.QueryCode(ae.Code), status: cmp.Or(ae.Status, http.StatusBadRequest)}
		return &sqsError{json: ae.Code, query: c.query, status: c.status, message: ae.Message}
	}
	if errors.Is(err, context.Canceled) {
		return &sqsError{json: "RequestAbortedException", query: "RequestAborted", status: 499, message: "the request was cancelled"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &sqsError{json: "ServiceUnavailable", query: "ServiceUnavailable", status: http.StatusServiceUnavailable, message: err.Error()}
	}
	return &sqsError{json: "InternalError", query: "InternalError", status: http.StatusInternalServerError, message: err.Error()}
}

// fault is the query protocol's <Type> and x-amzn-query-error's second
// part: Sender for the caller's mistakes, Receiver for the server's.
func (e *sqsError) fault() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// jsonType is the JSON protocol's "__type".
func (e *sqsError) jsonType() string {
	if e.modeled {
		return "com.amazonaws.sqs#" + e.json
	}
	return e.json
}

// queryHeader is the x-amzn-query-error header's value.
func (e *sqsError) queryHeader() string { return e.query + ";" + e.fault() }

// batchEntryError is one failed entry of a batch, as BatchResultErrorEntry
// carries it: the query spelling of the code (AWS writes the same codes in
// both protocols: the member is a string, not a shape name).
func batchEntryError(id string, qe *queue.Error) batchResultError {
	e := toSQSError(qe)
	return batchResultError{ID: id, SenderFault: e.status < 500, Code: e.query, Message: e.message}
}
