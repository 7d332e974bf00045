package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// The durable engine's map runs (maprun.go): a Distributed Map's fork
// carries a map run record (store/maprun.go), its children write no
// history events of their own, and its join writes the results through
// the ResultWriter before the join's transition.

// runRecord is a map run's record, kept with its fork.
type runRecord struct {
	ARN            string  `json:"arn"`
	Label          string  `json:"label"`
	State          string  `json:"state"`
	Start          int64   `json:"start"` // unix ms
	N              int     `json:"n"`
	MaxConcurrency int     `json:"maxc"` // as the definition asked (0: none)
	TolCnt         int     `json:"tc"`
	TolPct         float64 `json:"tp"`
	ExecutionType  string  `json:"type,omitempty"`
	// Chunk, when not 0: each child carries out this many items, and N
	// counts the items, not the children (durable_chunk.go).
	Chunk int `json:"chunk,omitempty"`
	// Writer is the ResultWriter, evaluated when the Map started.
	Writer *asl.WriteResults `json:"writer,omitempty"`
}

// mapRunID names a map run in its ARN: its execution's id (a UUID's form)
// and its fork's id ("/" as "-"), so that the ARN leads to its record.
func mapRunID(execID, fork string) string {
	if len(execID) != 32 {
		return execID + "-" + strings.ReplaceAll(fork, "/", "-")
	}
	u := execID[:8] + "-" + execID[8:12] + "-" + execID[12:16] + "-" + execID[16:20] + "-" + execID[20:]
	return u + "-" + strings.ReplaceAll(fork, "/", "-")
}

// parseMapRunARN returns the execution id and fork id a map run ARN names.
func parseMapRunARN(arn string) (execID, fork string, err error) {
	_, rest, ok := strings.Cut(arn, ":mapRun:")
	k := strings.LastIndexByte(rest, ':')
	if !ok || k < 0 {
		return "", "", fmt.Errorf("%w: %q is no map run ARN", ErrInvalidArgument, arn)
	}
	id := rest[k+1:]
	if len(id) < 38 || id[36] != '-' {
		return "", "", fmt.Errorf("%w: map run %q", ErrNotFound, arn)
	}
	execID = strings.ReplaceAll(id[:36], "-", "")
	fork = strings.ReplaceAll(id[37:], "-", "/")
	if !isLowerHex(execID, 32) || !isThreadID("0/"+fork) {
		return "", "", fmt.Errorf("%w: map run %q", ErrNotFound, arn)
	}
	return execID, fork, nil
}

// mapRun makes fork f a map run of up to limit children at a time.
func (t *transition) mapRun(f *forkRecord, x asl.RunMap, limit, items int) (*store.ForkRun, error) {
	label := mapRunLabel(x, t.st.Name())
	f.Run = mapRunARN(t.x.arn, t.x.smName, label, mapRunID(t.x.id, f.ID))
	f.Writer = x.Writer != nil
	rec, err := json.Marshal(runRecord{ARN: f.Run, Label: label, State: t.st.Name(), Start: t.d.now().UnixMilli(), N: items,
		MaxConcurrency: x.MaxConcurrency, TolCnt: x.ToleratedFailureCount, TolPct: x.ToleratedFailurePercentage,
		ExecutionType: x.ExecutionType, Writer: x.Writer, Chunk: f.Chunk})
	if err != nil {
		return nil, err
	}
	return &store.ForkRun{Record: rec, Limit: max(limit, 1), ToleratedCount: x.ToleratedFailureCount, ToleratedPercentage: x.ToleratedFailurePercentage}, nil
}

// readMapItems reads a Distributed Map's items through its ItemReader, in
// the worker before the fork's transition (reading again, should the step
// be taken again, is harmless: the fork is created once). nil items and a
// nil outcome when the Map has none to read.
func (t *transition) readMapItems(x *asl.RunMap) (asl.Outcome, error) {
	if x.Reader == nil {
		return nil, nil
	}
	ctx := t.c.Interrupt
	if ctx == nil {
		ctx = context.Background()
	}
	items, failure := readItems(ctx, t.d.Mux, t.d.Tasks, *x)
	if failure != nil {
		return asl.HandleError(t.st, t.input, failure, t.c), nil
	}
	x.Items, x.Reader = items, nil
	return nil, nil
}

