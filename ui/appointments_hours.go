package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// canSetHours reports whether a role gets the hours tab: admins set every
// doctor's profile and hours, a doctor their own.
func canSetHours(r app.Role) bool {
	return r == app.RoleAdmin || (r == app.RoleDoctor && app.Can(r, app.PermOwnSchedule))
}

// hoursView is the tab where an admin sets a doctor's profile (specialization,
// room, fee, visit length), weekly hours and exceptions (leave and extra
// sessions); a doctor sets their own ("My hours").
type hoursView struct {
	u *UI

	doctors []*app.DoctorProfile
	want    string             // the doctor to choose first (user id); "" for the first
	profile *app.DoctorProfile // the chosen doctor's, as last read or saved
	seq     int                // numbers profile reads; older answers are dropped

	back    *widget.Button // back to the appointments' tabs
	doctor  *escSelect
	message *widget.Label

	// Profile.
	spec, room, visit *escEntry
	// consultation is the code of the price-list item the doctor's
	// consultations are billed with (administrators change it); fee shows
	// that item and its price, the one source of the consultation fee.
	consultation *escEntry
	fee          *widget.Label
	saveProfile  *widget.Button
	profErrs     fieldErrors

	// Weekly hours.
	blocks     []*hoursBlockRow
	blockBox   *fyne.Container
	addBlock   *widget.Button
	saveWeekly *widget.Button
	weekErrs   fieldErrors

	// Exceptions.
	exceptions []app.AvailabilityException
	removing   map[string]bool // exceptions being removed, by ID: their Remove is disabled
	excList    *widget.List    // each exception with Remove at its end
	excEmpty   *widget.Label
	exDate     *escEntry
	exKind     *escSelect
	exStart    *escEntry
	exEnd      *escEntry
	exSlot     *escEntry
	exReason   *escEntry
	addExc     *widget.Button
	excErrs    fieldErrors

	content fyne.CanvasObject
}

// hoursBlockRow is one weekly block being edited.
type hoursBlockRow struct {
	weekday *escSelect
	start   *escEntry
	end     *escEntry
	slot    *escEntry
	remove  *widget.Button
	err     *widget.Label
	content fyne.CanvasObject
}

// hoursWeekdays are the days of the week in the order the grid offers them.
var hoursWeekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday,
	time.Saturday, time.Sunday}

func hoursWeekdayLabels() []string {
	out := make([]string, len(hoursWeekdays))
	for i, d := range hoursWeekdays {
		out[i] = tr().Weekday(d)
	}
	return out
}

// exception kinds as the select shows them.
var (
	hoursKindLeave = i18n.N("Leave")
	hoursKindExtra = i18n.N("Extra session")
)

// withHoursButton puts the "Doctors' hours" (admins) or "My hours"
// (doctors) button above the appointments' views; it opens the hours in
// place of the tabs, as a chart opens. Other roles get views unchanged.
func (s *appointmentsScreen) withHoursButton(views fyne.CanvasObject) fyne.CanvasObject {
	if !canSetHours(s.role()) {
		return views
	}
	label := T("Doctors' hours")
	if s.role() == app.RoleDoctor {
		label = T("My hours")
	}
	s.hoursBtn = widget.NewButtonWithIcon(label, theme.SettingsIcon(), s.openHours)
	return container.NewBorder(container.NewHBox(layout.NewSpacer(), s.hoursBtn), nil, nil, nil, views)
}

// openHours shows the hours in place of the tabs.
func (s *appointmentsScreen) openHours() {
	s.u.touch()
	s.chart = nil
	s.hours = newHoursView(s.u, s.closeHours)
	s.hoursBtn.Hide()
	s.views.Objects = []fyne.CanvasObject{s.hours.content}
	s.views.Refresh()
	s.hours.load()
}

// closeHours goes back to the tabs and refreshes them.
func (s *appointmentsScreen) closeHours() {
	s.u.touch()
	s.hours = nil
	s.hoursBtn.Show()
	s.views.Objects = []fyne.CanvasObject{s.tabs}
	s.views.Refresh()
	s.load()
}

