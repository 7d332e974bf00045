package runtime

import (
	"cmp"
	"fmt"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
)

// The one outcome interpreter. asl decides what a state does (asl.Step,
// asl.Complete, asl.HandleError return outcomes); interpret carries the
// outcomes out, in the same order and with the same history events for both
// engines, through a sink that does what only an engine can: the in-memory
// engine (thread.go) blocks on calls, sleeps on its clock and runs branches
// in goroutines; the durable one (durable_worker.go) records, schedules and
// parks the thread until a work item brings it back.

// sink is an engine's side of one visit of a state. Each method that may
// park returns the outcome that follows, or nil when the thread parks (the
// durable engine: the rest comes back as a work item).
type sink interface {
	// event appends an event to the thread's history.
	event(ev Event)
	// region is the region of the ARNs the events name.
	region() string
	// assign sets workflow variables in the thread's scope.
	assign(vars map[string]any)
	// next moves the thread to the state named, with its input.
	next(state string, input any) error
	// succeed ends the thread's machine with output.
	succeed(output any) error
	// fail ends the thread's machine with an error no Catch took.
	fail(err *aslerr.Error) error
	// call calls the integration of a Task state, or schedules the call.
	call(x asl.CallTask) (asl.Outcome, error)
	// wait waits until x.Until, then goes on with x.Then.
	wait(x asl.WaitUntil) (asl.Outcome, error)
	// retry waits out x.Delay, then takes the state's step again; the
	// attempt counters are the sink's to keep (countRetry).
	retry(x asl.Retry) (asl.Outcome, error)
	// parallel runs a Parallel state's branches.
	parallel(x asl.RunParallel) (asl.Outcome, error)
	// runMap runs a Map state's iterations.
	runMap(x asl.RunMap) (asl.Outcome, error)
	// stateEnded says the state's visit ended, with output, or with a
	// failure no Catch took: its span (trace.go), when tracing.
	stateEnded(output any, failure *aslerr.Error)
}

// interpret carries out o, and the outcomes that follow from it, until the
// thread leaves st, its machine ends, or the sink parks it.
func interpret(s sink, st asl.State, o asl.Outcome) error {
	for o != nil {
		var err error
		switch x := o.(type) {
		case asl.Next:
			s.assign(x.Assign)
			s.event(Event{Type: StateExited(st.Kind()), Name: st.Name(), Payload: x.Output})
			s.stateEnded(x.Output, nil)
			return s.next(x.State, x.Output)
		case asl.Succeed:
			s.assign(x.Assign)
			s.event(Event{Type: StateExited(st.Kind()), Name: st.Name(), Payload: x.Output})
			s.stateEnded(x.Output, nil)
			return s.succeed(x.Output)
		case asl.Fail:
			failure := &aslerr.Error{Name: x.Error, Cause: x.Cause}
			s.stateEnded(nil, failure)
			return s.fail(failure)
		case asl.CallTask:
			if !isActivityARN(x.Resource) { // an activity's ActivityScheduled comes with its call
				s.event(scheduledEvent(x, s.region()))
			}
			o, err = s.call(x)
		case asl.WaitUntil:
			o, err = s.wait(x)
		case asl.Retry:
			o, err = s.retry(x)
		case asl.RunParallel:
			o, err = s.parallel(x)
		case asl.RunMap:
			o, err = s.runMap(x)
		default:
			return fmt.Errorf("unknown outcome %T", o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// taskDetails are a task event's resource fields.
func taskDetails(resource string) *TaskDetails {
	rtype, res := resourceParts(resource)
	return &TaskDetails{ResourceType: rtype, Resource: res}
}

// scheduledEvent is a task call's TaskScheduled event.
func scheduledEvent(x asl.CallTask, region string) Event {
	task := taskDetails(x.Resource)
	task.Region, task.Parameters, task.TimeoutSeconds, task.HeartbeatSeconds = region, x.Parameters, x.TimeoutSeconds, x.HeartbeatSeconds
	return Event{Type: TaskScheduled, Task: task}
}

// taskEnded records how a task call ended (typ: TaskSucceeded, or for a
// failure TaskFailed, TaskTimedOut or an activity's kind; "" to choose by
// the failure) and returns what the state does with it.
func taskEnded(s sink, st asl.State, input any, c *asl.Context, task *TaskDetails, typ EventType, result any, failure *aslerr.Error) asl.Outcome {
	if failure == nil {
		s.event(Event{Type: cmp.Or(typ, TaskSucceeded), Task: task, Payload: result})
		return asl.Complete(st, input, result, c)
	}
	s.event(Event{Type: cmp.Or(typ, failureEvent(failure)), Task: task, Error: &ErrorDetails{failure.Name, failure.Cause}})
	return asl.HandleError(st, input, failure, c)
}

// forkEnded records how a Parallel state's branches or a Map state's
// iterations ended (failure nil: all of them succeeded, or the failures
// were tolerated) and returns what the state does with it. The event
// follows the event whose id is follows, or the thread's latest (0).
func forkEnded(s sink, st asl.State, input any, c *asl.Context, isMap bool, outputs []any, failure *aslerr.Error, follows int64) asl.Outcome {
	succeeded, failed := ParallelStateSucceeded, ParallelStateFailed
	if isMap {
		succeeded, failed = MapStateSucceeded, MapStateFailed
	}
	if failure != nil {
		s.event(Event{Type: failed, PreviousID: follows})
		return asl.HandleError(st, input, failure, c)
	}
	s.event(Event{Type: succeeded, PreviousID: follows})
	return asl.Complete(st, input, outputs, c)
}

// visitState sets what a Context says of one visit of st: its name, when
// and by which event it was entered, and its retry counters so far. Both
// engines, and inline Map iterations, describe a visit through it.
func visitState(c *asl.Context, st asl.State, entered time.Time, enteredID int64, retryCount int, retries []int) {
	c.StateName, c.EnteredTime, c.EnteredEventID = st.Name(), entered, enteredID
	c.RetryCount, c.Retries = retryCount, retries
	c.CanRetry = st.Kind() == asl.KindTask || st.Kind() == asl.KindParallel || st.Kind() == asl.KindMap
	c.TaskToken = ""
	c.Invalidate()
}

// countRetry counts an attempt of retrier: its count in retries, and the
// state's in count.
func countRetry(retries []int, count *int, retrier int) []int {
	for len(retries) <= retrier {
		retries = append(retries, 0)
	}
	retries[retrier]++
	*count++
	return retries
}
