package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// TestChartVisit: the doctor starts a visit from the chart; while it is
// open the chart says so and offers "Complete visit…", whose form lists
// the price list's services; completing sends the services with their
// quantities; the history groups the visit's entries under it.
func TestChartVisit(t *testing.T) {
	h := newClinicHarness(t)
	var visits []*app.Visit
	var completed [][]app.VisitServiceLine
	h.u.svc.Visits = &mock.VisitService{
		FindVisitsFn: func(ctx context.Context, id string) ([]*app.Visit, error) {
			h.record("FindVisits", ctx, id)
			return visits, nil
		},
		StartVisitFn: func(ctx context.Context, s app.VisitStart) (*app.Visit, error) {
			h.record("StartVisit", ctx, s)
			c, _ := app.CallerFromContext(ctx)
			v := &app.Visit{ID: "v-1", PatientID: s.PatientID, DoctorID: c.UserID, DoctorName: "Dr Who",
				Status: app.VisitOpen, StartedAt: h.clock(), Records: []app.VisitRecord{{Entity: "notes", RecordID: "n-1"}}}
			visits = []*app.Visit{v}
			return v, nil
		},
		FindVisitServicesFn: func(ctx context.Context, q string) ([]*app.PriceItem, error) {
			return []*app.PriceItem{{ID: "pi-ecg", Code: "ECG", Name: "Electrocardiogram", Kind: app.PriceProcedure, Price: 2500},
				{ID: "pi-dress", Code: "DRESS", Name: "Dressing", Kind: app.PriceProcedure, Price: 700}}, nil
		},
		CompleteVisitFn: func(ctx context.Context, id string, services []app.VisitServiceLine) (*app.Visit, error) {
			h.record("CompleteVisit", ctx, id)
			completed = append(completed, services)
			visits[0].Status, visits[0].CompletedAt, visits[0].InvoiceID = app.VisitCompleted, h.clock(), "inv-1"
			return visits[0], nil
		},
	}
	c := h.openChartOf(app.RoleDoctor)
	bar := c.visit
	h.waitFor("the visits", func() bool { return h.called("FindVisits") >= 1 })
	if bar.start == nil || bar.start.Hidden || !bar.complete.Hidden || !strings.Contains(bar.status.Text, "No visits yet") {
		t.Fatalf("before a visit: start hidden %v, complete hidden %v, %q", bar.start.Hidden, bar.complete.Hidden, bar.status.Text)
	}
	test.Tap(bar.start)
	h.waitFor("the visit open", func() bool { return bar.open != nil })
	if got := h.callsOf("StartVisit"); len(got) != 1 || got[0].(app.VisitStart).PatientID != grace().ID {
		t.Fatalf("started %v", got)
	}
	if !bar.start.Hidden || bar.complete.Hidden || !strings.Contains(bar.status.Text, "Visit open since") {
		t.Fatalf("while open: %q", bar.status.Text)
	}

	test.Tap(bar.complete)
	f := bar.form
	h.waitFor("the services", func() bool { return len(f.qty) == 2 })
	f.qty["pi-ecg"].SetText("x")
	test.Tap(f.done)
	if f.errs.text("services") == "" || h.called("CompleteVisit") != 0 {
		t.Fatal("a bad quantity was sent")
	}
	f.qty["pi-ecg"].SetText("2")
	test.Tap(f.done)
	h.waitFor("the visit completed", func() bool { return h.called("CompleteVisit") == 1 && bar.open == nil })
	if len(completed) != 1 || len(completed[0]) != 1 || completed[0][0] != (app.VisitServiceLine{PriceItemID: "pi-ecg", Quantity: 2}) {
		t.Fatalf("completed with %+v", completed)
	}
	if !bar.complete.Hidden || !strings.Contains(bar.status.Text, "Last visit") {
		t.Fatalf("after: %q", bar.status.Text)
	}

	h.clinical.FindHistoryFn = func(ctx context.Context, id string, f app.HistoryFilter) ([]*app.HistoryEntry, error) {
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		return []*app.HistoryEntry{
			{Seq: 3, Kind: app.HistoryVisit, Summary: "Visit with Dr Who completed", RefID: "v-1", At: at},
			{Seq: 2, Kind: app.HistoryNote, Summary: "Clinical note", RefID: "n-1", At: at},
			{Seq: 1, Kind: app.HistoryNote, Summary: "An older note", RefID: "n-0", At: at.Add(-time.Hour)},
		}, nil
	}
	selectTab(t, c.tabs, "History")
	h.waitFor("the history", func() bool { return len(c.history.entries) == 3 && c.history.visitOf != nil })
	if got := c.history.visitText(c.history.entries[1]); !strings.HasPrefix(got, "Visit ") || !strings.Contains(got, "Dr Who") {
		t.Errorf("the visit's note is not grouped under it: %q", got)
	}
	if got := c.history.visitText(c.history.entries[2]); got != "" {
		t.Errorf("a note outside the visit: %q", got)
	}
}

// TestChartLetters: a doctor writes a sick note from the chart; a
// backwards period is refused next to its field and sends nothing; a good
// one is rendered by the service with what was written.
func TestChartLetters(t *testing.T) {
	h := newClinicHarness(t)
	var asked []app.LetterRequest
	h.u.svc.Visits = &mock.VisitService{
		FindVisitsFn: func(ctx context.Context, id string) ([]*app.Visit, error) { return nil, nil },
		LetterPDFFn: func(ctx context.Context, r app.LetterRequest) ([]byte, error) {
			h.record("LetterPDF", ctx, r)
			asked = append(asked, r)
			return []byte("%PDF-1.4"), nil
		},
	}
	c := h.openChartOf(app.RoleDoctor)
	if c.visit.sickNote == nil || c.visit.referral == nil {
		t.Fatal("no letters for a doctor")
	}
	test.Tap(c.visit.sickNote)
	f := c.visit.letter
	f.from.SetText("2026-03-05")
	f.to.SetText("2026-03-02")
	test.Tap(f.print)
	if f.errs.text("to") == "" || h.called("LetterPDF") != 0 {
		t.Fatal("a backwards period was sent")
	}
	f.to.SetText("2026-03-06")
	test.Type(f.text, "Influenza.")
	test.Tap(f.print)
	h.waitFor("the letter", func() bool { return h.called("LetterPDF") == 1 })
	if asked[0] != (app.LetterRequest{PatientID: grace().ID, Kind: app.LetterSickNote, From: "2026-03-05", To: "2026-03-06", Text: "Influenza."}) {
		t.Fatalf("asked %+v", asked[0])
	}
}

// TestChartLettersNurse: a nurse writes no letters.
func TestChartLettersNurse(t *testing.T) {
	h := newClinicHarness(t)
	h.u.svc.Visits = &mock.VisitService{FindVisitsFn: func(ctx context.Context, id string) ([]*app.Visit, error) { return nil, nil }}
	c := h.openChartOf(app.RoleNurse)
	if c.visit.sickNote != nil || c.visit.start != nil {
		t.Fatal("a nurse may write letters or start visits")
	}
}
