package data_test

import (
	"runtime"
	"syscall"
	"testing"
)

// niceOfThread is the calling OS thread's nice value (the kernel's
// getpriority answers 20 − nice).
func niceOfThread() int {
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		return -100
	}
	return 20 - p
}

// TestHashRunsAtLowestPriority: a password hash runs on a thread at nice
// 19, so that a payment's thread gets the CPU first; the caller's thread
// keeps its priority.
func TestHashRunsAtLowestPriority(t *testing.T) {
	db := MustOpenDB(t, newFakeClock())
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := niceOfThread()
	for range 3 {
		var inside int
		db.HashAside(func() { inside = niceOfThread() })
		if inside != 19 {
			t.Fatalf("a hash ran at nice %d, not 19", inside)
		}
	}
	if n := niceOfThread(); n != before {
		t.Fatalf("the caller's thread went from nice %d to %d", before, n)
	}
}
