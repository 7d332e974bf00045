package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// TestCrashBus kills `signalbox serve` with SIGKILL twice, and starts it
// again each time, while producers put events on a custom bus with
// PutEvents (entries of 10, through EventBridge's API with the AWS SDK)
// and consumers receive and delete from the queues its rules target
// (SQS's API). Each event's Detail carries "producer:sequence" (id) and
// the sequence modulo 3 (bucket); its DetailType says whether the
// sequence is even. The bus has three rules, each with one queue target:
//   - crash-all, on the source: every event, the envelope as AWS delivers it;
//   - crash-bucket0, a numeric pattern on detail.bucket (< 1): a third of
//     the events, the envelope;
//   - crash-even, a prefix pattern on detail-type: half of the events,
//     shaped by an InputTransformer ({"event": <id>, "eid": <event's id>,
//     "rule": "<aws.events.rule-name>"}).
//
// An entry not acknowledged (the request failed, or the entry failed
// with InternalFailure) is put again. Then:
//   - every event whose put was acknowledged reached every queue whose
//     rule matches it, at least once: none lost; deliveries made again
//     (a delivery made twice under one event id, or an entry put again
//     whose first put had been written) are allowed and counted in the
//     log line;
//   - nothing came that was never put, and nothing came to a queue whose
//     rule does not match it (the consumers fail on either).
//
// serve runs with --lease 2s, as in TestCrashTopics: the deliveries a
// killed serve held are made by the restarted one when their lease ends.
// It runs in the real-Redis run (SIGNALBOX_REDIS_URL set; .ci/run runs it
// in the crash tests' step), with redis-server on PATH; -short puts fewer
// events.
func TestCrashBus(t *testing.T) {
	producers, perProducer := 5, 4000
	if testing.Short() {
		perProducer = 400
	}
	r := startCrashRun(t, "sbcb-", 6*time.Minute, "--lease", "2s")
	ctx := r.ctx
	ebc, sqsc := crashEventsClient(r.serve.URL), crashSQSClient(r.serve.URL)
	b := newCrashBus(t, ctx, ebc, sqsc, "crash-bus", producers, perProducer)
	r.total = b.total()
	for p := range producers {
		r.produce(func() error { return b.produce(ctx, ebc, p, r.progress) })
	}
	for _, q := range b.queues {
		for range 2 {
			r.run(func() error { return q.consume(ctx, sqsc) })
		}
	}
	r.killTwice()
	r.awaitProduced()
	for _, q := range b.queues {
		r.await(q.tally.complete, func() string {
			return fmt.Sprintf("%s: %d of %d events delivered within the deadline; missing (the first ten): %v", q.name, q.tally.distinct.Load(), q.tally.expect, q.tally.missing(10))
		})
	}
	elapsed := r.finish()
	b.check(t)
	t.Logf("bus crash test: serve (--lease 2s) killed with SIGKILL twice; %s; %.1fs", b.summary(), elapsed.Seconds())
}

// crashBus is the bus of the test, its rules' queues and what its
// producers saw acknowledged.
type crashBus struct {
	name                   string
	producers, perProducer int
	queues                 []*crashBusQueue
	mu                     sync.Mutex
	acked                  [][]bool // producer → sequence → acknowledged
	resent                 atomic.Int64
}

// crashBusQueue is the queue target of one rule and what it received.
type crashBusQueue struct {
	b           *crashBus
	name, rule  string
	url         string
	transformed bool
	match       func(seq int) bool // whether the rule matches sequence seq's events
	tally       *crashTally        // the deliveries, by event id
}

// The test's events: their source, and the prefix of their detail-type.
const (
	crashBusSource = "crash.producer"
	crashBusType   = "crash."
)

