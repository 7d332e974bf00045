package topic

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/function"
)

// A lambda subscription invokes its function asynchronously with SNS's
// Lambda event, in the publisher's trace.
func TestLambdaSubscriptionInvokesTheFunction(t *testing.T) {
	t.Parallel()
	type got struct {
		event       map[string]any
		traceparent string
	}
	calls := make(chan got, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		_ = json.Unmarshal(b, &ev)
		calls <- got{ev, r.Header.Get("traceparent")}
		_, _ = io.WriteString(w, `null`)
	}))
	t.Cleanup(srv.Close)
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "onOrder", Endpoint: srv.URL, ReservedConcurrency: -1})
	require.NoError(t, err)
	async := function.NewAsync(function.NewDispatcher(nil), function.AsyncOptions{})
	t.Cleanup(async.Close)

	b := setup(t, "", true)
	arn := b.topic(t, "orders", nil)
	fnARN := "arn:aws:lambda:us-east-1:123456789012:function:onOrder"
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolLambda, Endpoint: fnARN})
	var e *Error
	require.True(t, errors.As(err, &e), "refused without functions: %v", err)
	require.Contains(t, e.Message, "no functions run here")

	b.svc.SetFunctions(function.NewTarget(r, async))
	for _, bad := range []string{"onOrder", "arn:aws:sqs:us-east-1:123456789012:q"} {
		_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolLambda, Endpoint: bad})
		require.Error(t, err, bad)
	}
	sub, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolLambda, Endpoint: fnARN})
	require.NoError(t, err)
	_, err = NewTask(b.svc).Invoke(b.ctx, publishReq(map[string]any{"TopicArn": arn, "Message": "order 7",
		"MessageAttributes": map[string]any{"kind": map[string]any{"DataType": "String", "StringValue": "new"}}}))
	require.NoError(t, err)
	var c got
	select {
	case c = <-calls:
	case <-time.After(30 * time.Second): // a safety net: the delivery is made at once
		t.Fatal("the function was not invoked")
	}
	require.Equal(t, taskTraceParent, c.traceparent)
	recs := c.event["Records"].([]any)
	require.Len(t, recs, 1)
	rec := recs[0].(map[string]any)
	require.Equal(t, "aws:sns", rec["EventSource"])
	require.Equal(t, "1.0", rec["EventVersion"])
	require.Equal(t, sub, rec["EventSubscriptionArn"])
	sns := rec["Sns"].(map[string]any)
	require.Equal(t, "Notification", sns["Type"])
	require.Equal(t, "order 7", sns["Message"])
	require.Equal(t, arn, sns["TopicArn"])
	require.Nil(t, sns["Subject"])
	require.Contains(t, sns, "Subject")
	require.NotEmpty(t, sns["Signature"])
	require.NotEmpty(t, sns["SigningCertUrl"])
	require.NotEmpty(t, sns["UnsubscribeUrl"])
	require.Equal(t, map[string]any{"kind": map[string]any{"Type": "String", "Value": "new"}}, sns["MessageAttributes"])
}
