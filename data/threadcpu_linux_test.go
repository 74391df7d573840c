package data_test

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU is the CPU time (user and system) the calling OS thread has
// used; with the goroutine locked to its thread it is the CPU an operation
// costs, kernel work of its writes and fsyncs included, which a loaded
// machine disturbs far less than the wall-clock time. It is the thread's
// CPU clock, in nanoseconds (getrusage's counts move by whole scheduler
// ticks, 4 ms, too coarse for a read of a fraction of a millisecond).
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
