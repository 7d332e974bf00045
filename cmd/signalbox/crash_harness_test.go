package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// crashRun is the harness of the router crash tests (TestCrashQueues,
// TestCrashTopics, TestCrashBus): a redis-server of the test's own with
// appendonly yes and appendfsync always (TestCrashQueues's comment says
// what that does and does not prove), a `signalbox serve` on a fixed
// loopback port (the clients keep their endpoint across restarts), the
// clients' goroutines (run) whose failures come on one channel, and the
// two kills: serve is killed with SIGKILL, and started again, when a third
// and two thirds of the total acknowledgements have come (progress).
type crashRun struct {
	t       *testing.T
	ctx     context.Context // a safety net, not a synchronisation
	cancel  context.CancelFunc
	args    []string // serve's arguments, the same at every start
	serve   *served  // the serve running now
	servers []*served

	total      int          // the acknowledgements expected: set before the first progress
	acked      atomic.Int64 // acknowledgements so far
	kills      atomic.Int64 // serve's kills so far
	milestones [2]chan struct{}
	once       [2]sync.Once

	wg        sync.WaitGroup
	producers sync.WaitGroup // the clients that send (produce)
	errs      chan error     // the clients' failures (a consumer's end, when cancelled, too)
	begin     time.Time
}

// startCrashRun skips the test outside the real-Redis run, starts the
// Redis and serve (keys under a prefix starting with keyPrefix, serveArgs
// added to serve's), and bounds the test by timeout.
func startCrashRun(t *testing.T, keyPrefix string, timeout time.Duration, serveArgs ...string) *crashRun {
	t.Helper()
	if os.Getenv(store.EnvRedisURL) == "" {
		t.Skip("runs with the real-Redis tests: set " + store.EnvRedisURL + " (it starts a redis-server of its own)")
	}
	redis := redisproc.StartForTest(t, "--appendonly", "yes", "--appendfsync", "always")
	port := freeTCPPort(t)
	args := append([]string{"--addr", "127.0.0.1:" + strconv.Itoa(port), "--redis-url", redis.URL(), "--redis-prefix", storetest.Prefix(keyPrefix)}, serveArgs...)
	r := &crashRun{t: t, args: args, errs: make(chan error, 64), milestones: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
	r.serve = startServe(t, args...)
	require.Contains(t, r.serve.Store, "appendfsync always")
	r.servers = []*served{r.serve}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), timeout)
	t.Cleanup(r.cancel)
	return r
}

// progress hears of n acknowledgements; it closes each milestone as the
// acknowledgements pass it.
func (r *crashRun) progress(n int) {
	a := r.acked.Add(int64(n))
	for i := range r.milestones {
		if a >= int64(r.total*(i+1)/3) {
			r.once[i].Do(func() { close(r.milestones[i]) })
		}
	}
}

// run runs a client in a goroutine of its own; its error, if any, comes
// on r.errs. The first call starts the clock of elapsed.
func (r *crashRun) run(f func() error) {
	if r.begin.IsZero() {
		r.begin = time.Now()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := f(); err != nil {
			r.errs <- err
		}
	}()
}

// produce runs a producer, a client that returns once every message of
// its own has been acknowledged, as run does; awaitProduced waits for all.
func (r *crashRun) produce(f func() error) {
	r.producers.Add(1)
	r.run(func() error {
		defer r.producers.Done()
		return f()
	})
}

// awaitProduced waits until every producer has returned. A test awaits it
// before it stops the clients: the consumers may have received every
// message while a producer still waits to resend one whose answer a kill
// lost, and stopping it then would leave that message unacknowledged.
func (r *crashRun) awaitProduced() {
	r.t.Helper()
	done := make(chan struct{})
	go func() {
		r.producers.Wait()
		close(done)
	}()
	r.await(done, func() string {
		return "the producers did not finish: " + strconv.FormatInt(r.acked.Load(), 10) + " of " + strconv.Itoa(r.total) + " acknowledged"
	})
}

// failed stops the clients and fails on the first error of theirs that is
// not their cancellation.
func (r *crashRun) failed() {
	r.t.Helper()
	r.cancel()
	r.wg.Wait()
	close(r.errs)
	for err := range r.errs {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			require.NoError(r.t, err)
		}
	}
}

// await waits for done, failing on a client's error or at the deadline
// (with the message of why, as the deadline found it).
func (r *crashRun) await(done <-chan struct{}, why func() string) {
	r.t.Helper()
	select {
	case <-done:
	case err := <-r.errs:
		r.failed()
		require.NoError(r.t, err)
	case <-r.ctx.Done():
		msg := why()
		r.failed()
		r.t.Fatal(msg)
	}
}

// killTwice kills serve with SIGKILL at each milestone and starts it again.
func (r *crashRun) killTwice() {
	r.t.Helper()
	for i, m := range r.milestones {
		r.await(m, func() string {
			return "kill " + strconv.Itoa(i+1) + ": the milestone never came (" + strconv.FormatInt(r.acked.Load(), 10) + " of " + strconv.Itoa(r.total) + " acknowledged)"
		})
		r.serve.Kill(r.t)
		r.kills.Add(1)
		r.serve = startServe(r.t, r.args...)
		r.servers = append(r.servers, r.serve)
	}
}

