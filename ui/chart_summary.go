package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// demographicsView shows a patient's demographic record as labels.
type demographicsView struct {
	mrn, name, sex, birthDate, phone, email, address *widget.Label
	nationalID, emergency, bloodGroup, notes         *widget.Label
	registered                                       *widget.Label
	form                                             *widget.Form
}

func newDemographicsView() *demographicsView {
	v := &demographicsView{}
	l := func() *widget.Label {
		w := wrapLabel("")
		w.Selectable = true
		return w
	}
	v.mrn, v.name, v.sex, v.birthDate, v.phone, v.email, v.address = l(), l(), l(), l(), l(), l(), l()
	v.nationalID, v.emergency, v.bloodGroup, v.notes, v.registered = l(), l(), l(), l(), l()
	v.form = widget.NewForm(
		widget.NewFormItem(T("Record number"), v.mrn),
		widget.NewFormItem(T("Name"), v.name),
		widget.NewFormItem(T("Sex"), v.sex),
		widget.NewFormItem(T("Date of birth"), v.birthDate),
		widget.NewFormItem(T("Phone"), v.phone),
		widget.NewFormItem(T("E-mail"), v.email),
		widget.NewFormItem(T("Address"), v.address),
		widget.NewFormItem(T("National / insurance id"), v.nationalID),
		widget.NewFormItem(T("Emergency contact"), v.emergency),
		widget.NewFormItem(T("Blood group"), v.bloodGroup),
		widget.NewFormItem(T("Notes"), v.notes),
		widget.NewFormItem(T("Registered"), v.registered),
	)
	return v
}

func (v *demographicsView) show(u *UI, p *app.Patient) {
	v.mrn.SetText(p.MRN)
	v.name.SetText(p.FullName())
	v.sex.SetText(sexLabel(p.Sex))
	v.birthDate.SetText(p.BirthDate)
	v.phone.SetText(p.Phone)
	v.email.SetText(p.Email)
	v.address.SetText(p.Address)
	v.nationalID.SetText(p.NationalID)
	v.emergency.SetText(strings.TrimSpace(p.EmergencyContact + phoneSuffix(p.EmergencyPhone)))
	v.bloodGroup.SetText(bloodGroupLabel(p.BloodGroup))
	v.notes.SetText(p.Notes)
	v.registered.SetText(formatTime(u, p.CreatedAt))
}

// detailsTab is the demographics alone, for those who may not read the
// clinical record. Reception may still put a doctor in charge of the
// patient from here.
type detailsTab struct {
	b          *chartBase
	demo       *demographicsView
	assign     *widget.Button // roles that may assign doctors
	assignForm *assignForm
	assigned   *widget.Label  // what the last assignment did
	statement  *widget.Button // billing staff and reception
	statementV *statementView // the open statement
	content    fyne.CanvasObject
}

func newDetailsTab(b *chartBase) *detailsTab {
	t := &detailsTab{b: b, demo: newDemographicsView(), assigned: wrapLabel("")}
	body := container.NewVBox(t.demo.form)
	if b.can(app.PermAssignDoctor) {
		t.assign = widget.NewButtonWithIcon(T("Assign doctor"), theme.ContentAddIcon(), t.onAssign)
		body.Add(container.NewHBox(t.assign))
		body.Add(t.assigned)
	}
	if b.canOpenStatement() {
		t.statement = widget.NewButtonWithIcon(T("Billing statement"), theme.DocumentIcon(), func() { t.statementV = b.openStatement() })
		body.Add(container.NewHBox(t.statement))
	}
	t.content = container.NewVScroll(container.New(widthLayout{560}, body))
	return t
}

func (t *detailsTab) onAssign() {
	t.assignForm = showAssignForm(t.b, func() {
		if f := t.assignForm; f != nil {
			t.assigned.SetText(Tf("%s is now assigned to this patient.", f.doctor.Selected))
		}
		t.assignForm = nil
	})
}

func (t *detailsTab) view() fyne.CanvasObject { return t.content }

// load does nothing: the chart's header loads the record for this tab.
func (t *detailsTab) load() {}

func (t *detailsTab) show(p *app.Patient) { t.demo.show(t.b.u, p) }