// joinRun ends a map run: its results go to its ResultWriter, when it has
// one, and the Map goes on with {"MapRunArn", "ResultWriterDetails"}, or
// without one with the results; or it fails past its (current)
// tolerance. The run's end is recorded before the join's transition (a
// join taken again records it again).
func (t *transition) joinRun(ctx context.Context, raw [][]byte) (asl.Outcome, error) {
	f := t.rec.Fork
	mr, err := t.d.store.MapRunGet(ctx, t.x.id, f.ID)
	if err != nil {
		return nil, err
	}
	var rr runRecord
	if err := json.Unmarshal(mr.Record, &rr); err != nil {
		return nil, fmt.Errorf("map run %s: %w", f.Run, err)
	}
	n := f.N
	var spread []*childResult // a chunked run's results, per item
	if rr.Chunk > 0 {
		n = rr.N
		if spread, err = chunkResults(raw, rr.Chunk, n); err != nil {
			return nil, fmt.Errorf("fork %s: %w", f.ID, err)
		}
	}
	c, err := collectRun(f, raw, spread, n, rr.Writer != nil)
	if err != nil {
		return nil, err
	}
	outputs, results, failed, first := c.outputs, c.results, c.failed, c.first
	t.rec.Phase, t.rec.Fork = phaseEnter, nil
	tol := asl.RunMap{ToleratedFailureCount: int(mr.ToleratedCount), ToleratedFailurePercentage: mr.ToleratedPct}
	now := t.d.now()
	if failed > 0 && !tol.Tolerates(failed, n) {
		return t.runFailed(ctx, f.ID, now, tol.Failure(first))
	}
	var output any = outputs
	written := int64(0)
	if rr.Writer != nil {
		out, failure := writeResults(ctx, t.d.Mux, t.d.Tasks, rr.Writer, f.Run, t.x.smARN, results)
		if failure != nil {
			return t.runFailed(ctx, f.ID, now, failure)
		}
		output = out
		if rr.Writer.Resource != "" {
			written = int64(n)
		}
	}
	if err := t.d.store.MapRunEnd(ctx, t.x.id, f.ID, string(StatusSucceeded), now, written); err != nil {
		return nil, err
	}
	t.event(Event{Type: MapRunSucceeded})
	t.event(Event{Type: MapStateSucceeded})
	return asl.Complete(t.st, t.input, output, t.c), nil
}

// runFailed ends the map run of fork as FAILED at now, and the Map with
// failure.
func (t *transition) runFailed(ctx context.Context, fork string, now time.Time, failure *aslerr.Error) (asl.Outcome, error) {
	if err := t.d.store.MapRunEnd(ctx, t.x.id, fork, string(StatusFailed), now, 0); err != nil {
		return nil, err
	}
	t.event(Event{Type: MapRunFailed, Error: &ErrorDetails{failure.Name, failure.Cause}})
	return forkEnded(t, t.st, t.input, t.c, true, nil, failure, 0), nil
}

// runResults is what a map run's n children left: each one's output (a
// failed one's error output), with a ResultWriter each one's result, the
// count of failed ones and the first failure.
type runResults struct {
	outputs []any
	results []integrations.MapItemResult
	failed  int
	first   *aslerr.Error
}

// collectRun reads the children's results of fork f: raw per child, or
// spread per item for a chunked run; a child with none did not run.
func collectRun(f *forkRecord, raw [][]byte, spread []*childResult, n int, withResults bool) (*runResults, error) {
	c := &runResults{outputs: make([]any, n)}
	if withResults {
		c.results = make([]integrations.MapItemResult, n)
	}
	for i := range n {
		var res childResult
		ran := false
		if spread != nil {
			if spread[i] != nil {
				res, ran = *spread[i], true
			}
		} else if r := raw[i]; r != nil {
			ran = true
			if err := json.Unmarshal(r, &res); err != nil {
				return nil, fmt.Errorf("fork %s child %d: %w", f.ID, i, err)
			}
		}
		var out any
		switch {
		case !ran:
		case res.Error != nil:
			c.failed++
			if c.first == nil {
				c.first = res.Error
			}
			c.outputs[i] = failedIteration(res.Error)
		default:
			var err error
			if out, err = decodeRaw(res.Output); err != nil {
				return nil, err
			}
			c.outputs[i] = out
		}
		if c.results != nil {
			in, err := decodeRaw(res.Input)
			if err != nil {
				return nil, err
			}
			c.results[i] = mapItemResult(f.Run, i, in, out, res.Error, !ran, time.UnixMilli(res.Began), time.UnixMilli(res.Ended))
		}
	}
	return c, nil
}

// MapRunInfo describes a map run, as DescribeMapRun does.
type MapRunInfo struct {
	ARN, ExecutionARN, StateMachineARN string
	Status                             Status // RUNNING, SUCCEEDED, FAILED or ABORTED
	StartDate, StopDate                time.Time
	MaxConcurrency                     int
	ToleratedFailureCount              int
	ToleratedFailurePercentage         float64
	ExecutionType                      string
	// Items and Executions count the run's items and children by status.
	// A child here is one item or one batch (ItemBatcher): Items counts
	// children too, not the items of a batch.
	Items, Executions MapRunCounts
}

// MapRunCounts counts a map run's children by status.
type MapRunCounts struct {
	Pending, Running, Succeeded, Failed, TimedOut, Aborted, Total, ResultsWritten int64
}

// DescribeMapRun returns a map run, its counters read from its fork as its
// children end.
func (d *Durable) DescribeMapRun(ctx context.Context, arn string) (_ *MapRunInfo, err error) {
	defer func() { err = fromStore(err) }()
	execID, fork, err := parseMapRunARN(arn)
	if err != nil {
		return nil, err
	}
	return d.mapRunInfo(ctx, execID, fork)
}

