package ui

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/mock"
)

// clinicHarness is the harness with the clinical and report services too.
type clinicHarness struct {
	*harness
	clinical    *mock.ClinicalService
	attachments *mock.AttachmentService
}

func newClinicHarness(t *testing.T) *clinicHarness {
	t.Helper()
	h := newHarness(t)
	c := &clinicHarness{harness: h, clinical: &mock.ClinicalService{}, attachments: &mock.AttachmentService{}}
	h.u.svc.Clinical = c.clinical
	h.u.svc.Attachments = c.attachments
	return c
}

func grace() *app.Patient {
	return &app.Patient{ID: "p-1", MRN: "P-D1-000001", GivenName: "Grace", FamilyName: "Hopper", Sex: app.SexFemale,
		BirthDate: "1956-12-09", Phone: "+30 690 0000001", Address: "2 Hill St", BloodGroup: "O+"}
}

func samplePatients(n int, from int) []*app.Patient {
	out := make([]*app.Patient, n)
	for i := range out {
		k := from + i
		out[i] = &app.Patient{ID: fmt.Sprintf("p-%d", k), MRN: fmt.Sprintf("P-D1-%06d", k),
			GivenName: "Given", FamilyName: fmt.Sprintf("Family%d", k), Sex: app.SexMale, BirthDate: "1980-01-01"}
	}
	return out
}

func graceChart() *app.Chart {
	return &app.Chart{
		Patient:   grace(),
		Allergies: []*app.Allergy{{ID: "a-1", Substance: "Penicillin", Reaction: "anaphylaxis", Severity: app.SeveritySevere}},
		Problems:  []*app.Problem{{ID: "pr-1", Condition: "Hypertension", Onset: "2019", Status: app.ProblemActive}},
		Medications: []*app.Prescription{{ID: "rx-1", Number: "RX-D1-2026-000001", DoctorName: "Dr Who",
			Items: []app.PrescriptionItem{{Drug: "Amlodipine", Strength: "5 mg", Dose: "1 tablet", Frequency: "daily"}}}},
		Assignments: []*app.Assignment{{ID: "as-1", DoctorName: "Dr Who", Reason: "Hypertension", StartDate: "2026-01-05", Status: app.AssignmentActive}},
		LastVitals:  &app.Vitals{Systolic: 150, Diastolic: 95, Pulse: 80, TakenAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)},
		NextAppointment: &app.Appointment{ID: "ap-1", DoctorName: "Dr Who", Reason: "Blood pressure review",
			Start: time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC), Status: app.AppointmentConfirmed},
	}
}

// servePatients makes FindPatients answer with pages of the given patients.
func (h *clinicHarness) servePatients(ps []*app.Patient, pageSize int) {
	h.patients.FindPatientsFn = func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
		h.record("FindPatients", ctx, f)
		start := 0
		if f.Cursor != "" {
			fmt.Sscanf(f.Cursor, "c%d", &start)
		}
		end := min(start+pageSize, len(ps))
		page := &app.PatientPage{Patients: ps[start:end]}
		if end < len(ps) {
			page.Next = fmt.Sprintf("c%d", end)
		}
		return page, nil
	}
}

// openPatients logs in as role and opens the Patients area.
// openPatients logs in as role and opens the Patients area; the list of
// the newest patients it loads on opening is waited for, then forgotten, so
// tests count only the searches they cause.
func (h *clinicHarness) openPatients(role app.Role) *patientsScreen {
	h.t.Helper()
	h.loginAs(user(role))
	if h.u.main.patients == nil {
		h.openArea(app.AreaPatients)
	}
	h.waitFor("the newest patients on opening", func() bool { return h.called("FindPatients") >= 1 })
	h.settle()
	h.mu.Lock()
	delete(h.calls, "FindPatients")
	h.mu.Unlock()
	return h.u.main.patients
}

// openChartOf logs in as role, searches and opens grace's chart.
func (h *clinicHarness) openChartOf(role app.Role) *chartScreen {
	h.t.Helper()
	h.servePatients([]*app.Patient{grace()}, 50)
	h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
		h.record("GetChart", ctx, id)
		return graceChart(), nil
	}
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		return grace(), nil
	}
	s := h.openPatients(role)
	test.Type(s.query, "grace")
	h.waitFor("the results", func() bool { return len(s.patients) == 1 })
	s.list.Select(0)
	if s.chart == nil {
		h.t.Fatal("selecting a result opened no chart")
	}
	c := s.chart
	h.waitFor("the chart", func() bool { return c.name.Text == "Grace Hopper" })
	return c
}

