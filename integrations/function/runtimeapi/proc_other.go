//go:build !unix

package runtimeapi

import (
	"os"
	"os/exec"
)

// isolate: no process groups here.
func isolate(*exec.Cmd) {}

// killGroup kills the process alone.
func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
