package ui

import (
	"context"
	"slices"
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

// The columns of the doctor's dashboard.
var (
	todayColumns         = []listColumn{{i18n.N("Time"), 110, false}, {i18n.N("Status"), 110, false}, {i18n.N("Patient"), 0, false}}
	newAttachmentColumns = []listColumn{{i18n.N("Date"), 110, false}, {i18n.N("Report"), 0, false}}
	myPatientsColumns    = []listColumn{{i18n.N("Patient"), 0, false}, {i18n.N("Since"), 110, false},
		{i18n.N("Prescriptions"), 120, true}, {i18n.N("Problems"), 100, true}}
)

// doctorView is a doctor's own dashboard: today's appointments in order,
// the reports attached to their patients since they last looked (which
// "Mark as seen" clears), their figures for the month and their patients
// under active treatment. Every appointment, report and patient is a click
// from the patient's chart. An administrator opens any doctor's, chosen
// from a list, without "Mark as seen": that is the doctor's own.
type doctorView struct {
	u      *UI
	screen *dashboardScreen

	// pick chooses the doctor (administrators); nil for a doctor, who
	// sees their own. doctors are its choices.
	pick    *escSelect
	doctors []*app.DoctorProfile

	dash *app.DoctorDashboard // shown; nil before the first answer
	// seq numbers loads; answers to an older one are dropped.
	seq int
	// The lists' items: today's appointments, the new reports newest
	// first, the patients under treatment. Selecting one opens the chart.
	appts    []*app.Appointment
	reports  []*app.NewAttachment
	patients []*app.ActivePatient

	heading  *widget.Label
	refresh  *widget.Button
	markSeen *widget.Button
	review   *widget.Button // allergies the prescribing check cannot match
	reviewed *allergyReview // the open review

	todayTitle       *widget.Label
	today            *widget.List
	noToday          *widget.Label
	attachmentsTitle *widget.Label
	attachments      *widget.List
	noAttachments    *widget.Label
	patientsTitle    *widget.Label
	patientsL        *widget.List
	noPatients       *widget.Label

	monthTitle   *widget.Label
	appointments *figureTile
	noShows      *figureTile
	booked       *figureTile
	utilization  *figureTile
	byStatus     *widget.Label

	content fyne.CanvasObject
}

func newDoctorView(u *UI, screen *dashboardScreen) *doctorView {
	v := &doctorView{u: u, screen: screen}
	v.buildUI()
	return v
}

func (v *doctorView) view() fyne.CanvasObject { return v.content }

func (v *doctorView) buildUI() {
	v.heading = widget.NewLabelWithStyle(v.u.session.User.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	v.markSeen = widget.NewButtonWithIcon(T("Mark as seen"), theme.ConfirmIcon(), v.onMarkSeen)
	v.markSeen.Disable()
	if v.u.session.User.Role != app.RoleDoctor {
		v.pick = newSelect(nil, func(string) { v.load() })
		v.pick.PlaceHolder = T("Choose the doctor")
		v.markSeen.Hide()
	}

	v.todayTitle = sectionTitle(T("Today's appointments"))
	v.today = linkList(todayColumns, func() int { return len(v.appts) }, v.updateToday,
		func(id int) { v.openChart(v.appts[id].PatientID) })
	v.noToday = mutedLabel(T("No appointments today."))
	v.monthTitle = sectionTitle(T("My figures for the month"))
	v.appointments = newFigureTile(T("appointments"), nil)
	v.noShows = newFigureTile(T("no-shows"), nil)
	v.booked = newFigureTile(T("booked"), nil)
	v.utilization = newFigureTile(T("utilization"), nil)
	v.byStatus = mutedLabel("")

	v.attachmentsTitle = sectionTitle(T("New reports"))
	v.attachments = linkList(newAttachmentColumns, func() int { return len(v.reports) }, v.updateReport,
		func(id int) { v.openAttachments(v.reports[id].Attachment.PatientID) })
	v.noAttachments = mutedLabel(T("No new reports."))
	v.patientsTitle = sectionTitle(T("My patients under treatment"))
	v.patientsL = linkList(myPatientsColumns, func() int { return len(v.patients) }, v.updatePatient,
		func(id int) { v.openChart(v.patients[id].PatientID) })
	v.noPatients = mutedLabel(T("No patients under active treatment."))
	// Today's appointments over the patients under treatment, sharing
	// the height; the figures over the new reports. Each list scrolls on
	// its own.
	left := container.NewGridWithRows(2,
		linkSection(v.todayTitle, T("In order of time; select one for the patient's chart."), todayColumns,
			v.today, v.noToday),
		linkSection(container.NewVBox(widget.NewSeparator(), v.patientsTitle), T("With an active prescription or problem."),
			myPatientsColumns, v.patientsL, v.noPatients))
	right := container.NewBorder(container.NewVBox(
		v.monthTitle, tileRow(v.appointments, v.noShows), tileRow(v.booked, v.utilization), v.byStatus, widget.NewSeparator()),
		nil, nil, nil,
		linkSection(container.NewBorder(nil, nil, nil, v.markSeen, v.attachmentsTitle),
			T("Select one to open it in the patient's chart."), newAttachmentColumns, v.attachments, v.noAttachments))

	v.review = widget.NewButton(T("Allergies to review…"), func() { v.reviewed = showAllergyReview(v.screen) })
	head := container.NewHBox(v.heading, layout.NewSpacer(), v.review, v.refresh)
	if v.pick != nil {
		head = container.NewHBox(container.New(widthLayout{320}, v.pick), v.heading, layout.NewSpacer(), v.review, v.refresh)
	}
	top := container.NewVBox(head, widget.NewSeparator())
	v.content = container.NewBorder(top, nil, nil, nil, container.NewGridWithColumns(2, left, right))
}

// doctorID is the doctor whose dashboard is shown: the user, or the one
// chosen; "" before the choices are read.
func (v *doctorView) doctorID() string {
	if v.pick == nil {
		return v.u.session.User.ID
	}
	if i := v.pick.SelectedIndex(); i >= 0 && i < len(v.doctors) {
		return v.doctors[i].UserID
	}
	return ""
}

// load reads the doctor's dashboard for today.
func (v *doctorView) load() {
	id := v.doctorID()
	if id == "" {
		if v.pick != nil && v.doctors == nil {
			fillDoctors(v.u, v.pick, "", func(ds []*app.DoctorProfile) { v.doctors = ds },
				func() { v.heading.SetText(T("No doctors yet: add a doctor's account in Staff first.")) }) // choosing one loads
		}
		return
	}
	v.seq++
	seq := v.seq
	v.refresh.Disable()
	background(v.u, func(ctx context.Context) (*app.DoctorDashboard, error) {
		return v.u.svc.Dashboard.DoctorDashboard(ctx, id)
	}, func(d *app.DoctorDashboard, err error) {
		if seq != v.seq {
			return
		}
		v.refresh.Enable()
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.show(d)
	})
}

// show fills the dashboard in.
func (v *doctorView) show(d *app.DoctorDashboard) {
	v.dash = d
	day := d.Today.Weekday().String() + " " + d.Today.String()
	v.heading.SetText(d.DoctorName + " · " + day)
	v.showToday(d.Appointments)
	v.showMonth(d)
	v.showAttachments(d)
	v.showPatients(d.Patients)
}

// showToday lists today's appointments.
func (v *doctorView) showToday(as []*app.Appointment) {
	v.todayTitle.SetText(Tf("Today's appointments (%s)", numberText(len(as))))
	v.appts = as
	v.noToday.Hidden = len(as) > 0
	v.noToday.Refresh()
	v.today.Refresh()
}

// updateToday shows an appointment of today; cancelled and missed ones are
// greyed out, a patient who is waiting stands out.
func (v *doctorView) updateToday(id int, row *fyne.Container) {
	a := v.appts[id]
	imp := widget.MediumImportance
	switch {
	case a.Status == app.AppointmentCancelled || a.Status == app.AppointmentNoShow:
		imp = widget.LowImportance
	case a.Status == app.AppointmentCheckedIn:
		imp = widget.SuccessImportance
	}
	who := a.PatientName
	if a.Reason != "" {
		who += " — " + a.Reason
	}
	setColumnRow(row, imp, clockOf(v.u, a.Start)+"–"+clockOf(v.u, a.End), T(a.Status.Label()), who)
}

// showMonth fills in the doctor's figures for the month.
func (v *doctorView) showMonth(d *app.DoctorDashboard) {
	f := d.MonthFigure
	month := tr().MonthYear(time.Date(d.Month.From.Year, d.Month.From.Month, 1, 0, 0, 0, 0, time.UTC))
	v.monthTitle.SetText(v.own(Tf("My figures for %s", month), Tf("Figures for %s", month)))
	v.appointments.setValue(numberText(f.Appointments), widget.MediumImportance)
	v.noShows.setValue(numberText(f.NoShows), widget.MediumImportance)
	v.booked.set(hoursText(f.BookedMinutes), Tf("booked of %s", hoursText(f.AvailableMinutes)), widget.MediumImportance)
	util := "–"
	if f.AvailableMinutes > 0 {
		util = percentText(f.Utilization)
	}
	v.utilization.setValue(util, widget.MediumImportance)
	var parts []string
	for _, sc := range f.ByStatus {
		if sc.Count > 0 {
			parts = append(parts, T(sc.Status.Label())+" "+numberText(sc.Count))
		}
	}
	v.byStatus.SetText(strings.Join(parts, " · "))
}

// showAttachments lists the reports attached since the doctor last looked.
func (v *doctorView) showAttachments(d *app.DoctorDashboard) {
	since := v.own(Tf("since you last looked, %s", formatTime(v.u, d.AttachmentsSeenAt)),
		Tf("since the doctor last looked, %s", formatTime(v.u, d.AttachmentsSeenAt)))
	if d.AttachmentsSeenAt.IsZero() {
		since = v.own(T("on your patients"), T("on their patients"))
	}
	v.attachmentsTitle.SetText(Tf("New reports (%s) %s", numberText(len(d.NewAttachments)), since))
	if len(d.NewAttachments) > 0 {
		v.markSeen.Enable()
	} else {
		v.markSeen.Disable()
	}
	v.reports = newestReportsFirst(d.NewAttachments)
	v.noAttachments.Hidden = len(v.reports) > 0
	v.noAttachments.Refresh()
	v.attachments.Refresh()
}

func (v *doctorView) updateReport(id int, row *fyne.Container) {
	nr := v.reports[id]
	r := nr.Attachment
	setColumnRow(row, widget.MediumImportance, r.Date, r.Title+" ("+T(attachmentTypeLabel(r.Type))+") · "+nr.PatientName)
}

// showPatients lists the doctor's patients under active treatment.
func (v *doctorView) showPatients(ps []*app.ActivePatient) {
	v.patientsTitle.SetText(v.own(Tf("My patients under treatment (%s)", numberText(len(ps))),
		Tf("Patients under treatment (%s)", numberText(len(ps)))))
	v.patients = ps
	v.noPatients.Hidden = len(ps) > 0
	v.noPatients.Refresh()
	v.patientsL.Refresh()
}

func (v *doctorView) updatePatient(id int, row *fyne.Container) {
	p := v.patients[id]
	setColumnRow(row, widget.MediumImportance, p.PatientName, p.Since, numberText(p.ActivePrescriptions),
		numberText(p.ActiveProblems))
}

// linkList is a list of rows of cols, as the dashboard's tables draw
// them; selecting one runs open with its index.
func linkList(cols []listColumn, length func() int, update func(int, *fyne.Container), open func(int)) *widget.List {
	l := widget.NewList(length, func() fyne.CanvasObject { return tableRow(cols, false) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < length() {
				update(id, o.(*fyne.Container))
			}
		})
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		if id >= 0 && id < length() {
			open(id)
		}
	}
	return l
}

// linkSection is a list under its title, a note and the header of its
// columns, with the words shown over it while it is empty.
func linkSection(title fyne.CanvasObject, note string, cols []listColumn, list *widget.List, empty *widget.Label) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(title, widget.NewLabel(note), tableRow(cols, true), widget.NewSeparator()),
		nil, nil, nil, container.NewStack(list, container.NewVBox(empty)))
}

