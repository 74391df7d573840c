package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// appointmentsScreen is the Appointments area of staff: the reception board
// of today (roles that see every appointment) and a doctor's day or week,
// each row a click from the patient's chart. A doctor sees their own day
// only. The chart opens in place of the tabs.
type appointmentsScreen struct {
	u *UI

	tabs     *container.AppTabs
	board    *boardView       // nil for doctors
	day      *doctorDayView   // every staff role
	hours    *hoursView       // the open hours (admins and doctors); nil while the tabs are shown
	hoursBtn *widget.Button   // "Doctors' hours" or "My hours"; nil for the other roles
	messages *messagesLogView // staff who manage appointments; nil for the others
	chart    *chartScreen     // the open chart; nil while the tabs are shown
	views    *fyne.Container  // the tabs or a chart

	content fyne.CanvasObject
}

func newAppointmentsScreen(u *UI) *appointmentsScreen {
	s := &appointmentsScreen{u: u}
	s.buildUI()
	return s
}

func (s *appointmentsScreen) role() app.Role { return s.u.session.User.Role }

func (s *appointmentsScreen) buildUI() {
	s.day = newDoctorDayView(s.u, s.openChart)
	if r := s.u.session.User.Role; app.Can(r, app.PermWriteClinical) || app.Can(r, app.PermWriteNursing) {
		s.day.openNote = s.openNote
	}
	s.tabs = container.NewAppTabs()
	var boardTab *container.TabItem
	if app.Can(s.role(), app.PermViewAppointments) {
		s.board = newBoardView(s.u)
		s.board.openChart = s.openChart
		boardTab = container.NewTabItemWithIcon(T("Reception board"), theme.ListIcon(), s.board.content)
	}
	title := T("Doctor's day")
	if s.role() == app.RoleDoctor {
		title = T("My day")
	}
	dayTab := container.NewTabItemWithIcon(title, theme.CalendarIcon(), s.day.content)
	if s.role() == app.RoleDoctor {
		// A doctor's day comes first: it is where they land after login.
		s.tabs.Append(dayTab)
		if boardTab != nil {
			s.tabs.Append(boardTab)
		}
	} else {
		if boardTab != nil {
			s.tabs.Append(boardTab)
		}
		s.tabs.Append(dayTab)
	}
	if s.u.svc.Messages != nil && app.CanSeeMessageLog(s.u.session.Caller()) == nil {
		s.messages = newMessagesLogView(s.u)
		s.tabs.Append(container.NewTabItemWithIcon(T("Messages"), theme.MailComposeIcon(), s.messages.content))
	}
	s.tabs.OnSelected = func(item *container.TabItem) {
		s.u.touch()
		s.load()
	}
	s.views = container.NewStack(s.tabs)
	s.content = s.withHoursButton(s.views)
}

// load fetches what the selected tab shows.
func (s *appointmentsScreen) load() {
	if s.messages != nil && s.tabs.Selected() != nil && s.tabs.Selected().Content == s.messages.content {
		s.messages.load()
		return
	}
	if s.board != nil && s.tabs.Selected() != nil && s.tabs.Selected().Content == s.board.content {
		s.board.load()
		return
	}
	s.day.load()
}

// openChart shows a patient's chart in place of the tabs.
func (s *appointmentsScreen) openChart(patientID string) {
	s.u.touch()
	s.chart = newChartScreen(s.u, patientID, s.closeChart, nil)
	s.chart.back.SetText(T("Appointments"))
	s.views.Objects = []fyne.CanvasObject{s.chart.content}
	s.views.Refresh()
	s.chart.load()
}

// openNote shows a patient's chart on its Notes tab with a new note begun:
// the doctor's day is one click from writing up a visit.
func (s *appointmentsScreen) openNote(patientID string) {
	s.openChart(patientID)
	c := s.chart
	if c.notes == nil {
		return
	}
	for _, item := range c.tabs.Items {
		if c.byItem[item] == chartTab(c.notes) {
			c.tabs.Select(item)
		}
	}
	if c.notes.newNote != nil {
		c.notes.form = showNoteForm(c.notes, nil)
	}
}

