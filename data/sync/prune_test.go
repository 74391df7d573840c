package sync_test

import (
	"context"
	"testing"
	"time"

	"hms/app"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// Pruning the server removes only what every desk has pulled: older
// entries of rows logged again since, and deleted rows; a desk that has
// not said how far it pulled holds everything back. Afterwards the desks
// sync on as before (none mistakes the shorter log for a restored server),
// and a new desk downloads the same clinic from what is left.
func TestServerPrune(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Pruned")
	for _, phone := range []string{"+30 210 555 0101", "+30 210 555 0102", "+30 210 555 0103"} {
		if _, err := first.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		mustSync(t, first.db)
	}
	// A line removed from a draft invoice: a deleted row.
	inv, err := first.svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"Kept line", "Removed line"} {
		if inv, err = first.svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: what, Kind: app.PriceOther,
			Quantity: 1, UnitPrice: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	removed := inv.Lines[1].ID
	mustSync(t, first.db)
	if _, err := first.svc.Billing.RemoveLine(system, removed); err != nil {
		t.Fatal(err)
	}
	newPatient(t, first.svc, "Later") // the desks' cursors are past the delete, not on it
	mustSync(t, first.db)
	mustSync(t, second)
	logged := func(row string) int64 {
		return servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE row_id = $1`, row)
	}
	if n := logged(p.ID); n != 4 {
		t.Fatalf("%d log entries of the patient before pruning, want 4", n)
	}

	// A desk enrolled that has not pulled yet needs the whole log.
	third := MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	const day = 24 * time.Hour
	res, err := server.Prune(ctx, u, 0, day)
	if err != nil {
		t.Fatal(err)
	}
	if res.Superseded != 0 || res.Tombstones != 0 || res.HeldBy != "D3" || !res.HeldSince.IsZero() {
		t.Fatalf("prune while a desk has pulled nothing: %+v", res)
	}

	mustSync(t, third)
	mustSync(t, first.db)
	mustSync(t, second)
	// The results of operations go after their age: one backdated here.
	servertest.Exec(t, u, `UPDATE sync.applied_ops SET applied_at = now() - interval '2 days'
		WHERE op_id = (SELECT op_id FROM sync.applied_ops ORDER BY op_seq LIMIT 1)`)
	if res, err = server.Prune(ctx, u, 0, day); err != nil {
		t.Fatal(err)
	}
	if res.Superseded < 3 || res.Tombstones != 1 || res.Ops != 1 || res.HeldBy == "" || res.HeldSince.IsZero() {
		t.Fatalf("prune: %+v", res)
	}
	if n := logged(p.ID); n != 1 {
		t.Fatalf("%d log entries of the patient after pruning, want its newest only", n)
	}
	if n := logged(removed) + servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE row_id = $1`, removed); n != 0 {
		t.Fatalf("the removed line is still on the server (%d rows)", n)
	}

	// The desks sync on; none pushes again as if the server were restored.
	phone := "+30 210 555 0104"
	if _, err := services(second).Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	for _, rep := range []*app.SyncReport{mustSync(t, second), mustSync(t, first.db), mustSync(t, third)} {
		if rep.Repushed != 0 {
			t.Fatalf("a desk took the pruned log for a restored server: %+v", rep)
		}
	}
	sameClinic(t, first.db, second)
	sameClinic(t, first.db, third)

	// A desk that joins now downloads the same clinic from the pruned log.
	fourth := MustOpenDB(t, nil)
	mustEnroll(t, fourth, u)
	mustSync(t, fourth)
	sameClinic(t, first.db, fourth)
	if got, err := services(fourth).Patients.FindPatientByID(system, p.ID); err != nil || got.Phone != phone {
		t.Fatalf("the new desk's patient: %+v, %v", got, err)
	}
}
