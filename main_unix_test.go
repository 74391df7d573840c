//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestImportRefusesFIFO: a named pipe given as the import file is refused
// from its mode, without opening it (nothing ever writes to this one:
// opening it would block for ever).
func TestImportRefusesFIFO(t *testing.T) {
	db := newClinic(t)
	fifo := filepath.Join(t.TempDir(), "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	hms(t, "", "--db", db, "import", "patients", fifo).want(t, 1, "", "named pipe")
}
