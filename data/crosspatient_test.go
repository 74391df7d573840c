package data_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// The cross-patient test: a patient account (A, the fixture's patient)
// calls every method a patient may call with every identifier of another
// patient's records (B, the fixture's patient2: ids, numbers, record
// number, filters naming them). Each call must return nothing of B's (no
// identifier of B's appears in what it returns) or be refused
// (EUNAUTHORIZED, or ENOTFOUND where a record must look absent); a call
// that would change B's records must be refused.
//
// The methods are enumerated from app.Services by reflection: each one is
// listed in crossPatient, with its probe, or in notForPatients, with why a
// patient cannot reach B's records through it; the role matrix must then
// refuse it to a patient (or it takes no identifier of a patient's). A
// method added to a service and listed in neither fails the test.

// otherPatient is what the probes know of B.
type otherPatient struct {
	patientID, userID, username, mrn       string
	invoiceID, invoiceNumber               string
	paymentID, receiptNumber               string
	appointmentID                          string
	attachmentID                           string
	allergy, problem, note, rx, assignment string
	rxNumber                               string
	diagnosis, visit                       string
	letter                                 string
}

// markers are the identifiers that must not appear in what A gets back.
func (b *otherPatient) markers() []string {
	return []string{b.patientID, b.userID, b.mrn, b.invoiceID, b.invoiceNumber, b.paymentID, b.receiptNumber,
		b.appointmentID, b.attachmentID, b.allergy, b.problem, b.note, b.rx, b.assignment, b.rxNumber, b.diagnosis, b.visit, b.letter}
}

// ids are every identifier of B's records a probe tries where a method
// takes an id or a number.
func (b *otherPatient) ids() []string {
	return append(b.markers(), b.username)
}

// outcome is one call's answer; write marks a call that would change
// something, which must be refused; invalid marks a call whose refusal is
// EINVALID (a wrong password), which returns nothing either.
type outcome struct {
	call    string
	value   any
	err     error
	write   bool
	invalid bool
}

type probe func(ctx context.Context, c *clinic, b *otherPatient) []outcome

func got(call string, v any, err error) outcome { return outcome{call: call, value: v, err: err} }
func wrote(call string, v any, err error) outcome {
	return outcome{call: call, value: v, err: err, write: true}
}

// each tries call with every id of B's.
func each(b *otherPatient, name string, call func(id string) (any, error)) []outcome {
	var out []outcome
	for _, id := range b.ids() {
		v, err := call(id)
		out = append(out, got(name+"("+id+")", v, err))
	}
	return out
}

// eachWrite is each for a call that changes records.
func eachWrite(b *otherPatient, name string, call func(id string) (any, error)) []outcome {
	out := each(b, name, call)
	for i := range out {
		out[i].write = true
	}
	return out
}

