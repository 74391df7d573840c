package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// visitBar is the chart's line about the visit: which is open, and for a
// doctor "Start visit" or, on their own open visit, "Complete visit…",
// which orders the services performed and makes the draft invoice.
type visitBar struct {
	b *chartBase

	status   *widget.Label
	start    *widget.Button // doctors, while no visit is open
	complete *widget.Button // the open visit's doctor
	sickNote *widget.Button // doctors: a medical certificate
	referral *widget.Button // doctors: a referral letter
	letter   *letterForm    // the open letter form
	open     *app.Visit
	visits   []*app.Visit
	form     *visitCompleteForm
	onChange func() // a visit started or completed: the chart reloads

	// The visit's documents: the letters written during the open visit,
	// or the last one, each delivered again (marked COPY) by its button.
	docsTitle *widget.Label
	docsList  *fyne.Container
	docsVisit string // the visit whose documents are shown
	docs      []*app.Letter
	docsPrint []*widget.Button // one per letter, in docs' order

	content fyne.CanvasObject
}

func newVisitBar(b *chartBase, onChange func()) *visitBar {
	v := &visitBar{b: b, onChange: onChange}
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	var actions []fyne.CanvasObject
	if b.can(app.PermWriteClinical) {
		v.start = widget.NewButtonWithIcon(T("Start visit"), theme.MediaPlayIcon(), v.onStart)
		v.start.Importance = widget.HighImportance
		v.complete = widget.NewButtonWithIcon(T("Complete visit…"), theme.ConfirmIcon(), v.onComplete)
		v.complete.Importance = widget.HighImportance
		v.start.Hide()
		v.complete.Hide()
		v.sickNote = widget.NewButtonWithIcon(T("Sick note…"), theme.DocumentIcon(), func() { v.letter = showLetterForm(v, app.LetterSickNote) })
		v.referral = widget.NewButtonWithIcon(T("Referral…"), theme.MailSendIcon(), func() { v.letter = showLetterForm(v, app.LetterReferral) })
		actions = append(actions, v.sickNote, v.referral, v.start, v.complete)
	}
	v.docsTitle = widget.NewLabelWithStyle(T("Documents"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.docsList = container.NewVBox()
	docs := container.NewVBox(v.docsTitle, v.docsList)
	docs.Hide()
	v.content = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(actions...), v.status), docs)
	return v
}

// documentsVisit is the visit whose documents the bar lists: the open one,
// else the last.
func (v *visitBar) documentsVisit() *app.Visit {
	if v.open != nil {
		return v.open
	}
	if len(v.visits) > 0 {
		return v.visits[0]
	}
	return nil
}

// loadDocuments lists the letters of the visit on view.
func (v *visitBar) loadDocuments() {
	b := v.b
	visit := v.documentsVisit()
	box := v.content.(*fyne.Container).Objects[1]
	if visit == nil {
		v.docsVisit, v.docs = "", nil
		box.Hide()
		return
	}
	id := visit.ID
	callThen(b.u, func(ctx context.Context) ([]*app.Letter, error) {
		return b.u.svc.Visits.FindVisitLetters(ctx, id)
	}, func(ls []*app.Letter) {
		v.showDocuments(visit, ls)
		box.Show()
	})
}

// showDocuments fills the Documents section with ls, the letters of visit.
func (v *visitBar) showDocuments(visit *app.Visit, ls []*app.Letter) {
	v.docsVisit, v.docs, v.docsPrint = visit.ID, ls, nil
	title := T("Documents of this visit")
	if visit.Status != app.VisitOpen {
		title = Tf("Documents of the visit of %s", formatTime(v.b.u, visit.StartedAt))
	}
	v.docsTitle.SetText(title)
	var rows []fyne.CanvasObject
	for _, l := range ls {
		l := l
		label := widget.NewLabel(l.Summary() + " · " + l.DoctorName + " · " + l.IssuedOn)
		label.Truncation = fyne.TextTruncateEllipsis
		var print *widget.Button
		print = widget.NewButtonWithIcon(T("Print / Save PDF"), theme.DocumentPrintIcon(), func() { v.reprint(print, l) })
		v.docsPrint = append(v.docsPrint, print)
		rows = append(rows, container.NewBorder(nil, nil, nil, print, label))
	}
	if len(rows) == 0 {
		none := T("No documents yet: a sick note or a referral written now belongs to this visit.")
		if visit.Status != app.VisitOpen {
			none = T("No documents were written in this visit.")
		}
		rows = []fyne.CanvasObject{mutedLabel(none)}
	}
	v.docsList.Objects = rows
	v.docsList.Refresh()
}