func (d *Durable) mapRunInfo(ctx context.Context, execID, fork string) (*MapRunInfo, error) {
	mr, err := d.store.MapRunGet(ctx, execID, fork)
	if err != nil {
		return nil, err
	}
	x, err := d.store.ExecutionGet(ctx, execID)
	if err != nil {
		return nil, err
	}
	var rr runRecord
	if err := json.Unmarshal(mr.Record, &rr); err != nil {
		return nil, fmt.Errorf("map run of execution %s: %w", execID, err)
	}
	info := &MapRunInfo{ARN: rr.ARN, StateMachineARN: x.StateMachineARN, StartDate: time.UnixMilli(rr.Start).UTC(),
		MaxConcurrency: rr.MaxConcurrency, ToleratedFailureCount: int(mr.ToleratedCount), ToleratedFailurePercentage: mr.ToleratedPct,
		ExecutionType: rr.ExecutionType}
	info.ExecutionARN = d.executionARN(smNameOf(x.StateMachineARN), x.Name)
	if mr.MaxConcurrency >= 0 {
		info.MaxConcurrency = int(mr.MaxConcurrency)
	}
	n := int64(rr.N)
	ended := n - mr.Left
	started := min(mr.Next, n)
	if rr.Chunk > 0 { // the children are chunks of items: count the items
		ended, started = mr.Ended, min(mr.Next*int64(rr.Chunk), n)
	}
	c := MapRunCounts{Total: n, Failed: mr.Failed, Succeeded: ended - mr.Failed, ResultsWritten: mr.ResultsWritten}
	switch {
	case mr.EndStatus != "":
		info.Status, info.StopDate = Status(mr.EndStatus), mr.EndDate
		c.Aborted = n - ended
	case mr.Done || x.Status != string(StatusRunning):
		// joined and not ended yet (the parent's join is on its way), or
		// the execution stopped, timed out or failed around it
		info.Status = StatusRunning
		if x.Status != string(StatusRunning) {
			info.Status, info.StopDate = StatusAborted, x.StopDate
		}
		c.Aborted = n - ended
	default:
		info.Status = StatusRunning
		c.Running, c.Pending = started-ended, n-started
	}
	info.Items, info.Executions = c, c
	return info, nil
}

// smNameOf is the name of the state machine an unqualified ARN names.
func smNameOf(arn string) string { return arn[strings.LastIndexByte(arn, ':')+1:] }

// ListMapRuns returns the map runs an execution started, in the order they
// started.
func (d *Durable) ListMapRuns(ctx context.Context, execID string) (_ []*MapRunInfo, err error) {
	defer func() { err = fromStore(err) }()
	if _, err := d.store.ExecutionGet(ctx, execID); err != nil {
		return nil, err
	}
	forks, err := d.store.MapRunList(ctx, execID)
	if err != nil {
		return nil, err
	}
	out := make([]*MapRunInfo, 0, len(forks))
	for _, f := range forks {
		info, err := d.mapRunInfo(ctx, execID, f)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// MapRunUpdate is what UpdateMapRun changes; nil leaves a field as it is.
type MapRunUpdate struct {
	MaxConcurrency             *int // 0: no limit but the engine's (10,000)
	ToleratedFailureCount      *int
	ToleratedFailurePercentage *float64
}

// UpdateMapRun changes a running map run's MaxConcurrency and tolerances.
// They take effect as its children end: each end starts children while
// fewer than the new limit run (a lowered limit starts none until enough
// have ended; children running are not stopped), and failures are judged
// against the new tolerances. ErrExecutionClosed once the run ended.
func (d *Durable) UpdateMapRun(ctx context.Context, arn string, u MapRunUpdate) (err error) {
	defer func() { err = fromStore(err) }()
	execID, fork, err := parseMapRunARN(arn)
	if err != nil {
		return err
	}
	p := &store.MapRunUpdateParams{ToleratedCount: u.ToleratedFailureCount, ToleratedPercentage: u.ToleratedFailurePercentage}
	if c := u.MaxConcurrency; c != nil {
		if *c < 0 {
			return fmt.Errorf("%w: maxConcurrency %d", ErrInvalidArgument, *c)
		}
		limit := *c
		if limit == 0 || limit > maxDistributedConcurrency {
			limit = maxDistributedConcurrency
		}
		// a run of chunks limits its children: limit items' worth
		mr, err := d.store.MapRunGet(ctx, execID, fork)
		if err != nil {
			return err
		}
		var rr runRecord
		if err := json.Unmarshal(mr.Record, &rr); err != nil {
			return fmt.Errorf("map run %s: %w", arn, err)
		}
		if rr.Chunk > 0 {
			limit = (limit + rr.Chunk - 1) / rr.Chunk
		}
		p.Limit, p.MaxConcurrency = &limit, *c
	}
	if c := u.ToleratedFailureCount; c != nil && *c < 0 {
		return fmt.Errorf("%w: toleratedFailureCount %d", ErrInvalidArgument, *c)
	}
	if pct := u.ToleratedFailurePercentage; pct != nil && (*pct < 0 || *pct > 100) {
		return fmt.Errorf("%w: toleratedFailurePercentage %v", ErrInvalidArgument, *pct)
	}
	return d.store.MapRunUpdate(ctx, execID, fork, p)
}
