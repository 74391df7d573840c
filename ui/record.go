package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// recordScreen shows a patient their own record, read-only: their details
// (of which they may change the contact ones), health summary, history,
// prescriptions and reports. The tabs after the first load when chosen.
type recordScreen struct {
	u *UI
	b *chartBase

	patient *app.Patient

	mrn        *widget.Label
	name       *widget.Label
	sex        *widget.Label
	birthDate  *widget.Label
	phone      *widget.Label
	email      *widget.Label
	address    *widget.Label
	emergency  *widget.Label
	bloodGroup *widget.Label
	message    *widget.Label
	editButton *widget.Button

	tabs        *container.AppTabs
	summary     *summaryTab
	history     *historyTab
	rx          *rxTab
	attachments *attachmentsTab
	letters     *lettersTab  // with the visit service
	messages    *messagesTab // with the message service
	byItem      map[*container.TabItem]chartTab

	contact *contactForm // the open "Edit my contact details" dialog

	content fyne.CanvasObject
}

func newRecordScreen(u *UI) *recordScreen {
	s := &recordScreen{u: u, byItem: map[*container.TabItem]chartTab{}}
	label := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	s.mrn, s.name, s.sex, s.birthDate = label(), label(), label(), label()
	s.phone, s.email, s.address, s.emergency, s.bloodGroup = label(), label(), label(), label(), label()
	s.message = widget.NewLabel(T("Loading your record…"))
	s.message.Wrapping = fyne.TextWrapWord
	s.editButton = widget.NewButtonWithIcon(T("Edit my contact details"), theme.DocumentCreateIcon(), s.onEditContact)
	s.editButton.Disable()
	form := widget.NewForm(
		widget.NewFormItem(T("Record number"), s.mrn),
		widget.NewFormItem(T("Name"), s.name),
		widget.NewFormItem(T("Sex"), s.sex),
		widget.NewFormItem(T("Date of birth"), s.birthDate),
		widget.NewFormItem(T("Phone"), s.phone),
		widget.NewFormItem(T("E-mail"), s.email),
		widget.NewFormItem(T("Address"), s.address),
		widget.NewFormItem(T("Emergency contact"), s.emergency),
		widget.NewFormItem(T("Blood group"), s.bloodGroup),
	)
	details := container.NewVScroll(container.NewVBox(
		s.message,
		container.New(widthLayout{560}, form),
		container.NewHBox(s.editButton),
	))

	s.tabs = container.NewAppTabs(container.NewTabItemWithIcon(T("My details"), theme.AccountIcon(), details))
	if id := s.patientID(); id != "" {
		s.b = &chartBase{u: u, id: id, own: true}
		s.summary = newSummaryTab(s.b, false)
		s.history = newHistoryTab(s.b)
		s.rx = newRxTab(s.b)
		s.attachments = newAttachmentsTab(s.b)
		for _, t := range []struct {
			title string
			icon  fyne.Resource
			tab   chartTab
		}{
			{T("Health summary"), theme.HomeIcon(), s.summary},
			{T("History"), theme.HistoryIcon(), s.history},
			{T("Prescriptions"), theme.ListIcon(), s.rx},
			{T("Reports"), theme.FileIcon(), s.attachments},
		} {
			item := container.NewTabItemWithIcon(t.title, t.icon, t.tab.view())
			s.byItem[item] = t.tab
			s.tabs.Append(item)
		}
		if u.svc.Visits != nil {
			s.letters = newLettersTab(s.b)
			item := container.NewTabItemWithIcon(T("Letters"), theme.DocumentIcon(), s.letters.view())
			s.byItem[item] = s.letters
			s.tabs.Append(item)
		}
		if u.svc.Messages != nil {
			s.messages = newMessagesTab(s.b)
			item := container.NewTabItemWithIcon(T("Messages"), theme.MailComposeIcon(), s.messages.view())
			s.byItem[item] = s.messages
			s.tabs.Append(item)
		}
	}
	s.tabs.OnSelected = func(item *container.TabItem) {
		u.touch()
		if t := s.byItem[item]; t != nil {
			t.load()
		} else {
			s.load()
		}
	}
	s.content = container.NewBorder(
		widget.NewLabelWithStyle(T("My record"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil,
		s.tabs)
	return s
}

func (s *recordScreen) patientID() string {
	if s.u.session == nil {
		return ""
	}
	return s.u.session.Caller().PatientID
}

func (s *recordScreen) load() {
	id := s.patientID()
	if id == "" {
		s.message.SetText(T("No patient record is linked to this account. Please ask at the reception desk."))
		return
	}
	background(s.u, func(ctx context.Context) (*app.Patient, error) {
		return s.u.svc.Patients.FindPatientByID(ctx, id)
	}, func(p *app.Patient, err error) {
		if err != nil {
			s.message.SetText(errText(err))
			showError(err, s.u.win)
			return
		}
		s.show(p)
	})
}

func (s *recordScreen) show(p *app.Patient) {
	s.patient = p
	s.message.SetText(T("This is the record the clinic keeps about you. You may change your contact details; ask at the reception desk to correct anything else."))
	s.mrn.SetText(p.MRN)
	s.name.SetText(p.FullName())
	s.sex.SetText(sexLabel(p.Sex))
	s.birthDate.SetText(p.BirthDate)
	s.phone.SetText(p.Phone)
	s.email.SetText(p.Email)
	s.address.SetText(p.Address)
	s.emergency.SetText(p.EmergencyContact + phoneSuffix(p.EmergencyPhone))
	s.bloodGroup.SetText(bloodGroupLabel(p.BloodGroup))
	s.editButton.Enable()
}

func (s *recordScreen) onEditContact() {
	if s.patient == nil {
		return
	}
	s.contact = showContactForm(s.u, s.patient, func(p *app.Patient) {
		s.contact = nil
		if p != nil {
			s.show(p)
		}
	})
}

// contactForm lets a patient change their own contact details.
type contactForm struct {
	u       *UI
	patient *app.Patient

	phone            *escEntry
	email            *escEntry
	address          *escEntry
	emergencyContact *escEntry
	emergencyPhone   *escEntry
	language         *escSelect // the language of their messages and documents
	save             *escButton
	cancel           *escButton
	errs             fieldErrors

	done   func(*app.Patient)
	dialog dialog.Dialog
}

func showContactForm(u *UI, p *app.Patient, done func(*app.Patient)) *contactForm {
	f := &contactForm{u: u, patient: p, done: done, errs: fieldErrors{}}
	f.phone = entry(T("e.g. +30 690 123 4567"))
	f.phone.SetText(p.Phone)
	f.email = entry(T("Optional"))
	f.email.SetText(p.Email)
	f.address = multiLineEntry()
	f.address.SetMinRowsVisible(2)
	f.address.SetText(p.Address)
	f.emergencyContact = entry(T("Name of the person to call"))
	f.emergencyContact.SetText(p.EmergencyContact)
	f.emergencyPhone = entry(T("Their phone"))
	f.emergencyPhone.SetText(p.EmergencyPhone)
	f.language = newPatientLanguageSelect(p.Language)
	f.save = newButton(T("Save"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.close(nil) })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Phone"), f.errs.add("phone", f.phone)),
		widget.NewFormItem(T("E-mail"), f.errs.add("email", f.email)),
		widget.NewFormItem(T("Address"), f.errs.add("address", f.address)),
		widget.NewFormItem(T("Emergency contact"), f.errs.add("emergency_contact", f.emergencyContact)),
		widget.NewFormItem(T("Emergency phone"), f.errs.add("emergency_phone", f.emergencyPhone)),
		widget.NewFormItem(T("Messages in"), f.errs.add("language", f.language)),
	), general, buttonsRow(f.cancel, f.save))
	f.dialog = showFormDialog(u, T("My contact details"), 520, content)
	return f
}

func (f *contactForm) close(p *app.Patient) {
	f.dialog.Hide()
	if f.done != nil {
		done := f.done
		f.done = nil
		done(p)
	}
}

func (f *contactForm) onSave() {
	f.errs.clear()
	p := f.patient
	upd := app.ContactUpdate{Was: p} // what the form showed: a value a sync changed since was not seen
	changed := false
	set := func(dst **string, e *escEntry, was string) {
		if e.Text != was {
			v := e.Text
			*dst = &v
			changed = true
		}
	}
	set(&upd.Phone, f.phone, p.Phone)
	set(&upd.Email, f.email, p.Email)
	set(&upd.Address, f.address, p.Address)
	set(&upd.EmergencyContact, f.emergencyContact, p.EmergencyContact)
	set(&upd.EmergencyPhone, f.emergencyPhone, p.EmergencyPhone)
	if lang := patientLanguageOf(f.language.Selected); lang != p.Language {
		upd.Language, changed = &lang, true
	}
	if !changed {
		f.close(nil)
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Patient, error) {
		return f.u.svc.Patients.UpdateOwnContact(ctx, upd)
	}, func(np *app.Patient, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.close(np)
	})
}
