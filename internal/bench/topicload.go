package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// consumersPerQueue is how many goroutines long-poll each queue of a
// topic of queues queues: 8 for one queue, 2 each for ten.
func consumersPerQueue(queues int) int { return max(2, 8/queues) }

// fanout is a topic fanned out to queues of one server, and what its
// consumers saw: for each message, how many queues delivered it.
type fanout struct {
	t        *topicTarget
	arn      string
	queues   []string // URLs
	n        int
	perQueue [][]atomic.Bool // queue → message → delivered
	count    []atomic.Int32  // message → queues that delivered it
	done     atomic.Int64    // messages delivered by every queue
	complete chan struct{}
	once     sync.Once
	dups     atomic.Int64
	// onDelivery, when set, hears of each first delivery of message i by
	// a queue (at the receive's return), and whether it was the last queue.
	onDelivery func(i int, at time.Time, last bool)
}

// newFanout creates topic sbbench-<name> and queues queues subscribed to it
// with RawMessageDelivery, for n messages.
func newFanout(ctx context.Context, t *topicTarget, name string, queues, n int) (*fanout, error) {
	out, err := t.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("sbbench-" + name)})
	if err != nil {
		return nil, fmt.Errorf("CreateTopic: %w", err)
	}
	f := &fanout{t: t, arn: aws.ToString(out.TopicArn), n: n, perQueue: make([][]atomic.Bool, queues), count: make([]atomic.Int32, n), complete: make(chan struct{})}
	for q := range queues {
		qname := fmt.Sprintf("sbbench-%s-q%d", name, q)
		u, err := createQueueNamed(ctx, t.sqs, qname)
		if err != nil {
			return nil, err
		}
		arn := "arn:aws:sqs:us-east-1:" + t.account + ":" + qname
		if _, err := t.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn),
			Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
			return nil, fmt.Errorf("Subscribe: %w", err)
		}
		f.queues = append(f.queues, u)
		f.perQueue[q] = make([]atomic.Bool, n)
	}
	return f, nil
}

func createQueueNamed(ctx context.Context, c *sqs.Client, name string) (string, error) {
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("CreateQueue: %w", err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// consume runs the consumers of every queue (long-polling wait seconds)
// until ctx ends or every message has come from every queue; it returns
// the first error. A delivery's time is the receive's return, or with
// sent the message's SentTimestamp (when its queue accepted it: epoch ms,
// truncated) plus 1 ms: the latest it can have been.
func (f *fanout) consume(ctx context.Context, wait int32, sent bool) error {
	got := func(q int, at time.Time, m sqstypes.Message) error { return f.record(q, at, aws.ToString(m.Body)) }
	var attrs []sqstypes.MessageSystemAttributeName
	if sent {
		attrs = []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSentTimestamp}
		got = func(q int, _ time.Time, m sqstypes.Message) error {
			ms, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64)
			if err != nil {
				return fmt.Errorf("a message without a SentTimestamp: %v", m.Attributes)
			}
			return f.record(q, time.UnixMilli(ms).Add(time.Millisecond), aws.ToString(m.Body))
		}
	}
	return consumeQueues(ctx, f.t.sqs, f.queues, wait, attrs, f.complete, got,
		func() string { return fmt.Sprintf("%d of %d messages came from every queue", f.done.Load(), f.n) })
}

// record records message body's delivery by queue q at at.
func (f *fanout) record(q int, at time.Time, body string) error {
	num, _, _ := strings.Cut(body, ":")
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 || i >= f.n {
		return fmt.Errorf("a message that was not published: %.40q", body)
	}
	if f.perQueue[q][i].Swap(true) {
		f.dups.Add(1)
		return nil
	}
	last := int(f.count[i].Add(1)) == len(f.queues)
	if f.onDelivery != nil {
		f.onDelivery(i, at, last)
	}
	if last && f.done.Add(1) == int64(f.n) {
		f.once.Do(func() { close(f.complete) })
	}
	return nil
}

// publish publishes messages lo..hi-1: one Publish when single, else one
// PublishBatch, every entry required to have succeeded; by the target's
// queryPublisher when it has one, else by its SDK client.
func (f *fanout) publish(ctx context.Context, lo, hi int, single bool) error {
	if f.t.query != nil {
		return f.t.query.publish(ctx, f.arn, lo, hi, single)
	}
	if single {
		_, err := f.t.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(f.arn), Message: aws.String(benchTopicBody(lo))})
		if err != nil {
			return fmt.Errorf("Publish: %w", err)
		}
		return nil
	}
	entries := make([]snstypes.PublishBatchRequestEntry, 0, hi-lo)
	for i := lo; i < hi; i++ {
		entries = append(entries, snstypes.PublishBatchRequestEntry{Id: aws.String("m" + strconv.Itoa(i)), Message: aws.String(benchTopicBody(i))})
	}
	out, err := f.t.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(f.arn), PublishBatchRequestEntries: entries})
	if err != nil {
		return fmt.Errorf("PublishBatch: %w", err)
	}
	if len(out.Failed) > 0 || len(out.Successful) != len(entries) {
		return fmt.Errorf("PublishBatch: %d of %d entries published, failed: %+v", len(out.Successful), len(entries), out.Failed)
	}
	return nil
}

