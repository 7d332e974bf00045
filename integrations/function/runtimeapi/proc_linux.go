package runtimeapi

import "syscall"

// parentDeath asks Linux to kill the sandbox's process when Signalbox's
// dies (kill -9 included), so no function outlives the server.
func parentDeath(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
