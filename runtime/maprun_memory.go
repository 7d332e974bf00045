package runtime

import (
	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/integrations"
)

// runDistributed runs a Distributed Map in memory (maprun.go): its items
// read by its ItemReader, its iterations a map run's children (no events
// in the parent's history), its results written by its ResultWriter. The
// map run keeps no record: an in-memory execution's map runs are not
// found by DescribeMapRun.
func (v *visit) runDistributed(x asl.RunMap) (asl.Outcome, error) {
	t, e := v.t, v.t.run.engine
	if x.Reader != nil {
		items, failure := readItems(v.ctx, e.Mux, e.Tasks, x)
		if failure != nil {
			return v.settled(asl.HandleError(v.st, v.in, failure, v.c))
		}
		x.Items, x.Reader = items, nil
	}
	arn := mapRunARN(t.run.arn, t.run.base.StateMachineName, mapRunLabel(x, v.st.Name()), intrinsic.UUIDv4(t.rand.Uint64(), t.rand.Uint64()))
	m := t.startMap(v.ctx, v.st, x, arn)
	outs, _, err := m.result()
	if err != nil {
		if err.timedOut || err.aborted {
			t.event(Event{Type: MapRunAborted})
			forkEnded(v, v.st, v.in, v.c, true, nil, err.Error, 0)
			return nil, ended{err}
		}
		return v.runFailed(err.Error)
	}
	var output any = outs
	if x.Writer != nil {
		results := make([]integrations.MapItemResult, len(x.Items))
		for i := range results {
			var failure *aslerr.Error
			if m.errs != nil {
				failure = m.errs[i]
			}
			results[i] = mapItemResult(arn, i, x.Items[i], outs[i], failure, m.starts[i].IsZero(), m.starts[i], m.stops[i])
		}
		out, failure := writeResults(v.ctx, e.Mux, e.Tasks, x.Writer, arn, t.run.base.StateMachineID, results)
		if failure != nil {
			return v.runFailed(failure)
		}
		output = out
	}
	t.event(Event{Type: MapRunSucceeded})
	t.event(Event{Type: MapStateSucceeded})
	return v.settled(asl.Complete(v.st, v.in, output, v.c))
}

// runFailed ends a map run that failed, and its Map state with it.
func (v *visit) runFailed(failure *aslerr.Error) (asl.Outcome, error) {
	v.t.event(Event{Type: MapRunFailed, Error: &ErrorDetails{failure.Name, failure.Cause}})
	return v.settled(forkEnded(v, v.st, v.in, v.c, true, nil, failure, 0))
}
