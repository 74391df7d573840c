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

// TestChartDiagnoses: a doctor searches the codes as she types, chooses
// one, adds free text and the note it belongs to, and saves; the list
// shows it; a refusal shows next to its field and saves nothing.
func TestChartDiagnoses(t *testing.T) {
	h := newClinicHarness(t)
	var saved []app.DiagnosisCreate
	var list []*app.Diagnosis
	note := &app.Note{ID: "n-1", Kind: app.NoteClinical, Assessment: "Asthma, worse at night", CreatedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	h.clinical.FindNotesFn = func(ctx context.Context, id string) ([]*app.Note, error) { return []*app.Note{note}, nil }
	h.u.svc.Diagnoses = &mock.DiagnosisService{
		FindDiagnosesFn: func(ctx context.Context, id string) ([]*app.Diagnosis, error) {
			h.record("FindDiagnoses", ctx, id)
			return list, nil
		},
		SearchCodesFn: func(ctx context.Context, q string, limit int) ([]*app.DiagnosisCode, error) {
			h.record("SearchCodes", ctx, q)
			if strings.HasPrefix("asthma", strings.ToLower(q)) {
				return []*app.DiagnosisCode{{System: app.CodeSystemICD10CM, Code: "J45.909", Title: "Unspecified asthma, uncomplicated"},
					{System: app.CodeSystemICD10CM, Code: "J45.20", Title: "Mild intermittent asthma, uncomplicated"}}, nil
			}
			return nil, nil
		},
		AddDiagnosisFn: func(ctx context.Context, c app.DiagnosisCreate) (*app.Diagnosis, error) {
			h.record("AddDiagnosis", ctx, c)
			if c.Code == "" && c.Text == "refuse" {
				return nil, &app.Error{Code: app.EINVALID, Field: "text", Message: "Describe it better."}
			}
			saved = append(saved, c)
			list = append([]*app.Diagnosis{{ID: "d-1", PatientID: c.PatientID, NoteID: c.NoteID, System: c.System, Code: c.Code,
				Title: "Unspecified asthma, uncomplicated", Text: c.Text, RecordedBy: "Dr Who", RecordedAt: h.clock()}}, list...)
			return list[0], nil
		},
	}
	c := h.openChartOf(app.RoleDoctor)
	selectTab(t, c.tabs, "Diagnoses")
	h.waitFor("the empty list", func() bool { return h.called("FindDiagnoses") == 1 })
	if !h.shows("No diagnoses recorded.") || c.diagnoses.add == nil {
		t.Fatal("no empty list or no Add button for a doctor")
	}
	test.Tap(c.diagnoses.add)
	f := c.diagnoses.form
	h.waitFor("the notes to choose from", func() bool { return len(f.notes) == 1 })

	test.Type(f.search, "asth")
	h.waitFor("the codes", func() bool { return len(f.found) == 2 })
	f.results.Select(0)
	if f.code == nil || f.code.Code != "J45.909" || !strings.Contains(f.chosen.Text, "J45.909 Unspecified asthma") {
		t.Fatalf("chosen %q", f.chosen.Text)
	}
	test.Type(f.text, "night cough")
	f.note.SetSelected(f.noteLabel(note))
	test.Tap(f.save)
	h.waitFor("the diagnosis saved and listed", func() bool { return h.called("FindDiagnoses") == 2 })
	if len(saved) != 1 || saved[0] != (app.DiagnosisCreate{PatientID: grace().ID, NoteID: "n-1", System: app.CodeSystemICD10CM,
		Code: "J45.909", Text: "night cough"}) {
		t.Fatalf("saved %+v", saved)
	}
	if !h.shows("J45.909 Unspecified asthma, uncomplicated — night cough") || rowButton(c.diagnoses.list, "d-1", "Remove…") == nil {
		t.Fatal("the list does not show the diagnosis")
	}

	test.Tap(c.diagnoses.add)
	f = c.diagnoses.form
	test.Tap(f.save)
	if msg := f.errs["code"]; msg == nil || !msg.Visible() || h.called("AddDiagnosis") != 1 {
		t.Fatal("nothing chosen nor written: no message next to the code, or a call")
	}
	test.Type(f.text, "refuse")
	test.Tap(f.save)
	h.waitFor("the refusal", func() bool { return h.called("AddDiagnosis") == 2 })
	h.waitFor("the message", func() bool { return f.errs["text"] != nil && f.errs["text"].Visible() })
}

// TestChartDiagnosesNurse: a nurse reads the diagnoses and adds none.
func TestChartDiagnosesNurse(t *testing.T) {
	h := newClinicHarness(t)
	h.u.svc.Diagnoses = &mock.DiagnosisService{FindDiagnosesFn: func(ctx context.Context, id string) ([]*app.Diagnosis, error) {
		h.record("FindDiagnoses", ctx, id)
		return []*app.Diagnosis{{ID: "d-1", Text: "Post-viral fatigue", RecordedBy: "Dr Who"},
			{ID: "d-2", Code: "I10", Title: "Essential (primary) hypertension", RecordedBy: "Dr Who",
				RemovedAt: time.Now(), RemovedReason: "wrong patient"}}, nil
	}}
	c := h.openChartOf(app.RoleNurse)
	selectTab(t, c.tabs, "Diagnoses")
	h.waitFor("the list", func() bool { return h.called("FindDiagnoses") == 1 })
	if len(listRows(c.diagnoses.list)) != 2 || c.diagnoses.add != nil || rowButtons(c.diagnoses.list, "Remove…") != 0 {
		t.Fatal("a nurse may add or remove diagnoses")
	}
	for _, want := range []string{"Post-viral fatigue", "not coded", "wrong patient"} {
		if !h.shows(want) {
			t.Errorf("the list does not show %q", want)
		}
	}
}
