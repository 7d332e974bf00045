package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/snstest"
)

// TestCrashTopics kills `signalbox serve` with SIGKILL twice, and starts it
// again each time, while producers publish to a standard topic fanned out
// to five queues (three with RawMessageDelivery, two with SNS's JSON
// envelope) and to an http subscriber (internal/snstest on loopback, its
// subscription confirmed through the SubscribeURL first; it checks every
// message's signature), and to a FIFO topic fanned out to two FIFO queues
// (one raw, one enveloped; one message group per producer), all through
// SNS's and SQS's APIs with the AWS SDK. On each topic one producer
// publishes by Publish, the others by PublishBatch; an entry not
// acknowledged is published again (on the FIFO topic with the same
// MessageDeduplicationId). Consumers receive and delete meanwhile. Then:
//   - every subscriber got every message whose publish was acknowledged
//     (each message is "producer:sequence", in its body and in a message
//     attribute "id"): none lost; deliveries made again are allowed and
//     counted in the log line;
//   - on each FIFO queue, each group's messages came, first deliveries in
//     the order published (the producer's sequence strictly increasing);
//   - the http subscriber refused nothing: every message it got verified.
//
// serve runs with --lease 2s: the deliveries a killed serve held are made
// by the restarted one when their lease ends, so each kill costs about 2 s
// of recovery, not the default 30 s. This load makes a backlog longer than
// 2 s in serve: its recoverer renews the lease of the deliveries it still
// holds and does not make them twice (before it did, each queue got
// about 84,000 deliveries for the 20,000 publishes, and the test took
// three times as long); the deliveries made again (about 0.5% in our
// runs) come from the kills. The Redis is a redis-server of the
// test's own with appendonly yes and appendfsync always, as in
// TestCrashQueues (whose comment says what that does and does not prove).
//
// It runs in the real-Redis run (SIGNALBOX_REDIS_URL set; .ci/run runs it
// in the crash tests' step), with redis-server on PATH; -short publishes
// fewer messages.
func TestCrashTopics(t *testing.T) {
	standard, fifo := crashTopicSpec{producers: 5, perProducer: 4000}, crashTopicSpec{producers: 4, perProducer: 1000, fifo: true}
	if testing.Short() {
		standard.perProducer, fifo.perProducer = 400, 100
	}
	r := startCrashRun(t, "sbct-", 6*time.Minute, "--lease", "2s")
	ctx := r.ctx
	snsc, sqsc := crashSNSClient(r.serve.URL), crashSQSClient(r.serve.URL)
	hook := snstest.New(t)
	topics := []*crashTopic{
		newCrashTopic(t, ctx, snsc, sqsc, "crash-topic", standard, []bool{true, false, true, false, true}, hook),
		newCrashTopic(t, ctx, snsc, sqsc, "crash-topic.fifo", fifo, []bool{true, false}, nil),
	}
	for _, tp := range topics {
		r.total += tp.total()
	}
	for _, tp := range topics {
		for p := range tp.producers {
			r.run(func() error { return tp.produce(ctx, snsc, p, r.progress, &r.kills) })
		}
		for _, sub := range tp.subs {
			if sub.queueURL == "" {
				r.run(func() error { return sub.listen(ctx, hook) })
				continue
			}
			for range 2 {
				r.run(func() error { return sub.consume(ctx, sqsc) })
			}
		}
	}
	r.killTwice()
	for _, tp := range topics {
		for _, sub := range tp.subs {
			r.await(sub.complete, func() string {
				return fmt.Sprintf("%s: %d of %d messages delivered within the deadline; missing (the first ten): %v", sub.name, sub.distinct.Load(), tp.total(), sub.missing(10))
			})
		}
	}
	elapsed := r.finish()
	require.Empty(t, hook.Errors(), "the http subscriber refused messages (signature, format)")
	var lines, broken []string
	for _, tp := range topics {
		broken = append(broken, tp.check(t)...)
		lines = append(lines, tp.summary())
	}
	for _, b := range broken {
		t.Errorf("topic crash test: a FIFO group out of order across the kills: %s", b)
	}
	if len(broken) > 0 {
		// What the topic router said of its deliveries: a retry scheduled
		// lets a group's next message pass the one retried.
		warnings := map[string]int{}
		for _, sv := range r.servers {
			for line := range strings.Lines(sv.Log()) {
				if _, msg, ok := strings.Cut(line, "msg=\"topic: "); ok {
					msg, _, _ = strings.Cut(msg, "\"")
					warnings[msg]++
				}
			}
		}
		t.Logf("topic crash test: the topic router's warnings in serve's logs: %v", warnings)
	}
	t.Logf("topic crash test: serve (--lease 2s) killed with SIGKILL twice; %s; %.1fs", strings.Join(lines, "; "), elapsed.Seconds())
}

