package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"hms/app"
	"hms/app/mock"
	"hms/data"
	syncserver "hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// These tests run hms end to end through run(), on real SQLite files in
// t.TempDir(). Password hashing is made cheap so they stay fast.

const adminPassword = "tulip orbit canvas ferry"

func TestMain(m *testing.M) {
	dataOptions.HashParams = app.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

type out struct {
	code           int
	stdout, stderr string
}

// hms runs the command line with stdin.
func hms(t *testing.T, stdin string, args ...string) out {
	t.Helper()
	var o, e bytes.Buffer
	code := run(args, strings.NewReader(stdin), &o, &e)
	return out{code, o.String(), e.String()}
}

func (o out) want(t *testing.T, code int, stdoutHas, stderrHas string) {
	t.Helper()
	if o.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", o.code, code, o.stdout, o.stderr)
	}
	if !strings.Contains(o.stdout, stdoutHas) {
		t.Errorf("stdout lacks %q:\n%s", stdoutHas, o.stdout)
	}
	if !strings.Contains(o.stderr, stderrHas) {
		t.Errorf("stderr lacks %q:\n%s", stderrHas, o.stderr)
	}
}

func setupArgs(db string, extra ...string) []string {
	return append([]string{"--db", db, "setup", "--clinic", "Riverside Clinic", "--address", "1 River Rd",
		"--phone", "+30 210 1234567", "--time-zone", "Europe/Athens", "--currency", "EUR",
		"--admin", "admin", "--admin-name", "Ada Admin"}, extra...)
}

// newClinic returns the path of a database that `hms setup` has set up.
func newClinic(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "clinic", "hms.db")
	hms(t, adminPassword+"\n", setupArgs(db)...).want(t, 0, "can log in now", "")
	return db
}

// openData opens a database directly, for checks the command line cannot make.
func openData(t *testing.T, path string) (app.Services, func()) {
	t.Helper()
	db, err := data.Open(path, dataOptions)
	if err != nil {
		t.Fatal(err)
	}
	return services(db), func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
}

func login(t *testing.T, path, username, password string) (*app.Session, error) {
	t.Helper()
	svc, done := openData(t, path)
	defer done()
	return svc.Users.Login(context.Background(), username, password)
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestVersion(t *testing.T) {
	hms(t, "", "version").want(t, 0, "hms dev", "")
}

func TestHelp(t *testing.T) {
	hms(t, "", "help").want(t, 0, "user reset-password", "")
	hms(t, "", "-h").want(t, 0, "Commands:", "")
	for _, c := range [][]string{{"setup"}, {"demo"}, {"user"}, {"user", "add"}, {"user", "list"},
		{"user", "reset-password"}, {"user", "unlock"}, {"user", "deactivate"}, {"user", "approve"},
		{"verify"}, {"backup"}, {"restore"}, {"version"}} {
		hms(t, "", append(c, "-h")...).want(t, 0, "Usage: hms", "")
		hms(t, "", append([]string{"help"}, c...)...).want(t, 0, "Usage: hms", "")
	}
	hms(t, "", "nonsense").want(t, 2, "", "unknown command")
}

func TestSetup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		db := newClinic(t)
		if _, err := os.Stat(auditKeyPath(db)); err != nil {
			t.Errorf("no audit key beside the database: %v", err)
		}
		s, err := login(t, db, "admin", adminPassword)
		if err != nil || s.User.Role != app.RoleAdmin {
			t.Fatalf("admin login: %v", err)
		}
		svc, done := openData(t, db)
		defer done()
		ctx := app.NewContextWithCaller(context.Background(), s.Caller())
		st, err := svc.Settings.GetSettings(ctx)
		if err != nil || st.ClinicName != "Riverside Clinic" || st.TimeZone != "Europe/Athens" || st.Currency != "EUR" {
			t.Errorf("settings %+v, %v", st, err)
		}
	})
	t.Run("ErrTwice", func(t *testing.T) {
		db := newClinic(t)
		hms(t, adminPassword+"\n", setupArgs(db, "--admin", "other")...).want(t, 1, "", "already set up")
		if _, err := login(t, db, "other", adminPassword); err == nil {
			t.Error("the second setup created an admin")
		}
	})
	t.Run("ErrTimeZone", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "hms.db")
		hms(t, adminPassword+"\n", setupArgs(db, "--time-zone", "Mars/Olympus_Mons")...).want(t, 1, "", "hms: --time-zone: ")
		hms(t, adminPassword+"\n", setupArgs(db, "--time-zone", "Local")...).want(t, 1, "", "hms: --time-zone: ")
		// Nothing was set up: a corrected setup works.
		hms(t, adminPassword+"\n", setupArgs(db)...).want(t, 0, "can log in now", "")
	})
	t.Run("ErrWeakPassword", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "hms.db")
		hms(t, "short\n", setupArgs(db)...).want(t, 1, "", "hms: password: The password is too short")
		hms(t, "password1234\n", setupArgs(db)...).want(t, 1, "", "most common")
		hms(t, "", setupArgs(db)...).want(t, 1, "", "No password given")
		hms(t, adminPassword+"\n", setupArgs(db)...).want(t, 0, "can log in now", "")
	})
	t.Run("ErrFlags", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "hms.db")
		hms(t, adminPassword+"\n", setupArgs(db, "--currency", "DOGE")...).want(t, 1, "", "hms: --currency: ")
		hms(t, adminPassword+"\n", setupArgs(db, "--clinic", "")...).want(t, 1, "", "hms: --clinic: ")
		hms(t, adminPassword+"\n", setupArgs(db, "--admin", "A!")...).want(t, 1, "", "hms: --admin: ")
		hms(t, adminPassword+"\n", setupArgs(db, "--bogus")...).want(t, 2, "", "unknown flag --bogus")
	})
	t.Run("EnvDB", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "from-env.db")
		t.Setenv("HMS_DB", db)
		args := setupArgs("ignored")[2:] // no --db
		hms(t, adminPassword+"\n", args...).want(t, 0, db, "")
		if _, err := os.Stat(db); err != nil {
			t.Errorf("HMS_DB was not used: %v", err)
		}
	})
}

