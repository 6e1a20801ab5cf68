//go:build unix && !linux

package journaltest

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}
