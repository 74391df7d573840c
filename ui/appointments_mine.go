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
	cancel   *promptForm // the open cancel dialog
	book     *bookForm   // the open booking dialog

	bookBtn   *widget.Button
	message   *widget.Label
	upcomingL *widget.List // each upcoming one with Cancel… at its end when it may be cancelled
	pastTitle fyne.CanvasObject
	pastL     *widget.List
	pastEmpty *widget.Label

	content fyne.CanvasObject
}

var _ chartTab = (*myAppointmentsTab)(nil)

func newMyAppointmentsTab(u *UI) *myAppointmentsTab {
	t := &myAppointmentsTab{u: u}
	t.bookBtn = widget.NewButtonWithIcon(T("Book appointment…"), theme.CalendarIcon(), t.onBook)
	t.bookBtn.Importance = widget.HighImportance
	t.message = mutedLabel("")
	t.upcomingL = widget.NewList(func() int { return len(t.upcoming) }, t.newRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(t.upcoming) {
			t.updateRow(t.upcoming[id], o, true)
		}
	})
	t.pastL = widget.NewList(func() int { return len(t.past) }, t.newRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(t.past) {
			t.updateRow(t.past[id], o, false)
		}
	})
	t.pastTitle = sectionTitle(T("Past"))
	t.pastEmpty = mutedLabel(T("No past appointments."))
	t.pastEmpty.Hide()
	// The upcoming and the past share the height, each list scrolling
	// on its own.
	t.content = container.NewGridWithRows(2,
		container.NewBorder(container.NewVBox(
			container.NewHBox(sectionTitle(T("Upcoming")), layout.NewSpacer(), t.bookBtn), t.message),
			nil, nil, nil, t.upcomingL),
		container.NewBorder(container.NewVBox(widget.NewSeparator(), t.pastTitle), nil, nil, nil,
			container.NewStack(t.pastL, container.NewVBox(t.pastEmpty))))
	return t
}

// apptParts are the widgets of an appointment's row.
type apptParts struct{ what, status *widget.Label }

func (t *myAppointmentsTab) newRow() fyne.CanvasObject {
	p := &apptParts{what: widget.NewLabel(""), status: widget.NewLabel("")}
	p.what.Truncation = fyne.TextTruncateEllipsis
	r := newListRow(container.NewBorder(nil, nil, nil, p.status, p.what), widget.NewButton(T("Cancel…"), nil))
	r.parts = p
	return r
}

// updateRow shows a in a row; an upcoming one the patient may still
// cancel gets Cancel….
func (t *myAppointmentsTab) updateRow(a *app.Appointment, o fyne.CanvasObject, upcoming bool) {
	r, ok := o.(*listRow)
	if !ok {
		return
	}
	p := r.parts.(*apptParts)
	p.what.SetText(t.describe(a))
	p.status.SetText(T(a.Status.Label()))
	var cancel func()
	if upcoming && app.CanTransition(a.Status, app.AppointmentCancelled) && a.Start.After(t.u.now()) {
		cancel = func() { t.cancel = showCancelPrompt(t.u, a, t.load) }
	}
	r.bind(a.ID, cancel)
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
		t.message.SetText(T("No patient record is linked to this account. Please ask at the reception desk."))
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
	t.message.SetText("")
	if len(up) == 0 {
		t.message.SetText(T("No upcoming appointments."))
	}
	t.pastEmpty.Hidden = len(past) > 0
	t.pastEmpty.Refresh()
	t.upcomingL.Refresh()
	t.pastL.Refresh()
}

// describe is an appointment as a patient reads it.
func (t *myAppointmentsTab) describe(a *app.Appointment) string {
	s := tr().DayTime(a.Start.In(t.u.location())) + " — " + a.DoctorName
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
