package bus

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// Schedules. A bus's scheduled rules have their next tick in the bus's
// schedule set (store.BusSchedulesKey); every process's round (with the
// recoverer's, once a second) keeps the set in step with the rules, and
// fires the ticks that fell due: the script that puts a tick's event also
// moves the tick on, after checking it is still the one read, so a tick
// fires once whichever processes try. After an outage a rule fires once
// for the ticks it missed (the event carries the first missed tick's
// time), then keeps its schedule from the present: a rule that fires every
// minute does not send a burst of a day's events when its server comes
// back.

// scheduleRound syncs and fires the schedules of the buses names (their
// cached views refreshed by the round).
func (s *Service) scheduleRound(ctx context.Context, names []string) {
	for _, bus := range names {
		v, err := s.view(ctx, bus)
		if err != nil {
			continue
		}
		ticks, err := s.st.BusSchedules(ctx, bus)
		if err != nil || len(ticks) == 0 && len(v.scheduled) == 0 {
			continue
		}
		now := s.now()
		for name, rv := range v.scheduled {
			if _, ok := ticks[name]; !ok {
				if next := rv.sched.Next(rv.rule.CreatedAt, now); !next.IsZero() {
					_ = s.st.BusScheduleSet(ctx, bus, name, next)
				}
			}
		}
		for name, at := range ticks {
			rv := v.scheduled[name]
			if rv == nil {
				_ = s.st.BusScheduleSet(ctx, bus, name, time.Time{})
				continue
			}
			if at.After(now) {
				continue
			}
			s.fire(ctx, v, rv, at)
		}
	}
}

// fire puts a rule's scheduled event for the tick at and moves the tick
// on.
func (s *Service) fire(ctx context.Context, v *view, rv *ruleView, at time.Time) {
	now := s.now()
	next := rv.sched.Next(rv.rule.CreatedAt, now)
	if !next.After(at) {
		next = rv.sched.Next(rv.rule.CreatedAt, at)
	}
	resources := []string{s.RuleARN(v.bus, rv.rule.Name)}
	env := Event{Version: "0", ID: integrations.NewUUID(), DetailType: "Scheduled Event", Source: "aws.events",
		Account: s.cfg.AccountID, Time: at.UTC().Format(eventTime), Region: s.cfg.Region, Resources: resources,
		Detail: json.RawMessage(`{}`)}
	p := &pending{bus: v.bus, env: env, id: env.ID, ingested: now}
	p.json, _ = json.Marshal(env)
	err := s.put(ctx, v.bus, []*pending{p}, putOptions{only: rv.rule.Name, noObserve: true,
		tick: &store.BusTick{Rule: rv.rule.Name, At: at, Next: next}})
	if err != nil && !errors.Is(err, store.ErrTickTaken) {
		s.cfg.Logger.Warn("bus: a scheduled rule did not fire", "bus", v.bus, "rule", rv.rule.Name, "err", err)
	}
}
