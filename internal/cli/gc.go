package cli

import (
	"os"
	"runtime/debug"
)

// ServerGCPercent is the garbage collector's target for the long-running
// commands (serve, worker, and bench durable, which measures a worker):
// a server's live heap is small (tens of MiB) and its allocation rate
// high, so collecting at 5× the live heap instead of Go's 2× spends a
// few more MiB to halve the collector's share of the CPU. Measured with
// `signalbox bench gateway` on two cores: async starts +10%, the sync
// route's peak +25%.
const ServerGCPercent = 400

// TuneGC sets ServerGCPercent unless GOGC is set: the environment has the
// last word.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(ServerGCPercent)
	}
}
