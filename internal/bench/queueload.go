package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueResults gathers one server's figures over the rounds.
type queueResults struct {
	send, batch, receive []float64 // messages per second, one per round
	drained              int       // messages the last receive measurement drained
	duplicates, empty    int       // over every receive measurement
	wake                 []time.Duration
	// wakeSend is, for each wake-up sample, how long the SendMessage call
	// that woke the receiver took by itself: the part of the wake-up that
	// is the send's round trip, not the wait's.
	wakeSend []time.Duration
	sent     int // messages sent into the round's queue so far
	// cpu is, for signalbox's targets, what each measurement (by name)
	// cost per message, one per round.
	cpu map[string][]cpuUse
}

// queueMeasurement is one throughput measurement, run on a server's
// queue of the round.
type queueMeasurement struct {
	name string
	run  func(ctx context.Context, c *sqs.Client, queueURL string, o benchQueueOptions, r *queueResults) error
}

var queueMeasurements = []queueMeasurement{
	{"SendMessage", func(ctx context.Context, c *sqs.Client, q string, o benchQueueOptions, r *queueResults) error {
		rate, err := sendMessages(ctx, c, q, r.sent, o.messages, 1, o.clients)
		r.send = append(r.send, rate)
		r.sent += o.messages
		return err
	}},
	{"SendMessageBatch", func(ctx context.Context, c *sqs.Client, q string, o benchQueueOptions, r *queueResults) error {
		rate, err := sendMessages(ctx, c, q, r.sent, o.messages, 10, o.clients)
		r.batch = append(r.batch, rate)
		r.sent += o.messages
		return err
	}},
	{queueReceiveName, func(ctx context.Context, c *sqs.Client, q string, o benchQueueOptions, r *queueResults) error {
		rate, dups, empty, err := drainMessages(ctx, c, q, r.sent, o.clients)
		r.receive = append(r.receive, rate)
		r.drained, r.duplicates, r.empty = r.sent, r.duplicates+dups, r.empty+empty
		r.sent = 0
		return err
	}},
}

// queueReceiveName names the measurement that drains what the sends left.
const queueReceiveName = "ReceiveMessage+DeleteMessageBatch"

// queueDeadline bounds every measurement: a server that loses a message
// fails the bench instead of hanging it.
const queueDeadline = 5 * time.Minute

// createBenchQueue creates a standard queue named sbbench-<name> and
// returns its URL.
func createBenchQueue(ctx context.Context, c *sqs.Client, name string) (string, error) {
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sbbench-" + name)})
	if err != nil {
		return "", fmt.Errorf("CreateQueue: %w", err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// benchBody is message i's body: its number, padded to queueBodySize.
func benchBody(i int) string {
	s := strconv.Itoa(i) + ":"
	return s + strings.Repeat("x", queueBodySize-len(s))
}

// sendMessages sends messages first..first+n-1 from clients goroutines,
// per calls of batch messages (1: SendMessage, else SendMessageBatch),
// and returns messages per second.
func sendMessages(ctx context.Context, c *sqs.Client, queueURL string, first, n, batch, clients int) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, queueDeadline)
	defer cancel()
	begin := time.Now()
	if err := eachChunk(clients, n, batch, func(lo, hi int) error { return sendRange(ctx, c, queueURL, first+lo, first+hi, batch == 1) }); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(begin).Seconds(), nil
}

// sendRange sends messages lo..hi-1: one SendMessage when single, else
// one SendMessageBatch, every entry required to have succeeded.
func sendRange(ctx context.Context, c *sqs.Client, queueURL string, lo, hi int, single bool) error {
	if single {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(benchBody(lo))})
		return err
	}
	entries := make([]sqstypes.SendMessageBatchRequestEntry, 0, hi-lo)
	for i := lo; i < hi; i++ {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String("m" + strconv.Itoa(i)), MessageBody: aws.String(benchBody(i))})
	}
	out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if err != nil {
		return err
	}
	if len(out.Failed) > 0 || len(out.Successful) != len(entries) {
		return fmt.Errorf("SendMessageBatch: %d of %d entries sent, failed: %+v", len(out.Successful), len(entries), out.Failed)
	}
	return nil
}

