package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// The kinds of target.
const (
	kindQueue   = "sqs"
	kindTopic   = "sns"
	kindStates  = "states"
	kindBus     = "events"
	kindAPIDest = "api-destination"
	kindArchive = "archive"
)

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
	rule    Rule
	targets map[string]*targetView
	sched   *schedule.Expr
}

type targetView struct {
	t     Target
	kind  string
	name  string // the queue's, topic's, state machine's ARN, bus's, archive's or API destination's name
	shape *transform.Shape
}

// loadView reads and compiles a bus's view. A rule or target that no
// longer compiles (it was written by an older version) is kept out of the
// view, with a log line.
func (s *Service) loadView(ctx context.Context, bus string) (*view, error) {
	ver, raw, err := s.st.BusView(ctx, bus)
	if err != nil {
		return nil, err
	}
	v := &view{bus: bus, ver: ver, rules: make(map[string]*ruleView, len(raw)), machine: pattern.NewMachine(), scheduled: map[string]*ruleView{}, loaded: s.now()}
	for name, js := range raw {
		var r Rule
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			s.cfg.Logger.Warn("bus: a rule's record does not decode", "bus", bus, "rule", name, "err", err)
			continue
		}
		rv := &ruleView{rule: r, targets: make(map[string]*targetView, len(r.Targets))}
		for _, t := range r.Targets {
			tv, err := s.compileTarget(t)
			if err != nil {
				s.cfg.Logger.Warn("bus: a target does not compile", "bus", bus, "rule", name, "target", t.ID, "err", err)
				continue
			}
			rv.targets[t.ID] = tv
		}
		v.rules[name] = rv
		if r.State == StateDisabled {
			continue
		}
		if r.EventPattern != "" {
			p, err := pattern.Parse(r.EventPattern)
			if err != nil {
				s.cfg.Logger.Warn("bus: a rule's pattern does not parse", "bus", bus, "rule", name, "err", err)
				continue
			}
			v.machine.Add(name, p)
		}
		if r.ScheduleExpression != "" {
			e, err := schedule.Parse(r.ScheduleExpression)
			if err != nil {
				s.cfg.Logger.Warn("bus: a rule's schedule does not parse", "bus", bus, "rule", name, "err", err)
				continue
			}
			rv.sched = e
			v.scheduled[name] = rv
		}
	}
	s.mu.Lock()
	if old := s.views[bus]; old == nil || old.ver <= v.ver {
		s.views[bus] = v
	}
	s.mu.Unlock()
	return v, nil
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
	kind, name, err := s.targetOf(t.Arn)
	if err != nil {
		return nil, err
	}
	tv := &targetView{t: t, kind: kind, name: name}
	if kind == kindArchive {
		return tv, nil // an archive keeps the event itself
	}
	var paths map[string]string
	var tmpl string
	if it := t.InputTransformer; it != nil {
		paths, tmpl = it.InputPathsMap, it.InputTemplate
	}
	if t.Input != "" || t.InputPath != "" || t.InputTransformer != nil {
		if tv.shape, err = transform.Compile(t.Input, t.InputPath, paths, tmpl); err != nil {
			return nil, err
		}
	}
	return tv, nil
}

// targetOf returns the kind of target an ARN names and the name that
// reaches it (for a state machine, its ARN), when it is this server's.
func (s *Service) targetOf(arn string) (kind, name string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[5] == "" {
		return "", "", fmt.Errorf("target %q is not an ARN", arn)
	}
	if parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return "", "", fmt.Errorf("target %q is not in this server's region and account", arn)
	}
	res := parts[5]
	switch parts[2] {
	case "sqs":
		return kindQueue, res, nil
	case "sns":
		return kindTopic, res, nil
	case "states":
		if strings.HasPrefix(res, "stateMachine:") {
			return kindStates, arn, nil
		}
	case "events":
		kind, rest, _ := strings.Cut(res, "/")
		name, _, _ := strings.Cut(rest, "/")
		if name == "" {
			break
		}
		switch kind {
		case "event-bus":
			return kindBus, name, nil
		case "api-destination":
			return kindAPIDest, name, nil
		case "archive":
			return kindArchive, name, nil
		}
	}
	return "", "", fmt.Errorf("target %q is not a kind of target Signalbox supports (queues, topics, state machines, event buses, API destinations)", arn)
}
