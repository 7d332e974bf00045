package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/bus/pattern"
)

// The bench's rules come in five kinds, in turn (rule k is of kind k%5),
// each keyed by a name of its own so that an event built for rule k
// matches rule k and no other:
//
//	0: an exact source and detail-type;
//	1: an exact detail-type and a nested detail field (one of two values);
//	2: a source prefix and a nested detail field;
//	3: an exact source and a numeric range on a detail field;
//	4: an exact source, anything-but on detail-type, and a detail field.
const busRuleKinds = 5

// busRulePattern is rule k's event pattern.
func busRulePattern(k int) string {
	switch k % busRuleKinds {
	case 0:
		return fmt.Sprintf(`{"source":["app.svc%d"],"detail-type":["Order Placed"]}`, k)
	case 1:
		return fmt.Sprintf(`{"detail-type":["Order Shipped %d"],"detail":{"order":{"status":["shipped","delivered"]}}}`, k)
	case 2:
		return fmt.Sprintf(`{"source":[{"prefix":"com.tenant%d."}],"detail":{"customer":{"tier":["gold"]}}}`, k)
	case 3:
		return fmt.Sprintf(`{"source":["app.svc%d"],"detail":{"total":[{"numeric":[">",100,"<=",5000]}]}}`, k)
	default:
		return fmt.Sprintf(`{"source":["app.svc%d"],"detail-type":[{"anything-but":["Heartbeat"]}],"detail":{"region":["eu-west-1","eu-central-1"]}}`, k)
	}
}

// busRuleName is rule k's name.
func busRuleName(k int) string { return "r" + strconv.Itoa(k) }

// busEvent is event seq built for rule k: its source and detail-type name
// the rule (as its kind keys it), and its detail, the same shape for every
// event, meets every kind's detail conditions. seq comes first in the
// detail, so that a consumer finds it without decoding the envelope.
func busEvent(seq, k int) (source, detailType, detail string) {
	source, detailType = "app.svc"+strconv.Itoa(k), "Order Placed"
	switch k % busRuleKinds {
	case 1:
		source, detailType = "app.fulfilment", "Order Shipped "+strconv.Itoa(k)
	case 2:
		source = "com.tenant" + strconv.Itoa(k) + ".orders"
	case 3:
		detailType = "Order Totalled"
	}
	detail = fmt.Sprintf(`{"seq":%d,"order":{"id":"o-%d","status":"shipped"},"customer":{"id":"c-%d","tier":"gold"},"total":250,"region":"eu-west-1","items":[{"sku":"s-1","qty":2},{"sku":"s-2","qty":1}]}`, seq, seq, seq)
	return source, detailType, detail
}

// matchResult is the matcher alone on one rule count.
type matchResult struct {
	perSecond float64 // events matched per second, one goroutine
	build     time.Duration
}

// matchBench is n rules in a pattern.Machine and the envelopes PutEvents
// would match against it (event i built for rule i%n). One rule is of one
// kind only, so the 1-rule baseline is five machines of one rule, one of
// each kind: event i, built for rule i%5, is matched against the machine
// of that rule alone. Every rule count then matches the same mix of
// events, and the ratio is the rules' cost, not the events'.
type matchBench struct {
	machines []*pattern.Machine
	events   [][]byte
	build    time.Duration
}

// newMatchBench builds the machine of n rules and the events, and checks
// that each event matches its rule alone.
func newMatchBench(n int) (*matchBench, error) {
	begin := time.Now()
	rulesOf := [][]int{make([]int, n)} // machine → its rules
	for k := range n {
		rulesOf[0][k] = k
	}
	if n == 1 {
		rulesOf = [][]int{{0}, {1}, {2}, {3}, {4}}
	}
	mb := &matchBench{events: make([][]byte, max(n, 1000))}
	for _, ks := range rulesOf {
		m := pattern.NewMachine()
		for _, k := range ks {
			p, err := pattern.Parse(busRulePattern(k))
			if err != nil {
				return nil, fmt.Errorf("rule %d: %w", k, err)
			}
			m.Add(busRuleName(k), p)
		}
		mb.machines = append(mb.machines, m)
	}
	mb.build = time.Since(begin)
	rules := max(n, len(mb.machines)) // the rules events are built for
	for i := range mb.events {
		k := i % rules
		src, dt, detail := busEvent(i, k)
		b, err := json.Marshal(bus.Event{Version: "0", ID: fmt.Sprintf("6a7e8feb-b491-4cf7-a9f1-%012d", i), DetailType: dt, Source: src,
			Account: "123456789012", Time: "2026-12-07T04:00:00Z", Region: "us-east-1", Resources: []string{}, Detail: json.RawMessage(detail)})
		if err != nil {
			return nil, err
		}
		mb.events[i] = b
		got, err := mb.machine(i).Match(b)
		if err != nil {
			return nil, err
		}
		if len(got) != 1 || got[0] != busRuleName(k) {
			return nil, fmt.Errorf("event %d matched %v, not [%s]", i, got, busRuleName(k))
		}
	}
	return mb, nil
}

