package queue

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// Lanes send messages to queues in batches (group commit), for the routers
// that deliver to queues (topics, buses): a message for a queue joins the
// queue's lane, and the lane's sender sends what the lane holds, up to 10
// messages and 256 KiB a batch (SendMessageBatch's limits), until the lane
// is empty, handing each message its outcome. One batch costs the queue
// router about what one message does (a record read and a script), so the
// busier a queue, the larger its batches. Callers need not wait for the
// lanes: Enqueue's done runs on the lane's sender. A FIFO queue's lane has
// one sender, which keeps the lane's order; a standard queue's a second
// one while a full batch waits.

const (
	maxLaneSenders = 2
	laneBatch      = 10
	laneBatchBytes = 256 * 1024
	maxLanes       = 10_000
)

// Lanes is a set of lanes, one per queue, on the queue router q. Its zero
// value is not usable: NewLanes.
type Lanes struct {
	q     *Service
	mu    sync.Mutex
	lanes map[string]*lane
}

// NewLanes returns lanes to q's queues.
func NewLanes(q *Service) *Lanes { return &Lanes{q: q} }

type lane struct {
	mu      sync.Mutex
	pending []*laneSend
	senders int
}

// laneSend is one message waiting in a lane, and what to do with the
// queue's answer to it.
type laneSend struct {
	in   SendInput
	size int
	done func(error)
}

func (l *Lanes) lane(name string) *lane {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lanes == nil || len(l.lanes) >= maxLanes {
		l.lanes = map[string]*lane{} // lanes in use carry on: their senders hold them
	}
	ln := l.lanes[name]
	if ln == nil {
		ln = &lane{}
		l.lanes[name] = ln
	}
	return ln
}

// Enqueue adds a message to its queue's lane; done gets the queue's answer
// to it (nil, an *Error for the message, or the batch's error), from the
// lane's sender.
func (l *Lanes) Enqueue(ctx context.Context, name string, in SendInput, done func(error)) {
	size := len(in.Body)
	for k, a := range in.Attributes {
		size += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	ln := l.lane(name)
	limit := maxLaneSenders
	if strings.HasSuffix(name, ".fifo") {
		limit = 1
	}
	ln.mu.Lock()
	ln.pending = append(ln.pending, &laneSend{in: in, size: size, done: done})
	start := ln.senders == 0 || ln.senders < limit && len(ln.pending) >= laneBatch
	if start {
		ln.senders++
	}
	ln.mu.Unlock()
	if start {
		go ln.drain(ctx, l.q, name)
	}
}

// Send sends one message through its queue's lane and waits for the
// queue's answer.
func (l *Lanes) Send(ctx context.Context, name string, in SendInput) error {
	answer := make(chan error, 1)
	l.Enqueue(ctx, name, in, func(err error) { answer <- err })
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		return ctx.Err() // it may still be sent: the delivery is made again (at least once)
	}
}

// drain sends the lane's batches until it is empty.
func (ln *lane) drain(ctx context.Context, q *Service, name string) {
	for {
		ln.mu.Lock()
		batch := ln.take()
		if len(batch) == 0 {
			ln.senders--
			ln.mu.Unlock()
			return
		}
		ln.mu.Unlock()
		errs := sendBatch(ctx, q, name, batch)
		for i, r := range batch {
			r.done(errs[i])
		}
	}
}

// take removes the next batch from the lane (its mutex held).
func (ln *lane) take() []*laneSend {
	n, bytes := 0, 0
	for n < len(ln.pending) && n < laneBatch {
		if n > 0 && bytes+ln.pending[n].size > laneBatchBytes {
			break
		}
		bytes += ln.pending[n].size
		n++
	}
	batch := ln.pending[:n:n]
	ln.pending = ln.pending[n:]
	if len(ln.pending) == 0 {
		ln.pending = nil
	}
	return batch
}

// sendBatch sends a batch and returns each message's outcome.
func sendBatch(ctx context.Context, q *Service, name string, batch []*laneSend) []error {
	errs := make([]error, len(batch))
	if len(batch) == 1 {
		_, errs[0] = q.Send(ctx, name, []SendInput{batch[0].in})
		return errs
	}
	ins := make([]SendInput, len(batch))
	for i, r := range batch {
		ins[i] = r.in
		ins[i].ID = "e" + strconv.Itoa(i)
	}
	res, err := q.Send(ctx, name, ins)
	var qe *Error
	if errors.As(err, &qe) && qe.Code == "BatchRequestTooLong" {
		// the queue's limit is below 256 KiB: one at a time
		for i, r := range batch {
			_, errs[i] = q.Send(ctx, name, []SendInput{r.in})
		}
		return errs
	}
	for i := range batch {
		switch {
		case err != nil:
			errs[i] = err
		case i < len(res) && res[i].Err != nil:
			errs[i] = res[i].Err
		}
	}
	return errs
}
