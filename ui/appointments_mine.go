package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// myAppointmentsTab is a patient's own appointments, a tab of My record:
// the upcoming ones, which they may cancel, and the past ones; and a
// button to book (a request staff confirm).
type myAppointmentsTab struct {
	u *UI

	upcoming []*app.Appointment
	past     []*app.Appointment
	cancels  map[string]*widget.Button // the upcoming ones' Cancel buttons by ID
	cancel   *promptForm               // the open cancel dialog
	book     *bookForm                 // the open booking dialog

	bookBtn   *widget.Button
	message   *widget.Label
	upcomingV *fyne.Container
	pastTitle fyne.CanvasObject
	pastV     *fyne.Container
	body      *fyne.Container // the lists and their headings, one below the other

	content *container.Scroll
}

var _ chartTab = (*myAppointmentsTab)(nil)

func newMyAppointmentsTab(u *UI) *myAppointmentsTab {
	t := &myAppointmentsTab{u: u, cancels: map[string]*widget.Button{}}
	t.bookBtn = widget.NewButtonWithIcon("Book appointment…", theme.CalendarIcon(), t.onBook)
	t.bookBtn.Importance = widget.HighImportance
	t.message = mutedLabel("")
	t.upcomingV = container.NewVBox()
	t.pastV = container.NewVBox()
	t.pastTitle = sectionTitle("Past")
	t.body = container.NewVBox(
		container.NewHBox(sectionTitle("Upcoming"), layout.NewSpacer(), t.bookBtn),
		t.message, t.upcomingV, widget.NewSeparator(),
		t.pastTitle, t.pastV)
	t.content = container.NewVScroll(t.body)
	return t
}

func (t *myAppointmentsTab) view() fyne.CanvasObject { return t.content }

func (t *myAppointmentsTab) patientID() string {
	if t.u.session == nil {
		return ""
	}
	return t.u.session.Caller().PatientID
}

// load reads the patient's upcoming and past appointments.
func (t *myAppointmentsTab) load() {
	id := t.patientID()
	if id == "" {
		t.message.SetText("No patient record is linked to this account. Please ask at the reception desk.")
		t.bookBtn.Disable()
		return
	}
	type both struct{ up, past *app.AppointmentPage }
	background(t.u, func(ctx context.Context) (both, error) {
		up, err := t.u.svc.Appointments.PatientAppointments(ctx, id, app.AppointmentFilter{})
		if err != nil {
			return both{}, err
		}
		past, err := t.u.svc.Appointments.PatientAppointments(ctx, id, app.AppointmentFilter{Past: true})
		return both{up, past}, err
	}, func(b both, err error) {
		if err != nil {
			showError(err, t.u.win)
			return
		}
		t.show(b.up.Appointments, b.past.Appointments)
	})
}

func (t *myAppointmentsTab) show(up, past []*app.Appointment) {
	t.upcoming, t.past = up, past
	t.cancels = map[string]*widget.Button{}
	var ups, pasts []fyne.CanvasObject
	for _, a := range up {
		var right fyne.CanvasObject = widget.NewLabel(a.Status.Label())
		if app.CanTransition(a.Status, app.AppointmentCancelled) && a.Start.After(t.u.now()) {
			b := widget.NewButton("Cancel…", func() { t.cancel = showCancelPrompt(t.u, a, t.load) })
			t.cancels[a.ID] = b
			right = container.NewHBox(right, b)
		}
		ups = append(ups, container.NewBorder(nil, nil, nil, right, widget.NewLabel(t.describe(a))))
	}
	for _, a := range past {
		pasts = append(pasts, container.NewBorder(nil, nil, nil, widget.NewLabel(a.Status.Label()),
			widget.NewLabel(t.describe(a))))
	}
	t.message.SetText("")
	if len(up) == 0 {
		t.message.SetText("No upcoming appointments.")
	}
	if len(past) == 0 {
		pasts = append(pasts, mutedLabel("No past appointments."))
	}
	t.upcomingV.Objects = ups
	t.pastV.Objects = pasts
	// The lists changed height: what follows them moves, which only the
	// box holding them all lays out, and the scroll its new height.
	t.body.Refresh()
	t.content.Refresh()
}

// describe is an appointment as a patient reads it.
func (t *myAppointmentsTab) describe(a *app.Appointment) string {
	s := a.Start.In(t.u.location()).Format("Mon 2006-01-02 15:04") + " — " + a.DoctorName
	if a.Room != "" {
		s += ", " + a.Room
	}
	if a.Reason != "" {
		s += " — " + a.Reason
	}
	return s
}

func (t *myAppointmentsTab) onBook() {
	t.book = showBookForm(t.u, t.patientID(), func(*app.Appointment) { t.book = nil; t.load() })
}
