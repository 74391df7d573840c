package data

import "syscall"

// lowestThreadPriority gives the calling OS thread the lowest scheduling
// priority (nice 19) for the rest of its life: the thread a password hash
// runs on (hashAside), so that the desk's other threads, a payment's
// included, get the CPU first whenever they want it. Linux applies nice to
// the one thread (PRIO_PROCESS with a thread id). A failure leaves the
// priority as it was.
func lowestThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19)
}
