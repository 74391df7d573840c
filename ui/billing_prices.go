package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// kindAny is the kind filter's choice that keeps every kind.
var kindAny = i18n.N("All kinds")

// priceListView is the Price list tab of the Billing area: the version in
// force of every item, filtered by a fragment of the code or name and by
// kind. Selecting an item shows its history; admins add items, change a
// price from a day on (a new version: issued bills keep their prices) and
// retire items. Everyone else reads.
type priceListView struct {
	u *UI

	items []*app.PriceItem
	// seq numbers list fetches; an answer to an older one is dropped.
	seq int

	query   *escEntry
	kind    *escSelect
	retired *escCheck
	add     *widget.Button // admins only
	list    *widget.List
	info    *widget.Label // counts and the last change, under the list

	detail *priceItemDialog // the open item
	form   *priceForm       // the open add or change dialog

	content fyne.CanvasObject
}

func newPriceListView(u *UI) *priceListView {
	v := &priceListView{u: u}
	v.buildUI()
	return v
}

func (v *priceListView) view() fyne.CanvasObject { return v.content }

// canEdit reports whether the user keeps the price list (admins).
func (v *priceListView) canEdit() bool { return app.Can(v.u.session.User.Role, app.PermManageSettings) }

// priceColumns are the columns of the price list.
var priceColumns = []listColumn{
	{i18n.N("Code"), 130, false}, {i18n.N("Name"), 300, false}, {i18n.N("Kind"), 130, false},
	{i18n.N("Price"), 120, true}, {i18n.N("Tax"), 80, true}, {i18n.N("Valid from"), 130, false}, {"", 0, false},
}

func (v *priceListView) buildUI() {
	v.query = entry(T("Code or name"))
	v.query.OnChanged = func(string) { v.load() }
	v.kind = newSelect(append([]string{T(kindAny)}, priceKindLabels()...), nil)
	v.kind.SetSelected(T(kindAny))
	v.kind.OnChanged = func(string) { v.load() }
	v.retired = newCheck(T("Show retired"), func(bool) { v.load() })
	var actions []fyne.CanvasObject
	if v.canEdit() {
		v.add = widget.NewButtonWithIcon(T("Add item…"), theme.ContentAddIcon(), v.onAdd)
		v.add.Importance = widget.HighImportance
		actions = append(actions, v.add)
	}
	v.list = widget.NewList(
		func() int { return len(v.items) },
		func() fyne.CanvasObject { return newColumnRow(priceColumns) },
		v.updateRow,
	)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id >= 0 && id < len(v.items) {
			v.detail = showPriceItem(v, v.items[id])
		}
	}
	v.info = mutedLabel("")
	note := T("Select an item to see its price history.")
	if v.canEdit() {
		note = T("Select an item to see its price history, change its price or retire it.")
	}
	top := container.NewVBox(
		container.NewHBox(sectionTitle(T("Price list")), layout.NewSpacer(), container.NewHBox(actions...)),
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()),
			container.NewHBox(container.New(widthLayout{180}, v.kind), v.retired), v.query),
		mutedLabel(note),
		columnHeader(priceColumns),
		widget.NewSeparator(),
	)
	v.content = container.NewBorder(top, v.info, nil, nil, v.list)
}

func (v *priceListView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(v.items) {
		return
	}
	p := v.items[id]
	imp, state := widget.MediumImportance, ""
	if !p.Active {
		imp, state = widget.LowImportance, T("Retired")
	}
	setColumnRow(o.(*fyne.Container), imp, p.Code, p.Name, priceKindLabel(p.Kind),
		formatMoney(v.u, p.Price), app.FormatRate(p.TaxRate), dayText(v.u, p.ValidFrom), state)
}

// filter reads the filter fields.
func (v *priceListView) filter() app.PriceFilter {
	f := app.PriceFilter{Query: strings.TrimSpace(v.query.Text), IncludeRetired: v.retired.Checked}
	if i := slices.Index(priceKindLabels(), v.kind.Selected); i >= 0 {
		f.Kind = app.PriceKinds[i]
	}
	return f
}

// load lists the items the filters select.
func (v *priceListView) load() {
	v.seq++
	seq := v.seq
	f := v.filter()
	background(v.u, func(ctx context.Context) ([]*app.PriceItem, error) {
		return v.u.svc.Billing.FindPriceItems(ctx, f)
	}, func(items []*app.PriceItem, err error) {
		if seq != v.seq {
			return
		}
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.items = items
		v.list.Refresh()
		v.info.SetText(Tf("%s in force today.", countText(len(items), T("item"), T("items"))))
	})
}

