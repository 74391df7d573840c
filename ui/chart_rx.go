package ui

import (
	"context"
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

// rxTab lists the patient's prescriptions with their status, and lets a
// doctor prescribe, complete and cancel, and anyone print one as PDF.
type rxTab struct {
	b   *chartBase
	rxs []*app.Prescription

	newRx *widget.Button // doctors
	regNo *widget.Button // doctors: their registration number, printed on prescriptions
	list  *wrappedList
	empty *widget.Label

	form   *rxForm
	prompt *promptForm

	content fyne.CanvasObject
}

func newRxTab(b *chartBase) *rxTab {
	t := &rxTab{b: b}
	t.list = newWrappedList(func() int { return len(t.rxs) }, t.newRow, t.updateRow)
	t.empty = mutedLabel(T("No prescriptions."))
	t.empty.Hide()
	if b.can(app.PermWriteClinical) {
		t.newRx = widget.NewButtonWithIcon(T("New prescription"), theme.ContentAddIcon(), func() { t.form = showRxForm(t) })
		t.regNo = widget.NewButtonWithIcon(T("My registration number…"), theme.AccountIcon(), t.onRegistrationNumber)
	}
	t.content = listTabContent(t.newRx, t.list, t.empty)
	if t.regNo != nil {
		t.newRx.Importance = widget.HighImportance
		t.content = container.NewBorder(container.NewHBox(t.newRx, layout.NewSpacer(), t.regNo), nil, nil, nil,
			container.NewStack(t.list, container.NewVBox(t.empty)))
	}
	return t
}

// onRegistrationNumber shows the doctor's registration number with the
// medical board, which prescriptions print, and records a new one.
func (t *rxTab) onRegistrationNumber() {
	b := t.b
	me := b.u.session.User.ID
	callThen(b.u, func(ctx context.Context) (*app.Prescriber, error) {
		return b.u.svc.Clinical.GetPrescriber(ctx, me)
	}, func(p *app.Prescriber) {
		note := T("Prescriptions print it under your name. None is recorded yet.")
		if p.RegistrationNumber != "" {
			note = Tf("Prescriptions print it under your name. Recorded by %s, %s.", p.RecordedBy, formatTime(b.u, p.RecordedAt))
		}
		t.prompt = showPrompt(b.u, promptSpec{
			title: T("Registration number"), note: note,
			label: T("Number"), field: "registration_number", ok: T("Save"),
			placeholder: T("e.g. GMC 7012345"), initial: p.RegistrationNumber,
			check: func(s string) error {
				_, err := app.ValidateRegistrationNumber(s)
				return err
			},
			submit: func(n string) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := b.u.svc.Clinical.SetRegistrationNumber(ctx, me, n)
					return err
				}
			},
			done: func() { t.prompt = nil },
		})
	})
}

func (t *rxTab) view() fyne.CanvasObject { return t.content }

func (t *rxTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Prescription, error) {
		return b.u.svc.Clinical.FindPrescriptions(ctx, b.id)
	}, func(rxs []*app.Prescription) {
		t.show(rxs)
	})
}

func rxStatusLabel(rx *app.Prescription) string {
	switch rx.Status {
	case app.PrescriptionActive:
		return T("Active")
	case app.PrescriptionCompleted:
		return T("Completed")
	case app.PrescriptionCancelled:
		if rx.StatusReason != "" {
			return Tf("Cancelled: %s", rx.StatusReason)
		}
		return T("Cancelled")
	}
	return string(rx.Status)
}

func (t *rxTab) show(rxs []*app.Prescription) {
	t.rxs = rxs
	t.empty.Hidden = len(rxs) > 0
	t.empty.Refresh()
	t.list.refit()
}

// rxParts are the widgets of a prescription's row.
type rxParts struct {
	head, status, items, notes, allergy *widget.Label
}

func (t *rxTab) newRow() fyne.CanvasObject {
	p := &rxParts{head: sectionTitle(""), status: widget.NewLabel(""), items: wrapLabel(""), notes: mutedLabel(""),
		allergy: wrapLabel("")}
	p.allergy.Importance = widget.WarningImportance
	r := newListRow(container.NewVBox(container.NewHBox(p.head, p.status), p.items, p.notes, p.allergy),
		widget.NewButtonWithIcon(T("Print / Save PDF"), theme.DocumentPrintIcon(), nil),
		widget.NewButtonWithIcon(T("Complete"), theme.ConfirmIcon(), nil),
		widget.NewButtonWithIcon(T("Cancel…"), theme.CancelIcon(), nil))
	r.parts = p
	return r
}

