//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package bench

import "os"

// rssSupported says that peakRSS works on this platform: it does not.
const rssSupported = false

// peakRSS is not measured on this platform.
func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