// changed reloads the list after an admin's change and says what it did.
func (v *priceListView) changed(p *app.PriceItem) {
	v.load()
	msg := Tf("%s %s costs %s (tax %s) from %s.", p.Code, p.Name,
		strings.TrimSpace(formatMoney(v.u, p.Price)+" "+clinicCurrency(v.u)), app.FormatRate(p.TaxRate), dayText(v.u, p.ValidFrom))
	if p.ValidFrom.After(v.u.now()) {
		msg += T(" Until then the list shows the price in force.")
	}
	if !p.Active {
		msg = Tf("%s %s is retired from %s.", p.Code, p.Name, dayText(v.u, p.ValidFrom))
	}
	showMessage(T("Price list changed"), msg, v.u.win)
}

func (v *priceListView) onAdd() {
	v.form = showPriceForm(v, nil)
}

// priceItemDialog is one item of the price list: every version, oldest
// first, and for admins the change and retire actions.
type priceItemDialog struct {
	v    *priceListView
	item *app.PriceItem

	versions []*app.PriceItem
	history  *widget.List
	loading  *widget.Label
	change   *escButton // admins, on an item in force
	retire   *escButton // admins, on an item in force
	close    *escButton
	dialog   dialog.Dialog
}

// priceHistoryColumns are the columns of an item's history.
var priceHistoryColumns = []listColumn{
	{i18n.N("Version"), 70, true}, {i18n.N("Valid from"), 150, false}, {i18n.N("Name"), 220, false}, {i18n.N("Price"), 110, true},
	{i18n.N("Tax"), 70, true}, {i18n.N("Changed by"), 0, false},
}

func showPriceItem(v *priceListView, p *app.PriceItem) *priceItemDialog {
	d := &priceItemDialog{v: v, item: p}
	d.history = widget.NewList(func() int { return len(d.versions) },
		func() fyne.CanvasObject { return newColumnRow(priceHistoryColumns) }, d.updateRow)
	d.loading = mutedLabel(T("Loading…"))
	d.close = newButton(T("Close"), func() { d.dialog.Hide() })
	buttons := []fyne.CanvasObject{d.close, layout.NewSpacer()}
	if v.canEdit() && p.Active {
		d.retire = newIconButton(T("Retire…"), theme.DeleteIcon(), d.onRetire)
		d.change = newIconButton(T("Change price…"), theme.DocumentCreateIcon(), d.onChange)
		d.change.Importance = widget.HighImportance
		buttons = append(buttons, d.retire, d.change)
	}
	content := container.NewBorder(
		container.NewVBox(wrapLabel(priceKindLabel(p.Kind)+priceScope(p)), columnHeader(priceHistoryColumns),
			widget.NewSeparator()),
		container.NewHBox(buttons...), nil, nil,
		container.NewStack(d.history, container.NewVBox(d.loading)))
	d.dialog = dialog.NewCustomWithoutButtons(p.Code+" — "+p.Name, content, v.u.win)
	d.dialog.Resize(fyne.NewSize(820, 440))
	d.dialog.Show()
	d.load()
	return d
}

// priceScope says whose consultation an item is, when it is one doctor's
// or one specialization's.
func priceScope(p *app.PriceItem) string {
	switch {
	case p.Specialization != "":
		return " · " + p.Specialization
	case p.DoctorID != "":
		return T(" · one doctor's")
	}
	return ""
}

func (d *priceItemDialog) load() {
	u := d.v.u
	background(u, func(ctx context.Context) ([]*app.PriceItem, error) {
		return u.svc.Billing.PriceItemHistory(ctx, d.item.Code)
	}, func(vs []*app.PriceItem, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		d.show(vs)
	})
}

func (d *priceItemDialog) show(vs []*app.PriceItem) {
	d.versions = vs
	d.loading.Hide()
	d.history.Refresh()
}

func (d *priceItemDialog) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(d.versions) {
		return
	}
	u := d.v.u
	p := d.versions[id]
	imp := widget.MediumImportance
	when := dayText(u, p.ValidFrom)
	switch {
	case !p.Active:
		imp, when = widget.LowImportance, Tf("%s (retired)", when)
	case p.ValidFrom.After(u.now()):
		imp, when = widget.HighImportance, Tf("%s (future)", when)
	}
	setColumnRow(o.(*fyne.Container), imp, fmt.Sprint(p.Version), when, p.Name, formatMoney(u, p.Price),
		app.FormatRate(p.TaxRate), p.CreatedBy)
}

