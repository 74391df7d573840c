package ui

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/mock"
)

// selectTab selects the chart's tab titled title.
func selectTab(t *testing.T, tabs *container.AppTabs, title string) {
	t.Helper()
	for _, it := range tabs.Items {
		if it.Text == title {
			tabs.Select(it)
			return
		}
	}
	t.Fatalf("no tab %q", title)
}

func tabTitles(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func TestChart(t *testing.T) {
	t.Run("Header", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleDoctor)
		if got := h.callsOf("GetChart"); len(got) != 1 || got[0] != "p-1" {
			t.Errorf("GetChart calls = %v", got)
		}
		if !strings.Contains(c.facts.Text, "P-D1-000001") || !strings.Contains(c.facts.Text, "69 years") ||
			!strings.Contains(c.facts.Text, "Female") || !strings.Contains(c.facts.Text, "O+") {
			t.Errorf("facts = %q", c.facts.Text)
		}
		if !c.allergies.Visible() || c.allergies.Importance != widget.DangerImportance ||
			!strings.Contains(c.allergies.Text, "Penicillin (severe, anaphylaxis)") {
			t.Errorf("allergies = %q (importance %v)", c.allergies.Text, c.allergies.Importance)
		}
		for _, want := range []string{"Hypertension (since 2019)", "Amlodipine 5 mg", "Dr Who — Hypertension", "BP 150/95 mmHg"} {
			if !h.shows(want) {
				t.Errorf("summary does not show %q", want)
			}
		}
		want := []string{"Summary", "History", "Notes", "Diagnoses", "Vitals", "Prescriptions", "Reports", "Changes"}
		if got := tabTitles(c.tabs); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("tabs = %v", got)
		}
		// Doctors write; they see no admin actions.
		if c.summary.addAllergy == nil || c.archive != nil || c.purge != nil {
			t.Error("wrong actions for a doctor")
		}
		test.Tap(c.back)
		if h.u.main.patients.chart != nil {
			t.Error("Back did not close the chart")
		}
	})

	t.Run("BillingSeesNoClinicalTabs", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleBilling)
		if got := tabTitles(c.tabs); len(got) != 1 || got[0] != "Details" {
			t.Errorf("billing tabs = %v, want Details only", got)
		}
		if h.called("GetChart") != 0 || h.called("FindPatientByID") != 1 {
			t.Errorf("GetChart %d, FindPatientByID %d", h.called("GetChart"), h.called("FindPatientByID"))
		}
		if c.allergies.Visible() || c.notes != nil || c.rx != nil || c.edit != nil || c.archive != nil {
			t.Error("billing sees clinical data or actions")
		}
		if !h.shows("+30 690 0000001") || !h.shows("2 Hill St") {
			t.Error("demographics not shown")
		}
	})

	t.Run("LockHidesTheChart", func(t *testing.T) {
		h := newClinicHarness(t)
		h.openChartOf(app.RoleNurse)
		h.u.lockNow()
		if !h.u.locked {
			t.Fatal("not locked")
		}
		for _, s := range []string{"Grace Hopper", "P-D1-000001", "Penicillin", "Hypertension", "2 Hill St"} {
			if h.shows(s) {
				t.Errorf("%q still on screen while locked", s)
			}
		}
	})

	t.Run("AddAllergyAndRemoveWithReason", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleDoctor)
		h.clinical.AddAllergyFn = func(ctx context.Context, a app.AllergyCreate) (*app.Allergy, error) {
			h.record("AddAllergy", ctx, a)
			return &app.Allergy{ID: "a-2"}, nil
		}
		h.clinical.RemoveAllergyFn = func(ctx context.Context, id, reason string) error {
			h.record("RemoveAllergy", ctx, id+":"+reason)
			return nil
		}
		test.Tap(c.summary.addAllergy)
		f := c.summary.allergyForm
		test.Type(f.substance, "Latex")
		f.severity.SetSelected("Moderate")
		f.certainty.SetSelected("Suspected")
		test.Tap(f.save)
		h.waitFor("the allergy", func() bool { return h.called("AddAllergy") == 1 })
		if a := h.callsOf("AddAllergy")[0].(app.AllergyCreate); a.PatientID != "p-1" || a.Substance != "Latex" ||
			a.Severity != app.SeverityModerate || a.Certainty != app.CertaintySuspected {
			t.Errorf("allergy = %+v", a)
		}
		h.waitFor("the chart reloaded", func() bool { return h.called("GetChart") == 2 })

		test.Tap(rowButton(c.summary.allergies.list, "a-1", "Remove…"))
		p := c.summary.prompt
		test.Tap(p.ok)
		h.settle()
		if p.errs.text("reason") == "" || h.called("RemoveAllergy") != 0 {
			t.Fatal("removed without a reason")
		}
		test.Type(p.entry, "tested negative")
		test.Tap(p.ok)
		h.waitFor("the removal", func() bool { return h.called("RemoveAllergy") == 1 })
		if got := h.callsOf("RemoveAllergy")[0]; got != "a-1:tested negative" {
			t.Errorf("RemoveAllergy(%v)", got)
		}
	})

	t.Run("ArchiveNeedsAReason", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleAdmin)
		h.patients.ArchivePatientFn = func(ctx context.Context, id, reason string) (*app.Patient, error) {
			h.record("ArchivePatient", ctx, id+":"+reason)
			return nil, nil
		}
		if c.archive == nil || !c.archive.Visible() || c.restore.Visible() {
			t.Fatal("admin has no Archive button")
		}
		test.Tap(c.archive)
		p := c.prompt
		test.Tap(p.ok)
		h.settle()
		if !strings.Contains(p.errs.text("reason"), "reason") || h.called("ArchivePatient") != 0 {
			t.Fatalf("archived without a reason; message %q", p.errs.text("reason"))
		}
		test.Type(p.entry, "registered twice")
		test.Tap(p.ok)
		h.waitFor("the archive", func() bool { return h.called("ArchivePatient") == 1 })
		if got := h.callsOf("ArchivePatient")[0]; got != "p-1:registered twice" {
			t.Errorf("ArchivePatient(%v)", got)
		}
		h.waitFor("the chart reloaded", func() bool { return h.called("GetChart") == 2 })
	})

	t.Run("PurgeNeedsTheRecordNumber", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleAdmin)
		h.patients.PurgePatientFn = func(ctx context.Context, id, mrn string) error {
			h.record("PurgePatient", ctx, id+":"+mrn)
			return nil
		}
		test.Tap(c.purge)
		p := c.prompt
		test.Type(p.entry, "P-D1-000002")
		test.Tap(p.ok)
		h.settle()
		if p.errs.text("mrn") == "" || h.called("PurgePatient") != 0 {
			t.Fatal("purged with the wrong record number")
		}
		p.entry.SetText("P-D1-000001")
		test.Tap(p.ok)
		h.waitFor("the purge", func() bool { return h.called("PurgePatient") == 1 })
		h.waitFor("the list again", func() bool { return h.u.main.patients.chart == nil })
	})

	t.Run("Changes", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleReception)
		if len(c.tabs.Items) != 1 {
			t.Fatalf("reception tabs = %v", tabTitles(c.tabs))
		}
		h2 := newClinicHarness(t)
		c = h2.openChartOf(app.RoleNurse)
		h2.patients.FindPatientChangesFn = func(ctx context.Context, id string) ([]*app.PatientChange, error) {
			return []*app.PatientChange{{At: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), Username: "reception1",
				Field: "phone", Old: "+30 1", New: "+30 2"}}, nil
		}
		selectTab(t, c.tabs, "Changes")
		h2.waitFor("the changes", func() bool { return len(c.changes.changes) == 1 })
		if !h2.shows("+30 1 → +30 2") || !h2.shows("reception1") {
			t.Errorf("changes not shown: %q", h2.texts())
		}
	})
}

