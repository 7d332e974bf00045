package bus

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
)

const acct = "arn:aws:sqs:us-east-1:123456789012:"

// newQueue creates a queue of the bundle's queue router and returns its
// ARN.
func (b *testBundle) newQueue(t *testing.T, name string) string {
	t.Helper()
	_, err := b.svc.cfg.Queues.CreateQueue(b.ctx, &queue.CreateInput{Name: name})
	require.NoError(t, err)
	return acct + name
}

// receive receives from a queue (deleting what it gets) until it has n
// messages or 20 s passed: long polls, no sleeps.
func (b *testBundle) receive(t *testing.T, name string, n int) []queue.Message {
	t.Helper()
	var got []queue.Message
	deadline := time.Now().Add(20 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		wait := 1
		msgs, err := b.svc.cfg.Queues.Receive(b.ctx, name, &queue.ReceiveInput{MaxMessages: 10, WaitTimeSeconds: &wait, MessageAttributeNames: []string{"All"}})
		require.NoError(t, err)
		for _, m := range msgs {
			_, err := b.svc.cfg.Queues.Delete(b.ctx, name, []queue.HandleEntry{{ReceiptHandle: m.ReceiptHandle}})
			require.NoError(t, err)
		}
		got = append(got, msgs...)
	}
	require.Len(t, got, n, "messages in %s", name)
	return got
}

// empty asserts a queue has nothing, after what was put has had its
// chance: the caller waited for a later message first.
func (b *testBundle) empty(t *testing.T, name string) {
	t.Helper()
	msgs, err := b.svc.cfg.Queues.Receive(b.ctx, name, &queue.ReceiveInput{MaxMessages: 10})
	require.NoError(t, err)
	require.Empty(t, msgs, "messages in %s", name)
}

// settle waits until the bus owes no delivery (the acker ended them).
func (b *testBundle) settle(t *testing.T, bus string) {
	t.Helper()
	require.Eventually(t, func() bool {
		n, err := b.st.BusPending(b.ctx, bus)
		return err == nil && n == 0
	}, 20*time.Second, time.Millisecond, "deliveries still owed on %s", bus)
}

func (b *testBundle) rule(t *testing.T, bus, name, pattern string, targets ...Target) {
	t.Helper()
	_, err := b.svc.PutRule(b.ctx, &PutRuleInput{Name: name, EventBusName: bus, EventPattern: pattern})
	require.NoError(t, err)
	failed, err := b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: name, EventBusName: bus, Targets: targets})
	require.NoError(t, err)
	require.Empty(t, failed)
}

func (b *testBundle) put(t *testing.T, entries ...PutEventsEntry) []PutEventsResult {
	t.Helper()
	res, err := b.svc.PutEvents(b.ctx, entries)
	require.NoError(t, err)
	return res
}

func TestPutEventsToQueues(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		all, shaped := b.newQueue(t, "all-orders"), b.newQueue(t, "shaped")
		b.rule(t, "", "orders", `{"source":["shop"],"detail-type":["OrderPlaced"]}`, Target{ID: "q", Arn: all})
		b.rule(t, "", "big", `{"source":["shop"],"detail":{"total":[{"numeric":[">=",100]}]}}`, Target{ID: "t", Arn: shaped,
			InputTransformer: &InputTransformer{InputPathsMap: map[string]string{"id": "$.detail.id", "total": "$.detail.total"},
				InputTemplate: `{"order": <id>, "text": "order <id> of <total>", "rule": "<aws.events.rule-name>"}`}})

		at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
		res := b.put(t,
			PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `{"id":"o-1","total":250}`, Resources: []string{"arn:x"}, Time: at},
			PutEventsEntry{Source: "shop", DetailType: "OrderShipped", Detail: `{"id":"o-2","total":5}`},
			PutEventsEntry{DetailType: "OrderPlaced", Detail: `{}`},
			PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `"a string"`},
			PutEventsEntry{Source: "aws.ec2", DetailType: "x", Detail: `{}`},
			PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `{}`, EventBusName: "nope"},
		)
		require.NotEmpty(t, res[0].EventID)
		require.NotEmpty(t, res[1].EventID)
		require.Equal(t, PutEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}, res[2])
		require.Equal(t, PutEventsResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}, res[3])
		require.Equal(t, "NotAuthorizedForSourceException", res[4].ErrorCode)
		require.Equal(t, "ResourceNotFoundException", res[5].ErrorCode)

		msgs := b.receive(t, "all-orders", 1)
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(msgs[0].Body), &ev))
		require.Equal(t, map[string]any{"version": "0", "id": res[0].EventID, "detail-type": "OrderPlaced", "source": "shop",
			"account": "123456789012", "time": "2026-05-06T07:08:09Z", "region": "us-east-1", "resources": []any{"arn:x"},
			"detail": map[string]any{"id": "o-1", "total": 250.0}}, ev, "the envelope AWS delivers")
		msgs = b.receive(t, "shaped", 1)
		require.JSONEq(t, `{"order":"o-1","text":"order o-1 of 250","rule":"big"}`, msgs[0].Body)
		b.empty(t, "all-orders")

		_, err := b.svc.PutEvents(b.ctx, make([]PutEventsEntry, 11))
		require.Equal(t, "ValidationException", code(err))
		_, err = b.svc.PutEvents(b.ctx, []PutEventsEntry{{Source: "s", DetailType: "d", Detail: `{"x":"` + strings.Repeat("a", 256*1024) + `"}`}})
		require.Equal(t, "ValidationException", code(err))
		require.Contains(t, err.Error(), "Total size of the entries in the request is over the limit.")
	})
}

func TestPutEventsSeesRuleChanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		// another process changes the rules after this one cached them:
		// the put's version check makes this one match again
		other := New(b.st, Config{Now: b.clock.Now, Queues: b.svc.cfg.Queues})
		q1, q2 := b.newQueue(t, "q1"), b.newQueue(t, "q2")
		_, err := b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: "orders"})
		require.NoError(t, err)
		b.rule(t, "orders", "r1", `{"source":["a"]}`, Target{ID: "t", Arn: q1})
		b.put(t, PutEventsEntry{Source: "a", DetailType: "d", Detail: `{"n":1}`, EventBusName: "orders"})
		b.receive(t, "q1", 1)

		_, err = other.PutRule(b.ctx, &PutRuleInput{Name: "r1", EventBusName: "orders", EventPattern: `{"source":["b"]}`})
		require.NoError(t, err)
		_, err = other.PutTargets(b.ctx, &PutTargetsInput{Rule: "r1", EventBusName: "orders", Targets: []Target{{ID: "t2", Arn: q2}}})
		require.NoError(t, err)
		b.put(t, PutEventsEntry{Source: "a", DetailType: "d", Detail: `{"n":2}`, EventBusName: "orders"},
			PutEventsEntry{Source: "b", DetailType: "d", Detail: `{"n":3}`, EventBusName: "orders"})
		msgs := b.receive(t, "q1", 1)
		require.JSONEq(t, `{"n":3}`, detailOf(t, msgs[0].Body))
		msgs = b.receive(t, "q2", 1)
		require.JSONEq(t, `{"n":3}`, detailOf(t, msgs[0].Body))

		err = other.DisableRule(b.ctx, "r1", "orders")
		require.NoError(t, err)
		b.rule(t, "orders", "r2", `{"source":["b"]}`, Target{ID: "t", Arn: q2})
		b.put(t, PutEventsEntry{Source: "b", DetailType: "d", Detail: `{"n":4}`, EventBusName: "orders"})
		msgs = b.receive(t, "q2", 1)
		require.JSONEq(t, `{"n":4}`, detailOf(t, msgs[0].Body))
		b.empty(t, "q1")
	})
}

func detailOf(t *testing.T, body string) string {
	t.Helper()
	var e Event
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	return string(e.Detail)
}

