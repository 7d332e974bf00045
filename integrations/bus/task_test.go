package bus

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// The recorded AWS cases of Step Functions' EventBridge integration
// (../shared/conformance: test_put_events_base, _malformed_detail,
// _mixed_malformed_detail, _no_source) give the answers compared here.
func TestPutEventsTask(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		q := b.newQueue(t, "q")
		b.rule(t, "", "r", `{"source":["some.source"]}`, Target{ID: "t", Arn: q})
		task := NewTask(b.svc)
		exec := "arn:aws:states:us-east-1:123456789012:execution:orders:run-1"
		req := func(params string) *integrations.Request {
			var p any
			require.NoError(t, json.Unmarshal([]byte(params), &p))
			return &integrations.Request{Resource: ResourcePutEvents, Parameters: p, ExecutionARN: exec, TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
		}

		out, err := task.Invoke(b.ctx, req(`{"Entries":[
			{"Detail":"{\"Message\": \"HelloWorld0\"}","DetailType":"dt","Source":"some.source"},
			{"Detail":{"Message":"HelloWorld1"},"DetailType":"dt","Source":"some.source","Resources":["r1"]}]}`))
		require.NoError(t, err)
		m := out.(map[string]any)
		require.EqualValues(t, 0, m["FailedEntryCount"])
		require.Len(t, m["Entries"], 2)
		msgs := b.receive(t, "q", 2)
		byDetail := map[string]Event{}
		for _, msg := range msgs {
			var e Event
			require.NoError(t, json.Unmarshal([]byte(msg.Body), &e))
			byDetail[string(e.Detail)] = e
			require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", msg.MessageAttributes["traceparent"].StringValue, "the execution's trace")
		}
		require.Equal(t, []string{exec, "arn:aws:states:us-east-1:123456789012:stateMachine:orders"}, byDetail[`{"Message":"HelloWorld0"}`].Resources,
			"the execution's and state machine's ARNs appended, as Step Functions does")
		require.Equal(t, []string{"r1", exec, "arn:aws:states:us-east-1:123456789012:stateMachine:orders"}, byDetail[`{"Message":"HelloWorld1"}`].Resources)

		_, err = task.Invoke(b.ctx, req(`{"Entries":[{"Detail":"{\"Message\": \"HelloWorld0\"}","DetailType":"dt","Source":"some.source"},{"Detail":"\"jsonstring\"","DetailType":"dt","Source":"some.source"}]}`))
		var ie *integrations.Error
		require.True(t, errors.As(err, &ie), "%v", err)
		require.Equal(t, ErrFailedEntry, ie.Name)
		var cause struct {
			Entries          []map[string]string
			FailedEntryCount int
		}
		require.NoError(t, json.Unmarshal([]byte(ie.Cause), &cause))
		require.Equal(t, 1, cause.FailedEntryCount)
		require.NotEmpty(t, cause.Entries[0]["EventId"])
		require.Equal(t, map[string]string{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}, cause.Entries[1])

		_, err = task.Invoke(b.ctx, req(`{"Entries":[{"Detail":{"Message":"HelloWorld"},"DetailType":"dt"}]}`))
		require.True(t, errors.As(err, &ie))
		require.JSONEq(t, `{"Entries":[{"ErrorCode":"InvalidArgument","ErrorMessage":"Parameter Source is not valid. Reason: Source is a required argument."}],"FailedEntryCount":1}`, ie.Cause)

		_, err = task.Invoke(b.ctx, req(`{"Entries":[{"Detail":{},"DetailType":"dt","Source":"s","Bogus":1}]}`))
		require.True(t, errors.As(err, &ie))
		require.Equal(t, "States.Runtime", ie.Name)
		_, err = task.Invoke(b.ctx, req(`{"Entries":[]}`))
		require.True(t, errors.As(err, &ie))
		require.Equal(t, "EventBridge.ValidationException", ie.Name)

		token := req(`{"Entries":[{"Detail":{},"DetailType":"dt","Source":"s"}]}`)
		token.Resource = ResourcePutEventsToken
		_, err = task.Invoke(b.ctx, token)
		require.True(t, errors.As(err, &ie))
		require.Equal(t, "States.Runtime", ie.Name, "no task token in an Express execution")
	})
}