// machine is the machine event i is matched against.
func (mb *matchBench) machine(i int) *pattern.Machine { return mb.machines[i%len(mb.machines)] }

// run matches the events, over and over, for at least d, and returns the
// events matched per second.
func (mb *matchBench) run(d time.Duration) (float64, error) {
	matched := 0
	begin := time.Now()
	var elapsed time.Duration
	for elapsed < d {
		for i, e := range mb.events {
			if _, err := mb.machine(i).Match(e); err != nil {
				return 0, err
			}
		}
		matched += len(mb.events)
		elapsed = time.Since(begin)
	}
	return float64(matched) / elapsed.Seconds(), nil
}

// busSetup is a bus of n rules, their queue targets and its consumers'
// record of what came.
type busSetup struct {
	t        *topicTarget // its clients' server (pid, Redis)
	eb       *eventbridge.Client
	name     string
	n        int // rules
	queues   []string
	events   int
	got      []atomic.Bool // event → delivered
	done     atomic.Int64
	dups     atomic.Int64
	complete chan struct{}
	once     sync.Once
	setup    time.Duration
}

// newBusSetup creates bus name with n rules (rule k targeting queue
// k%len(queues)) and queues min(n, queues) queues, from clients goroutines.
func newBusSetup(ctx context.Context, t *topicTarget, eb *eventbridge.Client, name string, n, queues, events, clients int) (*busSetup, error) {
	begin := time.Now()
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(name)}); err != nil {
		return nil, fmt.Errorf("CreateEventBus: %w", err)
	}
	b := &busSetup{t: t, eb: eb, name: name, n: n, events: events, got: make([]atomic.Bool, events), complete: make(chan struct{})}
	var arns []string
	for q := range min(n, queues) {
		qname := fmt.Sprintf("%s-q%d", name, q)
		u, err := createQueueNamed(ctx, t.sqs, qname)
		if err != nil {
			return nil, err
		}
		b.queues, arns = append(b.queues, u), append(arns, "arn:aws:sqs:us-east-1:"+t.account+":"+qname)
	}
	if err := eachChunk(clients, n, 1, func(k, _ int) error { return b.putRule(ctx, k, arns[k%len(arns)]) }); err != nil {
		return nil, err
	}
	// The first put loads the bus's rules into serve's view (one
	// automaton): an event no rule matches, before the clock starts.
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String(name),
		Source: aws.String("bench.warmup"), DetailType: aws.String("Warm-up"), Detail: aws.String(`{}`)}}})
	if err != nil {
		return nil, fmt.Errorf("PutEvents (warm-up): %w", err)
	}
	if out.FailedEntryCount > 0 {
		return nil, fmt.Errorf("PutEvents (warm-up): %s", aws.ToString(out.Entries[0].ErrorMessage))
	}
	b.setup = time.Since(begin)
	return b, nil
}

func (b *busSetup) putRule(ctx context.Context, k int, queueArn string) error {
	if _, err := b.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(busRuleName(k)), EventBusName: aws.String(b.name), EventPattern: aws.String(busRulePattern(k))}); err != nil {
		return fmt.Errorf("PutRule %d: %w", k, err)
	}
	out, err := b.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(busRuleName(k)), EventBusName: aws.String(b.name),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueArn)}}})
	if err != nil {
		return fmt.Errorf("PutTargets %d: %w", k, err)
	}
	if out.FailedEntryCount > 0 {
		return fmt.Errorf("PutTargets %d: %+v", k, out.FailedEntries)
	}
	return nil
}