// memWriter is a file chosen in a save dialog, in memory.
type memWriter struct {
	bytes.Buffer
	uri    fyne.URI
	closed bool
}

func (w *memWriter) URI() fyne.URI { return w.uri }
func (w *memWriter) Close() error  { w.closed = true; return nil }

// memReader is a file chosen in an open dialog, in memory.
type memReader struct {
	*strings.Reader
	uri fyne.URI
}

func (r *memReader) URI() fyne.URI { return r.uri }
func (r *memReader) Close() error  { return nil }

func newMemReader(name, content string) *memReader {
	return &memReader{Reader: strings.NewReader(content), uri: storage.NewFileURI("/home/desk/" + name)}
}

func TestPatientRegistration(t *testing.T) {
	setup := func(t *testing.T) (*clinicHarness, *patientsScreen, *patientForm) {
		h := newClinicHarness(t)
		s := h.openPatients(app.RoleReception)
		if s.register == nil {
			t.Fatal("no Register button for reception")
		}
		test.Tap(s.register)
		if s.form == nil {
			t.Fatal("Register opened no form")
		}
		return h, s, s.form
	}
	fill := func(f *patientForm) {
		test.Type(f.givenName, "Ada")
		test.Type(f.familyName, "Lovelace")
		f.sex.SetSelected("Female")
		test.Type(f.birthDate, "1985-12-10")
		test.Type(f.phone, "+30 690 1234567")
	}

	t.Run("RequiredFields", func(t *testing.T) {
		h, _, f := setup(t)
		steps := []struct {
			field string
			fill  func()
		}{
			{"given_name", func() { test.Type(f.givenName, "Ada") }},
			{"family_name", func() { test.Type(f.familyName, "Lovelace") }},
			{"sex", func() { f.sex.SetSelected("Female") }},
			{"birth_date", func() { test.Type(f.birthDate, "1985-12-10") }},
		}
		for _, st := range steps {
			test.Tap(f.save)
			h.settle()
			if f.errs.text(st.field) == "" {
				t.Errorf("no message next to %s; window shows %q", st.field, h.texts())
			}
			st.fill()
		}
		if h.called("FindDuplicates")+h.called("CreatePatient") != 0 {
			t.Error("an incomplete form reached the service")
		}
	})

	t.Run("MalformedDate", func(t *testing.T) {
		h, _, f := setup(t)
		fill(f)
		f.birthDate.SetText("10/12/1985")
		test.Tap(f.save)
		h.settle()
		if !strings.Contains(f.errs.text("birth_date"), "YYYY-MM-DD") {
			t.Errorf("birth date message = %q", f.errs.text("birth_date"))
		}
	})

	// A name carrying a control or bidirectional character (pasted from
	// elsewhere) is refused next to its field, before any service call.
	t.Run("RefusedCharacters", func(t *testing.T) {
		for field, bad := range map[string]string{"given_name": "Ada\u202Egpj.exe", "family_name": "Love\x1b[2Jlace",
			"phone": "+30 690\x00 1234567"} {
			h, _, f := setup(t)
			fill(f)
			map[string]*escEntry{"given_name": f.givenName, "family_name": f.familyName, "phone": f.phone}[field].SetText(bad)
			test.Tap(f.save)
			h.settle()
			if msg := f.errs.text(field); !strings.Contains(msg, "character") {
				t.Errorf("%s %q: message %q; window shows %q", field, bad, msg, h.texts())
			}
			if h.called("FindDuplicates")+h.called("CreatePatient") != 0 {
				t.Errorf("%s %q reached the service", field, bad)
			}
		}
	})

	t.Run("ServiceErrorNextToField", func(t *testing.T) {
		h, _, f := setup(t)
		h.patients.FindDuplicatesFn = func(context.Context, app.PatientCreate) ([]*app.Duplicate, error) { return nil, nil }
		h.patients.CreatePatientFn = func(context.Context, app.PatientCreate) (*app.Patient, error) {
			return nil, app.FieldErrorf("email", "That e-mail address belongs to another patient.")
		}
		fill(f)
		test.Tap(f.save)
		h.waitFor("the e-mail message", func() bool { return f.errs.text("email") != "" })
	})

	t.Run("NoDuplicate", func(t *testing.T) {
		h, s, f := setup(t)
		h.patients.FindDuplicatesFn = func(ctx context.Context, c app.PatientCreate) ([]*app.Duplicate, error) {
			h.record("FindDuplicates", ctx, c)
			return nil, nil
		}
		h.patients.CreatePatientFn = func(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
			h.record("CreatePatient", ctx, c)
			return &app.Patient{ID: "p-new", MRN: "P-D1-000123", GivenName: c.GivenName, FamilyName: c.FamilyName,
				Sex: c.Sex, BirthDate: c.BirthDate}, nil
		}
		// Reception reads no clinical record: the chart loads the demographics.
		h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
			h.record("FindPatientByID", ctx, id)
			return &app.Patient{ID: id, MRN: "P-D1-000123", GivenName: "Ada", FamilyName: "Lovelace"}, nil
		}
		fill(f)
		f.bloodGroup.SetSelected("A+")
		test.Tap(f.save)
		h.waitFor("the new chart", func() bool { return s.chart != nil && s.chart.name.Text == "Ada Lovelace" })
		got := h.callsOf("CreatePatient")
		if len(got) != 1 {
			t.Fatalf("CreatePatient calls = %v", got)
		}
		c := got[0].(app.PatientCreate)
		if c.GivenName != "Ada" || c.FamilyName != "Lovelace" || c.Sex != app.SexFemale || c.BirthDate != "1985-12-10" || c.BloodGroup != "A+" {
			t.Errorf("created %+v", c)
		}
		if got := h.callsOf("FindPatientByID"); len(got) != 1 || got[0] != "p-new" {
			t.Errorf("opened chart of %v", got)
		}
	})

	dupSetup := func(t *testing.T) (*clinicHarness, *patientsScreen, *patientForm) {
		h, s, f := setup(t)
		h.patients.FindDuplicatesFn = func(ctx context.Context, c app.PatientCreate) ([]*app.Duplicate, error) {
			h.record("FindDuplicates", ctx, c)
			return []*app.Duplicate{{Patient: &app.Patient{ID: "p-old", MRN: "P-D1-000007", GivenName: "Ada", FamilyName: "Lovelace",
				BirthDate: "1985-12-10"}, Reason: "same name and date of birth"}}, nil
		}
		h.patients.CreatePatientFn = func(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
			h.record("CreatePatient", ctx, c)
			return &app.Patient{ID: "p-new", MRN: "P-D1-000123", GivenName: "Ada", FamilyName: "Lovelace"}, nil
		}
		h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
			h.record("FindPatientByID", ctx, id)
			return &app.Patient{ID: id, MRN: "P-D1-000007", GivenName: "Ada", FamilyName: "Lovelace"}, nil
		}
		fill(f)
		test.Tap(f.save)
		h.waitFor("the duplicate warning", func() bool { return f.dups != nil })
		if !h.shows("Same name and date of birth") || !h.shows("P-D1-000007") {
			t.Errorf("warning does not show the duplicate and reason: %q", h.texts())
		}
		return h, s, f
	}

	t.Run("DuplicateOpenExisting", func(t *testing.T) {
		h, s, f := dupSetup(t)
		test.Tap(listRows(f.dups.list)[0].actions[0])
		h.waitFor("the existing chart", func() bool { return s.chart != nil && h.called("FindPatientByID") == 1 })
		if h.callsOf("FindPatientByID")[0] != "p-old" {
			t.Errorf("opened %v, want the existing p-old", h.callsOf("FindPatientByID"))
		}
		h.settle()
		if h.called("CreatePatient") != 0 {
			t.Error("registered although the existing record was opened")
		}
	})

	t.Run("DuplicateRegisterAnyway", func(t *testing.T) {
		h, s, f := dupSetup(t)
		test.Tap(f.dups.anyway)
		h.waitFor("the registration", func() bool { return h.called("CreatePatient") == 1 })
		h.waitFor("the new chart", func() bool { return s.chart != nil && h.called("FindPatientByID") == 1 })
		if h.callsOf("FindPatientByID")[0] != "p-new" {
			t.Errorf("opened %v, want p-new", h.callsOf("FindPatientByID"))
		}
	})
}