func newHoursView(u *UI, back func()) *hoursView {
	v := &hoursView{u: u, removing: map[string]bool{}}
	v.back = widget.NewButtonWithIcon(T("Appointments"), theme.NavigateBackIcon(), back)
	v.doctor = newSelect(nil, func(string) { v.loadProfile() })
	v.doctor.PlaceHolder = T("Choose the doctor")
	v.message = mutedLabel("")
	var who fyne.CanvasObject = v.doctor
	if me := u.session.User; me.Role == app.RoleDoctor {
		who = widget.NewLabelWithStyle(me.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	refresh := widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.loadProfile)

	// Profile.
	v.profErrs = fieldErrors{}
	v.spec = entry(T("e.g. Cardiology"))
	v.room = entry(T("e.g. Room 2"))
	v.consultation = entry(T("e.g. CONS-GP"))
	v.fee = mutedLabel("")
	v.fee.Wrapping = fyne.TextWrapWord
	v.visit = entry(fmt.Sprintf("%d", app.DefaultVisitMinutes))
	feeLabel := T("Consultation fee")
	if c := v.currency(); c != "" {
		feeLabel += " (" + c + ")"
	}
	profForm := widget.NewForm(
		widget.NewFormItem(T("Specialization"), v.profErrs.add("specialization", v.spec)),
		widget.NewFormItem(T("Consulting room"), v.profErrs.add("room", v.room)),
		widget.NewFormItem(T("Consultation item"), v.profErrs.add("consultation", v.consultation)),
		widget.NewFormItem(feeLabel, v.fee),
		widget.NewFormItem(T("Visit length (minutes)"), v.profErrs.add("visit_minutes", v.visit)),
	)
	profGeneral := newErrorLabel()
	v.profErrs[""] = profGeneral
	v.profErrs.alias("user_id", "")
	v.saveProfile = widget.NewButtonWithIcon(T("Save profile"), theme.DocumentSaveIcon(), v.onSaveProfile)
	v.saveProfile.Importance = widget.HighImportance

	// Weekly hours.
	v.weekErrs = fieldErrors{}
	weekErr := newErrorLabel()
	v.weekErrs["weekly"] = weekErr
	v.weekErrs[""] = weekErr
	for _, f := range []string{"weekday", "start", "end", "slot_minutes", "doctor_id"} {
		v.weekErrs.alias(f, "weekly")
	}
	v.blockBox = container.NewVBox()
	v.addBlock = widget.NewButtonWithIcon(T("Add block"), theme.ContentAddIcon(), func() {
		v.u.touch()
		v.addBlockRow(app.Availability{Weekday: time.Monday, SlotMinutes: v.visitMinutes()})
	})
	v.saveWeekly = widget.NewButtonWithIcon(T("Save weekly hours"), theme.DocumentSaveIcon(), v.onSaveWeekly)
	v.saveWeekly.Importance = widget.HighImportance
	header := container.NewHBox(
		container.New(widthLayout{150}, mutedLabel(T("Day"))),
		container.New(widthLayout{90}, mutedLabel(T("Start"))),
		container.New(widthLayout{90}, mutedLabel(T("End"))),
		container.New(widthLayout{110}, mutedLabel(T("Slot (minutes)"))))

	// Exceptions.
	v.excErrs = fieldErrors{}
	v.excList = widget.NewList(func() int { return len(v.exceptions) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return newListRow(l, widget.NewButtonWithIcon(T("Remove"), theme.DeleteIcon(), nil))
	}, v.updateExceptionRow)
	v.excEmpty = mutedLabel(T("No leave or extra sessions ahead."))
	v.exDate = entry(T("YYYY-MM-DD"))
	v.exDate.SetText(todayOf(u).String())
	v.exStart = entry(T("HH:MM"))
	v.exEnd = entry(T("HH:MM"))
	v.exSlot = entry(T("Default: the visit length"))
	v.exKind = newSelect([]string{T(hoursKindLeave), T(hoursKindExtra)}, func(string) { v.kindChanged() })
	v.exKind.SetSelected(T(hoursKindLeave))
	v.exReason = entry(T("e.g. Conference"))
	excForm := widget.NewForm(
		widget.NewFormItem(T("Date"), v.excErrs.add("date", v.exDate)),
		widget.NewFormItem(T("Kind"), v.excErrs.add("kind", v.exKind)),
		widget.NewFormItem(T("Start"), v.excErrs.add("start", v.exStart)),
		widget.NewFormItem(T("End"), v.excErrs.add("end", v.exEnd)),
		widget.NewFormItem(T("Slot (minutes)"), v.excErrs.add("slot_minutes", v.exSlot)),
		widget.NewFormItem(T("Reason"), v.excErrs.add("reason", v.exReason)),
	)
	v.excErrs.alias("day", "date")
	excGeneral := newErrorLabel()
	v.excErrs[""] = excGeneral
	v.excErrs.alias("doctor_id", "")
	v.addExc = widget.NewButtonWithIcon(T("Add"), theme.ContentAddIcon(), v.onAddException)
	v.addExc.Importance = widget.HighImportance
	v.kindChanged()

	// The profile and the weekly hours on the left; the leave and extra
	// sessions on the right, their list taking the height left under
	// the form.
	left := container.NewVBox(
		sectionTitle(T("Profile")),
		container.New(widthLayout{520}, profForm),
		profGeneral,
		container.NewHBox(v.saveProfile),
		widget.NewSeparator(),
		sectionTitle(T("Weekly hours")),
		mutedLabel(T("Several blocks a day are allowed, e.g. 08:00–12:00 and 17:00–20:00. Booked appointments stay as they are.")),
		header,
		v.blockBox,
		weekErr,
		container.NewHBox(v.addBlock, v.saveWeekly),
	)
	right := container.NewBorder(container.NewVBox(
		sectionTitle(T("Leave and extra sessions (from today)")),
		mutedLabel(T("Leave with no start and end is the whole day.")),
		excForm,
		excGeneral,
		container.NewHBox(v.addExc),
		widget.NewSeparator(),
	), nil, nil, nil, container.NewStack(v.excList, container.NewVBox(v.excEmpty)))
	top := container.NewVBox(
		container.NewHBox(v.back, container.New(widthLayout{260}, who), layout.NewSpacer(), refresh),
		v.message,
		widget.NewSeparator(),
	)
	split := container.NewHSplit(container.NewVScroll(left), right)
	split.Offset = 0.55
	v.content = container.NewBorder(top, nil, nil, nil, split)
	v.setEditable(false)
	return v
}

// currency is the clinic's currency code, "" when unknown.
func (v *hoursView) currency() string {
	if v.u.settings != nil {
		return strings.ToUpper(v.u.settings.Currency)
	}
	return ""
}

// digits is the number of minor-unit digits of the clinic's currency.
func (v *hoursView) digits() int {
	if d, ok := app.Currencies[v.currency()]; ok {
		return d
	}
	return 2
}

// visitMinutes is the visit length typed, or the default.
func (v *hoursView) visitMinutes() int {
	if n, err := strconv.Atoi(strings.TrimSpace(v.visit.Text)); err == nil && n > 0 {
		return n
	}
	return app.DefaultVisitMinutes
}

func (v *hoursView) kindChanged() {
	if v.exKind.Selected == T(hoursKindExtra) {
		v.exSlot.Enable()
	} else {
		v.exSlot.Disable()
	}
}

// setEditable enables the forms once a doctor's profile is read.
func (v *hoursView) setEditable(on bool) {
	for _, b := range []*widget.Button{v.saveProfile, v.addBlock, v.saveWeekly, v.addExc} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (v *hoursView) doctorID() string {
	if i := v.doctor.SelectedIndex(); i >= 0 && i < len(v.doctors) {
		return v.doctors[i].UserID
	}
	return ""
}

// load reads the doctors (an admin's select; a doctor is themself), then
// the chosen doctor's profile.
func (v *hoursView) load() {
	if len(v.doctors) > 0 {
		v.loadProfile()
		return
	}
	fillDoctors(v.u, v.doctor, v.want, func(ds []*app.DoctorProfile) { v.doctors = ds },
		func() { v.message.SetText(T("No doctors yet: add a doctor's account in Staff first.")) }) // choosing one loads the profile
}

// loadProfile reads the chosen doctor's profile, weekly hours and
// exceptions.
func (v *hoursView) loadProfile() {
	v.seq++
	seq := v.seq
	id := v.doctorID()
	v.setEditable(false)
	if id == "" {
		v.message.SetText(T("Choose the doctor."))
		return
	}
	v.message.SetText(T("Loading…"))
	background(v.u, func(ctx context.Context) (*app.DoctorProfile, error) {
		return v.u.svc.Appointments.GetDoctorProfile(ctx, id)
	}, func(p *app.DoctorProfile, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			v.message.SetText("")
			showError(err, v.u.win)
			return
		}
		v.showProfile(p)
	})
}

// showProfile fills the three sections from p.
func (v *hoursView) showProfile(p *app.DoctorProfile) {
	v.profile = p
	v.profErrs.clear()
	v.weekErrs.clear()
	v.excErrs.clear()
	if p.UpdatedAt.IsZero() {
		v.message.SetText(T("No profile yet: fill it in and save it."))
	} else {
		v.message.SetText(Tf("Profile last changed %s.", formatTime(v.u, p.UpdatedAt)))
	}
	v.spec.SetText(p.Specialization)
	v.room.SetText(p.Room)
	v.showConsultation(p)
	visit := p.VisitMinutes
	if visit == 0 {
		visit = app.DefaultVisitMinutes
	}
	v.visit.SetText(strconv.Itoa(visit))
	v.showBlocks(p.Weekly)
	v.showExceptions(p.Exceptions)
	v.setEditable(true)
	v.kindChanged()
}

// showConsultation shows the consultation item of a profile and its fee.
// Only administrators choose the item; a doctor sees it.
func (v *hoursView) showConsultation(p *app.DoctorProfile) {
	v.consultation.SetText(p.ConsultationCode)
	if !app.Can(v.u.session.User.Role, app.PermManageSettings) {
		v.consultation.Disable()
	}
	switch {
	case p.ConsultationCode == "":
		v.fee.SetText(T("None: the price list has no consultation for this doctor. An administrator adds one or enters its code."))
	case p.ConsultationDefault:
		v.fee.SetText(Tf("%s — %s (the clinic's default; enter a code to choose another)", amountText(app.Money(p.Fee), v.digits()), p.ConsultationName))
	default:
		v.fee.SetText(amountText(app.Money(p.Fee), v.digits()) + " — " + p.ConsultationName)
	}
}

// onSaveProfile checks the profile and saves it.
func (v *hoursView) onSaveProfile() {
	v.u.touch()
	v.profErrs.clear()
	id := v.doctorID()
	visit := 0
	if t := strings.TrimSpace(v.visit.Text); t != "" {
		var err error
		if visit, err = strconv.Atoi(t); err != nil || visit <= 0 {
			v.profErrs.set("visit_minutes", Tf("%q is not a number of minutes.", t))
			return
		}
	}
	p := app.DoctorProfile{UserID: id, Specialization: v.spec.Text, Room: v.room.Text, VisitMinutes: visit,
		ConsultationCode: strings.ToUpper(strings.TrimSpace(v.consultation.Text)), Was: v.profile}
	if err := p.Validate(); err != nil {
		v.profErrs.show(err, v.u.win)
		return
	}
	v.saveProfile.Disable()
	seq := v.seq
	background(v.u, func(ctx context.Context) (*app.DoctorProfile, error) {
		return v.u.svc.Appointments.SetDoctorProfile(ctx, p)
	}, func(got *app.DoctorProfile, err error) {
		v.saveProfile.Enable()
		if seq != v.seq {
			return
		}
		if err != nil {
			v.profErrs.show(err, v.u.win)
			return
		}
		if got == nil {
			got = &p
		} else {
			v.profile = got // what the form now shows, for the next save
		}
		v.spec.SetText(got.Specialization)
		v.room.SetText(got.Room)
		v.showConsultation(got)
		if got.VisitMinutes > 0 {
			v.visit.SetText(strconv.Itoa(got.VisitMinutes))
		}
		v.message.SetText(T("Profile saved."))
		// The doctor select shows the specialization.
		if i := v.doctor.SelectedIndex(); i >= 0 && i < len(v.doctors) && v.u.session.User.Role != app.RoleDoctor {
			v.doctors[i].Specialization = got.Specialization
			opts := make([]string, len(v.doctors))
			for k, d := range v.doctors {
				opts[k] = doctorLabel(d)
			}
			v.doctor.Options = opts
			v.doctor.Selected = opts[i]
			v.doctor.Refresh()
		}
	})
}

// showBlocks replaces the weekly grid with blocks.
func (v *hoursView) showBlocks(blocks []app.Availability) {
	v.blocks = nil
	v.blockBox.Objects = nil
	for _, b := range blocks {
		v.addBlockRow(b)
	}
	v.blockBox.Refresh()
}

// addBlockRow appends an editable row for b.
func (v *hoursView) addBlockRow(b app.Availability) {
	r := &hoursBlockRow{}
	r.weekday = newSelect(hoursWeekdayLabels(), nil)
	r.weekday.SetSelected(tr().Weekday(b.Weekday))
	r.start = entry(T("HH:MM"))
	r.start.SetText(b.Start)
	r.end = entry(T("HH:MM"))
	r.end.SetText(b.End)
	r.slot = entry(T("minutes"))
	if b.SlotMinutes > 0 {
		r.slot.SetText(strconv.Itoa(b.SlotMinutes))
	}
	r.err = newErrorLabel()
	r.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { v.removeBlockRow(r) })
	r.content = container.NewVBox(container.NewHBox(
		container.New(widthLayout{150}, r.weekday),
		container.New(widthLayout{90}, r.start),
		container.New(widthLayout{90}, r.end),
		container.New(widthLayout{110}, r.slot),
		r.remove), r.err)
	v.blocks = append(v.blocks, r)
	v.blockBox.Add(r.content)
}

