package ui

import (
	"bytes"
	"context"
	"path/filepath"
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

// TestChartVisitDocuments: the visit's Documents section lists the letters
// written in the open visit; a letter written now joins it; each one is
// delivered again (the service's copy) the way every document goes, saved
// under its own name; a completed visit's section says what it had.
func TestChartVisitDocuments(t *testing.T) {
	h := newClinicHarness(t)
	fakePrinter(h.harness)
	visit := &app.Visit{ID: "v-1", PatientID: grace().ID, DoctorID: user(app.RoleDoctor).ID, DoctorName: "Dr Who",
		Status: app.VisitOpen, StartedAt: h.clock()}
	var letters []*app.Letter
	h.u.svc.Visits = &mock.VisitService{
		FindVisitsFn: func(ctx context.Context, id string) ([]*app.Visit, error) { return []*app.Visit{visit}, nil },
		FindVisitLettersFn: func(ctx context.Context, id string) ([]*app.Letter, error) {
			h.record("FindVisitLetters", ctx, id)
			return letters, nil
		},
		LetterPDFFn: func(ctx context.Context, r app.LetterRequest) ([]byte, error) {
			h.record("LetterPDF", ctx, r)
			letters = append(letters, &app.Letter{ID: "l-1", PatientID: r.PatientID, VisitID: "v-1", Kind: r.Kind,
				Recipient: r.Recipient, DoctorName: "Dr Who", PatientMRN: grace().MRN, IssuedOn: "2026-03-02"})
			return []byte("%PDF-1.7 letter"), nil
		},
		ReprintLetterFn: func(ctx context.Context, id string) ([]byte, error) {
			h.record("ReprintLetter", ctx, id)
			return []byte("%PDF-1.7 COPY"), nil
		},
	}
	c := h.openChartOf(app.RoleDoctor)
	bar := c.visit
	h.waitFor("the documents", func() bool { return h.called("FindVisitLetters") >= 1 && bar.docsVisit == "v-1" })
	if bar.docsTitle.Text != "Documents of this visit" || !h.shows("No documents yet") || len(bar.docsPrint) != 0 {
		t.Fatalf("an open visit without documents: %q", bar.docsTitle.Text)
	}

	test.Tap(bar.referral)
	f := bar.letter
	test.Type(f.recipient, "ENT outpatients")
	test.Type(f.text, "Recurrent sinusitis.")
	test.Tap(f.print)
	if d := h.awaitSaved(); !strings.HasPrefix(filepath.Base(d.path), "referral-") {
		t.Errorf("the letter saved as %s", d.path)
	}
	h.waitFor("the letter listed", func() bool { return len(bar.docsPrint) == 1 })
	if !h.shows("Referral letter to ENT outpatients · Dr Who · 2026-03-02") {
		t.Fatalf("the documents: %q", h.texts())
	}
	test.Tap(bar.docsPrint[0])
	d := h.awaitSaved()
	if got := h.callsOf("ReprintLetter"); len(got) != 1 || got[0] != "l-1" {
		t.Fatalf("ReprintLetter calls %v", got)
	}
	if filepath.Base(d.path) != letters[0].FileName() || !bytes.Equal(readSaved(t, d), []byte("%PDF-1.7 COPY")) {
		t.Errorf("the reprint saved as %s", d.path)
	}

	visit.Status, visit.CompletedAt = app.VisitCompleted, h.clock()
	letters = nil
	bar.load()
	h.waitFor("the completed visit's documents", func() bool { return len(bar.docsPrint) == 0 && h.shows("No documents were written") })
	if !strings.HasPrefix(bar.docsTitle.Text, "Documents of the visit of ") {
		t.Errorf("title %q", bar.docsTitle.Text)
	}
}
