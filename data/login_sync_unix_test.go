//go:build unix

package data_test

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"hms/data"
)

// TestLoginKeptWhenTheDeskIsKilled: a login's commit without a sync of its
// own is in the WAL when Login returns, so the desk's process killed at
// once (SIGKILL, nothing closed) keeps the login's audit row.
func TestLoginKeptWhenTheDeskIsKilled(t *testing.T) {
	if path := os.Getenv("HMS_LOGIN_KILL_CHILD"); path != "" {
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err != nil {
			os.Exit(3)
		}
		if _, err := db.Services().Users.Login(anon, "nurse1", "a long staff password nurse"); err != nil || !db.Unsynced() {
			os.Exit(4)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	c := mustSetup(t)
	path := c.db.Path()
	c.db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoginKeptWhenTheDeskIsKilled$")
	cmd.Env = append(os.Environ(), "HMS_LOGIN_KILL_CHILD="+path)
	var ee *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child did not log in and get killed: %v", err)
	}
	raw := openPlain(t, path)
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.login' AND username = 'nurse1' AND outcome = 'ok'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the login's audit row after the kill: %d, %v", n, err)
	}
}
