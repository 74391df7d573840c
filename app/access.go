package app

import (
	"strings"
)

// Who may do what, beyond the role table of roles.go: the rules that also
// look at whose record it is. Each rule is a pure function of the caller
// and of the record concerned. It returns nil when the caller may, else the
// reason: an EUNAUTHORIZED *Error whose message, fit for the person at the
// desk, begins "You are not allowed to" (a few rules answer ENOTFOUND instead, where a record must look
// absent, and say so). The data services call them inside the transaction
// of the method they guard, and write the denial to the audit log; the UI
// only hides what a role cannot use.
//
// Where a method reads a record by id, it checks twice: first a rule about
// the caller alone (may they read any record of this kind at all?), so that
// a caller who may see none learns nothing about the id; then, once the
// record is read, the rule about this record.

// Can reports whether the caller is logged in with a role that has p.
func (c Caller) Can(p Permission) bool { return c.Role != "" && Can(c.Role, p) }

// CanAny reports whether the caller has one of perms.
func (c Caller) CanAny(perms ...Permission) bool {
	for _, p := range perms {
		if c.Can(p) {
			return true
		}
	}
	return false
}

// ownSchedule: the caller is the doctor whose schedule it is.
func (c Caller) ownSchedule(doctorID string) bool {
	return c.Can(PermOwnSchedule) && c.UserID != "" && c.UserID == doctorID
}

// ownRecord: the caller is a patient and patientID is their own record.
func (c Caller) ownRecord(patientID string, p Permission) bool {
	return c.Role == RolePatient && c.Can(p) && c.PatientID != "" && c.PatientID == patientID
}

// denied is the error of a refused call.
func denied(format string, args ...any) error {
	return Errorf(EUNAUTHORIZED, format, args...)
}

// permissionPhrases say what each permission allows, to finish the
// sentence "You are not allowed to …".
var permissionPhrases = map[Permission]string{
	PermManageStaff:        "manage staff accounts",
	PermViewStaff:          "see staff accounts",
	PermManageSettings:     "change the clinic's settings",
	PermViewAudit:          "read the audit log",
	PermRegisterPatient:    "register patients",
	PermEditPatient:        "edit patients' records",
	PermViewPatient:        "see patients' records",
	PermArchivePatient:     "archive or restore patients' records",
	PermViewOwnRecord:      "see your own record",
	PermExportPatients:     "export the patients' list",
	PermViewClinical:       "read clinical records",
	PermWriteClinical:      "write clinical notes, diagnoses and prescriptions",
	PermWriteNursing:       "record vitals and nursing notes or attach documents",
	PermAssignDoctor:       "assign doctors to patients",
	PermManageAppointments: "manage appointments",
	PermOwnSchedule:        "keep a doctor's schedule",
	PermViewAppointments:   "see appointments",
	PermCheckIn:            "check patients in",
	PermBookOwn:            "book your own appointments",
	PermManageBilling:      "manage invoices",
	PermTakePayment:        "take payments",
	PermViewOwnBills:       "see your own bills",
	PermViewStatistics:     "see the clinic's statistics",
	PermViewOwnStats:       "see your own figures",
	PermViewFinancial:      "see the financial figures",
}

// Phrase says what the permission allows ("take payments").
func (p Permission) Phrase() string {
	if s, ok := permissionPhrases[p]; ok {
		return s
	}
	return string(p)
}

// RequireLoggedIn: any logged-in caller.
func RequireLoggedIn(c Caller) error {
	if c.Role == "" {
		return denied("You are not allowed to do this without logging in: log in first.")
	}
	return nil
}

// RequireAny: a logged-in caller whose role has one of perms.
func RequireAny(c Caller, perms ...Permission) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.CanAny(perms...) {
		return nil
	}
	phrases := make([]string, len(perms))
	for i, p := range perms {
		phrases[i] = p.Phrase()
	}
	return denied("You are not allowed to %s.", strings.Join(phrases, " or "))
}

// ---- patients and their clinical records ----

// ownOrStaff lets a patient reach their own record (PermViewOwnRecord) and
// staff with perm reach any.
func ownOrStaff(c Caller, patientID string, perm Permission) error {
	if c.Role == RolePatient && c.Can(PermViewOwnRecord) {
		if c.ownRecord(patientID, PermViewOwnRecord) {
			return nil
		}
		return denied("You are not allowed to see another patient's record.")
	}
	return RequireAny(c, perm)
}