func TestTargetsRetryAndDeadLetter(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		dlq := b.newQueue(t, "dlq")
		zero := 0
		// a queue that does not exist: no retry, the dead-letter queue
		b.rule(t, "", "gone", `{"detail-type":["gone"]}`, Target{ID: "t", Arn: acct + "missing", DeadLetterConfig: &DeadLetterConfig{Arn: dlq}})
		// no runtime to start executions: retried, here never again
		b.rule(t, "", "sm", `{"detail-type":["sm"]}`, Target{ID: "t", Arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
			RetryPolicy: &RetryPolicy{MaximumRetryAttempts: &zero}, DeadLetterConfig: &DeadLetterConfig{Arn: dlq}})
		res := b.put(t, PutEventsEntry{Source: "s", DetailType: "gone", Detail: `{}`})
		msgs := b.receive(t, "dlq", 1)
		require.Equal(t, res[0].EventID, eventIDOf([]byte(msgs[0].Body), ""), "the event itself")
		attrs := msgs[0].MessageAttributes
		require.Equal(t, "RESOURCE_NOT_FOUND", attrs["ERROR_CODE"].StringValue)
		require.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/gone", attrs["RULE_ARN"].StringValue)
		require.Equal(t, acct+"missing", attrs["TARGET_ARN"].StringValue)
		require.Equal(t, "0", attrs["RETRY_ATTEMPTS"].StringValue)
		require.Empty(t, attrs["EXHAUSTED_RETRY_CONDITION"].StringValue)

		b.put(t, PutEventsEntry{Source: "s", DetailType: "sm", Detail: `{}`})
		msgs = b.receive(t, "dlq", 1)
		require.Equal(t, "MaximumRetryAttemptsExhausted", msgs[0].MessageAttributes["EXHAUSTED_RETRY_CONDITION"].StringValue)
	})
}

// fakeHost starts executions by recording them: a Host of the runtime's
// kind, as the wiring hands one in (the runtime is not imported here).
type fakeHost struct {
	mu      sync.Mutex
	started chan integrations.StartRequest
	names   map[string]bool
}

func (h *fakeHost) SendTaskSuccess(context.Context, string, any) error            { return nil }
func (h *fakeHost) SendTaskFailure(context.Context, string, string, string) error { return nil }
func (h *fakeHost) SendTaskHeartbeat(context.Context, string) error               { return nil }
func (h *fakeHost) StartExecution(_ context.Context, r integrations.StartRequest) (*integrations.Started, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.names[r.Name] {
		h.names[r.Name] = true
		h.started <- r
	}
	return &integrations.Started{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:m:" + r.Name}, nil
}

func TestTargetsOfEveryKind(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		host := &fakeHost{started: make(chan integrations.StartRequest, 10), names: map[string]bool{}}
		b.svc.SetHost(host)
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		topics := b.svc.cfg.Topics
		topics.Start(b.ctx)
		viaTopic, viaBus := b.newQueue(t, "via-topic"), b.newQueue(t, "via-bus")
		tp, err := topics.CreateTopic(b.ctx, &topic.CreateTopicInput{Name: "orders"})
		require.NoError(t, err)
		_, err = topics.Subscribe(b.ctx, &topic.SubscribeInput{TopicARN: tp.ARN, Protocol: "sqs", Endpoint: viaTopic, Attributes: map[string]string{"RawMessageDelivery": "true"}})
		require.NoError(t, err)
		_, err = b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: "audit"})
		require.NoError(t, err)
		b.rule(t, "audit", "all", `{"source":["shop"]}`, Target{ID: "q", Arn: viaBus})

		var mu sync.Mutex
		var calls []*http.Request
		var bodies []string
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := make([]byte, r.ContentLength)
			_, _ = r.Body.Read(body)
			mu.Lock()
			calls, bodies = append(calls, r), append(bodies, string(body))
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(api.Close)
		conn, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: "c", AuthorizationType: "API_KEY",
			AuthParameters: ConnectionAuthParameters{APIKeyAuthParameters: &APIKeyAuthParameters{APIKeyName: "x-api-key", APIKeyValue: "s3cret"}}})
		require.NoError(t, err)
		dest, err := b.svc.CreateApiDestination(b.ctx, &APIDestinationInput{Name: "d", ConnectionArn: conn.ConnectionArn, InvocationEndpoint: api.URL + "/orders/*", HttpMethod: "POST"})
		require.NoError(t, err)

		b.rule(t, "", "fan", `{"source":["shop"]}`,
			Target{ID: "topic", Arn: tp.ARN, Input: `{"constant":true}`},
			Target{ID: "bus", Arn: "arn:aws:events:us-east-1:123456789012:event-bus/audit"},
			Target{ID: "sm", Arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m", InputPath: "$.detail"},
			Target{ID: "api", Arn: dest.ApiDestinationArn, InputPath: "$.detail", HTTPParameters: &HTTPParameters{PathParameterValues: []string{"o-9"}, HeaderParameters: map[string]string{"x-order": "o-9"}}},
		)
		res := b.put(t, PutEventsEntry{Source: "shop", DetailType: "OrderPlaced", Detail: `{"id":"o-9"}`, TraceHeader: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})

		msgs := b.receive(t, "via-topic", 1)
		require.JSONEq(t, `{"constant":true}`, msgs[0].Body)
		msgs = b.receive(t, "via-bus", 1)
		require.Equal(t, res[0].EventID, eventIDOf([]byte(msgs[0].Body), ""), "a bus target gets the event as it is")
		require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", msgs[0].MessageAttributes[queue.TraceParentAttribute].StringValue, "the event's trace goes on")
		select {
		case r := <-host.started:
			require.Equal(t, map[string]any{"id": "o-9"}, r.Input)
			require.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:m", r.StateMachineARN)
			require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", r.TraceParent)
		case <-time.After(20 * time.Second):
			t.Fatal("no execution started")
		}
		require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(calls) == 1 }, 20*time.Second, 10*time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, "/orders/o-9", calls[0].URL.Path)
		require.Equal(t, "s3cret", calls[0].Header.Get("x-api-key"))
		require.Equal(t, "o-9", calls[0].Header.Get("x-order"))
		require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", calls[0].Header.Get("traceparent"))
		require.JSONEq(t, `{"id":"o-9"}`, bodies[0])
	})
}

