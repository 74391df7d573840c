//go:build !linux

package app

import (
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
