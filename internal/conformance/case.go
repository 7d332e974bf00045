package conformance

import "strings"

// Execution statuses a case can expect.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Case is one recorded execution.
type Case struct {
	Name string // unique id, also the file's base name
	File string // path of the case file

	// Definition is the ASL definition, re-encoded as compact JSON text.
	Definition []byte
	// Input is the execution input, decoded with oj.
	Input any
	// Expected is what AWS produced. An expected cause recorded as a JSON
	// object is held as its JSON text.
	Expected Result

	// Needs lists the services the definition's Task states call.
	Needs []string
	// Placeholders is set when Expected holds masked values; see
	// PlaceholderTokens.
	Placeholders bool
	// InputPlaceholders is set when the input itself is masked: the case
	// cannot run verbatim.
	InputPlaceholders bool
	// DefinitionPlaceholders is set when the definition itself is masked.
	DefinitionPlaceholders bool
	// PlaceholderTokens, InputPlaceholderTokens and
	// DefinitionPlaceholderTokens list the masks used in the expectation,
	// the input and the definition.
	PlaceholderTokens           []string
	InputPlaceholderTokens      []string
	DefinitionPlaceholderTokens []string

	Features Features

	// ItemReader and ResultWriter are set when a Map state of the
	// definition has the field of that name (Distributed Map I/O).
	ItemReader, ResultWriter bool

	// Express is set for cases recorded as synchronous Express executions.
	Express bool
	// ResourceBindings name the definition fields that held a resource ARN
	// created at recording time ("/States/X/Resource <- function_arn").
	ResourceBindings []string
	// RecordedServiceEvents are the history events of the service calls
	// made during the recording, decoded with oj; usable as mocks.
	RecordedServiceEvents []any
	// Source says where and when the case was recorded.
	Source Source
	// AlsoIn names other recorded tests that produced the same case.
	AlsoIn []string
}

// Result is the outcome of one execution.
type Result struct {
	Status string // one of the Status constants
	// Output is the execution's output (oj values). It counts as present
	// when HasOutput is set or Output is not nil.
	Output    any
	HasOutput bool
	// Error and Cause of a failed execution; "" when absent (null).
	Error, Cause string
}

// Features summarises what a definition uses.
type Features struct {
	QueryLanguage      string   // "JSONPath", "JSONata" or "mixed"
	StateTypes         []string // e.g. "Pass", "Map"
	IntrinsicFunctions []string // e.g. "States.Format"
	Assign             bool
	JSONataExpressions bool
	DistributedMap     bool
	ContextObject      bool
	Retry              bool
	Catch              bool
}

// Source is the provenance of a case.
type Source struct {
	Repo, Commit, Test, Template, Snapshot string
	Recorded, Validated, IDResolution      string
}

// Group is the case's group: its name up to the first "__", which is the
// recorded test module (e.g. "base_test_wait").
func (c *Case) Group() string { return Group(c.Name) }

// Group returns the group of a case name: the name up to the first "__".
func Group(name string) string {
	group, _, _ := strings.Cut(name, "__")
	return group
}