// closeChart goes back to the tabs and refreshes them.
func (s *appointmentsScreen) closeChart() {
	s.u.touch()
	s.chart = nil
	s.views.Objects = []fyne.CanvasObject{s.tabs}
	s.views.Refresh()
	s.load()
}

// waitingText is how long a patient has waited, e.g. "25 min", "1 h 05 min".
func waitingText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	m := int(d / time.Minute)
	if m < 60 {
		return Tf("%d min", m)
	}
	return Tf("%d h %02d min", m/60, m%60)
}

// dayPicker is a YYYY-MM-DD entry with previous and next day buttons, a
// calendar to pick the day from, and the day's weekday beside it.
type dayPicker struct {
	entry    *escEntry
	prev     *escButton
	next     *escButton
	pick     *escButton    // opens the calendar
	weekday  *widget.Label // "Monday", or what is wrong with the entry
	calendar *widget.Calendar
	popup    *widget.PopUp // the open calendar
	onChange func()
	content  fyne.CanvasObject
}

func newDayPicker(day app.Day, onChange func()) *dayPicker {
	p := &dayPicker{onChange: onChange}
	p.entry = entry(T("YYYY-MM-DD"))
	p.entry.SetText(day.String())
	p.entry.OnSubmitted = func(string) { p.changed() }
	p.weekday = widget.NewLabel("")
	p.entry.OnChanged = func(string) { p.showWeekday() }
	p.showWeekday()
	p.prev = newIconButton("", theme.NavigateBackIcon(), func() { p.step(-1) })
	p.next = newIconButton("", theme.NavigateNextIcon(), func() { p.step(1) })
	p.pick = newIconButton("", theme.CalendarIcon(), p.onPick)
	// A toolbar gives the entry only its minimum width: hold it wide
	// enough for a whole date.
	box := container.NewGridWrap(fyne.NewSize(theme.TextSize()*8, p.entry.MinSize().Height), p.entry)
	p.content = container.NewBorder(nil, nil, p.prev, container.NewHBox(p.weekday, p.pick, p.next), box)
	return p
}

// showWeekday names the entry's day, or says it is not a date yet.
func (p *dayPicker) showWeekday() {
	d, err := p.day()
	if err != nil {
		p.weekday.SetText("")
		return
	}
	p.weekday.SetText(tr().Weekday(d.Weekday()))
}

// onPick opens a calendar under the entry at the entry's month; choosing
// a day fills it in and closes the calendar.
func (p *dayPicker) onPick() {
	start := time.Now()
	if d, err := p.day(); err == nil {
		start = time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(p.pick)
	if c == nil {
		return
	}
	p.calendar = widget.NewCalendar(start, func(t time.Time) {
		p.entry.SetText(app.Day{Year: t.Year(), Month: t.Month(), Day: t.Day()}.String())
		if p.popup != nil {
			p.popup.Hide()
			p.popup = nil
		}
		p.changed()
	})
	p.popup = widget.NewPopUp(p.calendar, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.entry)
	p.popup.ShowAtPosition(pos.Add(fyne.NewPos(0, p.entry.Size().Height)))
}

// day is the day in the entry, or an error when it is not a date.
func (p *dayPicker) day() (app.Day, error) { return app.ParseDay(p.entry.Text) }

func (p *dayPicker) step(n int) {
	d, err := p.day()
	if err != nil {
		return
	}
	p.entry.SetText(d.AddDays(n).String())
	p.changed()
}

func (p *dayPicker) changed() {
	if p.onChange != nil {
		p.onChange()
	}
}

// fillDoctors reads the doctors into sel, labelled by doctorLabel, hands
// them to keep, and chooses the one whose user id is want (the first when
// want is "" or not among them), which fires sel's OnChanged. With no
// doctors it calls none instead.
func fillDoctors(u *UI, sel *escSelect, want string, keep func([]*app.DoctorProfile), none func()) {
	background(u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
		return findDoctors(ctx, u, "")
	}, func(ds []*app.DoctorProfile, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		if len(ds) == 0 {
			none()
			return
		}
		keep(ds)
		opts := make([]string, len(ds))
		first := 0
		for i, d := range ds {
			opts[i] = doctorLabel(d)
			if d.UserID == want {
				first = i
			}
		}
		sel.SetOptions(opts)
		sel.SetSelectedIndex(first)
	})
}