// summaryTab is the chart's summary: demographics, allergies, active
// problems, current medications, assigned doctors and the last vitals.
type summaryTab struct {
	b     *chartBase
	chart *app.Chart

	demo *demographicsView // nil in the patient's own view
	// The lists of the chart: allergies, active problems, current
	// medications (one row per item of a prescription) and assigned
	// doctors. They share the column's height, each as tall as its rows
	// when they fit, each scrolling on its own when not.
	allergies   *summaryList
	problems    *summaryList
	medications *summaryList
	doctors     *summaryList
	meds        []medication
	// allergyStatus says, when no allergy is recorded, whether the patient
	// was asked.
	allergyStatus *widget.Label
	lastVitals    *widget.Label
	nextVisit     *widget.Label
	balance       *widget.Label     // the balance due, for those who see billing figures
	billing       fyne.CanvasObject // the section of the balance, hidden without one

	addAllergy *widget.Button // doctors
	addProblem *widget.Button // doctors
	assign     *widget.Button // roles that may assign, and can choose a doctor
	statement  *widget.Button // billing staff and reception

	allergyForm *allergyForm
	// noKnownAllergies records a clinician's "no known drug allergies"
	// (shown when no allergy is recorded and none is stated).
	noKnownAllergies *widget.Button
	problemForm      *problemForm
	assignForm       *assignForm
	prompt           *promptForm
	endDialog        dialog.Dialog
	statementV       *statementView // the open statement

	content fyne.CanvasObject
}

func newSummaryTab(b *chartBase, demographics bool) *summaryTab {
	t := &summaryTab{b: b}
	if demographics {
		t.demo = newDemographicsView()
	}
	t.lastVitals = wrapLabel("")
	t.nextVisit = wrapLabel("")
	t.balance = wrapLabel("")
	section := func(title string, body fyne.CanvasObject, action *widget.Button) fyne.CanvasObject {
		return container.NewVBox(sectionHead(title, action), body, widget.NewSeparator())
	}
	write := b.can(app.PermWriteClinical)
	if write {
		t.addAllergy = widget.NewButtonWithIcon(T("Add allergy"), theme.ContentAddIcon(), t.onAddAllergy)
		t.addProblem = widget.NewButtonWithIcon(T("Add problem"), theme.ContentAddIcon(), t.onAddProblem)
	}
	if b.can(app.PermAssignDoctor) {
		t.assign = widget.NewButtonWithIcon(T("Assign doctor"), theme.ContentAddIcon(), t.onAssign)
	}
	if b.canOpenStatement() {
		t.statement = widget.NewButtonWithIcon(T("Billing statement"), theme.DocumentIcon(), func() { t.statementV = b.openStatement() })
	}
	t.billing = section(T("Billing"), t.balance, t.statement)
	t.billing.Hide()

	shared := &sharedLayout{want: map[fyne.CanvasObject]func() float32{}}
	clinical := container.New(shared)
	fitted := func() {
		if !shared.laying {
			clinical.Refresh()
		}
	}
	t.allergyStatus = wrapLabel("")
	t.allergies = newSummaryList(T("Allergies"), t.addAllergy, func() int { return t.count(func(c *app.Chart) int { return len(c.Allergies) }) },
		t.updateAllergy, fitted, write, T("Remove…"))
	t.allergies.empty.Add(t.allergyStatus)
	t.problems = newSummaryList(T("Active problems"), t.addProblem, func() int { return t.count(func(c *app.Chart) int { return len(c.Problems) }) },
		t.updateProblem, fitted, write, T("Resolve…"))
	t.problems.empty.Add(mutedLabel(T("No active problems.")))
	t.medications = newSummaryList(T("Current medications"), nil, func() int { return len(t.meds) }, t.updateMedication, fitted, false)
	t.medications.empty.Add(mutedLabel(T("No current medications.")))
	t.doctors = newSummaryList(T("Assigned doctors"), t.assign, func() int { return t.count(func(c *app.Chart) int { return len(c.Assignments) }) },
		t.updateAssignment, fitted, b.can(app.PermAssignDoctor), T("End…"))
	t.doctors.empty.Add(mutedLabel(T("No doctor assigned.")))
	for _, l := range []*summaryList{t.allergies, t.problems, t.medications, t.doctors} {
		clinical.Add(l.box)
		shared.want[l.box] = l.wanted
	}
	next := section(T("Next appointment"), t.nextVisit, nil)
	vitals := section(T("Last vitals"), t.lastVitals, nil)
	if t.demo != nil {
		// The lists have their column's height; the next appointment and
		// the last vitals head the other, over the demographics.
		t.content = container.NewGridWithColumns(2,
			container.NewVScroll(container.NewVBox(t.billing, next, vitals, sectionTitle(T("Demographics")), t.demo.form)),
			clinical)
	} else {
		clinical.Add(next)
		clinical.Add(vitals)
		clinical.Add(t.billing)
		t.content = clinical
	}
	return t
}

