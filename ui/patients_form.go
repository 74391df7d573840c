package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// bloodUnknown is the blood-group select's choice for "not known".
var bloodUnknown = i18n.N("Not known")

// patientForm registers a patient or edits one's record, in a dialog.
type patientForm struct {
	u       *UI
	patient *app.Patient // nil when registering

	givenName        *escEntry
	familyName       *escEntry
	sex              *escSelect
	birthDate        *escEntry
	phone            *escEntry
	email            *escEntry
	address          *escEntry
	nationalID       *escEntry
	emergencyContact *escEntry
	emergencyPhone   *escEntry
	bloodGroup       *escSelect
	notes            *escEntry
	language         *escSelect // the language of messages and documents for the patient
	save             *escButton
	cancel           *escButton
	errs             fieldErrors

	dups *duplicatesDialog // the open duplicate warning

	// done is called once when the form closes: with the saved record, or
	// nil when cancelled; or, from the duplicate warning, with the existing
	// record to open.
	done    func(*app.Patient)
	dialog  dialog.Dialog
	content fyne.CanvasObject
}

// showPatientForm opens the register form (p nil) or the edit form of p.
func showPatientForm(u *UI, p *app.Patient, done func(*app.Patient)) *patientForm {
	f := &patientForm{u: u, patient: p, done: done, errs: fieldErrors{}}
	f.buildUI()
	title := T("Register patient")
	if p != nil {
		title = Tf("Edit %s (%s)", p.FullName(), p.MRN)
		f.fill(p)
	}
	f.dialog = dialog.NewCustomWithoutButtons(title, container.New(widthLayout{640}, f.content), u.win)
	f.dialog.Resize(fyne.NewSize(700, 720))
	f.dialog.Show()
	u.win.Canvas().Focus(f.givenName)
	return f
}

func (f *patientForm) buildUI() {
	f.givenName = newEscEntry(T("Given name(s)"))
	f.familyName = newEscEntry(T("Family name"))
	f.sex = newSelect(sexLabels(), nil)
	f.sex.PlaceHolder = T("Choose")
	f.birthDate = newEscEntry(T("YYYY-MM-DD"))
	f.phone = newEscEntry(T("e.g. +30 690 123 4567"))
	f.email = newEscEntry(T("Optional"))
	f.address = multiLineEntry()
	f.address.SetPlaceHolder(T("Optional"))
	f.address.SetMinRowsVisible(2)
	f.nationalID = newEscEntry(T("National or insurance id, optional"))
	f.emergencyContact = newEscEntry(T("Name, optional"))
	f.emergencyPhone = newEscEntry(T("Optional"))
	f.bloodGroup = newSelect(bloodGroupLabels(), nil)
	f.bloodGroup.SetSelected(T(bloodUnknown))
	f.notes = multiLineEntry()
	f.notes.SetPlaceHolder(T("Administrative notes, optional"))
	f.notes.SetMinRowsVisible(2)
	f.language = newPatientLanguageSelect("")
	label := T("Register")
	if f.patient != nil {
		label = T("Save changes")
	}
	f.save = newButton(label, f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.close(nil) })
	general := newErrorLabel()
	f.errs[""] = general

	form := widget.NewForm(
		widget.NewFormItem(T("Given name"), f.errs.add("given_name", f.givenName)),
		widget.NewFormItem(T("Family name"), f.errs.add("family_name", f.familyName)),
		widget.NewFormItem(T("Sex"), f.errs.add("sex", f.sex)),
		widget.NewFormItem(T("Date of birth"), f.errs.add("birth_date", f.birthDate)),
		widget.NewFormItem(T("Phone"), f.errs.add("phone", f.phone)),
		widget.NewFormItem(T("E-mail"), f.errs.add("email", f.email)),
		widget.NewFormItem(T("Address"), f.errs.add("address", f.address)),
		widget.NewFormItem(T("National / insurance id"), f.errs.add("national_id", f.nationalID)),
		widget.NewFormItem(T("Emergency contact"), f.errs.add("emergency_contact", f.emergencyContact)),
		widget.NewFormItem(T("Emergency phone"), f.errs.add("emergency_phone", f.emergencyPhone)),
		widget.NewFormItem(T("Blood group"), f.errs.add("blood_group", f.bloodGroup)),
		widget.NewFormItem(T("Notes"), f.errs.add("notes", f.notes)),
	)
	form.Append(T("Messages in"), f.errs.add("language", f.language))
	// Enter in a one-line field saves, as the button does.
	for _, e := range []*escEntry{f.givenName, f.familyName, f.birthDate, f.phone, f.email, f.nationalID,
		f.emergencyContact, f.emergencyPhone} {
		e.OnSubmitted = func(string) {
			if !f.save.Disabled() {
				f.onSave()
			}
		}
	}
	f.errs.alias("name", "given_name")
	f.errs.alias("full_name", "given_name")
	f.errs.alias("date_of_birth", "birth_date")
	f.content = container.NewBorder(nil, container.NewVBox(general, container.NewHBox(f.cancel, layout.NewSpacer(), f.save)),
		nil, nil, container.NewVScroll(form))
}

