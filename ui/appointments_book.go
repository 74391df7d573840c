package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/pdf"
)

// patientPicker finds a patient by name, record number or phone: a small
// search entry and a select of what it found, each patient with their
// birth date and phone so that two of the same name tell apart. Staff who
// register patients may register a new one from it, who is then chosen.
type patientPicker struct {
	u        *UI
	query    *escEntry
	result   *escSelect
	register *escButton   // nil for roles that do not register patients
	form     *patientForm // the open register form
	patients []*app.Patient
	seq      int
	timer    *time.Timer
	content  fyne.CanvasObject
}

func newPatientPicker(u *UI) *patientPicker {
	p := &patientPicker{u: u}
	p.query = newEscEntry(T("Search: name, record number or phone"))
	p.query.OnChanged = func(string) { p.scheduleSearch() }
	p.query.OnSubmitted = func(string) { p.search() }
	p.result = newSelect(nil, nil)
	p.result.PlaceHolder = T("Choose the patient")
	p.content = container.NewVBox(p.query, p.result)
	if app.Can(u.session.User.Role, app.PermRegisterPatient) {
		p.register = newIconButton(T("New patient…"), theme.ContentAddIcon(), p.onRegister)
		p.register.Importance = widget.LowImportance
		p.content = container.NewVBox(container.NewBorder(nil, nil, nil, p.register, p.query), p.result)
	}
	return p
}

// pickerLabel is a patient as the picker lists them: "Grace Hopper · born
// 1906-12-09 · +1 555 0100 · P-D1-000001".
func pickerLabel(pt *app.Patient) string {
	parts := []string{pt.FullName()}
	if pt.BirthDate != "" {
		parts = append(parts, Tf("born %s", pt.BirthDate))
	}
	if pt.Phone != "" {
		parts = append(parts, pt.Phone)
	}
	return strings.Join(append(parts, pt.MRN), " · ")
}

// onRegister opens the register form; the patient saved is chosen.
func (p *patientPicker) onRegister() {
	p.form = showPatientForm(p.u, nil, func(pt *app.Patient) {
		p.form = nil
		if pt != nil {
			p.choose(pt)
		}
	})
}

// choose makes pt the only patient found and chooses them.
func (p *patientPicker) choose(pt *app.Patient) {
	p.seq++ // a search still running is no longer wanted
	p.patients = []*app.Patient{pt}
	p.result.SetOptions([]string{pickerLabel(pt)})
	p.result.SetSelectedIndex(0)
}

// scheduleSearch searches once typing pauses for searchDebounce.
func (p *patientPicker) scheduleSearch() {
	p.seq++
	seq, gen, do := p.seq, p.u.gen, p.u.do
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(searchDebounce, func() {
		do(func() {
			if p.u.gen == gen && seq == p.seq {
				p.search()
			}
		})
	})
}

// search finds the patients matching the query at once.
func (p *patientPicker) search() {
	if p.timer != nil {
		p.timer.Stop()
	}
	q := strings.TrimSpace(p.query.Text)
	if q == "" {
		return
	}
	p.seq++
	seq := p.seq
	f := app.PatientFilter{Query: q, Limit: 20}
	background(p.u, func(ctx context.Context) (*app.PatientPage, error) {
		return p.u.svc.Patients.FindPatients(ctx, f)
	}, func(page *app.PatientPage, err error) {
		if seq != p.seq {
			return
		}
		if err != nil {
			showError(err, p.u.win)
			return
		}
		p.patients = page.Patients
		opts := make([]string, len(p.patients))
		for i, pt := range p.patients {
			opts[i] = pickerLabel(pt)
		}
		p.result.ClearSelected()
		p.result.SetOptions(opts)
		if len(opts) == 1 {
			p.result.SetSelectedIndex(0)
		}
	})
}

// patientID is the chosen patient's, "" when none.
func (p *patientPicker) patientID() string {
	if i := p.result.SelectedIndex(); i >= 0 && i < len(p.patients) {
		return p.patients[i].ID
	}
	return ""
}

