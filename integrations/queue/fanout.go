package queue

import (
	"context"
	"slices"
	"time"

	"github.com/signalbox/signalbox/store"
)

// A Fanout prepares one message for several queues (the topic router's
// direct fanout writes a message into each subscribed queue): Prepare for
// each queue, with the work done once for all the queues that take a
// message alike (the same attributes bear on the send: FIFO, content-based
// deduplication and its scope, maximum size, delay). For each of those
// after the first only the message's id is new, as SQS gives each queue's
// copy an id of its own; the payload's bytes are shared, and must not be
// changed. The input must not change while the Fanout is in use. Not safe
// for concurrent use.
type Fanout struct {
	s     *Service
	in    *SendInput
	now   time.Time
	memos []fanoutMemo // few: the queues' configurations seen
}

// fanoutMemo is what prepare made of the input for one configuration.
type fanoutMemo struct {
	conf queueConf
	msg  store.QueueMessage
	ok   bool // false: Send would refuse the message
}

// Fanout returns a Fanout of in at now.
func (s *Service) Fanout(in *SendInput, now time.Time) *Fanout {
	return &Fanout{s: s, in: in, now: now}
}

// Prepare is Service.Prepare of the Fanout's input and time for the queue
// named name.
func (f *Fanout) Prepare(ctx context.Context, name string) (Prepared, bool) {
	rec, err := f.s.hotRecord(ctx, name)
	if err != nil {
		return Prepared{}, false
	}
	conf := confOf(rec)
	i := slices.IndexFunc(f.memos, func(mo fanoutMemo) bool { return mo.conf == conf })
	if i < 0 {
		m, _, e := f.s.prepare(f.in, conf, f.now)
		f.memos = append(f.memos, fanoutMemo{conf: conf, msg: m, ok: e == nil})
		if e != nil {
			return Prepared{}, false
		}
		return f.s.prepared(name, m), true
	}
	mo := f.memos[i]
	if !mo.ok {
		return Prepared{}, false
	}
	m := mo.msg
	m.ID = newUUID()
	return f.s.prepared(name, m), true
}