// crossPatient lists every method a patient may call, with its probe.
var crossPatient = map[string]probe{
	"DraftService.SaveDrafts": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "SaveDrafts", func(id string) (any, error) {
			return nil, c.svc.Drafts.SaveDrafts(ctx, []app.Draft{{Kind: app.DraftNote, PatientID: id,
				Title: "Note", Fields: map[string]string{"text": "written over another's chart"}}})
		})
	},
	"DraftService.FindMyDrafts": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		d, err := c.svc.Drafts.FindMyDrafts(ctx)
		return []outcome{got("FindMyDrafts", d, err)}
	},
	"DraftService.DiscardDraft": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "DiscardDraft", func(id string) (any, error) { return nil, c.svc.Drafts.DiscardDraft(ctx, id) })
	},
	"UserService.Login": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		s, err := c.svc.Users.Login(ctx, b.username, "not yannis's password")
		return []outcome{{call: "Login", value: s, err: err, invalid: true}}
	},
	"UserService.CheckPassword": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return []outcome{{call: "CheckPassword", err: c.svc.Users.CheckPassword(ctx, "not yannis's password"), invalid: true}}
	},
	"UserService.ChangePassword": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return []outcome{wrote("ChangePassword", nil, c.svc.Users.ChangePassword(ctx, "not the password", "another long password"))}
	},
	"UserService.SetLanguage": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "SetLanguage", func(id string) (any, error) { return c.svc.Users.SetLanguage(ctx, id, "el", nil) })
	},
	"SettingsService.GetSettings": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		s, err := c.svc.Settings.GetSettings(ctx)
		return []outcome{got("GetSettings", s, err)}
	},
	"SettingsService.NeedsSetup": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		s, err := c.svc.Settings.NeedsSetup(ctx)
		return []outcome{got("NeedsSetup", s, err)}
	},
	"PatientService.FindPatientByID": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindPatientByID", func(id string) (any, error) { return c.svc.Patients.FindPatientByID(ctx, id) })
	},
	"PatientService.UpdateOwnContact": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		// It takes no identifier: it changes the caller's own record only.
		addr := "4 Own Street"
		p, err := c.svc.Patients.UpdateOwnContact(ctx, app.ContactUpdate{Address: &addr})
		return []outcome{got("UpdateOwnContact", p, err)}
	},
	"ClinicalService.GetChart": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "GetChart", func(id string) (any, error) { return c.svc.Clinical.GetChart(ctx, id) })
	},
	"ClinicalService.FindHistory": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindHistory", func(id string) (any, error) {
			return c.svc.Clinical.FindHistory(ctx, id, app.HistoryFilter{})
		})
	},
	"ClinicalService.FindAllergies": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindAllergies", func(id string) (any, error) { return c.svc.Clinical.FindAllergies(ctx, id) })
	},
	"ClinicalService.FindProblems": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindProblems", func(id string) (any, error) { return c.svc.Clinical.FindProblems(ctx, id) })
	},
	"ClinicalService.FindVitals": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindVitals", func(id string) (any, error) { return c.svc.Clinical.FindVitals(ctx, id, 10) })
	},
	"MessageService.MessageConsents": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "MessageConsents", func(id string) (any, error) { return c.svc.Messages.MessageConsents(ctx, id) })
	},
	"MessageService.SetMessageConsent": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "SetMessageConsent", func(id string) (any, error) {
			return c.svc.Messages.SetMessageConsent(ctx, id, app.ChannelSMS, true)
		})
	},
	"MessageService.FindMessages": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindMessages", func(id string) (any, error) {
			return c.svc.Messages.FindMessages(ctx, app.MessageFilter{PatientID: id})
		})
	},
	"VisitService.FindVisits": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindVisits", func(id string) (any, error) { return c.svc.Visits.FindVisits(ctx, id) })
	},
	"VisitService.FindLetters": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindLetters", func(id string) (any, error) { return c.svc.Visits.FindLetters(ctx, id) })
	},
	"VisitService.FindVisitLetters": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindVisitLetters", func(id string) (any, error) { return c.svc.Visits.FindVisitLetters(ctx, id) })
	},
	"VisitService.ReprintLetter": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "ReprintLetter", func(id string) (any, error) {
			pdf, err := c.svc.Visits.ReprintLetter(ctx, id)
			return string(pdf), err
		})
	},
	"DiagnosisService.FindDiagnoses": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindDiagnoses", func(id string) (any, error) { return c.svc.Diagnoses.FindDiagnoses(ctx, id) })
	},
	"ClinicalService.FindNotes": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindNotes", func(id string) (any, error) { return c.svc.Clinical.FindNotes(ctx, id) })
	},
	"ClinicalService.FindPrescriptions": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindPrescriptions", func(id string) (any, error) { return c.svc.Clinical.FindPrescriptions(ctx, id) })
	},
	"ClinicalService.FindPrescription": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindPrescription", func(id string) (any, error) { return c.svc.Clinical.FindPrescription(ctx, id) })
	},
	"ClinicalService.PrescriptionPDF": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "PrescriptionPDF", func(id string) (any, error) { return c.svc.Clinical.PrescriptionPDF(ctx, id) })
	},
	"ClinicalService.FindAssignments": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindAssignments", func(id string) (any, error) { return c.svc.Clinical.FindAssignments(ctx, id) })
	},
	"AttachmentService.FindAttachments": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindAttachments", func(id string) (any, error) { return c.svc.Attachments.FindAttachments(ctx, id) })
	},
	"AttachmentService.OpenAttachment": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "OpenAttachment", func(id string) (any, error) {
			a, content, err := c.svc.Attachments.OpenAttachment(ctx, id)
			return []any{a, string(content)}, err
		})
	},
	"AppointmentService.GetDoctorProfile": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "GetDoctorProfile", func(id string) (any, error) { return c.svc.Appointments.GetDoctorProfile(ctx, id) })
	},
	"AppointmentService.FindDoctors": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		d, err := c.svc.Appointments.FindDoctors(ctx, "")
		return []outcome{got("FindDoctors", d, err)}
	},
	"AppointmentService.FindFreeSlots": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		s, err := c.svc.Appointments.FindFreeSlots(ctx, c.users[app.RoleDoctor].ID, "2026-11-25")
		return []outcome{got("FindFreeSlots", s, err)}
	},
	"AppointmentService.Book": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "Book", func(id string) (any, error) {
			return c.svc.Appointments.Book(ctx, app.AppointmentCreate{PatientID: id, DoctorID: c.users[app.RoleDoctor].ID,
				Start: crossAt("2026-11-26", "10:00"), Reason: "Check-up"})
		})
	},
	"AppointmentService.Reschedule": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "Reschedule", func(id string) (any, error) {
			return c.svc.Appointments.Reschedule(ctx, id, crossAt("2026-11-26", "11:00"), "")
		})
	},
	"AppointmentService.Cancel": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return eachWrite(b, "Cancel", func(id string) (any, error) { return c.svc.Appointments.Cancel(ctx, id, "no") })
	},
	"AppointmentService.FindAppointment": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindAppointment", func(id string) (any, error) { return c.svc.Appointments.FindAppointment(ctx, id) })
	},
	"AppointmentService.PatientAppointments": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		out := each(b, "PatientAppointments", func(id string) (any, error) {
			return c.svc.Appointments.PatientAppointments(ctx, id, app.AppointmentFilter{})
		})
		return append(out, each(b, "PatientAppointments(past)", func(id string) (any, error) {
			return c.svc.Appointments.PatientAppointments(ctx, id, app.AppointmentFilter{Past: true})
		})...)
	},
	"BillingService.FindPriceItems": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		p, err := c.svc.Billing.FindPriceItems(ctx, app.PriceFilter{})
		return []outcome{got("FindPriceItems", p, err)}
	},
	"BillingService.FindInvoice": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindInvoice", func(id string) (any, error) { return c.svc.Billing.FindInvoice(ctx, id) })
	},
	"BillingService.FindInvoices": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		var out []outcome
		for _, id := range b.ids() {
			for _, f := range []app.InvoiceFilter{{PatientID: id}, {Number: id}, {Before: id},
				{Number: id, Status: app.InvoiceIssued}, {Status: app.InvoicePartiallyPaid}, {Status: app.InvoiceIssued}} {
				v, err := c.svc.Billing.FindInvoices(ctx, f)
				out = append(out, got(fmt.Sprintf("FindInvoices(%+v)", f), v, err))
			}
		}
		return out
	},
	"BillingService.FindPayment": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "FindPayment", func(id string) (any, error) { return c.svc.Billing.FindPayment(ctx, id) })
	},
	"BillingService.PatientStatement": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "PatientStatement", func(id string) (any, error) { return c.svc.Billing.PatientStatement(ctx, id) })
	},
	"BillingService.InvoicePDF": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "InvoicePDF", func(id string) (any, error) { return c.svc.Billing.InvoicePDF(ctx, id) })
	},
	"BillingService.ReceiptPDF": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "ReceiptPDF", func(id string) (any, error) { return c.svc.Billing.ReceiptPDF(ctx, id, true) })
	},
	"BillingService.ReceiptPDFLayout": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "ReceiptPDFLayout", func(id string) (any, error) {
			return c.svc.Billing.ReceiptPDFLayout(ctx, id, true, app.Layout80mm)
		})
	},
	"BillingService.ReceiptESCPOS": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		// The desk prints receipts as ESC/POS, so the call gets past the
		// layout check to the record's own-patient rule.
		if _, err := c.svc.Printing.SetDeskPrinter(c.ctx(app.RoleAdmin), app.DeskPrinter{Kind: app.DocReceipt,
			Printer: "/dev/null", Layout: app.LayoutESCPOS}); err != nil {
			return []outcome{got("SetDeskPrinter", nil, err)}
		}
		return each(b, "ReceiptESCPOS", func(id string) (any, error) { return c.svc.Billing.ReceiptESCPOS(ctx, id, true) })
	},
	"BillingService.StatementPDF": func(ctx context.Context, c *clinic, b *otherPatient) []outcome {
		return each(b, "StatementPDF", func(id string) (any, error) { return c.svc.Billing.StatementPDF(ctx, id) })
	},
}

