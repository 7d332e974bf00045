package runtime

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The runtime's metrics (OpenTelemetry; serve exports them for
// Prometheus at /metrics): executions started and ended by state machine
// and status, state transitions (states entered, AWS's billing unit) by
// state machine, and, read from the store at each collection, open
// executions, work on the ready stream, timers set, timers due and how
// late the oldest due timer is. With no Meter, nothing is recorded.
type metrics struct {
	started, ended, transitions metric.Int64Counter
	// options holds each label set's option, built once: a transition's
	// commit records, and building a set sorts and hashes its attributes.
	options sync.Map // state machine, or state machine "\x00" status -> metric.AddOption
}

// labels is the option of the state machine's label set, with its status
// when status is not "".
func (m *metrics) labels(machine string, status Status) metric.AddOption {
	key := machine + "\x00" + string(status)
	if o, ok := m.options.Load(key); ok {
		return o.(metric.AddOption)
	}
	attrs := []attribute.KeyValue{attrMachineKey.String(machine)}
	if status != "" {
		attrs = append(attrs, attrStatusKey.String(string(status)))
	}
	o, _ := m.options.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return o.(metric.AddOption)
}

const (
	attrMachineKey = attribute.Key("state_machine")
	attrStatusKey  = attribute.Key("status")
)

// newMetrics makes d's instruments on meter, with the store's gauges.
func newMetrics(d *Durable, meter metric.Meter) (*metrics, error) {
	m := &metrics{}
	var err error
	if m.started, err = meter.Int64Counter("signalbox.executions.started", metric.WithDescription("Executions started, by state machine."), metric.WithUnit("{execution}")); err != nil {
		return nil, err
	}
	if m.ended, err = meter.Int64Counter("signalbox.executions.ended", metric.WithDescription("Executions ended, by state machine and status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED)."), metric.WithUnit("{execution}")); err != nil {
		return nil, err
	}
	if m.transitions, err = meter.Int64Counter("signalbox.state.transitions", metric.WithDescription("States entered (AWS's state transitions), by state machine."), metric.WithUnit("{transition}")); err != nil {
		return nil, err
	}
	open, err := meter.Int64ObservableGauge("signalbox.executions.open", metric.WithDescription("Executions open (RUNNING), from the store's index."), metric.WithUnit("{execution}"))
	if err != nil {
		return nil, err
	}
	ready, err := meter.Int64ObservableGauge("signalbox.work.ready", metric.WithDescription("Work items on the ready stream: waiting for a worker or in flight."), metric.WithUnit("{item}"))
	if err != nil {
		return nil, err
	}
	timers, err := meter.Int64ObservableGauge("signalbox.timers", metric.WithDescription("Timers set (Wait states, retries, timeouts, heartbeats)."), metric.WithUnit("{timer}"))
	if err != nil {
		return nil, err
	}
	due, err := meter.Int64ObservableGauge("signalbox.timers.due", metric.WithDescription("Timers due and not yet handed to the workers."), metric.WithUnit("{timer}"))
	if err != nil {
		return nil, err
	}
	late, err := meter.Float64ObservableGauge("signalbox.timers.lateness", metric.WithDescription("How long ago the oldest due timer fell due (0: none is due)."), metric.WithUnit("s"))
	if err != nil {
		return nil, err
	}
	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		now := d.now()
		g, err := d.store.GaugesRead(ctx, now)
		if err != nil {
			return err
		}
		o.ObserveInt64(open, g.OpenExecutions)
		o.ObserveInt64(ready, g.ReadyWork)
		o.ObserveInt64(timers, g.Timers)
		o.ObserveInt64(due, g.TimersDue)
		lateness := 0.0
		if !g.OldestDue.IsZero() {
			lateness = now.Sub(g.OldestDue).Seconds()
		}
		o.ObserveFloat64(late, lateness)
		return nil
	}, open, ready, timers, due, late)
	return m, err
}

func (m *metrics) executionStarted(machine string) {
	if m != nil {
		m.started.Add(context.Background(), 1, m.labels(machine, ""))
	}
}

func (m *metrics) executionEnded(machine string, status Status) {
	if m != nil {
		m.ended.Add(context.Background(), 1, m.labels(machine, status))
	}
}

func (m *metrics) stateTransitions(machine string, n int) {
	if m != nil && n > 0 {
		m.transitions.Add(context.Background(), int64(n), m.labels(machine, ""))
	}
}
