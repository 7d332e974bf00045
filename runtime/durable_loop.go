package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// consumer returns this worker's name in the ready stream's group.
func (d *Durable) consumer() string {
	if d.Consumer == "" {
		host, _ := os.Hostname()
		d.Consumer = fmt.Sprintf("%s-%d-%x", cmpOr(host, "worker"), os.Getpid(), rand.Uint32())
	}
	return d.Consumer
}

// batch is how many work items a worker reads at once.
const batch = 32

// Drain processes work until none is ready and no timer is due, on this
// goroutine. Tests and one-shot runs use it; servers use Run.
func (d *Durable) Drain(ctx context.Context) error { return fromStore(d.drain(ctx)) }

func (d *Durable) drain(ctx context.Context) error {
	for {
		moved, err := d.store.TimersDue(ctx, d.now(), batch)
		if err != nil {
			return err
		}
		works, err := d.store.WorkRead(ctx, d.consumer(), batch, 0)
		if err != nil && !errors.Is(err, store.ErrCorrupt) {
			return err
		}
		if len(works) == 0 && moved == 0 {
			return nil
		}
		if err := d.processAll(ctx, works); err != nil {
			return err
		}
	}
}

// DrainVirtual runs the store's work on this goroutine until the execution
// id closes, moving a virtual clock (advance, which Now must read) to the
// next timer whenever no work is ready: a Wait of a year takes no time.
// It fails when the execution still runs with neither work nor timer left.
// The cross-engine tests and one-shot runs on a virtual clock use it.
func (d *Durable) DrainVirtual(ctx context.Context, id string, advance func(to time.Time)) error {
	for {
		if err := d.Drain(ctx); err != nil {
			return err
		}
		e, err := d.Describe(ctx, id)
		if err != nil {
			return err
		}
		if Status(e.Status) != StatusRunning {
			return nil
		}
		due, ok, err := d.store.TimerNext(ctx)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("execution %s is running with no work ready and no timer set", id)
		}
		if due.After(d.now()) {
			advance(due)
		}
	}
}

// processAll processes and acknowledges work items; an item whose
// processing fails stays leased, and another worker takes it over once the
// lease runs out.
func (d *Durable) processAll(ctx context.Context, works []store.Work) error {
	var done []string
	for i, w := range works {
		if ctx.Err() != nil {
			// Shutting down: hand the rest back to the other workers now
			// rather than when their leases run out.
			d.release(works[i:])
			break
		}
		if d.processOne(ctx, w, nil) {
			done = append(done, w.ID)
		}
	}
	if len(done) == 0 {
		return nil
	}
	// Acknowledge even when ctx has ended: the steps took effect.
	return d.store.WorkAck(context.WithoutCancel(ctx), done...)
}

// processOne carries out one work item and reports whether it is to be
// acknowledged. An item whose processing fails stays leased (and is
// logged); one left unstarted at shutdown is handed back.
//
// closed is as for process.
func (d *Durable) processOne(ctx context.Context, w store.Work, closed *string) bool {
	if ctx.Err() != nil {
		d.release([]store.Work{w})
		return false
	}
	if err := d.process(ctx, w.Item, nil, closed); err != nil {
		if ctx.Err() != nil {
			d.release([]store.Work{w})
			return false
		}
		lctx, arn := d.logContext(ctx, w.Item.Exec)
		slog.ErrorContext(lctx, "work item failed; it will be retried after its lease", "execution", arn, "item", w.Item.String(), "err", err)
		return false
	}
	return true
}

// release hands work back on shutdown, with a short deadline of its own.
func (d *Durable) release(works []store.Work) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.WorkRelease(ctx, works); err != nil {
		slog.Error("handing work back on shutdown; it will be taken over after its lease", "err", err)
	}
}

// Run works until ctx is done: one fetcher reads work items from the
// ready stream, only as many as there are idle workers, and hands them to
// Concurrency goroutines; one more fires due timers and takes over work
// whose lease ran out. Any number of processes may run it against one
// store. When ctx ends, work not started is handed back to the stream for
// the other workers, and work in hand is finished or, failing that, taken
// over after its lease.
func (d *Durable) Run(ctx context.Context) error { return fromStore(d.run(ctx)) }