func (d *priceItemDialog) onChange() {
	d.dialog.Hide()
	d.v.form = showPriceForm(d.v, d.item)
}

func (d *priceItemDialog) onRetire() {
	v, p := d.v, d.item
	msg := Tf("Retire %s %s? It is no longer offered on new invoices; issued bills keep it.", p.Code, p.Name)
	confirm := newYesNo(T("Retire item"), msg, func(ok bool) {
		if !ok {
			return
		}
		background(v.u, func(ctx context.Context) (*app.PriceItem, error) {
			return v.u.svc.Billing.RetirePriceItem(ctx, p.Code)
		}, func(np *app.PriceItem, err error) {
			if err != nil {
				showError(err, v.u.win)
				return
			}
			d.dialog.Hide()
			v.changed(np)
		})
	}, v.u.win)
	confirm.SetConfirmText(T("Retire"))
	confirm.SetDismissText(T("Keep"))
	confirm.Show()
}

// priceForm adds an item (item nil) or a new version of one: the code is
// then fixed and the rest starts from the version in force.
type priceForm struct {
	v       *priceListView
	item    *app.PriceItem
	doctors []*app.DoctorProfile

	code           *escEntry
	name           *escEntry
	kind           *escSelect
	price          *escEntry
	taxRate        *escEntry
	validFrom      *escEntry
	doctor         *escSelect
	specialization *escEntry
	save           *escButton
	cancel         *escButton
	errs           fieldErrors
	dialog         dialog.Dialog
}

// anyDoctor is the doctor choice of an item that is no one doctor's.
var anyDoctor = i18n.N("Any doctor")

