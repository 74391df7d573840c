package app

import (
	"context"
	"time"
)

// Severity of an allergy.
type Severity string

// Allergy severities.
const (
	SeverityMild     Severity = "mild"
	SeverityModerate Severity = "moderate"
	SeveritySevere   Severity = "severe"
	SeverityUnknown  Severity = "unknown"
)

// Certainty is how sure the clinician is of an allergy.
type Certainty string

// Allergy certainties.
const (
	CertaintyConfirmed Certainty = "confirmed" // a test, or a clear reaction on exposure
	CertaintySuspected Certainty = "suspected"
	CertaintyUnknown   Certainty = "unknown" // not judged; allergies recorded before it was asked
)

// Certainties are the certainties, for a choice.
var Certainties = []Certainty{CertaintyConfirmed, CertaintySuspected, CertaintyUnknown}

// Valid reports whether c is a known certainty.
func (c Certainty) Valid() bool {
	return c == CertaintyConfirmed || c == CertaintySuspected || c == CertaintyUnknown
}

// Allergy is a recorded allergy. Rows are added, never overwritten; a
// mistaken one is removed with a reason (and stays in the history).
type Allergy struct {
	ID            string
	PatientID     string
	Substance     string
	Reaction      string
	Severity      Severity
	Certainty     Certainty
	RecordedAt    time.Time
	RecordedBy    string // the user's full name
	RemovedAt     time.Time
	RemovedReason string
}

// AllergyCreate records an allergy.
type AllergyCreate struct {
	PatientID string
	Substance string
	Reaction  string
	Severity  Severity
	Certainty Certainty // unknown when empty
}

// ProblemStatus is whether a problem is current.
type ProblemStatus string

// Problem statuses.
const (
	ProblemActive   ProblemStatus = "active"
	ProblemResolved ProblemStatus = "resolved"
)

// Problem is an entry of the problem list / medical history.
type Problem struct {
	ID         string
	PatientID  string
	Condition  string
	Onset      string // YYYY-MM-DD, YYYY-MM or YYYY; optional
	Status     ProblemStatus
	ResolvedOn string // YYYY-MM-DD when resolved
	Notes      string
	RecordedAt time.Time
	RecordedBy string
}

// ProblemCreate records a problem.
type ProblemCreate struct {
	PatientID string
	Condition string
	Onset     string
	Status    ProblemStatus
	Notes     string
}

// Vitals is one set of measurements; a zero field was not measured.
type Vitals struct {
	ID           string
	PatientID    string
	TakenAt      time.Time
	Systolic     int     // mmHg
	Diastolic    int     // mmHg
	Pulse        int     // beats per minute
	TemperatureC float64 // °C
	RespRate     int     // breaths per minute
	SpO2         int     // %
	WeightKg     float64
	HeightCm     float64
	RecordedBy   string
	RecordedAt   time.Time
}

// BMI is weight over height squared, or 0 when either is missing.
func (v *Vitals) BMI() float64 {
	if v.WeightKg <= 0 || v.HeightCm <= 0 {
		return 0
	}
	m := v.HeightCm / 100
	return v.WeightKg / (m * m)
}

// NoteKind tells a doctor's clinical note from a nurse's nursing note.
type NoteKind string

// Note kinds.
const (
	NoteClinical NoteKind = "clinical"
	NoteNursing  NoteKind = "nursing"
)

// Note is a clinical or nursing note: free text, or SOAP when any of its
// four parts is set. Saved notes are never edited or deleted; a correction
// is an addendum that points to the note.
type Note struct {
	ID         string
	PatientID  string
	Kind       NoteKind
	Text       string
	Subjective string
	Objective  string
	Assessment string
	Plan       string
	AddendumTo string // the note this one corrects or completes
	AuthorID   string
	AuthorName string
	CreatedAt  time.Time
	Addenda    []*Note // filled when notes are listed
}

// NoteCreate writes a note or, with AddendumTo, an addendum.
type NoteCreate struct {
	PatientID  string
	Kind       NoteKind
	Text       string
	Subjective string
	Objective  string
	Assessment string
	Plan       string
	AddendumTo string
}

// PrescriptionStatus is where a prescription stands.
type PrescriptionStatus string

