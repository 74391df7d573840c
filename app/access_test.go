package app_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
)

// The callers every rule is tried with. Doctor "doc1" and patient "p1" are
// the owners of the records below; "doc2" and "p2" are someone else.
var callers = map[string]app.Caller{
	"admin":                    {UserID: "admin1", Username: "admin", Role: app.RoleAdmin},
	"cli":                      app.SystemCaller("root"),
	"doctor":                   {UserID: "doc1", Username: "dr.house", Role: app.RoleDoctor},
	"nurse":                    {UserID: "nurse1", Username: "nurse.joy", Role: app.RoleNurse},
	"reception":                {UserID: "rec1", Username: "reception", Role: app.RoleReception},
	"billing":                  {UserID: "bill1", Username: "billing", Role: app.RoleBilling},
	"patient":                  {UserID: "pat1", Username: "patient", Role: app.RolePatient, PatientID: "p1"},
	"patient without a record": {UserID: "pat0", Username: "orphan", Role: app.RolePatient},
	"nobody":                   {},
}

// Answers in a table: "" allowed, or the code of the refusal.
const (
	ok     = ""
	denied = app.EUNAUTHORIZED
	absent = app.ENOTFOUND
	bad    = app.EINVALID
)

// table is one case of a rule: what each caller gets.
type table map[string]string

// check tries rule with every caller and compares the answers with want,
// which must name every caller. A refusal must carry a message for the
// person at the desk, saying they are not allowed.
func check(t *testing.T, name string, rule func(c app.Caller) error, want table) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		t.Helper()
		for who := range callers {
			if _, listed := want[who]; !listed {
				t.Fatalf("the table does not say what %s gets", who)
			}
		}
		for who, code := range want {
			c, known := callers[who]
			if !known {
				t.Fatalf("unknown caller %q", who)
			}
			err := rule(c)
			if got := app.ErrorCode(err); got != code {
				t.Errorf("%s: got %q (%v), want %q", who, got, err, code)
				continue
			}
			if err != nil {
				msg := app.ErrorMessage(err)
				if code == denied && !strings.HasPrefix(msg, "You are not allowed to ") ||
					strings.Contains(msg, ".own") || strings.Contains(msg, ".manage") || !strings.HasSuffix(msg, ".") {
					t.Errorf("%s: the message %q is not fit for a user", who, msg)
				}
			}
		}
	})
}

func TestRequireAny(t *testing.T) {
	check(t, "statistics or financial", func(c app.Caller) error {
		return app.RequireAny(c, app.PermViewStatistics, app.PermViewFinancial)
	}, table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
		"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "logged in", app.RequireLoggedIn, table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok,
		"reception": ok, "billing": ok, "patient": ok, "patient without a record": ok, "nobody": denied})
	err := app.RequireAny(callers["nurse"], app.PermManageBilling, app.PermTakePayment)
	if got, want := app.ErrorMessage(err), "You are not allowed to manage invoices or take payments."; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	for _, r := range app.Roles {
		for _, p := range app.PermissionsOf(r) {
			if p.Phrase() == string(p) {
				t.Errorf("permission %s has no phrase for messages", p)
			}
		}
	}
}

