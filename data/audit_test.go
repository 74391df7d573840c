package data_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"hms/app"
)

// tamper runs SQL against the audit log the way someone with the file would:
// dropping the triggers first.
func tamper(t *testing.T, raw *sql.DB, stmts ...string) {
	t.Helper()
	all := append([]string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}, stmts...)
	for _, s := range all {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditChain(t *testing.T) {
	verify := func(t *testing.T, c *clinic) *app.VerifyReport {
		t.Helper()
		rep, err := c.db.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	t.Run("OK", func(t *testing.T) {
		c := mustSetup(t)
		rep := verify(t, c)
		if !rep.OK() || rep.AuditRows < 8 {
			t.Fatalf("fresh clinic: %+v", rep)
		}
	})

	t.Run("AppendOnly", func(t *testing.T) {
		c := mustSetup(t)
		raw := rawDB(t, c.db)
		if _, err := raw.Exec(`UPDATE audit_log SET detail = 'x' WHERE seq = 1`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("update: %v", err)
		}
		if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq = 1`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("delete: %v", err)
		}
	})

	cases := []struct {
		name, want string
		stmts      []string
	}{
		{"ErrEditedRow", "row 3 was altered", []string{`UPDATE audit_log SET username = 'someone' WHERE seq = 3`}},
		{"ErrDeletedRow", "row 3 is missing", []string{`DELETE FROM audit_log WHERE seq = 3`}},
		{"ErrDeletedAndRenumbered", "does not follow", []string{
			`DELETE FROM audit_log WHERE seq = 3`, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 3`}},
		{"ErrReorderedRows", "row 3", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 3`, `UPDATE audit_log SET seq = 3 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = -1`}},
		{"ErrTailRemoved", "removed from the end", []string{`DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustSetup(t)
			tamper(t, rawDB(t, c.db), tc.stmts...)
			rep := verify(t, c)
			if rep.AuditOK || !strings.Contains(rep.AuditProblem, tc.want) {
				t.Fatalf("want a problem with %q, got ok=%v %q", tc.want, rep.AuditOK, rep.AuditProblem)
			}
			if !rep.IntegrityOK || !rep.ForeignKeyOK {
				t.Fatalf("only the chain is broken: %+v", rep)
			}
		})
	}

	t.Run("FindFilters", func(t *testing.T) {
		c := mustSetup(t)
		_, _ = c.svc.Users.Login(anon, "admin", "wrong password!!")
		es, err := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Action: "user.login", Outcome: app.OutcomeFailed})
		if err != nil || len(es) != 1 || es[0].Username != "admin" || es[0].Detail == "" {
			t.Fatalf("failed logins: %v %+v", err, es)
		}
		all, _ := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Limit: 3})
		older, _ := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Limit: 3, BeforeSeq: all[2].Seq})
		if len(all) != 3 || len(older) != 3 || older[0].Seq != all[2].Seq-1 {
			t.Fatalf("paging: %v then %v", seqs(all), seqs(older))
		}
		pid := c.users[app.RolePatient].PatientID
		byPatient, _ := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{PatientID: pid})
		if len(byPatient) == 0 {
			t.Fatal("the patient's registration is not found by patient")
		}
		for _, e := range byPatient {
			if e.PatientID != pid {
				t.Fatalf("entry of another patient: %+v", e)
			}
		}
	})
}

func seqs(es []*app.AuditEntry) []int64 {
	var out []int64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}
