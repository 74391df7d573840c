package data

import "golang.org/x/sys/unix"

// lowerThreadPriority puts the calling OS thread in the background band
// (PRIO_DARWIN_THREAD, PRIO_DARWIN_BG): macOS runs it when the desk's
// other threads leave a core free. Built, not run, on this project's test
// machines.
func lowerThreadPriority() {
	_ = unix.Setpriority(unix.PRIO_DARWIN_THREAD, 0, unix.PRIO_DARWIN_BG)
}
