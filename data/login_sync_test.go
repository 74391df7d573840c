package data_test

import (
	"testing"

	"hms/data"
)

// TestPlainLoginCommitsWithoutItsOwnSync: a successful login of a staff
// account, which writes only its audit row and last_login_at, commits with
// synchronous=NORMAL (no sync of the disk of its own), and the connection
// is back to FULL for the next write; a failed login and an
// administrator's (whose login may vouch for rows) sync as every other
// write. SyncLog then has nothing left unsynced.
func TestPlainLoginCommitsWithoutItsOwnSync(t *testing.T) {
	c := mustSetup(t)
	var levels []int
	c.db.OnTx(func(d data.TxDone) {
		if d.Action == "user.login" && d.SyncLevel != 0 {
			levels = append(levels, d.SyncLevel)
		}
	}, true)
	if c.db.Unsynced() {
		t.Fatal("unsynced before any login")
	}
	if _, err := c.svc.Users.Login(anon, "nurse1", "a long staff password nurse"); err != nil {
		t.Fatal(err)
	}
	if !c.db.Unsynced() {
		t.Fatal("the login's commit is not noted as unsynced")
	}
	if _, err := c.svc.Users.Login(anon, "nurse1", "not the password at all"); err == nil {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := c.svc.Users.Login(anon, "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 2}; len(levels) != 3 || levels[0] != want[0] || levels[1] != want[1] || levels[2] != want[2] {
		t.Fatalf("synchronous at the logins' commits: %v, want %v", levels, want)
	}
	if err := c.db.SyncLog(); err != nil || c.db.Unsynced() {
		t.Fatalf("SyncLog: %v, unsynced %v", err, c.db.Unsynced())
	}
	var n int
	if err := c.db.ReadDB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.login' AND username = 'nurse1' AND outcome = 'ok'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the login's audit row: %d, %v", n, err)
	}
}
