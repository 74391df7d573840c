package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// DraftKind is what a draft was being written as.
type DraftKind string

// The kinds of draft: a clinical or nursing note, a patient's registration,
// an invoice being drafted (the line being added or changed and the invoice
// discount typed but not applied; the draft invoice itself is already kept).
const (
	DraftNote         DraftKind = "note"
	DraftRegistration DraftKind = "registration"
	DraftOfInvoice    DraftKind = "invoice"
)

// Draft is unsaved text kept for its writer when a session ended with a
// form still open (a logout from the main window or the lock screen, or the
// lock running into the clinic's auto-logout time). Drafts stay on the desk where they were
// written (they never sync), and only their writer ever sees them; they
// are offered back at the writer's next login there.
type Draft struct {
	ID        string
	Kind      DraftKind
	PatientID string            // the patient it is about; "" for a registration
	Title     string            // what the offer calls it, e.g. "Clinical note for Grace Hopper"
	Fields    map[string]string // the form's texts by field name
	CreatedAt time.Time
}

// MaxDraftBytes bounds the text of one draft.
const MaxDraftBytes = 256 << 10

// Validate checks a draft and normalizes its title.
func (d *Draft) Validate() error {
	d.Title = strings.TrimSpace(d.Title)
	switch d.Kind {
	case DraftNote, DraftRegistration:
	case DraftOfInvoice:
		if d.Fields["invoice_id"] == "" || d.PatientID == "" {
			return FieldErrorf("fields", "An invoice's draft names the invoice and its patient.")
		}
	default:
		return FieldErrorf("kind", "%q is not a kind of draft.", d.Kind)
	}
	if d.Title == "" || utf8.RuneCountInString(d.Title) > 200 {
		return FieldErrorf("title", "A draft needs a title of at most 200 characters.")
	}
	n := 0
	for k, v := range d.Fields {
		n += len(k) + len(v)
	}
	if n == 0 {
		return FieldErrorf("fields", "An empty draft is not kept.")
	}
	if n > MaxDraftBytes {
		return FieldErrorf("fields", "The draft is too long to keep (at most 256 KB).")
	}
	return nil
}

// DraftService keeps the logged-in user's drafts on this desk.
type DraftService interface {
	// SaveDrafts keeps drafts for the caller.
	SaveDrafts(ctx context.Context, drafts []Draft) error
	// FindMyDrafts lists the caller's drafts, oldest first.
	FindMyDrafts(ctx context.Context) ([]*Draft, error)
	// DiscardDraft deletes one of the caller's drafts (restored or not wanted).
	DiscardDraft(ctx context.Context, id string) error
}