// openChart shows a patient's chart; coming back reloads the dashboard,
// since a visit may have been completed meanwhile.
func (v *doctorView) openChart(patientID string) *chartScreen {
	back := T("My dashboard")
	if v.pick != nil {
		back = T("Doctors")
	}
	return v.screen.openChart(patientID, back, v.load)
}

// openAttachments shows a patient's chart on its Reports tab.
func (v *doctorView) openAttachments(patientID string) {
	if c := v.openChart(patientID); c.attachments != nil {
		selectChartTab(c, c.attachments)
	}
}

// own is mine on the doctor's own dashboard, other on the dashboard of a
// doctor chosen by someone else.
func (v *doctorView) own(mine, other string) string {
	if v.pick == nil {
		return mine
	}
	return other
}

// onMarkSeen records that the doctor has looked at the new reports and
// reloads the dashboard, which then lists none.
func (v *doctorView) onMarkSeen() {
	v.markSeen.Disable()
	background(v.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, v.u.svc.Dashboard.MarkAttachmentsSeen(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			v.markSeen.Enable()
			showError(err, v.u.win)
			return
		}
		v.load()
	})
}

// newestReportsFirst orders new reports by the date the list shows, newest
// first, and those of one date by when they were attached (the service
// lists them by the time they were attached, which is not the order of
// their dates: a lab report of last week attached today).
func newestReportsFirst(rs []*app.NewAttachment) []*app.NewAttachment {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b *app.NewAttachment) int {
		if c := strings.Compare(b.Attachment.Date, a.Attachment.Date); c != 0 {
			return c
		}
		return b.Attachment.CreatedAt.Compare(a.Attachment.CreatedAt)
	})
	return out
}
