//go:build !windows

package data

import (
	"os"
	"syscall"
)

// RestrictUmask makes every file and folder the process creates from now
// on its user's alone (umask 077).
func RestrictUmask() { syscall.Umask(0o077) }

func ownerOnly(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o600)
	if fi.IsDir() {
		mode = 0o700
	}
	return os.Chmod(path, mode)
}