// findDoctors lists the doctors whose specialization contains spec; a
// doctor sees only themself.
func findDoctors(ctx context.Context, u *UI, spec string) ([]*app.DoctorProfile, error) {
	if me := u.session.User; me.Role == app.RoleDoctor {
		return []*app.DoctorProfile{{UserID: me.ID, FullName: me.FullName}}, nil
	}
	return u.svc.Appointments.FindDoctors(ctx, spec)
}

// apptCanDo reports whether the user may move appointment a to status to:
// the workflow allows it and the role may do it.
func apptCanDo(u *UI, a *app.Appointment, to app.AppointmentStatus) bool {
	if !app.CanTransition(a.Status, to) {
		return false
	}
	me := u.session.User
	manage := app.Can(me.Role, app.PermManageAppointments) ||
		(app.Can(me.Role, app.PermOwnSchedule) && a.DoctorID == me.ID)
	switch to {
	case app.AppointmentCheckedIn:
		// Offered only on the appointment's day, where the service allows it.
		return (manage || app.Can(me.Role, app.PermCheckIn)) && app.CheckInApplies(a, u.now(), u.location()) == nil
	case app.AppointmentNoShow:
		// Offered only once the appointment's time has begun.
		return manage && app.NoShowApplies(a, u.now(), u.location()) == nil
	case app.AppointmentCompleted:
		return me.Role == app.RoleAdmin || (me.Role == app.RoleDoctor && a.DoctorID == me.ID)
	case app.AppointmentConflict:
		return false
	}
	return manage
}

// apptCanReschedule reports whether the user may move a to another time.
func apptCanReschedule(u *UI, a *app.Appointment) bool {
	if a.Status != app.AppointmentPending && a.Status != app.AppointmentConfirmed && a.Status != app.AppointmentConflict {
		return false
	}
	me := u.session.User
	return app.Can(me.Role, app.PermManageAppointments) ||
		(app.Can(me.Role, app.PermOwnSchedule) && a.DoctorID == me.ID)
}

// apptDialogs are the dialogs a row's actions open, kept for tests.
type apptDialogs struct {
	cancel     *promptForm
	reschedule *bookForm
}

// apptMoveLabels are the status moves of an appointment, in the order
// their buttons stand at the end of a row.
var apptMoveLabels = []string{i18n.N("Confirm"), i18n.N("Check in"), i18n.N("Complete"), i18n.N("Reschedule…"), i18n.N("No-show"), i18n.N("Cancel…")}

// apptMoves are the moves the user may make on a, by label: each runs the
// service call and then done. busy, when not nil, is told when a call
// starts (true) and when it failed (false), so the row's buttons wait.
func apptMoves(u *UI, a *app.Appointment, dlg *apptDialogs, busy func(bool), done func()) map[string]func() {
	moves := map[string]func(){}
	if busy == nil {
		busy = func(bool) {}
	}
	simple := func(call func(context.Context, string) (*app.Appointment, error), after ...func(*app.Appointment)) func() {
		return func() {
			busy(true)
			background(u, func(ctx context.Context) (*app.Appointment, error) {
				return call(ctx, a.ID)
			}, func(res *app.Appointment, err error) {
				if err != nil {
					busy(false)
					showError(err, u.win)
					return
				}
				for _, f := range after {
					f(res)
				}
				done()
			})
		}
	}
	svc := u.svc.Appointments
	if apptCanDo(u, a, app.AppointmentConfirmed) {
		moves["Confirm"] = simple(svc.Confirm)
	}
	if apptCanDo(u, a, app.AppointmentCheckedIn) {
		moves["Check in"] = simple(svc.CheckIn, u.printTokenSlip)
	}
	if apptCanDo(u, a, app.AppointmentCompleted) {
		moves["Complete"] = simple(svc.Complete)
	}
	if apptCanReschedule(u, a) {
		moves["Reschedule…"] = func() { dlg.reschedule = showRescheduleForm(u, a, func(*app.Appointment) { done() }) }
	}
	if apptCanDo(u, a, app.AppointmentNoShow) {
		moves["No-show"] = simple(svc.MarkNoShow)
	}
	if apptCanDo(u, a, app.AppointmentCancelled) {
		moves["Cancel…"] = func() { dlg.cancel = showCancelPrompt(u, a, done) }
	}
	return moves
}

