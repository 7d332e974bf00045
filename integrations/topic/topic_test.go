package topic

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// testBundle is a topic router and a queue router on one store.
type testBundle struct {
	svc    *Service
	queues *queue.Service
	st     *store.Client
	clock  *testclock.Clock
	ctx    context.Context
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// eachBackend runs f on the embedded store and, with SIGNALBOX_REDIS_URL,
// on that Redis.
func eachBackend(t *testing.T, f func(t *testing.T, b *testBundle)) {
	urls := []string{""}
	if u := os.Getenv(store.EnvRedisURL); u != "" {
		urls = append(urls, u)
	}
	for _, url := range urls {
		name := "embedded"
		if url != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, setup(t, url, true))
		})
	}
}

// openStore opens a store on url ("" embedded) under a prefix of its own,
// purged at the end of the test.
func openStore(t testing.TB, url string) *store.Client {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{URL: url, Prefix: storetest.Prefix("sbtopic")})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, st.Purge(context.Background()))
		_ = st.Close()
	})
	return st
}

// setup returns a bundle; start runs its deliveries.
func setup(t testing.TB, url string, start bool) *testBundle {
	st := openStore(t, url)
	clock := testclock.New(t0)
	qs := queue.New(st, queue.Config{Now: clock.Now})
	t.Cleanup(qs.Close)
	svc := New(st, Config{Now: clock.Now, Queues: qs, PublicURL: "http://sns.test"})
	if start {
		svc.Start(context.Background())
	}
	t.Cleanup(svc.Close)
	return &testBundle{svc: svc, queues: qs, st: st, clock: clock, ctx: context.Background()}
}

func (b *testBundle) topic(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	tp, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: name, Attributes: attrs})
	require.NoError(t, err)
	return tp.ARN
}

// queue creates a queue and subscribes it to topic, returning the
// subscription's ARN.
func (b *testBundle) subscribeQueue(t testing.TB, topicARN, name string, attrs map[string]string) string {
	t.Helper()
	qattrs := map[string]string{}
	if len(name) > 5 && name[len(name)-5:] == ".fifo" {
		qattrs["FifoQueue"] = "true"
	}
	_, err := b.queues.CreateQueue(b.ctx, &queue.CreateInput{Name: name, Attributes: qattrs})
	require.NoError(t, err)
	arn, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: topicARN, Protocol: ProtocolSQS, Endpoint: b.queues.ARN(name), Attributes: attrs})
	require.NoError(t, err)
	return arn
}

// receive long-polls a queue until it has received n messages (the
// queue's long poll wakes at a send: no sleeping here).
func (b *testBundle) receive(t *testing.T, name string, n int) []queue.Message {
	t.Helper()
	var out []queue.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < n {
		require.True(t, time.Now().Before(deadline), "received %d of %d messages from %s", len(out), n, name)
		wait := 2
		msgs, err := b.queues.Receive(b.ctx, name, &queue.ReceiveInput{MaxMessages: 10, WaitTimeSeconds: &wait,
			MessageAttributeNames: []string{"All"}, AttributeNames: []string{"All"}})
		require.NoError(t, err)
		for _, m := range msgs {
			_, err := b.queues.Delete(b.ctx, name, []queue.HandleEntry{{ReceiptHandle: m.ReceiptHandle}})
			require.NoError(t, err)
		}
		out = append(out, msgs...)
	}
	return out
}

// requireEmpty asserts a queue holds nothing visible or in flight.
func (b *testBundle) requireEmpty(t *testing.T, name string) {
	t.Helper()
	attrs, err := b.queues.GetAttributes(b.ctx, name, []string{"All"})
	require.NoError(t, err)
	require.Equal(t, "0", attrs["ApproximateNumberOfMessages"], name)
	require.Equal(t, "0", attrs["ApproximateNumberOfMessagesNotVisible"], name)
}