// drainMessages receives (up to 10 a call, without waiting) and deletes
// (in one batch a call) from clients goroutines until each of the n
// messages 0..n-1 has come, and returns messages per second, how many
// came twice, and how many receives came back empty.
func drainMessages(ctx context.Context, c *sqs.Client, queueURL string, n, clients int) (rate float64, duplicates, empty int, err error) {
	ctx, cancel := context.WithTimeout(ctx, queueDeadline)
	defer cancel()
	var mu sync.Mutex
	seen := make([]bool, n)
	var got, dups, empties atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	begin := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for got.Load() < int64(n) && firstErr.Load() == nil {
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0})
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("ReceiveMessage: %w", err))
					return
				}
				if len(out.Messages) == 0 {
					empties.Add(1)
					continue
				}
				entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
				fresh := 0
				mu.Lock()
				for j, m := range out.Messages {
					entries[j] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(j)), ReceiptHandle: m.ReceiptHandle}
					num, _, _ := strings.Cut(aws.ToString(m.Body), ":")
					i, err := strconv.Atoi(num)
					if err != nil || i < 0 || i >= n {
						firstErr.CompareAndSwap(nil, fmt.Errorf("a message that was not sent: %.40q", aws.ToString(m.Body)))
						continue
					}
					if seen[i] {
						dups.Add(1)
						continue
					}
					seen[i] = true
					fresh++
				}
				mu.Unlock()
				dout, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("DeleteMessageBatch: %w", err))
					return
				}
				if len(dout.Failed) > 0 || len(dout.Successful) != len(entries) {
					firstErr.CompareAndSwap(nil, fmt.Errorf("DeleteMessageBatch: %d of %d deleted, failed: %+v", len(dout.Successful), len(entries), dout.Failed))
					return
				}
				got.Add(int64(fresh))
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%d of %d messages came within %s: %w", got.Load(), n, queueDeadline, err)
		}
		return 0, 0, 0, err
	}
	return float64(n) / time.Since(begin).Seconds(), int(dups.Load()), int(empties.Load()), nil
}

// longPollGap is how long after a receiver's ReceiveMessage has been
// called the message is sent: time for the request to reach the server
// and wait there (on loopback a fraction of a millisecond; 50 ms leaves
// room on a loaded machine). Were the receive not yet waiting, it would
// find the message at once: the figure would be the lower, not higher.
const longPollGap = 50 * time.Millisecond

// longPollWakeups measures samples long-poll wake-ups on the empty queue
// of queueURL: a receiver blocked in ReceiveMessage (WaitTimeSeconds 20,
// up to 1 message); longPollGap later, one message sent; the time from
// the send call's start to the receive's return; and the send call's own
// duration in each sample.
func longPollWakeups(ctx context.Context, c *sqs.Client, queueURL string, samples int) (wake, send []time.Duration, _ error) {
	type received struct {
		at  time.Time
		msg []sqstypes.Message
		err error
	}
	wake, send = make([]time.Duration, 0, samples), make([]time.Duration, 0, samples)
	for s := range samples {
		done := make(chan received, 1)
		called := time.Now()
		go func() {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 1, WaitTimeSeconds: 20})
			r := received{at: time.Now(), err: err}
			if out != nil {
				r.msg = out.Messages
			}
			done <- r
		}()
		time.Sleep(time.Until(called.Add(longPollGap))) // the bench's pacing: see longPollGap
		body := "wake-" + strconv.Itoa(s)
		sent := time.Now()
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
			return nil, nil, fmt.Errorf("SendMessage: %w", err)
		}
		sendDone := time.Now()
		r := <-done
		if r.err != nil {
			return nil, nil, fmt.Errorf("ReceiveMessage: %w", r.err)
		}
		if len(r.msg) != 1 || aws.ToString(r.msg[0].Body) != body {
			return nil, nil, fmt.Errorf("sample %d: the long poll returned %d messages, not the one sent", s, len(r.msg))
		}
		wake, send = append(wake, r.at.Sub(sent)), append(send, sendDone.Sub(sent))
		if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: r.msg[0].ReceiptHandle}); err != nil {
			return nil, nil, fmt.Errorf("DeleteMessage: %w", err)
		}
	}
	return wake, send, nil
}

// wakeOrNil is r's wake-up latencies, nil for a nil r.
func (r *queueResults) wakeOrNil() []time.Duration {
	if r == nil {
		return nil
	}
	return r.wake
}
