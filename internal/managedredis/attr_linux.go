package managedredis

import "syscall"

// childAttr puts redis-server in a process group of its own, so that a
// Ctrl-C in the terminal reaches serve alone (which stops redis-server
// after the server, not before), and asks the kernel to send it SIGTERM
// when serve dies (even by SIGKILL), so that it writes its AOF and exits
// rather than outlive its owner.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
