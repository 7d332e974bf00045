//go:build !linux

package bench

import "time"

// threadCPU is f's wall time where a thread's CPU time cannot be read.
func threadCPU(f func()) time.Duration { return wallTime(f) }
