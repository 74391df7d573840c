//go:build !linux

package data

// lowestThreadPriority is Linux only for now: on Windows and macOS a
// password hash runs at the desk's normal priority (hashAside).
func lowestThreadPriority() {}
