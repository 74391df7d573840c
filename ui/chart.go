package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/pdf"
)

// chartBase is what the tabs of a chart share: who looks at which patient.
// The patient's own record (own) is read-only whatever the role allows.
type chartBase struct {
	u   *UI
	id  string
	own bool
	// onChart is called with each chart the summary loads, so the header
	// (allergies) follows changes made in any tab.
	onChart func(*app.Chart)
}

// can reports whether the user may do what p allows on this chart.
func (b *chartBase) can(p app.Permission) bool {
	return !b.own && b.u.session != nil && app.Can(b.u.session.User.Role, p)
}

// noteKind is the kind of note the user writes: clinical for doctors,
// nursing for nurses, "" for those who write none.
func (b *chartBase) noteKind() app.NoteKind {
	switch {
	case b.can(app.PermWriteClinical):
		return app.NoteClinical
	case b.can(app.PermWriteNursing):
		return app.NoteNursing
	}
	return ""
}

func (b *chartBase) today() time.Time { return b.u.now().In(b.u.location()) }

func (b *chartBase) formatTime(t time.Time) string { return formatTime(b.u, t) }

// chartTab is one tab of a chart; it loads when selected.
type chartTab interface {
	load()
	view() fyne.CanvasObject
}

// chartScreen is a patient's chart: a header with who the patient is and
// their allergies, and tabs for the summary and each part of the record.
// Billing clerks, who may not read clinical records, see the demographics
// only.
type chartScreen struct {
	chartBase

	patient *app.Patient
	onBack  func()
	changed func() // a record changed: the results should refresh

	back      *widget.Button
	name      *widget.Label
	facts     *widget.Label
	allergies *widget.Label
	archived  *widget.Label
	merged    *fyne.Container // links between records of one patient registered twice
	edit      *widget.Button  // roles that may edit
	label     *widget.Button  // staff: print the patient's label
	archive   *widget.Button  // admins
	restore   *widget.Button  // admins
	purge     *widget.Button  // admins
	tabs      *container.AppTabs
	visit     *visitBar // clinical staff: the open visit, start and complete

	details     *detailsTab // billing's only tab
	summary     *summaryTab
	history     *historyTab
	notes       *notesTab
	diagnoses   *diagnosesTab
	vitals      *vitalsTab
	rx          *rxTab
	attachments *attachmentsTab
	changes     *changesTab
	messages    *messagesTab // with the message service
	byItem      map[*container.TabItem]chartTab

	form   *patientForm // the open edit dialog
	prompt *promptForm  // the open archive or purge dialog

	content fyne.CanvasObject
}

func newChartScreen(u *UI, id string, back, changed func()) *chartScreen {
	c := &chartScreen{chartBase: chartBase{u: u, id: id}, onBack: back, changed: changed,
		byItem: map[*container.TabItem]chartTab{}}
	c.onChart = c.showChart
	c.buildUI()
	return c
}

// clinical reports whether the user may read the clinical record.
func (c *chartScreen) clinical() bool { return c.can(app.PermViewClinical) }

