//go:build !windows

package cli

import (
	"os"
	"os/exec"
)

// echoOff stops the terminal f from echoing what is typed and returns what
// turns echo back on. Without stty, typing stays visible.
func echoOff(f *os.File) (restore func()) {
	off := exec.Command("stty", "-echo")
	off.Stdin = f
	if err := off.Run(); err != nil {
		return func() {}
	}
	return func() {
		on := exec.Command("stty", "echo")
		on.Stdin = f
		_ = on.Run()
	}
}