// crashTopicSpec is one topic of the test: its producers and how many
// messages each publishes.
type crashTopicSpec struct {
	producers, perProducer int
	fifo                   bool
}

// crashTopic is one topic of the test, its subscribers and what its
// producers saw acknowledged.
type crashTopic struct {
	crashTopicSpec
	name, arn string
	subs      []*crashSub
	mu        sync.Mutex
	acked     [][]bool // producer → sequence → acknowledged
	epoch     [][]int  // producer → sequence → the kills before its acknowledgement
	resent    atomic.Int64
}

// crashSub is one subscriber of a topic (a queue, or the http subscriber
// when queueURL is empty) and what it received.
type crashSub struct {
	t         *crashTopic
	name      string
	raw       bool
	queueURL  string
	mu        sync.Mutex
	counts    map[[2]int]int // (producer, sequence) → deliveries
	first     [][]int        // producer → sequences in the order first delivered
	distinct  atomic.Int64
	complete  chan struct{}
	once      sync.Once
	hookSeen  int // the http subscriber's messages read so far
	hookError error
}

func newCrashTopic(t *testing.T, ctx context.Context, snsc *sns.Client, sqsc *sqs.Client, name string, spec crashTopicSpec, raw []bool, hook *snstest.Subscriber) *crashTopic {
	t.Helper()
	attrs := map[string]string{}
	if spec.fifo {
		attrs["FifoTopic"] = "true"
	}
	out, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	tp := &crashTopic{crashTopicSpec: spec, name: name, arn: aws.ToString(out.TopicArn), acked: make([][]bool, spec.producers), epoch: make([][]int, spec.producers)}
	for p := range tp.acked {
		tp.acked[p], tp.epoch[p] = make([]bool, spec.perProducer), make([]int, spec.perProducer)
	}
	newSub := func(name string, raw bool) *crashSub {
		return &crashSub{t: tp, name: name, raw: raw, counts: map[[2]int]int{}, first: make([][]int, spec.producers), complete: make(chan struct{})}
	}
	for i, r := range raw {
		qname := fmt.Sprintf("%s-q%d", strings.TrimSuffix(name, ".fifo"), i)
		qattrs := map[string]string{"VisibilityTimeout": "5"} // a receive whose answer a kill lost comes again 5 s later
		if spec.fifo {
			qname += ".fifo"
			qattrs["FifoQueue"] = "true"
		}
		q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(qname), Attributes: qattrs})
		require.NoError(t, err)
		qa, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		require.NoError(t, err)
		_, err = snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qa.Attributes["QueueArn"]),
			Attributes: map[string]string{"RawMessageDelivery": strconv.FormatBool(r)}})
		require.NoError(t, err)
		sub := newSub(qname, r)
		sub.queueURL = aws.ToString(q.QueueUrl)
		tp.subs = append(tp.subs, sub)
	}
	if hook != nil {
		_, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(hook.URL)})
		require.NoError(t, err)
		c := hook.WaitConfirmations(t, 1)
		require.NoError(t, c[0].Err)
		require.Equal(t, http.StatusOK, c[0].Status, "the SubscribeURL's answer")
		subs, err := snsc.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: out.TopicArn})
		require.NoError(t, err)
		for _, s := range subs.Subscriptions {
			require.NotEqual(t, "PendingConfirmation", aws.ToString(s.SubscriptionArn), "%s's subscription is confirmed", aws.ToString(s.Endpoint))
		}
		tp.subs = append(tp.subs, newSub("http subscriber", false))
	}
	return tp
}

func (tp *crashTopic) total() int { return tp.producers * tp.perProducer }

// entry is producer p's message seq: its body and id attribute.
func (tp *crashTopic) entry(p, seq int) (string, map[string]snstypes.MessageAttributeValue) {
	id := fmt.Sprintf("%d:%d", p, seq)
	return id, map[string]snstypes.MessageAttributeValue{"id": {DataType: aws.String("String"), StringValue: aws.String(id)}}
}