func bloodGroupLabels() []string {
	out := []string{T(bloodUnknown)}
	for _, b := range app.BloodGroups {
		if b != "" {
			out = append(out, string(b))
		}
	}
	return out
}

func bloodGroupOf(label string) app.BloodGroup {
	if label == T(bloodUnknown) {
		return ""
	}
	return app.BloodGroup(label)
}

func bloodGroupLabel(b app.BloodGroup) string {
	if b == "" {
		return T(bloodUnknown)
	}
	return string(b)
}

func (f *patientForm) fill(p *app.Patient) {
	f.givenName.SetText(p.GivenName)
	f.familyName.SetText(p.FamilyName)
	f.sex.SetSelected(sexLabel(p.Sex))
	f.birthDate.SetText(p.BirthDate)
	f.phone.SetText(p.Phone)
	f.email.SetText(p.Email)
	f.address.SetText(p.Address)
	f.nationalID.SetText(p.NationalID)
	f.emergencyContact.SetText(p.EmergencyContact)
	f.emergencyPhone.SetText(p.EmergencyPhone)
	f.bloodGroup.SetSelected(bloodGroupLabel(p.BloodGroup))
	f.notes.SetText(p.Notes)
	f.language.SetSelected(patientLanguageLabel(p.Language))
}

// values reads the form as a registration.
func (f *patientForm) values() app.PatientCreate {
	return app.PatientCreate{
		GivenName:        f.givenName.Text,
		FamilyName:       f.familyName.Text,
		Sex:              sexOf(f.sex.Selected),
		BirthDate:        strings.TrimSpace(f.birthDate.Text),
		Phone:            f.phone.Text,
		Email:            f.email.Text,
		Address:          f.address.Text,
		NationalID:       f.nationalID.Text,
		EmergencyContact: f.emergencyContact.Text,
		EmergencyPhone:   f.emergencyPhone.Text,
		BloodGroup:       bloodGroupOf(f.bloodGroup.Selected),
		Notes:            f.notes.Text,
		Language:         patientLanguageOf(f.language.Selected),
	}
}

func (f *patientForm) close(p *app.Patient) {
	f.dialog.Hide()
	if f.done != nil {
		done := f.done
		f.done = nil
		done(p)
	}
}

func (f *patientForm) onSave() {
	f.errs.clear()
	c := f.values()
	// The same checks the service makes, so a missing or malformed field
	// is shown at once, next to it, without a round trip.
	if err := c.Validate(f.u.now().In(f.u.location())); err != nil {
		f.errs.show(err, f.u.win)
		return
	}
	if f.patient != nil {
		f.update(c)
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) ([]*app.Duplicate, error) {
		return f.u.svc.Patients.FindDuplicates(ctx, c)
	}, func(dups []*app.Duplicate, err error) {
		if err != nil {
			f.save.Enable()
			f.errs.show(err, f.u.win)
			return
		}
		if len(dups) > 0 {
			f.save.Enable()
			f.dups = showDuplicates(f, dups, c)
			return
		}
		f.create(c)
	})
}

