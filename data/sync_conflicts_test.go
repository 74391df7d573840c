package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hms/app"
	"hms/data/datatest"
)

func newPatient(t testing.TB, svc app.Services, name string) *app.Patient {
	return datatest.NewPatient(t, svc, name)
}

// conflictRow is a conflicts row a test inserts as a push would have.
type conflictRow struct {
	id, entity, rowID, field, rule, lost, won, detected string
}

// conflictSeq numbers the conflicts tests insert.
var conflictSeq atomic.Int64

const (
	lostSite = "0193a1b2-0000-7000-8000-000000000001"
	wonSite  = "0193a1b2-0000-7000-8000-000000000002"
)

// insertConflict writes a conflict straight into the desk's database, as
// a push that lost it would have.
func insertConflict(tb testing.TB, raw *sql.DB, r conflictRow) string {
	tb.Helper()
	if r.id == "" {
		r.id = fmt.Sprintf("c-%s-%s-%d", r.entity, r.field, conflictSeq.Add(1))
	}
	if r.rule == "" {
		r.rule = "field: last writer by (HLC, site) wins"
	}
	if r.won == "" {
		r.won = "null"
	}
	if r.detected == "" {
		r.detected = "2026-11-25T10:00:00.000Z"
	}
	wonHLC, wonS := "2026-11-25T09:30:00.000Z-0000-"+wonSite, wonSite
	if r.won == "null" {
		wonHLC, wonS = "", ""
	}
	_, err := raw.Exec(`INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site,
		won_value, won_hlc, won_site, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.id, r.entity, r.rowID, r.field, r.rule, r.lost, "2026-11-25T09:20:00.000Z-0001-"+lostSite, lostSite,
		r.won, wonHLC, wonS, r.detected)
	if err != nil {
		tb.Fatal(err)
	}
	return r.id
}

// queuedFor counts the queued operations on one record.
func queuedFor(tb testing.TB, raw *sql.DB, entity, rowID string) int {
	tb.Helper()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM outbox WHERE entity = ? AND row_id = ?`, entity, rowID).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestListConflicts(t *testing.T) {
	t.Parallel()
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	p := newPatient(t, c.svc, "Ada")
	insertConflict(t, raw, conflictRow{id: "c1", entity: "patients", rowID: p.ID, field: "phone",
		lost: `"+30 210 555 0001"`, won: `"+30 210 555 0002"`, detected: "2026-11-25T10:00:00.000Z"})
	insertConflict(t, raw, conflictRow{id: "c2", entity: "users", rowID: c.users[app.RoleNurse].ID, field: "full_name",
		lost: `"Nurse Old"`, won: `"Nurse New"`, detected: "2026-11-25T10:01:00.000Z"})
	insertConflict(t, raw, conflictRow{id: "c3", entity: "settings", rowID: "clinic_name", field: "value",
		lost: `"Old"`, won: `"New"`, detected: "2026-11-25T10:02:00.000Z"})
	insertConflict(t, raw, conflictRow{id: "c4", entity: "appointments", rowID: "not-here", rule: "refused by the server: the slot is taken",
		lost: `{"kind":"insert"}`, detected: "2026-11-25T10:03:00.000Z"})
	if _, err := raw.Exec(`INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site,
		won_value, won_hlc, won_site, detected_at, resolved_at, resolved_by, resolution)
		SELECT 'c0', entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site,
		'2026-11-25T09:00:00.000Z', '2026-11-25T09:05:00.000Z', 'admin', 'kept' FROM conflicts WHERE id = 'c1'`); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := c.db.Conflicts().ListConflicts(c.ctx(app.RoleAdmin), false)
		if err != nil {
			t.Fatal(err)
		}
		var ids, whats []string
		for _, x := range got {
			ids = append(ids, x.ID)
			whats = append(whats, x.What.String())
		}
		if strings.Join(ids, " ") != "c4 c3 c2 c1" {
			t.Fatalf("open conflicts %v, want newest first", ids)
		}
		want := []string{"appointments not-here", "Setting clinic_name", "Staff account nurse1",
			"Patient " + p.MRN + " Ada Sync"}
		for i, w := range want {
			if whats[i] != w {
				t.Errorf("conflict %s is %q, want %q", ids[i], whats[i], w)
			}
		}
		ph := got[3]
		if ph.Field != "phone" || ph.LostValue != `"+30 210 555 0001"` || ph.WonValue != `"+30 210 555 0002"` ||
			ph.LostDesk != lostSite || ph.WonDesk != wonSite || !ph.ResolvedAt.IsZero() ||
			!ph.LostAt.Equal(time.Date(2026, 11, 25, 9, 20, 0, 0, time.UTC)) ||
			!ph.WonAt.Equal(time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)) ||
			!ph.DetectedAt.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("phone conflict %+v", ph)
		}
		if got[0].WonValue != "null" || !got[0].WonAt.IsZero() {
			t.Errorf("a refusal: %+v", got[0])
		}
	})
	t.Run("All", func(t *testing.T) {
		got, err := c.db.Conflicts().ListConflicts(c.ctx(app.RoleReception), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[4].ID != "c0" || got[4].Resolution != app.ResolutionKeep || got[4].ResolvedBy != "admin" ||
			got[4].ResolvedAt.IsZero() {
			t.Fatalf("all conflicts: %d, last %+v", len(got), got[len(got)-1])
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if _, err := c.db.Conflicts().ListConflicts(c.ctx(app.RoleNurse), false); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("a nurse listed conflicts: %v", err)
		}
		var outcome, action string
		raw.QueryRow(`SELECT outcome, action FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&outcome, &action)
		if outcome != string(app.OutcomeDenied) || action != "sync.conflicts" {
			t.Fatalf("last audit row %s %s", action, outcome)
		}
	})
}

func TestResolveConflict(t *testing.T) {
	t.Parallel()
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	admin := c.ctx(app.RoleAdmin)
	p := newPatient(t, c.svc, "Ada")

	t.Run("Kept", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "email",
			lost: `"lost@example.org"`, won: `""`})
		queued := queuedFor(t, raw, "patients", p.ID)
		got, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionKeep)
		if err != nil {
			t.Fatal(err)
		}
		if got.Resolution != app.ResolutionKeep || got.ResolvedBy != "admin" || got.ResolvedAt.IsZero() ||
			!strings.HasPrefix(got.What.String(), "Patient ") {
			t.Fatalf("kept: %+v", got)
		}
		if n := queuedFor(t, raw, "patients", p.ID); n != queued {
			t.Fatalf("keeping queued %d changes", n-queued)
		}
		var action, patient, detail string
		raw.QueryRow(`SELECT action, patient_id, detail FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&action, &patient, &detail)
		if action != "sync.resolve" || patient != p.ID || !strings.Contains(detail, "kept") {
			t.Fatalf("audit row %s %s %q", action, patient, detail)
		}
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake); code(err) != app.ECONFLICT {
			t.Fatalf("resolving twice: %v", err)
		}
	})
	t.Run("TakenPatientField", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "phone",
			lost: `"+30 210 555 0777"`, won: `"+30 210 555 0100"`})
		queued := queuedFor(t, raw, "patients", p.ID)
		got, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake)
		if err != nil {
			t.Fatal(err)
		}
		if got.Resolution != app.ResolutionTake {
			t.Fatalf("taken: %+v", got)
		}
		after, err := c.svc.Patients.FindPatientByID(admin, p.ID)
		if err != nil || after.Phone != "+30 210 555 0777" {
			t.Fatalf("the phone after taking what lost: %+v, %v", after, err)
		}
		if n := queuedFor(t, raw, "patients", p.ID); n != queued+1 {
			t.Fatalf("taking queued %d changes of the patient, want 1", n-queued)
		}
		var payload string
		raw.QueryRow(`SELECT payload FROM outbox WHERE entity = 'patients' AND row_id = ? ORDER BY seq DESC LIMIT 1`, p.ID).Scan(&payload)
		if !strings.Contains(payload, "555 0777") {
			t.Fatalf("queued %s", payload)
		}
		// The search finds the record by its new number.
		page, err := c.svc.Patients.FindPatients(admin, app.PatientFilter{Query: "0777"})
		if err != nil || len(page.Patients) != 1 {
			t.Fatalf("search by the taken phone: %+v, %v", page, err)
		}
	})
	t.Run("TakenSetting", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "settings", rowID: "clinic_name", field: "value",
			lost: `"Lakeside Clinic"`, won: `"Riverside Clinic"`})
		queued := queuedFor(t, raw, "settings", "clinic_name")
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake); err != nil {
			t.Fatal(err)
		}
		st, err := c.svc.Settings.GetSettings(admin)
		if err != nil || st.ClinicName != "Lakeside Clinic" {
			t.Fatalf("settings after taking what lost: %+v, %v", st, err)
		}
		// The value, then its signature by the administrator who took it
		// (one transaction: the other desks decide both together).
		if n := queuedFor(t, raw, "settings", "clinic_name"); n != queued+2 {
			t.Fatalf("taking queued %d changes of the setting, want 2", n-queued)
		}
	})
	t.Run("ErrTakeInvalidValue", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "birth_date",
			lost: `"not a date"`, won: `"1980-02-03"`})
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake); code(err) != app.EINVALID {
			t.Fatalf("taking an invalid birth date: %v", err)
		}
		if open := openIDs(t, c, admin); !strings.Contains(open, id) {
			t.Fatal("a refused resolution closed the conflict")
		}
	})
	t.Run("ErrTakeWholeRow", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "appointments", rowID: "a1", rule: "refused by the server: the slot is taken",
			lost: `{"kind":"insert","payload":{}}`})
		_, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake)
		if code(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "refused") {
			t.Fatalf("taking a refused booking: %v", err)
		}
		id = insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, rule: "row deleted on the server", lost: `"x"`})
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake); code(err) != app.EINVALID {
			t.Fatalf("taking a whole row: %v", err)
		}
		// An invoice's own fields are taken back only where staff edit them
		// (a draft's notes and discount): not its status.
		id = insertConflict(t, raw, conflictRow{entity: "invoices", rowID: "i1", field: "status", lost: `"paid"`, won: `"issued"`})
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionTake); code(err) != app.EINVALID {
			t.Fatalf("taking the status of an invoice: %v", err)
		}
	})
	t.Run("ErrMerged", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "given_name", lost: `"Adah"`, won: `"Ada"`})
		if _, err := c.db.Conflicts().ResolveConflict(admin, id, app.ResolutionMerged); code(err) != app.EINVALID {
			t.Fatalf("merging: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := c.db.Conflicts().ResolveConflict(admin, "no-such-conflict", app.ResolutionKeep); code(err) != app.ENOTFOUND {
			t.Fatalf("resolving a missing conflict: %v", err)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		id := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "address", lost: `"1 Lost Lane"`, won: `""`})
		for _, r := range []app.Role{app.RoleNurse, app.RoleReception} {
			if _, err := c.db.Conflicts().ResolveConflict(c.ctx(r), id, app.ResolutionTake); code(err) != app.EUNAUTHORIZED {
				t.Fatalf("a %s resolved a conflict: %v", r, err)
			}
			var outcome, action string
			raw.QueryRow(`SELECT outcome, action FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&outcome, &action)
			if outcome != string(app.OutcomeDenied) || action != "sync.resolve" {
				t.Fatalf("last audit row %s %s", action, outcome)
			}
		}
		if after, _ := c.svc.Patients.FindPatientByID(admin, p.ID); after.Address == "1 Lost Lane" {
			t.Fatal("a denied resolution changed the record")
		}
	})
}

// openIDs lists the ids of the open conflicts.
func openIDs(tb testing.TB, c *clinic, ctx context.Context) string {
	tb.Helper()
	got, err := c.db.Conflicts().ListConflicts(ctx, false)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, x := range got {
		ids = append(ids, x.ID)
	}
	return strings.Join(ids, " ")
}

// Billing staff review the changes of invoices and their lines that lost
// (issue #21: these were listed for administrators alone): they list them
// with the overpaid invoices and decide them, audited; a patient's or
// another record's conflict stays an administrator's. Reception, who
// rearrange bookings that lost, no longer see billing's; a patient sees
// nothing.
func TestBillingStaffReviewInvoiceConflicts(t *testing.T) {
	t.Parallel()
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	p := newPatient(t, c.svc, "Ada")
	inv, err := c.svc.Billing.CreateDraftInvoice(c.ctx(app.RoleBilling), app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	inv, err = c.svc.Billing.AddLine(c.ctx(app.RoleBilling), inv.ID, app.LineInput{Description: "Visit", Kind: app.PriceOther,
		Quantity: 1, UnitPrice: 2500})
	if err != nil {
		t.Fatal(err)
	}
	line := insertConflict(t, raw, conflictRow{entity: "invoice_lines", rowID: inv.Lines[0].ID, field: "unit_price",
		lost: `3000`, won: `2500`})
	discount := insertConflict(t, raw, conflictRow{entity: "invoices", rowID: inv.ID, field: "discount_amount",
		lost: `300`, won: `500`})
	patient := insertConflict(t, raw, conflictRow{entity: "patients", rowID: p.ID, field: "email",
		lost: `"lost@example.org"`, won: `""`})

	listed := func(r app.Role) []string {
		t.Helper()
		cs, err := c.db.Conflicts().ListConflicts(c.ctx(r), false)
		if r == app.RolePatient {
			if code(err) != app.EUNAUTHORIZED {
				t.Errorf("a patient lists conflicts: %d, %v", len(cs), err)
			}
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, cf := range cs {
			ids = append(ids, cf.ID)
		}
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	for r, want := range map[app.Role][]string{
		app.RoleAdmin:     sorted(line, discount, patient),
		app.RoleBilling:   sorted(line, discount),
		app.RoleReception: sorted(patient),
		app.RolePatient:   nil,
	} {
		if got := listed(r); !slices.Equal(got, want) {
			t.Errorf("%s lists %v, want %v", r, got, want)
		}
	}

	billing := c.ctx(app.RoleBilling)
	if _, err := c.db.Conflicts().ResolveConflict(billing, patient, app.ResolutionKeep); code(err) != app.EUNAUTHORIZED {
		t.Errorf("billing staff decided a patient's conflict: %v", err)
	}
	for _, r := range []app.Role{app.RoleReception, app.RolePatient, app.RoleDoctor} {
		if _, err := c.db.Conflicts().ResolveConflict(c.ctx(r), line, app.ResolutionKeep); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s decided a line's conflict: %v", r, err)
		}
	}
	got, err := c.db.Conflicts().ResolveConflict(billing, line, app.ResolutionKeep)
	if err != nil {
		t.Fatal(err)
	}
	if got.Resolution != app.ResolutionKeep || got.ResolvedBy != c.users[app.RoleBilling].Username {
		t.Errorf("kept: %+v", got)
	}
	var action, detail string
	raw.QueryRow(`SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&action, &detail)
	if action != "sync.resolve" || !strings.Contains(detail, "kept what won: invoice_lines") {
		t.Errorf("audit row %s %q", action, detail)
	}
	// Taking back the lost discount: the draft's total follows.
	if _, err := c.db.Conflicts().ResolveConflict(billing, discount, app.ResolutionTake); err != nil {
		t.Fatal(err)
	}
	after, err := c.svc.Billing.FindInvoice(billing, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.DiscountAmount != 300 || after.Totals.Total != 2200 || after.Lines[0].Total != 2200 {
		t.Errorf("after taking back the discount of 300: discount %d, total %d, line %d", after.DiscountAmount,
			after.Totals.Total, after.Lines[0].Total)
	}
}
