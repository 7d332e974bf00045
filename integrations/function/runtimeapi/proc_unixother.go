//go:build unix && !linux

package runtimeapi

import "syscall"

// parentDeath: only Linux has a parent-death signal.
func parentDeath(*syscall.SysProcAttr) {}
