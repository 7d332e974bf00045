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
			r.produce(func() error { return tp.produce(ctx, snsc, p, r.progress, &r.kills) })
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
	r.awaitProduced()
	for _, tp := range topics {
		for _, sub := range tp.subs {
			r.await(sub.tally.complete, func() string {
				return fmt.Sprintf("%s: %d of %d messages delivered within the deadline; missing (the first ten): %v", sub.name, sub.tally.distinct.Load(), tp.total(), sub.tally.missing(10))
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
	tally     *crashTally // the deliveries (no ids); its lock guards hookSeen and hookError too
	hookSeen  int         // the http subscriber's messages read so far
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
		return &crashSub{t: tp, name: name, raw: raw, tally: newCrashTally(spec.producers, spec.perProducer, nil)}
	}
	for i, r := range raw {
		qname := fmt.Sprintf("%s-q%d", strings.TrimSuffix(name, ".fifo"), i)
		var qattrs map[string]string
		if spec.fifo {
			qname += ".fifo"
			qattrs = map[string]string{"FifoQueue": "true"}
		}
		qurl, qarn := crashCreateQueue(t, ctx, sqsc, qname, qattrs)
		_, err = snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
			Attributes: map[string]string{"RawMessageDelivery": strconv.FormatBool(r)}})
		require.NoError(t, err)
		sub := newSub(qname, r)
		sub.queueURL = qurl
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
			if err := crashResend(ctx, []int{seq}, &tp.resent, func([]int) ([]int, error) {
				_, err := c.Publish(ctx, in)
				return nil, err
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
		err := crashResend(ctx, pending, &tp.resent, func(pending []snstypes.PublishBatchRequestEntry) ([]snstypes.PublishBatchRequestEntry, error) {
			out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(tp.arn), PublishBatchRequestEntries: pending})
			if err != nil {
				return nil, err
			}
			for _, f := range out.Failed {
				if f.SenderFault {
					return nil, crashPermanent{fmt.Errorf("%s: entry %s refused: %s %s", tp.name, aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))}
				}
			}
			ok := map[string]bool{}
			for _, s := range out.Successful {
				ok[aws.ToString(s.Id)] = true
				seq, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(s.Id), "s"))
				tp.ack(p, seq, kills)
			}
			progress(len(ok))
			return slices.DeleteFunc(pending, func(e snstypes.PublishBatchRequestEntry) bool { return ok[aws.ToString(e.Id)] }), nil
		})
		if err != nil {
			return fmt.Errorf("%s: producer %d: %w", tp.name, p, err)
		}
	}
	return nil
}

func (tp *crashTopic) ack(p, seq int, kills *atomic.Int64) {
	tp.mu.Lock()
	tp.acked[p][seq], tp.epoch[p][seq] = true, int(kills.Load())
	tp.mu.Unlock()
}

// consume receives from the subscriber's queue, with the messages'
// attributes, and deletes, recording every delivery, until ctx ends
// (crashConsume).
func (sub *crashSub) consume(ctx context.Context, c *sqs.Client) error {
	return crashConsume(ctx, c, sub.name, sub.queueURL, []string{"All"}, func(msgs []sqstypes.Message) error {
		sub.tally.Lock()
		defer sub.tally.Unlock()
		for _, m := range msgs {
			var attr string
			if a, ok := m.MessageAttributes["id"]; ok {
				attr = aws.ToString(a.StringValue)
			}
			if err := sub.recordLocked(aws.ToString(m.Body), attr); err != nil {
				return err
			}
		}
		return nil
	})
}

// listen records the http subscriber's Notifications as they come, until
// every message has come or ctx ends.
func (sub *crashSub) listen(ctx context.Context, hook *snstest.Subscriber) error {
	err := hook.Wait(ctx, func(msgs []snstest.Message) bool {
		sub.tally.Lock()
		defer sub.tally.Unlock()
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
		return int(sub.tally.distinct.Load()) == sub.t.total()
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
	p, seq, ok := crashID(id, sub.t.producers, sub.t.perProducer)
	if !ok {
		return fmt.Errorf("%s: a message that was never published: %q", sub.name, id)
	}
	sub.tally.addLocked(p, seq, "")
	return nil
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
		sub.tally.Lock()
		first := sub.tally.first
		for p := range tp.producers {
			for seq := range tp.perProducer {
				require.True(t, tp.acked[p][seq], "%s: message %d:%d was never acknowledged", tp.name, p, seq)
				require.NotEmpty(t, sub.tally.ids[[2]int{p, seq}], "%s: message %d:%d was acknowledged and never delivered: lost", sub.name, p, seq)
			}
			if !tp.fifo {
				continue
			}
			for i := 1; i < len(first[p]); i++ {
				a, b := first[p][i-1], first[p][i]
				if a < b {
					continue
				}
				msg := fmt.Sprintf("%s: group g%d: message %d (acknowledged after %d kills) first came after %d (acknowledged after %d kills)", sub.name, p, b, tp.epoch[p][b], a, tp.epoch[p][a])
				broken = append(broken, fmt.Sprintf("%s; the group's first deliveries: %v", msg, first[p]))
				break
			}
		}
		sub.tally.Unlock()
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
		sub.tally.Lock()
		deliveries, _, _ := sub.tally.countsLocked()
		sub.tally.Unlock()
		how := "enveloped"
		if sub.raw {
			how = "raw"
		}
		subs = append(subs, fmt.Sprintf("%s (%s) %d deliveries (%d again)", sub.name, how, deliveries, deliveries-tp.total()))
	}
	return fmt.Sprintf("%s (%s): %d publishes acknowledged, %d entries published again, lost 0 at %d subscribers: %s",
		tp.name, kind, tp.total(), tp.resent.Load(), len(tp.subs), strings.Join(subs, ", "))
}

// crashSNSClient is the producers' SNS client (crashConfig).
func crashSNSClient(base string) *sns.Client { return sns.NewFromConfig(crashConfig(base)) }
