package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHashWorkerOnlyForTheDesk: the worker's marker set by hand (or left
// in a launcher's environment) does not make a program a worker: run
// from a shell with a request on a pipe, or as the desk's child with its
// request in a file, it reads nothing, answers nothing, does not hang,
// and says why on its standard error. Started by the desk, it serves
// (the other worker tests). The desk itself never has the marker, so
// nothing it starts (a PDF viewer, xdg-open) inherits it.
func TestHashWorkerOnlyForTheDesk(t *testing.T) {
	var req bytes.Buffer
	if err := writeHashRequest(&req, hashRequest{id: 7, time: 1, memory: 64, threads: 1, keyLen: 32,
		password: []byte("a password typed by hand"), salt: []byte("0123456789abcdef")}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "request")
	if err := os.WriteFile(file, req.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), hashWorkerEnv+"="+hashWorkerMarker)
	run := func(t *testing.T, cmd *exec.Cmd) {
		t.Helper()
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr, cmd.Env = &out, &errOut, env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err = <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatal("it hangs")
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("exit: %v, want status 2", err)
		}
		if out.Len() != 0 {
			t.Errorf("it answered as a worker: %x", out.Bytes())
		}
		if !strings.Contains(errOut.String(), "not started by HMS as its password hashing worker") {
			t.Errorf("standard error: %q", errOut.String())
		}
	}
	t.Run("from a shell, the request on a pipe", func(t *testing.T) {
		// sh is the parent ("; exit" keeps the shell from exec'ing it).
		run(t, exec.Command("/bin/sh", "-c", `cat "$1" | "$0" -test.run='^$'; exit $?`, exe, file))
	})
	t.Run("as this program's child, the request in a file", func(t *testing.T) {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Stdin = f
		run(t, cmd)
	})
	t.Run("the desk's children do not inherit the marker", func(t *testing.T) {
		if key := deriveKey([]byte("pw"), []byte("0123456789abcdef"), 1, 64, 1, 16); len(key) != 16 {
			t.Fatal("no key")
		}
		if pid, _, _ := HashWorkerStatus(); pid == 0 {
			t.Fatal("no worker ran")
		}
		if v, ok := os.LookupEnv(hashWorkerEnv); ok {
			t.Fatalf("the desk's environment holds %s=%s", hashWorkerEnv, v)
		}
		// What a child the desk starts sees (exec.Command as ui's
		// xdg-open does: this process's environment).
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "/usr/bin/env").Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), hashWorkerEnv) {
			t.Fatalf("a child's environment holds the marker")
		}
	})
}
