package topic

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// The direct fanout's tests (sqs.go): a publish writes into the subscribed
// queues itself, exactly as the delivery path would have sent.

// requireOwed asserts how many deliveries a topic owes: 0 when every
// delivery was a direct write.
func (b *testBundle) requireOwed(t testing.TB, topic string, n int64) {
	t.Helper()
	got, err := b.st.TopicPending(b.ctx, topic)
	require.NoError(t, err)
	require.Equal(t, n, got)
}

// eachDirectBackend runs f as eachBackend does, on the stores in direct
// mode (a Redis Cluster's tests are TestDirectOffUsesTheDeliveryPath's).
func eachDirectBackend(t *testing.T, f func(t *testing.T, b *testBundle)) {
	eachBackend(t, func(t *testing.T, b *testBundle) {
		if !b.st.DirectFanout() {
			t.Skip("a Redis Cluster: no direct write")
		}
		f(t, b)
	})
}

// A publish to a standard topic writes into every matching queue itself:
// no delivery is owed once it is answered; a filter policy is applied; a
// queue's DelaySeconds holds.
func TestDirectFanout(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "d", nil)
		b.subscribeQueue(t, arn, "d-env", nil)
		b.subscribeQueue(t, arn, "d-raw", map[string]string{"RawMessageDelivery": "true"})
		b.subscribeQueue(t, arn, "d-red", map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"color":["red"]}`})
		_, err := b.queues.CreateQueue(b.ctx, &queue.CreateInput{Name: "d-late", Attributes: map[string]string{"DelaySeconds": "5"}})
		require.NoError(t, err)
		_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("d-late")})
		require.NoError(t, err)
		for i, color := range []string{"red", "blue", "red"} {
			_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m" + strconv.Itoa(i),
				Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: color}}})
			require.NoError(t, err)
			b.requireOwed(t, "d", 0)
		}
		require.Len(t, b.receive(t, "d-env", 3), 3)
		var raw []string
		for _, m := range b.receive(t, "d-raw", 3) {
			raw = append(raw, m.Body)
		}
		require.ElementsMatch(t, []string{"m0", "m1", "m2"}, raw)
		var red []string
		for _, m := range b.receive(t, "d-red", 2) {
			red = append(red, m.Body)
		}
		require.ElementsMatch(t, []string{"m0", "m2"}, red)
		b.requireEmpty(t, "d-red")
		attrs, err := b.queues.GetAttributes(b.ctx, "d-late", []string{"All"})
		require.NoError(t, err)
		require.Equal(t, "3", attrs["ApproximateNumberOfMessagesDelayed"], "the queue's DelaySeconds holds")
		b.clock.Advance(5 * time.Second)
		require.Len(t, b.receive(t, "d-late", 3), 3)
	})
}

// A direct write and the delivery path's send of the same message give
// the same queue message: body (raw, or the signed envelope), message
// attributes, system attributes, trace context.
func TestDirectMatchesTheDeliveryPath(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		path := New(b.st, Config{Now: b.clock.Now, Queues: b.queues, PublicURL: "http://sns.test", NoDirectFanout: true})
		path.Start(b.ctx)
		t.Cleanup(path.Close)
		arn := b.topic(t, "same", nil)
		b.subscribeQueue(t, arn, "same-env", nil)
		b.subscribeQueue(t, arn, "same-raw", map[string]string{"RawMessageDelivery": "true"})
		in := &PublishInput{TopicARN: arn, Message: "hello", Subject: "hi",
			Attributes: map[string]MessageAttribute{"n": {DataType: "Number", StringValue: "42"}, "tags": {DataType: "String.Array", StringValue: `["a"]`}},
			Trace:      integrations.TraceContext{Parent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
		_, err := b.svc.Publish(b.ctx, in)
		require.NoError(t, err)
		b.requireOwed(t, "same", 0)
		direct := map[string]queue.Message{"same-env": b.receive(t, "same-env", 1)[0], "same-raw": b.receive(t, "same-raw", 1)[0]}
		_, err = path.Publish(b.ctx, in)
		require.NoError(t, err)
		b.settle(t, "same")
		sent := map[string]queue.Message{"same-env": b.receive(t, "same-env", 1)[0], "same-raw": b.receive(t, "same-raw", 1)[0]}

		d, s := direct["same-raw"], sent["same-raw"]
		require.Equal(t, "hello", d.Body)
		require.Equal(t, s.Body, d.Body)
		require.Equal(t, s.MD5OfBody, d.MD5OfBody)
		require.Equal(t, s.MD5OfMessageAttributes, d.MD5OfMessageAttributes)
		require.Equal(t, s.MessageAttributes, d.MessageAttributes)
		require.Equal(t, in.Trace.Parent, d.MessageAttributes[queue.TraceParentAttribute].StringValue)
		require.Equal(t, s.Attributes, d.Attributes)
		require.NotEmpty(t, d.Attributes["AWSTraceHeader"])

		d, s = direct["same-env"], sent["same-env"]
		require.Equal(t, s.MessageAttributes, d.MessageAttributes)
		require.Equal(t, s.Attributes, d.Attributes)
		var de, se map[string]any
		require.NoError(t, json.Unmarshal([]byte(d.Body), &de))
		require.NoError(t, json.Unmarshal([]byte(s.Body), &se))
		b.verify(t, de)
		b.verify(t, se)
		require.NotEqual(t, se["MessageId"], de["MessageId"])
		for _, k := range []string{"MessageId", "Signature"} {
			delete(de, k)
			delete(se, k)
		}
		require.Equal(t, se, de)
	})
}

// A FIFO topic's raw deliveries are direct writes into FIFO queues: each
// group in order, the topic's deduplication first, then the queue's own
// (two topics publishing one deduplication id to one queue: it keeps one).
func TestDirectFanoutFIFO(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		one := b.topic(t, "one.fifo", map[string]string{"FifoTopic": "true"})
		two := b.topic(t, "two.fifo", map[string]string{"FifoTopic": "true"})
		b.subscribeQueue(t, one, "fq.fifo", map[string]string{"RawMessageDelivery": "true"})
		_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: two, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("fq.fifo"),
			Attributes: map[string]string{"RawMessageDelivery": "true"}})
		require.NoError(t, err)
		for i := range 12 {
			_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: one, Message: strconv.Itoa(i), GroupID: "g" + strconv.Itoa(i%3), DedupID: "d" + strconv.Itoa(i)})
			require.NoError(t, err)
		}
		b.requireOwed(t, "one.fifo", 0)
		// the topic's deduplication: nothing more
		res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: one, Message: "again", GroupID: "g0", DedupID: "d0"})
		require.NoError(t, err)
		require.Equal(t, "00000000000000000001", res.SequenceNumber)
		// the queue's: a message of another topic with a deduplication id
		// the queue saw within its window
		_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: two, Message: "twin", GroupID: "g1", DedupID: "d1"})
		require.NoError(t, err)
		b.requireOwed(t, "two.fifo", 0)
		got := map[string][]string{}
		for n := 0; n < 12; {
			for _, m := range b.receive(t, "fq.fifo", 1) {
				got[m.Attributes["MessageGroupId"]] = append(got[m.Attributes["MessageGroupId"]], m.Body)
				n++
			}
		}
		require.Equal(t, map[string][]string{"g0": {"0", "3", "6", "9"}, "g1": {"1", "4", "7", "10"}, "g2": {"2", "5", "8", "11"}}, got)
		b.requireEmpty(t, "fq.fifo")
	})
}

// A receive long-polling a queue is woken by a publish's direct write, as
// by a send: the write pushes the queue's signal.
func TestDirectFanoutWakesLongPoll(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "wake", nil)
		b.subscribeQueue(t, arn, "wake-q", map[string]string{"RawMessageDelivery": "true"})
		_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "first"})
		require.NoError(t, err)
		signalled, err := b.st.QueueWait(b.ctx, "wake-q", 10*time.Millisecond)
		require.NoError(t, err)
		require.True(t, signalled, "the direct write signals the queue")
		b.receive(t, "wake-q", 1)

		got := make(chan []queue.Message, 1)
		go func() {
			wait := 20
			msgs, _ := b.queues.Receive(context.Background(), "wake-q", &queue.ReceiveInput{MaxMessages: 1, WaitTimeSeconds: &wait})
			got <- msgs
		}()
		_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "second"})
		require.NoError(t, err)
		select {
		case msgs := <-got:
			require.Len(t, msgs, 1)
			require.Equal(t, "second", msgs[0].Body)
		case <-time.After(10 * time.Second):
			t.Fatal("the long poll was not woken (its wait is 20 s)")
		}
	})
}

// A subscription whose queue is gone, or full, gets its message by a
// delivery (the delivery path), in the same publish; the others' writes
// are made.
func TestDirectFanoutFallsBack(t *testing.T) {
	t.Parallel()
	for _, url := range backends() {
		t.Run(url.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, url.url)
			if !st.DirectFanout() {
				t.Skip("a Redis Cluster: no direct write")
			}
			clock := testclock.New(t0)
			qs := queue.New(st, queue.Config{Now: clock.Now, Limits: store.QueueLimits{Messages: 1}})
			t.Cleanup(qs.Close)
			svc := New(st, Config{Now: clock.Now, Queues: qs, PublicURL: "http://sns.test"}) // not started: deliveries stay owed
			t.Cleanup(svc.Close)
			b := &testBundle{svc: svc, queues: qs, st: st, clock: clock, ctx: context.Background()}
			arn := b.topic(t, "fb", nil)
			b.subscribeQueue(t, arn, "fb-ok", nil)
			b.subscribeQueue(t, arn, "fb-gone", nil)
			require.NoError(t, qs.DeleteQueue(b.ctx, "fb-gone"))
			_, err := svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "one"})
			require.NoError(t, err)
			b.requireOwed(t, "fb", 1) // fb-gone's
			attrs, err := qs.GetAttributes(b.ctx, "fb-ok", []string{"ApproximateNumberOfMessages"})
			require.NoError(t, err)
			require.Equal(t, "1", attrs["ApproximateNumberOfMessages"])
			// fb-ok holds its one message: the next is a delivery
			_, err = svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "two"})
			require.NoError(t, err)
			b.requireOwed(t, "fb", 3)
		})
	}
}

// Off direct mode (Options.Outbox here; a Redis Cluster, where a script
// cannot reach a queue's keys), and with Config.NoDirectFanout, every
// delivery is the delivery path's.
func TestDirectOffUsesTheDeliveryPath(t *testing.T) {
	t.Parallel()
	for _, url := range backends() {
		t.Run(url.name, func(t *testing.T) {
			t.Parallel()
			st, err := store.Open(context.Background(), store.Options{URL: url.url, Prefix: storetest.Prefix("sbtopic"), Outbox: true})
			require.NoError(t, err)
			t.Cleanup(func() {
				require.NoError(t, st.Purge(context.Background()))
				_ = st.Close()
			})
			require.False(t, st.DirectFanout())
			clock := testclock.New(t0)
			qs := queue.New(st, queue.Config{Now: clock.Now})
			t.Cleanup(qs.Close)
			svc := New(st, Config{Now: clock.Now, Queues: qs, PublicURL: "http://sns.test"})
			t.Cleanup(svc.Close)
			b := &testBundle{svc: svc, queues: qs, st: st, clock: clock, ctx: context.Background()}
			arn := b.topic(t, "off", nil)
			b.subscribeQueue(t, arn, "off-q", map[string]string{"RawMessageDelivery": "true"})
			_, err = svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m"})
			require.NoError(t, err)
			b.requireOwed(t, "off", 1)
			b.requireEmpty(t, "off-q")
			svc.Start(b.ctx)
			b.clock.Advance(DefaultDeliveryLease + time.Second)
			svc.eng.recoverOnce(b.ctx)
			require.Equal(t, "m", b.receive(t, "off-q", 1)[0].Body)
			b.settle(t, "off")
		})
	}
	b := setup(t, "", false)
	b.svc.cfg.NoDirectFanout = true
	arn := b.topic(t, "nd", nil)
	b.subscribeQueue(t, arn, "nd-q", nil)
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m"})
	require.NoError(t, err)
	b.requireOwed(t, "nd", 1)
}

type backend struct{ name, url string }

// backends are the stores eachBackend runs on.
func backends() []backend {
	out := []backend{{"embedded", ""}}
	if u := os.Getenv(store.EnvRedisURL); u != "" {
		out = append(out, backend{"redis", u})
	}
	return out
}

// Direct deliveries are counted as the delivery path's are: "delivered"
// per subscription (signalbox.topic.deliveries), and sent by the queue
// (signalbox.queue.messages); a queue's duplicate is delivered, not sent.
func TestDirectFanoutCounted(t *testing.T) {
	t.Parallel()
	st := openStore(t, "")
	reader := sdkmetric.NewManualReader()
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")
	clock := testclock.New(t0)
	qs := queue.New(st, queue.Config{Now: clock.Now, Meter: meter})
	t.Cleanup(qs.Close)
	svc := New(st, Config{Now: clock.Now, Queues: qs, Meter: meter})
	t.Cleanup(svc.Close)
	b := &testBundle{svc: svc, queues: qs, st: st, clock: clock, ctx: context.Background()}
	arn := b.topic(t, "c.fifo", map[string]string{"FifoTopic": "true"})
	other := b.topic(t, "c2.fifo", map[string]string{"FifoTopic": "true"})
	b.subscribeQueue(t, arn, "c.fifo", map[string]string{"RawMessageDelivery": "true"})
	_, err := svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: other, Protocol: ProtocolSQS, Endpoint: qs.ARN("c.fifo"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	for i := range 3 {
		_, err := svc.PublishBatch(b.ctx, arn, []PublishInput{{ID: "a", Message: "a" + strconv.Itoa(i), GroupID: "g", DedupID: "a" + strconv.Itoa(i)},
			{ID: "b", Message: "b" + strconv.Itoa(i), GroupID: "g", DedupID: "b" + strconv.Itoa(i)}})
		require.NoError(t, err)
	}
	_, err = svc.Publish(b.ctx, &PublishInput{TopicARN: other, Message: "twin", GroupID: "g", DedupID: "a0"})
	require.NoError(t, err)
	b.requireOwed(t, "c.fifo", 0)
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	delivered, sent := map[string]int64{}, int64(0)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case "signalbox.topic.deliveries":
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					topic, _ := dp.Attributes.Value("signalbox.topic")
					outcome, _ := dp.Attributes.Value("signalbox.outcome")
					delivered[topic.AsString()+" "+outcome.AsString()] += dp.Value
				}
			case "signalbox.queue.messages":
				for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
					if op, _ := dp.Attributes.Value("operation"); op.AsString() == "send" {
						sent += dp.Value
					}
				}
			}
		}
	}
	require.Equal(t, map[string]int64{arn + " delivered": 6, other + " delivered": 1}, delivered)
	require.EqualValues(t, 6, sent)
}

// A publish script writes into at most maxDirectQueues queues, and a
// message's direct writes carry at most maxDirectBytes: the rest are
// deliveries.
func TestDirectFanoutBounds(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "big", nil)
	for i := range 10 {
		b.subscribeQueue(t, arn, "big-"+strconv.Itoa(i), map[string]string{"RawMessageDelivery": "true"})
	}
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: strings.Repeat("x", 150_000)})
	require.NoError(t, err)
	b.requireOwed(t, "big", 4) // 6 copies of ~150 KB fit in 1 MiB

	wide := b.topic(t, "wide", nil)
	for i := range maxDirectQueues + 1 {
		b.subscribeQueue(t, wide, "wide-"+strconv.Itoa(i), map[string]string{"RawMessageDelivery": "true"})
	}
	_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: wide, Message: "m"})
	require.NoError(t, err)
	b.requireOwed(t, "wide", 1)
}

// A direct write lowers the queue's sweep bound (#due) as a send does:
// the message's retention end passed, the next write's sweep removes it.
func TestDirectFanoutRetention(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "r", nil)
		_, err := b.queues.CreateQueue(b.ctx, &queue.CreateInput{Name: "r-q", Attributes: map[string]string{"MessageRetentionPeriod": "60"}})
		require.NoError(t, err)
		_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("r-q")})
		require.NoError(t, err)
		publish := func(m string) {
			_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: m})
			require.NoError(t, err)
			b.requireOwed(t, "r", 0)
		}
		publish("old")
		b.clock.Advance(60 * time.Second)
		publish("young")
		attrs, err := b.queues.GetAttributes(b.ctx, "r-q", []string{"ApproximateNumberOfMessages"})
		require.NoError(t, err)
		require.Equal(t, "1", attrs["ApproximateNumberOfMessages"], "the second write's sweep removed the first message")
	})
}

// In one script (PublishBatch), messages going to every queue and
// messages a filter policy keeps from one, of two configurations (raw and
// enveloped), each get their writes.
func TestDirectFanoutBatchMixed(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "mix", nil)
		b.subscribeQueue(t, arn, "mix-raw", map[string]string{"RawMessageDelivery": "true"})
		b.subscribeQueue(t, arn, "mix-red", map[string]string{"FilterPolicy": `{"color":["red"]}`})
		b.subscribeQueue(t, arn, "mix-raw2", map[string]string{"RawMessageDelivery": "true"})
		var entries []PublishInput
		for i, color := range []string{"red", "blue", "red"} {
			entries = append(entries, PublishInput{ID: fmt.Sprint("e", i), Message: "m" + strconv.Itoa(i),
				Attributes: map[string]MessageAttribute{"color": {DataType: "String", StringValue: color}}})
		}
		res, err := b.svc.PublishBatch(b.ctx, arn, entries)
		require.NoError(t, err)
		for _, r := range res {
			require.Nil(t, r.Err)
		}
		b.requireOwed(t, "mix", 0)
		for _, q := range []string{"mix-raw", "mix-raw2"} {
			var raw []string
			for _, m := range b.receive(t, q, 3) {
				raw = append(raw, m.Body)
			}
			require.ElementsMatch(t, []string{"m0", "m1", "m2"}, raw, q)
			b.requireEmpty(t, q)
		}
		var env []string
		for _, m := range b.receive(t, "mix-red", 2) {
			var e map[string]any
			require.NoError(t, json.Unmarshal([]byte(m.Body), &e))
			b.verify(t, e)
			env = append(env, e["Message"].(string))
		}
		require.ElementsMatch(t, []string{"m0", "m2"}, env)
		b.requireEmpty(t, "mix-red")
	})
}

// Two direct writes of a message into one queue (SNS keeps one
// subscription per endpoint, the store takes any): each is written, and
// reported for its subscription.
func TestDirectPublishSameQueueTwice(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "twice", nil)
		b.subscribeQueue(t, arn, "twice-q", map[string]string{"RawMessageDelivery": "true"})
		v, err := b.svc.view(b.ctx, "twice", 0)
		require.NoError(t, err)
		now := b.clock.Now()
		m, e := b.svc.prepare(&PublishInput{TopicARN: arn, Message: "hi"}, v, now)
		require.Nil(t, e)
		tm, _, _ := b.svc.route(b.ctx, v, m, now)
		require.Len(t, tm.Direct, 1)
		d := tm.Direct[0]
		d.Subscription, d.Message.ID = "other-sub", "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"
		tm.Direct = append(tm.Direct, d)
		out, err := b.st.TopicPublish(b.ctx, &store.TopicPublishParams{Topic: "twice", Version: v.version,
			Messages: []store.TopicMessage{tm}, Now: now, LeaseUntil: now.Add(time.Minute)})
		require.NoError(t, err)
		require.ElementsMatch(t, []string{tm.Direct[0].Subscription, "other-sub"}, out[0].Direct)
		require.Equal(t, []bool{false, false}, out[0].DirectDuplicate)
		require.Empty(t, out[0].Deliveries)
		var ids []string
		for _, m := range b.receive(t, "twice-q", 2) {
			require.Equal(t, "hi", m.Body)
			ids = append(ids, m.MessageID)
		}
		require.ElementsMatch(t, []string{tm.Direct[0].Message.ID, "6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f"}, ids)
	})
}

// A publish script run twice with the same arguments (the client retries
// a script whose answer it lost) writes each queue message once: the
// second run finds the ids in the queues and reports the writes as
// duplicates, adding nothing.
func TestDirectPublishRunTwice(t *testing.T) {
	t.Parallel()
	eachDirectBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "again", nil)
		b.subscribeQueue(t, arn, "again-raw", map[string]string{"RawMessageDelivery": "true"})
		b.subscribeQueue(t, arn, "again-env", nil)
		v, err := b.svc.view(b.ctx, "again", 0)
		require.NoError(t, err)
		now := b.clock.Now()
		var msgs []store.TopicMessage
		for i := range 2 {
			m, e := b.svc.prepare(&PublishInput{TopicARN: arn, Message: fmt.Sprint("m", i)}, v, now)
			require.Nil(t, e)
			tm, _, _ := b.svc.route(b.ctx, v, m, now)
			require.Len(t, tm.Direct, 2)
			msgs = append(msgs, tm)
		}
		p := &store.TopicPublishParams{Topic: "again", Version: v.version, Messages: msgs, Now: now, LeaseUntil: now.Add(time.Minute)}
		for run, dup := range []bool{false, true} {
			out, err := b.st.TopicPublish(b.ctx, p)
			require.NoError(t, err)
			require.Len(t, out, 2)
			for i, o := range out {
				require.Empty(t, o.Deliveries, "run %d", run)
				var subs []string
				for _, d := range msgs[i].Direct {
					subs = append(subs, d.Subscription)
				}
				require.ElementsMatch(t, subs, o.Direct, "run %d", run)
				require.Equal(t, []bool{dup, dup}, o.DirectDuplicate, "run %d", run)
			}
		}
		b.requireOwed(t, "again", 0)
		for _, q := range []string{"again-raw", "again-env"} {
			attrs, err := b.queues.GetAttributes(b.ctx, q, []string{"All"})
			require.NoError(t, err)
			require.Equal(t, "2", attrs["ApproximateNumberOfMessages"], q)
			require.Len(t, b.receive(t, q, 2), 2)
			b.requireEmpty(t, q)
		}
	})
}