// settle waits until the topic owes no delivery.
func (b *testBundle) settle(t testing.TB, topic string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := b.st.TopicPending(b.ctx, topic)
		require.NoError(t, err)
		if n == 0 {
			return
		}
		require.True(t, time.Now().Before(deadline), "%d deliveries still owed", n)
		b.svc.eng.acks.Flush(b.ctx, b.svc.eng.flushAcks)
	}
}

func codeOf(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	e, ok := err.(*Error)
	require.True(t, ok, "%T %v", err, err)
	return e.Code
}

// verify checks an envelope's signature with the certificate the Service
// serves, as a subscriber would.
func (b *testBundle) verify(t *testing.T, env map[string]any) {
	t.Helper()
	pemBytes, err := b.svc.SigningCert(b.ctx)
	require.NoError(t, err)
	block, _ := pem.Decode(pemBytes)
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.Equal(t, "http://sns.test"+b.svc.SigningCertPath(), env["SigningCertURL"])
	var text string
	for _, k := range []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"} {
		if v, ok := env[k].(string); ok {
			text += k + "\n" + v + "\n"
		}
	}
	sig, err := base64.StdEncoding.DecodeString(env["Signature"].(string))
	require.NoError(t, err)
	pub := cert.PublicKey.(*rsa.PublicKey)
	if env["SignatureVersion"] == "2" {
		sum := sha256.Sum256([]byte(text))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig))
	} else {
		sum := sha1.Sum([]byte(text))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig))
	}
}

func TestTopicLifecycle(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "orders", map[string]string{"DisplayName": "Orders"})
		require.Equal(t, "arn:aws:sns:us-east-1:123456789012:orders", arn)
		// the same create again: the same topic; other attributes: refused
		require.Equal(t, arn, b.topic(t, "orders", map[string]string{"DisplayName": "Orders"}))
		_, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: "orders", Attributes: map[string]string{"DisplayName": "Other"}})
		require.Equal(t, "InvalidParameter", codeOf(t, err))
		for _, bad := range []string{"", "a b", "x.fifo", string(make([]byte, 257))} {
			_, err := b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: bad})
			require.Equal(t, "InvalidParameter", codeOf(t, err), "%q", bad)
		}
		_, err = b.svc.CreateTopic(b.ctx, &CreateTopicInput{Name: "o", Attributes: map[string]string{"FifoTopic": "true"}})
		require.Equal(t, "InvalidParameter", codeOf(t, err))

		attrs, err := b.svc.GetTopicAttributes(b.ctx, arn)
		require.NoError(t, err)
		require.Equal(t, "Orders", attrs["DisplayName"])
		require.Equal(t, arn, attrs["TopicArn"])
		require.Equal(t, "0", attrs["SubscriptionsConfirmed"])
		require.Contains(t, attrs["Policy"], arn)
		require.NoError(t, b.svc.SetTopicAttribute(b.ctx, arn, "DisplayName", "New"))
		require.Equal(t, "InvalidParameter", codeOf(t, b.svc.SetTopicAttribute(b.ctx, arn, "SignatureVersion", "3")))
		require.Equal(t, "InvalidParameter", codeOf(t, b.svc.SetTopicAttribute(b.ctx, arn, "Nope", "1")))
		attrs, err = b.svc.GetTopicAttributes(b.ctx, arn)
		require.NoError(t, err)
		require.Equal(t, "New", attrs["DisplayName"])

		_, err = b.svc.GetTopicAttributes(b.ctx, arn+"x")
		require.Equal(t, "NotFound", codeOf(t, err))

		require.NoError(t, b.svc.TagResource(b.ctx, arn, map[string]string{"team": "a"}))
		tags, err := b.svc.ListTags(b.ctx, arn)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"team": "a"}, tags)
		require.NoError(t, b.svc.UntagResource(b.ctx, arn, []string{"team"}))
		many := map[string]string{}
		for i := range 50 {
			many["k"+strconv.Itoa(i)] = "v"
		}
		require.NoError(t, b.svc.TagResource(b.ctx, arn, many))
		require.Equal(t, "TagLimitExceeded", codeOf(t, b.svc.TagResource(b.ctx, arn, map[string]string{"one": "more"})))
		require.Equal(t, "ResourceNotFound", codeOf(t, b.svc.TagResource(b.ctx, arn+"x", map[string]string{"a": "b"})))

		fifo := b.topic(t, "o.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
		attrs, err = b.svc.GetTopicAttributes(b.ctx, fifo)
		require.NoError(t, err)
		require.Equal(t, "true", attrs["FifoTopic"])
		require.Equal(t, "true", attrs["ContentBasedDeduplication"])

		list, err := b.svc.ListTopics(b.ctx, "")
		require.NoError(t, err)
		require.Equal(t, []string{fifo, arn}, list.ARNs)
		require.NoError(t, b.svc.DeleteTopic(b.ctx, arn))
		require.NoError(t, b.svc.DeleteTopic(b.ctx, arn)) // gone already: fine, as in AWS
		list, err = b.svc.ListTopics(b.ctx, "")
		require.NoError(t, err)
		require.Equal(t, []string{fifo}, list.ARNs)
	})
}

