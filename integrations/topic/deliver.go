package topic

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"
	"sync"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/store"
)

// The delivery engine. A publish leaves one delivery per subscription in
// the store, leased to the publishing process, and hands them to this
// process's workers (dispatch); a worker makes the delivery and ends it
// (ack, batched: the acker ends what the workers finished in one script
// per topic), or schedules its retry in the store, or gives it up to the
// subscription's dead-letter queue. The recoverer claims, every
// recoverEvery, the deliveries whose lease or retry time has passed, in
// every topic: those of a process that died, and the retries.
//
// A FIFO topic's deliveries go to one of fifoShards sequential workers, by
// subscription and message group, so that a group's messages reach each
// subscription in publish order from this process.
//
// The engine knows which deliveries it holds: handed to its workers and
// not yet ended (acked, retried, or dropped back to the store). When their
// lease ends while they wait here (a backlog longer than the lease), the
// recoverer's claim renews the lease in the store but does not hand them
// out a second time: without that, a backlog past the lease fed itself,
// each claim adding copies (TestCrashTopics with --lease 2s: 92,000
// deliveries to each queue for 20,000 publishes). A delivery held longer
// than maxHold is handed out again all the same, should one ever be lost
// on the way.

const (
	// DefaultWorkers is how many deliveries a process makes at once.
	DefaultWorkers = 64
	fifoShards     = 16
	recoverEvery   = time.Second
	claimBatch     = 256
	// maxInlineRetries bounds the retries made at once (the policies'
	// immediate phase).
	maxInlineRetries = 10
	// maxHoldLeases is how many leases a delivery may be held before a
	// claim hands it out again.
	maxHoldLeases = 10
)

// job is one delivery to make.
type job struct {
	topic    string
	subID    string
	msg      *message
	attempts int // failed attempts so far
	// trace is the trace context the delivery carries out: the message's,
	// or the delivery's own span's when deliveries are traced.
	trace integrations.TraceContext
	// inline: an sqs delivery's attempts are made by the worker, waiting
	// for each (its immediate retries), rather than handed to the lane.
	inline bool
}

func (j *job) member() string { return store.DeliveryMember(j.msg.ID, j.subID) }

// ackEntry is what ends the delivery: its member and, on a FIFO topic, its
// place in the topic's order.
func (j *job) ackEntry() store.TopicAckEntry {
	e := store.TopicAckEntry{Member: j.member()}
	if j.msg.SequenceNumber != "" {
		seq, _ := strconv.ParseInt(j.msg.SequenceNumber, 10, 64)
		e.FIFO = store.FIFOMember(j.subID, j.msg.GroupID, seq, j.msg.ID)
	}
	return e
}

type engine struct {
	s      *Service
	jobs   chan job
	shards []chan job

	mu      sync.Mutex
	running bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	heldMu sync.Mutex
	held   map[string]time.Time // topic \x00 member → since when this process holds it

	acks   *integrations.Batches[store.TopicAckEntry] // topic → deliveries done
	meters meters
	lanes  *queue.Lanes // deliveries to queues, batched
}

func newEngine(s *Service) *engine {
	e := &engine{s: s, jobs: make(chan job, 4096), held: map[string]time.Time{}, acks: integrations.NewBatches[store.TopicAckEntry](1000), meters: newMeters(s.cfg.Meter), lanes: queue.NewLanes(s.cfg.Queues)}
	for range fifoShards {
		e.shards = append(e.shards, make(chan job, 1024))
	}
	return e
}

// start runs the workers, the acker and the recoverer until stop.
// Starting twice is harmless.
func (e *engine) start(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running {
		return
	}
	e.running = true
	ctx, e.cancel = context.WithCancel(ctx)
	run := func(f func()) {
		e.wg.Add(1)
		go func() { defer e.wg.Done(); f() }()
	}
	for range DefaultWorkers {
		run(func() { e.work(ctx, e.jobs) })
	}
	for _, sh := range e.shards {
		run(func() { e.work(ctx, sh) })
	}
	run(func() { e.acker(ctx) })
	run(func() { e.recoverer(ctx) })
}

// stop ends the loops and waits for them; the deliveries they had not made
// stay in the store, leased, for a recoverer.
func (e *engine) stop() {
	e.mu.Lock()
	if !e.running {
		e.mu.Unlock()
		return
	}
	e.running = false
	e.cancel()
	e.mu.Unlock()
	e.wg.Wait()
}

// dispatch hands a delivery to the workers, or leaves it to a recoverer
// when the engine does not run.
func (e *engine) dispatch(j job) {
	e.mu.Lock()
	running := e.running
	e.mu.Unlock()
	if !running {
		return
	}
	e.hold(j.topic, j.member(), false)
	e.queue(context.Background(), j)
}

