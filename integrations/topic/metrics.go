package topic

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// meters are the Service's instruments: signalbox.topic.deliveries counts
// delivery outcomes (delivered, retried, failed, dead_lettered) by topic,
// subscription and protocol.
type meters struct {
	deliveries metric.Int64Counter
}

func newMeters(m metric.Meter) meters {
	if m == nil {
		return meters{}
	}
	c, err := m.Int64Counter("signalbox.topic.deliveries", metric.WithUnit("{delivery}"),
		metric.WithDescription("Deliveries of the topic router, by topic, subscription, protocol and outcome"))
	if err != nil {
		return meters{}
	}
	return meters{deliveries: c}
}

// count records one outcome of a subscription's delivery.
func (e *engine) count(sv *subView, outcome string) { e.countN(sv, outcome, 1) }

// countN records n outcomes of a subscription's deliveries.
func (e *engine) countN(sv *subView, outcome string, n int) {
	if e.meters.deliveries == nil {
		return
	}
	var o []metric.AddOption
	if outcome == "delivered" {
		// made once per subscription (the direct fanout counts one per
		// subscription and publish), as the slice Add takes: no
		// allocation a count
		p := sv.delivered.Load()
		if p == nil {
			p = &[]metric.AddOption{sv.countAttributes(outcome)}
			sv.delivered.Store(p)
		}
		o = *p
	} else {
		o = []metric.AddOption{sv.countAttributes(outcome)}
	}
	e.meters.deliveries.Add(context.Background(), int64(n), o...)
}

// countAttributes are the attributes of a count of a subscription's
// outcome.
func (sv *subView) countAttributes(outcome string) metric.AddOption {
	return metric.WithAttributeSet(attribute.NewSet(
		attribute.String("signalbox.topic", sv.sub.TopicARN),
		attribute.String("signalbox.subscription", sv.sub.ARN),
		attribute.String("signalbox.protocol", sv.rec.Protocol),
		attribute.String("signalbox.outcome", outcome)))
}