// sectionHead is a section's title with its action at the end, if any.
func sectionHead(title string, action *widget.Button) fyne.CanvasObject {
	head := fyne.CanvasObject(sectionTitle(title))
	if action != nil {
		head = container.NewBorder(nil, nil, nil, action, head)
	}
	return head
}

// count is n of the chart shown, 0 before one is.
func (t *summaryTab) count(n func(*app.Chart) int) int {
	if t.chart == nil {
		return 0
	}
	return n(t.chart)
}

// summaryList is a list of the summary under its heading: rows of wrapped
// text, with a button at their end where the user may act, and what to
// say when there are none (empty).
type summaryList struct {
	list  *wrappedList
	empty *fyne.Container
	head  fyne.CanvasObject
	foot  fyne.CanvasObject
	box   *fyne.Container
}

// newSummaryList is a list titled title, action beside its title; each
// row is a wrapped label and, when act, a button labelled button.
func newSummaryList(title string, action *widget.Button, length func() int,
	update func(int, *widget.Label, *listRow), fitted func(), act bool, button ...string) *summaryList {
	l := &summaryList{empty: container.NewVBox(), head: sectionHead(title, action), foot: widget.NewSeparator()}
	newRow := func() fyne.CanvasObject {
		var btns []*widget.Button
		if act {
			for _, b := range button {
				btns = append(btns, widget.NewButton(b, nil))
			}
		}
		return newListRow(wrapLabel(""), btns...)
	}
	l.list = newWrappedList(length, newRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if r, ok := o.(*listRow); ok && id >= 0 && id < length() {
			update(id, r.body.(*widget.Label), r)
		}
	})
	l.list.OnSelected = func(widget.ListItemID) { l.list.UnselectAll() } // a row shows all there is
	l.list.onFit = fitted
	l.box = container.NewBorder(l.head, l.foot, nil, nil, container.NewStack(l.list, l.empty))
	return l
}

// show redraws the list, or says it is empty.
func (l *summaryList) show(n int) {
	l.empty.Hidden = n > 0
	l.list.Hidden = n == 0
	l.empty.Refresh()
	l.list.refit()
}

// wanted is the height that shows the whole list with its heading.
func (l *summaryList) wanted() float32 {
	body := l.empty.MinSize().Height
	if l.empty.Hidden {
		body = l.list.tall
	}
	return l.head.MinSize().Height + l.foot.MinSize().Height + 2*theme.Padding() + body
}

func (t *summaryTab) view() fyne.CanvasObject { return t.content }

func (t *summaryTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) (*app.Chart, error) {
		return b.u.svc.Clinical.GetChart(ctx, b.id)
	}, func(ch *app.Chart) {
		t.show(ch)
		if b.onChart != nil {
			b.onChart(ch)
		}
	})
}