func heldKey(topic, member string) string { return topic + "\x00" + member }

// hold records that this process holds a delivery, and says whether it
// should be handed to the workers: not when claimed while held already
// (unless held for maxHoldLeases leases).
func (e *engine) hold(topic, member string, claimed bool) bool {
	k, now := heldKey(topic, member), e.s.now()
	e.heldMu.Lock()
	defer e.heldMu.Unlock()
	if since, ok := e.held[k]; ok && claimed && now.Sub(since) < maxHoldLeases*e.s.cfg.DeliveryLease {
		return false
	}
	e.held[k] = now
	return true
}

// release forgets deliveries this process held: ended, or left to the
// store (their lease, their retry time).
func (e *engine) release(topic string, members ...string) {
	e.heldMu.Lock()
	for _, m := range members {
		delete(e.held, heldKey(topic, m))
	}
	e.heldMu.Unlock()
}

// queue hands a job to its worker: a FIFO topic's to its shard, by
// subscription and group.
func (e *engine) queue(ctx context.Context, j job) {
	ch := e.jobs
	if j.msg.SequenceNumber != "" {
		h := fnv.New32a()
		h.Write([]byte(j.subID))
		h.Write([]byte{0})
		h.Write([]byte(j.msg.GroupID))
		ch = e.shards[h.Sum32()%fifoShards]
	}
	select {
	case ch <- j:
	case <-ctx.Done():
		e.release(j.topic, j.member())
	}
}

func (e *engine) work(ctx context.Context, jobs <-chan job) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			e.deliver(ctx, &j)
		}
	}
}

// deliver makes one delivery: attempts it (its policy's immediate retries
// included), then ends it, schedules its retry, or gives it up.
func (e *engine) deliver(ctx context.Context, j *job) {
	s := e.s
	v, err := s.view(ctx, j.topic, viewMaxAge)
	if err != nil {
		// the topic is gone, and its deliveries with it; or the lease
		// ends, and a recoverer tries again
		e.release(j.topic, j.member())
		return
	}
	sv := v.byID[j.subID]
	if sv == nil {
		if v, err = s.view(ctx, j.topic, 0); err != nil {
			e.release(j.topic, j.member())
			return
		}
		sv = v.byID[j.subID]
	}
	if sv == nil || !sv.rec.Confirmed {
		e.ack(j.topic, j.ackEntry()) // unsubscribed meanwhile
		return
	}
	ctx, end := s.traceDelivery(ctx, v, sv, j)
	if sv.rec.Protocol == ProtocolSQS && !j.inline {
		s.deliverSQSAsync(ctx, v, sv, j, end)
		return
	}
	out := outcome{}
	for i := 0; ; i++ {
		out = s.attempt(ctx, v, sv, j)
		if out.OK || out.Permanent || out.Exhausted || out.RetryAfter > 0 || i >= maxInlineRetries || ctx.Err() != nil {
			break
		}
		j.attempts++ // the policy's immediate retries, here and now
	}
	e.finish(ctx, v, sv, j, out, end)
}

// finish ends a delivery's span, then the delivery itself by its outcome:
// ended when made, given up (to the dead-letter queue) when it cannot be,
// else scheduled for a retry.
func (e *engine) finish(ctx context.Context, v *view, sv *subView, j *job, out outcome, end func(outcome)) {
	s := e.s
	end(out) // the span ends before the delivery does: who sees it ended sees the span
	switch {
	case ctx.Err() != nil:
		// stopping: the lease brings the delivery back
		e.release(j.topic, j.member())
	case out.OK:
		e.count(sv, "delivered")
		e.ack(j.topic, j.ackEntry())
	case out.Permanent || out.Exhausted || out.RetryAfter == 0:
		s.giveUp(ctx, v, sv, j, out.Reason)
		e.ack(j.topic, j.ackEntry())
	default:
		e.count(sv, "retried")
		if _, err := s.st.TopicRetry(ctx, j.topic, j.member(), s.now().Add(out.RetryAfter)); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.cfg.Logger.Warn("topic: scheduling a retry failed; the delivery's lease will bring it back", "topic", j.topic, "subscription", sv.sub.ARN, "error", err)
		}
		e.release(j.topic, j.member())
	}
}

