package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// fakeQueue is a queue whose calls are kept in memory: what this desk
// calls, and what another desk's calls pulled by sync would add.
type fakeQueue struct {
	mu    sync.Mutex
	calls []*app.QueueCall // oldest first
}

func (q *fakeQueue) add(c *app.QueueCall) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, c)
}

func (q *fakeQueue) service(h *harness) *mock.QueueService {
	return &mock.QueueService{
		CallNextFn: func(ctx context.Context, doctorID, room string) (*app.QueueCall, error) {
			h.record("CallNext", ctx, doctorID+" "+room)
			if strings.TrimSpace(room) == "" {
				return nil, app.FieldErrorf("room", "Enter the room the patient is called to, e.g. Room 2.")
			}
			c := &app.QueueCall{ID: "c1", AppointmentID: "a2", Token: "A-002", Room: room, DoctorID: doctorID,
				DoctorName: "Dr Who", CalledAt: h.clock()}
			q.add(c)
			return c, nil
		},
		CallFn: func(ctx context.Context, id, room string) (*app.QueueCall, error) {
			h.record("Call", ctx, id+" "+room)
			c := &app.QueueCall{ID: "c-" + id, AppointmentID: id, Token: "A-002", Room: room, CalledAt: h.clock()}
			q.add(c)
			return c, nil
		},
		RecentCallsFn: func(ctx context.Context, limit int) ([]*app.QueueCall, error) {
			h.record("RecentCalls", ctx, limit)
			q.mu.Lock()
			defer q.mu.Unlock()
			var out []*app.QueueCall
			for i := len(q.calls) - 1; i >= 0 && len(out) < limit; i-- {
				out = append(out, q.calls[i])
			}
			return out, nil
		},
		DoctorRoomFn: func(ctx context.Context, doctorID string) (string, error) {
			h.record("DoctorRoom", ctx, doctorID)
			return "Room 3", nil
		},
	}
}

// doctorDayWithTokens serves the doctor's day of the board's appointments,
// the one checked in with token A-002.
func (h *clinicHarness) doctorDayWithTokens() {
	h.appts.DoctorDayFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		h.record("DoctorDay", ctx, doctorID+" "+day)
		var out []*app.Appointment
		for _, e := range boardAppointments().Entries {
			a := *e.Appointment
			a.DoctorID = doctorID
			if a.Status == app.AppointmentCheckedIn {
				a.Token = "A-002"
			}
			out = append(out, &a)
		}
		return out, nil
	}
}

// TestQueueCallShowsOnDisplay: the doctor's day shows the tokens and the
// remembered room; "Call next" calls to the room, and the waiting-room
// display shows the call at once, without waiting for its tick; a call
// another desk made, arriving by sync, shows at the display's next tick
// (a channel here, not a timer).
func TestQueueCallShowsOnDisplay(t *testing.T) {
	h := newClinicHarness(t)
	q := &fakeQueue{}
	h.u.svc.Queue = q.service(h.harness)
	h.doctorDayWithTokens()
	ticks := make(chan time.Time)
	h.u.displayTick = ticks
	h.loginAs(user(app.RoleDoctor))
	h.openArea(app.AreaAppointments)
	d := h.u.main.appts.day
	h.waitFor("the day and the room", func() bool { return len(d.appts) == 3 && d.room.Text == "Room 3" })
	if !h.shows("A-002  08:30–08:45") && !h.shows("A-002") {
		t.Errorf("the token is not on the day list: %q", h.texts())
	}
	if rowButton(d.list, "a2", "Call") == nil || rowButton(d.list, "a1", "Call") != nil {
		t.Errorf("Call offered on a1 %v, a2 %v: want only on the one checked in", rowLabels(d.list, "a1"), rowLabels(d.list, "a2"))
	}

	h.u.openDisplay()
	disp := h.u.display
	if disp == nil {
		t.Fatal("no display opened")
	}
	h.waitFor("the empty display", func() bool { return disp.latestToken.Text == "—" })
	if !strings.Contains(disp.note.Text, "No one has been called yet") {
		t.Errorf("the empty display says %q", disp.note.Text)
	}

	d.room.SetText("Room 5")
	test.Tap(d.callBtn)
	// No tick is sent: the call on this desk refreshes the display itself.
	h.waitFor("the call on the display", func() bool { return disp.latestToken.Text == "A-002" })
	if disp.note.Text != "" {
		t.Errorf("the display still says %q", disp.note.Text)
	}
	if got := h.callsOf("CallNext"); len(got) != 1 || got[0] != "u-doctor Room 5" {
		t.Errorf("CallNext(%v)", got)
	}
	if disp.latestRoom.Text != "Room 5" || disp.latestName.Text != "" {
		t.Errorf("display shows %q %q", disp.latestRoom.Text, disp.latestName.Text)
	}
	// The day reloads in the background after the call, then says it.
	h.waitFor("the day saying who was called", func() bool { return h.shows("Called A-002 to Room 5") })

	// Another desk's call, pulled by sync: shown at the next tick.
	q.add(&app.QueueCall{ID: "c9", Token: "B-004", Room: "Room 1", CalledAt: h.clock()})
	ticks <- h.clock()
	h.waitFor("the other desk's call", func() bool { return disp.latestToken.Text == "B-004" })
	if disp.rows[0][0].Text != "A-002" || disp.rows[0][1].Text != "Room 5" {
		t.Errorf("the earlier call is not listed below: %q %q", disp.rows[0][0].Text, disp.rows[0][1].Text)
	}
	// A sync round that pulled another desk's call: shown as the round
	// reports, with no tick.
	q.add(&app.QueueCall{ID: "c10", Token: "B-005", Room: "Room 4", CalledAt: h.clock()})
	h.u.ReportSync(&app.SyncStatus{Enrolled: true, DeskCode: "D1"})
	h.waitFor("the call the sync round brought", func() bool { return disp.latestToken.Text == "B-005" })

	// Escape closes the display; logging out closes it too.
	disp.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.u.display != nil {
		t.Error("Escape did not close the display")
	}
	h.u.openDisplay()
	if h.u.display == nil {
		t.Fatal("the display did not open again")
	}
	h.u.logout()
	if h.u.display != nil {
		t.Error("logging out left the display open")
	}
}