// CanViewPatient: staff who see patients' records, any patient's; a patient,
// their own. An empty patientID (an unknown record) is nobody's own.
func CanViewPatient(c Caller, patientID string) error {
	return ownOrStaff(c, patientID, PermViewPatient)
}

// CanViewClinicalRecord: staff who read clinical records, any patient's; a
// patient, their own. An empty patientID (an unknown record) is nobody's own.
func CanViewClinicalRecord(c Caller, patientID string) error {
	return ownOrStaff(c, patientID, PermViewClinical)
}

// CanReadClinicalRecords: may the caller read any clinical record at all
// (staff who read clinical records, or a patient)? Checked before a record
// read by id is looked up.
func CanReadClinicalRecords(c Caller) error {
	if c.Role == RolePatient {
		return RequireAny(c, PermViewOwnRecord)
	}
	return RequireAny(c, PermViewClinical)
}

// CanSeeArchived is the archived-patient rule: an archived record is seen
// by those who may archive and restore records (administrators) and by the
// patient themself. To anyone else it answers ENOTFOUND, as a record that
// is not there: they find it again once it is restored. A record that is
// not archived is seen by whoever passed the rules above.
func CanSeeArchived(c Caller, p *Patient) error {
	if !p.Archived() || c.Can(PermArchivePatient) || (c.PatientID != "" && c.PatientID == p.ID) {
		return nil
	}
	return Errorf(ENOTFOUND, "This patient's record is archived; ask an administrator.")
}

// AuditsOpening reports whether the caller opening one record of the
// patient's (a chart, an invoice, a payment, a statement) is a read of
// another person's record, which the audit log keeps: any caller but the
// patient themself. Lists are not opens: their rows are not audited one by
// one.
func AuditsOpening(c Caller, patientID string) bool {
	return !(c.Role == RolePatient && c.PatientID != "" && c.PatientID == patientID)
}

// CanEditOwnContact: a patient with a record of their own changes its
// contact details.
func CanEditOwnContact(c Caller) error {
	if err := RequireAny(c, PermViewOwnRecord); err != nil {
		return err
	}
	if c.PatientID == "" {
		return denied("You are not allowed to change contact details: your account has no patient record of its own.")
	}
	return nil
}

// CanWriteNote: a clinical note needs a doctor (PermWriteClinical), a
// nursing note a nurse or a doctor (PermWriteNursing).
func CanWriteNote(c Caller, kind NoteKind) error {
	if kind == NoteNursing {
		return RequireAny(c, PermWriteNursing)
	}
	return RequireAny(c, PermWriteClinical)
}

// ---- bills ----

// CanHandleBills: the staff who work with bills (billing clerks and
// administrators manage them, reception takes payments) see every
// patient's, the price list and the outstanding invoices.
func CanHandleBills(c Caller) error {
	return RequireAny(c, PermManageBilling, PermTakePayment)
}

// CanSeeBills: may the caller see any bill at all (billing staff, or a
// patient their own)? Checked before a bill read by id is looked up.
func CanSeeBills(c Caller) error {
	return RequireAny(c, PermManageBilling, PermTakePayment, PermViewOwnBills)
}

// CanSeeBillsOf: billing staff see any patient's bills; a patient their
// own only. An empty patientID (an unknown bill) is nobody's own. Every
// read of a bill, whatever identifier found it (id, number, filter), must
// pass this rule with the bill's own patient.
func CanSeeBillsOf(c Caller, patientID string) error {
	if c.CanAny(PermManageBilling, PermTakePayment) || c.ownRecord(patientID, PermViewOwnBills) {
		return nil
	}
	if c.Can(PermViewOwnBills) {
		return denied("You are not allowed to see another patient's bills.")
	}
	return CanSeeBills(c)
}

// BillsScope is the own-record rule of a list of bills: the patient the
// list must be kept to, whatever else its filter names (a number, a
// status, a page). Billing staff get requested as it is ("" for every
// patient's); a patient gets their own record, and a filter naming another
// patient is refused. Every branch of a bills' list applies the answer.
func BillsScope(c Caller, requested string) (string, error) {
	if CanHandleBills(c) == nil {
		return requested, nil
	}
	if requested == "" {
		requested = c.PatientID
	}
	if err := CanSeeBillsOf(c, requested); err != nil {
		return "", err
	}
	return requested, nil
}

