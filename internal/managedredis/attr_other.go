//go:build unix && !linux

package managedredis

import "syscall"

// childAttr puts redis-server in a process group of its own, so that a
// Ctrl-C in the terminal reaches serve alone (which stops redis-server
// after the server, not before). Without Linux's parent-death signal, a
// redis-server whose serve was killed runs on until the next start on
// its directory stops it (stopLeftover).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
