package topic

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/store"
)

// A publishGroup joins the publishes of a standard topic's view that come
// at once into one publish script (group commit): a publish finding no
// script of the view's under way runs its own at once; those arriving
// meanwhile wait and go together in the next, up to maxGroupMessages
// messages and maxGroupBytes of them (their direct copies included) a
// script, at most maxGroupScripts scripts at a time (a second
// starts when a full PublishBatch's worth waits). Every publish of a view
// names the view's version, so one script's check holds for all of them.
// Measured (bench topic, Publish from 32 clients to a topic of one queue,
// into the queue, with the scripts' fewer commands): 0.4 scripts per
// publish instead of 1.2, all of them counted (queue sends and acks too);
// docs/topic.md has the figures.
//
// A FIFO topic's publishes are not joined: they are serialized by the
// view's pub lock, to keep their sequence order.
type publishGroup struct {
	mu      sync.Mutex
	pending []*groupedPublish
	waiting int // messages in pending
	running int // scripts under way
}

const (
	maxGroupMessages = 100
	maxGroupBytes    = 4 << 20
	maxGroupScripts  = 2
)

// groupedPublish is one publish's messages, waiting for a script.
type groupedPublish struct {
	msgs  []store.TopicMessage
	bytes int // the messages' payloads and direct copies
	now   time.Time
	out   []store.TopicPublished
	err   error
	// answered is set once out and err are; wake then carries false. Before
	// that, wake carries true at most once (lead, under the group's lock):
	// the publish's goroutine is to run the group's scripts (runGroup).
	answered atomic.Bool
	lead     bool // given the lead, or started the group's scripts itself
	wake     chan bool
}

// publishGrouped publishes msgs to the topic of v (standard), at now, in
// a script of its own or together with other publishes of v: the
// messages' outcomes in order, or the script's error. It waits for the
// script whatever ctx does (the store bounds every call by its deadline):
// a publish is answered only once its messages are stored, or are not.
func (s *Service) publishGrouped(ctx context.Context, v *view, msgs []store.TopicMessage, now time.Time) ([]store.TopicPublished, error) {
	g := &v.group
	p := &groupedPublish{msgs: msgs, bytes: messageBytes(msgs), now: now, wake: make(chan bool, 2)}
	g.mu.Lock()
	g.pending = append(g.pending, p)
	g.waiting += len(msgs)
	start := g.running == 0 || g.running < maxGroupScripts && g.waiting >= maxBatch
	if start {
		g.running++
		p.lead = true
	}
	g.mu.Unlock()
	if start {
		s.runGroup(context.WithoutCancel(ctx), v, p)
	}
	for <-p.wake {
		s.runGroup(context.WithoutCancel(ctx), v, p)
	}
	return p.out, p.err
}

// runGroup runs scripts of v's waiting publishes until none waits, or
// once own has been answered, when it hands what still waits to the
// goroutine of the first publish waiting (which runs runGroup in turn),
// unless that one has the lead already: a publish waits for its own
// script, not for others' after it, and the scripts go on in the
// goroutines of the publishes, with no goroutine started nor woken but
// theirs. The caller holds one of g.running, which runGroup passes on or
// gives back.
func (s *Service) runGroup(ctx context.Context, v *view, own *groupedPublish) {
	g := &v.group
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.running--
			g.mu.Unlock()
			return
		}
		if own.answered.Load() {
			if next := g.pending[0]; !next.lead {
				// before next can be taken, so before it is answered:
				// next's goroutine reads true first
				next.lead = true
				next.wake <- true
			} else {
				g.running--
			}
			g.mu.Unlock()
			return
		}
		batch := g.take()
		g.mu.Unlock()
		s.commitGroup(ctx, v, batch)
	}
}

// take takes the next script's publishes from those waiting, in order:
// at least one, and as many more as maxGroupMessages and maxGroupBytes
// allow. g.mu is held.
func (g *publishGroup) take() []*groupedPublish {
	var batch []*groupedPublish
	n, size := 0, 0
	for len(g.pending) > 0 {
		p := g.pending[0]
		if n > 0 && (n+len(p.msgs) > maxGroupMessages || size+p.bytes > maxGroupBytes) {
			break
		}
		n, size = n+len(p.msgs), size+p.bytes
		batch = append(batch, p)
		g.pending[0] = nil
		g.pending = g.pending[1:]
	}
	g.waiting -= n
	return batch
}

// messageBytes is what msgs weigh in a publish script's arguments.
func messageBytes(msgs []store.TopicMessage) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Payload)
		for _, d := range m.Direct {
			n += len(d.Message.Payload)
		}
	}
	return n
}

// commitGroup publishes a batch of publishes in one script and answers
// each.
func (s *Service) commitGroup(ctx context.Context, v *view, batch []*groupedPublish) {
	msgs := batch[0].msgs
	now := batch[0].now
	if len(batch) > 1 {
		msgs = nil
		for _, p := range batch {
			msgs = append(msgs, p.msgs...)
			if p.now.After(now) {
				now = p.now
			}
		}
	}
	out, err := s.st.TopicPublish(ctx, &store.TopicPublishParams{Topic: v.name, Version: v.version, Messages: msgs, Now: now,
		LeaseUntil: now.Add(s.cfg.DeliveryLease), DedupWindow: dedupWindow})
	for _, p := range batch {
		if err != nil {
			p.err = err
		} else {
			p.out, out = out[:len(p.msgs):len(p.msgs)], out[len(p.msgs):]
		}
		p.answered.Store(true)
		p.wake <- false
	}
}
