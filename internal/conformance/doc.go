// Package conformance loads the recorded AWS Step Functions executions in
// shared/conformance/asl and checks Signalbox against them.
//
// Each case file holds a definition, an input and the result AWS produced
// (see the README next to the cases). Load reads them, Check compares a
// result with a case's expectation under the README's rules (JSON by value,
// masked values compared loosely), Skip says why a case cannot run yet, and
// Run drives a whole directory as Go subtests through a Runner and reports
// pass rates.
//
// The package knows nothing of the engine: a Runner executes one case.
package conformance
