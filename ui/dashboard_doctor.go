package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// The columns of the doctor's dashboard.
var (
	todayColumns         = []listColumn{{"Time", 110, false}, {"Status", 110, false}, {"Patient", 0, false}}
	newAttachmentColumns = []listColumn{{"Date", 110, false}, {"Report", 0, false}}
	myPatientsColumns    = []listColumn{{"Patient", 0, false}, {"Since", 110, false},
		{"Prescriptions", 120, true}, {"Problems", 100, true}}
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
	pick    *widget.Select
	doctors []*app.DoctorProfile

	dash *app.DoctorDashboard // shown; nil before the first answer
	// seq numbers loads; answers to an older one are dropped.
	seq int
	// links are the rows that open a chart: "appointment:<id>",
	// "report:<id>", "patient:<id>".
	links map[string]*tapArea

	heading  *widget.Label
	refresh  *widget.Button
	markSeen *widget.Button
	review   *widget.Button // allergies the prescribing check cannot match
	reviewed *allergyReview // the open review

	todayTitle       *widget.Label
	today            *fyne.Container
	attachmentsTitle *widget.Label
	attachments      *fyne.Container
	patientsTitle    *widget.Label
	patients         *fyne.Container

	monthTitle   *widget.Label
	appointments *figureTile
	noShows      *figureTile
	booked       *figureTile
	utilization  *figureTile
	byStatus     *widget.Label

	content fyne.CanvasObject
}

func newDoctorView(u *UI, screen *dashboardScreen) *doctorView {
	v := &doctorView{u: u, screen: screen, links: map[string]*tapArea{}}
	v.buildUI()
	return v
}

func (v *doctorView) view() fyne.CanvasObject { return v.content }

func (v *doctorView) buildUI() {
	v.heading = widget.NewLabelWithStyle(v.u.session.User.FullName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.heading.SizeName = theme.SizeNameSubHeadingText
	v.refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.load)
	v.markSeen = widget.NewButtonWithIcon("Mark as seen", theme.ConfirmIcon(), v.onMarkSeen)
	v.markSeen.Disable()
	if v.u.session.User.Role != app.RoleDoctor {
		v.pick = widget.NewSelect(nil, func(string) { v.load() })
		v.pick.PlaceHolder = "Choose the doctor"
		v.markSeen.Hide()
	}

	v.todayTitle = sectionTitle("Today's appointments")
	v.today = container.NewVBox()
	v.monthTitle = sectionTitle("My figures for the month")
	v.appointments = newFigureTile("appointments", nil)
	v.noShows = newFigureTile("no-shows", nil)
	v.booked = newFigureTile("booked", nil)
	v.utilization = newFigureTile("utilization", nil)
	v.byStatus = mutedLabel("")
	left := container.NewVBox(v.todayTitle, v.today)

	v.attachmentsTitle = sectionTitle("New reports")
	v.attachments = container.NewVBox()
	v.patientsTitle = sectionTitle("My patients under treatment")
	v.patients = container.NewVBox()
	right := container.NewVBox(
		v.monthTitle, tileRow(v.appointments, v.noShows), tileRow(v.booked, v.utilization), v.byStatus, widget.NewSeparator(),
		container.NewBorder(nil, nil, nil, v.markSeen, v.attachmentsTitle), v.attachments, widget.NewSeparator(),
		v.patientsTitle, v.patients)

	v.review = widget.NewButton("Allergies to review…", func() { v.reviewed = showAllergyReview(v.screen) })
	head := container.NewHBox(v.heading, layout.NewSpacer(), v.review, v.refresh)
	if v.pick != nil {
		head = container.NewHBox(container.New(widthLayout{320}, v.pick), v.heading, layout.NewSpacer(), v.review, v.refresh)
	}
	top := container.NewVBox(head, widget.NewSeparator())
	v.content = container.NewBorder(top, nil, nil, nil,
		container.NewVScroll(container.NewGridWithColumns(2, left, right)))
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
				func() { v.heading.SetText("No doctors yet: add a doctor's account in Staff first.") }) // choosing one loads
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
	v.links = map[string]*tapArea{}
	day := d.Today.Weekday().String() + " " + d.Today.String()
	v.heading.SetText(d.DoctorName + " · " + day)
	v.showToday(d.Appointments)
	v.showMonth(d)
	v.showAttachments(d)
	v.showPatients(d.Patients)
}

