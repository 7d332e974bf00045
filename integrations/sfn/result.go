package sfn

import (
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// Execution is a nested execution that ended, as the runtime hands it to
// Result.
type Execution struct {
	ExecutionARN    string
	StateMachineARN string
	Name            string
	Status          string // SUCCEEDED, FAILED, TIMED_OUT, ABORTED
	Input, Output   []byte // JSON text; Output nil unless SUCCEEDED
	Error, Cause    string
	StartDate       time.Time
	StopDate        time.Time
}

// Result is what a .sync task (mode integrations.NestedSync or
// NestedSync2) gets of its child's end: the child's DescribeExecution as
// the task's result when it succeeded, with Input and Output as JSON text
// (.sync) or as JSON values (.sync:2); otherwise the failure
// States.TaskFailed, whose cause is that same description (with the
// child's Error and Cause) as JSON text.
func Result(mode string, e Execution) (output any, failure *integrations.Error) {
	d := map[string]any{
		"ExecutionArn":    e.ExecutionARN,
		"StateMachineArn": e.StateMachineARN,
		"Name":            e.Name,
		"Status":          e.Status,
		"StartDate":       millis(e.StartDate),
		"StopDate":        millis(e.StopDate),
		"Input":           data(mode, e.Input),
		"InputDetails":    map[string]any{"Included": true},
	}
	if e.Status == "SUCCEEDED" {
		d["Output"] = data(mode, e.Output)
		d["OutputDetails"] = map[string]any{"Included": true}
		return d, nil
	}
	if e.Error != "" {
		d["Error"] = e.Error
	}
	if e.Cause != "" {
		d["Cause"] = e.Cause
	}
	return nil, &integrations.Error{Name: "States.TaskFailed", Cause: asl.EncodeJSON(d)}
}

// data is a child's input or output as the mode carries it: JSON text for
// .sync, the JSON value for .sync:2 (text that does not parse stays text).
func data(mode string, b []byte) any {
	if b == nil {
		b = []byte("null")
	}
	if mode == integrations.NestedSync2 {
		if v, err := asl.DecodeJSON(b); err == nil {
			return v
		}
	}
	return string(b)
}