// produce publishes producer p's messages in order, producer 0's by
// Publish, the others' by PublishBatch of 10; an entry not acknowledged is
// published again (the same message, and on the FIFO topic the same group
// and MessageDeduplicationId) until it is.
func (tp *crashTopic) produce(ctx context.Context, c *sns.Client, p int, progress func(int), kills *atomic.Int64) error {
	group := aws.String("g" + strconv.Itoa(p))
	dedup := func(seq int) *string { return aws.String(fmt.Sprintf("p%d-s%d", p, seq)) }
	if p == 0 {
		for seq := range tp.perProducer {
			body, attrs := tp.entry(p, seq)
			in := &sns.PublishInput{TopicArn: aws.String(tp.arn), Message: aws.String(body), MessageAttributes: attrs}
			if tp.fifo {
				in.MessageGroupId, in.MessageDeduplicationId = group, dedup(seq)
			}
			tries := 0
			if err := crashRetry(ctx, func() error {
				if tries++; tries > 1 {
					tp.resent.Add(1)
				}
				_, err := c.Publish(ctx, in)
				return err
			}); err != nil {
				return fmt.Errorf("%s: producer %d: %w", tp.name, p, err)
			}
			tp.ack(p, seq, kills)
			progress(1)
		}
		return nil
	}
	for lo := 0; lo < tp.perProducer; lo += 10 {
		var pending []snstypes.PublishBatchRequestEntry
		for seq := lo; seq < min(tp.perProducer, lo+10); seq++ {
			body, attrs := tp.entry(p, seq)
			e := snstypes.PublishBatchRequestEntry{Id: aws.String("s" + strconv.Itoa(seq)), Message: aws.String(body), MessageAttributes: attrs}
			if tp.fifo {
				e.MessageGroupId, e.MessageDeduplicationId = group, dedup(seq)
			}
			pending = append(pending, e)
		}
		for tries := 0; len(pending) > 0; {
			err := crashRetry(ctx, func() error {
				if tries++; tries > 1 {
					tp.resent.Add(int64(len(pending)))
				}
				out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(tp.arn), PublishBatchRequestEntries: pending})
				if err != nil {
					return err
				}
				for _, f := range out.Failed {
					if f.SenderFault {
						return crashPermanent{fmt.Errorf("%s: entry %s refused: %s %s", tp.name, aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))}
					}
				}
				ok := map[string]bool{}
				for _, s := range out.Successful {
					ok[aws.ToString(s.Id)] = true
					seq, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(s.Id), "s"))
					tp.ack(p, seq, kills)
				}
				progress(len(ok))
				pending = slices.DeleteFunc(pending, func(e snstypes.PublishBatchRequestEntry) bool { return ok[aws.ToString(e.Id)] })
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: producer %d: %w", tp.name, p, err)
			}
		}
	}
	return nil
}

func (tp *crashTopic) ack(p, seq int, kills *atomic.Int64) {
	tp.mu.Lock()
	tp.acked[p][seq], tp.epoch[p][seq] = true, int(kills.Load())
	tp.mu.Unlock()
}

// consume receives from the subscriber's queue (up to 10, waiting up to
// 1 s) and deletes, recording every delivery, until ctx ends. A delete
// that fails is not retried: the message comes again after its visibility
// timeout.
func (sub *crashSub) consume(ctx context.Context, c *sqs.Client) error {
	for ctx.Err() == nil {
		var msgs []sqstypes.Message
		err := crashRetry(ctx, func() error {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sub.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
				MessageAttributeNames: []string{"All"}})
			if err == nil {
				msgs = out.Messages
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: consumer: %w", sub.name, err)
		}
		if len(msgs) == 0 {
			continue
		}
		sub.mu.Lock()
		for _, m := range msgs {
			var attr string
			if a, ok := m.MessageAttributes["id"]; ok {
				attr = aws.ToString(a.StringValue)
			}
			if err := sub.recordLocked(aws.ToString(m.Body), attr); err != nil {
				sub.mu.Unlock()
				return err
			}
		}
		sub.mu.Unlock()
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(msgs))
		for i, m := range msgs {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		_, _ = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(sub.queueURL), Entries: entries})
	}
	return ctx.Err()
}

// listen records the http subscriber's Notifications as they come, until
// every message has come or ctx ends.
func (sub *crashSub) listen(ctx context.Context, hook *snstest.Subscriber) error {
	err := hook.Wait(ctx, func(msgs []snstest.Message) bool {
		sub.mu.Lock()
		defer sub.mu.Unlock()
		for _, m := range msgs[sub.hookSeen:] {
			if m.Type != "Notification" {
				continue
			}
			if m.Raw {
				sub.hookError = fmt.Errorf("%s: a raw delivery, the subscription is not raw: %q", sub.name, m.Body)
				return true
			}
			if err := sub.recordLocked(string(m.Body), ""); err != nil {
				sub.hookError = err
				return true
			}
		}
		sub.hookSeen = len(msgs)
		return int(sub.distinct.Load()) == sub.t.total()
	})
	if err != nil {
		return err
	}
	return sub.hookError
}