// showToday lists today's appointments; cancelled and missed ones are
// greyed out, a patient who is waiting stands out.
func (v *doctorView) showToday(as []*app.Appointment) {
	v.todayTitle.SetText("Today's appointments (" + numberText(len(as)) + ")")
	rows := make([]fyne.CanvasObject, 0, len(as))
	for _, a := range as {
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
		row := linkRow(todayColumns, imp, func() { v.openChart(a.PatientID) },
			clockOf(v.u, a.Start)+"–"+clockOf(v.u, a.End), a.Status.Label(), who)
		v.links["appointment:"+a.ID] = row
		rows = append(rows, row)
	}
	setTable(v.today, "In order of time; select one for the patient's chart.", todayColumns, rows, "No appointments today.")
}

// showMonth fills in the doctor's figures for the month.
func (v *doctorView) showMonth(d *app.DoctorDashboard) {
	f := d.MonthFigure
	v.monthTitle.SetText(fmt.Sprintf("%s for %s %d", v.own("Figures"), d.Month.From.Month, d.Month.From.Year))
	v.appointments.setValue(numberText(f.Appointments), widget.MediumImportance)
	v.noShows.setValue(numberText(f.NoShows), widget.MediumImportance)
	v.booked.set(hoursText(f.BookedMinutes), "booked of "+hoursText(f.AvailableMinutes), widget.MediumImportance)
	util := "–"
	if f.AvailableMinutes > 0 {
		util = percentText(f.Utilization)
	}
	v.utilization.setValue(util, widget.MediumImportance)
	var parts []string
	for _, sc := range f.ByStatus {
		if sc.Count > 0 {
			parts = append(parts, sc.Status.Label()+" "+numberText(sc.Count))
		}
	}
	v.byStatus.SetText(strings.Join(parts, " · "))
}

// showAttachments lists the reports attached since the doctor last looked.
func (v *doctorView) showAttachments(d *app.DoctorDashboard) {
	who, whose := "you", "your"
	if v.pick != nil {
		who, whose = "the doctor", "their"
	}
	since := "since " + who + " last looked, " + formatTime(v.u, d.AttachmentsSeenAt)
	if d.AttachmentsSeenAt.IsZero() {
		since = "on " + whose + " patients"
	}
	v.attachmentsTitle.SetText(fmt.Sprintf("New reports (%s) %s", numberText(len(d.NewAttachments)), since))
	if len(d.NewAttachments) > 0 {
		v.markSeen.Enable()
	} else {
		v.markSeen.Disable()
	}
	rows := make([]fyne.CanvasObject, 0, len(d.NewAttachments))
	for _, nr := range newestReportsFirst(d.NewAttachments) {
		r := nr.Attachment
		what := r.Title + " (" + attachmentTypeLabel(r.Type) + ") · " + nr.PatientName
		row := linkRow(newAttachmentColumns, widget.MediumImportance, func() { v.openAttachments(r.PatientID) },
			r.Date, what)
		v.links["report:"+r.ID] = row
		rows = append(rows, row)
	}
	setTable(v.attachments, "Select one to open it in the patient's chart.", newAttachmentColumns, rows, "No new reports.")
}

// showPatients lists the doctor's patients under active treatment.
func (v *doctorView) showPatients(ps []*app.ActivePatient) {
	v.patientsTitle.SetText(v.own("Patients") + " under treatment (" + numberText(len(ps)) + ")")
	rows := make([]fyne.CanvasObject, 0, len(ps))
	for _, p := range ps {
		row := linkRow(myPatientsColumns, widget.MediumImportance, func() { v.openChart(p.PatientID) },
			p.PatientName, p.Since, numberText(p.ActivePrescriptions), numberText(p.ActiveProblems))
		v.links["patient:"+p.PatientID] = row
		rows = append(rows, row)
	}
	setTable(v.patients, "With an active prescription or problem.", myPatientsColumns, rows,
		"No patients under active treatment.")
}

// openChart shows a patient's chart; coming back reloads the dashboard,
// since a visit may have been completed meanwhile.
func (v *doctorView) openChart(patientID string) *chartScreen {
	back := "My dashboard"
	if v.pick != nil {
		back = "Doctors"
	}
	return v.screen.openChart(patientID, back, v.load)
}

// openAttachments shows a patient's chart on its Reports tab.
func (v *doctorView) openAttachments(patientID string) {
	if c := v.openChart(patientID); c.attachments != nil {
		selectChartTab(c, c.attachments)
	}
}

// own is what, made "My <what>" on the doctor's own dashboard.
func (v *doctorView) own(what string) string {
	if v.pick == nil {
		return "My " + strings.ToLower(what)
	}
	return what
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
