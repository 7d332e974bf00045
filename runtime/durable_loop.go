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
func (d *Durable) Drain(ctx context.Context) error {
	for {
		moved, err := d.Store.TimersDue(ctx, d.now(), batch)
		if err != nil {
			return err
		}
		works, err := d.Store.WorkRead(ctx, d.consumer(), batch, 0)
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
		if err := d.Process(ctx, w.Item); err != nil {
			if ctx.Err() != nil {
				d.release(works[i:])
				break
			}
			slog.Error("work item failed; it will be retried after its lease", "item", w.Item.String(), "err", err)
			continue
		}
		done = append(done, w.ID)
	}
	if len(done) == 0 {
		return nil
	}
	// Acknowledge even when ctx has ended: the steps took effect.
	return d.Store.WorkAck(context.WithoutCancel(ctx), done...)
}

// release hands work back on shutdown, with a short deadline of its own.
func (d *Durable) release(works []store.Work) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Store.WorkRelease(ctx, works); err != nil {
		slog.Error("handing work back on shutdown; it will be taken over after its lease", "err", err)
	}
}

// Run works until ctx is done: Concurrency goroutines process ready work,
// and one fires due timers and takes over work whose lease ran out. Any
// number of processes may run it against one store. Work in hand when ctx
// ends is left leased and is taken over by another worker after the lease.
func (d *Durable) Run(ctx context.Context) error {
	d.consumer() // named once, before the goroutines share it
	n := d.Concurrency
	if n <= 0 {
		n = defaultConcurrency
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.work(ctx)
		}()
	}
	d.keep(ctx)
	wg.Wait()
	return nil
}

// defaultConcurrency is Run's default number of work goroutines.
const defaultConcurrency = 16

// workBatch is how many items one of Run's goroutines leases at a time:
// few, so that a worker that dies holds little for the others to take over.
const workBatch = 4

// work reads and carries out work items until ctx is done.
func (d *Durable) work(ctx context.Context) {
	for ctx.Err() == nil {
		works, err := d.Store.WorkRead(ctx, d.consumer(), workBatch, 100*time.Millisecond)
		if err != nil && !errors.Is(err, store.ErrCorrupt) && ctx.Err() == nil {
			slog.Error("reading work", "err", err)
		}
		if err := d.processAll(ctx, works); err != nil && ctx.Err() == nil {
			slog.Error("acknowledging work", "err", err)
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
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			if _, err := d.Store.TimersDue(ctx, d.now(), 1000); err != nil && ctx.Err() == nil {
				slog.Error("firing timers", "err", err)
			}
		case <-reclaim.C:
			d.recover(ctx, lease)
		}
	}
}

// recover takes over work whose lease ran out and hands over outboxes
// that a crashed worker left unflushed.
func (d *Durable) recover(ctx context.Context, lease time.Duration) {
	// Take over everything a dead worker held, not a batch per tick: the
	// work is handed straight back to the stream, for all goroutines.
	for ctx.Err() == nil {
		works, err := d.Store.WorkReclaim(ctx, d.consumer(), lease, 500)
		if err != nil && !errors.Is(err, store.ErrCorrupt) {
			slog.Error("reclaiming work", "err", err)
		}
		if len(works) == 0 {
			break
		}
		if err := d.Store.WorkRelease(ctx, works); err != nil {
			slog.Error("handing reclaimed work back", "err", err)
			break
		}
	}
	open, err := d.Store.OpenExecutions(ctx, &store.OpenExecutionsParams{StartedBefore: d.now().Add(-lease), Limit: 1000})
	if err != nil {
		slog.Error("listing open executions", "err", err)
		return
	}
	for _, e := range open {
		if _, err := d.Store.OutboxFlush(ctx, e.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			slog.Error("flushing an outbox", "execution", e.ID, "err", err)
		}
	}
}
