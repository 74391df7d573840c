package ui

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// lineForm adds a line to a draft invoice or changes one: picked from the
// price list (code, name, kind, price and tax copied from the item in
// force) or written as free text. It previews the line's amounts with the
// same arithmetic the service uses, before the line's share of any invoice
// discount; the invoice's totals always come from the service.
type lineForm struct {
	u        *UI
	inv      *app.Invoice
	line     *app.InvoiceLine // the line changed; nil when adding
	currency string
	digits   int

	items    []*app.PriceItem // the price list items found
	itemID   string           // the chosen item's ID; "" for free text
	seq      int
	timer    *time.Timer
	search   *escEntry
	item     *escSelect
	freeText *escButton
	code     *widget.Label
	listed   string // the price list code the line was copied from

	description *escEntry
	kind        *escSelect
	quantity    *escEntry
	unitPrice   *escEntry
	discRate    *escEntry
	discAmount  *escEntry
	taxRate     *escEntry
	preview     *widget.Label

	save   *escButton
	cancel *escButton
	errs   fieldErrors
	dialog dialog.Dialog
	done   func(*app.Invoice)

	// opened is the form's text as it opened (a changed line's values);
	// closed: the dialog was cancelled or its line saved.
	opened map[string]string
	closed bool
}

// showLineForm opens the line dialog of inv: adding a line when l is nil,
// else changing l; done gets the invoice as the service left it.
func showLineForm(u *UI, inv *app.Invoice, l *app.InvoiceLine, done func(*app.Invoice)) *lineForm {
	f := &lineForm{u: u, inv: inv, line: l, currency: inv.Currency, digits: billingDigits(inv.Currency),
		errs: fieldErrors{}, done: done}
	title := T("Add line")
	if l != nil {
		title = T("Change line")
	}
	f.dialog = showFormDialog(u, title, 620, f.buildUI())
	if l != nil {
		f.fill(l)
	}
	f.opened = f.draftFields()
	f.searchItems()
	u.win.Canvas().Focus(f.search)
	return f
}

// buildUI builds the form and returns its content.
func (f *lineForm) buildUI() fyne.CanvasObject {
	f.search = entry(T("Search the price list: code or name"))
	f.search.OnChanged = func(string) { f.scheduleSearch() }
	f.search.OnSubmitted = func(string) { f.searchItems() }
	f.item = newSelect(nil, func(string) { f.onItem() })
	f.item.PlaceHolder = T("Choose an item")
	f.item.Disable() // until the price list's items arrive
	f.freeText = newIconButton(T("Free text"), theme.DocumentCreateIcon(), f.onFreeText)
	f.code = mutedLabel(T("Free text: describe the line and give its price."))

	f.description = entry(T("What the line charges for"))
	f.kind = newSelect(priceKindLabels(), nil)
	f.kind.SetSelected(priceKindLabel(app.PriceOther))
	f.quantity = entry("1")
	f.quantity.SetText("1")
	f.unitPrice = entry("0.00")
	f.discRate = entry("%")
	f.discAmount = entry(T("or amount"))
	f.taxRate = entry("%")
	f.taxRate.SetText("0")
	for _, e := range []*escEntry{f.quantity, f.unitPrice, f.discRate, f.discAmount, f.taxRate} {
		e.OnChanged = func(string) { f.updatePreview() }
		e.OnSubmitted = func(string) { f.onSave() }
	}
	f.preview = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})

	f.save = newButton(T("Save line"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() {
		f.closed = true
		f.dialog.Hide()
	})
	general := newErrorLabel()
	f.errs[""] = general
	f.errs.alias("rate", "discount")
	form := widget.NewForm(
		widget.NewFormItem(T("Price list"), f.errs.add("price_item_id", container.NewVBox(
			f.search, container.NewBorder(nil, nil, nil, f.freeText, f.item), f.code))),
		widget.NewFormItem(T("Description"), f.errs.add("description", f.description)),
		widget.NewFormItem(T("Kind"), f.errs.add("kind", f.kind)),
		widget.NewFormItem(T("Quantity"), f.errs.add("quantity", f.quantity)),
		widget.NewFormItem(Tf("Unit price (%s)", f.currency), f.errs.add("unit_price", f.unitPrice)),
		widget.NewFormItem(T("Discount"), f.errs.add("discount", container.NewGridWithColumns(2, f.discRate, f.discAmount))),
		widget.NewFormItem(T("Tax rate"), f.errs.add("tax_rate", f.taxRate)),
	)
	f.updatePreview()
	return container.NewVBox(form, f.preview, general, buttonsRow(f.cancel, f.save))
}

