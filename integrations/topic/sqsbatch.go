package topic

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/signalbox/signalbox/integrations/queue"
)

// Deliveries to one queue are sent in batches (group commit): a worker
// with a message for a queue adds it to the queue's lane and, unless
// enough senders already work on the lane, becomes one: it sends what the
// lane holds, up to 10 messages and 256 KiB a batch (SendMessageBatch's
// limits), until the lane is empty; the other workers wait for their
// message's outcome. One batch costs the queue router what one message
// does (a record read and a script), so a queue with many deliveries
// pending takes them ten at a time. A FIFO queue's lane has one sender,
// which keeps each lane's order; a standard queue's up to
// maxLaneSenders.

const (
	maxLaneSenders = 2
	laneBatch      = 10
	laneBatchBytes = 256 * 1024
	maxLanes       = 10_000
)

type sqsLanes struct {
	mu    sync.Mutex
	lanes map[string]*lane
}

type lane struct {
	mu      sync.Mutex
	pending []*laneSend
	senders int
}

// laneSend is one message waiting in a lane, and its outcome once sent.
type laneSend struct {
	in   queue.SendInput
	size int
	done chan struct{}
	// entry is the queue's answer to this message; err the whole batch's.
	entry *queue.Error
	err   error
}

func (l *sqsLanes) lane(name string) *lane {
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

// send sends one message to a queue through its lane, and returns the
// queue's answer to it.
func (l *sqsLanes) send(ctx context.Context, q *queue.Service, name string, in queue.SendInput) error {
	size := len(in.Body)
	for k, a := range in.Attributes {
		size += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	r := &laneSend{in: in, size: size, done: make(chan struct{})}
	ln := l.lane(name)
	limit := maxLaneSenders
	if strings.HasSuffix(name, ".fifo") {
		limit = 1
	}
	ln.mu.Lock()
	ln.pending = append(ln.pending, r)
	if ln.senders >= limit {
		ln.mu.Unlock()
		select {
		case <-r.done:
			return r.result()
		case <-ctx.Done():
			return ctx.Err() // it may still be sent: the delivery is made again (at least once)
		}
	}
	ln.senders++
	ln.mu.Unlock()
	for {
		ln.mu.Lock()
		batch := ln.take()
		if len(batch) == 0 {
			ln.senders--
			ln.mu.Unlock()
			break
		}
		ln.mu.Unlock()
		sendBatch(ctx, q, name, batch)
	}
	<-r.done
	return r.result()
}

func (r *laneSend) result() error {
	if r.err != nil {
		return r.err
	}
	if r.entry != nil {
		return r.entry
	}
	return nil
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

// sendBatch sends a batch and hands each message its outcome.
func sendBatch(ctx context.Context, q *queue.Service, name string, batch []*laneSend) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	if len(batch) == 1 {
		_, err := q.Send(ctx, name, []queue.SendInput{batch[0].in})
		var qe *queue.Error
		if errors.As(err, &qe) && !qe.Server {
			batch[0].entry = qe
		} else {
			batch[0].err = err
		}
		return
	}
	ins := make([]queue.SendInput, len(batch))
	for i, r := range batch {
		ins[i] = r.in
		ins[i].ID = "e" + strconv.Itoa(i)
	}
	res, err := q.Send(ctx, name, ins)
	var qe *queue.Error
	if errors.As(err, &qe) && qe.Code == "BatchRequestTooLong" {
		// the queue's limit is below 256 KiB: one at a time
		for i, r := range batch {
			single := &laneSend{in: r.in, done: make(chan struct{})}
			sendBatch(ctx, q, name, []*laneSend{single})
			batch[i].entry, batch[i].err = single.entry, single.err
		}
		return
	}
	for i, r := range batch {
		switch {
		case err != nil:
			if errors.As(err, &qe) && !qe.Server {
				r.entry = qe
			} else {
				r.err = err
			}
		case i < len(res) && res[i].Err != nil:
			r.entry = res[i].Err
		}
	}
}
