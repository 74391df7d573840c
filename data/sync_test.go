package data_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync/hlc"
)

// syncedTable is how a table syncs (data/synctables.go); ok is false for
// a table that does not.
func syncedTable(name string) (data.SyncedTable, bool) { return data.FindSyncedTable(name) }

// deskOwn are a synced table's columns that no outbox row carries: the
// desk's own, and its blob, which travels beside the row.
func deskOwn(t data.SyncedTable) []string {
	own := slices.Clone(t.Local)
	if t.Blob != "" {
		own = append(own, t.Blob)
	}
	return own
}

// unchangeable are the events migrations 0001-0006 refuse only under a
// condition that leaves nothing to send.
var unchangeable = map[string]string{
	"reports UPDATE": "only server_seq may change, set by the sync itself",
	// Migration 0190: a plan's message takes the server's subject and
	// body while pulled changes are applied (every desk then holds the
	// server's copy), and changes in no other way.
	"messages UPDATE": "only a plan's message's subject and body, to the server's copy, by the sync itself",
}

type tableInfo struct {
	kind    string // table, virtual
	columns []string
}

func schemaTables(t *testing.T, raw *sql.DB) map[string]tableInfo {
	t.Helper()
	rows, err := raw.Query(`SELECT name, type FROM pragma_table_list WHERE schema = 'main'
		AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]tableInfo{}
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			t.Fatal(err)
		}
		out[name] = tableInfo{kind: kind}
	}
	rows.Close()
	for name, ti := range out {
		cols, err := raw.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			t.Fatal(err)
		}
		for cols.Next() {
			var c string
			cols.Scan(&c)
			ti.columns = append(ti.columns, c)
		}
		cols.Close()
		out[name] = ti
	}
	return out
}

type trigger struct{ name, table, sql string }

func schemaTriggers(t *testing.T, raw *sql.DB) []trigger {
	t.Helper()
	rows, err := raw.Query(`SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []trigger
	for rows.Next() {
		var tr trigger
		if err := rows.Scan(&tr.name, &tr.table, &tr.sql); err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	return out
}

var (
	triggerEvent = regexp.MustCompile(
		`(?is)^CREATE TRIGGER\s+\S+\s+(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)(?:\s+OF\s+(.*?))?\s+ON\s+\S+\s*(WHEN\s.*?)?\s*BEGIN\b`)
	listSeparator = regexp.MustCompile(`\s*,\s*`)
)

// TestEveryTableSyncsOrSaysWhy: every table is either synced, with an
// outbox trigger for each change it allows, or on the list of local tables
// with the reason; and the update triggers watch every synced column.
func TestEveryTableSyncsOrSaysWhy(t *testing.T) {
	db := MustOpenDB(t, nil)
	raw := rawDB(t, db)
	tables := schemaTables(t, raw)
	localTables := data.LocalTables()
	for name, ti := range tables {
		spec, synced := syncedTable(name)
		_, local := localTables[name]
		switch {
		case synced && local:
			t.Errorf("%s is both synced and local", name)
		case !synced && !local:
			t.Errorf("table %s is new: sync it (outbox triggers in a migration, and data/synctables.go's syncedTables) or add it to localTables there with the reason", name)
		case synced && ti.kind != "table":
			t.Errorf("%s is a %s table", name, ti.kind)
		case synced:
			named := append(append(deskOwn(spec), spec.Copies...), spec.KeyColumns()...)
			if spec.Number != "" {
				named = append(named, spec.Number)
			}
			for _, c := range named {
				if !slices.Contains(ti.columns, c) {
					t.Errorf("%s has no column %s", name, c)
				}
			}
		}
	}
	for _, st := range data.SyncedTables() {
		if _, ok := tables[st.Name]; !ok {
			t.Errorf("synced table %s does not exist", st.Name)
		}
	}

	// Which events each table has an outbox trigger for, or refuses.
	outboxed, refused := map[string]string{}, map[string]bool{}
	for _, tr := range schemaTriggers(t, raw) {
		m := triggerEvent.FindStringSubmatch(tr.sql)
		if m == nil {
			t.Fatalf("cannot read trigger %s", tr.name)
		}
		when, event, of := strings.ToUpper(m[1]), strings.ToUpper(m[2]), m[3]
		key := tr.table + " " + event
		writesOutbox := strings.Contains(tr.sql, "INSERT INTO outbox")
		if writesOutbox {
			if _, ok := syncedTable(tr.table); !ok {
				t.Errorf("%s writes the outbox for %s, which is local", tr.name, tr.table)
			}
			if when != "AFTER" || !strings.Contains(m[4], "hms_tx_hlc()") {
				t.Errorf("%s must run AFTER the change, and only while hms_tx_hlc() is set", tr.name)
			}
			if outboxed[key] != "" {
				t.Errorf("%s and %s both write the outbox on %s", outboxed[key], tr.name, key)
			}
			outboxed[key] = tr.name
			if event == "UPDATE" {
				checkUpdateColumns(t, tr, of, tables[tr.table].columns)
			}
		}
		if when == "BEFORE" && m[3] == "" && m[4] == "" && strings.Contains(tr.sql, "RAISE(ABORT") {
			refused[key] = true
		}
	}
	for _, st := range data.SyncedTables() {
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			key := st.Name + " " + event
			if outboxed[key] != "" || (event != "INSERT" && refused[key]) || unchangeable[key] != "" {
				continue
			}
			t.Errorf("%s: no outbox trigger, and the table does not refuse it", key)
		}
	}
}

// checkUpdateColumns: an update trigger watches every column that syncs,
// so that a column added later cannot change unseen.
func checkUpdateColumns(t *testing.T, tr trigger, of string, columns []string) {
	t.Helper()
	spec, _ := syncedTable(tr.table)
	var synced []string
	for _, c := range columns {
		if !slices.Contains(spec.KeyColumns(), c) && !slices.Contains(deskOwn(spec), c) && !slices.Contains(spec.Copies, c) {
			synced = append(synced, c)
		}
	}
	watched := listSeparator.Split(strings.TrimSpace(of), -1)
	slices.Sort(watched)
	slices.Sort(synced)
	if !slices.Equal(watched, synced) {
		t.Errorf("%s watches %v, want the synced columns but the key: %v", tr.name, watched, synced)
	}
}

// outboxFixture is a set-up clinic whose outbox a test reads step by step.
type outboxFixture struct {
	*clinic
	t       *testing.T
	seen    int64 // the last outbox seq read
	lastHLC hlc.Timestamp
}

func newOutboxFixture(t *testing.T) *outboxFixture {
	t.Helper()
	f := &outboxFixture{clinic: mustSetup(t), t: t}
	ops := f.read(0)
	if len(ops) == 0 {
		t.Fatal("setting the clinic up wrote no outbox rows")
	}
	f.seen, f.lastHLC = ops[len(ops)-1].Seq, ops[len(ops)-1].HLC
	return f
}

func (f *outboxFixture) read(after int64) []hlc.Op {
	f.t.Helper()
	ops, err := f.db.PendingOps(context.Background(), after, 1_000_000)
	if err != nil {
		f.t.Fatal(err)
	}
	return ops
}

// opWant is an operation a step must write; an empty rowID is any row.
type opWant struct {
	entity, rowID string
	kind          hlc.Kind
}

// step runs one service call (one transaction) a second after the last
// and returns the outbox rows it wrote, checking that there are some, that
// they carry one clock reading after every earlier one, and that they
// include want.
func (f *outboxFixture) step(name string, do func() error, want ...func() opWant) []hlc.Op {
	f.t.Helper()
	f.clock.Add(time.Second)
	if err := do(); err != nil {
		f.t.Fatalf("%s: %v", name, err)
	}
	ops := f.read(f.seen)
	if len(ops) == 0 {
		f.t.Fatalf("%s wrote no outbox rows", name)
	}
	reading := ops[0].HLC
	if !f.lastHLC.Before(reading) {
		f.t.Fatalf("%s: clock reading %s is not after the previous write's %s", name, reading, f.lastHLC)
	}
	if reading.Site != f.db.SiteID() || f.db.Clock().Last().Before(reading) {
		f.t.Fatalf("%s: reading %s is not this desk's clock's (site %s, last %s)", name, reading, f.db.SiteID(), f.db.Clock().Last())
	}
	for _, op := range ops {
		if op.HLC != reading {
			f.t.Fatalf("%s: one transaction, two clock readings: %s and %s", name, reading, op.HLC)
		}
		if !isUUIDv7OfNow(op.ID) {
			f.t.Fatalf("%s: op id %q is not a UUIDv7 of now", name, op.ID)
		}
	}
	for _, w := range want {
		w := w()
		if !slices.ContainsFunc(ops, func(op hlc.Op) bool {
			return op.Entity == w.entity && op.Kind == w.kind && (w.rowID == "" || op.RowID == w.rowID)
		}) {
			f.t.Fatalf("%s: no %s of %s %s among %s", name, w.kind, w.entity, w.rowID, describeOps(ops))
		}
	}
	f.seen, f.lastHLC = ops[len(ops)-1].Seq, reading
	return ops
}

func isUUIDv7OfNow(s string) bool {
	id, err := uuid.Parse(s)
	if err != nil || id.Version() != 7 || id.Variant() != uuid.RFC4122 || id.String() != s {
		return false
	}
	sec, nsec := id.Time().UnixTime()
	return time.Since(time.Unix(sec, nsec)).Abs() < time.Minute
}

func describeOps(ops []hlc.Op) string {
	var parts []string
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%s %s %s", op.Kind, op.Entity, op.RowID))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

func want(entity string, kind hlc.Kind, rowID *string) func() opWant {
	return func() opWant {
		w := opWant{entity: entity, kind: kind}
		if rowID != nil {
			w.rowID = *rowID
		}
		return w
	}
}

func payloadOf(t *testing.T, ops []hlc.Op, entity string, kind hlc.Kind, rowID string) map[string]any {
	t.Helper()
	for _, op := range ops {
		if op.Entity == entity && op.Kind == kind && op.RowID == rowID {
			var m map[string]any
			if err := json.Unmarshal(op.Payload, &m); err != nil {
				t.Fatalf("%s %s payload %s: %v", kind, entity, op.Payload, err)
			}
			return m
		}
	}
	t.Fatalf("no %s of %s %s among %s", kind, entity, rowID, describeOps(ops))
	return nil
}

// fieldClocks reads the clocks of a record's fields, by field.
func fieldClocks(t *testing.T, db *data.DB, entity, rowID string) map[string]string {
	t.Helper()
	rows, err := rawDB(t, db).Query(`SELECT field, hlc, site_id FROM field_clock WHERE entity = ? AND row_id = ?`, entity, rowID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var field, stamp, site string
		if err := rows.Scan(&field, &stamp, &site); err != nil {
			t.Fatal(err)
		}
		if ts, err := hlc.Parse(stamp); err != nil || ts.Site != site {
			t.Fatalf("field clock %s.%s: %q of site %s (%v)", entity, field, stamp, site, err)
		}
		out[field] = stamp
	}
	return out
}

// TestOutboxFollowsEveryServiceWrite walks the clinic through a write to
// every synced table, one service call at a time: each call leaves its
// outbox rows, stamped with one clock reading after the previous call's;
// inserts carry every synced column, updates only what changed, and the
// editable records' changed fields get their clocks.
func TestOutboxFollowsEveryServiceWrite(t *testing.T) {
	f := newOutboxFixture(t)
	svc := f.svc
	admin, doctor, billing := f.ctx(app.RoleAdmin), f.ctx(app.RoleDoctor), f.ctx(app.RoleBilling)
	doctorID := f.users[app.RoleDoctor].ID
	var (
		patient                           *app.Patient
		allergy, problem, rx, asg, rep    string
		exception, appt, inv, line2, paid string
		refund                            string
	)
	var patientID string

	f.step("CreatePatient", func() (err error) {
		patient, err = svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: "Ada", FamilyName: "Lovelace",
			Sex: app.SexFemale, BirthDate: "1985-12-10", Phone: "+30 210 555 0199"})
		if patient != nil {
			patientID = patient.ID
		}
		return err
	}, want("patients", hlc.KindInsert, &patientID), want("patient_events", hlc.KindInsert, nil))

	phone, notes := "+30 210 555 0777", "Prefers mornings"
	ops := f.step("UpdatePatient", func() error {
		_, err := svc.Patients.UpdatePatient(admin, patient.ID, app.PatientUpdate{Phone: &phone, Notes: &notes})
		return err
	}, want("patients", hlc.KindUpdate, &patientID), want("patient_changes", hlc.KindInsert, nil),
		want("patient_events", hlc.KindInsert, nil))
	changed := payloadOf(t, ops, "patients", hlc.KindUpdate, patient.ID)
	if len(changed) != 3 || changed["phone"] != phone || changed["notes"] != notes || changed["updated_at"] == nil {
		t.Fatalf("a patient update carries the changed fields only: %v", changed)
	}
	clocks := fieldClocks(t, f.db, "patients", patient.ID)
	if len(clocks) != 2 || clocks["phone"] != ops[0].HLC.String() || clocks["notes"] != ops[0].HLC.String() {
		t.Fatalf("field clocks after the update: %v, want phone and notes at %s", clocks, ops[0].HLC)
	}

	f.step("RecordNoKnownAllergies", func() error {
		_, err := svc.Clinical.RecordNoKnownAllergies(doctor, patient.ID)
		return err
	}, want("allergy_statements", hlc.KindInsert, nil))
	f.step("AddAllergy", func() error {
		a, err := svc.Clinical.AddAllergy(doctor, app.AllergyCreate{PatientID: patient.ID, Substance: "Latex", Severity: app.SeverityMild})
		if a != nil {
			allergy = a.ID
		}
		return err
	}, want("allergies", hlc.KindInsert, &allergy))
	f.step("RemoveAllergy", func() error { return svc.Clinical.RemoveAllergy(doctor, allergy, "entered in error") },
		want("allergies", hlc.KindUpdate, &allergy))
	f.step("ImportLocalDrugs", func() error {
		_, err := svc.Drugs.ImportLocalDrugs(admin, []app.LocalDrugRow{{Line: 2, LocalDrug: app.LocalDrug{
			Kind: app.LocalBrand, Name: "Amoxi-Outbox", Substances: []string{"amoxicillin"}}}})
		return err
	}, want("local_drugs", hlc.KindInsert, nil))
	f.step("AddProblem", func() error {
		p, err := svc.Clinical.AddProblem(doctor, app.ProblemCreate{PatientID: patient.ID, Condition: "Migraine"})
		if p != nil {
			problem = p.ID
		}
		return err
	}, want("problems", hlc.KindInsert, &problem))
	f.step("ResolveProblem", func() error { _, err := svc.Clinical.ResolveProblem(doctor, problem, "2026-11-20"); return err },
		want("problems", hlc.KindUpdate, &problem))
	f.step("RecordVitals", func() error {
		_, err := svc.Clinical.RecordVitals(doctor, app.Vitals{PatientID: patient.ID, Pulse: 64, TemperatureC: 36.6})
		return err
	}, want("vitals", hlc.KindInsert, nil))
	f.step("AddNote", func() error {
		_, err := svc.Clinical.AddNote(doctor, app.NoteCreate{PatientID: patient.ID, Kind: app.NoteClinical, Text: "Seen."})
		return err
	}, want("notes", hlc.KindInsert, nil))
	f.step("Prescribe", func() error {
		p, err := svc.Clinical.Prescribe(doctor, app.PrescriptionCreate{PatientID: patient.ID,
			Items: []app.PrescriptionItem{{Drug: "Ibuprofen", Dose: "400 mg"}}})
		if p != nil {
			rx = p.ID
		}
		return err
	}, want("prescriptions", hlc.KindInsert, &rx), want("prescription_items", hlc.KindInsert, nil),
		want("prescription_status_events", hlc.KindInsert, nil))
	f.step("CancelPrescription", func() error { _, err := svc.Clinical.CancelPrescription(doctor, rx, "wrong drug"); return err },
		want("prescription_status_events", hlc.KindInsert, nil))
	f.step("AssignDoctor", func() error {
		a, err := svc.Clinical.AssignDoctor(doctor, app.AssignmentCreate{PatientID: patient.ID, DoctorID: doctorID,
			Reason: "Headaches", StartDate: "2026-11-01"})
		if a != nil {
			asg = a.ID
		}
		return err
	}, want("assignments", hlc.KindInsert, &asg))
	f.step("EndAssignment", func() error { _, err := svc.Clinical.EndAssignment(doctor, asg, app.AssignmentCompleted); return err },
		want("assignments", hlc.KindUpdate, &asg))
	ops = f.step("AttachFile", func() error {
		r, err := svc.Attachments.AttachFile(doctor, app.AttachmentCreate{PatientID: patient.ID, Title: "Full blood count",
			Type: app.AttachmentLab, Date: "2026-11-20", FileName: "cbc.pdf", Content: reportPDF})
		if r != nil {
			rep = r.ID
		}
		return err
	}, want("reports", hlc.KindInsert, &rep), want("report_files", hlc.KindInsert, &rep))
	if file := payloadOf(t, ops, "report_files", hlc.KindInsert, rep); len(file) != 1 || file["report_id"] != rep {
		t.Fatalf("a report file's outbox row names it and leaves its content in its table: %v", file)
	}

	f.step("SetDoctorProfile", func() error {
		_, err := svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: doctorID, Specialization: "Neurology",
			Room: "2", VisitMinutes: 20})
		return err
	}, want("doctor_profiles", hlc.KindInsert, nil))
	ops = f.step("SetDoctorProfile again", func() error {
		_, err := svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: doctorID, Specialization: "Neurology",
			Room: "3", VisitMinutes: 20})
		return err
	}, want("doctor_profiles", hlc.KindUpdate, nil))
	profile := ops[slices.IndexFunc(ops, func(op hlc.Op) bool { return op.Entity == "doctor_profiles" })].RowID
	if clocks := fieldClocks(t, f.db, "doctor_profiles", profile); len(clocks) != 1 || clocks["room"] == "" {
		t.Fatalf("doctor profile field clocks: %v, want the room's", clocks)
	}
	f.step("SetAvailability", func() error {
		_, err := svc.Appointments.SetAvailability(admin, doctorID, weekdayHours)
		return err
	}, want("availability", hlc.KindInsert, nil))
	f.step("SetAvailability again", func() error {
		_, err := svc.Appointments.SetAvailability(admin, doctorID, weekdayHours[:2])
		return err
	}, want("availability", hlc.KindUpdate, nil), want("availability", hlc.KindInsert, nil))
	f.step("AddAvailabilityException", func() error {
		e, err := svc.Appointments.AddAvailabilityException(admin, app.AvailabilityException{DoctorID: doctorID,
			Date: "2026-12-24", Kind: app.ExceptionLeave, Reason: "Holiday"})
		if e != nil {
			exception = e.ID
		}
		return err
	}, want("availability_exceptions", hlc.KindInsert, &exception))
	f.step("RemoveAvailabilityException", func() error {
		return svc.Appointments.RemoveAvailabilityException(admin, exception)
	}, want("availability_exceptions", hlc.KindUpdate, &exception))
	f.step("Book", func() error {
		a, err := svc.Appointments.Book(f.ctx(app.RoleReception), app.AppointmentCreate{PatientID: patient.ID,
			DoctorID: doctorID, Start: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Reason: "Review"})
		if a != nil {
			appt = a.ID
		}
		return err
	}, want("appointments", hlc.KindInsert, &appt), want("appointment_events", hlc.KindInsert, nil))
	ops = f.step("Cancel", func() error {
		_, err := svc.Appointments.Cancel(f.ctx(app.RoleReception), appt, "Patient called")
		return err
	}, want("appointments", hlc.KindUpdate, &appt), want("appointment_events", hlc.KindInsert, nil))
	if moved := payloadOf(t, ops, "appointments", hlc.KindUpdate, appt); moved["status"] != "cancelled" ||
		moved["cancel_reason"] != "Patient called" || moved["checked_in_at"] != nil || len(moved) != 3 {
		t.Fatalf("a cancellation carries the status, the reason and updated_at: %v", moved)
	}
	// Appointment messages: the settings (a signed clinic setting), a
	// consent, a booking that queues its messages as one plan, a
	// cancellation that writes the plan's messages out and drops them.
	messageSettings := "message_settings"
	f.step("SetMessageSettings", func() error {
		_, err := svc.Messages.SetMessageSettings(admin, app.MessageSettings{Enabled: true,
			ReminderOffsets: app.DefaultReminderOffsets, SMS: app.SMSGateway{URL: "https://sms.example.org/send", Body: "{text}"}})
		return err
	}, want("settings", hlc.KindInsert, &messageSettings))
	f.step("SetMessageConsent", func() error {
		_, err := svc.Messages.SetMessageConsent(f.ctx(app.RoleReception), patient.ID, app.ChannelSMS, true)
		return err
	}, want("message_consents", hlc.KindInsert, nil))
	var reminded string
	f.step("Book with messages", func() error {
		a, err := svc.Appointments.Book(f.ctx(app.RoleReception), app.AppointmentCreate{PatientID: patient.ID,
			DoctorID: doctorID, Start: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Reason: "Review"})
		if a != nil {
			reminded = a.ID
		}
		return err
	}, want("appointments", hlc.KindInsert, &reminded), want("message_plans", hlc.KindInsert, nil))
	f.step("Cancel with messages", func() error {
		_, err := svc.Appointments.Cancel(f.ctx(app.RoleReception), reminded, "Patient called")
		return err
	}, want("appointments", hlc.KindUpdate, &reminded), want("messages", hlc.KindInsert, nil), want("message_attempts", hlc.KindInsert, nil))
	// The waiting room: a walk-in's token, and the doctor calling them.
	f.step("WalkIn with a token", func() error {
		_, err := svc.Appointments.WalkIn(f.ctx(app.RoleReception), patient.ID, doctorID, "Cough", "No hours today")
		return err
	}, want("appointments", hlc.KindInsert, nil), want("queue_tokens", hlc.KindInsert, nil))
	f.step("CallNext", func() error {
		_, err := svc.Queue.CallNext(doctor, doctorID, "Room 2")
		return err
	}, want("queue_calls", hlc.KindInsert, nil))
	ops = f.step("UpdatePatient name", func() error {
		name := "Augusta Ada"
		_, err := svc.Patients.UpdatePatient(admin, patient.ID, app.PatientUpdate{GivenName: &name})
		return err
	}, want("patients", hlc.KindUpdate, &patientID))
	if slices.ContainsFunc(ops, func(op hlc.Op) bool { return op.Entity == "appointments" }) {
		t.Fatalf("the name copied into appointments is each desk's own: %s", describeOps(ops))
	}

	var item *app.PriceItem
	f.step("CreatePriceItem", func() (err error) {
		item, err = svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "CONS", Name: "Consultation",
			Kind: app.PriceConsultation, Price: 5000})
		return err
	}, want("price_items", hlc.KindInsert, nil))
	f.step("CreateDraftInvoice", func() error {
		d, err := svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: patient.ID,
			Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 1}, {Description: "Dressing", Quantity: 1, UnitPrice: 300}}})
		if d != nil {
			inv, line2 = d.ID, d.Lines[1].ID
		}
		return err
	}, want("invoices", hlc.KindInsert, &inv), want("invoice_lines", hlc.KindInsert, &line2))
	f.step("UpdateLine", func() error {
		_, err := svc.Billing.UpdateLine(billing, line2, app.LineInput{Description: "Bandage", Quantity: 2, UnitPrice: 300})
		return err
	}, want("invoice_lines", hlc.KindUpdate, &line2))
	f.step("RemoveLine", func() error { _, err := svc.Billing.RemoveLine(billing, line2); return err },
		want("invoice_lines", hlc.KindDelete, &line2))
	f.step("IssueInvoice", func() error { _, err := svc.Billing.IssueInvoice(billing, inv); return err },
		want("invoices", hlc.KindUpdate, &inv))
	f.step("TakePayment", func() error {
		p, err := svc.Billing.TakePayment(billing, pay(inv, 5000))
		if p != nil {
			paid = p.ID
		}
		return err
	}, want("payments", hlc.KindInsert, &paid), want("invoices", hlc.KindUpdate, &inv),
		func() opWant {
			return opWant{entity: "payment_allocations", rowID: paid + "/" + inv, kind: hlc.KindInsert}
		})
	ops = f.step("ReceiptPDF", func() error { _, err := svc.Billing.ReceiptPDF(billing, paid, false); return err },
		want("receipts", hlc.KindInsert, &paid))
	if r := payloadOf(t, ops, "receipts", hlc.KindInsert, paid); r["pdf"] != nil || r["data"] == nil {
		t.Fatalf("a receipt's outbox row carries its data, not its PDF: %v", slices.Collect(maps.Keys(r)))
	}
	f.step("RefundPayment", func() error {
		p, err := svc.Billing.RefundPayment(billing, paid, "paid twice")
		if p != nil {
			refund = p.ID
		}
		return err
	}, want("payments", hlc.KindInsert, &refund), want("invoices", hlc.KindUpdate, &inv))
	f.step("VoidInvoice", func() error { _, err := svc.Billing.VoidInvoice(billing, inv, "wrong patient"); return err },
		want("credit_notes", hlc.KindInsert, nil), want("invoices", hlc.KindUpdate, &inv))
	cashUp := "cashup:D1:2026-11-25"
	till := app.CashUpInput{Day: "2026-11-25", OpeningFloat: 5000, Counts: []app.CashCount{{Denomination: 1000, Count: 5}}}
	f.step("SaveCashUp", func() error { _, err := svc.Billing.SaveCashUp(billing, till); return err },
		want("cashups", hlc.KindInsert, &cashUp))
	f.step("CloseCashUp", func() error { _, err := svc.Billing.CloseCashUp(billing, till); return err },
		want("cashups", hlc.KindUpdate, &cashUp))
	f.step("ReopenCashUp", func() error { _, err := svc.Billing.ReopenCashUp(admin, "", till.Day, "recount"); return err },
		want("cashups", hlc.KindUpdate, &cashUp))

	ops = f.step("UpdateSettings", func() error {
		s, err := svc.Settings.GetSettings(admin)
		if err != nil {
			return err
		}
		s.Phone = "+30 210 555 0100"
		_, err = svc.Settings.UpdateSettings(admin, *s, nil)
		return err
	}, func() opWant { return opWant{entity: "settings", rowID: "phone", kind: hlc.KindUpdate} })
	if s := payloadOf(t, ops, "settings", hlc.KindUpdate, "phone"); s["value"] != "+30 210 555 0100" {
		t.Fatalf("settings update: %v", s)
	}
	if clocks := fieldClocks(t, f.db, "settings", "phone"); clocks["value"] != ops[0].HLC.String() {
		t.Fatalf("setting's field clock %v, want %s", clocks, ops[0].HLC)
	}
	sickNote := "sick_note_template"
	f.step("UpdateLetterTemplates", func() error {
		_, err := svc.Settings.UpdateLetterTemplates(admin, app.LetterTemplates{SickNote: "{patient}: unfit from {from} to {to}."}, nil)
		return err
	}, want("settings", hlc.KindInsert, &sickNote))
	ops = f.step("ApproveUser", func() error { _, err := svc.Users.ApproveUser(admin, f.pending.ID); return err },
		want("users", hlc.KindUpdate, &f.pending.ID))
	if u := payloadOf(t, ops, "users", hlc.KindUpdate, f.pending.ID); u["status"] != "active" {
		t.Fatalf("approval: %v", u)
	}
	if clocks := fieldClocks(t, f.db, "users", f.pending.ID); clocks["status"] != ops[0].HLC.String() {
		t.Fatalf("user field clocks %v", clocks)
	}
	// A user's own screen language syncs like their name: unsigned (it
	// grants nothing), the changed field only, with its clock.
	nurseID := f.users[app.RoleNurse].ID
	ops = f.step("SetLanguage", func() error {
		_, err := svc.Users.SetLanguage(f.ctx(app.RoleNurse), nurseID, "el", nil)
		return err
	}, want("users", hlc.KindUpdate, &nurseID))
	if u := payloadOf(t, ops, "users", hlc.KindUpdate, nurseID); u["language"] != "el" || u["power_sig"] != nil {
		t.Fatalf("language change: %v", u)
	}
	if clocks := fieldClocks(t, f.db, "users", nurseID); clocks["language"] != ops[0].HLC.String() {
		t.Fatalf("user field clocks after the language change %v", clocks)
	}
	// The server flags two records as one patient registered twice; a desk
	// takes the flag in from the pull (no outbox row) and decides it here.
	var twin *app.Patient
	f.step("CreatePatient twice", func() (err error) {
		twin, err = svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: "Ada", FamilyName: "Lovelace",
			Sex: app.SexFemale, BirthDate: "1985-12-10"})
		return err
	}, want("patients", hlc.KindInsert, nil))
	flag := "0193a1b2-0000-7000-8000-00000000f1a9"
	if _, err := rawDB(t, f.db).Exec(`INSERT INTO patient_duplicates (id, patient_id, other_id, reason, detected_at, updated_at)
		VALUES (?, ?, ?, 'same name and date of birth', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z')`,
		flag, twin.ID, patient.ID); err != nil {
		t.Fatal(err)
	}
	if queued := f.read(f.seen); len(queued) != 0 {
		t.Fatalf("a flag taken in from the server queued %s", describeOps(queued))
	}
	ops = f.step("ResolveConflict (two people)", func() error {
		_, err := f.db.Conflicts().ResolveConflict(admin, flag, app.ResolutionKeep)
		return err
	}, want("patient_duplicates", hlc.KindUpdate, &flag))
	if d := payloadOf(t, ops, "patient_duplicates", hlc.KindUpdate, flag); d["resolution"] != "different" || d["resolved_by"] != "admin" {
		t.Fatalf("a decided flag: %v", d)
	}
	if clocks := fieldClocks(t, f.db, "patient_duplicates", flag); clocks["resolution"] != ops[0].HLC.String() {
		t.Fatalf("flag's field clocks %v", clocks)
	}
	var visitID, dxID string
	f.step("StartVisit", func() error {
		v, err := svc.Visits.StartVisit(doctor, app.VisitStart{PatientID: patient.ID})
		if v != nil {
			visitID = v.ID
		}
		return err
	}, want("visits", hlc.KindInsert, &visitID))
	f.step("AddDiagnosis", func() error {
		d, err := svc.Diagnoses.AddDiagnosis(doctor, app.DiagnosisCreate{PatientID: patient.ID, Code: "J06.9"})
		if d != nil {
			dxID = d.ID
		}
		return err
	}, want("diagnoses", hlc.KindInsert, &dxID), want("visit_records", hlc.KindInsert, nil))
	ops = f.step("LetterPDF", func() error {
		_, err := svc.Visits.LetterPDF(doctor, app.LetterRequest{PatientID: patient.ID, Kind: app.LetterReferral,
			Recipient: "ENT outpatients", Text: "Recurrent sinusitis."})
		return err
	}, want("letters", hlc.KindInsert, nil), want("patient_events", hlc.KindInsert, nil))
	letterAt := slices.IndexFunc(ops, func(op hlc.Op) bool { return op.Entity == "letters" })
	if l := payloadOf(t, ops, "letters", hlc.KindInsert, ops[letterAt].RowID); l["visit_id"] != visitID || l["recipient"] != "ENT outpatients" {
		t.Fatalf("letter: %v", l)
	}
	f.step("RemoveDiagnosis", func() error { _, err := svc.Diagnoses.RemoveDiagnosis(doctor, dxID, "wrong code"); return err },
		want("diagnoses", hlc.KindUpdate, &dxID))
	f.step("CompleteVisit", func() error { _, err := svc.Visits.CompleteVisit(doctor, visitID, nil); return err },
		want("visits", hlc.KindUpdate, &visitID), want("invoices", hlc.KindInsert, nil))
	f.step("SetRegistrationNumber", func() error {
		c, _ := app.CallerFromContext(doctor)
		_, err := svc.Clinical.SetRegistrationNumber(doctor, c.UserID, "GMC 7012345")
		return err
	}, want("prescriber_registrations", hlc.KindInsert, nil))
	f.step("SetDoctorProfile with a consultation item", func() error {
		c, _ := app.CallerFromContext(doctor)
		_, err := svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: c.UserID, ConsultationCode: "CONS"})
		return err
	}, want("doctor_consultation_items", hlc.KindInsert, nil), want("doctor_profiles", hlc.KindUpdate, nil))
	f.step("ArchivePatient", func() error { _, err := svc.Patients.ArchivePatient(admin, patient.ID, "moved away"); return err },
		want("patients", hlc.KindUpdate, &patientID))

	// A record created in error is purged: its rows leave as deletes, and
	// its field clocks go with it.
	var mistake *app.Patient
	var mistakeID string
	f.step("CreatePatient in error", func() (err error) {
		mistake, err = svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: "Test", FamilyName: "Record",
			Sex: app.SexUnknown, BirthDate: "2000-01-01"})
		if mistake != nil {
			mistakeID = mistake.ID
		}
		return err
	}, want("patients", hlc.KindInsert, &mistakeID))
	email := "test@example.org"
	f.step("UpdatePatient in error", func() error {
		_, err := svc.Patients.UpdatePatient(admin, mistake.ID, app.PatientUpdate{Email: &email})
		return err
	}, want("patients", hlc.KindUpdate, nil))
	f.step("PurgePatient", func() error { return svc.Patients.PurgePatient(admin, mistake.ID, mistake.MRN) },
		want("patients", hlc.KindDelete, &mistakeID), want("patient_events", hlc.KindDelete, nil),
		want("patient_changes", hlc.KindDelete, nil))
	if clocks := fieldClocks(t, f.db, "patients", mistake.ID); len(clocks) != 0 {
		t.Fatalf("a purged record's field clocks remain: %v", clocks)
	}
	// An administrator's login on a desk that syncs vouches, signed, for
	// the price list, fee and drug rows it had before they were signed
	// (the migration lists them in trust_legacy): the desk is made to
	// look enrolled, and the price item above is taken for such a row.
	if _, err := rawDB(t, f.db).Exec(`UPDATE sync_meta SET server_epoch = '00000000-0000-0000-0000-000000000001' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, f.db).Exec(`INSERT INTO trust_legacy (entity, row_id) VALUES ('price_items', ?)`, item.ID); err != nil {
		t.Fatal(err)
	}
	ext := f.step("Login (vouches for rows written before signing)", func() error {
		_, err := svc.Users.Login(anon, "admin", adminPassword)
		return err
	}, want("trust_extensions", hlc.KindInsert, nil))
	var extID string
	for _, op := range ext {
		if op.Entity == "trust_extensions" {
			extID = op.RowID
		}
	}
	if body := payloadOf(t, ext, "trust_extensions", hlc.KindInsert, extID); !strings.Contains(fmt.Sprint(body["entries"]), item.ID) ||
		fmt.Sprint(body["power_sig"]) == "" {
		t.Fatalf("the trust extension: %v", body)
	}

	// Every synced table has had an insert, which carries exactly its
	// synced columns.
	tables := schemaTables(t, rawDB(t, f.db))
	inserted := map[string]bool{}
	for _, op := range f.read(0) {
		spec, ok := syncedTable(op.Entity)
		if !ok {
			t.Fatalf("outbox row for %s, which does not sync", op.Entity)
		}
		if spec.FromServer && op.Kind == hlc.KindUpdate {
			inserted[op.Entity] = true // the desk's part: its payload was checked above
		}
		if op.Kind != hlc.KindInsert || inserted[op.Entity] {
			continue
		}
		inserted[op.Entity] = true
		var payload map[string]json.RawMessage
		if err := json.Unmarshal(op.Payload, &payload); err != nil {
			t.Fatal(err)
		}
		var synced []string
		for _, c := range tables[op.Entity].columns {
			if !slices.Contains(deskOwn(spec), c) {
				synced = append(synced, c)
			}
		}
		carried := slices.Sorted(maps.Keys(payload))
		slices.Sort(synced)
		if !slices.Equal(carried, synced) {
			t.Errorf("insert into %s carries %v, want %v", op.Entity, carried, synced)
		}
	}
	for _, st := range data.SyncedTables() {
		if !inserted[st.Name] {
			t.Errorf("the walk wrote no %s: add a step for it", st.Name)
		}
	}
}

func outboxCount(t *testing.T, db *data.DB) int { return datatest.OutboxCount(t, db) }

// TestOutboxRollsBackWithItsWrite: a write that fails after changing
// synced rows leaves no outbox row behind, and neither does a refused call.
func TestOutboxRollsBackWithItsWrite(t *testing.T) {
	t.Run("InjectedFailure", func(t *testing.T) {
		c := mustSetup(t)
		before := outboxCount(t, c.db)
		injected := errors.New("injected")
		var inside int
		var txHLC sql.NullString
		err := c.db.WriteInTx(c.ctx(app.RoleAdmin), func(tx *data.Tx) error {
			if _, err := tx.Exec(`UPDATE patients SET email = 'x@example.org', updated_at = '2026-11-25T09:00:01.000Z'`); err != nil {
				return err
			}
			if err := tx.QueryRow(`SELECT count(*), hms_tx_hlc() FROM outbox`).Scan(&inside, &txHLC); err != nil {
				return err
			}
			return injected
		})
		if !errors.Is(err, injected) {
			t.Fatalf("want the injected error, got %v", err)
		}
		if inside != before+2 || !txHLC.Valid {
			t.Fatalf("inside the transaction: %d outbox rows (want %d), tx_hlc %v", inside, before+2, txHLC)
		}
		if n := outboxCount(t, c.db); n != before {
			t.Fatalf("a rolled-back write left %d outbox rows", n-before)
		}
		// The writer connection forgets the reading with the transaction.
		var stamped sql.NullString
		if err := c.db.Connections()["writer"].QueryRow(`SELECT hms_tx_hlc()`).Scan(&stamped); err != nil {
			t.Fatal(err)
		}
		if stamped.Valid {
			t.Fatalf("hms_tx_hlc() = %q outside a transaction", stamped.String)
		}
	})
	t.Run("ServiceFailure", func(t *testing.T) {
		c := mustSetup(t)
		before := outboxCount(t, c.db)
		// The patient record is written first; the taken username fails
		// the account after it.
		_, err := c.svc.Users.RegisterPatient(anon, app.PatientRegistration{Username: "zoe", GivenName: "Zoe",
			FamilyName: "Again", Sex: app.SexFemale, BirthDate: "1990-01-01", Password: "a fine long password"})
		if code(err) != app.ECONFLICT {
			t.Fatalf("taken username: %v", err)
		}
		if n := outboxCount(t, c.db); n != before {
			t.Fatalf("a failed registration left %d outbox rows", n-before)
		}
	})
	t.Run("Denied", func(t *testing.T) {
		// The refusal's audit row is written, in a transaction of its own;
		// the audit log syncs without the outbox.
		c := mustSetup(t)
		before := outboxCount(t, c.db)
		if _, err := c.svc.Patients.ArchivePatient(c.ctx(app.RoleNurse), c.users[app.RolePatient].PatientID, "no"); code(err) != app.EUNAUTHORIZED {
			t.Fatalf("nurse archiving: %v", err)
		}
		if n := outboxCount(t, c.db); n != before {
			t.Fatalf("a denied call left %d outbox rows", n-before)
		}
	})
}

// TestNoEcho: the rows a pull applies write no outbox rows, and the clock
// takes in their reading, so the desk's next change is stamped after it.
func TestNoEcho(t *testing.T) {
	c := mustSetup(t)
	before := outboxCount(t, c.db)
	other := "0193a1b2-0000-7000-8000-0000000000ff"
	remote := hlc.Timestamp{Wall: c.clock.Now().Add(90 * time.Second).UnixMilli(), Logical: 7, Site: other}
	pid := c.users[app.RolePatient].PatientID
	err := c.db.ApplyRemote(context.Background(), remote, func(tx *data.Tx) error {
		if _, err := tx.Exec(`UPDATE patients SET phone = '+30 210 555 0042', updated_at = ? WHERE id = ?`,
			"2026-11-25T09:01:30.000Z", pid); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO field_clock (entity, row_id, field, hlc, site_id) VALUES ('patients', ?, 'phone', ?, ?)`,
			pid, remote.String(), other)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, c.db); n != before {
		t.Fatalf("applying a pulled change wrote %d outbox rows", n-before)
	}
	if clocks := fieldClocks(t, c.db, "patients", pid); clocks["phone"] != remote.String() {
		t.Fatalf("the pulled field's clock is the remote's: %v", clocks)
	}
	var last string
	rawDB(t, c.db).QueryRow(`SELECT last_hlc FROM sync_meta`).Scan(&last)
	if persisted, err := hlc.Parse(last); err != nil || !remote.Before(persisted) {
		t.Fatalf("sync_meta.last_hlc %q, want after the remote %s", last, remote)
	}
	// The desk's next change is stamped after the pulled one, though its
	// own wall clock is 90 s behind.
	if _, err := c.svc.Users.ApproveUser(c.ctx(app.RoleAdmin), c.pending.ID); err != nil {
		t.Fatal(err)
	}
	ops, err := c.db.PendingOps(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if next := ops[len(ops)-1].HLC; !remote.Before(next) || next.Site != c.db.SiteID() {
		t.Fatalf("next local change at %s, want after %s", next, remote)
	}

	// A reading too far ahead is refused, and nothing it came with applies.
	ahead := hlc.Timestamp{Wall: c.clock.Now().Add(time.Hour).UnixMilli(), Site: other}
	err = c.db.ApplyRemote(context.Background(), ahead, func(tx *data.Tx) error {
		_, err := tx.Exec(`UPDATE patients SET phone = 'from the future' WHERE id = ?`, pid)
		return err
	})
	if !errors.Is(err, hlc.ErrDrift) {
		t.Fatalf("a reading an hour ahead: %v, want ErrDrift", err)
	}
	p, err := c.svc.Patients.FindPatientByID(c.ctx(app.RoleAdmin), pid)
	if err != nil || p.Phone != "+30 210 555 0042" {
		t.Fatalf("after a refused pull: %+v, %v", p, err)
	}
}

