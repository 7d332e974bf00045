package gateway_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/store/storetest"
)

// gwQueues is a queue router on a store of the test's own, with a standard
// queue "jobs" and a FIFO queue "orders.fifo".
func gwQueues(t *testing.T) *queue.Service {
	t.Helper()
	svc := queue.New(storetest.Open(t, "sbgwq-"), queue.Config{})
	ctx := context.Background()
	_, err := svc.CreateQueue(ctx, &queue.CreateInput{Name: "jobs"})
	require.NoError(t, err)
	_, err = svc.CreateQueue(ctx, &queue.CreateInput{Name: "orders.fifo", Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}})
	require.NoError(t, err)
	return svc
}

// gwReceive receives the messages of a queue at once, with every attribute.
func gwReceive(t *testing.T, svc *queue.Service, name string) []queue.Message {
	t.Helper()
	wait := 0
	msgs, err := svc.Receive(context.Background(), name, &queue.ReceiveInput{MaxMessages: 10, WaitTimeSeconds: &wait,
		AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
	require.NoError(t, err)
	return msgs
}

func TestRouteToAQueue(t *testing.T) {
	t.Parallel()
	svc := gwQueues(t)
	b := newGW(t, gateway.Options{Queues: svc, Routes: []gateway.Route{
		{Method: "POST", Path: "/jobs", Queue: "jobs"},
		{Method: "POST", Path: "/orders", Queue: "orders.fifo", MessageGroupID: "all"},
		{Method: "POST", Path: "/gone", Queue: "gone"},
	}})

	const tp = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
	r := b.do(t, http.MethodPost, "/jobs", `{"job": 7}`, "traceparent", tp, "X-Other", "not sent")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	out := r.json(t)
	msgs := gwReceive(t, svc, "jobs")
	require.Len(t, msgs, 1)
	require.Equal(t, `{"job": 7}`, msgs[0].Body, "the body as it came")
	require.Equal(t, msgs[0].MessageID, out["MessageId"])
	sum := md5.Sum([]byte(`{"job": 7}`))
	require.Equal(t, hex.EncodeToString(sum[:]), out["MD5OfMessageBody"])
	require.NotContains(t, out, "SequenceNumber")
	require.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", msgs[0].Attributes["AWSTraceHeader"])
	require.Equal(t, tp, msgs[0].MessageAttributes["traceparent"].StringValue)
	require.Len(t, msgs[0].MessageAttributes, 1, "no header but the trace context is sent")

	// FIFO: the header's group, else the route's; a sequence number
	r = b.do(t, http.MethodPost, "/orders", "first", "X-Message-Group-Id", "customer-1")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	first := r.json(t)
	require.NotEmpty(t, first["SequenceNumber"])
	r = b.do(t, http.MethodPost, "/orders", "second")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = b.do(t, http.MethodPost, "/orders", "second", "X-Message-Deduplication-Id", "d-2")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	msgs = gwReceive(t, svc, "orders.fifo")
	groups := map[string]string{}
	for _, m := range msgs {
		groups[m.Body] += m.Attributes["MessageGroupId"] + ";"
	}
	require.Equal(t, "customer-1;", groups["first"])
	require.Contains(t, groups["second"], "all;")

	// what SQS refuses: 400 with its code; a queue gone: 500
	r = b.do(t, http.MethodPost, "/jobs", "")
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Equal(t, "MissingParameter", r.json(t)["__type"])
	r = b.do(t, http.MethodPost, "/jobs", "a\x01b", "Content-Type", "text/plain")
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	r = b.do(t, http.MethodPost, "/gone", "x")
	require.Equal(t, http.StatusInternalServerError, r.status, "%s", r.body)
	require.Equal(t, "QueueDoesNotExist", r.json(t)["__type"])
}

func TestRouteToAQueueValidation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		route gateway.Route
		want  []gateway.FieldError
	}{
		{gateway.Route{Method: "POST", Path: "/a", Queue: "q", StateMachine: "m"}, []gateway.FieldError{{Field: "queue", Message: "a route runs a state machine or sends to a queue, not both"}}},
		{gateway.Route{Method: "POST", Path: "/a", Queue: "q", Mode: "sync", Mapping: "body"}, []gateway.FieldError{
			{Field: "mode", Message: "applies to routes to state machines only"}, {Field: "mapping", Message: "applies to routes to state machines only"}}},
		{gateway.Route{Method: "POST", Path: "/a", StateMachine: "m", MessageGroupID: "g"}, []gateway.FieldError{{Field: "messageGroupId", Message: "applies to routes to queues only"}}},
		{gateway.Route{Method: "POST", Path: "/a", Queue: "q", MessageGroupID: "g"}, nil},
	} {
		require.Equal(t, c.want, c.route.Validate(), "%+v", c.route)
	}
	r, errs := gateway.DecodeRoute(map[string]any{"method": "POST", "path": "/a", "queue": "q", "messageGroupId": "g"})
	require.Empty(t, errs)
	require.Equal(t, "q", r.Queue)
	require.Equal(t, "g", r.MessageGroupID)
}

// A route to a queue added through the management API: its queue must
// exist.
func TestRouteToAQueueThroughTheAPI(t *testing.T) {
	t.Parallel()
	svc := gwQueues(t)
	b := newGW(t, gateway.Options{Queues: svc})
	r := b.do(t, http.MethodPost, "/api/v1/routes", `{"method":"POST","path":"/x","queue":"nope"}`)
	require.Equal(t, http.StatusBadRequest, r.status, "%s", r.body)
	require.Contains(t, string(r.body), `no queue \"nope\"`)
	r = b.do(t, http.MethodPost, "/api/v1/routes", `{"method":"POST","path":"/x","queue":"jobs"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	require.Equal(t, "jobs", r.json(t)["queue"])
	r = b.do(t, http.MethodPost, "/x", "hello")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	msgs := gwReceive(t, svc, "jobs")
	require.Len(t, msgs, 1)
	require.Equal(t, "hello", msgs[0].Body)
}
