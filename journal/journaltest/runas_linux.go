package journaltest

import "syscall"

// setParentDeathSignal has the kernel stop the server (SIGQUIT: immediate shutdown)
// should the test process die without stopping it.
func setParentDeathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGQUIT }
