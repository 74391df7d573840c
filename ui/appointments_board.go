package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// boardView is the reception board of today: every doctor's appointments
// with their status, who is waiting and for how long, and the moves the
// user may make on each as buttons at the row's end; the conflicts sync
// found come first. Selecting a row opens the patient's chart.
type boardView struct {
	u *UI
	// openChart shows a patient's chart; "Start visit" opens it.
	openChart func(patientID string)

	board *app.Board
	// items are the rows: the conflicts first, then today's entries.
	items   []boardItem
	dialogs apptDialogs
	book    *bookForm   // the open booking dialog
	walkIn  *walkInForm // the open walk-in dialog

	title   *widget.Label
	summary *widget.Label
	refresh *widget.Button
	bookBtn *widget.Button // roles that manage appointments
	walkBtn *widget.Button // roles that manage appointments
	// lost says how many rows at the top lost to another desk's booking.
	lost  *widget.Label
	list  *widget.List
	empty *widget.Label

	content fyne.CanvasObject
}

func newBoardView(u *UI) *boardView {
	v := &boardView{u: u}
	v.title = widget.NewLabelWithStyle(T("Today"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.summary = widget.NewLabel(T("Loading…"))
	v.summary.Importance = widget.LowImportance
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	buttons := []fyne.CanvasObject{v.refresh}
	if app.Can(u.session.User.Role, app.PermManageAppointments) {
		v.walkBtn = widget.NewButtonWithIcon(T("Walk-in…"), theme.ContentAddIcon(), v.onWalkIn)
		v.bookBtn = widget.NewButtonWithIcon(T("Book appointment…"), theme.CalendarIcon(), v.onBook)
		v.bookBtn.Importance = widget.HighImportance
		buttons = append(buttons, v.walkBtn, v.bookBtn)
	}
	v.lost = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.lost.Importance = widget.DangerImportance
	v.lost.Hide()
	v.empty = mutedLabel(T("No appointments today."))
	v.empty.Hide()
	v.list = widget.NewList(func() int { return len(v.items) }, func() fyne.CanvasObject {
		start := widget.NewButtonWithIcon(T("Start visit"), theme.MediaPlayIcon(), nil)
		start.Importance = widget.HighImportance
		return newListRow(newColumnRow(boardColumns),
			apptRowButtons(start, widget.NewButtonWithIcon(T("Bill…"), theme.DocumentIcon(), nil))...)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(v.items) {
			v.updateRow(v.items[id], o.(*listRow))
		}
	})
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.items) && v.openChart != nil {
			v.openChart(v.items[id].appt.PatientID)
		}
	}
	top := container.NewVBox(
		container.NewHBox(v.title, v.summary, layout.NewSpacer(), container.NewHBox(buttons...)),
		v.lost,
		columnHeader(boardColumns),
		widget.NewSeparator(),
	)
	v.content = container.NewBorder(top, nil, nil, nil, container.NewStack(v.list, container.NewVBox(v.empty)))
	return v
}

// boardItem is a row of the board: an appointment, how long its patient
// has waited, and whether it lost to another desk's booking.
type boardItem struct {
	appt    *app.Appointment
	waiting time.Duration
	lost    bool
}

var boardColumns = []listColumn{
	{i18n.N("Time"), 110, false}, {i18n.N("Token"), 95, false}, {i18n.N("Doctor"), 170, false}, {i18n.N("Patient"), 200, false}, {i18n.N("Status"), 130, false},
	{i18n.N("Waiting"), 0, false},
}

// load reads today's board.
func (v *boardView) load() {
	v.refresh.Disable()
	background(v.u, func(ctx context.Context) (*app.Board, error) {
		return v.u.svc.Appointments.ReceptionBoard(ctx, "")
	}, func(b *app.Board, err error) {
		v.refresh.Enable()
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.show(b)
	})
}

func (v *boardView) show(b *app.Board) {
	v.board = b
	title := Tf("Today, %s", b.Day)
	if d, err := app.ParseDay(b.Day); err == nil {
		title = Tf("Today, %s", dayLabel(d))
	}
	v.title.SetText(title)
	v.summary.SetText(Tf("%d appointments, %d waiting", len(b.Entries), b.Waiting))
	items := make([]boardItem, 0, len(b.Conflicts)+len(b.Entries))
	for _, a := range b.Conflicts {
		items = append(items, boardItem{appt: a, lost: true})
	}
	for _, e := range b.Entries {
		items = append(items, boardItem{appt: e.Appointment, waiting: e.Waiting})
	}
	v.items = items
	if n := len(b.Conflicts); n > 0 {
		v.lost.SetText(Tf("Lost to another desk's booking — move or cancel: %s at the top, in red", countText(n, T("appointment"), T("appointments"))))
		v.lost.Show()
	} else {
		v.lost.Hide()
	}
	v.empty.Hidden = len(items) > 0
	v.empty.Refresh()
	v.list.Refresh()
}

// updateRow shows an appointment of the board with the buttons of the
// moves the user may make.
func (v *boardView) updateRow(it boardItem, r *listRow) {
	a := it.appt
	at := clockOf(v.u, a.Start)
	imp := widget.MediumImportance
	if it.lost {
		t := a.Start.In(v.u.location())
		at = tr().WeekdayShort(t.Weekday()) + " " + t.Format("01-02 15:04")
		imp = widget.DangerImportance
	}
	setColumnRow(r.columns(), imp, at, a.Token, a.DoctorName, a.PatientName, T(a.Status.Label()), waitingText(it.waiting))
	var bill func()
	if a.Status == app.AppointmentCompleted && app.Can(v.u.session.User.Role, app.PermManageBilling) {
		bill = func() { v.u.billVisit(a.ID) }
	}
	bindApptRow(v.u, r, a, &v.dialogs, v.load, startVisitMove(v.u, a, v.openChart, rowBusy(r, a.ID)), bill)
}

func (v *boardView) onBook() {
	v.book = showBookForm(v.u, "", func(*app.Appointment) { v.book = nil; v.load() })
}

func (v *boardView) onWalkIn() {
	v.walkIn = showWalkInForm(v.u, func() { v.walkIn = nil; v.load() })
}

// walkInForm books a patient at the desk with a doctor today and checks
// them in; when the doctor has no hours left, staff may see the patient
// anyway with a reason, as when booking outside hours.
type walkInForm struct {
	u          *UI
	picker     *patientPicker
	doctors    []*app.DoctorProfile
	doctor     *escSelect
	reason     *escEntry
	override   *escCheck
	overReason *escEntry
	overBox    *fyne.Container
	body       *fyne.Container
	save       *escButton
	cancel     *escButton
	errs       fieldErrors
	dialog     dialog.Dialog
	done       func()
}

func showWalkInForm(u *UI, done func()) *walkInForm {
	f := &walkInForm{u: u, errs: fieldErrors{}, done: done}
	f.picker = newPatientPicker(u)
	f.doctor = newSelect(nil, nil)
	f.doctor.PlaceHolder = T("Choose the doctor")
	f.reason = newEscEntry(T("Reason for the visit"))
	f.save = newButton(T("Check in"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	f.overReason = newEscEntry(T("Why outside the doctor's hours"))
	f.overReason.OnSubmitted = func(string) { f.onSave() }
	f.overBox = container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Override reason"), f.errs.add("override_reason", f.overReason))))
	f.overBox.Hide()
	f.override = newCheck(T("See the patient outside the doctor's hours"), func(on bool) {
		if on {
			f.overBox.Show()
			u.win.Canvas().Focus(f.overReason)
		} else {
			f.overBox.Hide()
		}
		f.body.Refresh()
	})
	f.reason.OnSubmitted = func(string) { f.onSave() }
	f.body = container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Patient"), f.errs.add("patient_id", f.picker.content)),
		widget.NewFormItem(T("Doctor"), f.errs.add("doctor_id", f.doctor)),
		widget.NewFormItem(T("Reason"), f.errs.add("reason", f.reason)),
		widget.NewFormItem("", container.NewVBox(f.override, f.overBox)),
	), general, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(u, T("Walk-in"), 620, f.body)
	u.win.Canvas().Focus(f.picker.query)
	background(u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
		return findDoctors(ctx, u, "")
	}, func(ds []*app.DoctorProfile, err error) {
		if err != nil {
			f.errs.show(err, u.win)
			return
		}
		f.doctors = ds
		opts := make([]string, len(ds))
		for i, d := range ds {
			opts[i] = doctorLabel(d)
		}
		f.doctor.SetOptions(opts)
	})
	return f
}

func (f *walkInForm) onSave() {
	f.errs.clear()
	patient := f.picker.patientID()
	doctor := ""
	if i := f.doctor.SelectedIndex(); i >= 0 && i < len(f.doctors) {
		doctor = f.doctors[i].UserID
	}
	reason := strings.TrimSpace(f.reason.Text)
	override := ""
	if f.override.Checked {
		override = strings.TrimSpace(f.overReason.Text)
	}
	switch {
	case patient == "":
		f.errs.set("patient_id", T("Choose the patient."))
		return
	case doctor == "":
		f.errs.set("doctor_id", T("Choose the doctor."))
		return
	case f.override.Checked && override == "":
		f.errs.set("override_reason", T("Give the reason for seeing the patient outside the doctor's hours."))
		return
	}
	if err := app.ValidateOverrideReason(override); err != nil {
		f.errs.show(err, f.u.win)
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Appointment, error) {
		return f.u.svc.Appointments.WalkIn(ctx, patient, doctor, reason, override)
	}, func(a *app.Appointment, err error) {
		f.save.Enable()
		if err != nil {
			if app.ErrorField(err) == "override_reason" && !f.override.Checked {
				f.override.SetChecked(true) // reveal the reason entry the message is about
			}
			f.errs.show(err, f.u.win)
			f.body.Refresh()
			return
		}
		f.dialog.Hide()
		f.u.printTokenSlip(a)
		if f.done != nil {
			f.done()
		}
	})
}
