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
)

// overpaidView is Billing → Billing conflicts: invoices paid more than
// their total on desks that were apart, each with the buttons that settle
// it (refund the excess, or allocate it to another invoice of the
// patient), and the changes of invoices and their lines that lost to
// another desk's or to the invoice's issue, each with keep what won and
// take what lost. Staff who manage billing.
type overpaidView struct{ *conflictsScreen }

func newOverpaidView(u *UI) *overpaidView {
	s := &conflictsScreen{u: u, billingOnly: true, canSettle: true, canResolve: true}
	s.buildUI()
	return &overpaidView{s}
}

func (v *overpaidView) view() fyne.CanvasObject { return v.content }

// updateOverpaidRow shows a billing conflict: what the invoice was paid
// and by which receipts, and the two ways to settle it.
func (s *conflictsScreen) updateOverpaidRow(r *conflictRow, c *app.Conflict) {
	o := c.Overpaid
	now := s.u.now().In(s.u.location())
	r.title.SetText(Tf("%s — paid more than its total", Tx(c.What)))
	values := Tf("Paid %s of %s: %s too much · receipts %s", moneyText(o.Paid, o.Currency),
		moneyText(o.Total, o.Currency), moneyText(o.Excess(), o.Currency), strings.Join(o.Receipts, ", "))
	if !c.ResolvedAt.IsZero() && o.SettlementNote != "" {
		values = o.SettlementNote
	}
	r.values.SetText(values)
	meta := Tf("Billing conflict: paid on two desks while they were apart · found %s", clockTime(c.DetectedAt, now))
	if !c.ResolvedAt.IsZero() {
		meta = Tf("Settled %s by %s: %s · ", clockTime(c.ResolvedAt, now), c.ResolvedBy, overpaidResolutionLabel(c.Resolution)) + meta
	}
	r.meta.SetText(meta)
	r.keep.SetText(T("Refund the excess"))
	r.take.SetText(T("Allocate to another invoice…"))
	r.keep.OnTapped = func() { s.onRefundExcess(c) }
	r.take.OnTapped = func() { s.onAllocateExcess(c) }
	r.take.Enable()
	for _, b := range []*widget.Button{r.keep, r.take} {
		if s.canSettle && c.ResolvedAt.IsZero() {
			b.Show()
		} else {
			b.Hide()
		}
	}
}

func overpaidResolutionLabel(r app.Resolution) string {
	switch r {
	case app.ResolutionRefunded:
		return T("the excess refunded")
	case app.ResolutionAllocated:
		return T("the excess allocated to another invoice")
	case app.ResolutionSettled:
		return T("settled on another desk")
	}
	return string(r)
}

// onRefundExcess asks for the reason and refunds what was paid too much.
func (s *conflictsScreen) onRefundExcess(c *app.Conflict) {
	o := c.Overpaid
	s.prompt = showPrompt(s.u, promptSpec{
		title: T("Refund the excess"),
		note: Tf("Refund %s paid too much on invoice %s of %s? Receipt %s is reversed and, if part of it "+
			"was due, replaced by a payment of that part; the patient gets %s back. Only one desk of the clinic can "+
			"settle this: this desk asks the sync server first.", moneyText(o.Excess(), o.Currency), o.InvoiceNumber,
			o.PatientName, o.ReceiptNumber, moneyText(o.Excess(), o.Currency)),
		label: T("Reason"), field: "reason", ok: T("Refund"), danger: true,
		placeholder: T("Why the money is given back"),
		check:       func(text string) error { _, err := app.ValidateBillingReason(text); return err },
		submit: func(text string) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := s.u.svc.Sync.SettleOverpayment(ctx, c.ID, app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: text})
				return err
			}
		},
		done: func() { s.prompt = nil; s.load() },
	})
}

// onAllocateExcess lets a person choose another open invoice of the
// patient to take the excess, with the reason.
func (s *conflictsScreen) onAllocateExcess(c *app.Conflict) {
	o := c.Overpaid
	background(s.u, func(ctx context.Context) ([]*app.Invoice, error) {
		var out []*app.Invoice
		for _, st := range []app.InvoiceStatus{app.InvoiceIssued, app.InvoicePartiallyPaid} {
			list, err := s.u.svc.Billing.FindInvoices(ctx, app.InvoiceFilter{PatientID: o.PatientID, Status: st, Limit: 100})
			if err != nil {
				return nil, err
			}
			out = append(out, list...)
		}
		return out, nil
	}, func(list []*app.Invoice, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.showAllocate(c, list)
	})
}

func (s *conflictsScreen) showAllocate(c *app.Conflict, open []*app.Invoice) {
	o := c.Overpaid
	errs := fieldErrors{"": newErrorLabel()}
	var labels []string
	byLabel := map[string]string{}
	for _, inv := range open {
		if inv.ID == o.InvoiceID {
			continue
		}
		l := Tf("%s · owes %s", inv.Number, moneyText(inv.Balance, inv.Currency))
		labels = append(labels, l)
		byLabel[l] = inv.ID
	}
	pick := newSelect(labels, nil)
	pick.PlaceHolder = T("Choose an invoice")
	if len(labels) == 0 {
		pick.PlaceHolder = T("The patient has no other unpaid invoice")
		pick.Disable()
	}
	reason := entry(T("Why the excess moves to that invoice"))
	note := widget.NewLabel(Tf("Allocate the %s paid too much on invoice %s to another unpaid invoice of %s. "+
		"Receipt %s is reversed and replaced by a payment that keeps what was due on %s and pays the excess on "+
		"the other invoice; no money changes hands. Only one desk of the clinic can settle this: this desk asks the sync "+
		"server first.", moneyText(o.Excess(), o.Currency), o.InvoiceNumber, o.PatientName, o.ReceiptNumber, o.InvoiceNumber))
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("Invoice"), errs.add("invoice", pick)),
		widget.NewFormItem(T("Reason"), errs.add("reason", reason)),
	)
	var d dialog.Dialog
	ok := newButton(T("Allocate"), nil)
	ok.Importance = widget.HighImportance
	cancel := newButton(T("Cancel"), func() { d.Hide() })
	ok.OnTapped = func() {
		errs.clear()
		in := app.OverpaymentSettlement{Action: app.OverpaymentAllocate, InvoiceID: byLabel[pick.Selected],
			Reason: strings.TrimSpace(reason.Text)}
		if in.InvoiceID == "" {
			errs.set("invoice", T("Choose the invoice that takes the excess."))
			return
		}
		if _, err := app.ValidateBillingReason(in.Reason); err != nil {
			errs.show(err, s.u.win)
			return
		}
		ok.Disable()
		background(s.u, func(ctx context.Context) (*app.Conflict, error) {
			return s.u.svc.Sync.SettleOverpayment(ctx, c.ID, in)
		}, func(_ *app.Conflict, err error) {
			ok.Enable()
			if err != nil {
				errs.show(err, s.u.win)
				return
			}
			d.Hide()
			s.load()
		})
	}
	content := container.NewVBox(note, form, errs[""], container.NewHBox(cancel, layout.NewSpacer(), ok))
	d = dialog.NewCustomWithoutButtons(T("Allocate the excess"), container.New(widthLayout{520}, content), s.u.win)
	s.confirm = d
	d.Show()
}