func newCrashBus(t *testing.T, ctx context.Context, ebc *eventbridge.Client, sqsc *sqs.Client, name string, producers, perProducer int) *crashBus {
	t.Helper()
	_, err := ebc.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)})
	require.NoError(t, err)
	b := &crashBus{name: name, producers: producers, perProducer: perProducer, acked: make([][]bool, producers)}
	for p := range b.acked {
		b.acked[p] = make([]bool, perProducer)
	}
	rules := []struct {
		rule, pattern string
		transformer   *ebtypes.InputTransformer
		match         func(seq int) bool
	}{
		{"crash-all", `{"source":["` + crashBusSource + `"]}`, nil, func(int) bool { return true }},
		{"crash-bucket0", `{"source":["` + crashBusSource + `"],"detail":{"bucket":[{"numeric":["<",1]}]}}`, nil, func(seq int) bool { return seq%3 == 0 }},
		{"crash-even", `{"detail-type":[{"prefix":"` + crashBusType + `even"}]}`, &ebtypes.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "eid": "$.id"},
			InputTemplate: aws.String(`{"event": <id>, "eid": <eid>, "rule": "<aws.events.rule-name>"}`),
		}, func(seq int) bool { return seq%2 == 0 }},
	}
	for _, rl := range rules {
		qname := name + "-" + strings.TrimPrefix(rl.rule, "crash-")
		qurl, qarn := crashCreateQueue(t, ctx, sqsc, qname, nil)
		_, err = ebc.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rl.rule), EventBusName: aws.String(name), EventPattern: aws.String(rl.pattern)})
		require.NoError(t, err)
		out, err := ebc.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rl.rule), EventBusName: aws.String(name),
			Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(qarn), InputTransformer: rl.transformer}}})
		require.NoError(t, err)
		require.Zero(t, out.FailedEntryCount, "PutTargets: %+v", out.FailedEntries)
		b.queues = append(b.queues, &crashBusQueue{b: b, name: qname, rule: rl.rule, url: qurl, transformed: rl.transformer != nil, match: rl.match,
			tally: newCrashTally(producers, perProducer, rl.match)})
	}
	return b
}

func (b *crashBus) total() int { return b.producers * b.perProducer }

// entry is producer p's event seq.
func (b *crashBus) entry(p, seq int) ebtypes.PutEventsRequestEntry {
	kind := "odd"
	if seq%2 == 0 {
		kind = "even"
	}
	return ebtypes.PutEventsRequestEntry{EventBusName: aws.String(b.name), Source: aws.String(crashBusSource), DetailType: aws.String(crashBusType + kind),
		Detail: aws.String(fmt.Sprintf(`{"id":"%d:%d","bucket":%d}`, p, seq, seq%3))}
}

// produce puts producer p's events in order, by PutEvents of 10 entries;
// an entry not acknowledged (the request failed, or the entry failed with
// InternalFailure) is put again until it is. progress hears of every
// acknowledged event.
func (b *crashBus) produce(ctx context.Context, c *eventbridge.Client, p int, progress func(int)) error {
	for lo := 0; lo < b.perProducer; lo += 10 {
		var pending []ebtypes.PutEventsRequestEntry
		var seqs []int
		for seq := lo; seq < min(b.perProducer, lo+10); seq++ {
			pending, seqs = append(pending, b.entry(p, seq)), append(seqs, seq)
		}
		err := crashResend(ctx, pending, &b.resent, func(pending []ebtypes.PutEventsRequestEntry) ([]ebtypes.PutEventsRequestEntry, error) {
			out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: pending})
			if err != nil {
				return nil, err
			}
			if len(out.Entries) != len(pending) {
				return nil, crashPermanent{fmt.Errorf("%s: %d results for %d entries", b.name, len(out.Entries), len(pending))}
			}
			var again []ebtypes.PutEventsRequestEntry
			var againSeqs []int
			done := 0
			for i, e := range out.Entries {
				switch code := aws.ToString(e.ErrorCode); {
				case code == "" && aws.ToString(e.EventId) != "":
					b.mu.Lock()
					b.acked[p][seqs[i]] = true
					b.mu.Unlock()
					done++
				case code == "InternalFailure" || code == "ThrottlingException":
					again, againSeqs = append(again, pending[i]), append(againSeqs, seqs[i])
				default:
					return nil, crashPermanent{fmt.Errorf("%s: entry %d:%d refused: %s %s", b.name, p, seqs[i], code, aws.ToString(e.ErrorMessage))}
				}
			}
			progress(done)
			seqs = againSeqs
			return again, nil
		})
		if err != nil {
			return fmt.Errorf("%s: producer %d: %w", b.name, p, err)
		}
	}
	return nil
}

