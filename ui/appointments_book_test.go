package ui

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/pdf/pdftest"
)

// TestAppointmentBookFromDayView: "Book appointment…" in Doctor's day opens
// on the doctor and the day on view, with that doctor's free slots of that
// day loaded.
func TestAppointmentBookFromDayView(t *testing.T) {
	h := newClinicHarness(t)
	h.serveBooking()
	h.appts.DoctorDayFn = func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error) {
		h.record("DoctorDay", ctx, doctorID+" "+day)
		return nil, nil
	}
	h.loginAs(user(app.RoleReception))
	h.openArea(app.AreaAppointments)
	s := h.u.main.appts
	s.tabs.SelectIndex(1)
	v := s.day
	h.waitFor("the doctors", func() bool { return len(v.doctors) == 2 })
	v.doctor.SetSelectedIndex(1) // Dr House
	test.Tap(v.day.next)
	h.waitFor("Dr House's next day", func() bool {
		return slices.Contains(h.callsOf("DoctorDay"), any("d-2 2026-03-03"))
	})
	test.Tap(v.bookBtn)
	f := v.book
	h.waitFor("the slots of the day on view", func() bool {
		got := h.callsOf("FindFreeSlots")
		return len(got) > 0 && got[len(got)-1] == "d-2 2026-03-03" && len(f.slotBtns) == 3
	})
	if f.doctorID() != "d-2" || f.day.entry.Text != "2026-03-03" || f.day.weekday.Text != "Tuesday" {
		t.Errorf("opened on %q %q %q", f.doctorID(), f.day.entry.Text, f.day.weekday.Text)
	}
}

// TestAppointmentBookButtonInView: however tall the booking form grows
// (the override entries open, a message under a field), its Book button
// stays inside the window, not below a scroll.
func TestAppointmentBookButtonInView(t *testing.T) {
	h := newClinicHarness(t)
	f := h.openBookForm()
	// A small screen: the dialog as high as the window lets it be.
	h.u.win.Resize(fyne.NewSize(1000, 520))
	f.dialog.Resize(fyne.NewSize(680, 500))
	f.override.SetChecked(true)
	test.Tap(f.book) // no reason: messages under the fields
	h.settle()
	if f.errs.text("override_reason") == "" {
		t.Fatal("no message for the missing reason")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.book)
	win := h.u.win.Canvas().Size()
	if !f.book.Visible() || f.book.Size().Height == 0 || pos.Y+f.book.Size().Height > win.Height {
		t.Errorf("Book at y %.0f–%.0f in a window %.0f high", pos.Y, pos.Y+f.book.Size().Height, win.Height)
	}
}

// TestAppointmentBookedSlip: a booking is confirmed in a dialog that
// prints the appointment slip, a PDF on the receipt roll, saved and
// offered like every document.
func TestAppointmentBookedSlip(t *testing.T) {
	h := newClinicHarness(t)
	printer := fakePrinter(h.harness)
	f := h.openBookForm()
	h.appts.BookFn = func(ctx context.Context, c app.AppointmentCreate) (*app.Appointment, error) {
		h.record("Book", ctx, c)
		return &app.Appointment{ID: "a-new", PatientID: c.PatientID, PatientName: "Grace Hopper", PatientMRN: "P-D1-000001",
			DoctorID: c.DoctorID, DoctorName: "Dr Who", Room: "Room 2", Start: c.Start, End: c.Start.Add(15 * time.Minute),
			Status: app.AppointmentConfirmed}, nil
	}
	// The slip is in the patient's language, whatever the screen's.
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		return &app.Patient{ID: id, GivenName: "Grace", FamilyName: "Hopper", MRN: "P-D1-000001", Language: "el"}, nil
	}
	test.Tap(f.slotBtns[0])
	test.Tap(f.book)
	h.waitFor("the confirmation", func() bool { return f.booked != nil })
	if !h.shows("Appointment booked") || !h.shows("Grace Hopper with Dr Who, Room 2") || !h.shows("12:00–12:15") {
		t.Fatalf("confirmation: %q", h.texts())
	}
	test.Tap(f.booked.print)
	d := h.awaitSaved()
	if name := filepath.Base(d.path); !strings.HasPrefix(name, "appointment-2026-03-02-1200") || printer.asked != 1 {
		t.Errorf("saved %q, folder asked %d times", d.path, printer.asked)
	}
	if b := readSaved(t, d); !bytes.HasPrefix(b, []byte("%PDF")) || !bytes.Contains(b, []byte("/MediaBox [0 0 226.77 ")) {
		t.Errorf("not an 80 mm PDF: %.80q", b)
	}
	if text := pdftest.Text(t, readSaved(t, d), false); !strings.Contains(text, "Ραντεβού") || !strings.Contains(text, "Ιατρός") {
		t.Errorf("the Greek patient's slip is not in Greek:\n%s", text)
	}
}

// TestPatientPickerRegisters: the picker lists each patient with birth
// date and phone; from the walk-in dialog reception registers a patient
// not found, who is then the one chosen; a doctor, who registers no
// patients, is not offered it.
func TestPatientPickerRegisters(t *testing.T) {
	h := newClinicHarness(t)
	h.serveBooking()
	b := h.openBoard(app.RoleReception)
	test.Tap(b.walkBtn)
	f := b.walkIn
	test.Type(f.picker.query, "grace")
	h.waitFor("the patient", func() bool { return f.picker.patientID() == "p-1" })
	if got := f.picker.result.Selected; got != "Grace Hopper · born 1956-12-09 · +30 690 0000001 · P-D1-000001" {
		t.Errorf("picker shows %q", got)
	}
	h.patients.FindDuplicatesFn = func(context.Context, app.PatientCreate) ([]*app.Duplicate, error) { return nil, nil }
	h.patients.CreatePatientFn = func(ctx context.Context, c app.PatientCreate) (*app.Patient, error) {
		h.record("CreatePatient", ctx, c)
		return &app.Patient{ID: "p-new", MRN: "P-D1-000123", GivenName: c.GivenName, FamilyName: c.FamilyName,
			Sex: c.Sex, BirthDate: c.BirthDate, Phone: c.Phone}, nil
	}
	test.Tap(f.picker.register)
	pf := f.picker.form
	test.Type(pf.givenName, "Ada")
	test.Type(pf.familyName, "Lovelace")
	pf.sex.SetSelected("Female")
	test.Type(pf.birthDate, "1985-12-10")
	test.Type(pf.phone, "+30 690 1234567")
	test.Tap(pf.save)
	h.waitFor("the new patient chosen", func() bool { return f.picker.patientID() == "p-new" })
	if got := f.picker.result.Selected; got != "Ada Lovelace · born 1985-12-10 · +30 690 1234567 · P-D1-000123" ||
		h.called("CreatePatient") != 1 || f.picker.form != nil || b.walkIn != f {
		t.Errorf("after registering: %q, %d calls", got, h.called("CreatePatient"))
	}

	// A doctor books into their own day but registers no patients.
	d := newClinicHarness(t)
	d.serveBooking()
	d.appts.DoctorDayFn = func(context.Context, string, string) ([]*app.Appointment, error) { return nil, nil }
	d.loginAs(user(app.RoleDoctor))
	d.openArea(app.AreaAppointments)
	v := d.u.main.appts.day
	test.Tap(v.bookBtn)
	if v.book.picker == nil || v.book.picker.register != nil {
		t.Error("a doctor is offered to register a patient")
	}
}