// finish stops the clients (the consumers run until cancelled), fails on
// any error of theirs but their cancellation, and returns the time since
// the first client started.
func (r *crashRun) finish() time.Duration {
	r.t.Helper()
	r.cancel()
	r.wg.Wait()
	close(r.errs)
	for err := range r.errs {
		if !errors.Is(err, context.Canceled) {
			require.NoError(r.t, err)
		}
	}
	return time.Since(r.begin)
}

// crashConfig is the clients' SDK configuration: the SDK's own retries
// off (crashRetry retries), keep-alive connections for every goroutine.
func crashConfig(base string) aws.Config {
	return aws.Config{
		BaseEndpoint: aws.String(base),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("crash", "crash", ""),
		HTTPClient:   awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 64 }),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// crashSQSClient is the clients' SQS client (crashConfig).
func crashSQSClient(base string) *sqs.Client { return sqs.NewFromConfig(crashConfig(base)) }

// crashCreateQueue creates the queue (a visibility timeout of 5 s: a
// message received by a request whose answer a kill lost comes again 5 s
// later, not 30 s; attrs added) and returns its URL and ARN.
func crashCreateQueue(t *testing.T, ctx context.Context, c *sqs.Client, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	all := map[string]string{"VisibilityTimeout": "5"}
	maps.Copy(all, attrs)
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: all})
	require.NoError(t, err)
	qa, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	return aws.ToString(q.QueueUrl), qa.Attributes["QueueArn"]
}

// crashResend sends pending (send returns what is left to send again, the
// entries not acknowledged) until nothing is left, each call through
// crashRetry; resent counts the entries sent again.
func crashResend[E any](ctx context.Context, pending []E, resent *atomic.Int64, send func(pending []E) (left []E, err error)) error {
	for tries := 0; len(pending) > 0; {
		err := crashRetry(ctx, func() error {
			if tries++; tries > 1 {
				resent.Add(int64(len(pending)))
			}
			left, err := send(pending)
			if err != nil {
				return err
			}
			pending = left
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// crashConsume receives from the queue of url (up to 10, waiting up to
// 1 s, with the message attributes named) and deletes, handing each
// receive's messages to record, until ctx ends. A delete that fails is not
// retried: the message comes again after its visibility timeout.
func crashConsume(ctx context.Context, c *sqs.Client, name, url string, attributes []string, record func([]sqstypes.Message) error) error {
	for ctx.Err() == nil {
		var msgs []sqstypes.Message
		err := crashRetry(ctx, func() error {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
				MessageAttributeNames: attributes})
			if err == nil {
				msgs = out.Messages
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: consumer: %w", name, err)
		}
		if len(msgs) == 0 {
			continue
		}
		if err := record(msgs); err != nil {
			return err
		}
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(msgs))
		for i, m := range msgs {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		_, _ = c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	}
	return ctx.Err()
}

// crashID reads "producer:sequence", each within the test's bounds.
func crashID(id string, producers, perProducer int) (p, seq int, ok bool) {
	ps, ss, ok := strings.Cut(id, ":")
	p, err1 := strconv.Atoi(ps)
	seq, err2 := strconv.Atoi(ss)
	return p, seq, ok && err1 == nil && err2 == nil && p >= 0 && p < producers && seq >= 0 && seq < perProducer
}

// crashTally is what one receiver (a queue, a subscriber) got: each
// (producer, sequence)'s deliveries, by the id they came under (a
// MessageId, an event id; "" where there is none), and each producer's
// sequences in the order first delivered. complete is closed once every
// sequence it expects (match's, of every producer) has come. Lock it
// around the ...Locked methods and the fields.
type crashTally struct {
	sync.Mutex
	producers, perProducer int
	match                  func(seq int) bool
	expect                 int
	ids                    map[[2]int]map[string]int
	first                  [][]int
	distinct               atomic.Int64
	complete               chan struct{}
	once                   sync.Once
}

// newCrashTally expects, of every producer, the sequences match accepts
// (nil: every one).
func newCrashTally(producers, perProducer int, match func(seq int) bool) *crashTally {
	if match == nil {
		match = func(int) bool { return true }
	}
	c := &crashTally{producers: producers, perProducer: perProducer, match: match, ids: map[[2]int]map[string]int{}, first: make([][]int, producers), complete: make(chan struct{})}
	for seq := range perProducer {
		if match(seq) {
			c.expect += producers
		}
	}
	return c
}

// addLocked records a delivery of (p, seq) under id.
func (c *crashTally) addLocked(p, seq int, id string) {
	key := [2]int{p, seq}
	if c.ids[key] == nil {
		c.ids[key] = map[string]int{}
		c.first[p] = append(c.first[p], seq)
		if c.distinct.Add(1) == int64(c.expect) {
			c.once.Do(func() { close(c.complete) })
		}
	}
	c.ids[key][id]++
}

// missing is up to n of the expected sequences not received.
func (c *crashTally) missing(n int) []string {
	c.Lock()
	defer c.Unlock()
	var out []string
	for p := range c.producers {
		for seq := range c.perProducer {
			if c.match(seq) && c.ids[[2]int{p, seq}] == nil && len(out) < n {
				out = append(out, fmt.Sprintf("%d:%d", p, seq))
			}
		}
	}
	return out
}

// countsLocked are the deliveries, those made again under an id already
// delivered, and the ids beyond each sequence's first.
func (c *crashTally) countsLocked() (deliveries, sameID, moreIDs int) {
	for _, ids := range c.ids {
		for _, n := range ids {
			deliveries += n
			sameID += n - 1
		}
		moreIDs += len(ids) - 1
	}
	return deliveries, sameID, moreIDs
}
