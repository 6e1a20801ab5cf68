//go:build !unix

package journaltest

import (
	"errors"
	"os/exec"
)

type runAs struct{}

func currentRunAs() (runAs, error) {
	return runAs{}, errors.New("the PostgreSQL test harness runs on Unix only")
}

func (runAs) own(string) error { return nil }
func (runAs) apply(*exec.Cmd)  {}
