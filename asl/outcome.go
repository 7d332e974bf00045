package asl

import (
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
)

// Outcome is what a step decides: the runtime carries it out. The set is
// closed; a type switch over it is exhaustive.
type Outcome interface{ isOutcome() }

// Next moves to another state of the same machine with the given input.
type Next struct {
	State  string
	Output any
	// Assign holds the workflow variables the state assigns; the runtime
	// sets them as the state moves on. nil when none.
	Assign map[string]any
}

// Succeed ends the machine (execution, branch or iteration) successfully.
type Succeed struct {
	Output any
	Assign map[string]any
}

// Fail ends the machine with an error. An empty Error means the Fail state
// named none.
type Fail struct{ Error, Cause string }

// CallTask asks the runtime to call an integration and to report the
// result with Complete, or the failure with HandleError.
type CallTask struct {
	Resource         string
	Parameters       any
	TimeoutSeconds   int // 0: none
	HeartbeatSeconds int // 0: none
	Credentials      any // the Task's Credentials, evaluated; nil when absent
}

// WaitUntil asks the runtime to carry out Then once Until has come.
type WaitUntil struct {
	Until time.Time
	Then  Outcome // a Next or a Succeed
}

// RunParallel asks the runtime to run every branch with Input and to report
// the array of their outputs with Complete, or the first failure with
// HandleError.
type RunParallel struct {
	Branches []*StateMachine
	Input    any
}

// RunMap asks the runtime to run the processor once per item, at most
// MaxConcurrency at a time (0: no limit), and to report the array of
// outputs in item order with Complete. Failed iterations are tolerated up
// to the thresholds; beyond them the Map fails (see MapFailure).
type RunMap struct {
	Processor      *StateMachine
	Items          []any // each iteration's input, after ItemSelector and ItemBatcher
	MaxConcurrency int
	// ToleratedFailureCount and ToleratedFailurePercentage are -1 when unset.
	ToleratedFailureCount      int
	ToleratedFailurePercentage float64
	Distributed                bool
	Label                      string
	// CONTRACT (session 10), Distributed Map's I/O: Reader is the Map's
	// ItemReader, evaluated (nil without one; Items is then nil and the
	// runtime reads the items through integrations.ItemReader and hands
	// them to Shape, which applies ItemSelector and ItemBatcher as they
	// apply to Items). Writer is its ResultWriter, evaluated (nil without
	// one). ExecutionType is the ProcessorConfig's (STANDARD or EXPRESS;
	// "" for an inline Map).
	Reader        *ReadItems
	Writer        *WriteResults
	Shape         func(raw []any) ([]any, error)
	ExecutionType string
}

// ReadItems is a Map's ItemReader, evaluated.
type ReadItems struct {
	Resource   string
	Parameters any
	// ReaderConfig, AWS's names and values (see integrations.ReadItemsRequest).
	InputType         string
	CSVHeaderLocation string
	CSVHeaders        []string
	CSVDelimiter      string
	MaxItems          int64
	ItemsPointer      string // InputType JSON: a JSON Pointer to the array
	Transformation    string // "NONE" or "LOAD_AND_FLATTEN" ("" when absent)
}

// WriteResults is a Map's ResultWriter, evaluated.
type WriteResults struct {
	Resource       string // "" with only WriterConfig
	Parameters     any
	OutputType     string
	Transformation string
}

// Retry asks the runtime to run the state again after Delay, counting one
// more attempt against the retrier at index Retrier.
type Retry struct {
	Delay   time.Duration
	Retrier int
}

func (Next) isOutcome()        {}
func (Succeed) isOutcome()     {}
func (Fail) isOutcome()        {}
func (CallTask) isOutcome()    {}
func (WaitUntil) isOutcome()   {}
func (RunParallel) isOutcome() {}
func (RunMap) isOutcome()      {}
func (Retry) isOutcome()       {}

func failWith(err *aslerr.Error) Fail { return Fail{Error: err.Name, Cause: err.Cause} }

// Failure is the error a Map fails with when its failed iterations are
// beyond what it tolerates: the threshold's error when it has a threshold,
// else the first iteration's.
func (r RunMap) Failure(first *aslerr.Error) *aslerr.Error {
	if r.ToleratedFailureCount >= 0 || r.ToleratedFailurePercentage >= 0 {
		return MapThresholdError()
	}
	return first
}

// Tolerates reports whether a Map with these thresholds tolerates failed
// iterations out of total.
func (r RunMap) Tolerates(failed, total int) bool {
	if failed == 0 {
		return true
	}
	if r.ToleratedFailureCount >= 0 && failed <= r.ToleratedFailureCount {
		return true
	}
	if r.ToleratedFailurePercentage >= 0 && total > 0 && float64(failed)*100/float64(total) <= r.ToleratedFailurePercentage {
		return true
	}
	return false
}
