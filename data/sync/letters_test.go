package sync_test

import (
	"strings"
	"testing"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestLetterReachesTheOtherDesk: a letter a doctor writes during a visit
// on one desk is listed on another desk, by patient and by visit, and
// reprints there as the same document marked COPY.
func TestLetterReachesTheOtherDesk(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	doc := first.ctx(app.RoleDoctor)
	p := newPatient(t, first.svc, "Letter")
	v, err := first.svc.Visits.StartVisit(doc, app.VisitStart{PatientID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	original, err := first.svc.Visits.LetterPDF(doc, app.LetterRequest{PatientID: p.ID, Kind: app.LetterSickNote,
		From: "2026-11-25", To: "2026-11-28", Text: "Acute bronchitis."})
	if err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the second desk refused rows: %+v", rep)
	}

	other := services(second)
	ls, err := other.Visits.FindLetters(doc, p.ID)
	if err != nil || len(ls) != 1 {
		t.Fatalf("the second desk's letters: %v, %v", ls, err)
	}
	l := ls[0]
	if l.VisitID != v.ID || l.Kind != app.LetterSickNote || l.From != "2026-11-25" || l.To != "2026-11-28" ||
		l.Text != "Acute bronchitis." || l.DoctorName == "" {
		t.Errorf("the letter on the second desk: %+v", l)
	}
	if vl, err := other.Visits.FindVisitLetters(first.ctx(app.RoleNurse), v.ID); err != nil || len(vl) != 1 || vl[0].ID != l.ID {
		t.Errorf("the visit's letters on the second desk: %v, %v", vl, err)
	}
	again, err := other.Visits.ReprintLetter(doc, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	words := func(b []byte, drop string) string {
		return strings.Join(strings.Fields(strings.ReplaceAll(pdftest.Text(t, b, false), drop, "")), " ")
	}
	if !strings.Contains(words(again, ""), "COPY") || words(again, "COPY") != words(original, "") {
		t.Errorf("the reprint on the second desk differs:\n%s\n%s", words(original, ""), words(again, ""))
	}
}