func TestEditPatient(t *testing.T) {
	h := newClinicHarness(t)
	c := h.openChartOf(app.RoleNurse)
	h.patients.UpdatePatientFn = func(ctx context.Context, id string, u app.PatientUpdate) (*app.Patient, error) {
		h.record("UpdatePatient", ctx, u)
		p := grace()
		p.Phone = *u.Phone
		return p, nil
	}
	test.Tap(c.edit)
	f := c.form
	if f == nil || f.givenName.Text != "Grace" || f.birthDate.Text != "1956-12-09" || f.bloodGroup.Selected != "O+" {
		t.Fatalf("edit form not filled: %+v", f)
	}
	f.phone.SetText("+30 690 9999999")
	test.Tap(f.save)
	h.waitFor("the update", func() bool { return h.called("UpdatePatient") == 1 })
	u := h.callsOf("UpdatePatient")[0].(app.PatientUpdate)
	if u.Phone == nil || *u.Phone != "+306909999999" && *u.Phone != "+30 690 9999999" {
		t.Errorf("phone update = %v", u.Phone)
	}
	if u.GivenName != nil || u.BirthDate != nil || u.Sex != nil || u.BloodGroup != nil {
		t.Errorf("unchanged fields sent: %+v", u)
	}
}

func TestPatientSearch(t *testing.T) {
	t.Run("NewestOnOpen", func(t *testing.T) {
		h := newClinicHarness(t)
		h.servePatients(samplePatients(3, 1), 50)
		h.loginAs(user(app.RoleReception))
		if h.u.main.patients == nil {
			h.openArea(app.AreaPatients)
		}
		s := h.u.main.patients
		h.waitFor("the most recent patients", func() bool { return len(s.patients) == 3 })
		if f := h.callsOf("FindPatients")[0].(app.PatientFilter); f.Query != "" || f.IncludeArchived {
			t.Errorf("filter = %+v", f)
		}
	})

	t.Run("EveryKeystrokeAndPaged", func(t *testing.T) {
		h := newClinicHarness(t)
		h.servePatients(samplePatients(120, 1), 50)
		s := h.openPatients(app.RoleReception)
		// No wait after typing: each keystroke searches at once, so the
		// results of "fam" are there without any timer running.
		test.Type(s.query, "fam")
		h.waitFor("the searches", func() bool { return h.called("FindPatients") == 3 })
		h.settle()
		calls := h.callsOf("FindPatients")
		if len(calls) != 3 {
			t.Fatalf("%d searches for three keystrokes, want 3: %v", len(calls), calls)
		}
		var queries []string
		for _, c := range calls {
			f := c.(app.PatientFilter)
			if f.Cursor != "" || f.Limit != patientPageSize {
				t.Errorf("filter = %+v", f)
			}
			queries = append(queries, f.Query)
		}
		if slices.Sort(queries); !slices.Equal(queries, []string{"f", "fa", "fam"}) {
			t.Errorf("queries %q, want one per keystroke", queries)
		}
		h.settle()
		h.mu.Lock()
		delete(h.calls, "FindPatients")
		h.mu.Unlock()
		if !strings.Contains(s.status.Text, "scroll for more") {
			t.Errorf("status = %q", s.status.Text)
		}
		// Scrolling near the end asks for the next page with the cursor.
		s.list.ScrollToBottom()
		h.waitFor("the second page", func() bool { return len(s.patients) == 100 })
		calls = h.callsOf("FindPatients")
		if f := calls[0].(app.PatientFilter); f.Query != "fam" || f.Cursor != "c50" {
			t.Errorf("second filter = %+v", f)
		}
		s.list.ScrollToBottom()
		h.waitFor("the last page", func() bool { return len(s.patients) == 120 })
		h.settle()
		if n := h.called("FindPatients"); n != 2 {
			t.Errorf("%d calls for the next pages, want 2", n)
		}
		if s.status.Text != "120 patients." {
			t.Errorf("status = %q", s.status.Text)
		}
		s.list.ScrollToBottom()
		if !h.shows("Family120") {
			t.Error("last patient not shown")
		}
	})

	t.Run("StaleResultsDropped", func(t *testing.T) {
		h := newClinicHarness(t)
		release := make(chan struct{})
		var once sync.Once
		h.patients.FindPatientsFn = func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
			h.record("FindPatients", ctx, f)
			if f.Query == "g" {
				<-release // the first, slow answer
				return &app.PatientPage{Patients: samplePatients(5, 1)}, nil
			}
			return &app.PatientPage{Patients: []*app.Patient{grace()}}, nil
		}
		defer once.Do(func() { close(release) })
		s := h.openPatients(app.RoleReception)
		test.Type(s.query, "g")
		h.waitFor("the first search", func() bool { return h.called("FindPatients") == 1 })
		test.Type(s.query, "race")
		h.waitFor("the second search", func() bool { return len(s.patients) == 1 })
		once.Do(func() { close(release) })
		h.settle()
		h.settle()
		if len(s.patients) != 1 || s.patients[0].ID != "p-1" {
			t.Errorf("a stale answer replaced the newer one: %d patients", len(s.patients))
		}
	})

	t.Run("RowsAndArchived", func(t *testing.T) {
		h := newClinicHarness(t)
		old := samplePatients(1, 9)[0]
		old.ArchivedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		h.servePatients([]*app.Patient{grace(), old}, 50)
		s := h.openPatients(app.RoleAdmin)
		if s.showArchived == nil {
			t.Fatal("no Show archived for admins")
		}
		s.showArchived.SetChecked(true)
		h.waitFor("the search", func() bool { return h.called("FindPatients") >= 1 })
		h.waitFor("the results", func() bool { return len(s.patients) == 2 })
		if f := h.callsOf("FindPatients")[0].(app.PatientFilter); !f.IncludeArchived {
			t.Errorf("filter = %+v", f)
		}
		for _, want := range []string{"Grace Hopper", "P-D1-000001", "1956-12-09", "Female", "+30 690 0000001", "Given Family9 — archived"} {
			if !h.shows(want) {
				t.Errorf("results do not show %q", want)
			}
		}
		var archivedRow *widget.Label
		walk(s.list, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.HasSuffix(l.Text, "archived") {
				archivedRow = l
			}
		})
		if archivedRow == nil || archivedRow.Importance != widget.LowImportance {
			t.Error("archived row not greyed")
		}
	})

	t.Run("ActionsByRole", func(t *testing.T) {
		for _, role := range []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling} {
			h := newClinicHarness(t)
			s := h.openPatients(role)
			if (s.register != nil) != app.Can(role, app.PermRegisterPatient) {
				t.Errorf("%s: Register shown = %v", role, s.register != nil)
			}
			if (s.exportCSV != nil) != app.Can(role, app.PermExportPatients) {
				t.Errorf("%s: Export shown = %v", role, s.exportCSV != nil)
			}
			if (s.showArchived != nil) != (role == app.RoleAdmin) {
				t.Errorf("%s: Show archived shown = %v", role, s.showArchived != nil)
			}
			if (s.mine != nil) != (role == app.RoleDoctor) {
				t.Errorf("%s: My patients shown = %v", role, s.mine != nil)
			}
		}
	})

	t.Run("MyPatients", func(t *testing.T) {
		h := newClinicHarness(t)
		h.clinical.MyPatientsFn = func(ctx context.Context) ([]*app.Patient, error) {
			h.record("MyPatients", ctx, nil)
			return append([]*app.Patient{grace()}, samplePatients(2, 1)...), nil
		}
		s := h.openPatients(app.RoleDoctor)
		s.mine.SetChecked(true)
		h.waitFor("my patients", func() bool { return len(s.patients) == 3 })
		test.Type(s.query, "hop")
		h.waitFor("the filtered list", func() bool { return len(s.patients) == 1 })
		if s.patients[0].ID != "p-1" || h.called("FindPatients") != 0 {
			t.Errorf("filtered to %v; FindPatients called %d times", s.patients[0].ID, h.called("FindPatients"))
		}
	})

	t.Run("Export", func(t *testing.T) {
		h := newClinicHarness(t)
		h.patients.ExportPatientsFn = func(ctx context.Context, w io.Writer) (int, error) {
			h.record("ExportPatients", ctx, nil)
			fmt.Fprint(w, "mrn,given_name\nP-D1-000001,Grace\n")
			return 1, nil
		}
		s := h.openPatients(app.RoleAdmin)
		w := &memWriter{uri: storage.NewFileURI("/home/desk/patients.csv")}
		s.onExportFile(w, nil)
		h.waitFor("the export", func() bool { return h.shows("Exported 1 patients to patients.csv") })
		if !w.closed || !strings.Contains(w.String(), "P-D1-000001,Grace") {
			t.Errorf("file closed=%v content=%q", w.closed, w.String())
		}
		s.onExportFile(nil, nil) // cancelled: nothing happens
		h.settle()
		if h.called("ExportPatients") != 1 {
			t.Error("a cancelled dialog exported")
		}
	})
}

func TestPatientSearchAfterLock(t *testing.T) {
	h := newClinicHarness(t)
	h.servePatients(samplePatients(3, 1), 50)
	s := h.openPatients(app.RoleReception)
	test.Type(s.query, "fam")
	h.u.lockNow() // before the answers come back
	h.settle()
	if h.shows("Family1") {
		t.Error("patient data on the lock screen")
	}
}