func TestChartHistory(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleDoctor)
	h.clinical.FindHistoryFn = func(ctx context.Context, id string, f app.HistoryFilter) ([]*app.HistoryEntry, error) {
		h.record("FindHistory", ctx, f)
		var out []*app.HistoryEntry
		start := int64(250)
		if f.BeforeSeq > 0 {
			start = f.BeforeSeq - 1
		}
		for s := start; s > 0 && len(out) < f.Limit; s-- {
			out = append(out, &app.HistoryEntry{Seq: s, Kind: app.HistoryNote, Summary: "entry", At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		}
		return out, nil
	}
	selectTab(t, c.tabs, "History")
	hist := c.history
	h.waitFor("the history", func() bool { return len(hist.entries) == historyPageSize })
	if !hist.older.Visible() {
		t.Fatal("no Older button on a full page")
	}
	test.Tap(hist.older)
	h.waitFor("the older page", func() bool { return len(hist.entries) == 2*historyPageSize })
	if f := h.callsOf("FindHistory")[1].(app.HistoryFilter); f.BeforeSeq != 151 {
		t.Errorf("older page filter = %+v", f)
	}

	hist.kind.SetSelected("Vitals")
	hist.from.SetText("2026-02-01")
	hist.to.SetText("2026-02-28")
	test.Tap(hist.apply)
	h.waitFor("the filtered history", func() bool { return h.called("FindHistory") >= 4 })
	// Choosing the kind searched too, in its own goroutine: find the search
	// that Apply made, whichever was recorded last.
	var f app.HistoryFilter
	for _, c := range h.callsOf("FindHistory") {
		if cf := c.(app.HistoryFilter); !cf.From.IsZero() {
			f = cf
		}
	}
	if len(f.Kinds) != 1 || f.Kinds[0] != app.HistoryVitals || f.From.Format(app.DateLayout) != "2026-02-01" ||
		f.To.Sub(f.From) != 28*24*time.Hour || f.BeforeSeq != 0 {
		t.Errorf("filter = %+v", f)
	}
	n := h.called("FindHistory")
	hist.from.SetText("1 Feb")
	test.Tap(hist.apply)
	h.settle()
	if hist.errs.text("from") == "" || h.called("FindHistory") != n {
		t.Error("a malformed date was not refused")
	}
}

func TestChartNotes(t *testing.T) {
	setup := func(t *testing.T, role app.Role) (*clinicHarness, *chartScreen) {
		h := newClinicHarness(t)
		c := h.openChartOf(role)
		h.clinical.FindNotesFn = func(ctx context.Context, id string) ([]*app.Note, error) {
			h.record("FindNotes", ctx, id)
			return []*app.Note{{ID: "n-1", Kind: app.NoteClinical, Text: "Chest pain on exertion.", AuthorName: "Dr Who",
				CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
				Addenda:   []*app.Note{{ID: "n-2", Kind: app.NoteClinical, Text: "ECG normal.", AuthorName: "Dr Who", AddendumTo: "n-1"}}}}, nil
		}
		h.clinical.AddNoteFn = func(ctx context.Context, n app.NoteCreate) (*app.Note, error) {
			h.record("AddNote", ctx, n)
			return &app.Note{ID: "n-3"}, nil
		}
		selectTab(t, c.tabs, "Notes")
		h.waitFor("the notes", func() bool { return len(c.notes.notes) == 1 })
		if !h.shows("Chest pain on exertion.") || !h.shows("ECG normal.") {
			t.Fatalf("note and addendum not shown: %q", h.texts())
		}
		return h, c
	}

	t.Run("FreeText", func(t *testing.T) {
		h, c := setup(t, app.RoleDoctor)
		test.Tap(c.notes.newNote)
		f := c.notes.form
		test.Tap(f.save)
		if f.errs.text("text") == "" {
			t.Error("an empty note was not refused")
		}
		test.Type(f.text, "Follow-up in two weeks.")
		test.Tap(f.save)
		h.waitFor("the note", func() bool { return h.called("AddNote") == 1 })
		n := h.callsOf("AddNote")[0].(app.NoteCreate)
		if n.PatientID != "p-1" || n.Kind != app.NoteClinical || n.Text != "Follow-up in two weeks." || n.AddendumTo != "" {
			t.Errorf("note = %+v", n)
		}
		h.waitFor("the notes reloaded", func() bool { return h.called("FindNotes") == 2 })
	})

	t.Run("SOAPByNurse", func(t *testing.T) {
		h, c := setup(t, app.RoleNurse)
		if c.notes.newNote.Text != "New nursing note" {
			t.Errorf("button = %q", c.notes.newNote.Text)
		}
		test.Tap(c.notes.newNote)
		f := c.notes.form
		f.mode.SetSelected(modeSOAP)
		if !f.soap.Visible() {
			t.Fatal("SOAP fields hidden")
		}
		f.subjective.SetText("Feels dizzy") // typing into an unsized wrapped entry drops spaces
		f.plan.SetText("Recheck BP in 1 h")
		test.Tap(f.save)
		h.waitFor("the note", func() bool { return h.called("AddNote") == 1 })
		n := h.callsOf("AddNote")[0].(app.NoteCreate)
		if n.Kind != app.NoteNursing || n.Subjective != "Feels dizzy" || n.Plan != "Recheck BP in 1 h" || n.Text != "" {
			t.Errorf("note = %+v", n)
		}
	})

	t.Run("Addendum", func(t *testing.T) {
		h, c := setup(t, app.RoleDoctor)
		test.Tap(rowButton(c.notes.list, "n-1", "Add addendum"))
		f := c.notes.form
		if f.mode != nil {
			t.Error("an addendum offers SOAP")
		}
		test.Type(f.text, "Troponin negative.")
		test.Tap(f.save)
		h.waitFor("the addendum", func() bool { return h.called("AddNote") == 1 })
		n := h.callsOf("AddNote")[0].(app.NoteCreate)
		if n.AddendumTo != "n-1" || n.Text != "Troponin negative." || n.Kind != app.NoteClinical {
			t.Errorf("addendum = %+v", n)
		}
	})

	t.Run("AdminReadsOnly", func(t *testing.T) {
		_, c := setup(t, app.RoleAdmin)
		if len(listRows(c.notes.list)) == 0 || c.notes.newNote != nil || rowButtons(c.notes.list, "Add addendum") != 0 {
			t.Error("an admin may write notes")
		}
	})
}

func TestChartVitals(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleNurse)
	readings := []*app.Vitals{
		{ID: "v-2", Systolic: 150, Diastolic: 95, Pulse: 80, WeightKg: 70, HeightCm: 175, TakenAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		{ID: "v-1", Systolic: 120, Diastolic: 80, Pulse: 70, TakenAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)},
	}
	h.clinical.FindVitalsFn = func(ctx context.Context, id string, limit int) ([]*app.Vitals, error) {
		h.record("FindVitals", ctx, limit)
		return readings, nil
	}
	h.clinical.RecordVitalsFn = func(ctx context.Context, v app.Vitals) (*app.Vitals, error) {
		h.record("RecordVitals", ctx, v)
		if v.SpO2 == 99 { // the service refuses what the screen let through
			return nil, app.FieldErrorf("spo2", "The oximeter is not calibrated.")
		}
		return &v, nil
	}
	selectTab(t, c.tabs, "Vitals")
	vt := c.vitals
	h.waitFor("the readings", func() bool { return len(vt.readings) == 2 })
	if text, abnormal := vt.cell(0, 1); text != "150/95" || !abnormal {
		t.Errorf("BP cell = %q, abnormal %v; want 150/95 highlighted", text, abnormal)
	}
	if text, abnormal := vt.cell(1, 1); text != "120/80" || abnormal {
		t.Errorf("BP cell = %q, abnormal %v; want 120/80 plain", text, abnormal)
	}
	if text, abnormal := vt.cell(0, 8); text != "22.9" || abnormal {
		t.Errorf("BMI cell = %q, abnormal %v", text, abnormal)
	}
	if len(vt.trends.Objects) == 0 {
		t.Error("no trend charts")
	}

	test.Type(vt.weight, "70")
	test.Type(vt.height, "175")
	if vt.bmi.Text != "BMI 22.9" {
		t.Errorf("live BMI = %q", vt.bmi.Text)
	}

	test.Type(vt.pulse, "fast")
	test.Tap(vt.record)
	h.settle()
	if vt.errs.text("pulse") == "" || h.called("RecordVitals") != 0 {
		t.Fatal("a pulse that is not a number was sent")
	}

	vt.pulse.SetText("400")
	test.Tap(vt.record)
	h.settle()
	if !strings.Contains(vt.errs.text("pulse"), "between 20 and 300") || h.called("RecordVitals") != 0 {
		t.Fatalf("impossible pulse: message %q, sent %d times", vt.errs.text("pulse"), h.called("RecordVitals"))
	}

	vt.pulse.SetText("72")
	vt.spo2.SetText("99")
	test.Tap(vt.record)
	h.waitFor("the service's message", func() bool { return vt.errs.text("spo2") != "" })
	if vt.errs.text("pulse") != "" {
		t.Error("old pulse message kept")
	}

	vt.spo2.SetText("")
	vt.temperature.SetText("37,2")
	test.Tap(vt.record)
	h.waitFor("the recording", func() bool { return h.called("RecordVitals") == 2 && vt.saved.Visible() })
	v := h.callsOf("RecordVitals")[1].(app.Vitals)
	if v.PatientID != "p-1" || v.Pulse != 72 || v.TemperatureC != 37.2 || v.WeightKg != 70 || v.HeightCm != 175 {
		t.Errorf("vitals = %+v", v)
	}
	if vt.pulse.Text != "" {
		t.Error("form not cleared after recording")
	}
}

