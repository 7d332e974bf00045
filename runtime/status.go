package runtime

import "fmt"

// Status is an execution's status, as AWS names it.
type Status string

// The execution statuses.
const (
	StatusRunning        Status = "RUNNING"
	StatusSucceeded      Status = "SUCCEEDED"
	StatusFailed         Status = "FAILED"
	StatusTimedOut       Status = "TIMED_OUT"
	StatusAborted        Status = "ABORTED"
	StatusPendingRedrive Status = "PENDING_REDRIVE"
)

// Closed reports whether the status is final.
func (s Status) Closed() bool {
	switch s {
	case StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted:
		return true
	}
	return false
}

// Transition checks that an execution may move from s to next: every
// status change goes through here.
func (s Status) Transition(next Status) error {
	switch {
	case s == StatusRunning && next != StatusRunning:
		return nil
	case s == StatusFailed || s == StatusTimedOut || s == StatusAborted:
		if next == StatusPendingRedrive {
			return nil
		}
	case s == StatusPendingRedrive && next == StatusRunning:
		return nil
	}
	return fmt.Errorf("illegal execution status transition %s -> %s", s, next)
}
