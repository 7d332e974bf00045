package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// TestCrashQueues kills `signalbox serve` with SIGKILL twice, and starts it
// again each time, while producers send messages to a standard queue and
// to a FIFO queue (one message group per producer; one producer of each
// queue by SendMessage, the others by SendMessageBatch) and consumers
// receive and delete them, all through SQS's API with the AWS SDK. Clients retry
// what failed while the server was down (with backoff, bounded): a
// producer sends again each entry not acknowledged, a FIFO one with the
// same MessageDeduplicationId. Then:
//   - every message whose send was acknowledged has been delivered at
//     least once: none lost;
//   - on the FIFO queue, every message came under one MessageId only: a
//     send retried within the deduplication window enqueued nothing
//     twice; and each group's messages came, first deliveries in the
//     order sent (the producer's sequence strictly increasing).
//
// The Redis is a redis-server of the test's own with appendonly yes and
// appendfsync always: an acknowledged send is then on disk before its
// answer, not only in the server's memory, which is what "acknowledged"
// should mean. (A SIGKILL of serve cannot tell always from everysec: the
// Redis keeps running. A SIGKILL of redis-server cannot either: what it
// wrote is in the kernel's page cache. Only a crash of the host can; this
// test does not crash one.)
//
// It runs where TestCrashWorkers runs: in the real-Redis run
// (SIGNALBOX_REDIS_URL set; .ci/run runs it in a step of its own), with
// redis-server on PATH; -short sends fewer messages.
func TestCrashQueues(t *testing.T) {
	standard, fifo := crashQueueSpec{producers: 6, perProducer: 10000}, crashQueueSpec{producers: 8, perProducer: 5000, fifo: true}
	if testing.Short() {
		standard.perProducer, fifo.perProducer = 500, 250
	}
	r := startCrashRun(t, "sbcq-", 4*time.Minute)
	ctx := r.ctx
	client := crashSQSClient(r.serve.URL)
	queues := []*crashQueue{newCrashQueue(t, ctx, client, "crash-standard", standard), newCrashQueue(t, ctx, client, "crash-fifo.fifo", fifo)}
	for _, q := range queues {
		r.total += q.total()
	}
	// The kills come when a third and two thirds of the messages have
	// been acknowledged: the producers signal each milestone.
	for _, q := range queues {
		for p := range q.producers {
			r.produce(func() error { return q.produce(ctx, client, p, r.progress) })
		}
		for range 4 {
			r.run(func() error { return q.consume(ctx, client) })
		}
	}
	r.killTwice()
	r.awaitProduced()
	for _, q := range queues {
		r.await(q.tally.complete, func() string {
			return fmt.Sprintf("%s: %d of %d messages delivered within the deadline", q.name, q.tally.distinct.Load(), q.total())
		})
	}
	elapsed := r.finish()
	for _, q := range queues {
		q.check(t)
	}
	t.Logf("queue crash test: serve killed with SIGKILL twice; %s; %.1fs", strings.Join([]string{queues[0].summary(), queues[1].summary()}, "; "), elapsed.Seconds())
}

// crashQueueSpec is one queue of the test: its producers and how many
// messages each sends.
type crashQueueSpec struct {
	producers, perProducer int
	fifo                   bool
}

// crashQueue is one queue of the test and what its clients saw.
type crashQueue struct {
	crashQueueSpec
	name, url string
	mu        sync.Mutex
	acked     [][]bool     // producer → sequence → acknowledged
	resent    atomic.Int64 // entries sent again after a failure
	tally     *crashTally  // the deliveries, by MessageId
}

func newCrashQueue(t *testing.T, ctx context.Context, c *sqs.Client, name string, spec crashQueueSpec) *crashQueue {
	t.Helper()
	// A visibility timeout of 5 s (crashCreateQueue): a FIFO group whose
	// message a kill lost waits that long, not 30 s.
	var attrs map[string]string
	if spec.fifo {
		attrs = map[string]string{"FifoQueue": "true"}
	}
	url, _ := crashCreateQueue(t, ctx, c, name, attrs)
	q := &crashQueue{crashQueueSpec: spec, name: name, url: url, acked: make([][]bool, spec.producers), tally: newCrashTally(spec.producers, spec.perProducer, nil)}
	for p := range q.acked {
		q.acked[p] = make([]bool, spec.perProducer)
	}
	return q
}

func (q *crashQueue) total() int { return q.producers * q.perProducer }