func TestDeliveriesOutliveTheProcess(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		// the process that puts dies before delivering (never started):
		// its deliveries are leased to it, and made by another after the
		// lease
		q := b.newQueue(t, "q")
		b.rule(t, "", "r", `{"source":["s"]}`, Target{ID: "t", Arn: q})
		b.put(t, PutEventsEntry{Source: "s", DetailType: "d", Detail: `{"n":1}`}, PutEventsEntry{Source: "s", DetailType: "d", Detail: `{"n":2}`})
		n, err := b.st.BusPending(b.ctx, DefaultBus)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)

		other := New(b.st, Config{Now: b.clock.Now, Queues: b.svc.cfg.Queues})
		other.Start(b.ctx)
		t.Cleanup(other.Close)
		b.clock.Advance(DefaultDeliveryLease)
		b.receive(t, "q", 2)
		b.settle(t, DefaultBus)
	})
}

func TestArchiveAndReplay(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.svc.Start(b.ctx)
		t.Cleanup(b.svc.Close)
		q := b.newQueue(t, "q")
		b.rule(t, "", "r", `{"source":["s"]}`, Target{ID: "t", Arn: q})
		other := b.newQueue(t, "other")
		b.rule(t, "", "o", `{"source":["s"]}`, Target{ID: "t", Arn: other})
		a, err := b.svc.CreateArchive(b.ctx, &CreateArchiveInput{ArchiveName: "all", EventSourceArn: b.svc.BusARN(DefaultBus), EventPattern: `{"detail-type":["keep"]}`})
		require.NoError(t, err)

		start := b.clock.Now()
		for i := range 5 {
			b.put(t, PutEventsEntry{Source: "s", DetailType: "keep", Detail: `{"n":` + string(rune('0'+i)) + `}`, Time: start.Add(time.Duration(i) * time.Second)})
		}
		b.put(t, PutEventsEntry{Source: "s", DetailType: "skip", Detail: `{}`, Time: start})
		b.receive(t, "q", 6)
		b.receive(t, "other", 6)
		require.Eventually(t, func() bool {
			d, err := b.svc.DescribeArchive(b.ctx, "all")
			return err == nil && d.EventCount == 5
		}, 20*time.Second, 10*time.Millisecond, "the archive keeps what its pattern matched")
		// every delivery ended before the clock moves past their lease
		// (else a claim makes them again, beside the replay's)
		b.settle(t, DefaultBus)

		b.clock.Advance(time.Minute)
		_, err = b.svc.StartReplay(b.ctx, &StartReplayInput{ReplayName: "again", EventSourceArn: a.ArchiveArn, EventStartTime: start.Add(time.Second), EventEndTime: start.Add(10 * time.Second),
			Destination: ReplayDestination{Arn: b.svc.BusARN(DefaultBus), FilterArns: []string{b.svc.RuleARN(DefaultBus, "r")}}})
		require.NoError(t, err)
		_, err = b.svc.StartReplay(b.ctx, &StartReplayInput{ReplayName: "again", EventSourceArn: a.ArchiveArn, EventStartTime: start, EventEndTime: start.Add(time.Second),
			Destination: ReplayDestination{Arn: b.svc.BusARN(DefaultBus)}})
		require.Equal(t, "ResourceAlreadyExistsException", code(err))
		msgs := b.receive(t, "q", 4)
		for _, m := range msgs {
			var e Event
			require.NoError(t, json.Unmarshal([]byte(m.Body), &e))
			require.Equal(t, "again", e.ReplayName, "a replayed event says which replay sent it")
			require.Equal(t, "keep", e.DetailType)
		}
		require.Eventually(t, func() bool {
			r, err := b.svc.DescribeReplay(b.ctx, "again")
			return err == nil && r.State == ReplayCompleted
		}, 20*time.Second, 10*time.Millisecond)
		r, err := b.svc.DescribeReplay(b.ctx, "again")
		require.NoError(t, err)
		require.Equal(t, start.Add(4*time.Second), r.EventLastReplayedTime.UTC())
		b.empty(t, "other") // FilterArns: only rule r got the replay
		d, err := b.svc.DescribeArchive(b.ctx, "all")
		require.NoError(t, err)
		require.EqualValues(t, 5, d.EventCount, "replayed events are not archived again")
		list, err := b.svc.ListReplays(b.ctx, &ListReplaysInput{})
		require.NoError(t, err)
		require.Len(t, list.Replays, 1)
		_, err = b.svc.CancelReplay(b.ctx, "again")
		require.Equal(t, "IllegalStatusException", code(err))
	})
}