func TestChartPrescriptions(t *testing.T) {
	setup := func(t *testing.T) (*clinicHarness, *chartScreen) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleDoctor)
		h.clinical.FindPrescriptionsFn = func(ctx context.Context, id string) ([]*app.Prescription, error) {
			h.record("FindPrescriptions", ctx, id)
			return []*app.Prescription{{ID: "rx-1", Number: "RX-D1-2026-000001", DoctorName: "Dr Who", Status: app.PrescriptionActive,
				Items: []app.PrescriptionItem{{Drug: "Amlodipine", Strength: "5 mg"}}}}, nil
		}
		selectTab(t, c.tabs, "Prescriptions")
		h.waitFor("the prescriptions", func() bool { return len(c.rx.rxs) == 1 })
		if !h.shows("Active") || !h.shows("Amlodipine 5 mg") {
			t.Errorf("prescription not shown: %q", h.texts())
		}
		return h, c
	}

	t.Run("AllergyWarningAcknowledged", func(t *testing.T) {
		h, c := setup(t)
		h.clinical.PrescribeFn = func(ctx context.Context, p app.PrescriptionCreate) (*app.Prescription, error) {
			h.record("Prescribe", ctx, p)
			if !p.AcknowledgeAllergy {
				return nil, &app.Error{Code: app.ECONFLICT, Field: "allergy",
					Message: "Amoxicillin matches the recorded allergy to penicillin (severe)."}
			}
			return &app.Prescription{ID: "rx-2"}, nil
		}
		test.Tap(c.rx.newRx)
		f := c.rx.form
		test.Tap(f.save)
		if f.errs.text("") == "" {
			t.Error("an empty prescription was not refused")
		}
		r := f.items[0]
		test.Type(r.drug, "Amoxicillin")
		test.Type(r.strength, "500 mg")
		test.Type(r.frequency, "3 times a day")
		test.Tap(f.addItem)
		test.Type(f.items[1].drug, "Paracetamol")
		test.Tap(f.save)
		if !strings.Contains(f.errs.text(""), "Drug 1 (Amoxicillin): enter the dose") || h.called("Prescribe") != 0 {
			t.Fatalf("a drug without a dose: message %q", f.errs.text(""))
		}
		test.Type(r.dose, "1 capsule")
		test.Type(f.items[1].dose, "1 g")
		test.Tap(f.addItem) // a blank row is skipped
		test.Tap(f.save)
		h.waitFor("the allergy warning", func() bool { return f.allergy != nil })
		if !h.shows("matches the recorded allergy to penicillin") {
			t.Errorf("warning not shown: %q", h.texts())
		}
		first := h.callsOf("Prescribe")[0].(app.PrescriptionCreate)
		if len(first.Items) != 2 || first.Items[0].Drug != "Amoxicillin" || first.Items[0].Strength != "500 mg" ||
			first.Items[1].Drug != "Paracetamol" || first.AcknowledgeAllergy {
			t.Errorf("first submission = %+v", first)
		}
		test.Type(f.overrideReason, "Tolerated amoxicillin in 2024")
		f.allergy.Confirm()
		h.waitFor("the resubmission", func() bool { return h.called("Prescribe") == 2 })
		second := h.callsOf("Prescribe")[1].(app.PrescriptionCreate)
		if !second.AcknowledgeAllergy || len(second.Items) != 2 || second.OverrideReason != "Tolerated amoxicillin in 2024" {
			t.Errorf("resubmission = %+v", second)
		}
		h.waitFor("the list reloaded", func() bool { return h.called("FindPrescriptions") == 2 && c.rx.form == nil })
	})

	t.Run("RemoveRow", func(t *testing.T) {
		_, c := setup(t)
		test.Tap(c.rx.newRx)
		f := c.rx.form
		test.Tap(f.addItem)
		test.Type(f.items[1].drug, "Second")
		test.Tap(f.items[0].remove)
		if len(f.items) != 1 || f.items[0].drug.Text != "Second" {
			t.Errorf("rows after removing the first: %d", len(f.items))
		}
	})

	t.Run("CancelNeedsReason", func(t *testing.T) {
		h, c := setup(t)
		h.clinical.CancelPrescriptionFn = func(ctx context.Context, id, reason string) (*app.Prescription, error) {
			h.record("CancelPrescription", ctx, id+":"+reason)
			return &app.Prescription{}, nil
		}
		test.Tap(rowButton(c.rx.list, "rx-1", "Cancel…"))
		p := c.rx.prompt
		test.Tap(p.ok)
		h.settle()
		if p.errs.text("reason") == "" || h.called("CancelPrescription") != 0 {
			t.Fatal("cancelled without a reason")
		}
		test.Type(p.entry, "side effects")
		test.Tap(p.ok)
		h.waitFor("the cancellation", func() bool { return h.called("CancelPrescription") == 1 })
		if got := h.callsOf("CancelPrescription")[0]; got != "rx-1:side effects" {
			t.Errorf("CancelPrescription(%v)", got)
		}
	})

	t.Run("SavePDF", func(t *testing.T) {
		h, c := setup(t)
		fakePrinter(h.harness)
		h.clinical.PrescriptionPDFFn = func(ctx context.Context, id string) ([]byte, error) {
			h.record("PrescriptionPDF", ctx, id)
			return []byte("%PDF-1.7 prescription"), nil
		}
		// No viewer on this computer: the message names the saved file.
		h.u.docs.open = func(*url.URL) error { return errors.New(`exec: "xdg-open": executable file not found in $PATH`) }
		test.Tap(rowButton(c.rx.list, "rx-1", "Print / Save PDF"))
		d := h.awaitSaved()
		if got := h.callsOf("PrescriptionPDF"); len(got) != 1 || got[0] != "rx-1" {
			t.Errorf("PrescriptionPDF calls = %v", got)
		}
		if filepath.Base(d.path) != c.rx.rxs[0].Number+".pdf" {
			t.Errorf("saved as %s", d.path)
		}
		if b, err := os.ReadFile(d.path); err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("file holds %q, %v", b, err)
		}
		test.Tap(d.open)
		if h.u.docs.noViewer == nil || !h.shows("No program to open PDF files was found") || !h.shows(d.path) {
			t.Fatalf("no message naming the saved file: %q", h.texts())
		}
		if h.shows("went wrong") || h.shows("inside HMS") {
			t.Fatalf("reported as a failure: %q", h.texts())
		}
	})
}