// TestScannedRecordNumberOpensChart: a barcode scanner types the record
// number and Enter into the search box; the chart of that patient opens.
// Typing alone, or Enter on a name, only searches.
func TestScannedRecordNumberOpensChart(t *testing.T) {
	h := newClinicHarness(t)
	ps := samplePatients(3, 1)
	h.patients.FindPatientsFn = func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
		h.record("FindPatients", ctx, f)
		var out []*app.Patient
		for _, p := range ps {
			if strings.Contains(strings.ToLower(p.MRN+" "+p.FamilyName), strings.ToLower(f.Query)) {
				out = append(out, p)
			}
		}
		return &app.PatientPage{Patients: out}, nil
	}
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		h.record("FindPatientByID", ctx, id)
		for _, p := range ps {
			if p.ID == id {
				return p, nil
			}
		}
		return nil, app.Errorf(app.ENOTFOUND, "no such patient")
	}
	s := h.openPatients(app.RoleReception)
	test.Type(s.query, "Family2")
	s.query.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the search", func() bool { return len(s.patients) == 1 })
	h.settle()
	if s.chart != nil {
		t.Fatal("Enter on a name opened a chart")
	}
	s.query.SetText("")
	test.Type(s.query, "p-d1-000002")
	h.waitFor("the typed search", func() bool { return len(s.patients) == 1 })
	h.settle()
	if s.chart != nil {
		t.Fatal("a record number typed without Enter opened the chart")
	}
	s.query.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the chart", func() bool { return s.chart != nil && h.called("FindPatientByID") > 0 })
	if got := h.callsOf("FindPatientByID"); len(got) == 0 || got[0] != "p-2" {
		t.Errorf("FindPatientByID(%v), want p-2", got)
	}
}

