package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// letterTemplates is the administrator's part of Settings that words the
// medical certificate and the referral letter: a template each, with its
// placeholders listed, checked as it is typed, and a preview filled from
// a sample patient and doctor.
type letterTemplates struct {
	u    *UI
	errs fieldErrors

	sickNote, referral               *escEntry
	sickPreview, referralPreview     *widget.Label
	save                             *widget.Button
	saved                            *widget.Label
	restoreSickNote, restoreReferral *widget.Button
	// shown is the clinic's templates as the tab was last filled with
	// them (see settingsScreen.shown).
	shown app.LetterTemplates

	content fyne.CanvasObject
}

func newLetterTemplates(u *UI) *letterTemplates {
	l := &letterTemplates{u: u, errs: fieldErrors{}}
	l.sickNote, l.referral = multiLineEntry(), multiLineEntry()
	l.sickPreview, l.referralPreview = widget.NewLabel(""), widget.NewLabel("")
	for _, e := range []*escEntry{l.sickNote, l.referral} {
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(4)
	}
	for _, p := range []*widget.Label{l.sickPreview, l.referralPreview} {
		p.Wrapping = fyne.TextWrapWord
		p.TextStyle = fyne.TextStyle{Italic: true}
	}
	l.sickNote.OnChanged = func(string) { l.preview(app.LetterSickNote) }
	l.referral.OnChanged = func(string) { l.preview(app.LetterReferral) }
	l.restoreSickNote = widget.NewButton(T("Default wording"), func() { l.sickNote.SetText(app.DefaultLetterTemplate(tr(), app.LetterSickNote)) })
	l.restoreReferral = widget.NewButton(T("Default wording"), func() { l.referral.SetText(app.DefaultLetterTemplate(tr(), app.LetterReferral)) })
	l.save = widget.NewButton(T("Save letters"), l.onSave)
	l.save.Importance = widget.HighImportance
	l.save.Disable() // until loaded
	l.saved = widget.NewLabel("")
	l.saved.Importance = widget.SuccessImportance
	l.saved.Hide()

	hint := func(kind app.LetterKind) *widget.Label {
		names := app.LetterPlaceholders(kind)
		for i, n := range names {
			names[i] = "{" + n + "}"
		}
		h := widget.NewLabel(Tf("Placeholders: %s", strings.Join(names, " ")))
		h.Wrapping = fyne.TextWrapWord
		h.Importance = widget.LowImportance
		return h
	}
	form := widget.NewForm(
		widget.NewFormItem(T("Medical certificate"), container.NewVBox(l.errs.add("sick_note_template", l.sickNote),
			hint(app.LetterSickNote), container.NewHBox(layout.NewSpacer(), l.restoreSickNote))),
		widget.NewFormItem(T("Preview"), l.sickPreview),
		widget.NewFormItem(T("Referral letter"), container.NewVBox(l.errs.add("referral_template", l.referral),
			hint(app.LetterReferral), container.NewHBox(layout.NewSpacer(), l.restoreReferral))),
		widget.NewFormItem(T("Preview"), l.referralPreview),
	)
	explain := widget.NewLabel(T("The opening of the letters doctors print from a visit or the chart; the doctor's own text follows it. " +
		"Every desk of the clinic prints this wording."))
	explain.Wrapping = fyne.TextWrapWord
	l.content = container.NewVBox(
		widget.NewLabelWithStyle(T("Letters"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.New(widthLayout{640}, container.NewVBox(explain, form)),
		container.New(widthLayout{640}, container.NewHBox(l.saved, layout.NewSpacer(), l.save)),
	)
	return l
}

// settingsTabLetters is the Settings area's tab of the letters' wording.
var settingsTabLetters = i18n.N("Letters")

// withLettersTab adds the Letters tab to the Settings area.
func (s *mainScreen) withLettersTab(view fyne.CanvasObject) fyne.CanvasObject {
	item := container.NewTabItemWithIcon(T(settingsTabLetters), theme.DocumentIcon(), container.NewVScroll(s.settings.letters.content))
	tabs := s.settingsTabs
	if tabs == nil {
		tabs = container.NewAppTabs(container.NewTabItemWithIcon(T(syncTabClinic), theme.SettingsIcon(), view))
		s.settingsTabs = tabs
	}
	tabs.Append(item)
	return tabs
}

// fill shows the clinic's templates (the default wording where none, in
// the screen's language: saved unchanged, it stays the default, which each
// letter says in its reader's language).
func (l *letterTemplates) fill(st *app.Settings) {
	l.shown = st.Letters
	l.sickNote.SetText(st.Letters.TemplateIn(tr(), app.LetterSickNote))
	l.referral.SetText(st.Letters.TemplateIn(tr(), app.LetterReferral))
	l.save.Enable()
}

// sampleLetter is the record the preview fills a template from.
func (l *letterTemplates) sampleLetter(kind app.LetterKind) map[string]string {
	clinic := &app.Settings{ClinicName: T("Your clinic")}
	if l.u.settings != nil {
		clinic = l.u.settings
	}
	p := &app.Patient{GivenName: "Maria", FamilyName: "Papadopoulou", MRN: "P-D1-000123", BirthDate: "1980-04-12"} //i18n:ok sample data
	doctor := &app.Prescriber{Name: "Dr. Anna Ivanova", RegistrationNumber: "GMC 7012345"}                         //i18n:ok sample data
	today := time.Now().In(clinic.Location())
	r := app.LetterRequest{Kind: kind, From: today.Format(app.DateLayout), To: today.AddDate(0, 0, 2).Format(app.DateLayout),
		Recipient: T("Cardiology outpatients, City Hospital")}
	return pdf.LetterValues(tr(), clinic, p, r, doctor, today)
}

// preview checks a template as typed and shows it filled, or says what
// is wrong beside the field.
func (l *letterTemplates) preview(kind app.LetterKind) {
	entry, out, field := l.sickNote, l.sickPreview, "sick_note_template"
	if kind == app.LetterReferral {
		entry, out, field = l.referral, l.referralPreview, "referral_template"
	}
	l.saved.Hide()
	text := strings.TrimSpace(entry.Text)
	if text == "" {
		text = app.DefaultLetterTemplate(tr(), kind)
	}
	if msg := app.CheckLetterTemplate(kind, text); !msg.IsZero() {
		l.errs.set(field, Tx(msg))
		out.SetText("")
		return
	}
	l.errs.unset(field)
	out.SetText(app.FillLetterTemplate(text, l.sampleLetter(kind)))
}

func (l *letterTemplates) onSave() {
	l.saved.Hide()
	t := app.LetterTemplates{SickNote: l.sickNote.Text, Referral: l.referral.Text}
	if l.errs.text("sick_note_template") != "" || l.errs.text("referral_template") != "" {
		return
	}
	shown := l.shown // read here, on the UI's goroutine
	l.save.Disable()
	background(l.u, func(ctx context.Context) (*app.Settings, error) {
		return l.u.svc.Settings.UpdateLetterTemplates(ctx, t, &shown)
	}, func(got *app.Settings, err error) {
		l.save.Enable()
		if err != nil {
			l.errs.show(err, l.u.win)
			return
		}
		if got != nil {
			l.u.settings = got
			l.fill(got)
		}
		l.saved.SetText(T("Letters saved."))
		l.saved.Show()
	})
}