// attachmentRowAt is the list's row i, as the list shows it.
func attachmentRowAt(t *attachmentsTab, i int) *attachmentRow {
	row := t.list.CreateItem()
	t.list.UpdateItem(i, row)
	return row.(*attachmentRow)
}

func TestChartAttachments(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleNurse)
	shot := pngBytes(t)
	h.attachments.FindAttachmentsFn = func(ctx context.Context, id string) ([]*app.Attachment, error) {
		h.record("FindAttachments", ctx, id)
		return []*app.Attachment{
			{ID: "r-1", Title: "Chest X-ray", Type: app.AttachmentImaging, Date: "2026-02-27", FileName: "xray.png", MediaType: "image/png", Size: int64(len(shot))},
			{ID: "r-2", Title: "Blood count", Type: app.AttachmentLab, Date: "2026-02-20", FileName: "fbc.txt", MediaType: "text/plain", Size: 10},
		}, nil
	}
	h.attachments.OpenAttachmentFn = func(ctx context.Context, id string) (*app.Attachment, []byte, error) {
		h.record("OpenAttachment", ctx, id)
		if id == "r-1" {
			return &app.Attachment{ID: id, Title: "Chest X-ray", FileName: "xray.png", MediaType: "image/png"}, shot, nil
		}
		return nil, nil, app.Errorf(app.ECONFLICT, "The stored file of this report was altered; it cannot be opened.")
	}
	h.attachments.AttachFileFn = func(ctx context.Context, r app.AttachmentCreate) (*app.Attachment, error) {
		h.record("AttachFile", ctx, r)
		return &app.Attachment{ID: "r-3"}, nil
	}
	selectTab(t, c.tabs, "Reports")
	rt := c.attachments
	h.waitFor("the reports", func() bool { return len(rt.attachments) == 2 })
	if !h.shows("Chest X-ray") || !h.shows("Imaging · 2026-02-27 · xray.png") {
		t.Errorf("reports not shown: %q", h.texts())
	}

	test.Tap(attachmentRowAt(rt, 0).open) // r-1
	h.waitFor("the image", func() bool { return rt.image != nil })

	test.Tap(attachmentRowAt(rt, 1).open) // r-2
	h.waitFor("the tamper message", func() bool { return h.shows("was altered") })

	test.Tap(rt.attach)
	f := rt.form
	f.kind.SetSelected("Lab")
	f.onFile(newMemReader("lipids.pdf", "%PDF-1.7 lipids"), nil)
	h.waitFor("the file", func() bool { return f.fileName == "lipids.pdf" })
	if f.title.Text != "lipids" {
		t.Errorf("title defaulted to %q", f.title.Text)
	}
	test.Tap(f.save)
	h.waitFor("the attachment", func() bool { return h.called("AttachFile") == 1 })
	r := h.callsOf("AttachFile")[0].(app.AttachmentCreate)
	if r.PatientID != "p-1" || r.Type != app.AttachmentLab || r.FileName != "lipids.pdf" || string(r.Content) != "%PDF-1.7 lipids" ||
		r.Date != "2026-03-02" {
		t.Errorf("attached %+v", r)
	}
}