// create registers the patient, after the duplicate check.
func (f *patientForm) create(c app.PatientCreate) {
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Patient, error) {
		return f.u.svc.Patients.CreatePatient(ctx, c)
	}, func(p *app.Patient, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.close(p)
	})
}

// update saves the fields that changed.
func (f *patientForm) update(c app.PatientCreate) {
	p := f.patient
	upd := app.PatientUpdate{Was: p} // what the form showed: a value a sync changed since was not seen
	changed := false
	str := func(dst **string, now, was string) {
		if now != was {
			v := now
			*dst = &v
			changed = true
		}
	}
	str(&upd.GivenName, c.GivenName, p.GivenName)
	str(&upd.FamilyName, c.FamilyName, p.FamilyName)
	str(&upd.BirthDate, c.BirthDate, p.BirthDate)
	str(&upd.Phone, c.Phone, p.Phone)
	str(&upd.Email, c.Email, p.Email)
	str(&upd.Address, c.Address, p.Address)
	str(&upd.NationalID, c.NationalID, p.NationalID)
	str(&upd.EmergencyContact, c.EmergencyContact, p.EmergencyContact)
	str(&upd.EmergencyPhone, c.EmergencyPhone, p.EmergencyPhone)
	str(&upd.Notes, c.Notes, p.Notes)
	str(&upd.Language, c.Language, p.Language)
	if c.Sex != p.Sex {
		v := c.Sex
		upd.Sex, changed = &v, true
	}
	if c.BloodGroup != p.BloodGroup {
		v := c.BloodGroup
		upd.BloodGroup, changed = &v, true
	}
	if !changed {
		f.close(nil)
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Patient, error) {
		return f.u.svc.Patients.UpdatePatient(ctx, p.ID, upd)
	}, func(np *app.Patient, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.close(np)
	})
}

// duplicatesDialog warns that the patient being registered looks like
// existing ones, and offers to open one of them instead.
type duplicatesDialog struct {
	dups    []*app.Duplicate
	list    *wrappedList // each duplicate with "Open existing" at its end
	anyway  *escButton
	back    *escButton
	dialog  dialog.Dialog
	content fyne.CanvasObject
}

func showDuplicates(f *patientForm, dups []*app.Duplicate, c app.PatientCreate) *duplicatesDialog {
	d := &duplicatesDialog{}
	note := widget.NewLabel(T("Someone who looks like this patient is already registered. Open the existing record instead of registering the same person twice?"))
	note.Wrapping = fyne.TextWrapWord
	d.dups = dups
	d.list = newWrappedList(func() int { return len(d.dups) }, func() fyne.CanvasObject {
		who, why := wrapLabel(""), wrapLabel("")
		why.Importance = widget.WarningImportance
		r := newListRow(container.NewVBox(who, why), widget.NewButton(T("Open existing"), nil))
		r.parts = [2]*widget.Label{who, why}
		return r
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		r, ok := o.(*listRow)
		if !ok || id < 0 || id >= len(d.dups) {
			return
		}
		dup := d.dups[id]
		p := dup.Patient
		labels := r.parts.([2]*widget.Label)
		labels[0].SetText(Tf("%s · %s · born %s", p.FullName(), p.MRN, p.BirthDate) + phoneSuffix(p.Phone))
		labels[1].SetText(capitalize(dup.Reason))
		r.bind(p.ID, func() {
			d.dialog.Hide()
			f.dups = nil
			f.close(p)
		})
	})
	d.back = newButton(T("Back to the form"), func() {
		d.dialog.Hide()
		f.dups = nil
	})
	d.anyway = newButton(T("Register anyway"), func() {
		d.dialog.Hide()
		f.dups = nil
		f.create(c)
	})
	d.anyway.Importance = widget.WarningImportance
	d.content = container.NewBorder(note, container.NewHBox(d.back, layout.NewSpacer(), d.anyway), nil, nil, d.list)
	d.dialog = dialog.NewCustomWithoutButtons(T("Possible duplicate"), container.New(widthLayout{560}, d.content), f.u.win)
	d.dialog.Resize(fyne.NewSize(620, 420))
	d.dialog.Show()
	return d
}

func phoneSuffix(phone string) string {
	if phone == "" {
		return ""
	}
	return " · " + phone
}