// TestOutboxSurvivesRestart: the queue and the clock outlive the program;
// after a restart with the wall clock set back a day, the next change is
// still stamped after every earlier one, and the offset to the server
// stays measured.
func TestOutboxSurvivesRestart(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "hms.db")
	open := func() *data.DB {
		db, err := data.Open(path, data.Options{HashParams: cheapHash, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	if _, err := db.Services().Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "Riverside Clinic",
		Address: "1 River Road", Currency: "EUR", TimeZone: "UTC"}, AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: adminPassword}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetClockOffset(context.Background(), 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	before, err := db.PendingOps(context.Background(), 0, 1000)
	if err != nil || len(before) == 0 {
		t.Fatalf("outbox before the restart: %d rows, %v", len(before), err)
	}
	site := db.SiteID()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Add(-24 * time.Hour)
	db = open()
	defer db.Close()
	after, err := db.PendingOps(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[0].ID != before[0].ID || after[len(after)-1].Seq != before[len(before)-1].Seq {
		t.Fatalf("the outbox changed across the restart: %d rows -> %d", len(before), len(after))
	}
	if db.SiteID() != site || db.Clock().Offset() != 1500*time.Millisecond {
		t.Fatalf("site %s (was %s), offset %s (was 1.5s)", db.SiteID(), site, db.Clock().Offset())
	}
	last := before[len(before)-1].HLC
	if db.Clock().Last() != (hlc.Timestamp{Wall: last.Wall, Logical: last.Logical, Site: site}) {
		t.Fatalf("the clock resumed at %s, want %s", db.Clock().Last(), last)
	}
	s, err := db.Services().Users.Login(anon, "admin", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Services().Users.CreateUser(app.NewContextWithCaller(anon, s.Caller()), app.UserCreate{Username: "nurse1",
		FullName: "Nurse One", Role: app.RoleNurse, Password: "a long nurse password"}); err != nil {
		t.Fatal(err)
	}
	ops, err := db.PendingOps(context.Background(), after[len(after)-1].Seq, 1000)
	if err != nil || len(ops) == 0 {
		t.Fatalf("no outbox row for the new account: %v", err)
	}
	if !last.Before(ops[0].HLC) {
		t.Fatalf("after a restart with the wall clock a day back, a change was stamped %s, not after %s", ops[0].HLC, last)
	}
}

// TestWritesOutsideTheHelper: a write that does not go through the write
// helper (another program, a migration) finds hms_tx_hlc() NULL and
// writes no outbox row; it is not refused.
func TestWritesOutsideTheHelper(t *testing.T) {
	c := mustSetup(t)
	before := outboxCount(t, c.db)
	if _, err := rawDB(t, c.db).Exec(`UPDATE patients SET email = 'elsewhere@example.org'`); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, c.db); n != before {
		t.Fatalf("a write outside the helper wrote %d outbox rows", n-before)
	}
}

// TestKeysNeverChange: the outbox names rows by their keys, so a synced
// row's key is fixed.
func TestKeysNeverChange(t *testing.T) {
	c := mustSetup(t)
	raw := rawDB(t, c.db)
	for _, stmt := range []string{
		`UPDATE patients SET id = 'another' WHERE mrn = 'P-D1-000001'`,
		`UPDATE users SET id = 'another' WHERE username = 'admin'`,
		`UPDATE settings SET key = 'another' WHERE key = 'phone'`,
	} {
		if _, err := raw.Exec(stmt); err == nil || !strings.Contains(err.Error(), "the key of a synced row never changes") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
}

// TestDemoWritesNoOutbox: demo data stays out of the outbox.
func TestDemoWritesNoOutbox(t *testing.T) {
	db := MustOpenDB(t, nil)
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 300, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	var patients int
	rawDB(t, db).QueryRow(`SELECT count(*) FROM patients`).Scan(&patients)
	if n := outboxCount(t, db); n != 0 || patients != 300 {
		t.Fatalf("the demo wrote %d outbox rows (%d patients)", n, patients)
	}
	// The desk works as usual afterwards.
	s, err := db.Services().Users.Login(anon, "admin", data.DemoCredentials[0].Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Services().Patients.CreatePatient(app.NewContextWithCaller(anon, s.Caller()), app.PatientCreate{
		GivenName: "After", FamilyName: "Demo", Sex: app.SexMale, BirthDate: "1970-01-01"}); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, db); n == 0 {
		t.Fatal("a write after the demo wrote no outbox row")
	}
}

// TestTwoProgramsOneDatabase: two programs writing one database (a
// command-line subcommand beside the desk's window) each have a clock, yet
// their outbox rows are stamped in the order they committed.
func TestTwoProgramsOneDatabase(t *testing.T) {
	c := mustSetup(t)
	other, err := data.Open(c.db.Path(), data.Options{HashParams: cheapHash, Now: c.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := c.ctx(app.RoleAdmin)
	// The window writes a burst in one millisecond, running its clock's
	// counter ahead of the other program's.
	for i := range 5 {
		if _, err := c.svc.Patients.CreatePatient(ctx, app.PatientCreate{GivenName: fmt.Sprint("Window", i),
			FamilyName: "Burst", Sex: app.SexMale, BirthDate: "1970-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		svc := []app.Services{c.svc, other.Services()}[i%2]
		if _, err := svc.Patients.CreatePatient(ctx, app.PatientCreate{GivenName: fmt.Sprint("Turn", i),
			FamilyName: "Taking", Sex: app.SexFemale, BirthDate: "1970-01-01"}); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := c.db.PendingOps(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// One registration per transaction: their readings strictly increase.
	var prev hlc.Op
	for _, op := range ops {
		if op.Entity != "patients" || op.Kind != hlc.KindInsert {
			continue
		}
		if !prev.HLC.Before(op.HLC) {
			t.Fatalf("seq %d stamped %s, not after seq %d's %s", op.Seq, op.HLC, prev.Seq, prev.HLC)
		}
		prev = op
	}
}

// BenchmarkOutboxCost is what the outbox adds to a committed write on the
// scaled demo database: BenchmarkIssueAndPay's issue and payment (six
// outbox rows), taken in turns with the outbox written and not, so both
// see the same machine. It reports the p50 and p99 of each and the ratio
// of the medians.
func BenchmarkOutboxCost(b *testing.B) {
	_, svc, ctx, patientID, item := benchBilling(b)
	noOutbox := data.WithoutOutbox(ctx)
	var with, without latencies
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		d, err := svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: patientID,
			Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 2}, {Description: "Dressing", Quantity: 1, UnitPrice: 1234}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ctx, l := ctx, &with
		if i%2 == 1 {
			ctx, l = noOutbox, &without
		}
		l.time(func() {
			inv, err := svc.Billing.IssueInvoice(ctx, d.ID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
				Tendered: inv.Balance, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
				b.Fatal(err)
			}
		})
	}
	if len(with) == 0 || len(without) == 0 {
		return
	}
	pct := func(l latencies, p float64) float64 {
		s := slices.Clone(l)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(float64(len(s))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(with, 0.5), "outbox-p50-ms")
	b.ReportMetric(pct(with, 0.99), "outbox-p99-ms")
	b.ReportMetric(pct(without, 0.5), "none-p50-ms")
	b.ReportMetric(pct(without, 0.99), "none-p99-ms")
	b.ReportMetric(pct(with, 0.5)/pct(without, 0.5), "x-none")
}

// TestMigrationKeepsTheDesksIdentity: a database made before the outbox
// keeps its site id and desk code through migration 0008, which moves them
// from key/value rows into sync_meta's single row.
func TestMigrationKeepsTheDesksIdentity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw := openPlain(t, path)
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	for _, f := range files {
		base := filepath.Base(f)
		if base >= "0008" {
			break
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		var version int
		if _, err := fmt.Sscanf(base, "%d_", &version); err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000Z')`, version, base); err != nil {
			t.Fatal(err)
		}
	}
	const site = "0193a1b2-0000-7000-8000-00000000d007"
	if _, err := raw.Exec(`INSERT INTO sync_meta (key, value) VALUES ('site_id', ?), ('desk_code', 'D7')`, site); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.SiteID() != site {
		t.Fatalf("site id %s after the migration, want %s", db.SiteID(), site)
	}
	admin, err := db.Services().Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "Old Clinic",
		Address: "1 Old Road", Currency: "EUR", TimeZone: "UTC"}, AdminUsername: "admin", AdminFullName: "Ada Admin",
		AdminPassword: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Services().Patients.CreatePatient(as(callerOf(admin)), app.PatientCreate{GivenName: "First",
		FamilyName: "Patient", Sex: app.SexFemale, BirthDate: "1980-01-01"})
	if err != nil || p.MRN != "P-D7-000001" {
		t.Fatalf("the desk code D7 numbers the record: %v, %v", p, err)
	}
}

// TestSyncedTablesInOrder: the list of synced tables names each once,
// each after the tables its rows refer to, since a snapshot queues them
// in its order and a desk applies a downloaded clinic in it.
func TestSyncedTablesInOrder(t *testing.T) {
	raw := rawDB(t, MustOpenDB(t, nil))
	seen := map[string]bool{}
	for _, st := range data.SyncedTables() {
		if seen[st.Name] {
			t.Errorf("%s is listed twice", st.Name)
		}
		rows, err := raw.Query(`SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, st.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var parent string
			if err := rows.Scan(&parent); err != nil {
				t.Fatal(err)
			}
			if _, synced := syncedTable(parent); synced && parent != st.Name && !seen[parent] {
				t.Errorf("%s refers to %s, which comes after it", st.Name, parent)
			}
		}
		rows.Close()
		seen[st.Name] = true
		if st.Editable && st.Append {
			t.Errorf("%s is both editable and written once", st.Name)
		}
	}
}

// TestEverySyncedTableSealed: every synced table is audited (docs/AUDIT.md,
// Row seals), so each carries its insert, update and delete seal triggers;
// a new synced table whose migration forgot them fails here instead of
// showing as unsealed records in verify.
func TestEverySyncedTableSealed(t *testing.T) {
	db := MustOpenDB(t, nil)
	raw := rawDB(t, db)
	for _, st := range data.SyncedTables() {
		for _, op := range []string{"ins", "upd", "del"} {
			name := "seal_" + st.Name + "_" + op
			var n int
			if err := raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = ?`,
				name, st.Name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("synced table %s has no trigger %s: add it in a migration (see 0017_audit_seals.sql)", st.Name, name)
			}
		}
	}
}

// TestClockPersistedWithoutAWritePerTransaction: a write that queues
// changes leaves sync_meta alone (its page is not in the commit: the outbox's
// last row holds the newest reading, migration 0197), and the clock still
// resumes above every reading stamped, once the outbox has been emptied as
// a push's acknowledgment empties it, after a restart with the wall clock
// set back a day.
func TestClockPersistedWithoutAWritePerTransaction(t *testing.T) {
	clock := newFakeClock()
	path := filepath.Join(t.TempDir(), "hms.db")
	open := func() *data.DB {
		db, err := data.Open(path, data.Options{HashParams: cheapHash, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	if _, err := db.Services().Settings.Setup(anon, app.ClinicSetup{Settings: app.Settings{ClinicName: "Riverside Clinic",
		Address: "1 River Road", Currency: "EUR", TimeZone: "UTC"}, AdminUsername: "admin", AdminFullName: "Ada Admin", AdminPassword: adminPassword}); err != nil {
		t.Fatal(err)
	}
	s, err := db.Services().Users.Login(anon, "admin", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := app.NewContextWithCaller(anon, s.Caller())
	raw := rawDB(t, db)
	lastHLC := func() string {
		var v string
		if err := raw.QueryRow(`SELECT last_hlc FROM sync_meta`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	stored := lastHLC()
	clock.Add(time.Minute)
	if _, err := db.Services().Users.CreateUser(ctx, app.UserCreate{Username: "nurse1",
		FullName: "Nurse One", Role: app.RoleNurse, Password: "a long nurse password"}); err != nil {
		t.Fatal(err)
	}
	ops, err := db.PendingOps(context.Background(), 0, 10000)
	if err != nil || len(ops) == 0 {
		t.Fatalf("outbox: %d rows, %v", len(ops), err)
	}
	newest := ops[len(ops)-1].HLC
	if got := lastHLC(); got != stored {
		t.Errorf("a write that queued changes wrote sync_meta.last_hlc (%s, was %s)", got, stored)
	}
	// Emptied as the server's acknowledgment empties it.
	if _, err := raw.Exec(`DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	if got := lastHLC(); got != newest.String() {
		t.Fatalf("after the outbox emptied, sync_meta.last_hlc is %s, want the newest reading %s", got, newest)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Add(-24 * time.Hour)
	db = open()
	defer db.Close()
	if last := db.Clock().Last(); last != (hlc.Timestamp{Wall: newest.Wall, Logical: newest.Logical, Site: db.SiteID()}) {
		t.Fatalf("the clock resumed at %s, want %s", last, newest)
	}
	s, err = db.Services().Users.Login(anon, "admin", adminPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Services().Users.CreateUser(app.NewContextWithCaller(anon, s.Caller()), app.UserCreate{Username: "nurse2",
		FullName: "Nurse Two", Role: app.RoleNurse, Password: "another long password"}); err != nil {
		t.Fatal(err)
	}
	ops, err = db.PendingOps(context.Background(), 0, 10000)
	if err != nil || len(ops) == 0 {
		t.Fatalf("no outbox row for the new account: %v", err)
	}
	if !newest.Before(ops[0].HLC) {
		t.Fatalf("after the outbox emptied and a restart with the wall clock a day back, a change was stamped %s, not after %s",
			ops[0].HLC, newest)
	}
}