// consume receives from the queue and deletes, recording every delivery,
// until ctx ends (crashConsume).
func (q *crashBusQueue) consume(ctx context.Context, c *sqs.Client) error {
	return crashConsume(ctx, c, q.name, q.url, nil, func(msgs []sqstypes.Message) error {
		for _, m := range msgs {
			if err := q.record(aws.ToString(m.Body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// record records one delivery: the event's envelope, or the transformer's
// output.
func (q *crashBusQueue) record(body string) error {
	var id, eid, detailType string
	var bucket int
	if q.transformed {
		var v struct{ Event, EID, Rule string }
		if err := json.Unmarshal([]byte(body), &v); err != nil || v.Rule != q.rule {
			return fmt.Errorf("%s: not the transformer's output of rule %s: %q", q.name, q.rule, body)
		}
		id, eid = v.Event, v.EID
	} else {
		var e struct {
			ID         string `json:"id"`
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				ID     string `json:"id"`
				Bucket int    `json:"bucket"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Source != crashBusSource {
			return fmt.Errorf("%s: not an envelope of the test's events: %q", q.name, body)
		}
		id, eid = e.Detail.ID, e.ID
		detailType, bucket = e.DetailType, e.Detail.Bucket
	}
	p, seq, ok := crashID(id, q.b.producers, q.b.perProducer)
	switch {
	case !ok:
		return fmt.Errorf("%s: an event that was never put: %q", q.name, body)
	case !q.match(seq):
		return fmt.Errorf("%s: event %s came, and rule %s does not match it: %q", q.name, id, q.rule, body)
	case eid == "":
		return fmt.Errorf("%s: event %s came without its event id: %q", q.name, id, body)
	case !q.transformed && (detailType != aws.ToString(q.b.entry(p, seq).DetailType) || bucket != seq%3):
		// The envelope is the event put: its detail-type and bucket are
		// the sequence's.
		return fmt.Errorf("%s: event %s came with detail-type %q and bucket %d: %q", q.name, id, detailType, bucket, body)
	}
	q.tally.Lock()
	defer q.tally.Unlock()
	q.tally.addLocked(p, seq, eid)
	return nil
}

// check asserts that every event was acknowledged and reached every queue
// whose rule matches it.
func (b *crashBus) check(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, q := range b.queues {
		q.tally.Lock()
		for p := range b.producers {
			for seq := range b.perProducer {
				require.True(t, b.acked[p][seq], "%s: event %d:%d was never acknowledged", b.name, p, seq)
				if q.match(seq) {
					require.NotEmpty(t, q.tally.ids[[2]int{p, seq}], "%s: event %d:%d was acknowledged and never delivered: lost", q.name, p, seq)
				}
			}
		}
		q.tally.Unlock()
	}
}

// summary is the test's log line: each queue's deliveries, and those made
// again, by cause.
func (b *crashBus) summary() string {
	var qs []string
	for _, q := range b.queues {
		q.tally.Lock()
		deliveries, sameEvent, putAgain := q.tally.countsLocked()
		q.tally.Unlock()
		qs = append(qs, fmt.Sprintf("%s (rule %s, %d events match) %d deliveries (%d again: %d of one event id, %d of an entry put again)",
			q.name, q.rule, q.tally.expect, deliveries, deliveries-q.tally.expect, sameEvent, putAgain))
	}
	return fmt.Sprintf("%s: %d events acknowledged (PutEvents of 10), %d entries put again, lost 0 at %d rules' queues: %s",
		b.name, b.total(), b.resent.Load(), len(b.queues), strings.Join(qs, ", "))
}

// crashEventsClient is the producers' EventBridge client (crashConfig).
func crashEventsClient(base string) *eventbridge.Client {
	return eventbridge.NewFromConfig(crashConfig(base))
}
