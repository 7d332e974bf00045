package main

import (
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/topic"
)

// functions is the function runtime of a node: the dispatcher that
// invokes HTTP functions (and, given a process pool, Runtime API
// programs), the Task integrations (lambda:invoke, its .waitForTaskToken,
// bare function ARNs) and the target topics and buses invoke functions
// through.
type functions struct {
	dispatcher *function.Dispatcher
	tasks      *function.Tasks
	target     *function.Target
}

// newFunctions builds the function runtime on r, which finds the
// functions (the store's, or a configuration's StaticResolver), with
// process running Runtime API programs (nil: such functions fail as not
// supported), and hands it to m (the Task resources) and to topics and
// buses (lambda subscriptions, function targets), each when not nil.
func newFunctions(r function.Resolver, process function.Invoker, m *integrations.Mux, topics *topic.Service, buses *bus.Service) *functions {
	d := function.NewDispatcher(process)
	tasks := function.NewTasks(r, d)
	f := &functions{dispatcher: d, tasks: tasks, target: function.NewTarget(r, tasks.Async())}
	if m != nil {
		tasks.Register(m)
	}
	if topics != nil {
		topics.SetFunctions(f.target)
	}
	if buses != nil {
		buses.SetFunctions(f.target)
	}
	return f
}

// Close stops the asynchronous invocations queued or running (they are
// lost, as the queue is in memory).
func (f *functions) Close() { f.tasks.Close() }