// notForPatients are the methods a patient cannot call (the role matrix
// refuses them to a patient), or that take no identifier of anyone's
// records, with why.
var notForPatients = map[string]string{
	"UserService.RegisterStaff":   "makes a new account waiting for approval; reads no record",
	"UserService.RegisterPatient": "makes a new account and record; reads no record",
	"SettingsService.Setup":       "refused once the clinic is set up",
	// The sync service is package data/sync's, with its own role matrix
	// (data/sync/matrix_test.go).
	"SyncService.EnrollDesk":        "administrators only (data/sync's matrix)",
	"SyncService.TestServer":        "administrators only (data/sync's matrix)",
	"SyncService.ListConflicts":     "app.CanSeeConflicts: administrators and reception",
	"SyncService.ResolveConflict":   "app.CanSeeBillingConflicts: administrators and billing staff",
	"SyncService.SettleOverpayment": "PermManageBilling: billing staff and administrators; the patient is the invoice's, and another patient's invoice is refused (data/sync TestDoublePaymentBecomesBillingConflict)",
	"SyncService.SyncNow":           "takes no identifier; reports counts of rows sent and received",
	"SyncService.SyncStatus":        "takes no identifier; reports the desk's sync state and counts",
	"SyncService.RunSync":           "takes no identifier; the desk's sync loop",
	"SyncService.DeskVersions":      "administrators only (data/sync's matrix); desk codes and versions, no patient data",
}