func (v *hoursView) removeBlockRow(r *hoursBlockRow) {
	v.u.touch()
	for i, b := range v.blocks {
		if b == r {
			v.blocks = append(v.blocks[:i], v.blocks[i+1:]...)
			break
		}
	}
	v.blockBox.Remove(r.content)
}

// availability reads a row; the error is shown on the row.
func (r *hoursBlockRow) availability() (app.Availability, error) {
	a := app.Availability{Weekday: -1, Start: strings.TrimSpace(r.start.Text), End: strings.TrimSpace(r.end.Text)}
	for _, d := range hoursWeekdays {
		if tr().Weekday(d) == r.weekday.Selected {
			a.Weekday = d
		}
	}
	t := strings.TrimSpace(r.slot.Text)
	n, err := strconv.Atoi(t)
	if err != nil {
		return a, app.FieldErrorf("slot_minutes", "%s", Tf("%q is not a number of minutes.", t))
	}
	a.SlotMinutes = n
	return a, a.Validate()
}

// onSaveWeekly checks every row, then replaces the doctor's weekly hours
// with them, sorted by day and start.
func (v *hoursView) onSaveWeekly() {
	v.u.touch()
	v.weekErrs.clear()
	blocks := make([]app.Availability, 0, len(v.blocks))
	bad := false
	for _, r := range v.blocks {
		r.err.SetText("")
		r.err.Hide()
		a, err := r.availability()
		if err != nil {
			r.err.SetText(errText(err))
			r.err.Show()
			bad = true
			continue
		}
		blocks = append(blocks, a)
	}
	if bad {
		return
	}
	if err := app.ValidateWeekly(blocks); err != nil { // sorts them
		v.weekErrs.show(err, v.u.win)
		return
	}
	id := v.doctorID()
	v.saveWeekly.Disable()
	seq := v.seq
	background(v.u, func(ctx context.Context) ([]app.Availability, error) {
		return v.u.svc.Appointments.SetAvailability(ctx, id, blocks)
	}, func(got []app.Availability, err error) {
		v.saveWeekly.Enable()
		if seq != v.seq {
			return
		}
		if err != nil {
			v.weekErrs.show(err, v.u.win)
			return
		}
		if got == nil {
			got = blocks
		}
		if v.profile != nil {
			v.profile.Weekly = got
		}
		v.showBlocks(got)
		v.message.SetText(T("Weekly hours saved."))
	})
}

