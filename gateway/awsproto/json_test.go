package awsproto_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// bus is a service on AWS JSON 1.1 (as EventBridge is), to check the
// dispatch through an action table.
type bus struct{ events []string }

type putEventsInput struct {
	Entries []struct {
		Source string `json:"Source"`
	} `json:"Entries"`
}

type putEventsOutput struct {
	FailedEntryCount int            `json:"FailedEntryCount"`
	At               awsproto.Epoch `json:"At"`
}

func putEvents(b *bus, _ context.Context, in *putEventsInput) (*putEventsOutput, error) {
	for _, e := range in.Entries {
		b.events = append(b.events, e.Source)
	}
	return &putEventsOutput{At: awsproto.At(time.UnixMilli(1700000000123))}, nil
}

var busService = &awsproto.JSONService[*bus]{Name: "EventBridge", TargetPrefix: "AWSEvents.", Version: "1.1", Actions: map[string]awsproto.Action[*bus]{
	"PutEvents":    awsproto.Op(putEvents),
	"CreateRule":   nil, // listed without a handler: unknown
	"TestEventBus": awsproto.Unsupported[*bus]("EventBridge", "TestEventBus"),
}}

func TestJSONServiceDispatchesThroughItsActionTable(t *testing.T) {
	t.Parallel()
	require.Equal(t, "application/x-amz-json-1.1", busService.ContentType())
	b := &bus{}
	a, err := busService.Action("AWSEvents.PutEvents", "application/x-amz-json-1.1")
	require.NoError(t, err)
	out, err := a(b, context.Background(), []byte(`{"Entries":[{"Source":"shop"},{"Source":"bank"}]}`))
	require.NoError(t, err)
	require.Equal(t, []string{"shop", "bank"}, b.events)
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	require.JSONEq(t, `{"FailedEntryCount":0,"At":1700000000.123}`, string(raw), "timestamps are epoch seconds")

	_, err = a(b, context.Background(), []byte(`{"Entries":{}}`))
	e, _ := awsproto.As(err)
	require.Equal(t, awsproto.Serialization, e.Code)
	require.Equal(t, "'Entries' must be of type list, got object", e.Message)

	for _, c := range []struct{ target, contentType, code, message string }{
		{"", "", awsproto.UnknownOperation, "the request has no X-Amz-Target header naming an action"},
		{"AWSEvents.Nope", "", awsproto.UnknownOperation, `unknown operation "AWSEvents.Nope"`},
		{"AWSEvents.CreateRule", "", awsproto.UnknownOperation, `unknown operation "AWSEvents.CreateRule"`},
		{"AWSStepFunctions.PutEvents", "", awsproto.UnknownOperation, `unknown operation "AWSStepFunctions.PutEvents"`},
		{"AWSEvents.PutEvents", "text/xml", awsproto.Serialization, `unsupported content type "text/xml": the EventBridge API takes application/x-amz-json-1.1`},
	} {
		_, err := busService.Action(c.target, c.contentType)
		e, ok := awsproto.As(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, c.code, e.Code, c.target)
		require.Equal(t, c.message, e.Message, c.target)
		require.Equal(t, http.StatusBadRequest, e.Status)
	}
	a, err = busService.Action("AWSEvents.TestEventBus", "")
	require.NoError(t, err)
	_, err = a(b, context.Background(), nil)
	e, _ = awsproto.As(err)
	require.Equal(t, awsproto.Validation, e.Code)
	require.Equal(t, "not supported by Signalbox: the EventBridge action TestEventBus is not implemented", e.Message)

	require.JSONEq(t, `{"__type":"ValidationException","message":"m","reason":"MISSING_REQUIRED_PARAMETER"}`,
		string(awsproto.JSONErrorBody(&awsproto.Error{Status: 400, Code: "ValidationException", Message: "m", Reason: "MISSING_REQUIRED_PARAMETER"})))
}