func (t *summaryTab) show(ch *app.Chart) {
	t.chart = ch
	if t.demo != nil && ch.Patient != nil {
		t.demo.show(t.b.u, ch.Patient)
	}
	t.meds = nil
	for _, rx := range ch.Medications {
		for i := range rx.Items {
			t.meds = append(t.meds, medication{rx, i})
		}
	}
	imp, text := allergyStatusText(t.b.u, ch)
	t.allergyStatus.Importance = imp
	t.allergyStatus.SetText(text)
	t.noKnownAllergies = nil
	if len(ch.Allergies) == 0 && t.b.can(app.PermWriteClinical) && ch.AllergyStatus != app.AllergiesNoneKnown {
		t.noKnownAllergies = widget.NewButton(T("No known drug allergies"), t.onNoKnownAllergies)
	}
	t.allergies.empty.Objects = []fyne.CanvasObject{t.allergyStatus}
	if t.noKnownAllergies != nil {
		t.allergies.empty.Add(container.NewHBox(t.noKnownAllergies))
	}
	t.allergies.show(len(ch.Allergies))
	t.problems.show(len(ch.Problems))
	t.medications.show(len(t.meds))
	t.doctors.show(len(ch.Assignments))

	if a := ch.NextAppointment; a == nil {
		t.nextVisit.SetText(T("None booked."))
	} else {
		text := Tf("%s with %s (%s)", formatTime(t.b.u, a.Start), a.DoctorName, T(a.Status.Label()))
		if a.Reason != "" {
			text += " — " + a.Reason
		}
		t.nextVisit.SetText(text)
	}
	if ch.LastVitals == nil {
		t.lastVitals.SetText(T("No vitals recorded."))
	} else {
		t.lastVitals.SetText(vitalsText(ch.LastVitals) + "\n" + formatTime(t.b.u, ch.LastVitals.TakenAt))
	}
	t.showBalance(ch.BalanceDue)
}

// showBalance shows the balance due when the caller may see it; the
// Billing section stays for the Statement button even without one.
func (t *summaryTab) showBalance(due *app.Money) {
	if due == nil && t.statement == nil {
		t.billing.Hide()
		return
	}
	t.billing.Show()
	if due == nil {
		t.balance.Hide()
		return
	}
	t.balance.Importance, t.balance.Text = balanceText(*due, clinicCurrency(t.b.u))
	t.balance.TextStyle.Bold = *due > 0
	t.balance.Show()
	t.balance.Refresh()
}

// medication is an item of a current prescription.
type medication struct {
	rx   *app.Prescription
	item int
}

func (t *summaryTab) updateAllergy(id int, l *widget.Label, r *listRow) {
	a := t.chart.Allergies[id]
	l.Importance = widget.DangerImportance
	l.TextStyle.Bold = true
	l.SetText(allergyText(a))
	if t.b.can(app.PermWriteClinical) {
		r.bind(a.ID, func() { t.onRemoveAllergy(a) })
	} else {
		r.bind(a.ID)
	}
}

func (t *summaryTab) updateProblem(id int, l *widget.Label, r *listRow) {
	p := t.chart.Problems[id]
	text := p.Condition
	if p.Onset != "" {
		text += " " + Tf("(since %s)", p.Onset)
	}
	if p.Notes != "" {
		text += " — " + p.Notes
	}
	l.SetText(text)
	if t.b.can(app.PermWriteClinical) {
		r.bind(p.ID, func() { t.onResolveProblem(p) })
	} else {
		r.bind(p.ID)
	}
}

func (t *summaryTab) updateMedication(id int, l *widget.Label, r *listRow) {
	m := t.meds[id]
	l.SetText(itemText(m.rx.Items[m.item]) + "  (" + m.rx.Number + ", " + m.rx.DoctorName + ")")
	r.bind(m.rx.ID + "/" + strconv.Itoa(m.item))
}

func (t *summaryTab) updateAssignment(id int, l *widget.Label, r *listRow) {
	a := t.chart.Assignments[id]
	text := Tf("%s — %s, since %s", a.DoctorName, a.Reason, a.StartDate)
	if a.EndDate != "" {
		text += " " + Tf("until %s", a.EndDate)
	}
	l.SetText(text)
	if t.b.can(app.PermAssignDoctor) {
		r.bind(a.ID, func() { t.onEndAssignment(a) })
	} else {
		r.bind(a.ID)
	}
}

// itemText is one prescription item on one line.
func itemText(it app.PrescriptionItem) string {
	parts := []string{strings.TrimSpace(it.Drug + " " + it.Strength)}
	for _, s := range []string{it.Dose, it.Route, it.Frequency, it.Duration} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	text := strings.Join(parts, ", ")
	if it.Quantity != "" {
		text += Tf("; quantity %s", it.Quantity)
	}
	if it.Instructions != "" {
		text += ". " + it.Instructions
	}
	return text
}

