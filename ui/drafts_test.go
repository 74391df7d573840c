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
	h.u.lockNow()
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
		test.Tap(h.u.drafts.restore[0])
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
