//go:build unix

package runtimeapi

import (
	"os/exec"
	"syscall"
)

// isolate puts the process in a process group of its own, so that a
// timeout or a stop kills whatever it started too.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	parentDeath(cmd.SysProcAttr)
}

// killGroup kills the process group of pid (a sandbox's process and its
// children) with SIGKILL, as Lambda stops an execution environment.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
