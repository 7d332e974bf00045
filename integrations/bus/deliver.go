package bus

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/store"
)

// The delivery engine, the topic router's (docs/topic.md) without FIFO
// order. A put leaves one delivery per matching rule's target in the
// store, leased to the putting process, and hands them to this process's
// workers (dispatch); a worker makes the delivery and ends it (the acker
// ends what the workers finished in one script per bus), or schedules its
// retry in the store, or gives it up to the target's dead-letter queue.
// The recoverer claims, every recoverEvery, the deliveries whose lease or
// retry time has passed, in every bus: those of a process that died, and
// the retries. Deliveries this process holds (handed to its workers, not
// yet ended) are not handed out again when a claim renews their lease.

const (
	// DefaultWorkers is how many deliveries a process makes at once.
	DefaultWorkers = 64
	recoverEvery   = time.Second
	claimBatch     = 256
	ackBatch       = 512
	maxHoldLeases  = 10
	// AWS's defaults of a target's RetryPolicy.
	defaultRetryAttempts = 185
	defaultEventAge      = 24 * time.Hour
	// retryCap bounds the backoff between retries (exponential from 1 s,
	// with jitter, as AWS describes its retries).
	retryCap = 5 * time.Minute
)

// job is one delivery to make.
type job struct {
	bus, id, rule, target string
	payload               string // as stored (pending.stored)
	attempts              int    // failed attempts so far
	ev                    *pending
}

func (j *job) member() string { return store.BusDeliveryMember(j.id, j.rule, j.target) }

// eventID is the envelope's id: the putting process has it in hand; a
// claimed delivery's is read from its JSON once.
func (j *job) eventID() string {
	if j.ev == nil {
		j.ev = &pending{env: Event{ID: eventIDOf(unstored(j.payload).json, j.id)}}
	}
	return j.ev.env.ID
}

type engine struct {
	s    *Service
	jobs chan job

	mu      sync.Mutex
	running bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	heldMu sync.Mutex
	held   map[string]time.Time // bus \x00 member → since when this process holds it

	acks  *integrations.Batches[string] // bus → members done
	lanes *queue.Lanes
	// ticks are the background rounds other than the recoverer's
	// (schedules, replays, archives' retention), run with it.
	ticks []func(ctx context.Context, buses []string)
	// wake starts a round at once (a new replay).
	wake chan struct{}
}

func newEngine(s *Service) *engine {
	return &engine{s: s, jobs: make(chan job, 4096), held: map[string]time.Time{}, acks: integrations.NewBatches[string](ackBatch), wake: make(chan struct{}, 1), lanes: queue.NewLanes(s.cfg.Queues)}
}

// start runs the workers, the acker and the recoverer until stop.
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
		run(func() { e.work(ctx) })
	}
	run(func() { e.acker(ctx) })
	run(func() { e.recoverer(ctx) })
}

// stop stops the engine and waits for it. Deliveries not made stay leased
// in the store, made by whichever process claims them when the lease ends.
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

// dispatch hands a delivery to the workers; when they are saturated it
// stays in the store, where its lease ends and the recoverer claims it.
func (e *engine) dispatch(ctx context.Context, j job) {
	e.mu.Lock()
	running := e.running
	e.mu.Unlock()
	if !running {
		return
	}
	key := j.bus + "\x00" + j.member()
	e.heldMu.Lock()
	e.held[key] = e.s.now()
	e.heldMu.Unlock()
	select {
	case e.jobs <- j:
	default:
		e.release(j)
	}
}

func (e *engine) release(j job) {
	e.heldMu.Lock()
	delete(e.held, j.bus+"\x00"+j.member())
	e.heldMu.Unlock()
}

func (e *engine) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-e.jobs:
			e.s.deliver(ctx, j)
		}
	}
}

// ack ends a delivery, batched.
func (e *engine) ack(j job) {
	e.release(j)
	e.acks.Add(j.bus, j.member())
}

// acker ends the finished deliveries, one script per bus and batch.
func (e *engine) acker(ctx context.Context) { e.acks.Run(ctx, e.flushAcks) }

func (e *engine) flushAcks(ctx context.Context, bus string, members []string) {
	if _, err := e.s.st.BusAck(ctx, bus, members); err != nil {
		// they stay due: made again after their lease (at least once)
		e.s.cfg.Logger.Warn("bus: ending deliveries failed", "bus", bus, "err", err)
	}
}

