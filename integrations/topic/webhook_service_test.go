package topic

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/snstest"
	"github.com/signalbox/signalbox/internal/testclock"
)

// setupHTTP is a started topic router whose public URL is a loopback
// server doing what the gateway does for subscribers: it serves the
// signing certificate, and takes SubscribeURL's and UnsubscribeURL's GETs.
func setupHTTP(t *testing.T) *testBundle {
	t.Helper()
	st := openStore(t, "")
	clock := testclock.New(t0)
	var svc *Service
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var err error
		switch {
		case r.URL.Path == svc.SigningCertPath():
			var pem []byte
			if pem, err = svc.SigningCert(r.Context()); err == nil {
				_, _ = w.Write(pem)
			}
		case q.Get("Action") == "ConfirmSubscription":
			_, err = svc.ConfirmSubscription(r.Context(), q.Get("TopicArn"), q.Get("Token"), false)
		case q.Get("Action") == "Unsubscribe":
			err = svc.UnsubscribeByURL(r.Context(), q.Get("SubscriptionArn"))
		default:
			http.NotFound(w, r)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	t.Cleanup(public.Close)
	svc = New(st, Config{Now: clock.Now, PublicURL: public.URL + "/"})
	svc.Start(context.Background())
	t.Cleanup(svc.Close)
	return &testBundle{svc: svc, st: st, clock: clock, ctx: context.Background()}
}

func TestHTTPSubscriptionEndToEnd(t *testing.T) {
	t.Parallel()
	b := setupHTTP(t)
	topicARN := b.topic(t, "hooks", map[string]string{"SignatureVersion": "2"})
	s := snstest.New(t)

	// Subscribe: the endpoint gets a signed confirmation, and confirms by
	// its SubscribeURL.
	subARN, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: topicARN, Protocol: ProtocolHTTP, Endpoint: s.URL, ReturnSubscriptionARN: true})
	require.NoError(t, err)
	c := s.WaitConfirmations(t, 1)[0]
	require.Equal(t, 200, c.Status, "ConfirmSubscription by the SubscribeURL")
	require.Equal(t, topicARN, c.TopicARN)
	conf := s.Messages()[0]
	require.Equal(t, "2", conf.Field("SignatureVersion"))
	attrs, err := b.svc.GetSubscriptionAttributes(b.ctx, subARN)
	require.NoError(t, err)
	require.Equal(t, "false", attrs["PendingConfirmation"])
	require.Equal(t, `{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},`+
		`"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}`, attrs["EffectiveDeliveryPolicy"])

	// Publish: a signed notification with the publisher's trace context.
	res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: topicARN, Message: "Hello world!", Subject: "My First Message",
		Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: "red"}}, Trace: traceOf(testTrace.Parent)})
	require.NoError(t, err)
	n := s.WaitNotifications(t, 1)[0]
	require.Equal(t, res.MessageID, n.Field("MessageId"))
	require.Equal(t, "Hello world!", n.Field("Message"))
	require.Equal(t, "My First Message", n.Field("Subject"))
	require.Equal(t, map[string]any{"Type": "String", "Value": "red"}, n.Fields["MessageAttributes"].(map[string]any)["color"])
	require.Equal(t, subARN, n.Header.Get("x-amz-sns-subscription-arn"))
	require.Equal(t, res.MessageID, n.Header.Get("x-amz-sns-message-id"))
	require.Equal(t, "text/plain; charset=UTF-8", n.Header.Get("Content-Type"))
	require.NotEmpty(t, n.Header.Get("traceparent"))
	require.Equal(t, testTrace.Parent[3:35], n.Header.Get("traceparent")[3:35], "the publisher's trace")

	// Raw delivery, and the request policy's content type.
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, subARN, "RawMessageDelivery", "true"))
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, subARN, "DeliveryPolicy", `{"requestPolicy":{"headerContentType":"application/json"}}`))
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: topicARN, Message: `{"raw":true}`})
	require.NoError(t, err)
	raw := s.WaitNotifications(t, 2)[1]
	require.True(t, raw.Raw)
	require.Equal(t, `{"raw":true}`, string(raw.Body))
	require.Equal(t, "application/json", raw.Header.Get("Content-Type"))
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, subARN, "RawMessageDelivery", "false"))

	// Immediate retries: two 503s, then the subscriber takes it.
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, subARN, "DeliveryPolicy", `{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":2}}`))
	s.FailNext(2, http.StatusServiceUnavailable)
	before := s.Requests()
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: topicARN, Message: "third time lucky"})
	require.NoError(t, err)
	require.Equal(t, "third time lucky", s.WaitNotifications(t, 3)[2].Field("Message"))
	require.Equal(t, before+3, s.Requests())

	// A retry after a delay: scheduled in the store, made when the clock
	// reaches it. (The delay, 60 s, is longer than the delivery's lease,
	// 30 s: the due time moving past the lease's end says the retry is
	// scheduled. Polled: the engine gives no signal of its own.)
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, subARN, "DeliveryPolicy", `{"healthyRetryPolicy":{"minDelayTarget":60,"maxDelayTarget":60,"numRetries":1}}`))
	s.FailNext(1, http.StatusInternalServerError)
	before = s.Requests()
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: topicARN, Message: "later"})
	require.NoError(t, err)
	s.WaitRequests(t, before+1)
	deadline := time.Now().Add(30 * time.Second)
	for {
		due, err := b.st.TopicsDue(b.ctx, []string{"hooks"}, b.clock.Now().Add(45*time.Second))
		require.NoError(t, err)
		if len(due) == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the retry was never scheduled")
		time.Sleep(10 * time.Millisecond)
	}
	require.Len(t, s.Notifications(), 3, "not retried before its time")
	b.clock.Advance(61 * time.Second)
	require.Equal(t, "later", s.WaitNotifications(t, 4)[3].Field("Message"))
	b.settle(t, "hooks")

	// Unsubscribe: the endpoint hears of it.
	seen := len(s.Messages())
	require.NoError(t, b.svc.Unsubscribe(b.ctx, subARN))
	msgs := s.WaitMessages(t, seen+1)
	last := msgs[seen]
	require.Equal(t, "UnsubscribeConfirmation", last.Type)
	require.Equal(t, "2", last.Field("SignatureVersion"))
	require.Empty(t, s.Errors())
}

