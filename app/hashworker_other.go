//go:build !linux

package app

import (
	"errors"
	"os"
	"os/exec"
)

// Windows and macOS have no hashing worker yet: keys are derived in the
// desk's process at its normal priority (README, Logins).
var (
	startLowPriority func(*exec.Cmd, <-chan struct{}) error
	workerCommand    func() *exec.Cmd
	signalWorker     func(*os.Process, bool) error
)

// startedByDesk: no desk starts a worker here, so nothing serves as one.
func startedByDesk() error {
	return errors.New("this system has no hashing worker")
}