// Prescription statuses.
const (
	PrescriptionActive    PrescriptionStatus = "active"
	PrescriptionCompleted PrescriptionStatus = "completed"
	PrescriptionCancelled PrescriptionStatus = "cancelled"
)

// PrescriptionItem is one drug of a prescription.
type PrescriptionItem struct {
	Drug         string
	Strength     string // e.g. 500 mg
	Dose         string // e.g. 1 tablet
	Route        string // e.g. oral
	Frequency    string // e.g. three times a day
	Duration     string // e.g. 7 days
	Quantity     string // e.g. 21 tablets
	Instructions string
}

// Prescription is issued by a doctor; its items never change. Its status
// moves from active to completed or cancelled (with a reason).
type Prescription struct {
	ID             string
	Number         string // from the desk's series, e.g. RX-D1-2026-000012
	PatientID      string
	DoctorID       string
	DoctorName     string
	Items          []PrescriptionItem
	Notes          string
	Status         PrescriptionStatus
	StatusReason   string
	AllergyWarning string // the allergy warning the doctor acknowledged, if any
	// PrescriberRegistration is the doctor's registration number with the
	// medical board, as recorded when the prescription is printed.
	PrescriberRegistration string
	CreatedAt              time.Time
	StatusChangedAt        time.Time
}

// PrescriptionCreate issues a prescription. When the drug catalogue's
// check warns (an allergy, a cross-reaction, a duplicate), it is refused
// with ECONFLICT (field "allergy") unless AcknowledgeAllergy is set, and
// the acknowledged warning is recorded. Against an allergy recorded as
// severe, the doctor must also give OverrideReason (else ECONFLICT, field
// "override_reason"), which is kept with the warning and audited.
type PrescriptionCreate struct {
	PatientID          string
	Items              []PrescriptionItem
	Notes              string
	AcknowledgeAllergy bool
	OverrideReason     string
}

// AssignmentStatus is where a doctor's assignment to a patient stands.
type AssignmentStatus string

// Assignment statuses.
const (
	AssignmentActive    AssignmentStatus = "active"
	AssignmentCompleted AssignmentStatus = "completed"
	AssignmentCancelled AssignmentStatus = "cancelled"
)

// Assignment puts a doctor in charge of a patient's treatment.
type Assignment struct {
	ID         string
	PatientID  string
	DoctorID   string
	DoctorName string
	Reason     string // reason or diagnosis
	StartDate  string // YYYY-MM-DD
	EndDate    string // YYYY-MM-DD, optional
	Status     AssignmentStatus
	CreatedAt  time.Time
	CreatedBy  string
}

// AssignmentCreate assigns a doctor.
type AssignmentCreate struct {
	PatientID string
	DoctorID  string
	Reason    string
	StartDate string
	EndDate   string
}

// HistoryKind names what a history entry is about.
type HistoryKind string

// History kinds. Later areas add theirs (appointment, invoice, payment).
const (
	HistoryRegistration HistoryKind = "registration"
	HistoryUpdate       HistoryKind = "update"
	HistoryArchive      HistoryKind = "archive"
	HistoryAllergy      HistoryKind = "allergy"
	HistoryProblem      HistoryKind = "problem"
	HistoryVitals       HistoryKind = "vitals"
	HistoryNote         HistoryKind = "note"
	HistoryPrescription HistoryKind = "prescription"
	HistoryAttachment   HistoryKind = "report"
	HistoryAssignment   HistoryKind = "assignment"
)

// HistoryEntry is one line of a patient's timeline.
type HistoryEntry struct {
	Seq     int64 // for paging: entries are newest first
	At      time.Time
	Kind    HistoryKind
	Summary string
	RefID   string // the record it is about
	By      string // who did it
}

// HistoryFilter selects timeline entries.
type HistoryFilter struct {
	Kinds     []HistoryKind // empty: all
	From, To  time.Time     // To exclusive; zero: open
	BeforeSeq int64         // paging: the entries after this one, newest first by time
	Limit     int           // default 200, at most 1000
}