func TestChartAssignments(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleDoctor)
	h.clinical.AssignDoctorFn = func(ctx context.Context, a app.AssignmentCreate) (*app.Assignment, error) {
		h.record("AssignDoctor", ctx, a)
		return &app.Assignment{ID: "as-2"}, nil
	}
	h.clinical.EndAssignmentFn = func(ctx context.Context, id string, st app.AssignmentStatus) (*app.Assignment, error) {
		h.record("EndAssignment", ctx, id+":"+string(st))
		return &app.Assignment{}, nil
	}
	test.Tap(c.summary.assign)
	f := c.summary.assignForm
	if f.doctor.Selected == "" {
		t.Fatal("a doctor is not offered to assign themself")
	}
	test.Type(f.reason, "Diabetes follow-up")
	test.Tap(f.save)
	h.waitFor("the assignment", func() bool { return h.called("AssignDoctor") == 1 })
	a := h.callsOf("AssignDoctor")[0].(app.AssignmentCreate)
	if a.DoctorID != "u-doctor" || a.PatientID != "p-1" || a.StartDate != "2026-03-02" || a.Reason != "Diabetes follow-up" {
		t.Errorf("assignment = %+v", a)
	}
	h.waitFor("the chart reloaded", func() bool { return h.called("GetChart") == 2 })
	test.Tap(rowButton(c.summary.doctors.list, "as-1", "End…"))
	var done *widget.Button
	walk(h.u.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := asButton(o); ok && b.Text == "Treatment completed" {
			done = b
		}
	})
	if done == nil {
		t.Fatal("no Treatment completed button")
	}
	test.Tap(done)
	h.waitFor("the end", func() bool { return h.called("EndAssignment") == 1 })
	if got := h.callsOf("EndAssignment")[0]; got != "as-1:completed" {
		t.Errorf("EndAssignment(%v)", got)
	}
}