func TestUser(t *testing.T) {
	db := newClinic(t)
	const pw = "a long doctor password"
	ctx := context.Background()

	t.Run("Add", func(t *testing.T) {
		hms(t, pw+"\n", "--db", db, "user", "add", "--username", "dr.who", "--name", "Dr. Who", "--role", "doctor",
			"--email", "who@example.org", "--phone", "+44 20 7946 0000").want(t, 0, "Created dr.who", "")
		s, err := login(t, db, "dr.who", pw)
		if err != nil || s.User.Role != app.RoleDoctor || s.MustChangePassword {
			t.Fatalf("login %+v %v", s, err)
		}
	})
	t.Run("AddErrors", func(t *testing.T) {
		hms(t, pw+"\n", "--db", db, "user", "add", "--username", "dr.who", "--name", "Again", "--role", "doctor").want(t, 1, "", "hms: ")
		hms(t, "short\n", "--db", db, "user", "add", "--username", "nn", "--name", "N", "--role", "nurse").want(t, 1, "", "hms: --username: ")
		hms(t, "short\n", "--db", db, "user", "add", "--username", "nurse1", "--name", "N", "--role", "nurse").want(t, 1, "", "hms: password: ")
		hms(t, pw+"\n", "--db", db, "user", "add", "--username", "nurse1", "--name", "N", "--role", "matron").want(t, 2, "", "--role")
		hms(t, pw+"\n", "--db", db, "user", "add", "--username", "nurse1", "--name", "N", "--role", "nurse", "--email", "nope").want(t, 1, "", "hms: --email: ")
	})
	t.Run("List", func(t *testing.T) {
		o := hms(t, "", "--db", db, "user", "list")
		o.want(t, 0, "USERNAME", "")
		for _, w := range []string{"admin", "dr.who", "Dr. Who", "doctor", "active"} {
			if !strings.Contains(o.stdout, w) {
				t.Errorf("list lacks %q:\n%s", w, o.stdout)
			}
		}
		o = hms(t, "", "--db", db, "user", "list", "--role", "doctor")
		if strings.Contains(o.stdout, "Ada Admin") || !strings.Contains(o.stdout, "dr.who") {
			t.Errorf("--role doctor:\n%s", o.stdout)
		}
		hms(t, "", "--db", db, "user", "list", "--status", "pending").want(t, 0, "No accounts match", "")
		hms(t, "", "--db", db, "user", "list", "--status", "sleeping").want(t, 2, "", "--status")
	})
	t.Run("ResetPassword", func(t *testing.T) {
		const newPW = "a brand new password here"
		hms(t, newPW+"\n", "--db", db, "user", "reset-password", "dr.who").want(t, 0, "must choose a new one", "")
		s, err := login(t, db, "dr.who", newPW)
		if err != nil || !s.MustChangePassword {
			t.Fatalf("after reset: %+v %v", s, err)
		}
		if _, err := login(t, db, "dr.who", pw); err == nil {
			t.Error("the old password still works")
		}
		hms(t, "tiny\n", "--db", db, "user", "reset-password", "dr.who").want(t, 1, "", "hms: password: ")
	})
	t.Run("Unlock", func(t *testing.T) {
		for i := 0; i < app.MaxFailedLogins; i++ {
			login(t, db, "admin", "wrong password, not it")
		}
		if _, err := login(t, db, "admin", adminPassword); err == nil {
			t.Fatal("the admin is not locked after failed logins")
		}
		hms(t, "", "--db", db, "user", "unlock", "admin").want(t, 0, "admin is unlocked", "")
		if _, err := login(t, db, "admin", adminPassword); err != nil {
			t.Errorf("login after unlock: %v", err)
		}
	})
	t.Run("Approve", func(t *testing.T) {
		svc, done := openData(t, db)
		_, err := svc.Users.RegisterStaff(ctx, app.StaffRegistration{Username: "nurse.new", FullName: "New Nurse", Role: app.RoleNurse, Password: pw})
		done()
		if err != nil {
			t.Fatal(err)
		}
		hms(t, "", "--db", db, "user", "list", "--status", "pending").want(t, 0, "nurse.new", "")
		if _, err := login(t, db, "nurse.new", pw); err == nil {
			t.Fatal("a pending account logged in")
		}
		hms(t, "", "--db", db, "user", "approve", "nurse.new").want(t, 0, "approved", "")
		if _, err := login(t, db, "nurse.new", pw); err != nil {
			t.Errorf("login after approval: %v", err)
		}
		hms(t, "", "--db", db, "user", "approve", "nurse.new").want(t, 1, "", "hms: ")
	})
	t.Run("Deactivate", func(t *testing.T) {
		hms(t, "", "--db", db, "user", "deactivate", "nurse.new").want(t, 0, "deactivated", "")
		if _, err := login(t, db, "nurse.new", pw); err == nil {
			t.Error("a deactivated account logged in")
		}
		hms(t, "", "--db", db, "user", "list", "--status", "deactivated").want(t, 0, "nurse.new", "")
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		for _, verb := range []string{"reset-password", "unlock", "deactivate", "approve"} {
			o := hms(t, "another good password\n", "--db", db, "user", verb, "ghost")
			o.want(t, 1, "", "hms: ")
			if o.stdout != "" {
				t.Errorf("%s ghost printed %q", verb, o.stdout)
			}
		}
	})
	t.Run("Audited", func(t *testing.T) {
		s, err := login(t, db, "admin", adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		svc, done := openData(t, db)
		defer done()
		entries, err := svc.Audit.FindAuditEntries(app.NewContextWithCaller(ctx, s.Caller()), app.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		cli := 0
		for _, e := range entries {
			if strings.HasPrefix(e.Username, "cli:") {
				cli++
			}
		}
		if cli == 0 {
			t.Error("no audit entry names the command line")
		}
	})
	t.Run("ErrNotSetUp", func(t *testing.T) {
		fresh := filepath.Join(t.TempDir(), "fresh.db")
		hms(t, "", "--db", fresh, "user", "list").want(t, 1, "", "There is no database")
		if _, err := os.Stat(fresh); err == nil {
			t.Error("user list created a database")
		}
		_, done := openData(t, fresh)
		done()
		hms(t, "", "--db", fresh, "user", "list").want(t, 1, "", "hms setup")
	})
}

func TestVerify(t *testing.T) {
	db := newClinic(t)
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")

	t.Run("ErrWrongKey", func(t *testing.T) {
		key := auditKeyPath(db)
		orig, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(key, orig, 0o600)
		other := "hms-audit-key-v1 " + strings.Repeat("ab", 32) + "\n"
		if err := os.WriteFile(key, []byte(other), 0o600); err != nil {
			t.Fatal(err)
		}
		hms(t, "", "--db", db, "verify").want(t, 1, "PROBLEMS FOUND", "problems")
	})
	t.Run("ErrNoKey", func(t *testing.T) {
		key := auditKeyPath(db)
		if err := os.Rename(key, key+".away"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(key+".away", key)
		hms(t, "", "--db", db, "verify").want(t, 1, "", "audit key")
	})
	t.Run("ErrTampered", func(t *testing.T) {
		// Edit an audit row behind HMS's back, its append-only triggers
		// dropped first: verify must notice.
		raw, err := sql.Open("sqlite3", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`)
		if err != nil {
			t.Fatal(err)
		}
		var triggers []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			triggers = append(triggers, n)
		}
		rows.Close()
		for _, n := range triggers {
			if _, err := raw.Exec(`DROP TRIGGER "` + n + `"`); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := raw.Exec(`UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = (SELECT min(seq) FROM audit_log)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		hms(t, "", "--db", db, "verify").want(t, 1, "PROBLEMS FOUND", "problems")
	})
}

func TestBackupRestore(t *testing.T) {
	db := newClinic(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")

	hms(t, "", "--db", db, "backup", backup).want(t, 0, "Backed up to "+backup, "")
	hms(t, "", "--db", db, "backup", backup).want(t, 1, "", "--force")
	hms(t, "", "--db", db, "backup", "--force", backup).want(t, 0, "Backed up", "")
	if err := data.CheckDatabaseFile(backup); err != nil {
		t.Fatalf("the backup is not a valid database: %v", err)
	}
	// The backup verifies with the clinic's key beside it.
	key, _ := os.ReadFile(auditKeyPath(db))
	os.WriteFile(data.DefaultAuditKeyPath(backup), key, 0o600)
	hms(t, "", "--db", backup, "verify").want(t, 0, "Result: OK", "")

	// A user added after the backup is gone once it is restored.
	hms(t, "a long nurse password\n", "--db", db, "user", "add", "--username", "late", "--name", "Late Comer", "--role", "nurse").want(t, 0, "", "")

	t.Run("ErrUnwritable", func(t *testing.T) {
		notDir := filepath.Join(dir, "a-file")
		os.WriteFile(notDir, []byte("x"), 0o600)
		o := hms(t, "", "--db", db, "backup", filepath.Join(notDir, "backup.db"))
		o.want(t, 1, "", "hms: Cannot write the backup")
		hms(t, "", "--db", db, "backup", filepath.Join(dir, "no", "such", "folder", "b.db")).want(t, 1, "", "hms: ")
		hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")
	})
	t.Run("ErrNotADatabase", func(t *testing.T) {
		before := fileSum(t, db)
		junk := filepath.Join(dir, "notes.txt")
		os.WriteFile(junk, []byte(strings.Repeat("not a database\n", 200)), 0o600)
		hms(t, "", "--db", db, "restore", junk).want(t, 1, "", "not an HMS database")

		other := filepath.Join(dir, "other.sqlite")
		raw, err := sql.Open("sqlite3", "file:"+other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`CREATE TABLE t (x)`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		hms(t, "", "--db", db, "restore", other).want(t, 1, "", "not an HMS database")
		hms(t, "", "--db", db, "restore", filepath.Join(dir, "missing.db")).want(t, 1, "", "There is no file")

		if fileSum(t, db) != before {
			t.Error("a refused restore changed the database")
		}
		if m, _ := filepath.Glob(db + ".before-restore*"); len(m) != 0 {
			t.Errorf("a refused restore moved the database aside: %v", m)
		}
		hms(t, "", "--db", db, "user", "list").want(t, 0, "late", "")
	})
	t.Run("OK", func(t *testing.T) {
		o := hms(t, "", "--db", db, "restore", backup)
		o.want(t, 0, "The previous database is kept at", "")
		m, _ := filepath.Glob(db + ".before-restore*")
		if len(m) != 1 {
			t.Fatalf("aside files %v", m)
		}
		if !strings.Contains(o.stdout, m[0]) {
			t.Errorf("output does not name %s:\n%s", m[0], o.stdout)
		}
		list := hms(t, "", "--db", db, "user", "list")
		if strings.Contains(list.stdout, "late") || !strings.Contains(list.stdout, "admin") {
			t.Errorf("after restore:\n%s", list.stdout)
		}
		hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")
	})
}

func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo", "demo.db")
	o := hms(t, "", "--db", db, "demo", "--patients", "30")
	o.want(t, 0, "Demo database ready", "")
	if !strings.Contains(o.stdout, "admin") || !strings.Contains(o.stdout, "password") {
		t.Errorf("no credentials printed:\n%s", o.stdout)
	}
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")
	list := hms(t, "", "--db", db, "user", "list")
	for _, r := range []string{"admin", "doctor", "nurse", "reception", "billing", "patient"} {
		if !strings.Contains(list.stdout, r) {
			t.Errorf("the demo has no %s:\n%s", r, list.stdout)
		}
	}

	before := fileSum(t, db)
	hms(t, "", "--db", db, "demo").want(t, 1, "", "--force")
	if fileSum(t, db) != before {
		t.Error("demo without --force changed the database")
	}
	hms(t, "", "--db", db, "demo", "--force", "--patients", "5").want(t, 0, "previous database is kept at", "")
	aside, _ := filepath.Glob(db + ".before-demo-*")
	if len(aside) != 2 { // the database and its audit key
		t.Errorf("aside %v", aside)
	}
	hms(t, "", "--db", db, "verify").want(t, 0, "Result: OK", "")
	hms(t, "", "--db", db, "demo", "--patients", "-3").want(t, 2, "", "--patients")
}

func TestImportExportPatients(t *testing.T) {
	db := newClinic(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	count := func() int {
		raw, err := sql.Open("sqlite3", db)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var n int
		raw.QueryRow(`SELECT count(*) FROM patients`).Scan(&n)
		return n
	}

	t.Run("ErrBadRowsImportNothing", func(t *testing.T) {
		bad := write("bad.csv", "\uFEFFFirst name;Surname;Gender;DOB\nZoë;Müller;F;07/03/1984\nJean;Dupont;m;1999-13-01\n;Nobody;f;2000-01-01\n")
		hms(t, "", "--db", db, "import", "patients", bad).want(t, 1, "", "line 3, birth date")
		o := hms(t, "", "--db", db, "import", "patients", bad)
		if !strings.Contains(o.stderr, "line 4, given name") || !strings.Contains(o.stderr, "nothing was imported") {
			t.Fatalf("stderr: %s", o.stderr)
		}
		if count() != 0 {
			t.Fatal("a refused import saved patients")
		}
	})

	t.Run("ErrNoSuchFile", func(t *testing.T) {
		hms(t, "", "--db", db, "import", "patients", filepath.Join(dir, "missing.csv")).want(t, 1, "", "Cannot read")
		hms(t, "", "--db", db, "import", "people", "x.csv").want(t, 2, "", "import patients FILE.csv")
	})

	t.Run("ErrFolder", func(t *testing.T) {
		hms(t, "", "--db", db, "import", "patients", dir).want(t, 1, "", "it is a folder")
	})

	t.Run("ErrDuplicateHeadings", func(t *testing.T) {
		dup := write("dup.csv", "given_name,family_name,Phone,phone\nAnna,Smith,1,2\n")
		hms(t, "", "--db", db, "import", "patients", dup).want(t, 1, "", "same heading")
	})

	t.Run("OK", func(t *testing.T) {
		good := write("good.csv", "Forename,Family,Gender,Born,Mobile\n\"Renée \"\"Rae\"\"\",\"O'Brien, Jr.\",f,1979-07-07,+353 1 555 0101\nΝίκος,Γεωργίου,m,02.03.1960,\n")
		hms(t, "", "--db", db, "import", "patients", "--check", "--map", "given_name=Forename,family_name=Family,birth_date=Born", good).
			want(t, 0, "2 patients would be imported", "")
		if count() != 0 {
			t.Fatal("--check imported")
		}
		hms(t, "", "--db", db, "import", "patients", "--map", "given_name=Forename,family_name=Family,birth_date=Born", good).
			want(t, 0, "Imported 2 patients", "")
		hms(t, "", "--db", db, "import", "patients", "--map", "given_name=Forename,family_name=Family,birth_date=Born", good).
			want(t, 0, "may be duplicates", "")
		out := filepath.Join(dir, "export.csv")
		hms(t, "", "--db", db, "export", "patients", out).want(t, 0, "Exported 4 patients", "")
		body, _ := os.ReadFile(out)
		if !strings.Contains(string(body), `"Renée ""Rae""","O'Brien, Jr."`) || !strings.Contains(string(body), "Νίκος,Γεωργίου,male,1960-03-02") {
			t.Fatalf("export:\n%s", body)
		}
		hms(t, "", "--db", db, "export", "patients", out).want(t, 1, "", "already exists")
		// The export imports back.
		hms(t, "", "--db", db, "import", "patients", "--check", out).want(t, 0, "4 patients would be imported", "")
	})

	t.Run("ErrExportUnwritable", func(t *testing.T) {
		hms(t, "", "--db", db, "export", "patients", "/proc/none/x.csv").want(t, 1, "", "Cannot write")
	})
}

func TestSyncCommands(t *testing.T) {
	for _, c := range [][]string{{"server"}, {"server", "init"}, {"sync"}, {"sync", "enroll"}, {"sync", "once"}, {"sync", "status"}} {
		hms(t, "", append(c, "-h")...).want(t, 0, "Usage: hms", "")
		hms(t, "", append([]string{"help"}, c...)...).want(t, 0, "Usage: hms", "")
	}
	hms(t, "", "sync").want(t, 2, "", "sync needs a subcommand")
	hms(t, "", "server", "init").want(t, 2, "", "takes the server's URL")
	hms(t, "", "server", "init", "mysql://root@db/hms").want(t, 1, "", "is not a server address")
	hms(t, "", "server", "init", "postgres://postgres:secret@127.0.0.1:1/hms?connect_timeout=2").want(t, 1, "", "Do not put the password in the address")
	hms(t, "", "server", "init", "postgres://postgres@127.0.0.1:1/hms?connect_timeout=2&sslmode=disable").want(t, 1, "", "cannot be reached")

	server := servertest.NewDatabase(t)
	hms(t, "", "server", "init", server).want(t, 0, fmt.Sprintf("Created the sync server (schema %d", syncserver.SchemaVersion()), "")
	hms(t, "", "server", "init", server).want(t, 0, "The sync server is up to date", "")

	first, second := newClinic(t), newClinic(t)
	status := func(db string) string { // the status with its columns' spacing squashed
		t.Helper()
		o := hms(t, "", "--db", db, "sync", "status")
		o.want(t, 0, "", "")
		return strings.Join(strings.Fields(o.stdout), " ")
	}
	if st := status(first); !strings.Contains(st, "Enrolled: no") || !strings.Contains(st, "Desk code: D1") {
		t.Errorf("status before enrolling: %s", st)
	}
	hms(t, "", "--db", first, "sync", "once").want(t, 1, "", "not enrolled")
	// Each desk enrolls with a login of its own; the server's owner is no
	// desk.
	prefix := servertest.LoginPrefix(t, server)
	for _, d := range []string{"d1", "d2", "d3"} {
		hms(t, "", "server", "add-desk", prefix+d, server).want(t, 0, "Its password, shown only now", "")
	}
	hms(t, "", "server", "add-desk", prefix+"d1", server).want(t, 1, "", "exists already")
	desk := func(d string) string { return servertest.AsLogin(t, server, prefix+d) }
	hms(t, "", "--db", first, "sync", "enroll", server).want(t, 1, "", "does not know this login as a desk")
	hms(t, "", "--db", first, "sync", "enroll", desk("d1")).want(t, 0, "as desk D1", "")
	hms(t, "", "--db", second, "sync", "enroll", desk("d1")).want(t, 1, "", "belongs to another desk")
	hms(t, "", "--db", second, "sync", "enroll", desk("d2")).want(t, 0, "as desk D2", "")
	hms(t, "", "--db", second, "sync", "enroll", desk("d2")).want(t, 0, "as desk D2", "")

	st := status(first)
	for _, w := range []string{"Enrolled: yes, with postgres://", "Desk code: D1", "changes, the oldest from", "Conflicts: 0 to review", "Clock offset:"} {
		if !strings.Contains(st, w) {
			t.Errorf("status lacks %q: %s", w, st)
		}
	}
	hms(t, "", "--db", first, "sync", "once").want(t, 0, "applied, 0 with conflicts, 0 refused, 0 held in quarantine", "")
	if st := status(first); !strings.Contains(st, "Pending: 0 changes") {
		t.Errorf("status after the push: %s", st)
	}
	hms(t, "", "--db", first, "sync", "once").want(t, 0, "Pushed 0 changes", "")

	// On a desk that syncs, a change to accounts is signed by an
	// administrator, who authenticates to the command line (--admin).
	hms(t, "a long doctor password\n", "--db", first, "user", "add", "--username", "dr.signed", "--name", "Signed Doctor",
		"--role", "doctor").want(t, 1, "", "--admin USERNAME")
	hms(t, "not the password\na long doctor password\n", "--db", first, "user", "add", "--admin", "admin", "--username", "dr.signed",
		"--name", "Signed Doctor", "--role", "doctor").want(t, 1, "", "not right")
	hms(t, adminPassword+"\na long doctor password\n", "--db", first, "user", "add", "--admin", "admin", "--username", "dr.signed",
		"--name", "Signed Doctor", "--role", "doctor").want(t, 0, "Created dr.signed", "")
	hms(t, adminPassword+"\n", "--db", first, "user", "deactivate", "--admin", "admin", "dr.signed").want(t, 0, "", "")
	root := regexp.MustCompile(`Trust root: ([0-9a-f-]{39})`).FindStringSubmatch(status(first))
	if root == nil {
		t.Fatalf("the status names no trust root: %s", status(first))
	}

	// A new desk: refused without --new (a typo in --db makes no empty
	// database), created and filled from the server with it.
	csv := filepath.Join(t.TempDir(), "patients.csv")
	if err := os.WriteFile(csv, []byte("given_name,family_name,sex,birth_date\nMaria,Kostaki,female,1975-04-30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hms(t, "", "--db", first, "import", "patients", csv).want(t, 0, "Imported 1", "")
	hms(t, "", "--db", first, "sync", "once").want(t, 0, "applied", "")
	third := filepath.Join(t.TempDir(), "room3.db")
	hms(t, "", "--db", third, "sync", "enroll", desk("d3")).want(t, 1, "", "There is no database at")
	hms(t, "", "--db", third, "sync", "enroll", "--new", "--trust", "0000-1111", desk("d3")).want(t, 1, "", "not 0000-1111 as given")
	hms(t, "", "--db", third, "sync", "enroll", "--new", "--trust", root[1], desk("d3")).want(t, 0, "as desk D3", "")
	hms(t, "", "--db", third, "sync", "once").want(t, 0, "Pulled ", "")
	if st := status(third); !strings.Contains(st, "Trust root: "+root[1]) {
		t.Errorf("the new desk's trust root: %s", st)
	}
	if s, err := login(t, third, "dr.signed", "a long doctor password"); err == nil || app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("the signed, then deactivated account on the new desk: %+v, %v", s, err)
	}
	if a, b := hms(t, "", "--db", first, "export", "patients", "-"), hms(t, "", "--db", third, "export", "patients", "-"); a.stdout != b.stdout || !strings.Contains(b.stdout, "Kostaki") {
		t.Errorf("the new desk's patients differ from the first's:\n%s\n%s", b.stdout, a.stdout)
	}

	// A lost desk is revoked: it syncs no more, the others go on.
	hms(t, "", "server", "remove-desk", prefix+"d3", server).want(t, 0, "Revoked the login "+prefix+"d3 (desk D3)", "")
	hms(t, "", "--db", third, "sync", "once").want(t, 1, "", "refused the user name or password")
	hms(t, "", "--db", first, "sync", "once").want(t, 0, "Pushed ", "")
}

// The desktop app syncs in the background: main runs the sync loop beside
// the window, which only shows what it reports; quitting stops the loop
// before the database closes.
func TestSyncLoopBesideTheWindow(t *testing.T) {
	calls, stopped := 0, false
	reported := make(chan *app.SyncStatus, 1)
	svc := &mock.SyncService{RunSyncFn: func(ctx context.Context, report func(*app.SyncStatus)) {
		calls++
		report(&app.SyncStatus{Enrolled: true, DeskCode: "D2"})
		<-ctx.Done()
		stopped = true
	}}
	stop := startSync(context.Background(), svc, func(st *app.SyncStatus) { reported <- st })
	if st := <-reported; st.DeskCode != "D2" {
		t.Fatalf("reported %+v", st)
	}
	stop()
	if calls != 1 || !stopped {
		t.Fatalf("RunSync called %d times, returned: %v", calls, stopped)
	}
}
