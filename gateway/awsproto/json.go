package awsproto

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The AWS JSON protocols, 1.0 and 1.1: POST / with
// X-Amz-Target: <prefix>.<Action> and a JSON body; the answer is a JSON
// body, or an error {"__type": <code>, "message": ...} with its HTTP
// status. The two versions differ only in their content type.

// Action carries out one action of a service S on a request body.
type Action[S any] func(s S, ctx context.Context, body []byte) (any, error)

// Op adapts a handler of typed request and response to an Action: the
// body is decoded by DecodeJSON.
func Op[S, In, Out any](f func(S, context.Context, *In) (*Out, error)) Action[S] {
	return func(s S, ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := DecodeJSON(body, in); err != nil {
			return nil, err
		}
		return f(s, ctx, in)
	}
}

// Unsupported answers an action of the service's API that Signalbox does
// not implement: a clear ValidationException, not UnknownOperation, so
// that a caller learns it is known and missing.
func Unsupported[S any](service, action string) Action[S] {
	return func(S, context.Context, []byte) (any, error) {
		return nil, Errorf(Validation, "not supported by Signalbox: the %s action %s is not implemented", service, action)
	}
}

// JSONService is one service's endpoint of the AWS JSON protocol.
type JSONService[S any] struct {
	Name         string // for messages: "Step Functions"
	TargetPrefix string // "AWSStepFunctions."
	Version      string // "1.0" or "1.1"
	Actions      map[string]Action[S]
}

// ContentType is the protocol's content type: application/x-amz-json-1.0
// or -1.1.
func (svc *JSONService[S]) ContentType() string { return "application/x-amz-json-" + svc.Version }

// Action returns the action a request's X-Amz-Target and Content-Type
// name, or the error AWS answers: UnknownOperationException for a missing
// or unknown target, SerializationException for a content type that is
// not JSON.
func (svc *JSONService[S]) Action(target, contentType string) (Action[S], error) {
	name, ok := strings.CutPrefix(target, svc.TargetPrefix)
	a := svc.Actions[name]
	if !ok || a == nil {
		if target == "" {
			return nil, Errorf(UnknownOperation, "the request has no X-Amz-Target header naming an action")
		}
		return nil, Errorf(UnknownOperation, "unknown operation %q", target)
	}
	if contentType != "" && !strings.Contains(contentType, "json") {
		return nil, Errorf(Serialization, "unsupported content type %q: the %s API takes %s", contentType, svc.Name, svc.ContentType())
	}
	return a, nil
}

// JSONErrorBody is e as the JSON protocols answer it.
func JSONErrorBody(e *Error) []byte {
	body := map[string]string{"__type": e.Code, "message": e.Message}
	if e.Reason != "" {
		body["reason"] = e.Reason
	}
	b, _ := json.Marshal(body)
	return b
}

// DecodeJSON decodes a JSON object into in. An empty body is an empty
// object; malformed JSON, a value of the wrong type or trailing data is a
// SerializationException, as AWS answers.
func DecodeJSON(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		// encoding/json would replace the bytes without a word
		return Errorf(Serialization, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return Errorf(Serialization, "the request body must be a JSON object, got %s", te.Value)
			}
			return Errorf(Serialization, "'%s' must be of type %s, got %s", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return Errorf(Serialization, "the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(Serialization, "the request body has data after its JSON object")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "structure"
	}
	return "number"
}

// ReadBody reads a request body up to limit bytes; a larger one is
// refused (413 RequestEntityTooLargeException) before anything is done.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, BodyTooLarge(limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, Errorf(Serialization, "reading the request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, BodyTooLarge(limit)
	}
	return body, nil
}

// BodyTooLarge is ReadBody's error for a body over limit bytes.
func BodyTooLarge(limit int64) error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: RequestEntityTooLarge,
		Message: "the request body is larger than the " + strconv.FormatInt(limit, 10) + " bytes this server accepts"}
}

// Epoch is a timestamp as the JSON protocols write it: epoch seconds, a
// JSON number with millisecond fraction. The zero time is omitted
// (omitzero).
type Epoch struct{ time.Time }

// At is t as an Epoch.
func At(t time.Time) Epoch { return Epoch{t} }

// MarshalJSON writes the time as epoch seconds.
func (t Epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}

// NewRequestID is a request id in AWS's form (a UUID), for the
// x-amzn-RequestId header and the query protocol's <RequestId>.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