// reprint delivers a letter again, marked COPY, the way every document
// goes (print.go): saved, then Print, Save as PDF or Open.
func (v *visitBar) reprint(button *widget.Button, l *app.Letter) {
	u := v.b.u
	u.printDocument(button, l.FileName(), func(ctx context.Context) ([]byte, error) {
		return u.svc.Visits.ReprintLetter(ctx, l.ID)
	})
}

func (v *visitBar) load() {
	b := v.b
	if b.u.svc.Visits == nil {
		return
	}
	callThen(b.u, func(ctx context.Context) ([]*app.Visit, error) {
		return b.u.svc.Visits.FindVisits(ctx, b.id)
	}, v.show)
}

func (v *visitBar) show(vs []*app.Visit) {
	v.visits, v.open = vs, nil
	for _, x := range vs {
		if x.Status == app.VisitOpen {
			v.open = x
			break
		}
	}
	mine := v.open != nil && v.b.u.session != nil && v.open.DoctorID == v.b.u.session.User.ID
	switch {
	case v.open != nil:
		v.status.Importance = widget.HighImportance
		v.status.SetText(Tf("Visit open since %s with %s: what is recorded now belongs to it.",
			formatTime(v.b.u, v.open.StartedAt), v.open.DoctorName))
	case len(vs) > 0:
		v.status.Importance = widget.LowImportance
		v.status.SetText(Tf("Last visit %s with %s.", formatTime(v.b.u, vs[0].StartedAt), vs[0].DoctorName))
	default:
		v.status.Importance = widget.LowImportance
		v.status.SetText(T("No visits yet."))
	}
	if v.start != nil {
		v.start.Hidden = v.open != nil
		v.complete.Hidden = !mine
		v.start.Refresh()
		v.complete.Refresh()
	}
	v.loadDocuments()
}

func (v *visitBar) onStart() {
	b := v.b
	v.start.Disable()
	background(b.u, func(ctx context.Context) (*app.Visit, error) {
		return b.u.svc.Visits.StartVisit(ctx, app.VisitStart{PatientID: b.id})
	}, func(_ *app.Visit, err error) {
		v.start.Enable()
		if err != nil {
			showError(err, b.u.win)
			return
		}
		v.load()
		if v.onChange != nil {
			v.onChange()
		}
	})
}

func (v *visitBar) onComplete() {
	if v.open != nil {
		v.form = showVisitCompleteForm(v, v.open)
	}
}

// visitCompleteForm lists the services of the price list with a quantity
// each; completing bills the consultation and the services with a
// quantity.
type visitCompleteForm struct {
	v     *visitBar
	visit *app.Visit

	services []*app.PriceItem
	qty      map[string]*escEntry // by price item id
	list     *fyne.Container
	done     *escButton
	cancel   *escButton
	errs     fieldErrors
	dialog   dialog.Dialog
}

func showVisitCompleteForm(v *visitBar, visit *app.Visit) *visitCompleteForm {
	f := &visitCompleteForm{v: v, visit: visit, qty: map[string]*escEntry{}, errs: fieldErrors{}}
	f.list = container.NewVBox(mutedLabel(T("Loading the services…")))
	f.done = newButton(T("Complete visit"), f.onDone)
	f.done.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	note := mutedLabel(T("The consultation is billed from your price-list item; add the services you performed. Completing makes the draft invoice, which billing issues."))
	scroll := container.NewVScroll(f.list)
	scroll.SetMinSize(fyne.NewSize(560, 260))
	content := container.NewVBox(note, f.errs.add("services", scroll), general, buttonsRow(f.cancel, f.done))
	f.dialog = showFormDialog(v.b.u, T("Complete visit"), 640, content)
	b := v.b
	callThen(b.u, func(ctx context.Context) ([]*app.PriceItem, error) {
		return b.u.svc.Visits.FindVisitServices(ctx, "")
	}, f.showServices)
	return f
}

func (f *visitCompleteForm) showServices(ps []*app.PriceItem) {
	f.services = ps
	var rows []fyne.CanvasObject
	for _, p := range ps {
		q := entry("0")
		f.qty[p.ID] = q
		label := widget.NewLabel(p.Code + " · " + p.Name + " · " + formatMoney(f.v.b.u, p.Price))
		label.Truncation = fyne.TextTruncateEllipsis
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(70, 36), q), label))
	}
	if len(rows) == 0 {
		rows = []fyne.CanvasObject{mutedLabel(T("The price list has no services besides consultations."))}
	}
	f.list.Objects = rows
	f.list.Refresh()
}