func TestFanoutToQueues(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "news", nil)
		b.subscribeQueue(t, arn, "env", nil)
		rawSub := b.subscribeQueue(t, arn, "raw", map[string]string{"RawMessageDelivery": "true"})
		attrs := map[string]MessageAttribute{
			"kind":  {DataType: "String", StringValue: "sports"},
			"score": {DataType: "Number", StringValue: "3.5"},
			"tags":  {DataType: "String.Array", StringValue: `["a","b"]`},
			"blob":  {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		}
		res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "hello", Subject: "Hi", Attributes: attrs,
			Trace: traceOf("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")})
		require.NoError(t, err)
		require.True(t, validUUID(res.MessageID))

		got := b.receive(t, "env", 1)[0]
		var env map[string]any
		require.NoError(t, json.Unmarshal([]byte(got.Body), &env))
		require.Equal(t, "Notification", env["Type"])
		require.Equal(t, res.MessageID, env["MessageId"])
		require.Equal(t, arn, env["TopicArn"])
		require.Equal(t, "Hi", env["Subject"])
		require.Equal(t, "hello", env["Message"])
		require.Equal(t, "1", env["SignatureVersion"])
		require.Contains(t, env["UnsubscribeURL"], "http://sns.test/?Action=Unsubscribe&SubscriptionArn=")
		ma := env["MessageAttributes"].(map[string]any)
		require.Equal(t, map[string]any{"Type": "Binary", "Value": "AAEC"}, ma["blob"])
		require.Equal(t, map[string]any{"Type": "String.Array", "Value": `["a","b"]`}, ma["tags"])
		b.verify(t, env)
		require.Equal(t, "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1", got.Attributes["AWSTraceHeader"])

		raw := b.receive(t, "raw", 1)[0]
		require.Equal(t, "hello", raw.Body)
		require.Equal(t, "String", raw.MessageAttributes["tags"].DataType) // SQS has no arrays
		require.Equal(t, []byte{0, 1, 2}, raw.MessageAttributes["blob"].BinaryValue)
		require.Equal(t, "Number", raw.MessageAttributes["score"].DataType)
		require.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", raw.MessageAttributes["traceparent"].StringValue)

		// SignatureVersion 2, and an unsubscribed queue gets nothing more
		require.NoError(t, b.svc.SetTopicAttribute(b.ctx, arn, "SignatureVersion", "2"))
		require.NoError(t, b.svc.Unsubscribe(b.ctx, rawSub))
		_, err = b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "second"})
		require.NoError(t, err)
		got = b.receive(t, "env", 1)[0]
		env = nil
		require.NoError(t, json.Unmarshal([]byte(got.Body), &env))
		require.Equal(t, "2", env["SignatureVersion"])
		b.verify(t, env)
		b.settle(t, "news")
		b.requireEmpty(t, "raw")
	})
}

