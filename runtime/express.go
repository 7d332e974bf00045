package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// ExpressMaxDuration is AWS's limit on an EXPRESS execution's duration.
const ExpressMaxDuration = 5 * time.Minute

// startExpress starts an EXPRESS execution asynchronously, as StartExecution
// does on AWS: it answers with the execution's ARN and start date at once,
// runs the machine in memory in this process (at most once: a process that
// dies takes the run with it, as AWS's EXPRESS workflows are at most once
// when started asynchronously), and records how it ended. Names are not
// idempotent: every start is a new execution.
// runExpress runs an EXPRESS execution in memory, with no history kept (as
// AWS keeps none), counting it in the runtime's metrics.
func (d *Durable) runExpress(ctx context.Context, m *asl.StateMachine, x Execution) *Result {
	x.Express, x.NoHistory = true, true
	e := &Engine{Tasks: d.Tasks, Mux: d.Mux, Region: d.Region, Account: d.Account, Tracer: d.Tracer}
	d.metrics.executionStarted(x.StateMachineName)
	res := e.Run(ctx, m, x)
	d.metrics.executionEnded(x.StateMachineName, res.Status)
	d.metrics.stateTransitions(x.StateMachineName, res.Transitions)
	return res
}

// A nested EXPRESS execution (parent set) completes its parent's task when
// it ends, from this process: at most once, as the execution itself runs.
func (d *Durable) startExpress(ctx context.Context, smName, sha string, m *asl.StateMachine, name string, input any, testCase string, tc integrations.TraceContext, parent *integrations.ParentLink) (*Started, error) {
	link, err := toStoreLink(parent)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = newUUID()
	}
	if err := CheckExecutionName(name); err != nil {
		return nil, err
	}
	in := []byte(asl.EncodeJSON(input))
	if err := checkPayload("execution input", in); err != nil {
		return nil, err
	}
	run := newUUID()
	arn := fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s:%s", d.region(), d.account(), smName, name, run)
	id := expressID(d.StateMachineARN(smName), name, run)
	start := d.now()
	d.expressRuns.Add(1)
	go func() {
		defer d.expressRuns.Done()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExpressMaxDuration)
		defer cancel()
		res := d.runExpress(rctx, m, Execution{StateMachineName: smName, Name: name, Input: input, ARN: arn, TestCase: testCase, TraceParent: tc.Parent, TraceState: tc.State, Baggage: tc.Baggage})
		x := &store.Execution{
			ID: id, StateMachineARN: d.StateMachineARN(smName), Name: name, DefinitionSHA: sha,
			Status: string(res.Status), Input: in, Error: res.Error, Cause: res.Cause,
			StartDate: start, StopDate: res.StopDate,
		}
		if res.Status == StatusSucceeded {
			x.Output = []byte(asl.EncodeJSON(res.Output))
		}
		wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer wcancel()
		if err := d.store.ExpressRecordPut(wctx, x, d.retention()); err != nil {
			slog.Error("recording an express execution's end", "execution", arn, "err", err)
		}
		if link != nil {
			if err := d.completeParent(wctx, arn, x, link); err != nil {
				slog.Error("completing the task waiting for an express execution", "execution", arn, "err", err)
			}
		}
	}()
	return &Started{ID: id, ExecutionARN: arn, StartDate: start}, nil
}

// expressID is the store id of an EXPRESS execution: its name and run id
// (names of EXPRESS executions repeat; the pair does not, and no Standard
// execution's name contains a colon).
func expressID(smARN, name, run string) string {
	return store.ExecutionID(smARN, name+":"+run)
}

// ExecutionIDOf returns the store id of the execution an ARN names, a
// Standard one (arn:aws:states:region:account:execution:machine:name) or an
// EXPRESS one (...:express:machine:name:run), and its state machine's name.
func (d *Durable) ExecutionIDOf(arn string) (id, stateMachine string, err error) {
	parts := strings.Split(arn, ":")
	switch {
	case len(parts) == 8 && parts[5] == "execution" && parts[0] == "arn" && parts[2] == "states":
		return store.ExecutionID(d.StateMachineARN(parts[6]), parts[7]), parts[6], nil
	case len(parts) == 9 && parts[5] == "express" && parts[0] == "arn" && parts[2] == "states":
		return expressID(d.StateMachineARN(parts[6]), parts[7], parts[8]), parts[6], nil
	}
	return "", "", fmt.Errorf("%w: %q is not an execution ARN", ErrInvalidArn, arn)
}

// WaitExpress waits until the EXPRESS executions this process started have
// ended and been recorded, or ctx ends.
func (d *Durable) WaitExpress(ctx context.Context) error {
	done := make(chan struct{})
	go func() { d.expressRuns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
