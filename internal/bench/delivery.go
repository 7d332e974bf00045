package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The router benches (queue, topic, bus) drive their servers alike: a
// pool of client goroutines takes the items 0..n-1 in chunks (one call
// each), and consumers long-poll every queue, receiving and deleting,
// until each item has come. The pieces they share are here.

// eachChunk runs work on the items 0..n-1 in chunks of step (work(lo, hi)
// gets lo..hi-1), claimed in order by clients goroutines; the first error
// stops every goroutine at its next claim and is returned.
func eachChunk(clients, n, step int, work func(lo, hi int) error) error {
	return eachChunkOf(clients, n, step, func(_, lo, hi int) error { return work(lo, hi) })
}

// eachChunkOf is eachChunk whose work is told which goroutine (0 to
// clients-1) runs it, for what each keeps of its own (a connection).
func eachChunkOf(clients, n, step int, work func(worker, lo, hi int) error) error {
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for firstErr.Load() == nil {
				lo := int(next.Add(int64(step))) - step
				if lo >= n {
					return
				}
				if err := work(w, lo, min(n, lo+step)); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	err, _ := firstErr.Load().(error)
	return err
}

// consumeQueues runs consumersPerQueue(len(queues)) goroutines on each
// queue (by URL), each receiving (up to 10, WaitTimeSeconds wait, with the
// system attributes attrs) and deleting in one batch what came, handing
// each message to got (queue index, the receive's return, the message),
// until complete is closed or ctx ends. It returns the first error of a
// receive, a delete or got, or, when ctx ended first, the error incomplete
// names (what came, say).
func consumeQueues(ctx context.Context, c *sqs.Client, queues []string, wait int32, attrs []sqstypes.MessageSystemAttributeName,
	complete <-chan struct{}, got func(q int, at time.Time, m sqstypes.Message) error, incomplete func() string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for q, u := range queues {
		for range consumersPerQueue(len(queues)) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := consumeQueue(ctx, c, q, u, wait, attrs, got); err != nil && ctx.Err() == nil {
					firstErr.CompareAndSwap(nil, err)
					cancel()
				}
			}()
		}
	}
	go func() {
		select {
		case <-complete:
		case <-ctx.Done():
		}
		cancel()
	}()
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	select {
	case <-complete:
		return nil
	default:
		return fmt.Errorf("%s: %w", incomplete(), ctx.Err())
	}
}

// consumeQueue is one consumer of queue q (URL u): see consumeQueues.
func consumeQueue(ctx context.Context, c *sqs.Client, q int, u string, wait int32, attrs []sqstypes.MessageSystemAttributeName,
	got func(q int, at time.Time, m sqstypes.Message) error) error {
	for ctx.Err() == nil {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 10, WaitTimeSeconds: wait,
			MessageSystemAttributeNames: attrs})
		at := time.Now()
		if err != nil {
			return fmt.Errorf("ReceiveMessage: %w", err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
		for j, m := range out.Messages {
			entries[j] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(j)), ReceiptHandle: m.ReceiptHandle}
			if err := got(q, at, m); err != nil {
				return err
			}
		}
		if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: entries}); err != nil && ctx.Err() == nil {
			return fmt.Errorf("DeleteMessageBatch: %w", err)
		}
	}
	return nil
}

// delivery is one run of producers and consumers: how long the producers
// took to be acknowledged, and until the last item came; the target's CPU
// per item over the run.
type delivery struct {
	acked, done time.Duration
	cpu         cpuUse
}

// consumeWhen is when deliver starts the consumers.
type consumeWhen int

const (
	// consumeBeside starts them after the CPU meter, beside the producers:
	// a throughput measurement's start.
	consumeBeside consumeWhen = iota
	// consumeFirst starts them (long-polling) before the CPU meter, for a
	// latency measurement whose first publish must find them waiting.
	consumeFirst
	// consumeAfter starts them once every item is acknowledged: a watch of
	// the queues (intoQueues), which would only add its own load while
	// the producers run.
	consumeAfter
)

// deliver runs consume (the consumers of every queue, until every item has
// come) with produce on the items 0..n-1 in chunks of step from clients
// goroutines (produce is given the run's start, for pacing), and measures
// the run and t's CPU; when says when the consumers start.
func deliver(ctx context.Context, t *topicTarget, n, step, clients int, when consumeWhen,
	consume func(context.Context) error, produce func(begin time.Time, lo, hi int) error) (delivery, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	consumed := make(chan error, 1)
	var cpu *cpuMeter
	var err error
	if when != consumeFirst {
		if cpu, err = startCPU(ctx, t); err != nil {
			return delivery{}, err
		}
	}
	if when != consumeAfter {
		go func() { consumed <- consume(ctx) }()
	}
	if when == consumeFirst {
		if cpu, err = startCPU(ctx, t); err != nil {
			cancel()
			<-consumed
			return delivery{}, err
		}
	}
	begin := time.Now()
	err = eachChunk(clients, n, step, func(lo, hi int) error { return produce(begin, lo, hi) })
	acked := time.Since(begin)
	if err != nil {
		cancel()
		if when != consumeAfter {
			<-consumed
		}
		return delivery{}, err
	}
	if when == consumeAfter {
		consumed <- consume(ctx)
	}
	if err := <-consumed; err != nil {
		return delivery{}, err
	}
	done := time.Since(begin)
	use, err := cpu.per(ctx, n)
	if err != nil {
		return delivery{}, err
	}
	return delivery{acked: acked, done: done, cpu: use}, nil
}

// intoQueues is deliver with no consumer meanwhile: the clock stops when
// the queues hold want messages between them (awaitQueued, asked from the
// last acknowledgement on: asked all along, ten GetQueueAttributes every
// 20 ms cost the bench, serve and Redis CPU beside the publishes); then drain
// (the consumers) empties them, checking what came. The delivery's CPU
// is the target's until the queues held every message, the drain's
// left out.
func intoQueues(ctx context.Context, t *topicTarget, queues []string, want, n, step, clients int,
	produce func(begin time.Time, lo, hi int) error, drain func(context.Context) error) (delivery, error) {
	queued := func(ctx context.Context) error { return awaitQueued(ctx, t.sqs, queues, want) }
	d, err := deliver(ctx, t, n, step, clients, consumeAfter, queued, produce)
	if err != nil {
		return delivery{}, err
	}
	return d, drain(ctx)
}

// awaitQueued returns once the queues (by URL) hold want messages between
// them, by their ApproximateNumberOfMessages asked every 20 ms, or when
// ctx ends (an error saying how many they held).
func awaitQueued(ctx context.Context, c *sqs.Client, queues []string, want int) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		total := 0
		for _, u := range queues {
			out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
			if err != nil {
				return fmt.Errorf("GetQueueAttributes: %w", err)
			}
			k, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
			total += k
		}
		if total >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d messages in the queues: %w", total, want, ctx.Err())
		case <-tick.C:
		}
	}
}
