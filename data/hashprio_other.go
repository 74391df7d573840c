//go:build !linux && !darwin && !windows

package data

// lowerThreadPriority does nothing where HMS knows no per-thread priority.
func lowerThreadPriority() {}
