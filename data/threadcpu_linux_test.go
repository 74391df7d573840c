package data_test

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time (user and system) the calling OS thread has
// used; with the goroutine locked to its thread it is the CPU an operation
// costs, kernel work of its writes and fsyncs included, which a loaded
// machine disturbs far less than the wall-clock time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