// showExceptions lists the exceptions, each with a Remove button.
func (v *hoursView) showExceptions(es []app.AvailabilityException) {
	v.exceptions = es
	v.excEmpty.Hidden = len(es) > 0
	v.excEmpty.Refresh()
	v.excList.Refresh()
}

func (v *hoursView) updateExceptionRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(v.exceptions) {
		return
	}
	e := v.exceptions[id]
	r.body.(*widget.Label).SetText(describeException(e))
	r.bind(e.ID, func() { v.onRemoveException(e.ID) })
	if v.removing[e.ID] {
		r.actions[0].Disable()
	}
}

// describeException is one exception as the list shows it.
func describeException(e app.AvailabilityException) string {
	s := e.Date + "  "
	switch {
	case e.Kind == app.ExceptionExtra:
		s += Tf("Extra session %s–%s", e.Start, e.End)
		if e.SlotMinutes > 0 {
			s += Tf(", slots of %d min", e.SlotMinutes)
		}
	case e.Start == "":
		s += T("Leave, whole day")
	default:
		s += Tf("Leave %s–%s", e.Start, e.End)
	}
	if e.Reason != "" {
		s += " — " + e.Reason
	}
	return s
}

// onAddException checks the exception form and records it.
func (v *hoursView) onAddException() {
	v.u.touch()
	v.excErrs.clear()
	e := app.AvailabilityException{DoctorID: v.doctorID(), Date: strings.TrimSpace(v.exDate.Text),
		Start: v.exStart.Text, End: v.exEnd.Text, Reason: v.exReason.Text}
	switch v.exKind.Selected {
	case T(hoursKindLeave):
		e.Kind = app.ExceptionLeave
	case T(hoursKindExtra):
		e.Kind = app.ExceptionExtra
		if t := strings.TrimSpace(v.exSlot.Text); t != "" {
			n, err := strconv.Atoi(t)
			if err != nil {
				v.excErrs.set("slot_minutes", Tf("%q is not a number of minutes.", t))
				return
			}
			e.SlotMinutes = n
		}
	}
	if err := e.Validate(); err != nil {
		v.excErrs.show(err, v.u.win)
		return
	}
	v.addExc.Disable()
	seq := v.seq
	background(v.u, func(ctx context.Context) (*app.AvailabilityException, error) {
		return v.u.svc.Appointments.AddAvailabilityException(ctx, e)
	}, func(got *app.AvailabilityException, err error) {
		v.addExc.Enable()
		if seq != v.seq {
			return
		}
		if err != nil {
			v.excErrs.show(err, v.u.win)
			return
		}
		if got == nil {
			got = &e
		}
		es := append(append([]app.AvailabilityException(nil), v.exceptions...), *got)
		v.showExceptions(es)
		v.exStart.SetText("")
		v.exEnd.SetText("")
		v.exSlot.SetText("")
		v.exReason.SetText("")
		v.message.SetText(Tf("Added %s.", describeException(*got)))
	})
}

// onRemoveException withdraws an exception.
func (v *hoursView) onRemoveException(id string) {
	v.u.touch()
	v.removing[id] = true
	v.excList.Refresh()
	seq := v.seq
	background(v.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, v.u.svc.Appointments.RemoveAvailabilityException(ctx, id)
	}, func(_ struct{}, err error) {
		delete(v.removing, id)
		if seq != v.seq {
			return
		}
		if err != nil {
			v.excList.Refresh()
			showError(err, v.u.win)
			return
		}
		var es []app.AvailabilityException
		for _, e := range v.exceptions {
			if e.ID != id {
				es = append(es, e)
			}
		}
		v.showExceptions(es)
		v.message.SetText(T("Removed."))
	})
}

// formatFeeMinor writes minor units as an amount, e.g. 4550 → "45.50".
func formatFeeMinor(minor int64, digits int) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	if digits <= 0 {
		return sign + strconv.FormatInt(minor, 10)
	}
	var unit int64 = 1
	for range digits {
		unit *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, minor/unit, digits, minor%unit)
}