// fill shows the line being changed.
func (f *lineForm) fill(l *app.InvoiceLine) {
	f.itemID = l.PriceItemID
	f.description.SetText(l.Description)
	f.kind.SetSelected(priceKindLabel(l.Kind))
	f.quantity.SetText(strconv.FormatInt(l.Quantity, 10))
	f.unitPrice.SetText(app.FormatAmount(l.UnitPrice, f.digits))
	if l.DiscountRate > 0 {
		f.discRate.SetText(strings.TrimSuffix(app.FormatRate(l.DiscountRate), "%"))
	} else if l.DiscountAmount > 0 {
		f.discAmount.SetText(app.FormatAmount(l.DiscountAmount, f.digits))
	}
	f.taxRate.SetText(strings.TrimSuffix(app.FormatRate(l.TaxRate), "%"))
	if l.PriceItemID != "" {
		f.showListed(l.Code)
	}
}

// scheduleSearch searches the price list once typing pauses.
func (f *lineForm) scheduleSearch() {
	f.seq++
	seq, gen, do := f.seq, f.u.gen, f.u.do
	if f.timer != nil {
		f.timer.Stop()
	}
	f.timer = time.AfterFunc(searchDebounce, func() {
		do(func() {
			if f.u.gen == gen && seq == f.seq {
				f.searchItems()
			}
		})
	})
}

// searchItems lists the items in force whose code or name matches.
func (f *lineForm) searchItems() {
	if f.timer != nil {
		f.timer.Stop()
	}
	f.seq++
	seq := f.seq
	q := app.PriceFilter{Query: strings.TrimSpace(f.search.Text)}
	background(f.u, func(ctx context.Context) ([]*app.PriceItem, error) {
		return f.u.svc.Billing.FindPriceItems(ctx, q)
	}, func(items []*app.PriceItem, err error) {
		if seq != f.seq {
			return
		}
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.items = items
		opts := make([]string, len(items))
		for i, it := range items {
			opts[i] = it.Code + " — " + it.Name + " — " + moneyText(it.Price, f.currency)
		}
		f.item.OnChanged = nil // a new list is no choice
		f.item.ClearSelected()
		f.item.SetOptions(opts)
		f.item.OnChanged = func(string) { f.onItem() }
		// An empty Select opens an empty pop-up that cannot be seen and
		// takes the next clicks: with nothing to choose it is disabled and
		// says why.
		if len(items) == 0 {
			f.item.PlaceHolder = T("No item matches; change the search or use Free text")
			f.item.Disable()
		} else {
			f.item.PlaceHolder = T("Choose an item")
			f.item.Enable()
		}
		f.item.Refresh()
		if len(items) == 1 && q.Query != "" {
			f.item.SetSelectedIndex(0)
		}
	})
}

// onItem copies the chosen item into the line.
func (f *lineForm) onItem() {
	i := f.item.SelectedIndex()
	if i < 0 || i >= len(f.items) {
		return
	}
	it := f.items[i]
	f.errs.clear()
	f.itemID = it.ID
	f.description.SetText(it.Name)
	f.kind.SetSelected(priceKindLabel(it.Kind))
	f.unitPrice.SetText(app.FormatAmount(it.Price, f.digits))
	f.taxRate.SetText(strings.TrimSuffix(app.FormatRate(it.TaxRate), "%"))
	f.showListed(it.Code)
	f.updatePreview()
}

// showListed marks the line as copied from the price list item code: its
// kind and tax rate are the list's.
func (f *lineForm) showListed(code string) {
	f.listed = code
	f.code.SetText(Tf("From the price list: %s. The kind and tax rate are the list's; the description and price may be changed for this bill.", code))
	f.kind.Disable()
	f.taxRate.Disable()
}

// onFreeText turns the line into free text.
func (f *lineForm) onFreeText() {
	f.itemID = ""
	f.item.OnChanged = nil
	f.item.ClearSelected()
	f.item.OnChanged = func(string) { f.onItem() }
	f.code.SetText(T("Free text: describe the line and give its price."))
	f.kind.Enable()
	f.taxRate.Enable()
}

