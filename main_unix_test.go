//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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

// TestHashWorkerSaysNothing: the password hashing worker (this executable
// started again with HMS_HASH_WORKER set, app/hashworker.go) writes
// nothing to its standard error when it starts and ends, under a locale
// Fyne cannot parse (LANG=C.UTF-8, which Fyne reads as the language "C"
// and warns about from its lang package's init). The worker serves and
// exits in package app's init, which Go runs before that of
// fyne.io/fyne/v2/lang only because Go initialises packages in the order
// of their import paths, as soon as their imports are, and lang waits for
// packages app does not import ("fyne.io/..." sorts before "hms/app"):
// with net/http, text/template and image/color imported by app, lang goes
// first and the worker repeats the desk's warning at each start (checked:
// this test then fails).
func TestHashWorkerSaysNothing(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(v string) bool {
		return strings.HasPrefix(v, "LANG=") || strings.HasPrefix(v, "LC_") || strings.HasPrefix(v, "LANGUAGE=")
	}), "LANG=C.UTF-8", "HMS_HASH_WORKER=argon2id-1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader("") // no request: the worker ends at once
	if err := cmd.Run(); err != nil {
		t.Fatalf("the worker: %v\n%s", err, stderr.String())
	}
	if stdout.Len() > 0 || stderr.Len() > 0 {
		t.Errorf("the worker printed:\nstdout: %q\nstderr: %s", stdout.String(), stderr.String())
	}
}