// TestEveryMethodListedForPatients: every method of every service is in
// crossPatient or notForPatients, and a method in neither list that the
// role matrix lets a patient call is a method nobody has probed.
func TestEveryMethodListedForPatients(t *testing.T) {
	services := reflect.TypeFor[app.Services]()
	for i := range services.NumField() {
		iface := services.Field(i).Type
		for m := range iface.NumMethod() {
			name := iface.Name() + "." + iface.Method(m).Name
			_, probed := crossPatient[name]
			_, why := notForPatients[name]
			switch {
			case probed && why:
				t.Errorf("%s is in both lists", name)
			case probed || why:
			default:
				mc, inMatrix := matrix[name]
				if !inMatrix {
					t.Errorf("%s is not in the role matrix", name)
				} else if mc.public || slices.Contains(mc.allowed, app.RolePatient) {
					t.Errorf("%s: a patient may call it; add a probe to crossPatient with every identifier of another patient's", name)
				}
			}
		}
	}
}

// crossAt is a clinic-local time of the fixture's clinic (Athens).
func crossAt(day, hhmm string) time.Time {
	athens, _ := time.LoadLocation("Europe/Athens")
	t, _ := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, athens)
	return t
}

// giveOtherPatientRecords gives B a clinical record, an issued invoice
// with a payment, an appointment and an attachment, made by staff.
func giveOtherPatientRecords(t *testing.T, c *clinic) *otherPatient {
	t.Helper()
	b := &otherPatient{patientID: c.patient2.PatientID, userID: c.patient2.ID, username: c.patient2.Username}
	admin := c.ctx(app.RoleAdmin)
	p, err := c.svc.Patients.FindPatientByID(admin, b.patientID)
	if err != nil {
		t.Fatal(err)
	}
	b.mrn = p.MRN
	r, err := giveClinicalRecord(c)
	if err != nil {
		t.Fatal(err)
	}
	b.allergy, b.problem, b.note, b.rx, b.assignment = r.allergy, r.problem, r.note, r.prescription, r.assignment
	dx, err := c.svc.Diagnoses.AddDiagnosis(c.ctx(app.RoleDoctor), app.DiagnosisCreate{PatientID: b.patientID,
		NoteID: r.note, Code: "J45.909", Text: "night cough"})
	if err != nil {
		t.Fatal(err)
	}
	b.diagnosis = dx.ID
	if _, err := c.svc.Billing.CreatePriceItem(c.ctx(app.RoleAdmin), app.PriceItemInput{Code: "CONS", Name: "Consultation",
		Kind: app.PriceConsultation, Price: 4000}); err != nil {
		t.Fatal(err)
	}
	visit, err := c.svc.Visits.StartVisit(c.ctx(app.RoleDoctor), app.VisitStart{PatientID: b.patientID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Visits.LetterPDF(c.ctx(app.RoleDoctor), app.LetterRequest{PatientID: b.patientID,
		Kind: app.LetterSickNote, From: "2026-11-25", To: "2026-11-26", Text: "Night cough."}); err != nil {
		t.Fatal(err)
	}
	letters, err := c.svc.Visits.FindLetters(c.ctx(app.RoleDoctor), b.patientID)
	if err != nil || len(letters) != 1 || letters[0].VisitID != visit.ID {
		t.Fatalf("the letter of the visit: %+v, %v", letters, err)
	}
	b.letter = letters[0].ID
	if visit, err = c.svc.Visits.CompleteVisit(c.ctx(app.RoleDoctor), visit.ID, nil); err != nil {
		t.Fatal(err)
	}
	b.visit = visit.ID
	rx, err := c.svc.Clinical.PrescriptionPDF(c.ctx(app.RoleDoctor), r.prescription)
	if err != nil || len(rx) == 0 {
		t.Fatal(err)
	}
	rxs, err := c.svc.Clinical.FindPrescriptions(c.ctx(app.RoleDoctor), b.patientID)
	if err != nil || len(rxs) == 0 {
		t.Fatal(err)
	}
	b.rxNumber = rxs[0].Number
	bill := c.ctx(app.RoleBilling)
	inv, err := c.svc.Billing.CreateDraftInvoice(bill, app.DraftInvoice{PatientID: b.patientID,
		Lines: []app.LineInput{{Description: "Dressing", Quantity: 1, UnitPrice: 700}}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = c.svc.Billing.IssueInvoice(bill, inv.ID); err != nil {
		t.Fatal(err)
	}
	b.invoiceID, b.invoiceNumber = inv.ID, inv.Number
	pay, err := c.svc.Billing.TakePayment(bill, app.PaymentInput{Method: app.PayCash, Amount: 300,
		Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 300}}})
	if err != nil {
		t.Fatal(err)
	}
	b.paymentID, b.receiptNumber = pay.ID, pay.ReceiptNumber
	doctor := c.users[app.RoleDoctor].ID
	if _, err := c.svc.Appointments.SetAvailability(admin, doctor, []app.Availability{
		{Weekday: time.Wednesday, Start: "08:00", End: "18:00", SlotMinutes: 15},
		{Weekday: time.Thursday, Start: "08:00", End: "18:00", SlotMinutes: 15}}); err != nil {
		t.Fatal(err)
	}
	a, err := c.svc.Appointments.Book(admin, app.AppointmentCreate{PatientID: b.patientID, DoctorID: doctor,
		Start: crossAt("2026-11-25", "14:00"), Reason: "Check-up"})
	if err != nil {
		t.Fatal(err)
	}
	b.appointmentID = a.ID
	att, err := c.svc.Attachments.AttachFile(c.ctx(app.RoleDoctor), app.AttachmentCreate{PatientID: b.patientID,
		Title: "Urinalysis", Type: app.AttachmentLab, Date: "2026-11-24", FileName: "urinalysis.txt",
		Content: []byte("Protein: negative\n")})
	if err != nil {
		t.Fatal(err)
	}
	b.attachmentID = att.ID
	return b
}

// TestCrossPatient runs every probe as patient A against patient B's
// records.
func TestCrossPatient(t *testing.T) {
	c := mustSetup(t)
	b := giveOtherPatientRecords(t, c)
	ctx := c.ctx(app.RolePatient)
	names := make([]string, 0, len(crossPatient))
	for name := range crossPatient {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			before := snapshotOf(t, c, b)
			for _, o := range crossPatient[name](ctx, c, b) {
				for _, m := range b.markers() {
					if o.err != nil && m != "" && strings.Contains(app.ErrorMessage(o.err), m) {
						t.Errorf("%s: the refusal names another patient's %q: %v", o.call, m, o.err)
					}
				}
				switch code(o.err) {
				case "":
					if o.write {
						t.Errorf("%s: a patient changed another patient's record", o.call)
						continue
					}
					js, err := json.Marshal(o.value)
					if err != nil {
						t.Fatalf("%s: %v", o.call, err)
					}
					for _, m := range b.markers() {
						if m != "" && strings.Contains(string(js), m) {
							t.Errorf("%s returned another patient's %q: %s", o.call, m, js)
						}
					}
				case app.EUNAUTHORIZED, app.ENOTFOUND:
				default:
					if !o.write && !(o.invalid && code(o.err) == app.EINVALID) {
						t.Errorf("%s: %v, want nothing of another patient's or EUNAUTHORIZED", o.call, o.err)
					}
				}
			}
			if after := snapshotOf(t, c, b); after != before {
				t.Errorf("%s changed another patient's records:\nbefore %s\nafter  %s", name, before, after)
			}
		})
	}
}

// snapshotOf renders B's records as staff see them, to tell a change.
func snapshotOf(t *testing.T, c *clinic, b *otherPatient) string {
	t.Helper()
	admin := c.ctx(app.RoleAdmin)
	p, err := c.svc.Patients.FindPatientByID(admin, b.patientID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.svc.Appointments.FindAppointment(admin, b.appointmentID)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.svc.Billing.FindInvoice(admin, b.invoiceID)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s %s %s %s %s %s %d", p.Phone, p.Address, p.UpdatedAt, a.Status, a.Start, inv.Status, inv.Totals.Total)
}