func TestScheduledRulesFireOncePerTick(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		q := b.newQueue(t, "ticks")
		_, err := b.svc.PutRule(b.ctx, &PutRuleInput{Name: "every-minute", ScheduleExpression: "rate(1 minute)"})
		require.NoError(t, err)
		failed, err := b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: "every-minute", Targets: []Target{{ID: "q", Arn: q}}})
		require.NoError(t, err)
		require.Empty(t, failed)
		// two processes run the schedules
		other := New(b.st, Config{Now: b.clock.Now, Queues: b.svc.cfg.Queues})
		for _, s := range []*Service{b.svc, other} {
			s.Start(b.ctx)
			t.Cleanup(s.Close)
		}
		require.Eventually(t, func() bool {
			ticks, err := b.st.BusSchedules(b.ctx, DefaultBus)
			return err == nil && len(ticks) == 1
		}, 20*time.Second, 10*time.Millisecond, "the rule's first tick is set")
		b.clock.Advance(time.Minute)
		msgs := b.receive(t, "ticks", 1)
		var e Event
		require.NoError(t, json.Unmarshal([]byte(msgs[0].Body), &e))
		require.Equal(t, "Scheduled Event", e.DetailType)
		require.Equal(t, "aws.events", e.Source)
		require.Equal(t, []string{"arn:aws:events:us-east-1:123456789012:rule/every-minute"}, e.Resources)
		require.Equal(t, t0.Add(time.Minute).Format(eventTime), e.Time)
		require.JSONEq(t, `{}`, string(e.Detail))

		// an outage of an hour: one event for the ticks missed, then the
		// schedule goes on from the present
		b.settle(t, DefaultBus)
		b.clock.Advance(time.Hour)
		msgs = b.receive(t, "ticks", 1)
		require.NoError(t, json.Unmarshal([]byte(msgs[0].Body), &e))
		require.Equal(t, t0.Add(2*time.Minute).Format(eventTime), e.Time)
		require.Eventually(t, func() bool {
			ticks, err := b.st.BusSchedules(b.ctx, DefaultBus)
			return err == nil && ticks["every-minute"].Equal(t0.Add(62*time.Minute))
		}, 20*time.Second, 10*time.Millisecond)
		b.empty(t, "ticks")

		err = b.svc.DisableRule(b.ctx, "every-minute", "")
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			ticks, err := b.st.BusSchedules(b.ctx, DefaultBus)
			return err == nil && len(ticks) == 0
		}, 20*time.Second, 10*time.Millisecond, "a disabled rule has no tick")
	})
}

func TestDeliverySpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	b := setup(t, "")
	b.svc = New(b.st, Config{Now: b.clock.Now, Queues: b.svc.cfg.Queues, Tracer: tp.Tracer("test")})
	b.svc.Start(b.ctx)
	t.Cleanup(b.svc.Close)
	q := b.newQueue(t, "traced")
	b.newQueue(t, "plain")
	b.rule(t, "", "r", `{"source":["s"]}`, Target{ID: "t", Arn: q})
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	res := b.put(t, PutEventsEntry{Source: "s", DetailType: "d", Detail: `{}`, Trace: integrations.TraceContext{Parent: parent}})
	msgs := b.receive(t, "traced", 1)
	// the span ends when the queue's answer reaches the delivery, which
	// may be after the consumer has the message
	require.Eventually(t, func() bool { return len(rec.Ended()) == 1 }, 20*time.Second, time.Millisecond)
	spans := rec.Ended()
	sp := spans[0]
	require.Equal(t, "EventBridge deliver sqs", sp.Name())
	require.Equal(t, "0af7651916cd43dd8448eb211c80319c", sp.SpanContext().TraceID().String(), "in the putter's trace")
	require.Equal(t, "b7ad6b7169203331", sp.Parent().SpanID().String())
	require.Equal(t, integrations.TraceParentOf(sp.SpanContext()), msgs[0].MessageAttributes[queue.TraceParentAttribute].StringValue,
		"the queue's message names the delivery's span")
	attrs := map[string]string{}
	for _, a := range sp.Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	require.Equal(t, res[0].EventID, attrs["messaging.message.id"])
	require.Equal(t, "arn:aws:events:us-east-1:123456789012:rule/r", attrs["signalbox.rule"])
}

// A view built again after one rule changed keeps the others as compiled.
func TestViewReusesUnchangedRules(t *testing.T) {
	b := setup(t, "")
	q := b.newQueue(t, "q")
	b.rule(t, "", "a", `{"source":["a"]}`, Target{ID: "t", Arn: q})
	b.rule(t, "", "b", `{"source":["b"]}`, Target{ID: "t", Arn: q})
	v1, err := b.svc.loadView(b.ctx, DefaultBus)
	require.NoError(t, err)
	b.rule(t, "", "b", `{"source":["c"]}`, Target{ID: "t", Arn: q})
	v2, err := b.svc.loadView(b.ctx, DefaultBus)
	require.NoError(t, err)
	require.Greater(t, v2.ver, v1.ver)
	require.Same(t, v1.rules["a"], v2.rules["a"], "unchanged: reused")
	require.NotSame(t, v1.rules["b"], v2.rules["b"], "changed: compiled again")
	ids, err := v2.machine.Match([]byte(`{"source":"c"}`))
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, ids)
	ids, err = v2.machine.Match([]byte(`{"source":"a"}`))
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids)
}

// A target's MaximumEventAgeInSeconds counts from when the bus took the
// event, not from its Time (which the putter may set in the past).
func TestEventAgeCountsFromIngestion(t *testing.T) {
	b := setup(t, "")
	b.svc.Start(b.ctx)
	t.Cleanup(b.svc.Close)
	dlq := b.newQueue(t, "dlq")
	age := 60
	b.rule(t, "", "sm", `{"source":["s"]}`, Target{ID: "t", Arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
		RetryPolicy: &RetryPolicy{MaximumEventAgeInSeconds: &age}, DeadLetterConfig: &DeadLetterConfig{Arn: dlq}})
	b.put(t, PutEventsEntry{Source: "s", DetailType: "d", Detail: `{}`, Time: t0.Add(-365 * 24 * time.Hour)})
	// the first attempt fails (no runtime here) and is retried: the event
	// is a year old by its Time, but the bus took it just now
	require.Eventually(t, func() bool {
		ds, err := b.st.BusClaim(b.ctx, DefaultBus, b.clock.Now().Add(time.Hour), b.clock.Now().Add(time.Hour), 10)
		if err != nil || len(ds) == 0 {
			return false
		}
		return ds[0].Attempts == 1
	}, 20*time.Second, 10*time.Millisecond, "a retry scheduled")
	b.empty(t, "dlq")
	b.clock.Advance(2 * time.Hour) // past the claim's lease, and past the age
	msgs := b.receive(t, "dlq", 1)
	require.Equal(t, "MaximumEventAgeExhausted", msgs[0].MessageAttributes["EXHAUSTED_RETRY_CONDITION"].StringValue)
}