func TestHTTPTopicDeliveryPolicy(t *testing.T) {
	t.Parallel()
	b := setupHTTP(t)
	arn := b.topic(t, "policies", nil)
	attrs, err := b.svc.GetTopicAttributes(b.ctx, arn)
	require.NoError(t, err)
	require.Equal(t, topicEffectiveDeliveryPolicy(nil), attrs["EffectiveDeliveryPolicy"])

	err = b.svc.SetTopicAttribute(b.ctx, arn, "DeliveryPolicy", `{"http":{"defaultHealthyRetryPolicy":{"numRetries":101}}}`)
	require.Equal(t, "InvalidParameter", codeOf(t, err))
	require.Contains(t, err.Error(), "DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100")

	require.NoError(t, b.svc.SetTopicAttribute(b.ctx, arn, "DeliveryPolicy",
		`{"http":{"defaultHealthyRetryPolicy":{"numRetries":5},"defaultThrottlePolicy":{"maxReceivesPerSecond":3}}}`))
	attrs, err = b.svc.GetTopicAttributes(b.ctx, arn)
	require.NoError(t, err)
	require.Contains(t, attrs["EffectiveDeliveryPolicy"], `"numRetries":5,`)
	require.Contains(t, attrs["EffectiveDeliveryPolicy"], `"defaultThrottlePolicy":{"maxReceivesPerSecond":3}`)

	s := snstest.New(t)
	subARN, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolHTTP, Endpoint: s.URL, ReturnSubscriptionARN: true,
		Attributes: map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2}}`}})
	require.NoError(t, err)
	sub, err := b.svc.GetSubscriptionAttributes(b.ctx, subARN)
	require.NoError(t, err)
	// The subscription's retry policy over the topic's; the topic's throttle.
	require.Contains(t, sub["EffectiveDeliveryPolicy"], `"numRetries":2,`)
	require.Contains(t, sub["EffectiveDeliveryPolicy"], `"throttlePolicy":{"maxReceivesPerSecond":3}`)

	// Subscribe and CreateTopic, which take the policy among Attributes,
	// word the error as AWS does there.
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolHTTP, Endpoint: s.URL + "/other",
		Attributes: map[string]string{"DeliveryPolicy": `{"healthyRetryPolicy":{"minDelayTarget":0}}`}})
	require.Equal(t, "InvalidParameter", codeOf(t, err))
	require.Equal(t, "Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1", err.(*Error).Message)
	err = b.svc.SetSubscriptionAttribute(b.ctx, subARN, "DeliveryPolicy", `{"throttlePolicy":{"maxReceivesPerSecond":0}}`)
	require.Equal(t, "Invalid parameter: DeliveryPolicy: throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1", err.(*Error).Message)
	_, err = b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: "bad-policy", Attributes: map[string]string{"DeliveryPolicy": `{"http":{"bogus":1}}`}})
	require.Equal(t, "Invalid parameter: Attributes Reason: DeliveryPolicy: http.bogus is not a valid field", err.(*Error).Message)
}
