package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/signalbox/signalbox/integrations/bus/pattern"
	"github.com/signalbox/signalbox/integrations/bus/schedule"
	"github.com/signalbox/signalbox/integrations/bus/transform"
)

// A view is a bus's rules as the data plane uses them, compiled: the
// patterns of its enabled rules in one automaton, each target's input
// shape and kind. It is built from the store's rules at one version of the
// bus and cached; a put names that version, and a put whose version moved
// builds the view again (putevents.go), so an event is never matched
// against rules that had already changed. Deliveries read the cached view
// (refreshed by the recoverer each round when the version moved).

type view struct {
	bus     string
	ver     int64
	rules   map[string]*ruleView
	machine *pattern.Machine // the enabled rules with a pattern
	// scheduled are the enabled rules with a schedule.
	scheduled map[string]*ruleView
	loaded    time.Time
}

type ruleView struct {
	raw     string // the rule's record: a view built again reuses what did not change
	rule    Rule
	pattern *pattern.Pattern
	targets map[string]*targetView
	sched   *schedule.Expr
}

type targetView struct {
	t     Target
	kind  TargetKind
	name  string // the queue's, topic's, state machine's, bus's, archive's or API destination's name
	shape *transform.Shape
}

// loadView reads and compiles a bus's view. A rule whose record did not
// change since the cached view is taken from it as it was compiled (a bus
// of 10,000 rules changing one at a time is not parsed 10,000 times a
// change); the automaton is built again from the parsed patterns. A rule
// or target that no longer compiles (written by an older version) is kept
// out of the view, with a log line.
func (s *Service) loadView(ctx context.Context, bus string) (*view, error) {
	ver, raws, err := s.st.BusRules(ctx, bus)
	if err != nil {
		return nil, storeError(err, busErrMissing(bus))
	}
	s.mu.Lock()
	old := s.views[bus]
	s.mu.Unlock()
	v := &view{bus: bus, ver: ver, rules: make(map[string]*ruleView, len(raws)), machine: pattern.NewMachine(), scheduled: map[string]*ruleView{}, loaded: s.now()}
	for name, raw := range raws {
		var rv *ruleView
		if old != nil {
			if o := old.rules[name]; o != nil && o.raw == raw {
				rv = o
			}
		}
		if rv == nil {
			if rv = s.compileRule(bus, name, raw); rv == nil {
				continue
			}
		}
		v.rules[name] = rv
		if rv.rule.State == StateDisabled {
			continue
		}
		if rv.pattern != nil {
			v.machine.Add(name, rv.pattern)
		}
		if rv.sched != nil {
			v.scheduled[name] = rv
		}
	}
	s.mu.Lock()
	if cur := s.views[bus]; cur == nil || cur.ver <= v.ver {
		s.views[bus] = v
	}
	s.mu.Unlock()
	return v, nil
}

// compileRule decodes and compiles a rule's record: its pattern, schedule
// and targets; nil when the record does not decode.
func (s *Service) compileRule(bus, name, raw string) *ruleView {
	rv := &ruleView{raw: raw}
	if err := json.Unmarshal([]byte(raw), &rv.rule); err != nil {
		s.cfg.Logger.Warn("bus: a rule's record does not decode", "bus", bus, "rule", name, "err", err)
		return nil
	}
	r := &rv.rule
	rv.targets = make(map[string]*targetView, len(r.Targets))
	for _, t := range r.Targets {
		tv, err := s.compileTarget(t)
		if err != nil {
			s.cfg.Logger.Warn("bus: a target does not compile", "bus", bus, "rule", name, "target", t.ID, "err", err)
			continue
		}
		rv.targets[t.ID] = tv
	}
	if r.EventPattern != "" {
		p, err := pattern.Parse(r.EventPattern)
		if err != nil {
			s.cfg.Logger.Warn("bus: a rule's pattern does not parse", "bus", bus, "rule", name, "err", err)
		} else {
			rv.pattern = p
		}
	}
	if r.ScheduleExpression != "" {
		e, err := schedule.Parse(r.ScheduleExpression)
		if err != nil {
			s.cfg.Logger.Warn("bus: a rule's schedule does not parse", "bus", bus, "rule", name, "err", err)
		} else {
			rv.sched = e
		}
	}
	return rv
}

// view returns a bus's cached view, loading it when there is none.
func (s *Service) view(ctx context.Context, bus string) (*view, error) {
	s.mu.Lock()
	v := s.views[bus]
	s.mu.Unlock()
	if v != nil {
		return v, nil
	}
	return s.loadView(ctx, bus)
}

// forgetView drops a bus's cached view (the bus was deleted).
func (s *Service) forgetView(bus string) {
	s.mu.Lock()
	delete(s.views, bus)
	s.mu.Unlock()
}

// compileTarget compiles a target's kind and input shape.
func (s *Service) compileTarget(t Target) (*targetView, error) {
	kind, name := ParseTargetARN(t.Arn)
	if kind == TargetUnsupported {
		return nil, fmt.Errorf("target %q is not a kind of target Signalbox supports", t.Arn)
	}
	tv := &targetView{t: t, kind: kind, name: name}
	if kind == TargetArchive {
		return tv, nil // an archive keeps the event itself
	}
	var paths map[string]string
	var tmpl string
	if it := t.InputTransformer; it != nil {
		paths, tmpl = it.InputPathsMap, it.InputTemplate
	}
	if t.Input != "" || t.InputPath != "" || t.InputTransformer != nil {
		var err error
		if tv.shape, err = transform.Compile(t.Input, t.InputPath, paths, tmpl); err != nil {
			return nil, err
		}
	}
	return tv, nil
}