// TestChartAttachmentViewerFiles checks that a report opened in the system's
// viewer is written to a private file that the lock removes.
func TestChartAttachmentViewerFiles(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleDoctor)
	h.attachments.FindAttachmentsFn = func(ctx context.Context, id string) ([]*app.Attachment, error) {
		return []*app.Attachment{{ID: "r-9", Title: "Discharge", Type: app.AttachmentDischarge, Date: "2026-02-20",
			FileName: "discharge.pdf", MediaType: "application/pdf", Size: 9}}, nil
	}
	h.attachments.OpenAttachmentFn = func(ctx context.Context, id string) (*app.Attachment, []byte, error) {
		return &app.Attachment{ID: id, Title: "Discharge", FileName: "discharge.pdf", MediaType: "application/pdf"}, []byte("%PDF-1.7 x"), nil
	}
	selectTab(t, c.tabs, "Reports")
	rt := c.attachments
	h.waitFor("the reports", func() bool { return len(rt.attachments) == 1 })
	test.Tap(attachmentRowAt(rt, 0).open) // r-9
	var dir string
	h.waitFor("the viewer file", func() bool {
		h.u.viewFiles.mu.Lock()
		defer h.u.viewFiles.mu.Unlock()
		dir = h.u.viewFiles.dir
		return dir != ""
	})
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "discharge.pdf"))
	if len(matches) != 1 {
		t.Fatalf("viewer files: %v", matches)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("viewer folder mode: %v %v", fi.Mode(), err)
	}
	h.u.lockNow()
	if _, err := os.Stat(matches[0]); !os.IsNotExist(err) {
		t.Fatalf("the report file outlived the lock: %v", err)
	}
}