// recoverer claims the deliveries that fell due, in every bus, and runs
// the other rounds (schedules, replays, retention).
func (e *engine) recoverer(ctx context.Context) {
	t := time.NewTicker(recoverEvery)
	defer t.Stop()
	for {
		// one read of the buses, and of their views' versions, a round
		if names, err := e.s.st.BusNames(ctx); err == nil {
			for _, bus := range names {
				e.s.refreshView(ctx, bus)
			}
			e.recover(ctx, names)
			for _, f := range e.ticks {
				f(ctx, names)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.wake:
		}
	}
}

// wakeRound starts the next round now.
func (e *engine) wakeRound() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// recover claims the deliveries of the buses names that fell due.
func (e *engine) recover(ctx context.Context, names []string) {
	s := e.s
	now := s.now()
	due, err := s.st.BusesDue(ctx, names, now)
	if err != nil {
		return
	}
	for _, bus := range due {
		ds, err := s.st.BusClaim(ctx, bus, now, now.Add(s.cfg.DeliveryLease), claimBatch)
		if err != nil {
			continue
		}
		for _, d := range ds {
			j := job{bus: bus, id: d.EventID, rule: d.Rule, target: d.Target, payload: d.Payload, attempts: d.Attempts}
			key := bus + "\x00" + j.member()
			e.heldMu.Lock()
			since, held := e.held[key]
			e.heldMu.Unlock()
			if held && now.Sub(since) < maxHoldLeases*s.cfg.DeliveryLease {
				continue // waiting for a worker here: the claim renewed its lease
			}
			e.dispatch(ctx, j)
		}
	}
}

// refreshView reloads a bus's cached view when its version moved.
func (s *Service) refreshView(ctx context.Context, bus string) {
	s.mu.Lock()
	v := s.views[bus]
	s.mu.Unlock()
	if v == nil {
		return
	}
	if ver, err := s.st.BusVersion(ctx, bus); err == nil && ver != v.ver {
		_, _ = s.loadView(ctx, bus)
	} else if errors.Is(err, store.ErrNotFound) {
		s.forgetView(bus)
	}
}

// outcome is what one delivery attempt came to.
type outcome struct {
	OK bool
	// Permanent: no retry mends it (the target is gone, refuses the
	// input): the dead-letter queue, if any.
	Permanent bool
	Code      string // the DLQ's ERROR_CODE
	Reason    string
}

// deliver makes one delivery and ends it, retries it or gives it up.
func (s *Service) deliver(ctx context.Context, j job) {
	v, err := s.view(ctx, j.bus)
	if err != nil {
		s.eng.release(j) // the store did not answer: the lease ends, a claim retries
		return
	}
	rv := v.rules[j.rule]
	var tv *targetView
	if rv != nil {
		tv = rv.targets[j.target]
	}
	if tv == nil && v.loaded.Before(s.now().Add(-recoverEvery)) {
		if v, err = s.loadView(ctx, j.bus); err == nil {
			if rv = v.rules[j.rule]; rv != nil {
				tv = rv.targets[j.target]
			}
		}
	}
	if tv == nil {
		s.eng.ack(j) // the rule or target was removed: nothing to deliver to
		return
	}
	s.deliverTo(ctx, j, rv, tv, func(o outcome) { s.finish(ctx, j, rv, tv, o) })
}

// finish ends a delivery after its attempt: done, retried, or given up.
func (s *Service) finish(ctx context.Context, j job, rv *ruleView, tv *targetView, o outcome) {
	s.meters.delivered(ctx, j.bus, tv.kind, o)
	if o.OK {
		s.eng.ack(j)
		return
	}
	attempts, age := defaultRetryAttempts, defaultEventAge
	if p := tv.t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			attempts = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			age = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	exhausted := ""
	ev := unstored(j.payload)
	switch {
	case o.Permanent:
	case j.attempts >= attempts:
		exhausted = "MaximumRetryAttemptsExhausted"
	case s.now().Sub(ev.ingested) >= age:
		exhausted = "MaximumEventAgeExhausted"
	default:
		backoff := min(retryCap, time.Second<<min(j.attempts, 20))
		backoff = backoff/2 + rand.N(backoff/2+1)
		if _, err := s.st.BusRetry(ctx, j.bus, j.member(), s.now().Add(backoff)); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.cfg.Logger.Warn("bus: scheduling a retry failed", "bus", j.bus, "delivery", j.member(), "err", err)
		}
		s.eng.release(j)
		return
	}
	if dlq := tv.t.DeadLetterConfig; dlq != nil && dlq.Arn != "" {
		if err := s.deadLetter(ctx, j, rv, tv, o, exhausted); err != nil {
			s.cfg.Logger.Warn("bus: the dead-letter queue refused an event", "bus", j.bus, "rule", j.rule, "target", j.target, "err", err)
		}
	} else {
		s.cfg.Logger.Warn("bus: a delivery was given up", "bus", j.bus, "rule", j.rule, "target", j.target, "reason", o.Reason, "attempts", j.attempts+1)
	}
	s.eng.ack(j)
}
