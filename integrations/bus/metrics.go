package bus

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// meters are the Service's instruments: signalbox.bus.events counts the
// events put on each bus; signalbox.bus.deliveries the deliveries' attempts
// by bus, target kind and outcome (delivered, failed).
type meters struct {
	events     metric.Int64Counter
	deliveries metric.Int64Counter
}

func newMeters(m metric.Meter) meters {
	if m == nil {
		return meters{}
	}
	ev, err1 := m.Int64Counter("signalbox.bus.events", metric.WithUnit("{event}"),
		metric.WithDescription("Events put on the bus router's buses, by bus"))
	de, err2 := m.Int64Counter("signalbox.bus.deliveries", metric.WithUnit("{delivery}"),
		metric.WithDescription("Delivery attempts of the bus router, by bus, target kind and outcome"))
	if err1 != nil || err2 != nil {
		return meters{}
	}
	return meters{events: ev, deliveries: de}
}

func (m meters) put(ctx context.Context, bus string, n int) {
	if m.events != nil {
		m.events.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signalbox.bus", bus)))
	}
}

func (m meters) delivered(ctx context.Context, bus string, kind TargetKind, o outcome) {
	if m.deliveries == nil {
		return
	}
	result := "delivered"
	if !o.OK {
		result = "failed"
	}
	m.deliveries.Add(ctx, 1, metric.WithAttributes(attribute.String("signalbox.bus", bus),
		attribute.String("signalbox.target_kind", kind.String()), attribute.String("signalbox.outcome", result)))
}

// String names a kind of target in metrics and logs.
func (k TargetKind) String() string {
	switch k {
	case TargetQueue:
		return "sqs"
	case TargetTopic:
		return "sns"
	case TargetStateMachine:
		return "states"
	case TargetBus:
		return "events"
	case TargetAPIDestination:
		return "api-destination"
	case TargetArchive:
		return "archive"
	case TargetFunction:
		return "lambda"
	}
	return "unsupported"
}