// numbers reads the numeric fields; each problem is shown next to its
// field and ok is false.
func (f *lineForm) numbers(show bool) (in app.LineInput, ok bool) {
	ok = true
	fail := func(field, msg string) {
		ok = false
		if show {
			f.errs.set(field, msg)
		}
	}
	q, err := strconv.ParseInt(strings.TrimSpace(f.quantity.Text), 10, 64)
	if err != nil {
		fail("quantity", T("Enter a whole number, e.g. 1."))
	}
	in.Quantity = q
	if in.UnitPrice, err = app.ParseMoney(f.unitPrice.Text, f.digits); err != nil {
		fail("unit_price", errText(err))
	}
	if t := strings.TrimSpace(f.discRate.Text); t != "" {
		if in.DiscountRate, err = app.ParseRate(t); err != nil {
			fail("discount", errText(err))
		}
	}
	if t := strings.TrimSpace(f.discAmount.Text); t != "" {
		if in.DiscountAmount, err = app.ParseMoney(t, f.digits); err != nil {
			fail("discount", errText(err))
		}
	}
	if t := strings.TrimSpace(f.taxRate.Text); t != "" {
		if in.TaxRate, err = app.ParseRate(t); err != nil {
			fail("tax_rate", errText(err))
		}
	}
	return in, ok
}

// read reads the whole line, showing what is wrong next to its field.
func (f *lineForm) read() (app.LineInput, bool) {
	f.errs.clear()
	in, ok := f.numbers(true)
	if !ok {
		return in, false
	}
	in.PriceItemID = f.itemID
	in.Description = f.description.Text
	if i := f.kind.SelectedIndex(); i >= 0 {
		in.Kind = app.PriceKinds[i]
	}
	if _, err := in.Validate(); err != nil {
		f.errs.show(err, f.u.win)
		return in, false
	}
	return in, true
}

// updatePreview shows the line's amounts as typed, or nothing while they
// are incomplete.
func (f *lineForm) updatePreview() {
	in, ok := f.numbers(false)
	if ok {
		a, err := app.ComputeLine(in.Quantity, in.UnitPrice, in.DiscountRate, in.DiscountAmount, in.TaxRate)
		if err == nil {
			text := Tf("Net %s + tax %s = line total %s", amountText(a.Net, f.digits), amountText(a.Tax, f.digits),
				moneyText(a.Total, f.currency))
			if f.inv.DiscountRate > 0 || f.inv.DiscountAmount > 0 {
				text += T(", before its share of the invoice discount")
			}
			f.preview.SetText(text)
			return
		}
	}
	f.preview.SetText(T("Line total: —"))
}

// onSave adds or changes the line.
func (f *lineForm) onSave() {
	in, ok := f.read()
	if !ok {
		return
	}
	f.save.Disable()
	background(f.u, func(ctx context.Context) (*app.Invoice, error) {
		if f.line != nil {
			in.Was = f.line // what the form showed: a value a sync changed since was not seen
			return f.u.svc.Billing.UpdateLine(ctx, f.line.ID, in)
		}
		return f.u.svc.Billing.AddLine(ctx, f.inv.ID, in)
	}, func(inv *app.Invoice, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, f.u.win)
			return
		}
		f.closed = true
		f.dialog.Hide()
		f.done(inv)
	})
}

// draftFields is the line as typed, by draft field name ("line." and the
// field), for keeping it as a draft when the session ends.
func (f *lineForm) draftFields() map[string]string {
	out := map[string]string{}
	for k, e := range map[string]*escEntry{"description": f.description, "quantity": f.quantity,
		"unit_price": f.unitPrice, "discount_rate": f.discRate, "discount_amount": f.discAmount, "tax_rate": f.taxRate} {
		out["line."+k] = e.Text
	}
	out["line.kind"] = f.kind.Selected
	out["line.item_id"] = f.itemID
	if f.itemID != "" {
		out["line.code"] = f.listed
	}
	if f.line != nil {
		out["line.line_id"] = f.line.ID
	}
	return out
}

// unsaved reports whether the open form holds text not saved yet.
func (f *lineForm) unsaved() bool {
	return !f.closed && !maps.Equal(f.draftFields(), f.opened)
}

// restoreDraft puts a kept line's text back into the form.
func (f *lineForm) restoreDraft(fields map[string]string) {
	if id := fields["line.item_id"]; id != "" {
		f.itemID = id
		f.showListed(fields["line.code"])
	}
	if k := fields["line.kind"]; k != "" {
		f.kind.SetSelected(k)
	}
	for k, e := range map[string]*escEntry{"description": f.description, "quantity": f.quantity,
		"unit_price": f.unitPrice, "discount_rate": f.discRate, "discount_amount": f.discAmount, "tax_rate": f.taxRate} {
		e.SetText(fields["line."+k])
	}
	f.updatePreview()
}
