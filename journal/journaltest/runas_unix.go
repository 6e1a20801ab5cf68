//go:build unix

package journaltest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// runAs is the account the server runs as: the current one, or, for root (whom
// PostgreSQL refuses), the "postgres" account, or "nobody" without one.
type runAs struct {
	cred *syscall.Credential
}

func currentRunAs() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}}, nil
	}
	return runAs{}, fmt.Errorf("running as root, and no postgres or nobody account to run PostgreSQL as")
}

// own gives the folder to the account.
func (r runAs) own(dir string) error {
	if r.cred == nil {
		return nil
	}
	return os.Chown(dir, int(r.cred.Uid), int(r.cred.Gid))
}

// apply makes cmd run as the account, and die with the test process.
func (r runAs) apply(cmd *exec.Cmd) {
	attr := &syscall.SysProcAttr{Credential: r.cred}
	setParentDeathSignal(attr)
	cmd.SysProcAttr = attr
}