// attempt makes one attempt of a delivery by its subscription's protocol.
func (s *Service) attempt(ctx context.Context, v *view, sv *subView, j *job) outcome {
	switch sv.rec.Protocol {
	case ProtocolSQS:
		return s.deliverSQS(ctx, v, sv, j)
	case ProtocolStates:
		return s.deliverStates(ctx, v, sv, j)
	case ProtocolLambda:
		return s.deliverLambda(ctx, v, sv, j)
	case ProtocolHTTP, ProtocolHTTPS:
		return s.deliverHTTP(ctx, v, sv, j)
	}
	return outcome{Permanent: true, Reason: "protocol " + sv.rec.Protocol + " is not supported"}
}

// giveUp sends a delivery that will not be made to the subscription's
// dead-letter queue, if it has one; else the message is dropped for that
// subscription, as in AWS.
func (s *Service) giveUp(ctx context.Context, v *view, sv *subView, j *job, reason string) {
	s.eng.count(sv, "failed")
	target := sv.rec.Attributes[attrRedrive]
	if target != "" {
		if arn, e := parseSubscriptionRedrive(target); e == nil {
			if err := s.deadLetter(ctx, v, sv, j, arn, reason); err == nil {
				s.eng.count(sv, "dead_lettered")
				return
			} else {
				s.cfg.Logger.Warn("topic: the dead-letter queue refused a message; it is dropped", "subscription", sv.sub.ARN, "queue", arn, "error", err)
			}
		}
	}
	s.cfg.Logger.Warn("topic: a delivery was given up", "subscription", sv.sub.ARN, "message", j.msg.ID, "reason", reason)
}

// ack ends a delivery, in the acker's next batch.
func (e *engine) ack(topic string, entry store.TopicAckEntry) { e.acks.Add(topic, entry) }

// acker ends the deliveries the workers finished, in batches: one script
// per topic for all that finished since its last round. A delivery done
// but not yet ended when the process dies is made again (at least once).
func (e *engine) acker(ctx context.Context) { e.acks.Run(ctx, e.flushAcks) }

func (e *engine) flushAcks(ctx context.Context, topic string, entries []store.TopicAckEntry) {
	s := e.s
	next, err := s.st.TopicAck(ctx, topic, entries, s.now().Add(s.cfg.DeliveryLease))
	if err != nil {
		s.cfg.Logger.Warn("topic: ending deliveries failed; they will be made again", "topic", topic, "error", err)
	}
	for _, en := range entries {
		e.release(topic, en.Member)
	}
	// a FIFO topic's next deliveries of the groups ended: ours now
	e.handOver(ctx, topic, next, false)
}

// handOver hands deliveries claimed (or made due by an ack) to the
// workers; claimed ones this process holds already only had their lease
// renewed (hold).
func (e *engine) handOver(ctx context.Context, topic string, ds []store.TopicDelivery, claimed bool) {
	arn := e.s.TopicARN(topic)
	for _, d := range ds {
		m, err := decodeMessage(arn, d)
		if err != nil {
			e.s.cfg.Logger.Warn("topic: a stored message does not decode; its delivery is dropped", "topic", topic, "message", d.MessageID, "error", err)
			e.ack(topic, store.TopicAckEntry{Member: store.DeliveryMember(d.MessageID, d.SubscriptionID)})
			continue
		}
		if ctx.Err() != nil {
			return // the leases bring them back
		}
		if e.hold(topic, store.DeliveryMember(d.MessageID, d.SubscriptionID), claimed) {
			e.queue(ctx, job{topic: topic, subID: d.SubscriptionID, msg: m, attempts: d.Attempts})
		}
	}
}

// recoverer claims the deliveries that fell due, in every topic, every
// recoverEvery.
func (e *engine) recoverer(ctx context.Context) {
	t := time.NewTicker(recoverEvery)
	defer t.Stop()
	for {
		e.recoverOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recoverOnce claims and hands to the workers every delivery due now.
func (e *engine) recoverOnce(ctx context.Context) {
	s := e.s
	after := ""
	for ctx.Err() == nil {
		names, next, err := s.st.TopicList(ctx, after, 1000)
		if err != nil {
			return
		}
		now := s.now()
		due, err := s.st.TopicsDue(ctx, names, now)
		if err != nil {
			return
		}
		for _, topic := range due {
			e.claim(ctx, topic)
		}
		if next == "" {
			return
		}
		after = next
	}
}

// claim claims a topic's due deliveries, batch after batch.
func (e *engine) claim(ctx context.Context, topic string) {
	s := e.s
	for ctx.Err() == nil {
		now := s.now()
		ds, err := s.st.TopicClaim(ctx, topic, now, now.Add(s.cfg.DeliveryLease), claimBatch)
		if err != nil || len(ds) == 0 {
			return
		}
		e.handOver(ctx, topic, ds, true)
		if len(ds) < claimBatch {
			return
		}
	}
}