// CanSeePriceList: the clinic's prices are for billing staff, and for
// patients, who see what a visit costs; not for clinical staff, whose work
// it is not.
func CanSeePriceList(c Caller) error {
	return RequireAny(c, PermManageBilling, PermTakePayment, PermViewOwnBills)
}

// CanSeeInvoice: CanSeeBillsOf the invoice's patient; and a draft is not a
// bill yet: outside billing staff it answers ENOTFOUND, as an invoice that
// is not there.
func CanSeeInvoice(c Caller, inv *Invoice) error {
	if err := CanSeeBillsOf(c, inv.PatientID); err != nil {
		return err
	}
	if inv.Status == InvoiceDraft && CanHandleBills(c) != nil {
		return Errorf(ENOTFOUND, "There is no such invoice.")
	}
	return nil
}

// CanSeeCashUp: whoever manages billing sees every cashier's day; whoever
// takes payments, their own.
func CanSeeCashUp(c Caller, cashierID string) error {
	if c.Can(PermManageBilling) || (c.Can(PermTakePayment) && c.UserID != "" && c.UserID == cashierID) {
		return nil
	}
	if c.Can(PermTakePayment) {
		return denied("You are not allowed to see another cashier's cash-up.")
	}
	return RequireAny(c, PermManageBilling, PermTakePayment)
}

// ---- appointments and doctors' hours ----

// CanManageHours: administrators (who manage staff) and the doctor themself
// change a doctor's profile, weekly hours, leave and extra sessions.
func CanManageHours(c Caller, doctorID string) error {
	if c.Can(PermManageStaff) || c.ownSchedule(doctorID) {
		return nil
	}
	if c.Can(PermOwnSchedule) {
		return denied("You are not allowed to change another doctor's hours.")
	}
	return RequireAny(c, PermManageStaff, PermOwnSchedule)
}

// CanManageAppointmentsOf: the caller acts as staff on a doctor's
// appointments (reception and administrators on any doctor's, a doctor on
// their own): they book for any patient, outside hours with a reason,
// confirm, mark no-shows, take walk-ins.
func CanManageAppointmentsOf(c Caller, doctorID string) error {
	if c.Can(PermManageAppointments) || c.ownSchedule(doctorID) {
		return nil
	}
	if c.Can(PermOwnSchedule) {
		return denied("You are not allowed to manage another doctor's appointments.")
	}
	return RequireAny(c, PermManageAppointments, PermOwnSchedule)
}

// CanBook: staff of the doctor's appointments book for anyone; a patient
// asks for a visit for themself.
func CanBook(c Caller, patientID, doctorID string) error {
	if CanManageAppointmentsOf(c, doctorID) == nil || c.ownRecord(patientID, PermBookOwn) {
		return nil
	}
	switch {
	case c.Can(PermBookOwn):
		return denied("You are not allowed to book for another patient.")
	case c.Can(PermOwnSchedule):
		return denied("You are not allowed to book in another doctor's schedule.")
	}
	return RequireAny(c, PermManageAppointments, PermOwnSchedule, PermBookOwn)
}

// CanBookOutsideHours: only staff of the doctor's appointments book
// outside the doctor's hours (with a recorded reason).
func CanBookOutsideHours(c Caller, doctorID string) error {
	if CanManageAppointmentsOf(c, doctorID) == nil {
		return nil
	}
	return denied("You are not allowed to book outside the doctor's hours: only the clinic's staff may.")
}

// CanChangeAppointment: staff of the doctor's appointments move and cancel
// any of them; a patient, their own.
func CanChangeAppointment(c Caller, a *Appointment) error {
	if CanManageAppointmentsOf(c, a.DoctorID) == nil || c.ownRecord(a.PatientID, PermBookOwn) {
		return nil
	}
	switch {
	case c.Can(PermBookOwn):
		return denied("You are not allowed to change another patient's appointment.")
	case c.Can(PermOwnSchedule):
		return denied("You are not allowed to change another doctor's appointment.")
	}
	return RequireAny(c, PermManageAppointments, PermOwnSchedule, PermBookOwn)
}

