package ui

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"  // or PNG
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// settingsScreen is the admin's form for the clinic's settings.
type settingsScreen struct {
	u *UI

	clinicName *escEntry
	address    *escEntry
	phone      *escEntry
	taxID      *escEntry
	currency   *escSelect
	timeZone   *escSelectEntry
	autoLock   *escEntry
	autoLogout *escEntry
	cash       *escEntry // the cash-up's denominations; empty: the currency's
	// displayNames turns names on the waiting-room display on.
	displayNames *escCheck
	// screenLanguage is the clinic's default screen language, for users
	// who have chosen none.
	screenLanguage *escSelect
	logo           []byte
	logoImage      *canvas.Image
	logoInfo       *widget.Label
	chooseLogo     *widget.Button
	removeLogo     *widget.Button
	save           *widget.Button
	saved          *widget.Label
	errs           fieldErrors
	codes          *codesImport // nil without the diagnosis service
	letters        *letterTemplates
	// shown is the settings as the form was last filled with them: saved
	// with it, a setting left as shown keeps what a sync brought meanwhile.
	shown *app.Settings

	content fyne.CanvasObject
}

func newSettingsScreen(u *UI) *settingsScreen {
	s := &settingsScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *settingsScreen) buildUI() {
	s.clinicName = entry(T("The clinic's name"))
	s.address = multiLineEntry()
	s.address.SetMinRowsVisible(3)
	s.phone = entry(T("Optional"))
	s.taxID = entry(T("Optional"))
	s.currency = newSelect(currencyCodes(), nil)
	s.timeZone = newSelectEntry(timeZoneOptions())
	s.autoLock = entry(T("Minutes"))
	s.autoLogout = entry(T("Minutes"))
	s.cash = entry(T("Empty: the currency's notes and coins"))
	s.displayNames = newCheck(T("Show patients' names with their tokens"), nil)
	s.logoImage = canvas.NewImageFromResource(nil)
	s.logoImage.FillMode = canvas.ImageFillContain
	s.logoImage.SetMinSize(fyne.NewSize(160, 100))
	s.logoInfo = widget.NewLabel(T("No logo"))
	s.chooseLogo = widget.NewButton(T("Choose logo…"), s.onChooseLogo)
	s.removeLogo = widget.NewButton(T("Remove logo"), func() { s.setLogo(nil) })
	s.save = widget.NewButton(T("Save settings"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable() // until loaded
	s.saved = widget.NewLabel("")
	s.saved.Importance = widget.SuccessImportance
	s.saved.Hide()

	logo := container.NewVBox(
		container.NewHBox(s.logoImage, container.NewVBox(s.logoInfo, container.NewHBox(s.chooseLogo, s.removeLogo))),
	)
	s.screenLanguage = newLanguageSelect(i18n.English, func(i18n.Lang) {})
	form := widget.NewForm(
		widget.NewFormItem(T("Clinic name"), s.errs.add("clinic_name", s.clinicName)),
		widget.NewFormItem(T("Address"), s.errs.add("address", s.address)),
		widget.NewFormItem(T("Phone"), s.errs.add("phone", s.phone)),
		widget.NewFormItem(T("Tax id"), s.errs.add("tax_id", s.taxID)),
		widget.NewFormItem(T("Currency"), s.errs.add("currency", s.currency)),
		widget.NewFormItem(T("Time zone"), s.errs.add("time_zone", s.timeZone)),
		widget.NewFormItem(T("Lock after idle minutes"), s.errs.add("auto_lock_minutes", s.autoLock)),
		widget.NewFormItem(T("Log out after locked minutes"), s.errs.add("auto_logout_minutes", s.autoLogout)),
		widget.NewFormItem(T("Cash-up notes and coins"), s.errs.add("cash_denominations", s.cash)),
		widget.NewFormItem(T("Waiting-room display"), s.errs.add("display_names", s.displayNames)),
		widget.NewFormItem(T("Logo"), s.errs.add("logo", logo)),
		widget.NewFormItem(T("Screen language"), s.errs.add("screen_language", s.screenLanguage)),
	)
	box := container.NewVBox(
		widget.NewLabelWithStyle(T("Clinic settings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.New(widthLayout{640}, form),
		container.NewHBox(s.saved, layout.NewSpacer(), s.save),
	)
	s.letters = newLetterTemplates(s.u) // a tab of its own (withLettersTab)
	if s.u.svc.Diagnoses != nil {
		s.codes = newCodesImport(s.u)
		box.Add(widget.NewSeparator())
		box.Add(s.codes.content)
	}
	s.content = container.NewVScroll(box)
}

// load fills the form from the stored settings.
func (s *settingsScreen) load() {
	background(s.u, func(ctx context.Context) (*app.Settings, error) {
		return s.u.svc.Settings.GetSettings(ctx)
	}, func(st *app.Settings, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.fill(st)
		s.letters.fill(st)
		s.save.Enable()
	})
}

func (s *settingsScreen) fill(st *app.Settings) {
	s.shown = st
	s.clinicName.SetText(st.ClinicName)
	s.address.SetText(st.Address)
	s.phone.SetText(st.Phone)
	s.taxID.SetText(st.TaxID)
	s.currency.SetSelected(st.Currency)
	s.timeZone.SetText(st.TimeZone)
	s.autoLock.SetText(strconv.Itoa(st.AutoLockMinutes))
	s.autoLogout.SetText(strconv.Itoa(st.AutoLogoutMinutes))
	s.cash.SetText(app.FormatDenominations(st.CashDenominations, app.CurrencyDigits(st.Currency)))
	s.displayNames.SetChecked(st.DisplayNames)
	s.screenLanguage.SetSelected(app.ScreenLanguage(nil, st).Name())
	s.setLogo(st.Logo)
}

// setLogo shows b as the logo, after checking it is a PNG or JPEG image.
func (s *settingsScreen) setLogo(b []byte) {
	s.errs.unset("logo")
	if len(b) == 0 {
		s.logo = nil
		s.logoImage.Resource = nil
		s.logoImage.Refresh()
		s.logoInfo.SetText(T("No logo"))
		s.removeLogo.Disable()
		return
	}
	if len(b) > app.MaxLogoBytes {
		s.errs.set("logo", T("The logo is too large (at most 1 MB)."))
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		s.errs.set("logo", T("The logo must be a PNG or JPEG image."))
		return
	}
	s.logo = b
	s.logoImage.Resource = fyne.NewStaticResource("logo."+format, b)
	s.logoImage.Refresh()
	s.logoInfo.SetText(Tf("%s, %d×%d pixels", strings.ToUpper(format), cfg.Width, cfg.Height))
	s.removeLogo.Enable()
}

func (s *settingsScreen) onChooseLogo() {
	d := dialog.NewFileOpen(s.onLogoChosen, s.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// onLogoChosen reads the chosen file off the UI goroutine.
func (s *settingsScreen) onLogoChosen(r fyne.URIReadCloser, err error) {
	if err != nil {
		showError(app.Errorf(app.EINVALID, "%s", T("The file could not be opened.")), s.u.win)
		return
	}
	if r == nil { // cancelled
		return
	}
	name := r.URI().Name()
	background(s.u, func(context.Context) ([]byte, error) {
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, app.MaxLogoBytes+1))
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "%s", Tf("The file %s could not be read.", name))
		}
		return b, nil
	}, func(b []byte, err error) {
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.setLogo(b)
	})
}

func (s *settingsScreen) onSave() {
	s.errs.clear()
	s.saved.Hide()
	minutes, err := strconv.Atoi(strings.TrimSpace(s.autoLock.Text))
	if err != nil {
		s.errs.set("auto_lock_minutes", T("Enter a whole number of minutes, e.g. 10."))
		return
	}
	logout, err := strconv.Atoi(strings.TrimSpace(s.autoLogout.Text))
	if err != nil {
		s.errs.set("auto_logout_minutes", T("Enter a whole number of minutes, e.g. 60."))
		return
	}
	cash, err := app.ParseDenominations(s.cash.Text, app.CurrencyDigits(s.currency.Selected))
	if err != nil {
		s.errs.show(err, s.u.win)
		return
	}
	st := app.Settings{
		CashDenominations: cash,
		ClinicName:        s.clinicName.Text,
		Address:           s.address.Text,
		Phone:             s.phone.Text,
		TaxID:             s.taxID.Text,
		Logo:              s.logo,
		Currency:          s.currency.Selected,
		TimeZone:          s.timeZone.Text,
		AutoLockMinutes:   minutes,
		AutoLogoutMinutes: logout,
		DisplayNames:      s.displayNames.Checked,
		ScreenLanguage:    chosenLanguage(s.screenLanguage.Selected),
	}
	shown := s.shown // read here, on the UI's goroutine
	if shown != nil && st.ScreenLanguage == app.ScreenLanguage(nil, shown) {
		// Left as shown: a clinic without a language of its own (English
		// shown) keeps none, not English set for every desk.
		st.ScreenLanguage = shown.ScreenLanguage
	}
	s.save.Disable()
	background(s.u, func(ctx context.Context) (*app.Settings, error) {
		return s.u.svc.Settings.UpdateSettings(ctx, st, shown)
	}, func(got *app.Settings, err error) {
		s.save.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		if got == nil {
			got = &st
		}
		s.u.settings = got
		s.u.win.SetTitle(s.u.title())
		if s.u.main != nil {
			s.u.main.clinic.SetText(s.u.title())
		}
		s.fill(got)
		s.saved.SetText(T("Settings saved."))
		s.saved.Show()
	})
}
