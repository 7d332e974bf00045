package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
)

// Registry is what Apply needs of the runtime (a *runtime.Durable): its
// state machines.
type Registry interface {
	DescribeStateMachine(ctx context.Context, name string) (*runtime.StateMachineInfo, error)
	CreateStateMachine(ctx context.Context, p runtime.StateMachineParams) (*runtime.StateMachineInfo, error)
	UpdateStateMachine(ctx context.Context, p runtime.StateMachineParams) (*runtime.StateMachineInfo, error)
}

// Apply makes the store hold the file's state machines: each is created,
// or updated when its definition or role differ (an unchanged one is left
// alone, so that a restart changes nothing). It first checks, against the
// store, what the file alone cannot say (a state machine whose stored type
// differs; a route, a topic subscription or a bus target (stateMachine:
// name), to a state machine not in the file), and when anything
// is wrong it reports every problem and writes nothing. It returns what it
// did to each state machine ("created orders").
func (c *Config) Apply(ctx context.Context, reg Registry) ([]string, []Problem) {
	d := &decoder{file: c.File}
	stored := map[string]*runtime.StateMachineInfo{}
	for _, m := range c.StateMachines {
		info, err := reg.DescribeStateMachine(ctx, m.Name)
		switch {
		case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
		case err != nil:
			d.fail(nil, fmt.Sprintf("stateMachines[%d]", m.index), "reading the stored state machine: %v", err)
		case info.Type != m.Type:
			d.fail(nil, fmt.Sprintf("stateMachines[%d].type", m.index), "the stored state machine %s is %s: its type cannot change (delete it first)", m.Name, info.Type)
		default:
			stored[m.Name] = info
		}
	}
	inFile := map[string]bool{}
	for _, m := range c.StateMachines {
		inFile[m.Name] = true
	}
	for i, rt := range c.Routes {
		if inFile[rt.StateMachine] || rt.Queue != "" { // a route to a queue: ApplyQueues checks it
			continue
		}
		info, err := reg.DescribeStateMachine(ctx, rt.StateMachine)
		switch {
		case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
			c.itemProblem(d, "routes", i, "stateMachine", fmt.Sprintf("no state machine %q in stateMachines nor in the store", rt.StateMachine))
		case err != nil:
			c.itemProblem(d, "routes", i, "stateMachine", err.Error())
		case rt.Mode == gateway.ModeSync && info.Type != runtime.TypeExpress:
			c.itemProblem(d, "routes", i, "mode", fmt.Sprintf("a sync route runs an EXPRESS state machine; %s is %s", rt.StateMachine, info.Type))
		}
	}
	for _, tp := range c.Topics {
		for _, s := range tp.Subscriptions {
			if s.StateMachine == "" || inFile[s.StateMachine] {
				continue
			}
			field := fmt.Sprintf("subscriptions[%d].stateMachine", s.index)
			_, err := reg.DescribeStateMachine(ctx, s.StateMachine)
			switch {
			case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
				c.itemProblem(d, "topics", tp.index, field, fmt.Sprintf("no state machine %q in stateMachines nor in the store", s.StateMachine))
			case err != nil:
				c.itemProblem(d, "topics", tp.index, field, err.Error())
			}
		}
	}
	for _, r := range c.busRefs("stateMachine") {
		if inFile[r.name] {
			continue
		}
		_, err := reg.DescribeStateMachine(ctx, r.name)
		switch {
		case errors.Is(err, runtime.ErrStateMachineDoesNotExist):
			c.itemProblem(d, "buses", r.bus, r.field, fmt.Sprintf("no state machine %q in stateMachines nor in the store", r.name))
		case err != nil:
			c.itemProblem(d, "buses", r.bus, r.field, err.Error())
		}
	}
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	var done []string
	for _, m := range c.StateMachines {
		p := runtime.StateMachineParams{Name: m.Name, Definition: m.Definition, Type: m.Type, RoleARN: m.RoleARN}
		old := stored[m.Name]
		var err error
		switch {
		case old == nil:
			_, err = reg.CreateStateMachine(ctx, p)
			if errors.Is(err, runtime.ErrStateMachineAlreadyExists) { // another process created it meanwhile
				_, err = reg.UpdateStateMachine(ctx, p)
			}
			done = append(done, "created "+m.Name)
		case !bytes.Equal(old.Definition, m.Definition) || (m.RoleARN != "" && m.RoleARN != old.RoleARN):
			_, err = reg.UpdateStateMachine(ctx, p)
			done = append(done, "updated "+m.Name)
		default:
			done = append(done, "unchanged "+m.Name)
		}
		if err != nil {
			d.fail(nil, fmt.Sprintf("stateMachines[%d]", m.index), "%v", err)
		}
	}
	return done, d.problems
}