// produce sends producer p's messages in order, producer 0's one a
// SendMessage, the others' in batches of 10; each message not
// acknowledged is sent again (the same body and, on the FIFO queue, the
// same MessageDeduplicationId) until it is. progress hears of every
// acknowledged message.
func (q *crashQueue) produce(ctx context.Context, c *sqs.Client, p int, progress func(int)) error {
	if p == 0 {
		return q.produceSingly(ctx, c, p, progress)
	}
	for lo := 0; lo < q.perProducer; lo += 10 {
		var pending []sqstypes.SendMessageBatchRequestEntry
		for seq := lo; seq < min(q.perProducer, lo+10); seq++ {
			e := sqstypes.SendMessageBatchRequestEntry{Id: aws.String("s" + strconv.Itoa(seq)), MessageBody: aws.String(fmt.Sprintf("%d:%d", p, seq))}
			if q.fifo {
				e.MessageGroupId = aws.String("g" + strconv.Itoa(p))
				e.MessageDeduplicationId = aws.String(fmt.Sprintf("p%d-s%d", p, seq))
			}
			pending = append(pending, e)
		}
		err := crashResend(ctx, pending, &q.resent, func(pending []sqstypes.SendMessageBatchRequestEntry) ([]sqstypes.SendMessageBatchRequestEntry, error) {
			out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: pending})
			if err != nil {
				return nil, err
			}
			ok := map[string]bool{}
			for _, s := range out.Successful {
				ok[aws.ToString(s.Id)] = true
			}
			for _, f := range out.Failed {
				if f.SenderFault {
					return nil, crashPermanent{fmt.Errorf("%s: entry %s refused: %s %s", q.name, aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))}
				}
			}
			q.mu.Lock()
			for _, e := range pending {
				if ok[aws.ToString(e.Id)] {
					seq, _ := strconv.Atoi(strings.TrimPrefix(aws.ToString(e.Id), "s"))
					q.acked[p][seq] = true
				}
			}
			q.mu.Unlock()
			progress(len(ok))
			return slices.DeleteFunc(pending, func(e sqstypes.SendMessageBatchRequestEntry) bool { return ok[aws.ToString(e.Id)] }), nil
		})
		if err != nil {
			return fmt.Errorf("%s: producer %d: %w", q.name, p, err)
		}
	}
	return nil
}

// produceSingly is produce with one SendMessage a message.
func (q *crashQueue) produceSingly(ctx context.Context, c *sqs.Client, p int, progress func(int)) error {
	for seq := range q.perProducer {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(fmt.Sprintf("%d:%d", p, seq))}
		if q.fifo {
			in.MessageGroupId = aws.String("g" + strconv.Itoa(p))
			in.MessageDeduplicationId = aws.String(fmt.Sprintf("p%d-s%d", p, seq))
		}
		err := crashResend(ctx, []int{seq}, &q.resent, func([]int) ([]int, error) {
			_, err := c.SendMessage(ctx, in)
			return nil, err
		})
		if err != nil {
			return fmt.Errorf("%s: producer %d: %w", q.name, p, err)
		}
		q.mu.Lock()
		q.acked[p][seq] = true
		q.mu.Unlock()
		progress(1)
	}
	return nil
}

// consume receives and deletes, recording every delivery, until ctx ends
// (crashConsume).
func (q *crashQueue) consume(ctx context.Context, c *sqs.Client) error {
	return crashConsume(ctx, c, q.name, q.url, nil, q.delivered)
}

// delivered records a receive's messages, in the order they came.
func (q *crashQueue) delivered(msgs []sqstypes.Message) error {
	q.tally.Lock()
	defer q.tally.Unlock()
	for _, m := range msgs {
		p, seq, ok := crashID(aws.ToString(m.Body), q.producers, q.perProducer)
		if !ok {
			return fmt.Errorf("%s: a message that was never sent: %q", q.name, aws.ToString(m.Body))
		}
		q.tally.addLocked(p, seq, aws.ToString(m.MessageId))
	}
	return nil
}

// check asserts what the queue's deliveries must show.
func (q *crashQueue) check(t *testing.T) {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tally.Lock()
	defer q.tally.Unlock()
	first := q.tally.first
	for p := range q.producers {
		for seq := range q.perProducer {
			require.True(t, q.acked[p][seq], "%s: message %d:%d was never acknowledged", q.name, p, seq)
			ids := q.tally.ids[[2]int{p, seq}]
			require.NotEmpty(t, ids, "%s: message %d:%d was acknowledged and never delivered: lost", q.name, p, seq)
			if q.fifo {
				require.Len(t, ids, 1, "%s: message %d:%d was enqueued more than once (MessageIds %v) though its retries carried the same MessageDeduplicationId", q.name, p, seq, ids)
			}
		}
		if q.fifo {
			for i := 1; i < len(first[p]); i++ {
				require.Less(t, first[p][i-1], first[p][i], "%s: group g%d: message %d first came after %d", q.name, p, first[p][i], first[p][i-1])
			}
		}
	}
}

// summary is the queue's line in the test's log.
func (q *crashQueue) summary() string {
	q.tally.Lock()
	deliveries, _, enqueuedTwice := q.tally.countsLocked()
	q.tally.Unlock()
	kind := "standard"
	if q.fifo {
		kind = fmt.Sprintf("FIFO, %d groups", q.producers)
	}
	return fmt.Sprintf("%s (%s): %d messages acknowledged, %d entries sent again, lost 0, %d deliveries (%d again), enqueued twice %d",
		q.name, kind, q.total(), q.resent.Load(), deliveries, deliveries-q.total(), enqueuedTwice)
}

// crashPermanent is an error a retry cannot mend.
type crashPermanent struct{ error }

// crashRetry calls f until it succeeds, backing off from 10 ms to 250 ms
// while the server is down (no answer: status 0) or answers 5xx; it gives
// up on an answer of 4xx or a permanent error, or when ctx ends.
func crashRetry(ctx context.Context, f func() error) error {
	backoff := 10 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return nil
		}
		var perm crashPermanent
		var resp *awshttp.ResponseError
		if errors.As(err, &perm) || (errors.As(err, &resp) && resp.HTTPStatusCode() >= 400 && resp.HTTPStatusCode() < 500) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (the last error: %v)", ctx.Err(), err)
		}
		select {
		case <-time.After(backoff): // a client's backoff while the server is down
		case <-ctx.Done():
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// freeTCPPort is a loopback port free a moment ago: serve listens on the
// same one after each restart, so that the clients keep their endpoint.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