func traceOf(tp string) integrations.TraceContext { return integrations.TraceContext{Parent: tp} }

func TestPublishValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "v", nil)
	fifo := b.topic(t, "v.fifo", map[string]string{"FifoTopic": "true"})
	big := make([]byte, maxMessageBytes+1)
	for i := range big {
		big[i] = 'a'
	}
	cases := []struct {
		in   PublishInput
		code string
	}{
		{PublishInput{TopicARN: arn}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: string(big)}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", Subject: "a\nb"}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", Attributes: map[string]MessageAttribute{"AWS.x": {DataType: "String", StringValue: "v"}}}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", Attributes: map[string]MessageAttribute{"n": {DataType: "Number", StringValue: "abc"}}}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", Attributes: map[string]MessageAttribute{"n": {DataType: "String.Array", StringValue: "[{}]"}}}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", Attributes: map[string]MessageAttribute{"n": {DataType: "Float", StringValue: "1"}}}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: `{"x":"y"}`, MessageStructure: "json"}, "InvalidParameter"},
		{PublishInput{TopicARN: arn, Message: "m", DedupID: "d"}, "InvalidParameter"},
		{PublishInput{TopicARN: fifo, Message: "m"}, "InvalidParameter"},
		{PublishInput{TopicARN: fifo, Message: "m", GroupID: "g"}, "InvalidParameter"}, // no dedup id, no content-based dedup
		{PublishInput{TopicARN: arn + "nope", Message: "m"}, "NotFound"},
		{PublishInput{TopicARN: "arn:aws:sqs:us-east-1:123456789012:x", Message: "m"}, "InvalidParameter"},
	}
	for i, c := range cases {
		_, err := b.svc.Publish(b.ctx, &c.in)
		require.Equal(t, c.code, codeOf(t, err), "case %d", i)
	}
	res, err := b.svc.PublishBatch(b.ctx, arn, []PublishInput{{ID: "a", Message: "ok"}, {ID: "b"}})
	require.NoError(t, err)
	require.Nil(t, res[0].Err)
	require.Equal(t, "InvalidParameter", res[1].Err.Code)
	_, err = b.svc.PublishBatch(b.ctx, arn, []PublishInput{{ID: "a", Message: "x"}, {ID: "a", Message: "y"}})
	require.Equal(t, "BatchEntryIdsNotDistinct", codeOf(t, err))
	_, err = b.svc.PublishBatch(b.ctx, arn, nil)
	require.Equal(t, "EmptyBatchRequest", codeOf(t, err))
	eleven := make([]PublishInput, 11)
	for i := range eleven {
		eleven[i] = PublishInput{ID: fmt.Sprint(i), Message: "m"}
	}
	_, err = b.svc.PublishBatch(b.ctx, arn, eleven)
	require.Equal(t, "TooManyEntriesInBatchRequest", codeOf(t, err))
}

// A process that publishes and dies before delivering leaves its
// deliveries leased in the store; another process makes them once the
// lease has ended, not before.
func TestDeliveriesOutliveTheirProcess(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "t", nil)
		b.subscribeQueue(t, arn, "q1", nil)
		b.subscribeQueue(t, arn, "q2", map[string]string{"RawMessageDelivery": "true"})
		dead := New(b.st, Config{Now: b.clock.Now, Queues: b.queues, NoDirectFanout: true}) // never started: it "dies" after publishing
		for i := range 5 {
			_, err := dead.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m" + strconv.Itoa(i)})
			require.NoError(t, err)
		}
		n, err := b.st.TopicPending(b.ctx, "t")
		require.NoError(t, err)
		// the running bundle may have claimed none yet: their lease holds
		b.svc.eng.recoverOnce(b.ctx)
		require.EqualValues(t, 10, n)
		b.requireEmpty(t, "q1")
		b.clock.Advance(DefaultDeliveryLease + time.Second)
		b.svc.eng.recoverOnce(b.ctx)
		bodies := map[string]bool{}
		for _, m := range b.receive(t, "q2", 5) {
			bodies[m.Body] = true
		}
		require.Len(t, bodies, 5)
		require.Len(t, b.receive(t, "q1", 5), 5)
		b.settle(t, "t")
	})
}