func TestCanViewPatient(t *testing.T) {
	check(t, "own record", func(c app.Caller) error { return app.CanViewPatient(c, "p1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient's record", func(c app.Caller) error { return app.CanViewPatient(c, "p2") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "an unknown record", func(c app.Caller) error { return app.CanViewPatient(c, "") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanViewClinicalRecord(t *testing.T) {
	check(t, "own record", func(c app.Caller) error { return app.CanViewClinicalRecord(c, "p1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient's record", func(c app.Caller) error { return app.CanViewClinicalRecord(c, "p2") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "an unknown record", func(c app.Caller) error { return app.CanViewClinicalRecord(c, "") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanReadClinicalRecords(t *testing.T) {
	check(t, "any record at all", app.CanReadClinicalRecords,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": ok, "patient without a record": ok, "nobody": denied})
}

func TestCanSeeArchived(t *testing.T) {
	archived := &app.Patient{ID: "p1", ArchivedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	check(t, "the patient's own archived record", func(c app.Caller) error { return app.CanSeeArchived(c, archived) },
		table{"admin": ok, "cli": ok, "doctor": absent, "nurse": absent, "reception": absent, "billing": absent,
			"patient": ok, "patient without a record": absent, "nobody": absent})
	other := &app.Patient{ID: "p2", ArchivedAt: archived.ArchivedAt}
	check(t, "another patient's archived record", func(c app.Caller) error { return app.CanSeeArchived(c, other) },
		table{"admin": ok, "cli": ok, "doctor": absent, "nurse": absent, "reception": absent, "billing": absent,
			"patient": absent, "patient without a record": absent, "nobody": absent})
	active := &app.Patient{ID: "p2"}
	check(t, "a record not archived", func(c app.Caller) error { return app.CanSeeArchived(c, active) },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": ok, "nobody": ok})
}

func TestCanEditOwnContact(t *testing.T) {
	check(t, "own contact details", app.CanEditOwnContact,
		table{"admin": denied, "cli": denied, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": ok, "patient without a record": denied, "nobody": denied})
}

func TestCanWriteNote(t *testing.T) {
	check(t, "clinical note", func(c app.Caller) error { return app.CanWriteNote(c, app.NoteClinical) },
		table{"admin": denied, "cli": denied, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "nursing note", func(c app.Caller) error { return app.CanWriteNote(c, app.NoteNursing) },
		table{"admin": denied, "cli": denied, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanHandleBills(t *testing.T) {
	check(t, "billing staff", app.CanHandleBills,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "any bill at all", app.CanSeeBills,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": ok, "nobody": denied})
}

func TestCanSeeBillsOf(t *testing.T) {
	check(t, "own bills", func(c app.Caller) error { return app.CanSeeBillsOf(c, "p1") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient's bills", func(c app.Caller) error { return app.CanSeeBillsOf(c, "p2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "an unknown bill", func(c app.Caller) error { return app.CanSeeBillsOf(c, "") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestBillsScope(t *testing.T) {
	scope := func(requested, want string) func(c app.Caller) error {
		return func(c app.Caller) error {
			got, err := app.BillsScope(c, requested)
			if err == nil && got != want {
				return app.Errorf(app.ECONFLICT, "Scope %q, want %q.", got, want)
			}
			return err
		}
	}
	// Staff get what they ask for; a patient, their own record whatever
	// the filter left out.
	check(t, "every patient's", scope("", ""),
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": app.ECONFLICT, "patient without a record": denied, "nobody": denied})
	check(t, "the patient's own, unasked", scope("", "p1"),
		table{"admin": app.ECONFLICT, "cli": app.ECONFLICT, "doctor": denied, "nurse": denied, "reception": app.ECONFLICT,
			"billing": app.ECONFLICT, "patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "own bills", scope("p1", "p1"),
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient's", scope("p2", "p2"),
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeePriceList(t *testing.T) {
	check(t, "price list", app.CanSeePriceList,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": ok, "nobody": denied})
}

func TestCanSeeInvoice(t *testing.T) {
	issued := &app.Invoice{ID: "i1", PatientID: "p1", Status: app.InvoiceIssued}
	check(t, "own issued invoice", func(c app.Caller) error { return app.CanSeeInvoice(c, issued) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	draft := &app.Invoice{ID: "i2", PatientID: "p1", Status: app.InvoiceDraft}
	check(t, "own draft", func(c app.Caller) error { return app.CanSeeInvoice(c, draft) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": absent, "patient without a record": denied, "nobody": denied})
	other := &app.Invoice{ID: "i3", PatientID: "p2", Status: app.InvoicePaid}
	check(t, "another patient's invoice", func(c app.Caller) error { return app.CanSeeInvoice(c, other) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeeCashUp(t *testing.T) {
	check(t, "the billing clerk's own day", func(c app.Caller) error { return app.CanSeeCashUp(c, "bill1") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "reception's own day", func(c app.Caller) error { return app.CanSeeCashUp(c, "rec1") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "an unknown cashier", func(c app.Caller) error { return app.CanSeeCashUp(c, "") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanManageHours(t *testing.T) {
	check(t, "own hours", func(c app.Caller) error { return app.CanManageHours(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "another doctor's hours", func(c app.Caller) error { return app.CanManageHours(c, "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanManageAppointmentsOf(t *testing.T) {
	check(t, "own schedule", func(c app.Caller) error { return app.CanManageAppointmentsOf(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "another doctor's schedule", func(c app.Caller) error { return app.CanManageAppointmentsOf(c, "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "outside hours, own schedule", func(c app.Caller) error { return app.CanBookOutsideHours(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "outside hours, another doctor", func(c app.Caller) error { return app.CanBookOutsideHours(c, "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanBook(t *testing.T) {
	check(t, "own patient record, own schedule", func(c app.Caller) error { return app.CanBook(c, "p1", "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": ok, "billing": denied,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient, another doctor", func(c app.Caller) error { return app.CanBook(c, "p2", "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "no patient named", func(c app.Caller) error { return app.CanBook(c, "", "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanChangeAppointment(t *testing.T) {
	own := &app.Appointment{ID: "a1", PatientID: "p1", DoctorID: "doc1"}
	check(t, "own patient, own schedule", func(c app.Caller) error { return app.CanChangeAppointment(c, own) },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": ok, "billing": denied,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	other := &app.Appointment{ID: "a2", PatientID: "p2", DoctorID: "doc2"}
	check(t, "another patient, another doctor", func(c app.Caller) error { return app.CanChangeAppointment(c, other) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanCheckIn(t *testing.T) {
	own := &app.Appointment{ID: "a1", PatientID: "p1", DoctorID: "doc1"}
	check(t, "own schedule", func(c app.Caller) error { return app.CanCheckIn(c, own) },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	other := &app.Appointment{ID: "a2", PatientID: "p2", DoctorID: "doc2"}
	check(t, "another doctor", func(c app.Caller) error { return app.CanCheckIn(c, other) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": ok, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanCompleteVisit(t *testing.T) {
	check(t, "any visit at all", app.CanCompleteVisits,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	own := &app.Appointment{ID: "a1", PatientID: "p1", DoctorID: "doc1"}
	check(t, "own schedule", func(c app.Caller) error { return app.CanCompleteVisit(c, own) },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	other := &app.Appointment{ID: "a2", PatientID: "p2", DoctorID: "doc2"}
	check(t, "another doctor", func(c app.Caller) error { return app.CanCompleteVisit(c, other) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeeAppointments(t *testing.T) {
	check(t, "every appointment", app.CanSeeAllAppointments,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "free slots", app.CanSeeFreeSlots,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": ok, "nobody": denied})
	own := &app.Appointment{ID: "a1", PatientID: "p1", DoctorID: "doc1"}
	check(t, "own appointment", func(c app.Caller) error { return app.CanSeeAppointment(c, own) },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "another patient's appointments", func(c app.Caller) error { return app.CanSeeAppointmentsOf(c, "p2") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "an unknown appointment", func(c app.Caller) error { return app.CanSeeAppointmentsOf(c, "") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "a doctor's own day", func(c app.Caller) error { return app.CanSeeScheduleOf(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeeStatistics(t *testing.T) {
	check(t, "dashboard", app.CanSeeDashboard,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "own doctor's dashboard", func(c app.Caller) error { return app.CanSeeDoctorDashboard(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "another doctor's dashboard", func(c app.Caller) error { return app.CanSeeDoctorDashboard(c, "doc2") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "clinical series", func(c app.Caller) error { return app.CanSeeSeries(c, app.SeriesAppointmentsPerDay) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "financial series", func(c app.Caller) error { return app.CanSeeSeries(c, app.SeriesRevenuePerMonth) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "appointments report", func(c app.Caller) error { return app.CanSeeReport(c, app.ReportAppointments) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "revenue report", func(c app.Caller) error { return app.CanSeeReport(c, app.ReportRevenue) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "audit log report", func(c app.Caller) error { return app.CanSeeReport(c, app.ReportAuditLog) },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "unknown report", func(c app.Caller) error { return app.CanSeeReport(c, "gossip") },
		table{"admin": bad, "cli": bad, "doctor": bad, "nurse": bad, "reception": bad, "billing": bad,
			"patient": bad, "patient without a record": bad, "nobody": bad})
}

func TestCanSeeAccount(t *testing.T) {
	check(t, "the doctor's own account", func(c app.Caller) error { return app.CanSeeAccount(c, "doc1") },
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "the patient's own account", func(c app.Caller) error { return app.CanSeeAccount(c, "pat1") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": ok, "patient without a record": denied, "nobody": denied})
	check(t, "no account", func(c app.Caller) error { return app.CanSeeAccount(c, "") },
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeeConflicts(t *testing.T) {
	check(t, "sync conflicts", app.CanSeeConflicts,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": ok, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSeeBillingConflicts(t *testing.T) {
	check(t, "billing conflicts", app.CanSeeBillingConflicts,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanManageBackups(t *testing.T) {
	check(t, "backups", app.CanManageBackups,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestAuditsOpening(t *testing.T) {
	opens := func(patientID string) func(c app.Caller) error {
		return func(c app.Caller) error {
			if app.AuditsOpening(c, patientID) {
				return app.Errorf(app.ECONFLICT, "Audited.")
			}
			return nil
		}
	}
	const audited = app.ECONFLICT
	check(t, "own record", opens("p1"), table{"admin": audited, "cli": audited, "doctor": audited, "nurse": audited,
		"reception": audited, "billing": audited, "patient": ok, "patient without a record": audited, "nobody": audited})
	check(t, "another's record", opens("p2"), table{"admin": audited, "cli": audited, "doctor": audited,
		"nurse": audited, "reception": audited, "billing": audited, "patient": audited,
		"patient without a record": audited, "nobody": audited})
	check(t, "an unknown record", opens(""), table{"admin": audited, "cli": audited, "doctor": audited,
		"nurse": audited, "reception": audited, "billing": audited, "patient": audited,
		"patient without a record": audited, "nobody": audited})
}

func TestCheckSession(t *testing.T) {
	now := func(c app.Caller) app.AccountNow {
		return app.AccountNow{Exists: true, Role: c.Role, Status: app.StatusActive, SessionGen: c.SessionGen}
	}
	session := func(change func(*app.AccountNow)) func(c app.Caller) error {
		return func(c app.Caller) error {
			a := now(c)
			change(&a)
			return app.CheckSession(c, a)
		}
	}
	const ended = app.ESESSION
	check(t, "unchanged", session(func(*app.AccountNow) {}), table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok,
		"reception": ok, "billing": ok, "patient": ok, "patient without a record": ok, "nobody": ok})
	// The command line and nobody have no account whose changes end a session.
	for name, change := range map[string]func(*app.AccountNow){
		"deactivated":      func(a *app.AccountNow) { a.Status = app.StatusDeactivated },
		"removed":          func(a *app.AccountNow) { a.Exists = false },
		"role changed":     func(a *app.AccountNow) { a.Role = app.RoleBilling; a.SessionGen++ },
		"password was set": func(a *app.AccountNow) { a.SessionGen++ },
	} {
		want := table{"admin": ended, "cli": ok, "doctor": ended, "nurse": ended, "reception": ended, "billing": ended,
			"patient": ended, "patient without a record": ended, "nobody": ok}
		if name == "role changed" {
			want["billing"] = ended // the generation moved on with the role
		}
		check(t, name, session(change), want)
	}
	err := app.CheckSession(callers["doctor"], app.AccountNow{Exists: true, Role: app.RoleBilling, Status: app.StatusActive})
	if msg := app.ErrorMessage(err); !strings.Contains(msg, "role has changed") || !strings.Contains(msg, "billing clerk") {
		t.Errorf("message %q", msg)
	}
}

func TestCanKeepDrafts(t *testing.T) {
	check(t, "keep drafts", app.CanKeepDrafts,
		table{"admin": ok, "cli": denied, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": ok, "patient without a record": ok, "nobody": denied})
	check(t, "the doctor's draft", func(c app.Caller) error { return app.CanDiscardDraft(c, "doc1") },
		table{"admin": absent, "cli": denied, "doctor": ok, "nurse": absent, "reception": absent, "billing": absent,
			"patient": absent, "patient without a record": absent, "nobody": denied})
}

func TestCanEditDrugCatalogue(t *testing.T) {
	check(t, "add products and brands", app.CanEditDrugCatalogue,
		table{"admin": ok, "cli": ok, "doctor": denied, "nurse": denied, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
	check(t, "read the clinic's products and brands", app.CanReadDrugCatalogue,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": denied, "billing": denied,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}

func TestCanSetDeskPrinters(t *testing.T) {
	check(t, "desk printers", app.CanSetDeskPrinters,
		table{"admin": ok, "cli": ok, "doctor": ok, "nurse": ok, "reception": ok, "billing": ok,
			"patient": denied, "patient without a record": denied, "nobody": denied})
}