func showPriceForm(v *priceListView, item *app.PriceItem) *priceForm {
	f := &priceForm{v: v, item: item, errs: fieldErrors{}}
	f.code = entry(T("e.g. CONS-GP"))
	f.name = entry(T("e.g. General consultation"))
	f.kind = newSelect(priceKindLabels(), nil)
	f.kind.PlaceHolder = T("Choose the kind")
	f.price = entry(T("Net of tax, e.g. 45.00"))
	f.taxRate = entry(T("Percent, e.g. 24"))
	f.validFrom = entry(T("YYYY-MM-DD; empty: today"))
	f.doctor = newSelect([]string{T(anyDoctor)}, nil)
	f.doctor.SetSelected(T(anyDoctor))
	f.specialization = entry(T("Optional, e.g. Cardiology"))
	title, ok := T("Add price list item"), T("Add item")
	if item != nil {
		title, ok = Tf("Change %s", item.Code), T("Save new price")
		f.fill(item)
	}
	f.save = newButton(ok, f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	form := widget.NewForm(
		widget.NewFormItem(T("Code"), f.errs.add("code", f.code)),
		widget.NewFormItem(T("Name"), f.errs.add("name", f.name)),
		widget.NewFormItem(T("Kind"), f.errs.add("kind", f.kind)),
		widget.NewFormItem(Tf("Price (%s)", clinicCurrency(v.u)), f.errs.add("price", f.price)),
		widget.NewFormItem(T("Tax rate (%)"), f.errs.add("tax_rate", f.taxRate)),
		widget.NewFormItem(T("Valid from"), f.errs.add("valid_from", f.validFrom)),
		widget.NewFormItem(T("Doctor"), f.errs.add("doctor_id", f.doctor)),
		widget.NewFormItem(T("Specialization"), f.errs.add("specialization", f.specialization)),
	)
	note := mutedLabel(T("A price takes effect on the day given and stays until the next change. " +
		"Invoices already issued keep the price they were issued with."))
	f.dialog = showFormDialog(v.u, title, 560, container.NewVBox(note, form, general, buttonsRow(f.cancel, f.save)))
	if item == nil {
		v.u.win.Canvas().Focus(f.code)
	} else {
		v.u.win.Canvas().Focus(f.price)
	}
	f.loadDoctors()
	return f
}

// fill starts the form from the version in force of an item.
func (f *priceForm) fill(p *app.PriceItem) {
	f.code.SetText(p.Code)
	f.code.Disable()
	f.name.SetText(p.Name)
	f.kind.SetSelected(priceKindLabel(p.Kind))
	f.price.SetText(app.FormatAmount(p.Price, currencyDigits(f.v.u)))
	f.taxRate.SetText(strings.TrimSuffix(app.FormatRate(p.TaxRate), "%"))
	f.validFrom.SetText(f.v.u.now().In(f.v.u.location()).AddDate(0, 0, 1).Format(app.DateLayout))
	f.specialization.SetText(p.Specialization)
}

// loadDoctors offers the clinic's doctors for a consultation of one doctor.
func (f *priceForm) loadDoctors() {
	u := f.v.u
	if u.svc.Appointments == nil {
		return
	}
	background(u, func(ctx context.Context) ([]*app.DoctorProfile, error) {
		return u.svc.Appointments.FindDoctors(ctx, "")
	}, func(ds []*app.DoctorProfile, err error) {
		if err != nil {
			f.errs.show(err, u.win)
			return
		}
		f.doctors = ds
		opts := []string{T(anyDoctor)}
		for _, d := range ds {
			opts = append(opts, doctorLabel(d))
		}
		f.doctor.SetOptions(opts)
		if f.item != nil {
			if i := slices.IndexFunc(ds, func(d *app.DoctorProfile) bool { return d.UserID == f.item.DoctorID }); i >= 0 {
				f.doctor.SetSelectedIndex(i + 1)
			}
		}
	})
}

// input reads the form; a field it cannot read gets its message and ok is
// false.
func (f *priceForm) input() (in app.PriceItemInput, ok bool) {
	u := f.v.u
	in = app.PriceItemInput{Code: f.code.Text, Name: f.name.Text, Specialization: f.specialization.Text}
	if i := slices.Index(priceKindLabels(), f.kind.Selected); i >= 0 {
		in.Kind = app.PriceKinds[i]
	}
	if i := f.doctor.SelectedIndex(); i > 0 && i <= len(f.doctors) {
		in.DoctorID = f.doctors[i-1].UserID
	}
	ok = true
	price, err := app.ParseMoney(f.price.Text, currencyDigits(u))
	if err != nil {
		f.errs.set("price", errText(err))
		ok = false
	}
	in.Price = price
	rate, err := app.ParseRate(f.taxRate.Text)
	switch {
	case strings.TrimSpace(f.taxRate.Text) == "":
		f.errs.set("tax_rate", T("Enter the tax rate in percent; 0 when the item is not taxed."))
		ok = false
	case err != nil:
		f.errs.set("tax_rate", errText(err))
		ok = false
	}
	in.TaxRate = rate
	from, err := readValidFrom(f.validFrom.Text, u.now(), u.location())
	if err != nil {
		f.errs.set("valid_from", errText(err))
		ok = false
	}
	in.ValidFrom = from
	return in, ok
}

// readValidFrom reads the day a price takes effect: empty or today is now
// (the zero time), a later day is its midnight in the clinic's time zone.
func readValidFrom(text string, now time.Time, loc *time.Location) (time.Time, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return time.Time{}, nil
	}
	day, err := time.ParseInLocation(app.DateLayout, text, loc)
	if err != nil {
		return time.Time{}, app.FieldErrorf("valid_from", "%s", T("Write the date as YYYY-MM-DD."))
	}
	today := now.In(loc).Format(app.DateLayout)
	switch {
	case text == today:
		return time.Time{}, nil
	case text < today:
		return time.Time{}, app.FieldErrorf("valid_from", "%s", T("A price takes effect today or later, never in the past: issued bills keep their prices."))
	}
	return day, nil
}

func (f *priceForm) onSave() {
	f.errs.clear()
	u := f.v.u
	in, ok := f.input()
	if !ok {
		return
	}
	if err := in.Validate(); err != nil {
		f.errs.show(err, u.win)
		return
	}
	call := u.svc.Billing.CreatePriceItem
	if f.item != nil {
		call = u.svc.Billing.ChangePriceItem
	}
	f.save.Disable()
	background(u, func(ctx context.Context) (*app.PriceItem, error) {
		return call(ctx, in)
	}, func(p *app.PriceItem, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, u.win)
			return
		}
		f.dialog.Hide()
		f.v.form = nil
		f.v.changed(p)
	})
}

// priceKindLabel is how a price list kind is shown.
func priceKindLabel(k app.PriceKind) string {
	if !k.Valid() {
		return capitalize(string(k))
	}
	return T(k.Label())
}

// priceKindLabels are the kinds' labels, in app.PriceKinds order.
func priceKindLabels() []string {
	out := make([]string, len(app.PriceKinds))
	for i, k := range app.PriceKinds {
		out[i] = priceKindLabel(k)
	}
	return out
}