// CanCheckIn: whoever checks patients in (reception, nurses,
// administrators), any appointment; a doctor, those of their schedule.
func CanCheckIn(c Caller, a *Appointment) error {
	if c.Can(PermCheckIn) || c.ownSchedule(a.DoctorID) {
		return nil
	}
	if c.Can(PermOwnSchedule) {
		return denied("You are not allowed to check in another doctor's patients.")
	}
	return RequireAny(c, PermCheckIn, PermOwnSchedule)
}

// completesAny: those who both manage appointments and read clinical
// records (administrators) complete any visit.
func (c Caller) completesAny() bool {
	return c.Can(PermManageAppointments) && c.Can(PermViewClinical)
}

// CanCompleteVisits: may the caller complete any visit at all? Closing a
// visit is a clinical act: a doctor (of their own schedule) or whoever both
// manages appointments and reads clinical records (an administrator), not
// reception. Checked before the appointment is read.
func CanCompleteVisits(c Caller) error {
	if c.Can(PermOwnSchedule) || c.completesAny() {
		return nil
	}
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	return denied("You are not allowed to complete visits: only the doctor or an administrator may.")
}

// CanCompleteVisit: the doctor whose schedule it is, or an administrator.
func CanCompleteVisit(c Caller, a *Appointment) error {
	if c.ownSchedule(a.DoctorID) || c.completesAny() {
		return nil
	}
	if c.Can(PermOwnSchedule) {
		return denied("You are not allowed to complete another doctor's visits.")
	}
	return CanCompleteVisits(c)
}

// CanSeeAllAppointments: staff who see appointments see every doctor's and
// every patient's (the reception board, any calendar).
func CanSeeAllAppointments(c Caller) error {
	return RequireAny(c, PermViewAppointments)
}

// CanSeeAppointment: staff who see appointments, any; a patient, their own.
func CanSeeAppointment(c Caller, a *Appointment) error {
	return CanSeeAppointmentsOf(c, a.PatientID)
}

// CanSeeAppointmentsOf: staff who see appointments see any patient's; a
// patient their own. An empty patientID (an unknown appointment) is
// nobody's own.
func CanSeeAppointmentsOf(c Caller, patientID string) error {
	if c.Can(PermViewAppointments) || c.ownRecord(patientID, PermBookOwn) {
		return nil
	}
	if c.Can(PermBookOwn) {
		return denied("You are not allowed to see another patient's appointments.")
	}
	return RequireAny(c, PermViewAppointments, PermBookOwn)
}

// CanSeeScheduleOf: staff who see appointments see any doctor's day and
// week; a doctor their own.
func CanSeeScheduleOf(c Caller, doctorID string) error {
	if c.Can(PermViewAppointments) || c.ownSchedule(doctorID) {
		return nil
	}
	return RequireAny(c, PermViewAppointments, PermOwnSchedule)
}

// CanSeeFreeSlots: whoever may see or book appointments sees a doctor's
// free slots (they say only when the doctor is free).
func CanSeeFreeSlots(c Caller) error {
	return RequireAny(c, PermViewAppointments, PermOwnSchedule, PermManageAppointments, PermBookOwn)
}

// ---- statistics ----

// CanSeeDashboard: administrators see the whole clinic's figures, billing
// clerks the financial ones (the service leaves the others out).
func CanSeeDashboard(c Caller) error {
	return RequireAny(c, PermViewStatistics, PermViewFinancial)
}

// CanSeeDoctorDashboard: a doctor sees their own dashboard; whoever sees
// the clinic's statistics sees any doctor's.
func CanSeeDoctorDashboard(c Caller, doctorID string) error {
	if c.Can(PermViewStatistics) || (c.Can(PermViewOwnStats) && c.UserID != "" && c.UserID == doctorID) {
		return nil
	}
	if c.Can(PermViewOwnStats) {
		return denied("You are not allowed to see another doctor's figures.")
	}
	return RequireAny(c, PermViewStatistics)
}

// Permission is what a chart's figures need: the financial ones
// PermViewFinancial, the others PermViewStatistics.
func (k SeriesKind) Permission() Permission {
	if k.Financial() {
		return PermViewFinancial
	}
	return PermViewStatistics
}

// CanSeeSeries: the permission the chart's figures need.
func CanSeeSeries(c Caller, kind SeriesKind) error {
	return RequireAny(c, kind.Permission())
}

