package app

import (
	"slices"

	"hms/app/i18n"
)

// Role is what a user account is: it decides which permissions it has.
type Role string

// The roles of DESIGN.md.
const (
	RoleAdmin     Role = "admin"
	RoleDoctor    Role = "doctor"
	RoleNurse     Role = "nurse"
	RoleReception Role = "reception"
	RoleBilling   Role = "billing"
	RolePatient   Role = "patient"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{RoleAdmin, RoleDoctor, RoleNurse, RoleReception, RoleBilling, RolePatient}

// StaffRoles are the roles a member of staff may ask for when registering.
var StaffRoles = []Role{RoleDoctor, RoleNurse, RoleReception, RoleBilling}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the role's name as people say it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return i18n.N("Administrator")
	case RoleDoctor:
		return i18n.N("Doctor")
	case RoleNurse:
		return i18n.N("Nurse")
	case RoleReception:
		return i18n.N("Receptionist")
	case RoleBilling:
		return i18n.N("Billing clerk")
	case RolePatient:
		return i18n.N("Patient")
	}
	return string(r)
}

// ParseRole turns user input ("doctor", "Doctor") into a Role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s || r.Label() == s {
			return r, nil
		}
	}
	return "", FieldErrorf("role", "Unknown role %q: choose one of admin, doctor, nurse, reception, billing, patient.", s)
}

// Permission names one thing a role may do. Service methods check one
// permission each, inside their own transaction.
type Permission string

// Permissions, after the table in DESIGN.md.
const (
	PermManageStaff    Permission = "staff.manage"    // create, approve, change role, deactivate, unlock, reset password
	PermViewStaff      Permission = "staff.view"      // list staff accounts
	PermManageSettings Permission = "settings.manage" // edit the clinic's settings
	PermViewAudit      Permission = "audit.view"      // read the audit log

	PermRegisterPatient Permission = "patient.register" // create a patient record
	PermEditPatient     Permission = "patient.edit"     // edit any patient's record
	PermViewPatient     Permission = "patient.view"     // view any patient's demographics
	PermArchivePatient  Permission = "patient.archive"  // archive (soft-delete) a patient
	PermViewOwnRecord   Permission = "patient.own"      // a patient sees and edits their own contact details
	PermExportPatients  Permission = "patient.export"   // export every patient's demographics

	PermViewClinical  Permission = "clinical.view"    // read clinical records
	PermWriteClinical Permission = "clinical.write"   // notes, prescriptions, diagnoses (doctors)
	PermWriteNursing  Permission = "clinical.nursing" // vitals, nursing notes, report uploads (nurses)
	PermAssignDoctor  Permission = "patient.assign"   // assign a doctor to a patient

	PermManageAppointments Permission = "appointment.manage" // book, reschedule, cancel any appointment
	PermOwnSchedule        Permission = "appointment.own"    // a doctor's own schedule
	PermViewAppointments   Permission = "appointment.view"   // see appointments
	PermCheckIn            Permission = "appointment.checkin"
	PermBookOwn            Permission = "appointment.book_own" // a patient books and cancels their own

	PermManageBilling Permission = "billing.manage" // invoices, voids, refunds
	PermTakePayment   Permission = "billing.pay"    // take a payment and print the receipt
	PermViewOwnBills  Permission = "billing.own"    // a patient sees their own bills

	PermViewStatistics Permission = "stats.all"       // the whole clinic's figures
	PermViewOwnStats   Permission = "stats.own"       // a doctor's own figures
	PermViewFinancial  Permission = "stats.financial" // the financial figures
)

var rolePermissions = map[Role][]Permission{
	RoleAdmin: {
		PermManageStaff, PermViewStaff, PermManageSettings, PermViewAudit,
		PermRegisterPatient, PermEditPatient, PermViewPatient, PermArchivePatient, PermExportPatients,
		PermViewClinical, PermAssignDoctor,
		PermManageAppointments, PermViewAppointments, PermCheckIn,
		PermManageBilling, PermTakePayment,
		PermViewStatistics, PermViewOwnStats, PermViewFinancial,
	},
	RoleDoctor: {
		PermEditPatient, PermViewPatient,
		PermViewClinical, PermWriteClinical, PermWriteNursing, PermAssignDoctor,
		PermOwnSchedule, PermViewAppointments,
		PermViewOwnStats,
	},
	RoleNurse: {
		PermEditPatient, PermViewPatient,
		PermViewClinical, PermWriteNursing,
		PermViewAppointments, PermCheckIn,
	},
	RoleReception: {
		PermRegisterPatient, PermEditPatient, PermViewPatient, PermAssignDoctor,
		PermManageAppointments, PermViewAppointments, PermCheckIn,
		PermTakePayment,
	},
	RoleBilling: {
		PermViewPatient,
		PermViewAppointments,
		PermManageBilling, PermTakePayment,
		PermViewFinancial,
	},
	RolePatient: {
		PermViewOwnRecord, PermBookOwn, PermViewOwnBills,
	},
}

// Can reports whether a role has a permission. It is a pure function: the
// whole of the clinic's access policy is the table above.
func Can(r Role, p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}

// PermissionsOf returns a copy of the permissions a role has.
func PermissionsOf(r Role) []Permission {
	return slices.Clone(rolePermissions[r])
}

// Area is one place of the main window's navigation.
type Area string

// The areas of the main window, in the order of the navigation.
const (
	AreaPatients     Area = "Patients"
	AreaAppointments Area = "Appointments"
	AreaBilling      Area = "Billing"
	AreaDashboard    Area = "Dashboard"
	AreaStaff        Area = "Staff"
	AreaSettings     Area = "Settings"
	AreaAudit        Area = "Audit"
	AreaMyRecord     Area = "My record"
)

// AreasFor returns the areas of the main window a role may use. The UI shows
// only these; the services check permissions again on every call.
func AreasFor(r Role) []Area {
	var out []Area
	if Can(r, PermViewPatient) {
		out = append(out, AreaPatients)
	}
	if Can(r, PermViewAppointments) || Can(r, PermOwnSchedule) {
		out = append(out, AreaAppointments)
	}
	if Can(r, PermManageBilling) || Can(r, PermTakePayment) {
		out = append(out, AreaBilling)
	}
	if Can(r, PermViewStatistics) || Can(r, PermViewOwnStats) || Can(r, PermViewFinancial) {
		out = append(out, AreaDashboard)
	}
	if Can(r, PermManageStaff) {
		out = append(out, AreaStaff)
	}
	if Can(r, PermManageSettings) {
		out = append(out, AreaSettings)
	}
	if Can(r, PermViewAudit) {
		out = append(out, AreaAudit)
	}
	if Can(r, PermViewOwnRecord) {
		out = append(out, AreaMyRecord)
	}
	return out
}