// bookForm books an appointment from a doctor's free slots, or moves one
// (reschedule: the doctor and patient are those of the appointment).
// Reception and admins choose the patient; a patient books for themself; a
// doctor books into their own schedule. Staff may book outside the
// doctor's hours with a reason.
type bookForm struct {
	u     *UI
	moved *app.Appointment // the appointment to reschedule; nil when booking
	// patient is fixed for a patient and when rescheduling; else picked.
	patient string
	picker  *patientPicker

	doctors        []*app.DoctorProfile
	specialization *escEntry
	doctor         *escSelect
	day            *dayPicker

	slots      []app.Slot
	slotBtns   []*escButton
	slotBox    *fyne.Container
	slotHint   *widget.Label
	chosen     int // index into slots; -1 when none
	reason     *escEntry
	override   *escCheck // staff only
	overAt     *escEntry // HH:MM, when booking outside the slots
	overReason *escEntry
	overBox    *fyne.Container
	form       *widget.Form
	body       *fyne.Container // the form, its message line and buttons
	book       *escButton
	cancel     *escButton
	errs       fieldErrors
	dialog     dialog.Dialog
	done       func(*app.Appointment)

	// wantDoctor and startDay are what the form opens on: the doctor and
	// the day the user was looking at.
	wantDoctor string
	startDay   app.Day
	booked     *bookedDialog // the confirmation shown after booking

	seq int // numbers slot fetches; older answers are dropped
}

// bookStart is what a booking dialog opens on: the doctor (a user id) and
// the day; zero values for none and today.
type bookStart struct {
	doctor string
	day    app.Day
}

// showBookForm opens the booking dialog; patientID is fixed when not "".
func showBookForm(u *UI, patientID string, done func(*app.Appointment)) *bookForm {
	return showBookFormAt(u, patientID, bookStart{}, done)
}

// showBookFormAt opens the booking dialog on the doctor and day of at.
func showBookFormAt(u *UI, patientID string, at bookStart, done func(*app.Appointment)) *bookForm {
	f := &bookForm{u: u, patient: patientID, done: done, wantDoctor: at.doctor, startDay: at.day}
	f.buildUI(T("Book appointment"))
	return f
}

// showRescheduleForm opens the dialog that moves a to another free slot.
func showRescheduleForm(u *UI, a *app.Appointment, done func(*app.Appointment)) *bookForm {
	f := &bookForm{u: u, moved: a, patient: a.PatientID, done: done}
	f.buildUI(T("Reschedule appointment"))
	return f
}

func (f *bookForm) staff() bool { return f.u.session.User.Role != app.RolePatient }