func TestFIFOFanout(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "f.fifo", map[string]string{"FifoTopic": "true"})
		_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("standard")})
		require.Equal(t, "InvalidParameter", codeOf(t, err))
		b.subscribeQueue(t, arn, "a.fifo", map[string]string{"RawMessageDelivery": "true"})
		b.subscribeQueue(t, arn, "b.fifo", nil)
		var seqs []string
		for i := range 30 {
			res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: strconv.Itoa(i), GroupID: "g" + strconv.Itoa(i%3), DedupID: "d" + strconv.Itoa(i)})
			require.NoError(t, err)
			seqs = append(seqs, res.SequenceNumber)
		}
		for i := 1; i < len(seqs); i++ {
			require.Less(t, seqs[i-1], seqs[i])
		}
		// a duplicate within five minutes: the first message's id, no delivery
		again, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "0", GroupID: "g0", DedupID: "d0"})
		require.NoError(t, err)
		require.Equal(t, seqs[0], again.SequenceNumber)

		last := map[string]int{}
		for _, m := range b.receive(t, "a.fifo", 30) {
			n, err := strconv.Atoi(m.Body)
			require.NoError(t, err)
			g := m.Attributes["MessageGroupId"]
			if prev, ok := last[g]; ok {
				require.Greater(t, n, prev, "group %s out of order", g)
			}
			last[g] = n
		}
		var env map[string]any
		got := b.receive(t, "b.fifo", 30)
		require.NoError(t, json.Unmarshal([]byte(got[0].Body), &env))
		require.NotEmpty(t, env["SequenceNumber"])
		require.Nil(t, env["Signature"]) // AWS signs no FIFO notification
		b.settle(t, "f.fifo")
		b.requireEmpty(t, "a.fifo")
	})
}