// envelope is the part of SNS's JSON envelope the test reads.
type envelope struct {
	Type, MessageID, TopicARN, Message string
	MessageAttributes                  map[string]struct{ Type, Value string }
}

// recordLocked records one delivery: body is the message itself (raw) or
// SNS's envelope, attr the raw delivery's id attribute.
func (sub *crashSub) recordLocked(body, attr string) error {
	id := body
	if !sub.raw {
		var e envelope
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return fmt.Errorf("%s: not SNS's envelope: %v: %q", sub.name, err, body)
		}
		if e.Type != "Notification" || e.TopicARN != sub.t.arn || e.MessageID == "" {
			return fmt.Errorf("%s: an envelope with Type %q, TopicArn %q, MessageId %q", sub.name, e.Type, e.TopicARN, e.MessageID)
		}
		id, attr = e.Message, e.MessageAttributes["id"].Value
	}
	if attr != id {
		return fmt.Errorf("%s: message %q came with the id attribute %q", sub.name, id, attr)
	}
	ps, ss, ok := strings.Cut(id, ":")
	p, err1 := strconv.Atoi(ps)
	seq, err2 := strconv.Atoi(ss)
	if !ok || err1 != nil || err2 != nil || p < 0 || p >= sub.t.producers || seq < 0 || seq >= sub.t.perProducer {
		return fmt.Errorf("%s: a message that was never published: %q", sub.name, id)
	}
	key := [2]int{p, seq}
	if sub.counts[key] == 0 {
		sub.first[p] = append(sub.first[p], seq)
		if sub.distinct.Add(1) == int64(sub.t.total()) {
			sub.once.Do(func() { close(sub.complete) })
		}
	}
	sub.counts[key]++
	return nil
}

// missing is up to n of the messages the subscriber has not received.
func (sub *crashSub) missing(n int) []string {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	var out []string
	for p := range sub.t.producers {
		for seq := range sub.t.perProducer {
			if sub.counts[[2]int{p, seq}] == 0 && len(out) < n {
				out = append(out, fmt.Sprintf("%d:%d", p, seq))
			}
		}
	}
	return out
}

// check asserts that every acknowledged message reached every subscriber,
// and returns each FIFO group whose order broke (the caller fails on them,
// after it has logged what the router said).
func (tp *crashTopic) check(t *testing.T) []string {
	t.Helper()
	tp.mu.Lock()
	defer tp.mu.Unlock()
	var broken []string
	for _, sub := range tp.subs {
		sub.mu.Lock()
		for p := range tp.producers {
			for seq := range tp.perProducer {
				require.True(t, tp.acked[p][seq], "%s: message %d:%d was never acknowledged", tp.name, p, seq)
				require.NotZero(t, sub.counts[[2]int{p, seq}], "%s: message %d:%d was acknowledged and never delivered: lost", sub.name, p, seq)
			}
			if !tp.fifo {
				continue
			}
			for i := 1; i < len(sub.first[p]); i++ {
				a, b := sub.first[p][i-1], sub.first[p][i]
				if a < b {
					continue
				}
				msg := fmt.Sprintf("%s: group g%d: message %d (acknowledged after %d kills) first came after %d (acknowledged after %d kills)", sub.name, p, b, tp.epoch[p][b], a, tp.epoch[p][a])
				broken = append(broken, fmt.Sprintf("%s; the group's first deliveries: %v", msg, sub.first[p]))
				break
			}
		}
		sub.mu.Unlock()
	}
	return broken
}

// summary is the topic's part of the test's log line.
func (tp *crashTopic) summary() string {
	kind := "standard"
	if tp.fifo {
		kind = fmt.Sprintf("FIFO, %d groups", tp.producers)
	}
	var subs []string
	for _, sub := range tp.subs {
		sub.mu.Lock()
		deliveries := 0
		for _, n := range sub.counts {
			deliveries += n
		}
		sub.mu.Unlock()
		how := "enveloped"
		if sub.raw {
			how = "raw"
		}
		subs = append(subs, fmt.Sprintf("%s (%s) %d deliveries (%d again)", sub.name, how, deliveries, deliveries-tp.total()))
	}
	return fmt.Sprintf("%s (%s): %d publishes acknowledged, %d entries published again, lost 0 at %d subscribers: %s",
		tp.name, kind, tp.total(), tp.resent.Load(), len(tp.subs), strings.Join(subs, ", "))
}

// crashSNSClient is the producers' SNS client, as crashSQSClient.
func crashSNSClient(base string) *sns.Client {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 64 })
	return sns.New(sns.Options{
		BaseEndpoint: aws.String(base),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("crash", "crash", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}
