package queue

import (
	"context"
	"slices"
	"time"

	"github.com/signalbox/signalbox/integrations"
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
	// ids are message ids made ahead, 36 bytes each (integrations.NewUUIDs),
	// batch how many to make at once
	ids   string
	batch int
}

// fanoutMemo is what prepare made of the input for one configuration.
type fanoutMemo struct {
	conf queueConf
	msg  store.QueueMessage
	ok   bool // false: Send would refuse the message
}

// Fanout returns a Fanout of in at now, for about queues queues (0: not
// known): the message ids of the copies after the first are made that
// many at once (one read of the random source, one string), then 8 at a
// time.
func (s *Service) Fanout(in *SendInput, now time.Time, queues int) *Fanout {
	return &Fanout{s: s, in: in, now: now, batch: max(queues-1, 1)}
}

// newID is a new message id, a random UUID as newUUID's.
func (f *Fanout) newID() string {
	if len(f.ids) == 0 {
		f.ids = integrations.NewUUIDs(f.batch)
		f.batch = 8
	}
	id := f.ids[:36]
	f.ids = f.ids[36:]
	return id
}

// Prepare is Service.Prepare of the Fanout's input and time for the queue
// named name.
func (f *Fanout) Prepare(ctx context.Context, name string) (Prepared, bool) {
	_, conf, err := f.s.hotConf(ctx, name)
	if err != nil {
		return Prepared{}, false
	}
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
	m.ID = f.newID()
	return f.s.prepared(name, m), true
}
