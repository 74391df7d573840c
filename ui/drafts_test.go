package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// draftStore is a DraftService in memory that keeps each caller's drafts
// apart, as the real one does.
type draftStore struct {
	mu     sync.Mutex
	byUser map[string][]*app.Draft
	n      int
}

func newDraftStore() (*draftStore, *mock.DraftService) {
	s := &draftStore{byUser: map[string][]*app.Draft{}}
	return s, &mock.DraftService{
		SaveDraftsFn: func(ctx context.Context, ds []app.Draft) error {
			c, _ := app.CallerFromContext(ctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, d := range ds {
				s.n++
				d.ID = "d-" + string(rune('0'+s.n))
				s.byUser[c.UserID] = append(s.byUser[c.UserID], &d)
			}
			return nil
		},
		FindMyDraftsFn: func(ctx context.Context) ([]*app.Draft, error) {
			c, _ := app.CallerFromContext(ctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			return append([]*app.Draft(nil), s.byUser[c.UserID]...), nil
		},
		DiscardDraftFn: func(ctx context.Context, id string) error {
			c, _ := app.CallerFromContext(ctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			ds := s.byUser[c.UserID]
			for i, d := range ds {
				if d.ID == id {
					s.byUser[c.UserID] = append(ds[:i:i], ds[i+1:]...)
					return nil
				}
			}
			return app.Errorf(app.ENOTFOUND, "There is no such draft.")
		},
	}
}

func (s *draftStore) of(userID string) []*app.Draft {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*app.Draft(nil), s.byUser[userID]...)
}

// halfWrittenNote logs a doctor in, opens grace's chart and types half a
// note, then locks the screen.
func halfWrittenNote(t *testing.T) (*clinicHarness, *draftStore) {
	t.Helper()
	h, store := halfWrittenNoteOpen(t)
	h.u.lockNow()
	return h, store
}

// halfWrittenNoteOpen logs a doctor in, opens grace's chart and types half
// a note, leaving it on screen.
func halfWrittenNoteOpen(t *testing.T) (*clinicHarness, *draftStore) {
	t.Helper()
	h := newClinicHarness(t)
	store, svc := newDraftStore()
	h.u.svc.Drafts = svc
	h.users.CheckPasswordFn = func(context.Context, string) error { return nil }
	c := h.openChartOf(app.RoleDoctor)
	h.clinical.FindNotesFn = func(context.Context, string) ([]*app.Note, error) { return nil, nil }
	selectTab(t, c.tabs, "Notes")
	h.drain()
	test.Tap(c.notes.newNote)
	test.Type(c.notes.form.text, "Chest pain on exertion")
	return h, store
}

// loginAgain logs usr in from the login window.
func (h *clinicHarness) loginAgain(usr *app.User) {
	h.t.Helper()
	h.users.LoginFn = func(context.Context, string, string) (*app.Session, error) { return &app.Session{User: usr}, nil }
	test.Type(h.u.login.username, usr.Username)
	test.Type(h.u.login.password, testPassword)
	test.Tap(h.u.login.loginBtn)
	h.waitFor("the main window", func() bool { return h.u.main != nil })
}

func TestDraftsFromTheLock(t *testing.T) {
	doctor := user(app.RoleDoctor)
	check := func(t *testing.T, h *clinicHarness, store *draftStore) {
		t.Helper()
		h.waitFor("the login window", func() bool { return h.u.login != nil && h.u.session == nil })
		ds := store.of(doctor.ID)
		if len(ds) != 1 || ds[0].Kind != app.DraftNote || ds[0].PatientID != "p-1" ||
			ds[0].Fields["text"] != "Chest pain on exertion" || ds[0].Title != "Clinical note for Grace Hopper" {
			t.Fatalf("drafts kept: %+v", ds)
		}
		if h.shows("Chest pain") {
			t.Error("the draft's text is on the login window")
		}

		// Someone else logs in next: no offer, nothing of the doctor's.
		nurse := user(app.RoleNurse)
		h.loginAgain(nurse)
		h.settle()
		if h.u.drafts != nil || h.shows("Chest pain") || h.shows("Unsaved work") {
			t.Fatal("another user was offered the doctor's draft")
		}
		h.u.logout()

		// The doctor, at their next login, gets it back.
		h.loginAgain(doctor)
		h.waitFor("the offer", func() bool { return h.u.drafts != nil })
		if !h.shows("Clinical note for Grace Hopper") {
			t.Fatalf("offer shows %q", h.texts())
		}
		test.Tap(rowButton(h.u.drafts.list, h.u.drafts.drafts[0].ID, "Restore"))
		h.waitFor("the draft forgotten", func() bool { return len(store.of(doctor.ID)) == 0 })
		c := h.u.main.patients.chart
		if c == nil || c.id != "p-1" || c.notes.form == nil || c.notes.form.text.Text != "Chest pain on exertion" {
			t.Fatal("the note did not come back in its form")
		}
	}

	t.Run("LogOutFromLock", func(t *testing.T) {
		h, store := halfWrittenNote(t)
		test.Tap(h.u.lock.logout)
		check(t, h, store)
	})

	// The main window's own Log out keeps the half-written note too.
	t.Run("LogOutFromMainWindow", func(t *testing.T) {
		h, store := halfWrittenNoteOpen(t)
		test.Tap(h.u.main.logout)
		check(t, h, store)
	})

	t.Run("TimedLogout", func(t *testing.T) {
		h, store := halfWrittenNote(t)
		h.advance(59 * time.Minute)
		h.u.checkIdle()
		h.settle()
		if !h.u.locked || h.u.session == nil {
			t.Fatal("logged out before the clinic's auto-logout time")
		}
		h.advance(time.Minute)
		h.u.checkIdle()
		check(t, h, store)
	})
}

// TestLogOutKeepsWorkOrStays: when the drafts cannot be kept, Log out in
// the main window does not end the session; the note stays on screen.
func TestLogOutKeepsWorkOrStays(t *testing.T) {
	h, _ := halfWrittenNoteOpen(t)
	h.u.svc.Drafts.(*mock.DraftService).SaveDraftsFn = func(context.Context, []app.Draft) error {
		return app.Errorf(app.EINTERNAL, "the disk is full")
	}
	test.Tap(h.u.main.logout)
	h.settle()
	if h.u.session == nil || h.u.main == nil {
		t.Fatal("the session ended although its note could not be kept")
	}
	if c := h.u.main.patients.chart; c == nil || c.notes.form == nil || c.notes.form.text.Text != "Chest pain on exertion" {
		t.Fatal("the note is gone")
	}
}

// halfDraftedInvoice logs a billing clerk in, starts an invoice for grace,
// types an invoice discount without applying it and half a line in the
// line dialog.
func halfDraftedInvoice(t *testing.T) (*clinicHarness, *draftStore, *invoiceScreen) {
	t.Helper()
	h, _ := newBillingHarness(t)
	store, svc := newDraftStore()
	h.u.svc.Drafts = svc
	h.users.CheckPasswordFn = func(context.Context, string) error { return nil }
	v, _ := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)
	test.Type(s.discRate, "5")
	test.Tap(s.addLine)
	lf := s.lineForm
	h.waitFor("the price list", func() bool { return len(lf.items) == 2 })
	test.Type(lf.description, "Wound dressing")
	test.Type(lf.unitPrice, "7.5")
	return h, store, s
}

func TestInvoiceDraftSurvivesLogout(t *testing.T) {
	billing := user(app.RoleBilling)
	check := func(t *testing.T, h *clinicHarness, store *draftStore, invoiceID string) {
		t.Helper()
		h.waitFor("the login window", func() bool { return h.u.login != nil && h.u.session == nil })
		ds := store.of(billing.ID)
		if len(ds) != 1 || ds[0].Kind != app.DraftOfInvoice || ds[0].PatientID != "p-1" ||
			ds[0].Fields["invoice_id"] != invoiceID || ds[0].Fields["line.description"] != "Wound dressing" ||
			ds[0].Fields["line.unit_price"] != "7.5" || ds[0].Fields["discount_rate"] != "5" {
			t.Fatalf("drafts kept: %+v", ds)
		}
		if h.shows("Wound dressing") {
			t.Error("the draft's text is on the login window")
		}

		// Another clerk at this desk is offered nothing of it.
		reception := user(app.RoleReception)
		h.loginAgain(reception)
		h.settle()
		if h.u.drafts != nil || h.shows("Wound dressing") || h.shows("Unsaved work") {
			t.Fatal("another user was offered the billing clerk's draft")
		}
		h.u.logout()

		h.loginAgain(billing)
		h.waitFor("the offer", func() bool { return h.u.drafts != nil })
		if !h.shows("Draft invoice for Grace Hopper") {
			t.Fatalf("offer shows %q", h.texts())
		}
		test.Tap(rowButton(h.u.drafts.list, h.u.drafts.drafts[0].ID, "Restore"))
		h.waitFor("the draft forgotten", func() bool { return len(store.of(billing.ID)) == 0 })
		h.waitFor("the line dialog back", func() bool {
			b := h.u.main.billing
			return b != nil && b.invoices.invoice != nil && b.invoices.invoice.lineForm != nil
		})
		s := h.u.main.billing.invoices.invoice
		if s.id != invoiceID || s.discRate.Text != "5" || s.lineForm.description.Text != "Wound dressing" ||
			s.lineForm.unitPrice.Text != "7.5" || s.lineForm.quantity.Text != "1" {
			t.Fatalf("restored: invoice %s, discount %q, line %q at %q × %q", s.id, s.discRate.Text,
				s.lineForm.description.Text, s.lineForm.quantity.Text, s.lineForm.unitPrice.Text)
		}
		// The restored line saves as a line of that invoice.
		test.Tap(s.lineForm.save)
		h.waitFor("the line", func() bool { return len(s.inv.Lines) == 1 })
		if l := s.inv.Lines[0]; l.Description != "Wound dressing" || l.UnitPrice != 750 {
			t.Errorf("line saved as %+v", l)
		}
	}

	t.Run("LogOutFromMainWindow", func(t *testing.T) {
		h, store, s := halfDraftedInvoice(t)
		test.Tap(h.u.main.logout)
		check(t, h, store, s.id)
	})

	t.Run("TimedLogout", func(t *testing.T) {
		h, store, s := halfDraftedInvoice(t)
		h.u.lockNow()
		h.advance(60 * time.Minute)
		h.u.checkIdle()
		check(t, h, store, s.id)
	})

	// A line dialog cancelled and a discount applied leave nothing unsaved.
	t.Run("NothingUnsaved", func(t *testing.T) {
		h, store, s := halfDraftedInvoice(t)
		test.Tap(s.lineForm.cancel)
		s.discRate.SetText("")
		test.Tap(h.u.main.logout)
		h.waitFor("the login window", func() bool { return h.u.login != nil && h.u.session == nil })
		if ds := store.of(billing.ID); len(ds) != 0 {
			t.Fatalf("kept %+v", ds)
		}
	})
}