func (c *chartScreen) buildUI() {
	c.back = widget.NewButtonWithIcon(T("Patients"), theme.NavigateBackIcon(), func() {
		if c.onBack != nil {
			c.onBack()
		}
	})
	c.name = widget.NewLabelWithStyle(T("Loading…"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.name.SizeName = theme.SizeNameSubHeadingText
	c.facts = widget.NewLabel("")
	c.facts.Wrapping = fyne.TextWrapWord
	c.allergies = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.allergies.Wrapping = fyne.TextWrapWord
	c.allergies.Hide()
	c.archived = widget.NewLabel("")
	c.archived.Importance = widget.WarningImportance
	c.archived.Wrapping = fyne.TextWrapWord
	c.archived.Hide()
	c.merged = container.NewVBox()
	c.merged.Hide()

	var actions []fyne.CanvasObject
	if c.can(app.PermEditPatient) {
		c.edit = widget.NewButtonWithIcon(T("Edit details"), theme.DocumentCreateIcon(), c.onEdit)
		c.edit.Disable()
		actions = append(actions, c.edit)
	}
	if c.u.session.User.Role != app.RolePatient {
		c.label = widget.NewButtonWithIcon(T("Print label"), theme.DocumentPrintIcon(), func() {
			if c.patient != nil {
				c.u.printDocument(c.label, "label-"+c.patient.MRN+".pdf", c.labelPDF)
			}
		})
		c.label.Disable()
		actions = append(actions, c.label)
	}
	if c.can(app.PermArchivePatient) {
		c.archive = widget.NewButtonWithIcon(T("Archive…"), theme.DeleteIcon(), c.onArchive)
		c.restore = widget.NewButtonWithIcon(T("Restore"), theme.HistoryIcon(), c.onRestore)
		c.purge = widget.NewButtonWithIcon(T("Purge…"), theme.ErrorIcon(), c.onPurge)
		c.purge.Importance = widget.DangerImportance
		for _, b := range []*widget.Button{c.archive, c.restore, c.purge} {
			b.Disable()
		}
		c.restore.Hide()
		actions = append(actions, c.archive, c.restore, c.purge)
	}

	c.tabs = container.NewAppTabs()
	add := func(title string, icon fyne.Resource, t chartTab) {
		item := container.NewTabItemWithIcon(title, icon, t.view())
		c.byItem[item] = t
		c.tabs.Append(item)
	}
	if c.clinical() {
		c.summary = newSummaryTab(&c.chartBase, true)
		c.history = newHistoryTab(&c.chartBase)
		c.notes = newNotesTab(&c.chartBase)
		c.diagnoses = newDiagnosesTab(&c.chartBase)
		c.vitals = newVitalsTab(&c.chartBase)
		c.rx = newRxTab(&c.chartBase)
		c.attachments = newAttachmentsTab(&c.chartBase)
		c.changes = newChangesTab(&c.chartBase)
		add(T("Summary"), theme.HomeIcon(), c.summary)
		add(T("History"), theme.HistoryIcon(), c.history)
		add(T("Notes"), theme.DocumentIcon(), c.notes)
		add(T("Diagnoses"), theme.ListIcon(), c.diagnoses)
		add(T("Vitals"), theme.InfoIcon(), c.vitals)
		add(T("Prescriptions"), theme.ListIcon(), c.rx)
		add(T("Reports"), theme.FileIcon(), c.attachments)
		add(T("Changes"), theme.DocumentCreateIcon(), c.changes)
	} else {
		c.details = newDetailsTab(&c.chartBase)
		add(T("Details"), theme.AccountIcon(), c.details)
	}
	if c.u.svc.Messages != nil && app.CanSeeMessagesOf(c.u.session.Caller(), c.id) == nil {
		c.messages = newMessagesTab(&c.chartBase)
		add(T("Messages"), theme.MailComposeIcon(), c.messages)
	}
	c.tabs.OnSelected = func(item *container.TabItem) {
		c.u.touch()
		switch t := c.byItem[item]; {
		case item == c.tabs.Items[0]:
			c.load() // the first tab comes with the header
		case t != nil:
			t.load()
		}
	}

	head := container.NewBorder(nil, nil, c.back, container.NewHBox(actions...), c.name)
	top := container.NewVBox(head, c.facts, c.allergies, c.archived, c.merged)
	if c.clinical() {
		c.visit = newVisitBar(&c.chartBase, c.reload)
		top.Add(c.visit.content)
	}
	c.content = container.NewBorder(top, nil, nil, nil, c.tabs)
}

// labelPDF is the patient's label in this desk's label layout.
func (c *chartScreen) labelPDF(ctx context.Context) ([]byte, error) {
	p := c.patient
	if p == nil {
		return nil, app.Errorf(app.EINVALID, "The record is not loaded yet.")
	}
	return pdf.Label(p, deskPrinter(ctx, c.u, app.DocLabel).LayoutOrDefault(), time.Now(), patientDocLang(p.Language))
}

// load fetches the header and the first tab.
func (c *chartScreen) load() {
	if c.clinical() {
		c.summary.load() // calls showChart
		c.visit.load()
		return
	}
	background(c.u, func(ctx context.Context) (*app.Patient, error) {
		return c.u.svc.Patients.FindPatientByID(ctx, c.id)
	}, func(p *app.Patient, err error) {
		if err != nil {
			c.name.SetText("")
			showError(err, c.u.win)
			return
		}
		c.showPatient(p)
		c.details.show(p)
	})
}

// reload fetches the header again and the tab on view.
func (c *chartScreen) reload() {
	c.load()
	if item := c.tabs.Selected(); item != nil && item != c.tabs.Items[0] {
		if t := c.byItem[item]; t != nil {
			t.load()
		}
	}
}

func (c *chartScreen) showChart(ch *app.Chart) {
	c.showPatient(ch.Patient)
	c.allergies.Show()
	if len(ch.Allergies) == 0 {
		c.allergies.Importance, c.allergies.Text = allergyStatusText(c.u, ch)
		c.allergies.Refresh()
		return
	}
	parts := make([]string, len(ch.Allergies))
	for i, a := range ch.Allergies {
		parts[i] = allergyText(a)
	}
	c.allergies.Importance = widget.DangerImportance
	c.allergies.SetText(Tf("⚠ Allergies: %s", strings.Join(parts, "; ")))
}

// allergyStatusText says where a chart without allergies stands: "No known
// drug allergies" only when a clinician recorded it (who and when),
// "Allergies not recorded" highlighted otherwise: nobody asked yet.
func allergyStatusText(u *UI, ch *app.Chart) (widget.Importance, string) {
	if ch.AllergyStatus == app.AllergiesNoneKnown && ch.NoKnownAllergies != nil {
		return widget.MediumImportance, Tf("No known drug allergies (recorded by %s, %s)",
			ch.NoKnownAllergies.RecordedBy, dayText(u, ch.NoKnownAllergies.RecordedAt))
	}
	return widget.WarningImportance, T("⚠ Allergies not recorded: ask the patient and record them, or record no known drug allergies")
}

func allergyText(a *app.Allergy) string {
	t := a.Substance
	var more []string
	if a.Severity != "" && a.Severity != app.SeverityUnknown {
		more = append(more, string(a.Severity))
	}
	if a.Reaction != "" {
		more = append(more, a.Reaction)
	}
	if a.Certainty != "" && a.Certainty != app.CertaintyUnknown {
		more = append(more, string(a.Certainty))
	}
	if len(more) > 0 {
		t += " (" + strings.Join(more, ", ") + ")"
	}
	return t
}

func (c *chartScreen) showPatient(p *app.Patient) {
	if p == nil {
		return
	}
	c.patient = p
	c.name.SetText(p.FullName())
	facts := []string{p.MRN, ageText(p.BirthDate, c.today()), sexLabel(p.Sex)}
	if p.BloodGroup != "" {
		facts = append(facts, Tf("Blood group %s", p.BloodGroup))
	}
	c.facts.SetText(strings.Join(facts, " · "))
	if p.Archived() {
		c.archived.SetText(Tf("Archived on %s: %s", c.formatTime(p.ArchivedAt), p.ArchiveReason))
		c.archived.Show()
	} else {
		c.archived.Hide()
	}
	c.showMerged(p)
	if c.edit != nil {
		c.edit.Enable()
	}
	if c.label != nil {
		c.label.Enable()
	}
	if c.archive != nil {
		c.purge.Enable()
		if p.Archived() {
			c.archive.Hide()
			c.restore.Show()
			c.restore.Enable()
		} else {
			c.restore.Hide()
			c.archive.Show()
			c.archive.Enable()
		}
	}
}

// showMerged links the records of a patient registered twice: a merged
// record to the one it was merged into, a kept record to those merged
// into it, whose visits, notes and bills stay where they were written.
func (c *chartScreen) showMerged(p *app.Patient) {
	c.merged.RemoveAll()
	open := func(id string) func() {
		return func() {
			c.u.touch()
			c.id = id
			c.reload()
		}
	}
	if p.MergedInto != "" {
		c.merged.Add(container.NewHBox(widget.NewLabel(T("This record was merged into the patient's other record.")),
			widget.NewButtonWithIcon(T("Open the kept record"), theme.NavigateNextIcon(), open(p.MergedInto))))
	}
	for _, r := range p.MergedFrom {
		c.merged.Add(container.NewHBox(
			widget.NewLabel(Tf("Also registered as %s %s, merged into this record: its history stays there.", r.MRN, r.Name)),
			widget.NewButtonWithIcon(Tf("Open %s", r.MRN), theme.NavigateNextIcon(), open(r.ID))))
	}
	if len(c.merged.Objects) == 0 {
		c.merged.Hide()
	} else {
		c.merged.Show()
	}
}

func (c *chartScreen) onEdit() {
	if c.patient == nil {
		return
	}
	c.form = showPatientForm(c.u, c.patient, func(p *app.Patient) {
		c.form = nil
		if p != nil {
			c.reload()
			if c.changed != nil {
				c.changed()
			}
		}
	})
}

func (c *chartScreen) onArchive() {
	p := c.patient
	if p == nil {
		return
	}
	c.prompt = showPrompt(c.u, promptSpec{
		title: Tf("Archive %s", p.FullName()),
		note:  T("The record is hidden from lists; nothing clinical or financial is lost, and an administrator can restore it. Why is it archived?"),
		label: T("Reason"), field: "reason", ok: T("Archive"), danger: true,
		check: func(s string) error {
			_, err := app.ValidateReason(s, T("archiving the record"))
			return err
		},
		submit: func(reason string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.u.svc.Patients.ArchivePatient(ctx, p.ID, reason)
				return err
			}
		},
		done: func() {
			c.prompt = nil
			c.reload()
			if c.changed != nil {
				c.changed()
			}
		},
	})
}

func (c *chartScreen) onRestore() {
	p := c.patient
	if p == nil {
		return
	}
	c.restore.Disable()
	background(c.u, func(ctx context.Context) (*app.Patient, error) {
		return c.u.svc.Patients.RestorePatient(ctx, p.ID)
	}, func(_ *app.Patient, err error) {
		c.restore.Enable()
		if err != nil {
			showError(err, c.u.win)
			return
		}
		c.reload()
		if c.changed != nil {
			c.changed()
		}
	})
}

func (c *chartScreen) onPurge() {
	p := c.patient
	if p == nil {
		return
	}
	c.prompt = showPrompt(c.u, promptSpec{
		title: Tf("Purge %s", p.FullName()),
		note:  Tf("Purging deletes the record for good. It is allowed only for a record created in error that has no clinical or billing data. Type the record number %s to confirm.", p.MRN),
		label: T("Record number"), field: "mrn", aliases: []string{"confirm_mrn", "confirm"}, ok: T("Purge for good"), danger: true,
		check: func(s string) error {
			if !strings.EqualFold(s, p.MRN) {
				return app.FieldErrorf("mrn", T("Type the record number %s exactly."), p.MRN)
			}
			return nil
		},
		submit: func(mrn string) func(context.Context) error {
			return func(ctx context.Context) error {
				return c.u.svc.Patients.PurgePatient(ctx, p.ID, mrn)
			}
		},
		done: func() {
			c.prompt = nil
			showMessage(T("Purged"), Tf("The record %s was deleted.", p.MRN), c.u.win)
			if c.changed != nil {
				c.changed()
			}
			if c.onBack != nil {
				c.onBack()
			}
		},
	})
}

// listTabContent is a tab of a list under its main action (nil for none),
// with the words shown over it while it is empty.
func listTabContent(action *widget.Button, list fyne.CanvasObject, empty *widget.Label) fyne.CanvasObject {
	var top fyne.CanvasObject
	if action != nil {
		action.Importance = widget.HighImportance
		top = container.NewHBox(action)
	}
	return container.NewBorder(top, nil, nil, nil, container.NewStack(list, container.NewVBox(empty)))
}