// A delivery that cannot be made (its queue does not exist) goes to the
// subscription's dead-letter queue.
func TestDeadLetterQueue(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "d", nil)
		_, err := b.queues.CreateQueue(b.ctx, &queue.CreateInput{Name: "dlq"})
		require.NoError(t, err)
		_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("missing"),
			Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + b.queues.ARN("dlq") + `"}`}})
		require.NoError(t, err)
		res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "lost?"})
		require.NoError(t, err)
		got := b.receive(t, "dlq", 1)[0]
		var env map[string]any
		require.NoError(t, json.Unmarshal([]byte(got.Body), &env))
		require.Equal(t, res.MessageID, env["MessageId"])
		require.Equal(t, "lost?", env["Message"])
		require.Equal(t, "DeliveryFailed", got.MessageAttributes["ErrorCode"].StringValue)
		b.settle(t, "d")
	})
}

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "s", nil)
	sub := b.subscribeQueue(t, arn, "q", nil)
	again, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("q")})
	require.NoError(t, err)
	require.Equal(t, sub, again)
	_, err = b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("q"),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.Equal(t, "InvalidParameter", codeOf(t, err))
	for _, in := range []SubscribeInput{
		{TopicARN: arn, Protocol: "carrier-pigeon", Endpoint: "x"},
		{TopicARN: arn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{TopicARN: arn, Protocol: "sqs", Endpoint: "not-an-arn"},
		{TopicARN: arn, Protocol: "http", Endpoint: "https://wrong.scheme"},
		{TopicARN: arn, Protocol: "sqs", Endpoint: b.queues.ARN("q2"), Attributes: map[string]string{"Nope": "1"}},
		{TopicARN: arn, Protocol: "sqs", Endpoint: b.queues.ARN("q2"), Attributes: map[string]string{"RawMessageDelivery": "yes"}},
	} {
		_, err := b.svc.Subscribe(b.ctx, &in)
		require.Equal(t, "InvalidParameter", codeOf(t, err), "%+v", in)
	}
	attrs, err := b.svc.GetSubscriptionAttributes(b.ctx, sub)
	require.NoError(t, err)
	require.Equal(t, "false", attrs["PendingConfirmation"])
	require.Equal(t, "false", attrs["RawMessageDelivery"])
	require.Equal(t, b.queues.ARN("q"), attrs["Endpoint"])
	require.NoError(t, b.svc.SetSubscriptionAttribute(b.ctx, sub, "RawMessageDelivery", "true"))
	attrs, err = b.svc.GetSubscriptionAttributes(b.ctx, sub)
	require.NoError(t, err)
	require.Equal(t, "true", attrs["RawMessageDelivery"])

	pending, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: "http", Endpoint: "http://127.0.0.1:1/hook"})
	require.NoError(t, err)
	require.Equal(t, "pending confirmation", pending)
	page, err := b.svc.ListSubscriptionsByTopic(b.ctx, arn, "")
	require.NoError(t, err)
	require.Len(t, page.Subscriptions, 2)
	arns := []string{page.Subscriptions[0].SubscriptionARN, page.Subscriptions[1].SubscriptionARN}
	require.Contains(t, arns, "PendingConfirmation")
	require.Contains(t, arns, sub)
	topicAttrs, err := b.svc.GetTopicAttributes(b.ctx, arn)
	require.NoError(t, err)
	require.Equal(t, "1", topicAttrs["SubscriptionsPending"])
	require.Equal(t, "1", topicAttrs["SubscriptionsConfirmed"])
	_, err = b.svc.ConfirmSubscription(b.ctx, arn, "bad-token", false)
	require.Equal(t, "InvalidParameter", codeOf(t, err))

	require.NoError(t, b.svc.Unsubscribe(b.ctx, sub))
	require.Equal(t, "NotFound", codeOf(t, b.svc.Unsubscribe(b.ctx, sub)))
	_, err = b.svc.GetSubscriptionAttributes(b.ctx, sub)
	require.Equal(t, "NotFound", codeOf(t, err))
}

