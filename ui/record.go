package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// recordScreen shows a patient their own record, read-only.
type recordScreen struct {
	u *UI

	mrn       *widget.Label
	name      *widget.Label
	sex       *widget.Label
	birthDate *widget.Label
	phone     *widget.Label
	email     *widget.Label
	address   *widget.Label
	message   *widget.Label

	content fyne.CanvasObject
}

func newRecordScreen(u *UI) *recordScreen {
	s := &recordScreen{u: u}
	label := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	s.mrn, s.name, s.sex, s.birthDate = label(), label(), label(), label()
	s.phone, s.email, s.address = label(), label(), label()
	s.message = widget.NewLabel("Loading your record…")
	s.message.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Record number", s.mrn),
		widget.NewFormItem("Name", s.name),
		widget.NewFormItem("Sex", s.sex),
		widget.NewFormItem("Date of birth", s.birthDate),
		widget.NewFormItem("Phone", s.phone),
		widget.NewFormItem("E-mail", s.email),
		widget.NewFormItem("Address", s.address),
	)
	s.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("My record", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.message,
		container.New(widthLayout{560}, form),
	))
	return s
}

func (s *recordScreen) load() {
	id := ""
	if s.u.session != nil {
		id = s.u.session.Caller().PatientID
	}
	if id == "" {
		s.message.SetText("No patient record is linked to this account. Please ask at the reception desk.")
		return
	}
	background(s.u, func(ctx context.Context) (*app.Patient, error) {
		return s.u.svc.Patients.FindPatientByID(ctx, id)
	}, func(p *app.Patient, err error) {
		if err != nil {
			s.message.SetText(app.ErrorMessage(err))
			showError(err, s.u.win)
			return
		}
		s.message.SetText("This is the record the clinic keeps about you. Ask at the reception desk to correct it.")
		s.mrn.SetText(p.MRN)
		s.name.SetText(p.FullName())
		s.sex.SetText(sexLabel(p.Sex))
		s.birthDate.SetText(p.BirthDate)
		s.phone.SetText(p.Phone)
		s.email.SetText(p.Email)
		s.address.SetText(p.Address)
	})
}