// benchTopicBody is message i: its number, padded to topicBodySize.
func benchTopicBody(i int) string {
	s := strconv.Itoa(i) + ":"
	return s + strings.Repeat("x", topicBodySize-len(s))
}

// cpuMeter reads a target's CPU (its process, and its Redis) and the
// bench's own (its clients') around a measurement.
type cpuMeter struct {
	t              *topicTarget
	client, server time.Duration
	redis          redisSnapshot
}

func startCPU(ctx context.Context, t *topicTarget) (*cpuMeter, error) {
	m := &cpuMeter{t: t}
	var err error
	if m.client, err = processCPU(os.Getpid()); err != nil {
		return nil, err
	}
	if m.server, err = processCPU(t.pid); err != nil {
		return nil, err
	}
	if t.redis != nil {
		if m.redis, err = t.redis.Read(ctx); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// cpuUse is what a measurement cost per publish: µs of CPU of the bench's
// process (its clients), of the server's process and of Redis, and Redis's
// commands (those run by scripts included) and script calls; and the AOF
// rewrites Redis began meanwhile (forks writing the whole dataset beside
// it) with the CPU per publish of those that ended (redisChildren).
type cpuUse struct {
	client, server, redis, commands, scripts float64
	redisChildren                            float64
	rewrites                                 int64
}

// per is the use per publish since start.
func (m *cpuMeter) per(ctx context.Context, publishes int) (cpuUse, error) {
	c, err := processCPU(os.Getpid())
	if err != nil {
		return cpuUse{}, err
	}
	s, err := processCPU(m.t.pid)
	if err != nil {
		return cpuUse{}, err
	}
	u := cpuUse{client: float64((c - m.client).Microseconds()) / float64(publishes), server: float64((s - m.server).Microseconds()) / float64(publishes)}
	if m.t.redis != nil {
		r, err := m.t.redis.Read(ctx)
		if err != nil {
			return cpuUse{}, err
		}
		d := r.Sub(m.redis)
		u.redis, u.commands, u.scripts = d.CPUPer(publishes), float64(d.commands)/float64(publishes), float64(d.scriptCalls)/float64(publishes)
		u.redisChildren, u.rewrites = 1e6*d.childCPU/float64(publishes), d.rewrites
	}
	return u, nil
}

// fanoutResult is one throughput measurement.
type fanoutResult struct {
	done, acked float64 // publishes per second: delivered by every queue; acknowledged
	cpu         cpuUse
	duplicates  int
}

// fanoutThroughput publishes n messages from clients goroutines (batch a
// call: 1 by Publish, else by PublishBatch) to a topic fanned out to
// queues queues and measures how fast they are all delivered: consumed
// meanwhile, until every queue has delivered every message; or into the
// queues (into, intoQueues), until the queues hold every delivery, drained
// after, each message checked to have come once from each queue.
func fanoutThroughput(ctx context.Context, t *topicTarget, name string, queues, batch, n, clients int, into bool) (fanoutResult, error) {
	ctx, cancel := context.WithTimeout(ctx, topicDeadline)
	defer cancel()
	f, err := newFanout(ctx, t, name, queues, n)
	if err != nil {
		return fanoutResult{}, err
	}
	consume := func(ctx context.Context) error { return f.consume(ctx, 1, false) }
	publish := func(_ time.Time, lo, hi int) error { return f.publish(ctx, lo, hi, batch == 1) }
	var d delivery
	if into {
		d, err = intoQueues(ctx, t, f.queues, n*queues, n, batch, clients, publish, consume)
	} else {
		d, err = deliver(ctx, t, n, batch, clients, consumeBeside, consume, publish)
	}
	if err != nil {
		return fanoutResult{}, err
	}
	return fanoutResult{done: float64(n) / d.done.Seconds(), acked: float64(n) / d.acked.Seconds(), cpu: d.cpu, duplicates: int(f.dups.Load())}, nil
}

// latencyResult is one latency measurement.
type latencyResult struct {
	all, last pct // every delivery's, each publish's last delivery's
	// slot is every delivery's latency from its publish's slot in the
	// pacing rather than from the call's start: a publish the pacer could
	// not start on time (every publisher busy, a stall) counts its wait,
	// which the call's start leaves out (coordinated omission).
	slot pct
	// ack and ackSlot are every publish's latency until it was
	// acknowledged, from the call's start and from its slot: where a
	// server delivers before it answers (both measured here), an upper
	// bound of the publish's last delivery, and the one measure of goaws's
	// (whose SentTimestamp is the receive's time)
	ack, ackSlot pct
	deliveries   int
	achieved     float64 // publishes per second done
	cpu          cpuUse
	duplicates   int
}

// fanoutLatency publishes by Publish, paced at rate a second for d, to a
// topic fanned out to queues queues, and measures each delivery's latency.
// Without sent, the consumers long-poll meanwhile and a delivery's latency
// is the receive's return − the publish call's start. With sent, no
// consumer runs meanwhile (intoQueues): once the queues hold every
// delivery, the consumers drain them, and a delivery's latency is its
// SentTimestamp + 1 ms − the publish call's start: a lower bound, serve
// stamping a message with the time it took its publish, which may wait
// for a script before the message is in its queue. Each publish's answer
// is timed too (ack): both servers deliver before they answer, so the
// answer is an upper bound of every delivery of the publish. Each is
// measured from the publish's slot in the pacing too (slot, ackSlot): an
// open-loop measure, which a pacer that falls behind cannot hide.
func fanoutLatency(ctx context.Context, t *topicTarget, name string, queues, rate int, d time.Duration, clients int, sent bool) (latencyResult, error) {
	ctx, cancel := context.WithTimeout(ctx, topicDeadline)
	defer cancel()
	n := max(1, int(float64(rate)*d.Seconds()))
	f, err := newFanout(ctx, t, name, queues, n)
	if err != nil {
		return latencyResult{}, err
	}
	started := make([]atomic.Int64, n) // message → its publish call's start, UnixNano
	interval := time.Second / time.Duration(rate)
	var begun atomic.Int64 // the run's start, UnixNano: message i's slot is begun + i × interval
	var mu sync.Mutex
	lat := make([]time.Duration, 0, n*queues)
	fromSlot := make([]time.Duration, 0, n*queues)
	last := make([]time.Duration, 0, n)
	latest := make([]time.Duration, n) // with sent: message → its latest delivery so far
	f.onDelivery = func(i int, at time.Time, isLast bool) {
		l := at.Sub(time.Unix(0, started[i].Load()))
		slot := at.Sub(time.Unix(0, begun.Load()).Add(time.Duration(i) * interval))
		mu.Lock()
		lat = append(lat, l)
		fromSlot = append(fromSlot, slot)
		// The drain does not take the queues in the order they accepted
		// the deliveries: a publish's last delivery is its latest.
		latest[i] = max(latest[i], l)
		if isLast {
			last = append(last, latest[i])
		}
		mu.Unlock()
	}
	acked := make([]time.Duration, n)     // message → its publish's answer, from the call's start
	ackedSlot := make([]time.Duration, n) // and from its slot
	publish := func(begin time.Time, i, _ int) error {
		begun.CompareAndSwap(0, begin.UnixNano())
		slot := begin.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(slot)) // the pacing of the publishes
		start := time.Now()
		started[i].Store(start.UnixNano())
		if err := f.publish(ctx, i, i+1, true); err != nil {
			return err
		}
		end := time.Now()
		acked[i], ackedSlot[i] = end.Sub(start), end.Sub(slot) // each i is one goroutine's
		return nil
	}
	var run delivery
	if sent {
		// goaws's SentTimestamp is the receive's time: its deliveries are
		// counted, their times not (its answers' are)
		drain := func(ctx context.Context) error { return f.consume(ctx, 1, t.adapter == nil) }
		run, err = intoQueues(ctx, t, f.queues, n*queues, n, 1, clients, publish, drain)
	} else {
		// The consumers are long-polling before the first publish: each
		// queue's first receives are under way (an empty queue: they wait).
		consume := func(ctx context.Context) error { return f.consume(ctx, 20, false) }
		run, err = deliver(ctx, t, n, 1, clients, consumeFirst, consume, publish)
	}
	if err != nil {
		return latencyResult{}, err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lat) != n*queues {
		return latencyResult{}, errors.New("deliveries lost count")
	}
	return latencyResult{all: pctOf(lat), last: pctOf(last), slot: pctOf(fromSlot), ack: pctOf(acked), ackSlot: pctOf(ackedSlot), deliveries: len(lat),
		achieved: float64(n) / run.acked.Seconds(), cpu: run.cpu, duplicates: int(f.dups.Load())}, nil
}