func (f *bookForm) buildUI(title string) {
	f.errs = fieldErrors{}
	f.chosen = -1
	loc := f.u.location()
	var items []*widget.FormItem
	if f.patient == "" {
		f.picker = newPatientPicker(f.u)
		items = append(items, widget.NewFormItem(T("Patient"), f.errs.add("patient_id", f.picker.content)))
	}
	f.doctor = newSelect(nil, func(string) { f.loadSlots() })
	f.doctor.PlaceHolder = T("Choose the doctor")
	if f.moved == nil {
		f.specialization = entry(T("Filter by specialization"))
		f.specialization.OnSubmitted = func(string) { f.loadDoctors() }
		f.specialization.OnChanged = func(string) { f.loadDoctors() }
		items = append(items, widget.NewFormItem(T("Specialization"), f.specialization))
		items = append(items, widget.NewFormItem(T("Doctor"), f.errs.add("doctor_id", f.doctor)))
	} else {
		items = append(items, widget.NewFormItem(T("Doctor"), widget.NewLabel(f.moved.DoctorName)))
	}
	start := todayOf(f.u)
	if f.startDay != (app.Day{}) {
		start = f.startDay
	}
	if f.moved != nil {
		start = app.DayOf(f.moved.Start, loc)
	}
	f.day = newDayPicker(start, f.loadSlots)
	items = append(items, widget.NewFormItem(T("Day"), f.errs.add("day", f.day.content)))
	f.slotHint = mutedLabel(T("Choose the doctor and the day."))
	f.slotBox = container.NewGridWrap(fyne.NewSize(110, 36))
	items = append(items, widget.NewFormItem(T("Free slots"),
		f.errs.add("start", container.NewVBox(f.slotHint, f.slotBox))))
	if f.moved == nil {
		f.reason = entry(T("Reason for the visit"))
		items = append(items, widget.NewFormItem(T("Reason"), f.errs.add("reason", f.reason)))
	}
	if f.staff() {
		f.overAt = entry(T("HH:MM"))
		f.overReason = entry(T("Why outside the doctor's hours"))
		f.override = newCheck(T("Book outside the doctor's hours"), func(on bool) {
			if on {
				f.overBox.Show()
			} else {
				f.overBox.Hide()
			}
			f.relayout()
		})
		timeItem := f.errs.add("time", f.overAt)
		reasonItem := f.errs.add("override_reason", f.overReason)
		f.overBox = container.NewVBox(widget.NewForm(
			widget.NewFormItem(T("Time"), timeItem),
			widget.NewFormItem(T("Override reason"), reasonItem)))
		f.overBox.Hide()
		items = append(items, widget.NewFormItem("", container.NewVBox(f.override, f.overBox)))
	}
	f.errs.alias("patient", "patient_id")
	f.errs.alias("doctor", "doctor_id")
	label := T("Book")
	if f.moved != nil {
		label = T("Move here")
	}
	f.book = newButton(label, f.onBook)
	f.book.Importance = widget.HighImportance
	f.cancel = newButton(T("Close"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	f.form = widget.NewForm(items...)
	// The form scrolls; its message line and buttons stay in view below
	// it, so Book is never under the fold.
	f.body = container.NewBorder(nil, container.NewVBox(general, buttonsRow(f.cancel, f.book)), nil, nil,
		container.NewVScroll(f.form))
	f.dialog = showFormDialog(f.u, title, 620, f.body)
	f.dialog.Resize(fyne.NewSize(680, 640))
	if f.picker != nil {
		f.u.win.Canvas().Focus(f.picker.query)
	}
	if f.moved != nil {
		f.doctors = []*app.DoctorProfile{{UserID: f.moved.DoctorID, FullName: f.moved.DoctorName}}
		f.doctor.SetOptions([]string{f.moved.DoctorName})
		f.doctor.SetSelectedIndex(0)
		return
	}
	f.loadDoctors()
}

// loadDoctors fills the doctor select, filtered by the specialization.
func (f *bookForm) loadDoctors() {
	spec := strings.TrimSpace(f.specialization.Text)
	background(f.u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
		return findDoctors(ctx, f.u, spec)
	}, func(ds []*app.DoctorProfile, err error) {
		if err != nil {
			f.showErr(err)
			return
		}
		if spec != strings.TrimSpace(f.specialization.Text) {
			return // typed on meanwhile
		}
		f.doctor.ClearSelected()
		f.doctors = ds
		f.showSlots(nil)
		opts := make([]string, len(ds))
		for i, d := range ds {
			opts[i] = doctorLabel(d)
		}
		f.doctor.SetOptions(opts)
		for i, d := range ds {
			if d.UserID == f.wantDoctor {
				f.doctor.SetSelectedIndex(i) // loads its slots
				return
			}
		}
		if len(opts) == 1 {
			f.doctor.SetSelectedIndex(0) // loads its slots
		}
	})
}

func (f *bookForm) doctorID() string {
	if i := f.doctor.SelectedIndex(); i >= 0 && i < len(f.doctors) {
		return f.doctors[i].UserID
	}
	return ""
}

// loadSlots fetches the chosen doctor's free slots of the chosen day.
func (f *bookForm) loadSlots() {
	f.seq++
	seq := f.seq
	f.errs.unset("day")
	f.errs.unset("start")
	id := f.doctorID()
	if id == "" {
		f.showSlots(nil)
		return
	}
	day, err := f.day.day()
	if err != nil {
		f.showErr(err)
		return
	}
	f.slotHint.SetText(T("Loading…"))
	background(f.u, func(ctx context.Context) ([]app.Slot, error) {
		return f.u.svc.Appointments.FindFreeSlots(ctx, id, day.String())
	}, func(slots []app.Slot, err error) {
		if seq != f.seq {
			return
		}
		if err != nil {
			f.showSlots(nil)
			f.showErr(err)
			return
		}
		f.showSlots(slots)
	})
}

// showSlots shows slots as buttons; none is chosen.
func (f *bookForm) showSlots(slots []app.Slot) {
	f.slots, f.chosen = slots, -1
	f.slotBtns = make([]*escButton, len(slots))
	objs := make([]fyne.CanvasObject, len(slots))
	for i, sl := range slots {
		text := clockOf(f.u, sl.Start)
		if sl.Requested {
			text = Tf("%s (asked)", text)
		}
		b := newButton(text, func() { f.choose(i) })
		f.slotBtns[i], objs[i] = b, b
	}
	f.slotBox.Objects = objs
	f.slotBox.Refresh()
	switch {
	case f.doctorID() == "":
		f.slotHint.SetText(T("Choose the doctor and the day."))
	case len(slots) == 0:
		f.slotHint.SetText(T("No free time on this day."))
	default:
		f.slotHint.SetText(T("Choose a time."))
	}
	if f.form != nil {
		f.relayout()
	}
}

// choose marks slot i as the one to book.
func (f *bookForm) choose(i int) {
	f.chosen = i
	for j, b := range f.slotBtns {
		if j == i {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	f.errs.unset("start")
	f.relayout()
}

// start is the time to book: the override time when staff give one, else
// the chosen slot's.
func (f *bookForm) start() (time.Time, string, error) {
	if f.override != nil && f.override.Checked {
		reason := strings.TrimSpace(f.overReason.Text)
		if reason == "" {
			return time.Time{}, "", app.FieldErrorf("override_reason", "%s", T("Give the reason for booking outside the doctor's hours."))
		}
		if err := app.ValidateOverrideReason(reason); err != nil {
			return time.Time{}, "", err
		}
		if at := strings.TrimSpace(f.overAt.Text); at != "" {
			m, err := app.ParseClock(at)
			if err != nil {
				return time.Time{}, "", app.FieldErrorf("time", "%s", err.Error())
			}
			day, err := f.day.day()
			if err != nil {
				return time.Time{}, "", err
			}
			return day.At(m, f.u.location()), reason, nil
		}
		if f.chosen < 0 {
			return time.Time{}, "", app.FieldErrorf("time", "%s", T("Give the time, or choose a slot."))
		}
		return f.slots[f.chosen].Start, reason, nil
	}
	if f.chosen < 0 || f.chosen >= len(f.slots) {
		return time.Time{}, "", app.FieldErrorf("start", "%s", T("Choose a time."))
	}
	return f.slots[f.chosen].Start, "", nil
}

func (f *bookForm) onBook() {
	f.errs.clear()
	start, override, err := f.start()
	if err != nil {
		f.showErr(err)
		return
	}
	if f.moved != nil {
		id := f.moved.ID
		f.book.Disable()
		background(f.u, func(ctx context.Context) (*app.Appointment, error) {
			return f.u.svc.Appointments.Reschedule(ctx, id, start, override)
		}, f.finished)
		return
	}
	c := app.AppointmentCreate{PatientID: f.patient, DoctorID: f.doctorID(), Start: start,
		Reason: f.reason.Text, OverrideReason: override}
	if f.picker != nil {
		c.PatientID = f.picker.patientID()
	}
	if err := c.Validate(); err != nil {
		f.showErr(err)
		return
	}
	f.book.Disable()
	background(f.u, func(ctx context.Context) (*app.Appointment, error) {
		return f.u.svc.Appointments.Book(ctx, c)
	}, f.finished)
}

// finished takes the service's answer to Book or Reschedule.
func (f *bookForm) finished(a *app.Appointment, err error) {
	f.book.Enable()
	if err != nil {
		if app.ErrorField(err) == "override_reason" && f.override != nil && !f.override.Checked {
			f.override.SetChecked(true) // reveal the reason entry the message is about
		}
		f.showErr(err)
		if app.ErrorCode(err) == app.ECONFLICT {
			f.loadSlotsKeepErrors()
		}
		return
	}
	f.dialog.Hide()
	if f.staff() && a != nil {
		f.booked = showBooked(f.u, a, f.moved != nil)
	}
	if f.done != nil {
		f.done(a)
	}
}

// bookedDialog confirms a booking and offers its appointment slip.
type bookedDialog struct {
	print  *escButton
	close  *escButton
	dialog dialog.Dialog
}

// showBooked says what was booked (or where it moved), with a button that
// prints the patient's appointment slip on this desk's receipt printer.
func showBooked(u *UI, a *app.Appointment, moved bool) *bookedDialog {
	d := &bookedDialog{}
	title := T("Appointment booked")
	text := Tf("Booked %s %s–%s: %s with %s", dayText(u, a.Start), clockOf(u, a.Start), clockOf(u, a.End),
		a.PatientName, a.DoctorName)
	if moved {
		title = T("Appointment moved")
		text = Tf("Moved to %s %s–%s: %s with %s", dayText(u, a.Start), clockOf(u, a.Start), clockOf(u, a.End),
			a.PatientName, a.DoctorName)
	}
	if a.Room != "" {
		text += ", " + a.Room
	}
	d.print = newIconButton(T("Print appointment slip"), theme.DocumentPrintIcon(), func() {
		u.printDocument(d.print, "appointment-"+a.Start.In(u.location()).Format("2006-01-02-1504")+".pdf",
			func(ctx context.Context) ([]byte, error) { return appointmentSlip(ctx, u, a) })
	})
	d.print.Importance = widget.HighImportance
	d.close = newButton(T("Close"), func() { d.dialog.Hide() })
	d.dialog = showFormDialog(u, title, 480, container.NewVBox(wrapLabel(text), buttonsRow(d.close, d.print)))
	u.win.Canvas().Focus(d.print)
	return d
}

// appointmentSlip renders a's slip on the roll of this desk's receipts
// (58 mm when the desk's receipts are 58 mm, else 80 mm).
func appointmentSlip(ctx context.Context, u *UI, a *app.Appointment) ([]byte, error) {
	width := pdf.Roll80mm
	if l := deskPrinter(ctx, u, app.DocReceipt).LayoutOrDefault(); l == app.Layout58mm || l == app.LayoutESCPOS58 {
		width = pdf.Roll58mm
	}
	clinic := &app.Settings{}
	if u.settings != nil {
		clinic = u.settings
	}
	return pdf.AppointmentSlip(clinic, a, u.location(), width, appointmentDocLang(ctx, u, a))
}

// showErr shows err next to its field or on the message line, and lays
// the form out again around the message.
func (f *bookForm) showErr(err error) {
	f.errs.show(err, f.u.win)
	f.relayout()
}

// relayout lays the form out again after a row grew or shrank (a message
// or the override entries shown or hidden).
func (f *bookForm) relayout() {
	f.form.Refresh()
	f.body.Refresh()
}

// loadSlotsKeepErrors refreshes the slots after a conflict, keeping the
// message on view.
func (f *bookForm) loadSlotsKeepErrors() {
	msg := f.errs.text("start")
	general := f.errs.text("")
	f.loadSlots()
	if msg != "" {
		f.errs.set("start", msg)
	}
	if general != "" {
		f.errs.set("", general)
	}
	f.relayout()
}
