//go:build !linux

package app

import (
	"errors"
	"os/exec"
)

// Windows and macOS have no hashing worker yet: keys are derived in the
// desk's process at its normal priority (README, Logins).
var (
	startLowPriority func(*exec.Cmd) error
	workerCommand    func() *exec.Cmd
)

// startedByDesk: no desk starts a worker here, so nothing serves as one.
func startedByDesk() error {
	return errors.New("this system has no hashing worker")
}
