package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// doctorDayView lists a doctor's appointments of a day or of the week from
// that day, in order. Each row opens the patient's chart; "Complete"
// closes the visit. A doctor sees their own; other staff choose the doctor.
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
	seq     int
	// actions holds each row's buttons by appointment ID and label;
	// "Chart" opens the patient's chart.
	actions map[string]map[string]*widget.Button
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
	rows    *fyne.Container

	content fyne.CanvasObject
}

func newDoctorDayView(u *UI, openChart func(string)) *doctorDayView {
	v := &doctorDayView{u: u, openChart: openChart, actions: map[string]map[string]*widget.Button{}}
	v.doctor = newSelect(nil, func(string) { v.load() })
	v.doctor.PlaceHolder = "Choose the doctor"
	v.day = newDayPicker(todayOf(u), v.load)
	v.week = newCheck("Week", func(bool) { v.load() })
	v.refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.load)
	role := u.session.User.Role
	var right []fyne.CanvasObject
	right = append(right, v.week, v.refresh)
	if app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermOwnSchedule) {
		v.bookBtn = widget.NewButtonWithIcon("Book appointment…", theme.CalendarIcon(), v.onBook)
		v.bookBtn.Importance = widget.HighImportance
		right = append(right, v.bookBtn)
	}
	if u.svc.Queue != nil && (app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermOwnSchedule)) {
		v.room = entry("")
		v.room.SetPlaceHolder("Room")
		v.room.OnSubmitted = func(string) { v.onCallNext() }
		v.callBtn = widget.NewButtonWithIcon("Call next", theme.MediaPlayIcon(), v.onCallNext)
		right = append([]fyne.CanvasObject{container.New(widthLayout{110}, v.room), v.callBtn}, right...)
	}
	v.summary = mutedLabel("")
	v.rows = container.NewVBox()
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
	v.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.rows))
	return v
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
			func() { v.summary.SetText("No doctors yet.") }) // choosing one loads
		return
	}
	id := v.doctorID()
	if id == "" {
		v.summary.SetText("Choose the doctor.")
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
	v.actions = map[string]map[string]*widget.Button{}
	waiting := 0
	for _, a := range as {
		if a.Status == app.AppointmentCheckedIn {
			waiting++
		}
	}
	sum := fmt.Sprintf("%d appointments, %d waiting.", len(as), waiting)
	if v.called != nil {
		sum += fmt.Sprintf(" Called %s to %s at %s.", v.called.Token, v.called.Room, clockOf(v.u, v.called.CalledAt))
	}
	v.summary.SetText(sum)
	var rows []fyne.CanvasObject
	lastDay := ""
	for _, a := range as {
		local := a.Start.In(v.u.location())
		if d := local.Format("Monday 2006-01-02"); week && d != lastDay {
			rows = append(rows, sectionTitle(d))
			lastDay = d
		}
		rows = append(rows, v.row(a))
	}
	if len(as) == 0 {
		rows = append(rows, mutedLabel("No appointments."))
	}
	v.rows.Objects = rows
	v.rows.Refresh()
}

func (v *doctorDayView) row(a *app.Appointment) fyne.CanvasObject {
	btns, objs := apptActions(v.u, a, &v.dialogs, v.load)
	if v.callBtn != nil && a.Status == app.AppointmentCheckedIn && a.Token != "" &&
		app.CheckInApplies(a, v.u.now(), v.u.location()) == nil { // today's
		call := widget.NewButton("Call", func() { v.call(a) })
		btns["Call"] = call
		objs = append([]fyne.CanvasObject{call}, objs...)
	}
	if b := startVisitButton(v.u, a, v.openChart); b != nil {
		btns["Start visit"], objs = b, append([]fyne.CanvasObject{b}, objs...)
	}
	chart := widget.NewButtonWithIcon("Chart", theme.FileIcon(), func() { v.openChart(a.PatientID) })
	btns["Chart"] = chart
	left := fyne.CanvasObject(chart)
	if v.openNote != nil {
		note := widget.NewButtonWithIcon("Note", theme.DocumentCreateIcon(), func() { v.openNote(a.PatientID) })
		btns["Note"] = note
		left = container.NewHBox(chart, note)
	}
	v.actions[a.ID] = btns
	text := clockOf(v.u, a.Start) + "–" + clockOf(v.u, a.End) + "  " + a.PatientName
	if a.Token != "" {
		text = a.Token + "  " + text
	}
	if a.PatientMRN != "" {
		text += " (" + a.PatientMRN + ")"
	}
	if a.Reason != "" {
		text += " — " + a.Reason
	}
	name := widget.NewLabel(text)
	name.Truncation = fyne.TextTruncateEllipsis
	status := widget.NewLabel(a.Status.Label())
	return container.NewBorder(nil, nil, left, container.NewHBox(append([]fyne.CanvasObject{status}, objs...)...), name)
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
		v.summary.SetText("Choose the doctor.")
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