func (d *Durable) run(ctx context.Context) error {
	d.consumer() // named once, before the goroutines share it
	n := d.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	// idle holds one token per idle worker: the fetcher leases no more
	// work than there are workers free to start it, so a worker that dies
	// holds little for the others to take over.
	idle := make(chan struct{}, n)
	for range n {
		idle <- struct{}{}
	}
	items := make(chan store.Work)
	// acks carries the items done, which the fetcher settles with its
	// next read: at most one per worker is pending.
	acks := make(chan settled, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range items {
				var closed string
				if d.processOne(ctx, w, &closed) {
					acks <- settled{id: w.ID, closed: closed}
				} else if closed != "" {
					acks <- settled{closed: closed}
				}
				idle <- struct{}{}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.keep(ctx)
	}()
	done := d.fetch(ctx, idle, items, acks)
	close(items)
	wg.Wait()
	// Settle what was done since the last read: the steps took effect.
	for len(acks) > 0 {
		done.add(<-acks)
	}
	bg := context.WithoutCancel(ctx)
	if err := d.store.WorkAck(bg, done.ids...); err != nil {
		slog.Error("acknowledging work at shutdown; it will be dropped as stale after its lease", "err", err)
	}
	for _, id := range done.closed {
		_ = d.store.OpenExecutionRemove(bg, id) // else the recoverer drops it
	}
	return nil
}

// settled is a work item done: its entry id ("" when it is not to be
// acknowledged) and the execution it closed ("" for none).
type settled struct{ id, closed string }

// settlement is what the fetcher settles with its next read.
type settlement struct{ ids, closed []string }

func (s *settlement) add(x settled) {
	if x.id != "" {
		s.ids = append(s.ids, x.id)
	}
	if x.closed != "" {
		s.closed = append(s.closed, x.closed)
	}
}

// DefaultConcurrency is Run's default number of work goroutines: goroutines
// are cheap, and a step's commands share round trips with the others' in
// the automatic pipeline, so throughput grows with the number in flight
// (measured: 32 → 13,500 transitions/s, 128 → 17,600, 512 → 24,300 on two
// cores). A process that dies holds that many items until their leases end.
const DefaultConcurrency = 256

// fetch reads work items for the idle workers until ctx is done.
// It settles the items done with each read (acknowledges them, and
// removes the executions they closed from the open index), and returns
// those done since the last one.
func (d *Durable) fetch(ctx context.Context, idle chan struct{}, items chan<- store.Work, acks chan settled) (done settlement) {
	health := newLoopHealth("reading work", slog.Default())
	for {
		// Wait for one idle worker, then count the others.
		select {
		case <-ctx.Done():
			return done
		case <-idle:
		}
		free := 1
	count:
		for free < cap(idle) {
			select {
			case <-idle:
				free++
			default:
				break count
			}
		}
		for len(acks) > 0 {
			done.add(<-acks)
		}
		works, err := d.store.WorkAckRead(ctx, d.consumer(), done.ids, done.closed, free, 100*time.Millisecond)
		if err != nil && !errors.Is(err, store.ErrCorrupt) && ctx.Err() == nil {
			// Redis is failing: back off, say so once
			select {
			case <-ctx.Done():
			case <-time.After(health.failed(err)):
			}
		} else if err == nil {
			health.ok()
		}
		if err == nil || errors.Is(err, store.ErrCorrupt) {
			done = settlement{}
		}
		for i, w := range works {
			select {
			case items <- w:
			case <-ctx.Done():
				d.release(works[i:])
				return done
			}
		}
		for range free - len(works) {
			idle <- struct{}{}
		}
	}
}

// keep fires due timers and recovers abandoned work until ctx is done.
func (d *Durable) keep(ctx context.Context) {
	lease := d.lease()
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	reclaim := time.NewTicker(lease / 2)
	defer reclaim.Stop()
	k := newKeeper(d, lease, slog.Default())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-poll.C:
			k.fireTimers(ctx, now)
		case now := <-reclaim.C:
			k.recover(ctx, now)
		}
	}
}

// keeper is keep's state: while the store fails, each of its two jobs
// backs off and says so once, and once more when the store answers again.
// Its methods take the tick's time: tests give their own.
type keeper struct {
	d                  *Durable
	lease              time.Duration
	timers, recovering *loopHealth
	// while the store fails, ticks before these are skipped
	timersAt, recoverAt time.Time
}

func newKeeper(d *Durable, lease time.Duration, log *slog.Logger) *keeper {
	return &keeper{d: d, lease: lease, timers: newLoopHealth("firing timers", log), recovering: newLoopHealth("recovering work", log)}
}

