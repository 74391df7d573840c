package app

import (
	"strings"

	"hms/app/i18n"
	"time"
	"unicode/utf8"
)

// HistoryLetter marks a patient's timeline entries about the documents a
// doctor wrote for them (sick notes, referral letters).
const HistoryLetter HistoryKind = "document"

// LetterKind is a document a doctor writes for a patient.
type LetterKind string

// Letter kinds.
const (
	// LetterSickNote certifies that the patient was unfit for work or
	// school from one day to another.
	LetterSickNote LetterKind = "sick_note"
	// LetterReferral refers the patient to another doctor or service.
	LetterReferral LetterKind = "referral"
)

// Label names a letter kind for people.
func (k LetterKind) Label() string {
	switch k {
	case LetterSickNote:
		return i18n.N("Medical certificate")
	case LetterReferral:
		return i18n.N("Referral letter")
	}
	return string(k)
}

// LetterRequest is what a doctor writes in a sick note or a referral
// letter; the clinic's header, the patient, the date and the doctor (with
// the registration number) come from the record.
type LetterRequest struct {
	PatientID string
	Kind      LetterKind
	From, To  string // sick note: the days unfit, YYYY-MM-DD, both included
	Recipient string // referral: to whom (a doctor, a clinic, a service)
	Text      string // the body: the reason, findings, what is asked
}

// Validate checks a letter and trims its fields.
func (r *LetterRequest) Validate() error {
	r.Recipient, r.Text = strings.TrimSpace(r.Recipient), strings.TrimSpace(r.Text)
	r.From, r.To = strings.TrimSpace(r.From), strings.TrimSpace(r.To)
	if strings.TrimSpace(r.PatientID) == "" {
		return FieldErrorf("patient", "Choose the patient.")
	}
	switch r.Kind {
	case LetterSickNote:
		from, err := time.Parse(DateLayout, r.From)
		if err != nil {
			return FieldErrorf("from", "Write the first day as YYYY-MM-DD.")
		}
		to, err := time.Parse(DateLayout, r.To)
		if err != nil {
			return FieldErrorf("to", "Write the last day as YYYY-MM-DD.")
		}
		if to.Before(from) {
			return FieldErrorf("to", "The last day is before the first.")
		}
		if to.Sub(from) > 366*24*time.Hour {
			return FieldErrorf("to", "A certificate covers at most a year.")
		}
	case LetterReferral:
		if r.Recipient == "" {
			return FieldErrorf("recipient", "Write to whom the patient is referred.")
		}
		if utf8.RuneCountInString(r.Recipient) > 200 {
			return FieldErrorf("recipient", "The recipient is too long (at most 200 characters).")
		}
		if err := CheckLine("recipient", i18n.N("The recipient"), r.Recipient); err != nil {
			return err
		}
		if r.Text == "" {
			return FieldErrorf("text", "Write the reason for the referral.")
		}
	default:
		return FieldErrorf("kind", "Choose a medical certificate or a referral letter.")
	}
	if utf8.RuneCountInString(r.Text) > 5000 {
		return FieldErrorf("text", "The text is too long (at most 5,000 characters).")
	}
	return CheckMultiline("text", i18n.N("The text"), r.Text)
}

// Letter is a sick note or a referral letter as it was issued: what it
// said when first printed (the patient, the doctor, the clinic's header
// and its wording), so that a reprint shows the same document, marked
// COPY. Letters are written once and never changed.
type Letter struct {
	ID        string
	PatientID string
	VisitID   string // the visit open when it was written; "" when none was
	Kind      LetterKind

	DoctorID           string
	DoctorName         string
	RegistrationNumber string // "" when the doctor had none recorded

	PatientName      string
	PatientMRN       string
	PatientBirthDate string // "" when not recorded

	From, To  string // sick note: the days unfit
	Recipient string // referral: to whom
	Text      string // what the doctor wrote
	Body      string // the clinic's wording, its placeholders filled

	ClinicName    string
	ClinicDetails []string // the header's lines under the name: address, phone, tax number
	IssuedOn      string   // the date printed on it, YYYY-MM-DD in the clinic's zone
	CreatedAt     time.Time
	// Language is the language it was issued in, which a reprint keeps;
	// "" for a letter issued before letters kept it.
	Language i18n.Lang
}

// Summary says in a line what the letter is: "Medical certificate
// (unfit 2026-12-01 to 2026-12-03)", "Referral letter to Cardiology".
func (l *Letter) Summary() string {
	switch l.Kind {
	case LetterSickNote:
		return l.Kind.Label() + " (unfit " + l.From + " to " + l.To + ")"
	case LetterReferral:
		return l.Kind.Label() + " to " + l.Recipient
	}
	return l.Kind.Label()
}

// FileName is the name a letter's PDF is saved under.
func (l *Letter) FileName() string {
	return strings.ReplaceAll(string(l.Kind), "_", "-") + "-" + l.PatientMRN + "-" + l.IssuedOn + ".pdf"
}
