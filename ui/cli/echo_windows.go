//go:build windows

package cli

import (
	"os"

	"golang.org/x/sys/windows"
)

// echoOff stops the console f from echoing what is typed and returns what
// turns echo back on.
func echoOff(f *os.File) (restore func()) {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return func() {}
	}
	if err := windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT); err != nil {
		return func() {}
	}
	return func() { _ = windows.SetConsoleMode(h, mode) }
}