// fireTimers fires the due timers, unless it is backing off at now.
func (k *keeper) fireTimers(ctx context.Context, now time.Time) {
	if now.Before(k.timersAt) {
		return
	}
	if _, err := k.d.store.TimersDue(ctx, k.d.now(), 1000); err != nil && ctx.Err() == nil {
		k.timersAt = now.Add(k.timers.failed(err))
	} else if err == nil {
		k.timers.ok()
	}
}

// recover recovers abandoned work, unless it is backing off at now.
func (k *keeper) recover(ctx context.Context, now time.Time) {
	if now.Before(k.recoverAt) {
		return
	}
	if err := k.d.recover(ctx, k.lease); err != nil && ctx.Err() == nil {
		k.recoverAt = now.Add(k.recovering.failed(err))
	} else if err == nil {
		k.recovering.ok()
	}
}

// recover takes over work whose lease ran out and hands over outboxes
// that a crashed worker left unflushed. It stops at the first failure of
// the store, and returns it: the next pass starts again.
func (d *Durable) recover(ctx context.Context, lease time.Duration) error {
	// Take over everything a dead worker held, not a batch per tick: the
	// work is handed straight back to the stream, for all goroutines.
	for ctx.Err() == nil {
		works, err := d.store.WorkReclaim(ctx, d.consumer(), lease, 500)
		if errors.Is(err, store.ErrCorrupt) {
			slog.Error("reclaiming work", "err", err)
		} else if err != nil {
			return fmt.Errorf("reclaiming work: %w", err)
		}
		if len(works) == 0 {
			break
		}
		if err := d.store.WorkRelease(ctx, works); err != nil {
			return fmt.Errorf("handing reclaimed work back: %w", err)
		}
	}
	return d.recoverOutboxes(ctx, lease)
}

// recoverPage is how many open executions the recoverer reads at once.
const recoverPage = 500

// recoverOutboxes goes through every execution in the open index that
// started more than a lease ago: it hands over what a crashed worker left
// in its outbox, and drops the entries of executions that are closed (a
// crash between the close and the index's update) or gone (their
// retention ran out, or a crash during their creation), which would
// otherwise pile up at the head of the index.
//
// On a Redis Cluster the execution and the index are in different slots,
// so a redrive that reopens an execution between the status read and the
// removal can lose its entry; the redrive itself hands its work over, and
// only a later crash of its worker would then wait for the next redrive or
// start of it.
//
// It stops at the first failure of the store (store.Unavailable), and
// returns it; an execution's other failures are logged, and it goes on.
func (d *Durable) recoverOutboxes(ctx context.Context, lease time.Duration) error {
	before := d.now().Add(-lease)
	offset := 0
	for ctx.Err() == nil {
		open, err := d.store.OpenExecutions(ctx, &store.OpenExecutionsParams{StartedBefore: before, Offset: offset, Limit: recoverPage})
		if err != nil {
			return fmt.Errorf("listing open executions: %w", err)
		}
		ids := make([]string, len(open))
		for i, e := range open {
			ids[i] = e.ID
		}
		states, err := d.store.OpenExecutionStates(ctx, ids)
		if err != nil {
			return fmt.Errorf("reading open executions: %w", err)
		}
		dropped := 0
		for i, st := range states {
			switch {
			case st.Status != store.StatusRunning:
				// A closed execution's outbox may still hold what its end
				// handed over (a parent's notification, the stop of a
				// nested execution: nested.go): flushed before the index
				// forgets it.
				if st.Outbox > 0 {
					if _, err := d.store.OutboxFlush(ctx, ids[i]); store.Unavailable(err) {
						return fmt.Errorf("flushing an outbox: %w", err)
					} else if err != nil && !errors.Is(err, store.ErrNotFound) {
						slog.Error("flushing an outbox", "execution", ids[i], "err", err)
						continue
					}
				}
				if err := d.store.OpenExecutionRemove(ctx, ids[i]); store.Unavailable(err) {
					return fmt.Errorf("dropping an ended execution from the open index: %w", err)
				} else if err != nil {
					slog.Error("dropping an ended execution from the open index", "execution", ids[i], "err", err)
					continue
				}
				dropped++
			case st.Outbox > 0:
				if _, err := d.store.OutboxFlush(ctx, ids[i]); store.Unavailable(err) {
					return fmt.Errorf("flushing an outbox: %w", err)
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					slog.Error("flushing an outbox", "execution", ids[i], "err", err)
				}
			}
		}
		if len(open) < recoverPage {
			return nil
		}
		offset += len(open) - dropped
	}
	return nil
}