func (t *rxTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*listRow)
	if !ok || id < 0 || id >= len(t.rxs) {
		return
	}
	rx := t.rxs[id]
	p := r.parts.(*rxParts)
	p.head.SetText(rx.Number + " · " + formatTime(t.b.u, rx.CreatedAt) + " · " + rx.DoctorName)
	p.status.Importance = widget.MediumImportance
	switch rx.Status {
	case app.PrescriptionActive:
		p.status.Importance = widget.SuccessImportance
	case app.PrescriptionCancelled:
		p.status.Importance = widget.LowImportance
	}
	p.status.SetText(rxStatusLabel(rx))
	items := make([]string, len(rx.Items))
	for i, it := range rx.Items {
		items[i] = "• " + itemText(it)
	}
	p.items.SetText(strings.Join(items, "\n"))
	p.items.Hidden = len(items) == 0
	p.notes.SetText(rx.Notes)
	p.notes.Hidden = rx.Notes == ""
	p.allergy.SetText(Tf("Allergy warning acknowledged: %s", rx.AllergyWarning))
	p.allergy.Hidden = rx.AllergyWarning == ""
	var complete, cancel func()
	if rx.Status == app.PrescriptionActive && t.b.can(app.PermWriteClinical) {
		complete, cancel = func() { t.onComplete(rx) }, func() { t.onCancel(rx) }
	}
	r.bind(rx.ID, func() { t.onPDF(rx) }, complete, cancel)
}

func (t *rxTab) onComplete(rx *app.Prescription) {
	b := t.b
	callThen(b.u, func(ctx context.Context) (*app.Prescription, error) {
		return b.u.svc.Clinical.CompletePrescription(ctx, rx.ID)
	}, func(_ *app.Prescription) {
		t.load()
	})
}

func (t *rxTab) onCancel(rx *app.Prescription) {
	b := t.b
	t.prompt = showPrompt(b.u, promptSpec{
		title: Tf("Cancel prescription %s", rx.Number),
		note:  T("The prescription stays in the record as cancelled, with the reason. Why is it cancelled?"),
		label: T("Reason"), field: "reason", ok: T("Cancel prescription"), danger: true,
		check: func(s string) error {
			_, err := app.ValidateReason(s, T("cancelling the prescription"))
			return err
		},
		submit: func(reason string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := b.u.svc.Clinical.CancelPrescription(ctx, rx.ID, reason)
				return err
			}
		},
		done: func() {
			t.prompt = nil
			t.load()
		},
	})
}

// onPDF delivers the prescription's PDF the way every document goes:
// saved into the documents folder, then Print, Save as PDF or Open (or
// straight to the desk's prescription printer when it prints without
// asking); with no viewer, the message says where the file was saved.
func (t *rxTab) onPDF(rx *app.Prescription) {
	u := t.b.u
	u.printDocument(nil, rx.Number+".pdf", func(ctx context.Context) ([]byte, error) {
		return u.svc.Clinical.PrescriptionPDF(ctx, rx.ID)
	})
}

// openURI opens a file in the system's viewer, or says where it is saved
// when no viewer is found.
func openURI(u *UI, uri fyne.URI) {
	u.openDocument(uri)
}

// rxForm writes a prescription: a table of items, rows added and removed.
type rxForm struct {
	t *rxTab

	items   []*rxItemRow
	rows    *fyne.Container
	addItem *escButton
	notes   *escEntry
	save    *escButton
	cancelB *escButton
	errs    fieldErrors
	general *widget.Label
	dialog  dialog.Dialog
	allergy *confirmDialog // the open allergy warning
	// overrideReason is the reason for prescribing despite the warning
	overrideReason *escEntry
	lastSent       app.PrescriptionCreate
}

// rxItemRow is one drug of the prescription being written.
type rxItemRow struct {
	drug, strength, dose, route, frequency, duration, quantity, instructions *escEntry
	remove                                                                   *escButton
	row                                                                      fyne.CanvasObject
}

// rxItemColumns are the columns of the items table.
var rxItemColumns = []struct {
	title, placeholder string
	width              float32
}{
	{i18n.N("Drug"), i18n.N("e.g. amoxicillin"), 160}, {i18n.N("Strength"), i18n.N("500 mg"), 90}, {i18n.N("Dose"), i18n.N("1 tablet"), 90}, {i18n.N("Route"), i18n.N("oral"), 80},
	{i18n.N("Frequency"), i18n.N("3 times a day"), 130}, {i18n.N("Duration"), i18n.N("7 days"), 80}, {i18n.N("Quantity"), i18n.N("21 tablets"), 90},
	{i18n.N("Instructions"), i18n.N("after meals"), 170},
}

func rxItemWidths() []float32 {
	w := make([]float32, 0, len(rxItemColumns)+1)
	for _, c := range rxItemColumns {
		w = append(w, c.width)
	}
	return append(w, 44)
}