func (f *visitCompleteForm) onDone() {
	f.errs.clear()
	var lines []app.VisitServiceLine
	for _, p := range f.services {
		t := strings.TrimSpace(f.qty[p.ID].Text)
		if t == "" || t == "0" {
			continue
		}
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 0 {
			f.errs.set("services", Tf("%s: the quantity is a whole number.", p.Name))
			return
		}
		lines = append(lines, app.VisitServiceLine{PriceItemID: p.ID, Quantity: n})
	}
	if err := app.ValidateVisitServices(lines); err != nil {
		f.errs.show(err, f.v.b.u.win)
		return
	}
	b := f.v.b
	f.done.Disable()
	background(b.u, func(ctx context.Context) (*app.Visit, error) {
		return b.u.svc.Visits.CompleteVisit(ctx, f.visit.ID, lines)
	}, func(_ *app.Visit, err error) {
		f.done.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.v.form = nil
		f.v.load()
		if f.v.onChange != nil {
			f.v.onChange()
		}
	})
}

// letterForm writes a sick note (the days unfit) or a referral letter (to
// whom), with free text, and prints it as PDF.
type letterForm struct {
	v    *visitBar
	kind app.LetterKind

	from      *escEntry
	to        *escEntry
	recipient *escEntry
	text      *escEntry
	print     *escButton
	cancel    *escButton
	errs      fieldErrors
	dialog    dialog.Dialog
}

func showLetterForm(v *visitBar, kind app.LetterKind) *letterForm {
	f := &letterForm{v: v, kind: kind, errs: fieldErrors{}}
	today := v.b.today().Format(app.DateLayout)
	f.from, f.to = entry(T("YYYY-MM-DD")), entry(T("YYYY-MM-DD"))
	f.from.SetText(today)
	f.to.SetText(today)
	f.recipient = entry(T("e.g. Cardiology outpatients, City Hospital"))
	f.text = multiLineEntry()
	f.text.Wrapping = fyne.TextWrapWord
	f.text.SetMinRowsVisible(5)
	f.print = newIconButton(T("Print"), theme.DocumentPrintIcon(), f.onPrint)
	f.print.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	var items []*widget.FormItem
	if kind == app.LetterSickNote {
		f.text.SetPlaceHolder(T("Optional: the reason, restrictions"))
		items = append(items, widget.NewFormItem(T("Unfit from"), f.errs.add("from", f.from)),
			widget.NewFormItem("to", f.errs.add("to", f.to)))
	} else {
		f.text.SetPlaceHolder(T("The reason for the referral, findings, what you ask"))
		items = append(items, widget.NewFormItem(T("Addressed to"), f.errs.add("recipient", f.recipient)))
	}
	items = append(items, widget.NewFormItem(T("Text"), f.errs.add("text", f.text)))
	content := container.NewVBox(widget.NewForm(items...), general,
		mutedLabel(T("Signed with your name and registration number; the patient's history notes it.")),
		buttonsRow(f.cancel, f.print))
	f.dialog = showFormDialog(v.b.u, T(kind.Label()), 600, content)
	return f
}

func (f *letterForm) request() app.LetterRequest {
	r := app.LetterRequest{PatientID: f.v.b.id, Kind: f.kind, Text: f.text.Text}
	if f.kind == app.LetterSickNote {
		r.From, r.To = f.from.Text, f.to.Text
	} else {
		r.Recipient = f.recipient.Text
	}
	return r
}

func (f *letterForm) onPrint() {
	f.errs.clear()
	r := f.request()
	if err := r.Validate(); err != nil {
		f.errs.show(err, f.v.b.u.win)
		return
	}
	u := f.v.b.u
	name := strings.ReplaceAll(string(f.kind), "_", "-") + "-" + f.v.b.today().Format(app.DateLayout) + ".pdf"
	f.dialog.Hide()
	f.v.letter = nil
	v := f.v
	background(u, func(ctx context.Context) ([]byte, error) {
		return u.svc.Visits.LetterPDF(ctx, r)
	}, func(body []byte, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		u.deliverPDF(name, body)
		v.loadDocuments() // the letter is one of the visit's documents now
	})
}
