package data

import "golang.org/x/sys/windows"

var setThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadPriority")

// threadPriorityLowest is THREAD_PRIORITY_LOWEST: two levels below normal.
const threadPriorityLowest = -2

// lowerThreadPriority lowers the calling OS thread's priority to
// THREAD_PRIORITY_LOWEST. Built, not run, on this project's test machines.
func lowerThreadPriority() {
	if setThreadPriority.Find() != nil {
		return
	}
	// The priority is a signed int passed in a uintptr register: -2 as its
	// two's complement.
	prio := int32(threadPriorityLowest)
	_, _, _ = setThreadPriority.Call(uintptr(windows.CurrentThread()), uintptr(prio))
}
