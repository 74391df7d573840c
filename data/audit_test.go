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

// TestVerifyDocuments: verify checks each attached report's file against
// its stored hash and the hash the audit log recorded when it was attached.
func TestVerifyDocuments(t *testing.T) {
	attach := func(t *testing.T) (*clinic, *app.Attachment) {
		c := mustSetup(t)
		r := mustAttachFile(t, c, app.RoleDoctor, attachmentFor(c, "cbc.txt", []byte("Hb 14.2 g/dL\n")))
		mustAttachFile(t, c, app.RoleDoctor, attachmentFor(c, "lipids.txt", []byte("LDL 2.9 mmol/L\n")))
		return c, r
	}
	verify := func(t *testing.T, c *clinic) *app.VerifyReport {
		t.Helper()
		rep, err := c.db.Verify(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// untrigger drops the triggers that keep reports unchanged, as someone
	// editing the file directly would.
	untrigger := func(t *testing.T, raw *sql.DB, stmts ...string) {
		t.Helper()
		all := append([]string{`DROP TRIGGER reports_no_update`, `DROP TRIGGER report_files_no_update`}, stmts...)
		for _, s := range all {
			if _, err := raw.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}

	t.Run("OK", func(t *testing.T) {
		c, _ := attach(t)
		if rep := verify(t, c); !rep.OK() || rep.Documents != 2 || len(rep.DocumentProblems) != 0 {
			t.Fatalf("%+v", rep)
		}
	})
	t.Run("ErrFileAltered", func(t *testing.T) {
		c, r := attach(t)
		untrigger(t, rawDB(t, c.db), `UPDATE report_files SET content = X'4869' WHERE report_id = '`+r.ID+`'`)
		rep := verify(t, c)
		if rep.OK() || len(rep.DocumentProblems) != 1 || !strings.Contains(rep.DocumentProblems[0], "does not match its recorded hash") ||
			!strings.Contains(rep.DocumentProblems[0], "Full blood count") {
			t.Fatalf("%+v", rep)
		}
		if !rep.AuditOK || !rep.IntegrityOK {
			t.Fatalf("only the document is wrong: %+v", rep)
		}
	})
	t.Run("ErrFileAndHashAltered", func(t *testing.T) {
		c, r := attach(t)
		// "Hi" and its SHA-256: the row agrees with itself, not with the audit log.
		untrigger(t, rawDB(t, c.db), `UPDATE report_files SET content = X'4869' WHERE report_id = '`+r.ID+`'`,
			`UPDATE reports SET sha256 = '3639efcd08abb273b1619e82e78c29a7df02c1051b1820e99fc395dcaa3326b8' WHERE id = '`+r.ID+`'`)
		rep := verify(t, c)
		if rep.OK() || len(rep.DocumentProblems) != 1 || !strings.Contains(rep.DocumentProblems[0], "audit log recorded") {
			t.Fatalf("%+v", rep)
		}
	})
}

// TestAuditNamesRecords: the audit list names each record and patient for
// people (invoice number, patient's record number and name, username),
// with one query per table a page mentions.
func TestAuditNamesRecords(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.consult.ID, Quantity: 1})
	es, err := b.svc.Audit.FindAuditEntries(b.ctx(app.RoleAdmin), app.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.svc.Patients.FindPatientByID(b.ctx(app.RoleAdmin), b.patientID)
	if err != nil {
		t.Fatal(err)
	}
	patient := p.MRN + " Zoë Παπαδοπούλου-Müller"
	seen := map[string]bool{}
	for _, e := range es {
		switch {
		case e.Action == "invoice.issue":
			seen["invoice"] = true
			if e.Record != inv.Number || e.PatientName != patient {
				t.Errorf("invoice.issue: record %q patient %q", e.Record, e.PatientName)
			}
		case e.Action == "patient.create" && e.EntityID == b.patientID:
			seen["patient"] = true
			if e.Record != patient || e.PatientName != patient {
				t.Errorf("patient.create: record %q patient %q", e.Record, e.PatientName)
			}
		case e.Entity == "users" && e.EntityID == b.users[app.RoleNurse].ID:
			seen["user"] = true
			if want := b.users[app.RoleNurse].Username + " (" + b.users[app.RoleNurse].FullName + ")"; e.Record != want {
				t.Errorf("%s: record %q, want %q", e.Action, e.Record, want)
			}
		case e.Entity == "" && e.PatientID == "":
			if e.Record != "" || e.PatientName != "" {
				t.Errorf("%s names nothing, got %q %q", e.Action, e.Record, e.PatientName)
			}
		}
	}
	if len(seen) != 3 {
		t.Fatalf("entries named: %v", seen)
	}
}