// Chart is the summary at the top of a patient's chart.
type Chart struct {
	Patient     *Patient
	Allergies   []*Allergy      // not removed
	Problems    []*Problem      // active
	Medications []*Prescription // active prescriptions
	Assignments []*Assignment   // active
	LastVitals  *Vitals         // nil when none
	// AllergyStatus says whether allergies are recorded, a clinician
	// stated there are none (NoKnownAllergies says who and when), or
	// nobody has recorded anything.
	AllergyStatus    AllergyStatus
	NoKnownAllergies *AllergyStatement // the statement in force, when AllergyStatus is AllergiesNoneKnown
	// NextAppointment is the soonest appointment not yet over and not
	// cancelled (pending, confirmed or checked in); nil when none.
	NextAppointment *Appointment
	// BalanceDue is what the patient still owes on issued invoices (their
	// totals less the payments not refunded); nil when the caller may not
	// see billing figures (doctors and nurses), zero when nothing is owed.
	BalanceDue *Money
}

// ClinicalService keeps the clinical record: chart, timeline, allergies,
// problems, vitals, notes, prescriptions and doctors' assignments. Staff
// with clinical access read any record; a patient reads their own; every
// read and write is audited.
type ClinicalService interface {
	GetChart(ctx context.Context, patientID string) (*Chart, error)
	FindHistory(ctx context.Context, patientID string, f HistoryFilter) ([]*HistoryEntry, error)

	AddAllergy(ctx context.Context, a AllergyCreate) (*Allergy, error)
	RemoveAllergy(ctx context.Context, id, reason string) error
	FindAllergies(ctx context.Context, patientID string) ([]*Allergy, error)
	// RecordNoKnownAllergies records a clinician's statement that the
	// patient has no known drug allergies; refused while an allergy is
	// recorded.
	RecordNoKnownAllergies(ctx context.Context, patientID string) (*AllergyStatement, error)

	AddProblem(ctx context.Context, p ProblemCreate) (*Problem, error)
	ResolveProblem(ctx context.Context, id, resolvedOn string) (*Problem, error)
	FindProblems(ctx context.Context, patientID string) ([]*Problem, error)

	RecordVitals(ctx context.Context, v Vitals) (*Vitals, error)
	FindVitals(ctx context.Context, patientID string, limit int) ([]*Vitals, error) // newest first

	AddNote(ctx context.Context, n NoteCreate) (*Note, error)
	FindNotes(ctx context.Context, patientID string) ([]*Note, error) // newest first, addenda attached

	Prescribe(ctx context.Context, p PrescriptionCreate) (*Prescription, error)
	CompletePrescription(ctx context.Context, id string) (*Prescription, error)
	CancelPrescription(ctx context.Context, id, reason string) (*Prescription, error)
	FindPrescriptions(ctx context.Context, patientID string) ([]*Prescription, error)
	// PrescriptionPDF renders a prescription with the clinic's header and
	// the doctor's name.
	PrescriptionPDF(ctx context.Context, id string) ([]byte, error)
	// FindPrescription finds a prescription by its number (RX-D1-2026-000012),
	// for the same callers as PrescriptionPDF; audited as an opening.
	FindPrescription(ctx context.Context, number string) (*Prescription, error)

	AssignDoctor(ctx context.Context, a AssignmentCreate) (*Assignment, error)
	EndAssignment(ctx context.Context, id string, status AssignmentStatus) (*Assignment, error)
	FindAssignments(ctx context.Context, patientID string) ([]*Assignment, error)
	// MyPatients lists the patients the calling doctor has active
	// assignments for.
	MyPatients(ctx context.Context) ([]*Patient, error)

	// SetRegistrationNumber records a doctor's registration number with
	// the medical board, which prescriptions print (the doctor, or an
	// administrator).
	SetRegistrationNumber(ctx context.Context, doctorID, number string) (*Prescriber, error)
	// GetPrescriber returns a doctor with the registration number in force.
	GetPrescriber(ctx context.Context, doctorID string) (*Prescriber, error)
	// AllergyReview lists the allergies in force, of every patient not
	// archived, that the prescribing check cannot match to the drug
	// catalogue unambiguously, for clinicians to record them again
	// against the catalogue (at most 500, oldest first).
	AllergyReview(ctx context.Context) ([]*AllergyReviewItem, error)
}