// put puts events lo..hi-1 in one PutEvents, every entry required to have
// succeeded.
func (b *busSetup) put(ctx context.Context, lo, hi int) error {
	entries := make([]ebtypes.PutEventsRequestEntry, 0, hi-lo)
	for i := lo; i < hi; i++ {
		src, dt, detail := busEvent(i, i%b.n)
		entries = append(entries, ebtypes.PutEventsRequestEntry{EventBusName: aws.String(b.name), Source: aws.String(src), DetailType: aws.String(dt), Detail: aws.String(detail)})
	}
	out, err := b.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return fmt.Errorf("PutEvents: %w", err)
	}
	if out.FailedEntryCount > 0 {
		for _, e := range out.Entries {
			if e.ErrorCode != nil {
				return fmt.Errorf("PutEvents: %d of %d entries failed: %s %s", out.FailedEntryCount, len(entries), aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
			}
		}
	}
	return nil
}

// consume runs the consumers of every queue until ctx ends or every event
// has come; it returns the first error.
func (b *busSetup) consume(ctx context.Context) error {
	return consumeQueues(ctx, b.t.sqs, b.queues, 1, nil, b.complete, b.record,
		func() string { return fmt.Sprintf("%d of %d events came from their queues", b.done.Load(), b.events) })
}

// record records an event that came from queue q, checking that it came to
// its rule's queue.
func (b *busSetup) record(q int, _ time.Time, m sqstypes.Message) error {
	body := aws.ToString(m.Body)
	i, ok := busSeq(body)
	if !ok || i >= b.events {
		return fmt.Errorf("an event that was not put: %.80q", body)
	}
	if want := (i % b.n) % len(b.queues); want != q {
		return fmt.Errorf("event %d (rule %d's) came to queue %d, not %d", i, i%b.n, q, want)
	}
	if b.got[i].Swap(true) {
		b.dups.Add(1)
		return nil
	}
	if b.done.Add(1) == int64(b.events) {
		b.once.Do(func() { close(b.complete) })
	}
	return nil
}

// busSeq finds the event's number in an envelope: its detail's first
// field, "seq" (no JSON decoding: the consumers' work should not show as
// the server's).
func busSeq(body string) (int, bool) {
	_, rest, ok := strings.Cut(body, `"detail":{"seq":`)
	if !ok {
		return 0, false
	}
	end := strings.IndexAny(rest, ",}")
	if end < 0 {
		return 0, false
	}
	i, err := strconv.Atoi(rest[:end])
	return i, err == nil && i >= 0
}

// putResult is PutEvents's throughput on one rule count.
type putResult struct {
	done, acked float64 // events per second: received from their target queue; acknowledged
	// queued is events per second into their target queues, with no
	// consumer running meanwhile (the queues drained after, and checked):
	// PutEvents to its targets, without the SQS consumers' work
	queued     float64
	cpu        cpuUse
	duplicates int
	setup      time.Duration
}

// putThroughput puts events on a bus of n rules from clients goroutines by
// PutEvents of 10, consumed meanwhile, and measures how fast they are all
// delivered to their rule's queue.
func putThroughput(ctx context.Context, t *topicTarget, eb *eventbridge.Client, name string, n, queues, events, clients int) (putResult, error) {
	ctx, cancel := context.WithTimeout(ctx, topicDeadline)
	defer cancel()
	b, err := newBusSetup(ctx, t, eb, name, n, queues, events, clients)
	if err != nil {
		return putResult{}, err
	}
	d, err := deliver(ctx, t, events, 10, clients, consumeBeside, b.consume, func(_ time.Time, lo, hi int) error { return b.put(ctx, lo, hi) })
	if err != nil {
		return putResult{}, err
	}
	return putResult{done: float64(events) / d.done.Seconds(), acked: float64(events) / d.acked.Seconds(), cpu: d.cpu, duplicates: int(b.dups.Load()), setup: b.setup}, nil
}

// putIntoQueues puts events on a new bus of n rules as putThroughput does,
// with no consumer meanwhile (intoQueues): the clock stops when the queues
// hold every event; then the consumers drain them, checking that each
// event came once, to its rule's queue. Events per second into the queues.
func putIntoQueues(ctx context.Context, t *topicTarget, eb *eventbridge.Client, name string, n, queues, events, clients int) (float64, int, error) {
	ctx, cancel := context.WithTimeout(ctx, topicDeadline)
	defer cancel()
	b, err := newBusSetup(ctx, t, eb, name, n, queues, events, clients)
	if err != nil {
		return 0, 0, err
	}
	d, err := intoQueues(ctx, t, b.queues, events, events, 10, clients, func(_ time.Time, lo, hi int) error { return b.put(ctx, lo, hi) }, b.consume)
	if err != nil {
		return 0, 0, err
	}
	return float64(events) / d.done.Seconds(), int(b.dups.Load()), nil
}