// ListSubscriptions pages across topics, each subscription once.
func TestListSubscriptionsPages(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	want := map[string]bool{}
	for i := range 3 {
		arn := b.topic(t, "t"+strconv.Itoa(i), nil)
		for j := range 70 {
			want[b.subscribeQueue(t, arn, fmt.Sprintf("q%d-%d", i, j), nil)] = true
		}
	}
	got := map[string]bool{}
	token := ""
	pages := 0
	for {
		page, err := b.svc.ListSubscriptions(b.ctx, token)
		require.NoError(t, err)
		pages++
		require.LessOrEqual(t, len(page.Subscriptions), listPage)
		for _, s := range page.Subscriptions {
			require.False(t, got[s.SubscriptionARN], "listed twice: %s", s.SubscriptionARN)
			got[s.SubscriptionARN] = true
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	require.Equal(t, want, got)
	require.Equal(t, 3, pages)
}

// Filter policies choose what each subscription receives, in both scopes.
func TestFilteredFanout(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "filtered", nil)
		b.subscribeQueue(t, arn, "big", map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"price":[{"numeric":[">=",100]}]}`})
		b.subscribeQueue(t, arn, "eu", map[string]string{"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
			"FilterPolicy": `{"order":{"region":[{"prefix":"eu-"}]}}`})
		all := b.subscribeQueue(t, arn, "all", map[string]string{"RawMessageDelivery": "true"})
		_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("x"),
			Attributes: map[string]string{"FilterPolicy": `{"a":[{"numeric":["<"]}]}`}})
		require.Equal(t, "InvalidParameter", codeOf(t, err))
		require.Contains(t, err.Error(), "Attributes Reason: FilterPolicy")
		require.Equal(t, "InvalidParameter", codeOf(t, b.svc.SetSubscriptionAttribute(b.ctx, all, "FilterPolicy", `{"a":"b"}`)))
		require.Equal(t, "InvalidParameter", codeOf(t, b.svc.SetSubscriptionAttribute(b.ctx, all, "FilterPolicyScope", "Nowhere")))

		publish := func(body string, price string) {
			in := &PublishInput{TopicARN: arn, Message: body}
			if price != "" {
				in.Attributes = map[string]MessageAttribute{"price": {DataType: "Number", StringValue: price}}
			}
			_, err := b.svc.Publish(b.ctx, in)
			require.NoError(t, err)
		}
		publish(`{"order":{"region":"eu-west-1"}}`, "50")
		publish(`{"order":{"region":"us-east-1"}}`, "150")
		publish(`not json`, "")
		require.Equal(t, `{"order":{"region":"us-east-1"}}`, b.receive(t, "big", 1)[0].Body)
		require.Equal(t, `{"order":{"region":"eu-west-1"}}`, b.receive(t, "eu", 1)[0].Body)
		require.Len(t, b.receive(t, "all", 3), 3)
		b.settle(t, "filtered")
		b.requireEmpty(t, "big")
		b.requireEmpty(t, "eu")
	})
}

// Concurrent subscribes of one endpoint make one subscription.
func TestSubscribeRace(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "race", nil)
		_, err := b.queues.CreateQueue(b.ctx, &queue.CreateInput{Name: "q"})
		require.NoError(t, err)
		other := New(b.st, Config{Now: b.clock.Now, Queues: b.queues}) // another process
		arns := make(chan string, 20)
		for i := range 20 {
			svc := b.svc
			if i%2 == 1 {
				svc = other
			}
			go func() {
				a, err := svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("q")})
				if err != nil {
					a = err.Error()
				}
				arns <- a
			}()
		}
		first := <-arns
		for range 19 {
			require.Equal(t, first, <-arns)
		}
		page, err := b.svc.ListSubscriptionsByTopic(b.ctx, arn, "")
		require.NoError(t, err)
		require.Len(t, page.Subscriptions, 1)
		// unsubscribed, the endpoint may subscribe again
		require.NoError(t, b.svc.Unsubscribe(b.ctx, first))
		again, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("q")})
		require.NoError(t, err)
		require.NotEqual(t, first, again)
	})
}

// A traced message's delivery is a producer span in the publisher's trace,
// and the queue's message names that span.
func TestDeliverySpans(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	st := openStore(t, "")
	qs := queue.New(st, queue.Config{})
	t.Cleanup(qs.Close)
	svc := New(st, Config{Queues: qs, Tracer: tp.Tracer("test")})
	svc.Start(context.Background())
	t.Cleanup(svc.Close)
	b := &testBundle{svc: svc, queues: qs, st: st, ctx: context.Background()}
	arn := b.topic(t, "traced", nil)
	sub := b.subscribeQueue(t, arn, "q", map[string]string{"RawMessageDelivery": "true"})
	b.subscribeQueue(t, arn, "plain", map[string]string{"RawMessageDelivery": "true"})
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	_, err := svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m", Trace: traceOf(parent)})
	require.NoError(t, err)
	got := b.receive(t, "q", 1)[0]
	b.receive(t, "plain", 1)
	b.settle(t, "traced")
	tpHeader := got.MessageAttributes["traceparent"].StringValue
	require.Regexp(t, `^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$`, tpHeader)
	var found bool
	for _, s := range rec.Ended() {
		if s.SpanContext().SpanID().String() != tpHeader[36:52] {
			continue
		}
		found = true
		require.Equal(t, "SNS deliver sqs", s.Name())
		require.Equal(t, "b7ad6b7169203331", s.Parent().SpanID().String())
		attrs := map[string]string{}
		for _, a := range s.Attributes() {
			attrs[string(a.Key)] = a.Value.Emit()
		}
		require.Equal(t, sub, attrs["signalbox.subscription"])
		require.Equal(t, "aws_sns", attrs["messaging.system"])
	}
	require.True(t, found, "no delivery span names the message's traceparent")
	// an untraced message makes no span
	before := len(rec.Ended())
	_, err = svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "untraced"})
	require.NoError(t, err)
	require.Empty(t, b.receive(t, "q", 1)[0].MessageAttributes["traceparent"].StringValue)
	b.receive(t, "plain", 1)
	b.settle(t, "traced")
	require.Len(t, rec.Ended(), before)
}

// A FIFO topic keeps each group's order to each subscription across a
// process that died holding deliveries: the messages published after it,
// by another process, wait for the dead one's to be made first.
func TestFIFOOrderOutlivesTheProcess(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "o.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
		b.subscribeQueue(t, arn, "o.fifo", map[string]string{"RawMessageDelivery": "true"})
		dead := New(b.st, Config{Now: b.clock.Now, Queues: b.queues, NoDirectFanout: true}) // never started: it "dies" after publishing
		for i := range 3 {
			_, err := dead.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: strconv.Itoa(i), GroupID: "g"})
			require.NoError(t, err)
		}
		// the running process publishes more of the group: they wait
		for i := 3; i < 6; i++ {
			_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: strconv.Itoa(i), GroupID: "g"})
			require.NoError(t, err)
		}
		_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "other", GroupID: "h"}) // another group goes at once
		require.NoError(t, err)
		require.Equal(t, "other", b.receive(t, "o.fifo", 1)[0].Body)
		b.requireEmpty(t, "o.fifo")
		b.clock.Advance(DefaultDeliveryLease + time.Second)
		b.svc.eng.recoverOnce(b.ctx)
		var got []string
		for len(got) < 6 {
			for _, m := range b.receive(t, "o.fifo", 1) {
				got = append(got, m.Body)
			}
		}
		require.Equal(t, []string{"0", "1", "2", "3", "4", "5"}, got)
		b.settle(t, "o.fifo")
	})
}

// A delivery this process holds (handed to its workers, not yet ended) is
// not handed out a second time when a claim renews its ended lease: a
// backlog longer than the lease does not feed itself. Held past
// maxHoldLeases leases, it is handed out again all the same; ended, it is
// forgotten.
func TestClaimSkipsDeliveriesHeld(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)        // no workers: the jobs handed out stay in the engine's channel
	b.svc.cfg.NoDirectFanout = true // a delivery to hold
	arn := b.topic(t, "held", nil)
	b.subscribeQueue(t, arn, "held-q", nil)
	_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: "m"})
	require.NoError(t, err)
	e := b.svc.eng
	lease := DefaultDeliveryLease

	b.clock.Advance(lease + time.Second)
	e.claim(b.ctx, "held")
	require.Len(t, e.jobs, 1, "the first claim hands the delivery out")
	b.clock.Advance(lease + time.Second)
	e.claim(b.ctx, "held")
	require.Len(t, e.jobs, 1, "claimed again while held: its lease renewed, not handed out twice")

	b.clock.Advance(maxHoldLeases * lease)
	e.claim(b.ctx, "held")
	require.Len(t, e.jobs, 2, "held past maxHoldLeases leases: handed out again")

	j := <-e.jobs
	<-e.jobs
	e.ack(j.topic, j.ackEntry())
	e.acks.Flush(b.ctx, e.flushAcks)
	e.heldMu.Lock()
	defer e.heldMu.Unlock()
	require.Empty(t, e.held, "ended: forgotten")
}

// A topic's subscriptions are bounded (SubscriptionLimitExceeded), a FIFO
// topic's at AWS's 100.
func TestSubscriptionLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, "", false)
	arn := b.topic(t, "lim.fifo", map[string]string{"FifoTopic": "true"})
	for i := range maxFIFOSubscriptions {
		_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN(fmt.Sprintf("q%d.fifo", i))})
		require.NoError(t, err)
	}
	_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: arn, Protocol: ProtocolSQS, Endpoint: b.queues.ARN("one-more.fifo")})
	require.Equal(t, "SubscriptionLimitExceeded", codeOf(t, err))
}