// TestEscapeClosesDialogs: Escape closes the dialog on top, whether the
// focus is in one of its entries or nowhere, as its Cancel (or OK) would,
// and changes nothing.
func TestEscapeClosesDialogs(t *testing.T) {
	h := newClinicHarness(t)
	v := h.openBoard(app.RoleReception)
	h.waitFor("the board", func() bool { return v.board != nil })
	c := h.u.win.Canvas()
	open := func() int { return len(c.Overlays().List()) }
	pressInFocus := func() {
		f, ok := c.Focused().(*escEntry)
		if !ok {
			t.Fatalf("focus is on %T, want an entry of the dialog", c.Focused())
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}
	pressOnWindow := func() {
		c.Unfocus()
		c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}

	for _, press := range []struct {
		name string
		do   func()
	}{{"in the focused entry", pressInFocus}, {"with nothing focused", pressOnWindow}} {
		t.Run(press.name, func(t *testing.T) {
			v.onWalkIn()
			if open() != 1 {
				t.Fatalf("walk-in: %d overlays", open())
			}
			press.do()
			if open() != 0 {
				t.Errorf("walk-in still open after Escape")
			}
			v.onBook()
			h.settle()
			if open() != 1 {
				t.Fatalf("booking: %d overlays", open())
			}
			press.do()
			if open() != 0 {
				t.Errorf("booking still open after Escape")
			}
			showCancelPrompt(h.u, boardAppointments().Entries[0].Appointment, func() {})
			press.do()
			if open() != 0 {
				t.Errorf("cancel prompt still open after Escape")
			}
		})
	}
	if h.called("Cancel") != 0 || h.called("WalkIn") != 0 || h.called("Book") != 0 {
		t.Errorf("Escape did something: cancel %d, walk-in %d, book %d", h.called("Cancel"), h.called("WalkIn"), h.called("Book"))
	}
	showError(app.Errorf(app.ECONFLICT, "Refused."), h.u.win)
	if open() != 1 {
		t.Fatalf("message: %d overlays", open())
	}
	pressOnWindow()
	if open() != 0 {
		t.Error("a message still open after Escape")
	}
	// With no dialog, Escape does nothing.
	pressOnWindow()
}

// TestCheckInPrintsTokenSlip: a desk whose token slips print without
// asking prints the slip of each patient it checks in, on its roll; a desk
// that left the setting off prints none.
func TestCheckInPrintsTokenSlip(t *testing.T) {
	for _, auto := range []bool{true, false} {
		h := newClinicHarness(t)
		printer := fakePrinter(h.harness)
		h.u.svc.Printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
			return []*app.DeskPrinter{{Kind: app.DocToken, Printer: "TM-T20", Layout: app.Layout58mm, Auto: auto}}, nil
		}}
		v := h.openBoard(app.RoleReception)
		h.waitFor("the board", func() bool { return v.board != nil })
		h.appts.CheckInFn = func(ctx context.Context, id string) (*app.Appointment, error) {
			h.record("CheckIn", ctx, id)
			return &app.Appointment{ID: id, DoctorName: "Dr Who", Status: app.AppointmentCheckedIn, Token: "A-003",
				CheckedInAt: h.clock()}, nil
		}
		test.Tap(rowButton(v.list, "a1", "Check in"))
		h.waitFor("the check-in", func() bool { return h.called("CheckIn") == 1 })
		if !auto {
			h.settle()
			if h.u.docs.saved != nil || len(printer.ran()) != 0 {
				t.Errorf("a slip printed with the setting off")
			}
			continue
		}
		d := h.awaitSaved()
		if name := filepath.Base(d.path); !strings.HasPrefix(name, "token-A-003") {
			t.Errorf("saved %q", d.path)
		}
		if b := readSaved(t, d); !bytes.HasPrefix(b, []byte("%PDF")) || !bytes.Contains(b, []byte("/MediaBox [0 0 164.41 ")) {
			t.Errorf("not a 58 mm PDF: %.80q", b)
		}
		h.waitFor("the print", func() bool { return len(printer.ran()) == 1 })
	}
}

// TestFormsKeyboard: Tab moves through a dialog's fields, Enter in a
// one-line field submits the form as its button would (the messages then
// show next to the fields), and Escape closes it having done nothing.
func TestFormsKeyboard(t *testing.T) {
	h := newClinicHarness(t)
	s := h.openPatients(app.RoleReception)
	c := h.u.win.Canvas()
	test.Tap(s.register)
	f := s.form
	if c.Focused() != f.givenName {
		t.Fatalf("the register form opens with the focus on %T", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != f.familyName {
		t.Fatalf("Tab from the given name went to %T", c.Focused())
	}
	test.Type(f.familyName, "Lovelace")
	f.familyName.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.errs.text("given_name") == "" {
		t.Errorf("Enter did not check the form: %q", h.texts())
	}
	f.familyName.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(c.Overlays().List()) != 0 || s.form != nil {
		t.Error("Escape did not close the register form")
	}
	if h.called("CreatePatient")+h.called("FindDuplicates") != 0 {
		t.Error("the form reached the service")
	}

	// The walk-in: Enter in the reason checks it; Escape from its entries.
	h.openArea(app.AreaAppointments)
	b := h.u.main.appts.board
	b.onWalkIn()
	w := b.walkIn
	c.Focus(w.reason)
	w.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.errs.text("patient_id") == "" {
		t.Errorf("Enter in the reason did not check the walk-in: %q", h.texts())
	}
	w.reason.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(c.Overlays().List()) != 0 {
		t.Error("Escape did not close the walk-in")
	}
}