// TestChartNextAppointmentAndReceptionAssigns: the summary shows the next
// appointment in the clinic's time zone, and reception, who may not read
// the clinical record, assigns a doctor from the Details tab.
func TestChartNextAppointmentAndReceptionAssigns(t *testing.T) {
	t.Run("NextAppointment", func(t *testing.T) {
		h := newClinicHarness(t)
		h.openChartOf(app.RoleDoctor)
		// 08:30 UTC is 10:30 in Athens (winter time).
		h.waitFor("the next appointment", func() bool {
			return h.shows("2026-03-09 10:30 with Dr Who (" + app.AppointmentConfirmed.Label() + ") — Blood pressure review")
		})
	})

	t.Run("ReceptionAssigns", func(t *testing.T) {
		h := newClinicHarness(t)
		h.serveBooking()
		h.clinical.AssignDoctorFn = func(ctx context.Context, a app.AssignmentCreate) (*app.Assignment, error) {
			h.record("AssignDoctor", ctx, a)
			return &app.Assignment{ID: "as-9"}, nil
		}
		c := h.openChartOf(app.RoleReception)
		if c.details == nil || c.details.assign == nil {
			t.Fatal("reception has no Assign doctor on the Details tab")
		}
		test.Tap(c.details.assign)
		f := c.details.assignForm
		h.waitFor("the doctors", func() bool { return len(f.doctors) == 2 })
		f.doctor.SetSelectedIndex(1)
		test.Type(f.reason, "Knee pain")
		test.Tap(f.save)
		h.waitFor("the assignment", func() bool { return h.called("AssignDoctor") == 1 })
		a := h.callsOf("AssignDoctor")[0].(app.AssignmentCreate)
		if a.PatientID != "p-1" || a.DoctorID != f.doctors[1].UserID || a.Reason != "Knee pain" {
			t.Errorf("assigned %+v", a)
		}
		h.waitFor("the confirmation", func() bool { return strings.Contains(c.details.assigned.Text, "is now assigned") })
		if h.called("GetChart") != 0 {
			t.Error("reception read the clinical chart")
		}
	})
}

