package data

import "golang.org/x/sys/unix"

// lowerThreadPriority lowers the calling OS thread's scheduling priority
// by ten nice levels (at most to 19). On Linux a thread is scheduled on its
// own, and setpriority with its thread id changes that thread only. A
// failure leaves the thread as it was: the hash is then only as polite as
// before.
func lowerThreadPriority() {
	tid := unix.Gettid()
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := 20 - raw // the system call answers 20 - nice
	_ = unix.Setpriority(unix.PRIO_PROCESS, tid, min(19, nice+10))
}
