package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"hms/app"
)

func TestAuditArea(t *testing.T) {
	h := newHarness(t)
	h.audit.FindAuditEntriesFn = func(ctx context.Context, f app.AuditFilter) ([]*app.AuditEntry, error) {
		h.record("FindAuditEntries", ctx, f)
		top := int64(250)
		if f.BeforeSeq > 0 {
			top = f.BeforeSeq - 1
		}
		var out []*app.AuditEntry
		for seq := top; seq > 0 && len(out) < f.Limit; seq-- {
			out = append(out, &app.AuditEntry{Seq: seq, At: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
				Username: "admin1", Role: app.RoleAdmin, Action: "user.login", Outcome: app.OutcomeOK})
		}
		if len(out) > 1 {
			out[1] = &app.AuditEntry{Seq: out[1].Seq, At: out[1].At, Username: "billing1", Role: app.RoleBilling,
				Action: "invoice.issue", Entity: "invoices", EntityID: "0193a6e0-invoice", PatientID: "0193a6e0-patient",
				Record: "INV-D1-000007", PatientName: "P-D1-000042 Eleni Papadopoulou", Outcome: app.OutcomeOK}
			out[2] = &app.AuditEntry{Seq: out[2].Seq, At: out[2].At, Username: "billing1", Role: app.RoleBilling,
				Action: "invoice.view", Entity: "invoices", EntityID: "0193a6e0-gone", Outcome: app.OutcomeOK}
		}
		return out, nil
	}
	h.audit.VerifyFn = func(ctx context.Context) (*app.VerifyReport, error) {
		h.record("Verify", ctx, nil)
		return &app.VerifyReport{IntegrityOK: true, ForeignKeyOK: true, AuditOK: true, AuditRows: 250}, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaAudit)
	s := h.u.main.audit
	h.waitFor("the entries", func() bool { return len(s.entries) == auditPageSize })
	if s.entries[0].Seq != 250 {
		t.Errorf("first entry %d, want the newest", s.entries[0].Seq)
	}
	if got := s.cell(0, 1); got != "2026-03-01 12:00:00" {
		t.Errorf("time shown %q, want the clinic's time zone", got)
	}
	// Records and patients are named; a record not found shows its table and id.
	if r, p := s.cell(1, 5), s.cell(1, 6); r != "INV-D1-000007" || p != "P-D1-000042 Eleni Papadopoulou" {
		t.Errorf("record %q, patient %q", r, p)
	}
	if r := s.cell(2, 5); r != "invoices 0193a6e0-gone" {
		t.Errorf("record not found shown as %q", r)
	}

	t.Run("Older", func(t *testing.T) {
		test.Tap(s.older)
		h.waitFor("the older page", func() bool { return s.entries[0].Seq == 150 })
		calls := h.callsOf("FindAuditEntries")
		if f := calls[len(calls)-1].(app.AuditFilter); f.BeforeSeq != 151 {
			t.Errorf("BeforeSeq = %d, want 151", f.BeforeSeq)
		}
		test.Tap(s.older)
		h.waitFor("the last page", func() bool { return s.entries[0].Seq == 50 })
		if !s.older.Disabled() {
			t.Error("Older enabled on the last page")
		}
		test.Tap(s.newer)
		h.waitFor("the page before", func() bool { return s.entries[0].Seq == 150 })
	})

	t.Run("Filters", func(t *testing.T) {
		s.username.SetText("nurse1")
		s.action.SetText("user.")
		s.outcome.SetSelected(string(app.OutcomeDenied))
		s.from.SetText("2026-03-01")
		s.to.SetText("2026-3-2")
		test.Tap(s.search)
		if s.errs.text("to") == "" {
			t.Fatal("no error for a bad date")
		}
		s.to.SetText("2026-03-02")
		n := h.called("FindAuditEntries")
		test.Tap(s.search)
		h.waitFor("the search", func() bool { return h.called("FindAuditEntries") == n+1 })
		calls := h.callsOf("FindAuditEntries")
		f := calls[len(calls)-1].(app.AuditFilter)
		athens, _ := time.LoadLocation("Europe/Athens")
		if f.Username != "nurse1" || f.Action != "user." || f.Outcome != app.OutcomeDenied || f.BeforeSeq != 0 ||
			!f.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, athens)) || !f.To.Equal(time.Date(2026, 3, 3, 0, 0, 0, 0, athens)) {
			t.Errorf("filter = %+v", f)
		}
	})

	t.Run("Verify", func(t *testing.T) {
		n := h.called("FindAuditEntries")
		test.Tap(s.verify)
		h.waitFor("the report", func() bool { return s.report != nil })
		// The check is itself audited: the list reloads with the filters kept.
		h.waitFor("the list reloaded", func() bool { return h.called("FindAuditEntries") == n+1 })
		calls := h.callsOf("FindAuditEntries")
		if f := calls[len(calls)-1].(app.AuditFilter); f.Username != "nurse1" {
			t.Errorf("reload lost the filters: %+v", f)
		}
		if !strings.Contains(s.reportText, "Audit log chain: OK (250 entries)") || !h.shows("Database integrity: OK") {
			t.Errorf("report = %q", s.reportText)
		}
		if got := dialogIcon(h); got != theme.InfoIcon().Name() {
			t.Errorf("a healthy database's report drawn with %q, want the information icon", got)
		}
	})

	// Problems found are drawn as an error (an administrator told of a
	// record altered outside the app saw the routine information icon).
	t.Run("Verify finds problems", func(t *testing.T) {
		h.audit.VerifyFn = func(ctx context.Context) (*app.VerifyReport, error) {
			return &app.VerifyReport{IntegrityOK: true, ForeignKeyOK: true, AuditOK: true, AuditRows: 250,
				RecordProblems: []string{"patients 0193 was altered outside the app"}}, nil
		}
		s.report = nil
		test.Tap(s.verify)
		h.waitFor("the report", func() bool { return s.report != nil })
		if got := dialogIcon(h); got != theme.ErrorIcon().Name() || !h.shows("Database problems found") {
			t.Errorf("problems found drawn with %q, want the error icon", got)
		}
	})
}

// dialogIcon is the name of the icon the dialog on top draws; "" for none.
func dialogIcon(h *harness) string {
	name := ""
	walk(h.u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if img, ok := o.(*canvas.Image); ok && img.Resource != nil && name == "" {
			name = img.Resource.Name()
		}
	})
	return name
}

func TestVerifyReportText(t *testing.T) {
	got := verifyReportText(&app.VerifyReport{IntegrityOK: true, ForeignKeyOK: false, ForeignKeys: []string{"invoices row 7 → patients"},
		AuditOK: false, AuditRows: 10, AuditProblem: "row 4: hash mismatch",
		Documents: 3, DocumentProblems: []string{`report "CBC" of P-D1-000007: its file was altered`}})
	for _, want := range []string{"Database integrity: OK", "Links between records: PROBLEMS", "invoices row 7", "BROKEN", "row 4: hash mismatch",
		"Attached reports (3 checked): PROBLEMS", `report "CBC"`, "Keep a copy"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}
