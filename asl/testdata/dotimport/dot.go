// Package dotimport is a synthetic source for TestClockViolations.
package dotimport

import . "time"

var started = Now()
