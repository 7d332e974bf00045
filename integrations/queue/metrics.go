package queue

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Gauge attributes: the queue, and a message's state.
const (
	attrQueueKey = attribute.Key("queue")
	attrStateKey = attribute.Key("state")
)

// RegisterGauges makes the queue router's gauges on meter, read from the
// store at each collection (a Prometheus scrape; AllStats: a round trip
// per queue): signalbox.queue.depth by queue and state (visible,
// in_flight, delayed: SQS's ApproximateNumberOfMessages, ...NotVisible
// and ...Delayed), and signalbox.queue.oldest_message.age by queue, in
// seconds (CloudWatch's ApproximateAgeOfOldestMessage, of the messages
// not in flight; 0 when there is none).
// (signalbox.queue.messages is Config.Meter's counter of messages sent,
// received and deleted.) A collection whose store cannot be read reports
// no queue gauges.
func (s *Service) RegisterGauges(meter metric.Meter) error {
	depth, err := meter.Int64ObservableGauge("signalbox.queue.depth",
		metric.WithDescription("Messages of a queue, by state: visible (ready to receive), in_flight (received, not deleted, invisible), delayed."),
		metric.WithUnit("{message}"))
	if err != nil {
		return err
	}
	age, err := meter.Float64ObservableGauge("signalbox.queue.oldest_message.age",
		metric.WithDescription("How long ago the oldest message of a queue not in flight was sent (0: there is none)."), metric.WithUnit("s"))
	if err != nil {
		return err
	}
	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		all, err := s.AllStats(ctx)
		if err != nil {
			return err
		}
		for _, st := range all {
			q := attrQueueKey.String(st.Name)
			o.ObserveInt64(depth, st.Visible, metric.WithAttributes(q, attrStateKey.String("visible")))
			o.ObserveInt64(depth, st.NotVisible, metric.WithAttributes(q, attrStateKey.String("in_flight")))
			o.ObserveInt64(depth, st.Delayed, metric.WithAttributes(q, attrStateKey.String("delayed")))
			o.ObserveFloat64(age, st.OldestAge.Seconds(), metric.WithAttributes(q))
		}
		return nil
	}, depth, age)
	return err
}
