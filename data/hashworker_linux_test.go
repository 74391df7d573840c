package data_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// TestLoginHashesAtLowestPriority: a login's password check (and an
// administrator's sealed key) is derived by app's hashing worker, every
// thread of which runs at nice 19, so that a payment's thread gets the
// CPU first (app's TestHashRunsAtLowestPriority checks the worker itself).
func TestLoginHashesAtLowestPriority(t *testing.T) {
	c := mustSetup(t)
	_, served, inProcess := app.HashWorkerStatus()
	if _, err := c.svc.Users.Login(anon, "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	pid, afterServed, afterInProcess := app.HashWorkerStatus()
	if pid == 0 || afterServed < served+2 || afterInProcess != inProcess {
		t.Fatalf("worker %d made %d keys of the login, this process %d", pid, afterServed-served, afterInProcess-inProcess)
	}
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/stat")
	if len(tasks) == 0 {
		t.Fatalf("no threads of the worker %d", pid)
	}
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if nice := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[16]; nice != "19" {
			t.Errorf("the worker's thread %s runs at nice %s, not 19", f, nice)
		}
	}
}

// TestWritesPauseHashing: a write transaction made while a password hash
// is under way stops the hashing worker while it runs (app.PauseHashing)
// and, whether it commits, fails or panics, leaves no pause on and the
// worker running when it returns.
func TestWritesPauseHashing(t *testing.T) {
	c := mustSetup(t)
	// A slow hash, so that it is under way during every write below.
	hashed := make(chan error, 1)
	go func() {
		_, err := app.HashPassword("a slow hash", app.HashParams{Memory: 64 * 1024, Time: 40, Threads: 1, SaltLen: 16, KeyLen: 32})
		hashed <- err
	}()
	for waiting, _, _ := app.HashWorkerPauses(); waiting == 0; waiting, _, _ = app.HashWorkerPauses() {
		time.Sleep(time.Millisecond)
	}
	pid, _, _ := app.HashWorkerStatus()
	var during []bool
	c.db.OnTx(func(data.TxDone) {
		_, _, stopped := app.HashWorkerPauses()
		during = append(during, stopped)
	}, false)
	check := func(what string) {
		t.Helper()
		if _, pauses, stopped := app.HashWorkerPauses(); pauses != 0 || stopped {
			t.Fatalf("after %s: %d pauses on, worker stopped %v", what, pauses, stopped)
		}
		for deadline := time.Now().Add(2 * time.Second); workerStopped(t, pid); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after %s the worker is still stopped", what)
			}
		}
		if len(during) == 0 || !during[len(during)-1] {
			t.Fatalf("the worker was not stopped during %s: %v", what, during)
		}
		// The next pause may stop the worker only once it ran as long as
		// the last pause.
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := c.svc.Users.Login(anon, "nurse1", "a long staff password nurse"); err != nil {
		t.Fatal(err)
	}
	check("a committed write")
	failure := errors.New("no")
	if err := c.db.WriteTx(context.Background(), "test.fail", func(*data.Tx) error { return failure }); !errors.Is(err, failure) {
		t.Fatalf("a failing write: %v", err)
	}
	check("a failed write")
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("the panic: %v", r)
			}
		}()
		_ = c.db.WriteTx(context.Background(), "test.panic", func(*data.Tx) error { panic("boom") })
	}()
	check("a write that panicked")
	if err := <-hashed; err != nil {
		t.Fatal(err)
	}
}

// workerStopped reports whether process pid is stopped (state T).
func workerStopped(t *testing.T, pid int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[0] == "T"
}
