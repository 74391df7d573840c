package data_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

func TestOpen(t *testing.T) {
	t.Run("MigrationsAppliedOnce", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sub", "hms.db")
		for i := 0; i < 2; i++ {
			db, err := data.Open(path, data.Options{HashParams: cheapHash})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		raw, _ := sql.Open("sqlite3", path)
		defer raw.Close()
		var n, version, appID int
		if err := raw.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &version); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob("migrations/*.sql")
		if n != len(files) || version != data.SchemaVersion() {
			t.Fatalf("migrations: %d rows, version %d; want %d rows, version %d", n, version, len(files), data.SchemaVersion())
		}
		raw.QueryRow(`PRAGMA application_id`).Scan(&appID)
		if appID != data.ApplicationID {
			t.Fatalf("application_id = %d", appID)
		}
		if _, err := os.Stat(data.DefaultAuditKeyPath(path)); err != nil {
			t.Fatalf("audit key file not created: %v", err)
		}
	})

	t.Run("PragmasOnEveryPooledConnection", func(t *testing.T) {
		db := MustOpenDB(t, nil)
		ctx := context.Background()
		conns := db.Connections()
		if len(conns) < 2 {
			t.Fatalf("want the writer and reader pools, got %d", len(conns))
		}
		for name, pool := range conns {
			// Hold several connections at once, so each is a different one.
			var held []*sql.Conn
			for i := 0; i < 4; i++ {
				c, err := pool.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, c)
				var sync, fk, busy, autoCkpt int
				var mode string
				c.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&autoCkpt)
				if autoCkpt != 0 {
					t.Fatalf("%s connection %d: wal_autocheckpoint=%d; commits must not checkpoint", name, i, autoCkpt)
				}
				c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
				c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
				c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy)
				c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
				if sync != 2 || fk != 1 || busy != 5000 || mode != "wal" {
					t.Fatalf("%s connection %d: synchronous=%d foreign_keys=%d busy_timeout=%d journal_mode=%s",
						name, i, sync, fk, busy, mode)
				}
				if name == "writer" {
					break // the writer pool has one connection
				}
			}
			for _, c := range held {
				c.Close()
			}
		}
	})

	t.Run("CloseFoldsTheWAL", func(t *testing.T) {
		c := mustSetup(t) // a few dozen commits
		path := c.db.Path()
		if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
			t.Fatalf("no WAL while open: %v", err)
		}
		if err := c.db.Close(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
			t.Fatalf("WAL of %d bytes left after close", fi.Size())
		}
	})

	t.Run("ErrMissingAuditKey", func(t *testing.T) {
		c := mustSetup(t)
		path := c.db.Path()
		c.db.Close()
		os.Remove(data.DefaultAuditKeyPath(path))
		_, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err == nil || !strings.Contains(err.Error(), "audit key") {
			t.Fatalf("opening without the key of an existing audit log: %v", err)
		}
	})
}

func TestWrite(t *testing.T) {
	t.Run("ChangeAndAuditRowTogether", func(t *testing.T) {
		c := mustSetup(t)
		before := auditCount(t, c.db)
		if _, err := c.svc.Users.ApproveUser(c.ctx(app.RoleAdmin), c.pending.ID); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, c.db); n != before+1 {
			t.Fatalf("audit rows %d -> %d, want one more", before, n)
		}
		e := lastAudit(t, c)
		if e.Action != "user.approve" || e.EntityID != c.pending.ID || e.Username != "admin" || e.Outcome != app.OutcomeOK {
			t.Fatalf("audit row: %+v", e)
		}
	})

	t.Run("FailedWriteLeavesNothing", func(t *testing.T) {
		c := mustSetup(t)
		before := auditCount(t, c.db)
		snap := snapshot(t, c.db)
		// Taken username: the insert fails inside the transaction.
		_, err := c.svc.Users.CreateUser(c.ctx(app.RoleAdmin), app.UserCreate{Username: "doctor1", FullName: "Dup",
			Role: app.RoleDoctor, Password: "another long password"})
		if code(err) != app.ECONFLICT || app.ErrorField(err) != "username" {
			t.Fatalf("duplicate username: %v", err)
		}
		if auditCount(t, c.db) != before || snapshot(t, c.db) != snap {
			t.Fatal("a failed write left rows behind")
		}
	})

	t.Run("SeriesHasNoGaps", func(t *testing.T) {
		c := mustSetup(t)
		// Two patients registered in setup; a failing registration must not take a number.
		_, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: "zoe", GivenName: "Z",
			FamilyName: "Dup", Sex: app.SexMale, BirthDate: "1980-05-05", Password: "a fine long password"})
		if code(err) != app.ECONFLICT {
			t.Fatalf("duplicate username: %v", err)
		}
		u, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: "xenia", GivenName: "Xenia",
			FamilyName: "K", Sex: app.SexFemale, BirthDate: "1980-05-05", Password: "a fine long password"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.svc.Patients.FindPatientByID(as(callerOf(u)), u.PatientID)
		if err != nil {
			t.Fatal(err)
		}
		if p.MRN != "P-D1-000003" {
			t.Fatalf("MRN %s, want P-D1-000003", p.MRN)
		}
	})
}

func auditCount(t *testing.T, db *data.DB) int { return datatest.AuditCount(t, db) }

func lastAudit(t *testing.T, c *clinic) *app.AuditEntry {
	t.Helper()
	es, err := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit: %v", err)
	}
	return es[0]
}

// snapshot renders every row of every table but the audit log's, so a test
// can tell that a call changed nothing.
func snapshot(t *testing.T, db *data.DB) string { return datatest.Snapshot(t, db) }