// Permission is what a report needs, or EINVALID for an unknown kind.
func (k ReportKind) Permission() (Permission, error) {
	switch k {
	case ReportAppointments, ReportNewPatients:
		return PermViewStatistics, nil
	case ReportRevenue, ReportOutstanding:
		return PermViewFinancial, nil
	case ReportAuditLog:
		return PermViewAudit, nil
	case ReportMorbidity:
		// Administrators and doctors hold it; the report itself keeps a
		// doctor to their own patients (CanSeeMorbidity).
		return PermViewOwnStats, nil
	}
	return "", FieldErrorf("kind", "Unknown report %q: choose one of appointments, revenue, outstanding, new_patients, audit_log, morbidity.", k)
}

// CanSeeReport: the permission the report needs (EINVALID for an unknown
// report, whoever asks).
func CanSeeReport(c Caller, kind ReportKind) error {
	p, err := kind.Permission()
	if err != nil {
		return err
	}
	return RequireAny(c, p)
}

// ---- accounts and sync ----

// AccountNow is a caller's account as its row says now, read at each call.
type AccountNow struct {
	Exists     bool
	Role       Role
	Status     UserStatus
	SessionGen int64
}

// CheckSession: a session follows its account. A call made in a session
// opened before the account was deactivated (or removed), its role
// changed, or its password set by an administrator fails with ESESSION
// and a message saying why, which the window shows on the login screen. A
// caller without an account (nobody, the command line) has no session to
// check.
func CheckSession(c Caller, now AccountNow) error {
	if c.UserID == "" {
		return nil
	}
	switch {
	case !now.Exists:
		return Errorf(ESESSION, "Your account no longer exists, so you have been logged out.")
	case now.Status != StatusActive:
		return Errorf(ESESSION, "Your account has been deactivated, so you have been logged out. Ask an administrator.")
	case now.Role != c.Role:
		return Errorf(ESESSION, "Your role has changed to %s, so you have been logged out: log in again.",
			Lower(now.Role.Label()))
	case now.SessionGen != c.SessionGen:
		return Errorf(ESESSION, "An administrator has set a new password for your account, so you have been logged out: log in with the new password.")
	}
	return nil
}

// CanSeeAccount: everyone sees their own account; whoever sees staff
// accounts, any.
func CanSeeAccount(c Caller, userID string) error {
	if c.UserID != "" && c.UserID == userID {
		return nil
	}
	return RequireAny(c, PermViewStaff)
}

// CanSeeConflicts: the sync conflicts are reviewed by whoever manages the
// settings, and by whoever manages appointments (a booking that lost is
// reception's to rearrange).
func CanSeeConflicts(c Caller) error {
	return RequireAny(c, PermManageSettings, PermManageAppointments)
}

// CanSeeBillingConflicts: invoices overpaid on desks apart are for
// whoever manages billing, and for admins.
func CanSeeBillingConflicts(c Caller) error {
	return RequireAny(c, PermManageBilling, PermManageSettings)
}

// CanKeepDrafts: any logged-in user with an account keeps their own
// drafts (the command line has no account to keep them for).
func CanKeepDrafts(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.UserID == "" {
		return denied("You are not allowed to keep drafts without an account of your own.")
	}
	return nil
}

// CanDiscardDraft: a draft is its writer's alone; to anyone else it does
// not exist, so its id tells them nothing.
func CanDiscardDraft(c Caller, ownerID string) error {
	if err := CanKeepDrafts(c); err != nil {
		return err
	}
	if c.UserID != ownerID {
		return Errorf(ENOTFOUND, "There is no such draft.")
	}
	return nil
}

// ---- the drug catalogue ----

// CanEditDrugCatalogue: administrators add the clinic's products and
// brands. The catalogue is safety-critical reference data: the prescribing
// check reads it.
func CanEditDrugCatalogue(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageSettings) {
		return nil
	}
	return denied("You are not allowed to change the drug catalogue: administrators add products and brands.")
}

// CanReadDrugCatalogue: the staff who prescribe, dispense or record
// allergies read the catalogue, the clinic's additions included.
func CanReadDrugCatalogue(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.CanAny(PermManageSettings, PermViewClinical) {
		return nil
	}
	return denied("You are not allowed to see the drug catalogue.")
}

// CanManageBackups: administrators set up, run, check and restore backups.
func CanManageBackups(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageSettings) {
		return nil
	}
	return denied("You are not allowed to set up, run or restore backups: administrators do.")
}