// vitalsText is a set of vitals on one line; what was not measured is left out.
func vitalsText(v *app.Vitals) string {
	var parts []string
	if v.Systolic > 0 || v.Diastolic > 0 {
		parts = append(parts, Tf("BP %d/%d mmHg", v.Systolic, v.Diastolic))
	}
	if v.Pulse > 0 {
		parts = append(parts, Tf("pulse %d/min", v.Pulse))
	}
	if v.TemperatureC > 0 {
		parts = append(parts, Tf("temp %.1f °C", v.TemperatureC))
	}
	if v.RespRate > 0 {
		parts = append(parts, Tf("resp %d/min", v.RespRate))
	}
	if v.SpO2 > 0 {
		parts = append(parts, Tf("SpO2 %d%%", v.SpO2))
	}
	if v.WeightKg > 0 {
		parts = append(parts, Tf("weight %.1f kg", v.WeightKg))
	}
	if v.HeightCm > 0 {
		parts = append(parts, Tf("height %.0f cm", v.HeightCm))
	}
	if bmi := v.BMI(); bmi > 0 {
		parts = append(parts, Tf("BMI %.1f", bmi))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

func (t *summaryTab) onRemoveAllergy(a *app.Allergy) {
	b := t.b
	t.prompt = showPrompt(b.u, promptSpec{
		title: Tf("Remove allergy %s", a.Substance),
		note:  T("The allergy stays in the history with the reason. Why is it removed?"),
		label: T("Reason"), field: "reason", ok: T("Remove"), danger: true,
		placeholder: T("e.g. entered in error, tested negative"),
		check: func(s string) error {
			_, err := app.ValidateReason(s, T("removing the allergy"))
			return err
		},
		submit: func(reason string) func(context.Context) error {
			return func(ctx context.Context) error { return b.u.svc.Clinical.RemoveAllergy(ctx, a.ID, reason) }
		},
		done: func() {
			t.prompt = nil
			t.load()
		},
	})
}

func (t *summaryTab) onResolveProblem(p *app.Problem) {
	b := t.b
	t.prompt = showPrompt(b.u, promptSpec{
		title: Tf("Resolve %s", p.Condition),
		note:  T("On which day was it resolved?"),
		label: T("Resolved on"), field: "resolved_on", ok: T("Resolve"),
		initial: b.today().Format(app.DateLayout), placeholder: T("YYYY-MM-DD"),
		check: func(s string) error {
			_, err := app.ValidateResolvedOn(s, p.Onset, b.today())
			return err
		},
		submit: func(day string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := b.u.svc.Clinical.ResolveProblem(ctx, p.ID, day)
				return err
			}
		},
		done: func() {
			t.prompt = nil
			t.load()
		},
	})
}

func (t *summaryTab) onEndAssignment(a *app.Assignment) {
	b := t.b
	end := func(st app.AssignmentStatus) func() {
		return func() {
			t.endDialog.Hide()
			background(b.u, func(ctx context.Context) (*app.Assignment, error) {
				return b.u.svc.Clinical.EndAssignment(ctx, a.ID, st)
			}, func(_ *app.Assignment, err error) {
				if err != nil {
					showError(err, b.u.win)
					return
				}
				t.load()
			})
		}
	}
	completed := newButton(T("Treatment completed"), end(app.AssignmentCompleted))
	completed.Importance = widget.HighImportance
	cancelled := newButton(T("Cancelled"), end(app.AssignmentCancelled))
	keep := newButton(T("Keep"), func() { t.endDialog.Hide() })
	content := container.NewVBox(
		wrapLabel(Tf("End %s's assignment for %s?", a.DoctorName, a.Reason)),
		container.NewHBox(keep, layout.NewSpacer(), cancelled, completed))
	t.endDialog = showFormDialog(b.u, T("End assignment"), 480, content)
}

// onNoKnownAllergies records, after the clinician confirms, that the
// patient has no known drug allergies.
func (t *summaryTab) onNoKnownAllergies() {
	b := t.b
	showYesNo(T("No known drug allergies"),
		T("Record that you asked the patient and they have no known drug allergies? It is signed and dated with your name."),
		func(ok bool) {
			if !ok {
				return
			}
			callThen(b.u, func(ctx context.Context) (*app.AllergyStatement, error) {
				return b.u.svc.Clinical.RecordNoKnownAllergies(ctx, b.id)
			}, func(*app.AllergyStatement) { t.load() })
		}, b.u.win)
}

func (t *summaryTab) onAddAllergy() {
	t.allergyForm = showAllergyForm(t)
}

func (t *summaryTab) onAddProblem() {
	t.problemForm = showProblemForm(t)
}

func (t *summaryTab) onAssign() {
	t.assignForm = showAssignForm(t.b, func() {
		t.assignForm = nil
		t.load()
	})
}

// allergyForm records an allergy.
type allergyForm struct {
	t         *summaryTab
	substance *escEntry
	reaction  *escEntry
	severity  *escSelect
	certainty *escSelect
	save      *escButton
	cancel    *escButton
	errs      fieldErrors
	dialog    dialog.Dialog
}

var severities = []app.Severity{app.SeverityMild, app.SeverityModerate, app.SeveritySevere, app.SeverityUnknown}

// The severities' and certainties' labels, as the allergy form shows them.
var _ = []string{i18n.N("Mild"), i18n.N("Moderate"), i18n.N("Severe"), i18n.N("Unknown"), i18n.N("Confirmed"),
	i18n.N("Suspected")}

// optionOf is the value of the option chosen of a select whose options
// label vals in order; the zero value when none is chosen.
func optionOf[V any](opts []string, chosen string, vals []V) V {
	var v V
	if i := slices.Index(opts, chosen); i >= 0 && i < len(vals) {
		v = vals[i]
	}
	return v
}

func showAllergyForm(t *summaryTab) *allergyForm {
	f := &allergyForm{t: t, errs: fieldErrors{}}
	f.substance = entry(T("e.g. penicillin"))
	f.reaction = entry(T("e.g. rash, anaphylaxis"))
	opts := make([]string, len(severities))
	for i, s := range severities {
		opts[i] = T(capitalize(string(s)))
	}
	f.severity = newSelect(opts, nil)
	f.severity.SetSelected(opts[len(opts)-1])
	certs := make([]string, len(app.Certainties))
	for i, c := range app.Certainties {
		certs[i] = T(capitalize(string(c)))
	}
	f.certainty = newSelect(certs, nil)
	f.certainty.SetSelected(certs[len(certs)-1])
	f.save = newButton(T("Add allergy"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Substance"), f.errs.add("substance", f.substance)),
		widget.NewFormItem(T("Reaction"), f.errs.add("reaction", f.reaction)),
		widget.NewFormItem(T("Severity"), f.errs.add("severity", f.severity)),
		widget.NewFormItem(T("Certainty"), f.errs.add("certainty", f.certainty)),
	), general, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(t.b.u, T("Add allergy"), 480, content)
	t.b.u.win.Canvas().Focus(f.substance)
	return f
}

func (f *allergyForm) onSave() {
	f.errs.clear()
	b := f.t.b
	a := app.AllergyCreate{PatientID: b.id, Substance: strings.TrimSpace(f.substance.Text),
		Reaction: strings.TrimSpace(f.reaction.Text), Severity: optionOf(f.severity.Options, f.severity.Selected, severities),
		Certainty: optionOf(f.certainty.Options, f.certainty.Selected, app.Certainties)}
	if err := a.Validate(); err != nil {
		f.errs.show(err, b.u.win)
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Allergy, error) {
		return b.u.svc.Clinical.AddAllergy(ctx, a)
	}, func(_ *app.Allergy, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.t.allergyForm = nil
		f.t.load()
	})
}

// problemForm records a problem of the medical history.
type problemForm struct {
	t         *summaryTab
	condition *escEntry
	onset     *escEntry
	notes     *escEntry
	save      *escButton
	cancel    *escButton
	errs      fieldErrors
	dialog    dialog.Dialog
}

func showProblemForm(t *summaryTab) *problemForm {
	f := &problemForm{t: t, errs: fieldErrors{}}
	f.condition = entry(T("e.g. type 2 diabetes"))
	f.onset = entry(T("YYYY-MM-DD, YYYY-MM or YYYY; optional"))
	f.notes = multiLineEntry()
	f.notes.SetPlaceHolder(T("Optional"))
	f.save = newButton(T("Add problem"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Condition"), f.errs.add("condition", f.condition)),
		widget.NewFormItem(T("Onset"), f.errs.add("onset", f.onset)),
		widget.NewFormItem(T("Notes"), f.errs.add("notes", f.notes)),
	), general, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(t.b.u, T("Add problem"), 520, content)
	t.b.u.win.Canvas().Focus(f.condition)
	return f
}

func (f *problemForm) onSave() {
	f.errs.clear()
	b := f.t.b
	p := app.ProblemCreate{PatientID: b.id, Condition: strings.TrimSpace(f.condition.Text),
		Onset: strings.TrimSpace(f.onset.Text), Status: app.ProblemActive, Notes: strings.TrimSpace(f.notes.Text)}
	if err := p.Validate(b.today()); err != nil {
		f.errs.show(err, b.u.win)
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Problem, error) {
		return b.u.svc.Clinical.AddProblem(ctx, p)
	}, func(_ *app.Problem, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.t.problemForm = nil
		f.t.load()
	})
}

// assignForm puts a doctor in charge of the patient's treatment. Admins and
// reception choose among the active doctors (FindDoctors, open to every
// role that may assign); a doctor assigns themself.
type assignForm struct {
	b         *chartBase
	done      func() // after a successful assignment
	doctors   []*app.DoctorProfile
	doctor    *escSelect
	reason    *escEntry
	startDate *escEntry
	endDate   *escEntry
	save      *escButton
	cancel    *escButton
	errs      fieldErrors
	dialog    dialog.Dialog
}

func showAssignForm(b *chartBase, done func()) *assignForm {
	f := &assignForm{b: b, done: done, errs: fieldErrors{}}
	f.doctor = newSelect(nil, nil)
	f.doctor.PlaceHolder = T("Choose the doctor")
	f.reason = entry(T("Reason or diagnosis"))
	f.startDate = entry(T("YYYY-MM-DD"))
	f.startDate.SetText(b.today().Format(app.DateLayout))
	f.endDate = entry(T("YYYY-MM-DD, optional"))
	f.save = newButton(T("Assign"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Doctor"), f.errs.add("doctor", f.doctor)),
		widget.NewFormItem(T("Reason"), f.errs.add("reason", f.reason)),
		widget.NewFormItem(T("From"), f.errs.add("start_date", f.startDate)),
		widget.NewFormItem(T("Until"), f.errs.add("end_date", f.endDate)),
	), general, buttonsRow(f.cancel, f.save))
	f.errs.alias("doctor_id", "doctor")
	f.dialog = showFormDialog(b.u, T("Assign doctor"), 520, content)

	if me := b.u.session.User; me.Role == app.RoleDoctor {
		f.setDoctors([]*app.DoctorProfile{{UserID: me.ID, FullName: me.FullName}})
		return f
	}
	background(b.u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
		return b.u.svc.Appointments.FindDoctors(ctx, "")
	}, func(ds []*app.DoctorProfile, err error) {
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.setDoctors(ds)
	})
	return f
}

func (f *assignForm) setDoctors(ds []*app.DoctorProfile) {
	f.doctors = ds
	opts := make([]string, len(ds))
	for i, d := range ds {
		opts[i] = doctorLabel(d)
	}
	f.doctor.SetOptions(opts)
	if len(opts) == 1 {
		f.doctor.SetSelectedIndex(0)
	}
}

func (f *assignForm) onSave() {
	f.errs.clear()
	b := f.b
	a := app.AssignmentCreate{PatientID: b.id, Reason: f.reason.Text, StartDate: f.startDate.Text, EndDate: f.endDate.Text}
	if i := f.doctor.SelectedIndex(); i >= 0 && i < len(f.doctors) {
		a.DoctorID = f.doctors[i].UserID
	}
	if err := a.Validate(); err != nil {
		f.errs.show(err, b.u.win)
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Assignment, error) {
		return b.u.svc.Clinical.AssignDoctor(ctx, a)
	}, func(_ *app.Assignment, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.done()
	})
}
