package app

import (
	"context"
	"strings"
	"time"
)

// VisitStatus is where a visit stands.
type VisitStatus string

// Visit statuses.
const (
	VisitOpen      VisitStatus = "open"
	VisitCompleted VisitStatus = "completed"
)

// HistoryVisit marks a patient's timeline entries about visits.
const HistoryVisit HistoryKind = "visit"

// Visit is a doctor's encounter with a patient: started from the day's
// list, a booked appointment or the chart; the notes, vitals,
// prescriptions and diagnoses recorded for the patient while it is open
// are linked to it; completing it makes the draft invoice.
type Visit struct {
	ID            string
	PatientID     string
	DoctorID      string
	DoctorName    string
	AppointmentID string
	Status        VisitStatus
	StartedAt     time.Time
	CompletedAt   time.Time
	InvoiceID     string // the draft made at completion
	Records       []VisitRecord
}

// VisitRecord is a record made during a visit: its table (notes, vitals,
// prescriptions, diagnoses, letters) and id.
type VisitRecord struct {
	Entity   string
	RecordID string
}

// VisitStart starts a visit, from an appointment of the patient's with
// the calling doctor or without one.
type VisitStart struct {
	PatientID     string
	AppointmentID string
}

// VisitServiceLine is a service of the price list performed in a visit.
type VisitServiceLine struct {
	PriceItemID string
	Quantity    int64
}

// VisitService runs the doctor's visits.
type VisitService interface {
	// StartVisit opens a visit of the calling doctor with a patient;
	// refused while the patient has a visit open.
	StartVisit(ctx context.Context, s VisitStart) (*Visit, error)
	// CompleteVisit closes the calling doctor's open visit and makes its
	// draft invoice: the consultation (the doctor's price-list item) and
	// the services performed, which billing then issues.
	CompleteVisit(ctx context.Context, visitID string, services []VisitServiceLine) (*Visit, error)
	// FindVisits lists a patient's visits, newest first, each with the
	// records made during it. Staff with clinical access; a patient their
	// own.
	FindVisits(ctx context.Context, patientID string) ([]*Visit, error)
	// FindVisitServices lists the price list's current services a doctor
	// orders in a visit (every kind but consultations, which completion
	// adds itself), by code; query narrows by a fragment of the code or
	// name. Doctors.
	FindVisitServices(ctx context.Context, query string) ([]*PriceItem, error)
	// LetterPDF writes a sick note or a referral letter for a patient,
	// signed with the calling doctor's name and registration number; the
	// patient's history notes it. Doctors.
	LetterPDF(ctx context.Context, r LetterRequest) ([]byte, error)
	// FindLetters lists a patient's letters, newest first. Staff with
	// clinical access; a patient their own.
	FindLetters(ctx context.Context, patientID string) ([]*Letter, error)
	// FindVisitLetters lists the letters written during a visit, oldest
	// first. The same rule, decided on the visit's patient.
	FindVisitLetters(ctx context.Context, visitID string) ([]*Letter, error)
	// ReprintLetter renders a letter again as it was issued, marked
	// COPY. The same rule, decided on the letter's patient.
	ReprintLetter(ctx context.Context, letterID string) ([]byte, error)
}

// CanCompleteClinicalVisit: only the doctor of a visit completes it, while it is
// open.
func CanCompleteClinicalVisit(c Caller, v *Visit) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if !c.Can(PermWriteClinical) {
		return denied("You are not allowed to complete visits: doctors do.")
	}
	if v.DoctorID != c.UserID {
		return denied("Only %s, whose visit it is, completes it.", v.DoctorName)
	}
	return nil
}

// ValidateVisitServices checks the services of a completion.
func ValidateVisitServices(services []VisitServiceLine) error {
	if len(services) > 50 {
		return FieldErrorf("services", "A visit has at most 50 services.")
	}
	for _, s := range services {
		if strings.TrimSpace(s.PriceItemID) == "" {
			return FieldErrorf("services", "Choose each service from the price list.")
		}
		if s.Quantity < 1 || s.Quantity > 1000 {
			return FieldErrorf("services", "A service's quantity is between 1 and 1000.")
		}
	}
	return nil
}
