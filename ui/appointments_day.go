package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// doctorDayView lists a doctor's appointments of a day or of the week from
// that day, in order. Selecting a row opens the patient's chart; the
// buttons at its end call the patient, start the visit, begin a note and
// move the appointment ("Complete" closes the visit). A doctor sees their
// own; other staff choose the doctor.
type doctorDayView struct {
	u         *UI
	openChart func(patientID string)
	// openNote opens the chart on its Notes tab with a new note begun; nil
	// for roles that write no notes.
	openNote func(patientID string)

	doctors []*app.DoctorProfile
	roomFor string         // the doctor whose room the room entry holds
	called  *app.QueueCall // the last call made here
	appts   []*app.Appointment
	weekOn  bool // the list shows a week: each row's time carries its day
	seq     int
	dialogs apptDialogs
	book    *bookForm // the open booking dialog

	doctor  *escSelect
	day     *dayPicker
	week    *escCheck
	refresh *widget.Button
	bookBtn *widget.Button
	// room and callBtn call the next waiting patient to the room; nil
	// when the user calls no one or the desk has no queue.
	room    *escEntry
	callBtn *widget.Button
	summary *widget.Label
	// list is the day's appointments (dayColumns) or the week's
	// (weekColumns), swapped in lists when the week is toggled.
	list  *widget.List
	lists *fyne.Container
	empty *widget.Label

	content fyne.CanvasObject
}

func newDoctorDayView(u *UI, openChart func(string)) *doctorDayView {
	v := &doctorDayView{u: u, openChart: openChart}
	v.doctor = newSelect(nil, func(string) { v.load() })
	v.doctor.PlaceHolder = T("Choose the doctor")
	v.day = newDayPicker(todayOf(u), v.load)
	v.week = newCheck(T("Week"), func(bool) { v.load() })
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	role := u.session.User.Role
	var right []fyne.CanvasObject
	right = append(right, v.week, v.refresh)
	if app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermOwnSchedule) {
		v.bookBtn = widget.NewButtonWithIcon(T("Book appointment…"), theme.CalendarIcon(), v.onBook)
		v.bookBtn.Importance = widget.HighImportance
		right = append(right, v.bookBtn)
	}
	if u.svc.Queue != nil && (app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermOwnSchedule)) {
		v.room = entry("")
		v.room.SetPlaceHolder(T("Room"))
		v.room.OnSubmitted = func(string) { v.onCallNext() }
		v.callBtn = widget.NewButtonWithIcon(T("Call next"), theme.MediaPlayIcon(), v.onCallNext)
		right = append([]fyne.CanvasObject{container.New(widthLayout{110}, v.room), v.callBtn}, right...)
	}
	v.summary = mutedLabel("")
	v.empty = mutedLabel(T("No appointments."))
	v.empty.Hide()
	v.lists = container.NewStack()
	v.setColumns(false)
	var who fyne.CanvasObject = v.doctor
	if role == app.RoleDoctor {
		me := u.session.User
		v.doctors = []*app.DoctorProfile{{UserID: me.ID, FullName: me.FullName}}
		v.doctor.SetOptions([]string{me.FullName})
		v.doctor.SetSelectedIndex(0)
		who = widget.NewLabelWithStyle(me.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	top := container.NewVBox(
		container.NewHBox(container.New(widthLayout{260}, who), container.New(widthLayout{220}, v.day.content),
			layout.NewSpacer(), container.NewHBox(right...)),
		v.summary,
		widget.NewSeparator(),
	)
	v.content = container.NewBorder(top, nil, nil, nil, v.lists)
	return v
}

// The columns of the day list; in a week the time carries its day.
var (
	dayColumns  = []listColumn{{i18n.N("Time"), 120, false}, {i18n.N("Token"), 95, false}, {i18n.N("Status"), 110, false}, {i18n.N("Patient"), 0, false}}
	weekColumns = []listColumn{{i18n.N("Day and time"), 210, false}, {i18n.N("Token"), 95, false}, {i18n.N("Status"), 110, false}, {i18n.N("Patient"), 0, false}}
)

// setColumns builds the list for a day or for a week.
func (v *doctorDayView) setColumns(week bool) {
	v.weekOn = week
	cols := dayColumns
	if week {
		cols = weekColumns
	}
	v.list = widget.NewList(func() int { return len(v.appts) }, func() fyne.CanvasObject {
		start := widget.NewButtonWithIcon(T("Start visit"), theme.MediaPlayIcon(), nil)
		start.Importance = widget.HighImportance
		return newListRow(newColumnRow(cols), apptRowButtons(widget.NewButton(T("Call"), nil), start,
			widget.NewButtonWithIcon(T("Note"), theme.DocumentCreateIcon(), nil))...)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(v.appts) {
			v.updateRow(v.appts[id], o.(*listRow))
		}
	})
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.appts) {
			v.openChart(v.appts[id].PatientID)
		}
	}
	v.lists.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(columnHeader(cols), widget.NewSeparator()), nil, nil, nil,
		container.NewStack(v.list, container.NewVBox(v.empty)))}
	v.lists.Refresh()
}

