package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Stats are a queue's depths, for metrics: what GetQueueAttributes's
// ApproximateNumberOf... give, and the age of its oldest message not in
// flight (CloudWatch's ApproximateAgeOfOldestMessage, but for a message
// in flight, which counts again once its visibility timeout puts it
// back; 0 when there is none).
type Stats struct {
	Name       string
	Visible    int64
	NotVisible int64
	Delayed    int64
	OldestAge  time.Duration
}

// Stats returns a queue's depths: one round trip of O(log n) commands,
// cheap enough for every scrape.
func (s *Service) Stats(ctx context.Context, name string) (*Stats, error) {
	if !validName(name) {
		return nil, errQueueMissing()
	}
	now := s.now()
	st, err := s.st.QueueStats(ctx, name, now)
	if err != nil {
		return nil, storeError(err)
	}
	out := &Stats{Name: name, Visible: st.Visible, NotVisible: st.NotVisible, Delayed: st.Delayed}
	if !st.Oldest.IsZero() {
		out.OldestAge = max(now.Sub(st.Oldest), 0)
	}
	return out, nil
}

// AllStats returns every queue's depths, in name order (a round trip per
// queue and one per 1,000 names).
func (s *Service) AllStats(ctx context.Context) ([]Stats, error) {
	var out []Stats
	after := ""
	for {
		names, next, err := s.st.QueueList(ctx, "", after, maxListResults)
		if err != nil {
			return nil, storeError(err)
		}
		for _, n := range names {
			st, err := s.Stats(ctx, n)
			if isMissing(err) {
				continue // deleted meanwhile
			}
			if err != nil {
				return nil, err
			}
			out = append(out, *st)
		}
		if next == "" {
			return out, nil
		}
		after = next
	}
}

// meters count messages sent, received and deleted per queue
// (signalbox.queue.messages, with the attributes queue and operation):
// nil instruments when Config.Meter is nil.
type meters struct {
	messages metric.Int64Counter
	sets     *countSets
}

// countSets are the counts' attribute sets by queue and operation, made
// once: a set made for each count (sorted, copied, hashed) was most of a
// count's cost, and the topic router's direct fanout counts a send per
// queue and publish. Each is kept as the options slice Add takes, so that
// a count allocates none. At most maxCountSets; full, it starts over.
type countSets struct {
	m sync.Map // [2]string{queue, operation} → []metric.AddOption
	n atomic.Int64
}

const maxCountSets = 10_000

func newMeters(m metric.Meter) (meters, error) {
	if m == nil {
		return meters{}, nil
	}
	c, err := m.Int64Counter("signalbox.queue.messages", metric.WithUnit("{message}"),
		metric.WithDescription("Queue messages sent, received and deleted, by queue and operation."))
	return meters{messages: c, sets: &countSets{}}, err
}

func (m meters) count(ctx context.Context, queue, op string, n int) {
	if m.messages == nil || n == 0 {
		return
	}
	m.messages.Add(ctx, int64(n), m.sets.of(queue, op)...)
}

// of returns the options (the attributes) of a count of op on queue.
func (c *countSets) of(queue, op string) []metric.AddOption {
	k := [2]string{queue, op}
	if o, ok := c.m.Load(k); ok {
		return o.([]metric.AddOption)
	}
	if c.n.Add(1) > maxCountSets {
		c.m.Clear()
		c.n.Store(1)
	}
	o := []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("queue", queue), attribute.String("operation", op)))}
	c.m.Store(k, o)
	return o
}
