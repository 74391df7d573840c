package data_test

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hms/app"
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

// workerCPU is the CPU time (user and system, all threads) the hashing
// worker has used so far, 0 when none runs: /proc/PID/stat's utime and
// stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
func workerCPU() time.Duration {
	pid, _, _ := app.HashWorkerStatus()
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// threadWaits reads, for the calling OS thread, how long it has waited
// runnable for a processor (the second field of /proc/thread-self/schedstat,
// in nanoseconds) and how many times it gave the processor up of its own
// accord (to sleep, wait for a lock or the disk) and was made to
// (getrusage's nvcsw and nivcsw). A read's wall time less its CPU and its
// run-queue wait is the time it was blocked. The file is opened once, on
// the thread it describes: the caller must be locked to its thread.
type threadWaits struct {
	f   *os.File
	buf [128]byte
}

func newThreadWaits() *threadWaits {
	f, err := os.Open("/proc/thread-self/schedstat")
	if err != nil {
		return &threadWaits{}
	}
	return &threadWaits{f: f}
}

func (w *threadWaits) close() {
	if w.f != nil {
		w.f.Close()
	}
}

// now returns the run-queue wait so far and the voluntary and involuntary
// context switches.
func (w *threadWaits) now() (runq time.Duration, voluntary, involuntary int64) {
	if w.f != nil {
		if n, err := w.f.ReadAt(w.buf[:], 0); n > 0 && (err == nil || err == io.EOF) {
			if f := strings.Fields(string(w.buf[:n])); len(f) >= 2 {
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				runq = time.Duration(ns)
			}
		}
	}
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_THREAD, &ru) == nil {
		voluntary, involuntary = ru.Nvcsw, ru.Nivcsw
	}
	return runq, voluntary, involuntary
}

// threadIO reads how many read system calls (read, pread) the calling OS
// thread has made: syscr in /proc/thread-self/io. Each read of the counter
// is one of them. Opened once, on the thread it describes: the caller must
// be locked to its thread.
type threadIO struct {
	f   *os.File
	buf [256]byte
}

func newThreadIO() *threadIO {
	f, err := os.Open("/proc/thread-self/io")
	if err != nil {
		return &threadIO{}
	}
	return &threadIO{f: f}
}

func (t *threadIO) close() {
	if t.f != nil {
		t.f.Close()
	}
}

func (t *threadIO) syscr() int64 {
	if t.f == nil {
		return 0
	}
	n, err := t.f.ReadAt(t.buf[:], 0)
	if n == 0 || (err != nil && err != io.EOF) {
		return 0
	}
	for line := range strings.Lines(string(t.buf[:n])) {
		if v, ok := strings.CutPrefix(line, "syscr: "); ok {
			c, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return c
		}
	}
	return 0
}
