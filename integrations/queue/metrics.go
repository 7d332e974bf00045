package queue

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// MaxGaugeQueues bounds the queues the gauges read at each collection (the
// first by name): one store round trip each (store.QueueStats, O(log n)
// commands), so that a scrape of a store with many queues stays bounded.
const MaxGaugeQueues = 1000

// Gauge attributes: the queue, and a message's state.
const (
	attrQueueKey = attribute.Key("queue")
	attrStateKey = attribute.Key("state")
)

// RegisterGauges makes the queue router's gauges on meter, read from the
// store at each collection (a Prometheus scrape):
// signalbox.queue.messages by queue and state (visible, in_flight,
// delayed: SQS's ApproximateNumberOfMessages, ...NotVisible and
// ...Delayed), and signalbox.queue.oldest_message.age by queue, in
// seconds (CloudWatch's ApproximateAgeOfOldestMessage; 0 when empty). A
// collection whose store cannot be read reports no queue gauges.
func (s *Service) RegisterGauges(meter metric.Meter) error {
	messages, err := meter.Int64ObservableGauge("signalbox.queue.messages",
		metric.WithDescription("Messages of a queue, by state: visible (ready to receive), in_flight (received, not deleted, invisible), delayed."),
		metric.WithUnit("{message}"))
	if err != nil {
		return err
	}
	age, err := meter.Float64ObservableGauge("signalbox.queue.oldest_message.age",
		metric.WithDescription("How long ago the oldest message of a queue was sent (0: the queue is empty)."), metric.WithUnit("s"))
	if err != nil {
		return err
	}
	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		names, err := s.gaugeQueues(ctx)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		for _, name := range names {
			st, err := s.st.QueueStats(ctx, name, now)
			if err != nil {
				continue // deleted since it was listed
			}
			q := attrQueueKey.String(name)
			o.ObserveInt64(messages, st.Visible, metric.WithAttributes(q, attrStateKey.String("visible")))
			o.ObserveInt64(messages, st.NotVisible, metric.WithAttributes(q, attrStateKey.String("in_flight")))
			o.ObserveInt64(messages, st.Delayed, metric.WithAttributes(q, attrStateKey.String("delayed")))
			oldest := 0.0
			if !st.Oldest.IsZero() && now.After(st.Oldest) {
				oldest = now.Sub(st.Oldest).Seconds()
			}
			o.ObserveFloat64(age, oldest, metric.WithAttributes(q))
		}
		return nil
	}, messages, age)
	return err
}

// gaugeQueues lists the first MaxGaugeQueues queues by name.
func (s *Service) gaugeQueues(ctx context.Context) ([]string, error) {
	var names []string
	token := ""
	for len(names) < MaxGaugeQueues {
		page, err := s.ListQueues(ctx, &ListInput{MaxResults: min(1000, MaxGaugeQueues-len(names)), NextToken: token})
		if err != nil {
			return nil, err
		}
		names = append(names, page.Names...)
		if token = page.NextToken; token == "" {
			break
		}
	}
	return names, nil
}
