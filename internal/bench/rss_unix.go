//go:build linux || darwin || freebsd || netbsd || openbsd

package bench

import (
	"os"
	goruntime "runtime"
	"syscall"
)

// rssSupported says that peakRSS works on this platform.
const rssSupported = true

// peakRSS returns the peak resident set size of an exited process, in
// bytes.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	if ps == nil {
		return 0, false
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	if goruntime.GOOS == "darwin" {
		return int64(ru.Maxrss), true // bytes on macOS
	}
	return int64(ru.Maxrss) * 1024, true // KiB elsewhere
}