// apptRowButtons are the buttons at the end of an appointment's row:
// first the view's own (extra), then the status moves.
func apptRowButtons(extra ...*widget.Button) []*widget.Button {
	btns := append([]*widget.Button{}, extra...)
	for _, label := range apptMoveLabels {
		btns = append(btns, widget.NewButton(T(label), nil))
	}
	// Hidden until a row is bound to an appointment: the list's width
	// follows its template's, which would otherwise hold every button.
	for _, b := range btns {
		b.Hide()
	}
	return btns
}

// bindApptRow binds an appointment's row: the view's own buttons run
// extra, in order; the status moves follow. While a move's call runs,
// the row's buttons wait.
func bindApptRow(u *UI, r *listRow, a *app.Appointment, dlg *apptDialogs, done func(), extra ...func()) {
	busy := rowBusy(r, a.ID)
	moves := apptMoves(u, a, dlg, busy, done)
	do := append([]func(){}, extra...)
	for _, label := range apptMoveLabels {
		do = append(do, moves[label])
	}
	r.bind(a.ID, do...)
}

// startVisitMove is "Start visit" on a row of the calling doctor's own
// appointment of today that is confirmed or checked in: it starts the
// visit from the appointment and opens the patient's chart. nil on other
// rows and for other roles.
func startVisitMove(u *UI, a *app.Appointment, open func(patientID string), busy func(bool)) func() {
	if u.svc.Visits == nil || open == nil || u.session == nil || !app.Can(u.session.User.Role, app.PermWriteClinical) ||
		a.DoctorID != u.session.User.ID || (a.Status != app.AppointmentConfirmed && a.Status != app.AppointmentCheckedIn) ||
		app.DayOf(a.Start, u.location()) != todayOf(u) {
		return nil
	}
	return func() {
		u.touch()
		busy(true)
		background(u, func(ctx context.Context) (*app.Visit, error) {
			return u.svc.Visits.StartVisit(ctx, app.VisitStart{PatientID: a.PatientID, AppointmentID: a.ID})
		}, func(_ *app.Visit, err error) {
			busy(false)
			if err != nil {
				showError(err, u.win)
				return
			}
			open(a.PatientID)
		})
	}
}

// rowBusy is a busy function that makes the buttons of the row wait while
// it still shows the item key.
func rowBusy(r *listRow, key string) func(bool) {
	return func(on bool) {
		if r.key != key {
			return
		}
		for _, b := range r.actions {
			if on {
				b.Disable()
			} else {
				b.Enable()
			}
		}
	}
}

// showCancelPrompt asks for the reason and cancels a.
func showCancelPrompt(u *UI, a *app.Appointment, done func()) *promptForm {
	return showPrompt(u, promptSpec{
		title: T("Cancel appointment"),
		note:  Tf("Cancel %s's appointment with %s on %s?", a.PatientName, a.DoctorName, formatTime(u, a.Start)),
		label: T("Reason"), field: "reason", ok: T("Cancel appointment"), danger: true,
		placeholder: T("Why it is cancelled"),
		check:       app.ValidateCancelReason,
		submit: func(text string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := u.svc.Appointments.Cancel(ctx, a.ID, text)
				return err
			}
		},
		done: done,
	})
}
