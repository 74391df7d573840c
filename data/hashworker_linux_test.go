package data_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hms/app"
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