func (v *doctorDayView) doctorID() string {
	if i := v.doctor.SelectedIndex(); i >= 0 && i < len(v.doctors) {
		return v.doctors[i].UserID
	}
	return ""
}

// load reads the chosen doctor's day or week; the doctors first, when the
// select is still empty.
func (v *doctorDayView) load() {
	if len(v.doctors) == 0 {
		fillDoctors(v.u, v.doctor, "", func(ds []*app.DoctorProfile) { v.doctors = ds },
			func() { v.summary.SetText(T("No doctors yet.")) }) // choosing one loads
		return
	}
	id := v.doctorID()
	if id == "" {
		v.summary.SetText(T("Choose the doctor."))
		return
	}
	day, err := v.day.day()
	if err != nil {
		showError(err, v.u.win)
		return
	}
	v.seq++
	seq, week := v.seq, v.week.Checked
	if v.room != nil && v.roomFor != id {
		v.loadRoom(id)
	}
	background(v.u, func(ctx context.Context) ([]*app.Appointment, error) {
		if week {
			return v.u.svc.Appointments.DoctorWeek(ctx, id, day.String())
		}
		return v.u.svc.Appointments.DoctorDay(ctx, id, day.String())
	}, func(as []*app.Appointment, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.show(as, week)
	})
}

func (v *doctorDayView) show(as []*app.Appointment, week bool) {
	v.appts = as
	waiting := 0
	for _, a := range as {
		if a.Status == app.AppointmentCheckedIn {
			waiting++
		}
	}
	sum := Tf("%d appointments, %d waiting.", len(as), waiting)
	if v.called != nil {
		sum += Tf(" Called %s to %s at %s.", v.called.Token, v.called.Room, clockOf(v.u, v.called.CalledAt))
	}
	v.summary.SetText(sum)
	if week != v.weekOn {
		v.setColumns(week)
	}
	v.empty.Hidden = len(as) > 0
	v.empty.Refresh()
	v.list.Refresh()
}

// updateRow shows a in a row, with the buttons the user may use on it.
func (v *doctorDayView) updateRow(a *app.Appointment, r *listRow) {
	when := clockOf(v.u, a.Start) + "–" + clockOf(v.u, a.End)
	if v.weekOn {
		when = tr().Day(a.Start.In(v.u.location())) + "  " + when
	}
	who := a.PatientName
	if a.PatientMRN != "" {
		who += " (" + a.PatientMRN + ")"
	}
	if a.Reason != "" {
		who += " — " + a.Reason
	}
	imp := widget.MediumImportance
	if a.Status == app.AppointmentCheckedIn {
		imp = widget.HighImportance // waiting
	}
	setColumnRow(r.columns(), imp, when, a.Token, T(a.Status.Label()), who)
	var call, note func()
	if v.callBtn != nil && a.Status == app.AppointmentCheckedIn && a.Token != "" &&
		app.CheckInApplies(a, v.u.now(), v.u.location()) == nil { // today's
		call = func() { v.call(a) }
	}
	if v.openNote != nil {
		note = func() { v.openNote(a.PatientID) }
	}
	bindApptRow(v.u, r, a, &v.dialogs, v.load, call, startVisitMove(v.u, a, v.openChart, rowBusy(r, a.ID)), note)
}

// onBook opens the booking dialog on the doctor and day on view.
func (v *doctorDayView) onBook() {
	at := bookStart{doctor: v.doctorID()}
	if d, err := v.day.day(); err == nil {
		at.day = d
	}
	v.book = showBookFormAt(v.u, "", at, func(*app.Appointment) { v.book = nil; v.load() })
}

// loadRoom fills the room entry with the doctor's remembered room.
func (v *doctorDayView) loadRoom(doctorID string) {
	v.roomFor = doctorID
	background(v.u, func(ctx context.Context) (string, error) {
		return v.u.svc.Queue.DoctorRoom(ctx, doctorID)
	}, func(room string, err error) {
		if err != nil || v.roomFor != doctorID {
			return // the room is typed then
		}
		v.room.SetText(room)
	})
}

// onCallNext calls the doctor's next waiting patient to the room typed.
func (v *doctorDayView) onCallNext() {
	id := v.doctorID()
	if id == "" {
		v.summary.SetText(T("Choose the doctor."))
		return
	}
	room := v.room.Text
	v.callBtn.Disable()
	background(v.u, func(ctx context.Context) (*app.QueueCall, error) {
		return v.u.svc.Queue.CallNext(ctx, id, room)
	}, v.afterCall)
}

// call calls the patient of a chosen appointment, again if called before.
func (v *doctorDayView) call(a *app.Appointment) {
	room := v.room.Text
	v.callBtn.Disable()
	background(v.u, func(ctx context.Context) (*app.QueueCall, error) {
		return v.u.svc.Queue.Call(ctx, a.ID, room)
	}, v.afterCall)
}

func (v *doctorDayView) afterCall(c *app.QueueCall, err error) {
	v.callBtn.Enable()
	if err != nil {
		showError(err, v.u.win)
		return
	}
	v.room.SetText(c.Room)
	v.called = c
	v.u.called()
	v.load()
}