// TestChartMergedRecords: a patient registered twice and merged: the kept
// record links to the merged one and the merged one back; following a
// link shows that record.
func TestChartMergedRecords(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleReception)
	if c.merged.Visible() {
		t.Fatal("a record never merged shows merge links")
	}
	gone := &app.Patient{ID: "p-2", MRN: "P-D2-000004", GivenName: "Grace", FamilyName: "Hopper", Sex: app.SexFemale,
		BirthDate: "1956-12-09", MergedInto: "p-1", ArchivedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		ArchiveReason: "Merged into P-D1-000001 Grace Hopper: the same patient, registered twice"}
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		if id == gone.ID {
			return gone, nil
		}
		p := grace()
		p.MergedFrom = []app.PatientRef{{ID: gone.ID, MRN: gone.MRN, Name: "Grace Hopper"}}
		return p, nil
	}
	c.reload()
	h.waitFor("the link to the merged record", func() bool {
		return c.merged.Visible() && h.shows("Also registered as P-D2-000004 Grace Hopper, merged into this record")
	})
	button := func(text string) *widget.Button {
		var b *widget.Button
		walk(c.merged, func(o fyne.CanvasObject) {
			if x, ok := asButton(o); ok && x.Text == text {
				b = x
			}
		})
		if b == nil {
			t.Fatalf("no button %q", text)
		}
		return b
	}
	test.Tap(button("Open P-D2-000004"))
	h.waitFor("the merged record", func() bool { return strings.Contains(c.facts.Text, "P-D2-000004") })
	if !c.archived.Visible() || !h.shows("This record was merged into the patient's other record.") {
		t.Fatalf("the merged record does not say so: %q", c.archived.Text)
	}
	test.Tap(button("Open the kept record"))
	h.waitFor("the kept record", func() bool { return strings.Contains(c.facts.Text, "P-D1-000001") })
}

// TestChartPrintLabel: staff get "Print label" in the chart's header once
// the record is loaded; the label is laid out in the desk's label layout.
func TestChartPrintLabel(t *testing.T) {
	h := newClinicHarness(t)
	h.u.svc.Printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocLabel, Layout: app.LayoutLabel3825}}, nil
	}}
	c := h.openChartOf(app.RoleReception)
	if c.label == nil || c.label.Disabled() {
		t.Fatal("no Print label for reception")
	}
	b, err := c.labelPDF(context.Background())
	if err != nil || !strings.Contains(string(b), "/MediaBox [0 0 107.72 70.87]") {
		t.Errorf("label: %v, not the desk's 38x25 layout", err)
	}
}