func showRxForm(t *rxTab) *rxForm {
	f := &rxForm{t: t, errs: fieldErrors{}}
	header := make([]fyne.CanvasObject, 0, len(rxItemColumns)+1)
	for _, c := range rxItemColumns {
		header = append(header, widget.NewLabelWithStyle(T(c.title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	header = append(header, widget.NewLabel(""))
	f.rows = container.NewVBox()
	f.addItem = newIconButton(T("Add drug"), theme.ContentAddIcon(), func() {
		t.b.u.win.Canvas().Focus(f.addRow().drug)
	})
	f.notes = multiLineEntry()
	f.notes.SetPlaceHolder(T("Notes for the pharmacist or patient, optional"))
	f.notes.SetMinRowsVisible(2)
	f.save = newButton(T("Prescribe"), func() { f.submit(false) })
	f.save.Importance = widget.HighImportance
	f.cancelB = newButton(T("Cancel"), func() { f.dialog.Hide() })
	f.general = newErrorLabel()
	f.errs[""] = f.general
	f.addRow()
	content := container.NewVBox(
		container.New(&columnsLayout{widths: rxItemWidths()}, header...),
		f.rows,
		container.NewHBox(f.addItem),
		widget.NewForm(widget.NewFormItem(T("Notes"), f.errs.add("notes", f.notes))),
		f.general,
		buttonsRow(f.cancelB, f.save),
	)
	f.errs.alias("items", "")
	f.dialog = showFormDialog(t.b.u, T("New prescription"), 960, content)
	t.b.u.win.Canvas().Focus(f.items[0].drug)
	return f
}

// addRow adds an empty item row.
func (f *rxForm) addRow() *rxItemRow {
	r := &rxItemRow{}
	entries := []**escEntry{&r.drug, &r.strength, &r.dose, &r.route, &r.frequency, &r.duration, &r.quantity, &r.instructions}
	cells := make([]fyne.CanvasObject, 0, len(entries)+1)
	for i, p := range entries {
		*p = entry(T(rxItemColumns[i].placeholder))
		cells = append(cells, *p)
	}
	r.remove = newIconButton("", theme.DeleteIcon(), func() { f.removeRow(r) })
	cells = append(cells, r.remove)
	r.row = container.New(&columnsLayout{widths: rxItemWidths()}, cells...)
	f.items = append(f.items, r)
	f.rows.Add(r.row)
	return r
}

func (f *rxForm) removeRow(r *rxItemRow) {
	for i, it := range f.items {
		if it == r {
			f.items = append(f.items[:i], f.items[i+1:]...)
			break
		}
	}
	f.rows.Remove(r.row)
	if len(f.items) == 0 {
		f.addRow()
	}
}

func (r *rxItemRow) item() app.PrescriptionItem {
	s := func(e *escEntry) string { return strings.TrimSpace(e.Text) }
	return app.PrescriptionItem{Drug: s(r.drug), Strength: s(r.strength), Dose: s(r.dose), Route: s(r.route),
		Frequency: s(r.frequency), Duration: s(r.duration), Quantity: s(r.quantity), Instructions: s(r.instructions)}
}

// submit sends the prescription; acknowledged says the doctor saw the
// allergy warning and prescribes anyway.
func (f *rxForm) submit(acknowledged bool) {
	f.errs.clear()
	b := f.t.b
	p := app.PrescriptionCreate{PatientID: b.id, Notes: strings.TrimSpace(f.notes.Text), AcknowledgeAllergy: acknowledged}
	if acknowledged && f.overrideReason != nil {
		p.OverrideReason = strings.TrimSpace(f.overrideReason.Text)
	}
	for _, r := range f.items {
		if it := r.item(); it != (app.PrescriptionItem{}) {
			p.Items = append(p.Items, it)
		}
	}
	// The service's own checks first, for an answer without a round trip;
	// an item's error ("items[1].dose") names the drug in its message.
	if err := p.Validate(); err != nil {
		f.errs.show(err, b.u.win)
		return
	}
	f.lastSent = p
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Prescription, error) {
		return b.u.svc.Clinical.Prescribe(ctx, p)
	}, func(_ *app.Prescription, err error) {
		f.save.Enable()
		if err != nil {
			if app.ErrorCode(err) == app.ECONFLICT && (app.ErrorField(err) == "allergy" && !acknowledged ||
				app.ErrorField(err) == "override_reason") {
				f.warnAllergy(err)
				return
			}
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.t.form = nil
		f.t.load()
	})
}

// warnAllergy shows the check's warning; "Prescribe anyway" sends the
// prescription again, acknowledged, with the reason typed (which a severe
// allergy requires: the service says so, and the warning comes back).
func (f *rxForm) warnAllergy(err error) {
	if f.overrideReason == nil {
		f.overrideReason = multiLineEntry()
		f.overrideReason.SetPlaceHolder(T("Reason for prescribing anyway (required for a severe allergy)"))
		f.overrideReason.Wrapping = fyne.TextWrapWord
	}
	msg := wrapLabel(errText(err) + "\n\n" + T("The acknowledged warning, and the reason, are kept with the prescription."))
	f.allergy = newConfirmDialog(T("Prescribing warning"), T("Prescribe anyway"), T("Back"),
		container.NewVBox(msg, f.overrideReason),
		func(ok bool) {
			f.allergy = nil
			if ok {
				f.submit(true)
			}
		}, f.t.b.u.win)
	f.allergy.SetConfirmImportance(widget.DangerImportance)
	f.allergy.Resize(fyne.NewSize(640, 360))
	f.allergy.Show()
}
