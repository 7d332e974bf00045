package bench

import (
	goruntime "runtime"
	"syscall"
	"time"
)

// threadCPU runs f on a goroutine locked to its thread and returns the
// CPU time (user + system) that thread spent in it: on a loaded machine
// the wall time of a short computation is mostly waiting for a CPU.
func threadCPU(f func()) time.Duration {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	const rusageThread = 1 // RUSAGE_THREAD
	var before, after syscall.Rusage
	if syscall.Getrusage(rusageThread, &before) != nil {
		return wallTime(f)
	}
	f()
	if syscall.Getrusage(rusageThread, &after) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(after.Utime) - tv(before.Utime) + tv(after.Stime) - tv(before.Stime)
}
