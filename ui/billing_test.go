package ui

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// fakeBilling is a small in-memory billing service behind the mock: drafts,
// lines, issuing, payments, refunds and voids with the domain's own
// arithmetic and checks, so the screens can be driven through a whole
// invoice's life. Every call is recorded on the harness.
type fakeBilling struct {
	h *clinicHarness

	mu       sync.Mutex
	items    []*app.PriceItem
	invoices []*app.Invoice // in creation order
	payments []*app.Payment // in the order taken
	seq      int
	numbered int
	receipts int
}

// fakePDF is what the fake prints.
var fakePDF = []byte("%PDF-1.7 fake")

func consultation() *app.PriceItem {
	return &app.PriceItem{ID: "pi-1", Code: "CONS-GP", Version: 1, Name: "General consultation",
		Kind: app.PriceConsultation, Price: 5000, TaxRate: 2400, Active: true}
}

// newBillingHarness is a clinic harness whose billing service is a fake
// with a price list of two items, and whose patient search finds grace.
func newBillingHarness(t *testing.T) (*clinicHarness, *fakeBilling) {
	t.Helper()
	h := newClinicHarness(t)
	h.servePatients([]*app.Patient{grace()}, 50)
	f := &fakeBilling{h: h, items: []*app.PriceItem{consultation(),
		{ID: "pi-2", Code: "LAB-CBC", Version: 1, Name: "Full blood count", Kind: app.PriceLab, Price: 1850, TaxRate: 0, Active: true}}}
	h.u.svc.Billing = f.mock()
	return h, f
}

func (f *fakeBilling) newID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}

// find returns the invoice with id; f.mu is held.
func (f *fakeBilling) find(id string) *app.Invoice {
	for _, inv := range f.invoices {
		if inv.ID == id {
			return inv
		}
	}
	return nil
}

// copyOf is what the service hands out: a copy with its totals and
// balance worked out; f.mu is held.
func (f *fakeBilling) copyOf(inv *app.Invoice) *app.Invoice {
	c := *inv
	c.Lines = nil
	c.Totals = app.InvoiceTotals{}
	for _, l := range inv.Lines {
		lc := *l
		c.Lines = append(c.Lines, &lc)
		c.Totals.Gross += l.Gross
		c.Totals.Discount += l.Discount
		c.Totals.InvoiceDiscount += l.InvoiceDiscount
		c.Totals.Net += l.Net
		c.Totals.Tax += l.Tax
		c.Totals.Total += l.Total
	}
	c.Paid = 0
	for _, p := range f.payments {
		if p.IsReversal() || p.ReversedBy != "" {
			continue
		}
		for _, a := range p.Allocations {
			if a.InvoiceID == inv.ID {
				c.Paid += a.Amount
			}
		}
	}
	c.Balance = c.Totals.Total - c.Paid
	switch {
	case inv.Status == app.InvoiceDraft:
	case inv.Status == app.InvoiceVoid:
		c.Balance = 0
	case c.Paid == 0:
		c.Status = app.InvoiceIssued
	case c.Balance > 0:
		c.Status = app.InvoicePartiallyPaid
	default:
		c.Status = app.InvoicePaid
	}
	return &c
}

// line builds a draft's line from in as the service does; f.mu is held.
func (f *fakeBilling) line(in app.LineInput) (*app.InvoiceLine, error) {
	l := &app.InvoiceLine{PriceItemID: in.PriceItemID}
	if in.PriceItemID != "" {
		for _, it := range f.items {
			if it.ID == in.PriceItemID {
				l.Code, l.Kind, in.Kind, in.TaxRate = it.Code, it.Kind, it.Kind, it.TaxRate
				if in.Description == "" {
					in.Description = it.Name
				}
				if in.UnitPrice == 0 {
					in.UnitPrice = it.Price
				}
			}
		}
	}
	amounts, err := in.Validate()
	if err != nil {
		return nil, err
	}
	l.ID, l.Description, l.Kind, l.Quantity = f.newID("line"), in.Description, in.Kind, in.Quantity
	l.UnitPrice, l.DiscountRate, l.DiscountAmount, l.TaxRate = in.UnitPrice, in.DiscountRate, in.DiscountAmount, in.TaxRate
	l.LineAmounts = amounts
	return l, nil
}

// share gives a draft's lines their shares of the invoice discount rate or
// amount with the domain's own arithmetic, as the service does after every
// change to a draft; on a refusal nothing changes. f.mu is held.
func (f *fakeBilling) share(inv *app.Invoice, rate app.BasisPoints, amount app.Money) error {
	amounts := make([]app.LineAmounts, len(inv.Lines))
	taxes := make([]app.BasisPoints, len(inv.Lines))
	for i, l := range inv.Lines {
		amounts[i], taxes[i] = l.LineAmounts, l.TaxRate
	}
	amounts, _, err := app.ComputeInvoice(amounts, taxes, rate, amount)
	if err != nil {
		return err
	}
	for i, l := range inv.Lines {
		l.LineAmounts = amounts[i]
	}
	inv.DiscountRate, inv.DiscountAmount = rate, amount
	return nil
}

// draftOf returns the draft a line belongs to; f.mu is held.
func (f *fakeBilling) draftOf(lineID string) (*app.Invoice, int) {
	for _, inv := range f.invoices {
		for i, l := range inv.Lines {
			if l.ID == lineID && inv.Status == app.InvoiceDraft {
				return inv, i
			}
		}
	}
	return nil, -1
}

// allowed refuses callers whose role lacks p, as the service does.
func allowed(ctx context.Context, p app.Permission) error {
	c, _ := app.CallerFromContext(ctx)
	if !app.Can(c.Role, p) {
		return app.Errorf(app.EUNAUTHORIZED, "You may not do this.")
	}
	return nil
}

func (f *fakeBilling) mock() *mock.BillingService {
	h := f.h
	guard := func(name string, ctx context.Context, arg any) func() {
		h.record(name, ctx, arg)
		f.mu.Lock()
		return f.mu.Unlock
	}
	notFound := app.Errorf(app.ENOTFOUND, "There is no such invoice.")
	return &mock.BillingService{
		FindPriceItemsFn: func(ctx context.Context, q app.PriceFilter) ([]*app.PriceItem, error) {
			defer guard("FindPriceItems", ctx, q)()
			var out []*app.PriceItem
			for _, it := range f.items {
				if strings.Contains(strings.ToLower(it.Code+" "+it.Name), strings.ToLower(q.Query)) {
					c := *it
					out = append(out, &c)
				}
			}
			return out, nil
		},
		CreateDraftInvoiceFn: func(ctx context.Context, d app.DraftInvoice) (*app.Invoice, error) {
			defer guard("CreateDraftInvoice", ctx, d)()
			if err := allowed(ctx, app.PermManageBilling); err != nil {
				return nil, err
			}
			inv := &app.Invoice{ID: f.newID("inv"), PatientID: d.PatientID, PatientName: "Grace Hopper",
				PatientMRN: "P-D1-000001", AppointmentID: d.AppointmentID, Status: app.InvoiceDraft, Currency: "EUR",
				CreatedAt: h.clock()}
			f.invoices = append(f.invoices, inv)
			return f.copyOf(inv), nil
		},
		DraftForAppointmentFn: func(ctx context.Context, appointmentID string) (*app.Invoice, error) {
			defer guard("DraftForAppointment", ctx, appointmentID)()
			inv := &app.Invoice{ID: f.newID("inv"), PatientID: "p-1", PatientName: "Grace Hopper", PatientMRN: "P-D1-000001",
				AppointmentID: appointmentID, Status: app.InvoiceDraft, Currency: "EUR", CreatedAt: h.clock(),
				Notes: "Visit of 2026-03-02 10:00"}
			l, _ := f.line(app.LineInput{PriceItemID: "pi-1", Quantity: 1})
			inv.Lines = []*app.InvoiceLine{l}
			f.invoices = append(f.invoices, inv)
			return f.copyOf(inv), nil
		},
		AddLineFn: func(ctx context.Context, id string, in app.LineInput) (*app.Invoice, error) {
			defer guard("AddLine", ctx, in)()
			inv := f.find(id)
			if inv == nil || inv.Status != app.InvoiceDraft {
				return nil, notFound
			}
			l, err := f.line(in)
			if err != nil {
				return nil, err
			}
			inv.Lines = append(inv.Lines, l)
			if err := f.share(inv, inv.DiscountRate, inv.DiscountAmount); err != nil {
				inv.Lines = inv.Lines[:len(inv.Lines)-1]
				return nil, err
			}
			return f.copyOf(inv), nil
		},
		UpdateLineFn: func(ctx context.Context, lineID string, in app.LineInput) (*app.Invoice, error) {
			defer guard("UpdateLine", ctx, in)()
			inv, i := f.draftOf(lineID)
			if inv == nil {
				return nil, notFound
			}
			l, err := f.line(in)
			if err != nil {
				return nil, err
			}
			l.ID = lineID
			old := inv.Lines[i]
			inv.Lines[i] = l
			if err := f.share(inv, inv.DiscountRate, inv.DiscountAmount); err != nil {
				inv.Lines[i] = old
				return nil, err
			}
			return f.copyOf(inv), nil
		},
		RemoveLineFn: func(ctx context.Context, lineID string) (*app.Invoice, error) {
			defer guard("RemoveLine", ctx, lineID)()
			inv, i := f.draftOf(lineID)
			if inv == nil {
				return nil, notFound
			}
			kept := slices.Delete(slices.Clone(inv.Lines), i, i+1)
			old := inv.Lines
			inv.Lines = kept
			if err := f.share(inv, inv.DiscountRate, inv.DiscountAmount); err != nil {
				inv.Lines = old
				return nil, err
			}
			return f.copyOf(inv), nil
		},
		SetInvoiceDiscountFn: func(ctx context.Context, id string, rate app.BasisPoints, amount app.Money, was *app.Invoice) (*app.Invoice, error) {
			defer guard("SetInvoiceDiscount", ctx, fmt.Sprintf("%d %d", rate, amount))()
			if err := allowed(ctx, app.PermManageBilling); err != nil {
				return nil, err
			}
			inv := f.find(id)
			if inv == nil || inv.Status != app.InvoiceDraft {
				return nil, notFound
			}
			if err := f.share(inv, rate, amount); err != nil {
				return nil, err
			}
			return f.copyOf(inv), nil
		},
		IssueInvoiceFn: func(ctx context.Context, id string) (*app.Invoice, error) {
			defer guard("IssueInvoice", ctx, id)()
			inv := f.find(id)
			if inv == nil || inv.Status != app.InvoiceDraft {
				return nil, notFound
			}
			f.numbered++
			inv.Number = fmt.Sprintf("INV-D1-2026-%06d", f.numbered)
			inv.Status, inv.IssuedAt, inv.IssuedBy = app.InvoiceIssued, h.clock(), "billing1"
			return f.copyOf(inv), nil
		},
		VoidInvoiceFn: func(ctx context.Context, id, reason string) (*app.Invoice, error) {
			defer guard("VoidInvoice", ctx, id+":"+reason)()
			if err := allowed(ctx, app.PermManageBilling); err != nil {
				return nil, err
			}
			inv := f.find(id)
			if inv == nil {
				return nil, notFound
			}
			inv.Status, inv.VoidReason, inv.CreditNoteNumber, inv.VoidedAt = app.InvoiceVoid, reason, "CN-D1-2026-000001", h.clock()
			return f.copyOf(inv), nil
		},
		FindInvoiceFn: func(ctx context.Context, id string) (*app.Invoice, error) {
			defer guard("FindInvoice", ctx, id)()
			if inv := f.find(id); inv != nil {
				return f.copyOf(inv), nil
			}
			return nil, notFound
		},
		FindInvoicesFn: func(ctx context.Context, q app.InvoiceFilter) ([]*app.Invoice, error) {
			defer guard("FindInvoices", ctx, q)()
			var out []*app.Invoice
			skipping := q.Before != ""
			for i := len(f.invoices) - 1; i >= 0 && len(out) < q.Limit; i-- {
				inv := f.copyOf(f.invoices[i])
				switch {
				case skipping:
					skipping = inv.ID != q.Before
				case (q.PatientID == "" || inv.PatientID == q.PatientID) && (q.Status == "" || inv.Status == q.Status) &&
					(q.Number == "" || inv.Number == q.Number):
					out = append(out, inv)
				}
			}
			return out, nil
		},
		PatientStatementFn: func(ctx context.Context, patientID string) (*app.Statement, error) {
			defer guard("PatientStatement", ctx, patientID)()
			st := &app.Statement{PatientID: patientID, Currency: "EUR"}
			for i := len(f.invoices) - 1; i >= 0; i-- {
				if inv := f.invoices[i]; inv.PatientID == patientID && inv.Status != app.InvoiceDraft {
					st.Invoices = append(st.Invoices, f.copyOf(inv))
				}
			}
			for i := len(f.payments) - 1; i >= 0; i-- {
				c := *f.payments[i]
				c.Allocations = nil // as the real statement lists them
				st.Payments = append(st.Payments, &c)
			}
			return st, nil
		},
		FindPaymentFn: func(ctx context.Context, id string) (*app.Payment, error) {
			defer guard("FindPayment", ctx, id)()
			for _, p := range f.payments {
				if p.ID == id {
					c := *p
					return &c, nil
				}
			}
			return nil, app.Errorf(app.ENOTFOUND, "There is no such payment.")
		},
		TakePaymentFn: func(ctx context.Context, in app.PaymentInput) (*app.Payment, error) {
			defer guard("TakePayment", ctx, in)()
			if err := in.Validate(); err != nil {
				return nil, err
			}
			for _, a := range in.Allocations {
				inv := f.find(a.InvoiceID)
				if inv == nil {
					return nil, app.FieldErrorf("invoices", "There is no such invoice.")
				}
				if a.Amount > f.copyOf(inv).Balance {
					return nil, app.FieldErrorf("amount", "More than the balance: an overpayment is not accepted.")
				}
			}
			f.receipts++
			p := &app.Payment{ID: f.newID("pay"), ReceiptNumber: fmt.Sprintf("R-D1-2026-%06d", f.receipts),
				PatientID: "p-1", Method: in.Method, Amount: in.Amount, Tendered: in.Tendered, Reference: in.Reference,
				Currency: "EUR", Allocations: in.Allocations, CashierName: "billing1", TakenAt: h.clock()}
			if in.Method == app.PayCash {
				p.Change = in.Tendered - in.Amount
			}
			f.payments = append(f.payments, p)
			c := *p
			return &c, nil
		},
		RefundPaymentFn: func(ctx context.Context, id, reason string) (*app.Payment, error) {
			defer guard("RefundPayment", ctx, id+":"+reason)()
			if err := allowed(ctx, app.PermManageBilling); err != nil {
				return nil, err
			}
			for _, p := range f.payments {
				if p.ID == id {
					f.receipts++
					r := &app.Payment{ID: f.newID("pay"), ReceiptNumber: fmt.Sprintf("R-D1-2026-%06d", f.receipts),
						Method: p.Method, Amount: p.Amount, Currency: "EUR", Allocations: p.Allocations, ReversalOf: id,
						Reason: reason, TakenAt: h.clock()}
					p.ReversedBy = r.ID
					f.payments = append(f.payments, r)
					return r, nil
				}
			}
			return nil, app.Errorf(app.ENOTFOUND, "There is no such payment.")
		},
		ReceiptPDFFn: func(ctx context.Context, id string, reprint bool) ([]byte, error) {
			defer guard("ReceiptPDF", ctx, fmt.Sprintf("%s reprint=%v", id, reprint))()
			return fakePDF, nil
		},
		InvoicePDFFn: func(ctx context.Context, id string) ([]byte, error) {
			defer guard("InvoicePDF", ctx, id)()
			return fakePDF, nil
		},
	}
}

// delivered is a document handed to the person at the desk.
type delivered struct {
	name string
	body []byte
}

// openInvoices logs in as role, opens the Billing area and waits for the
// invoice list; documents the screens deliver are collected in the slice
// returned.
func (h *clinicHarness) openInvoices(role app.Role) (*invoicesView, *[]delivered) {
	h.t.Helper()
	h.loginAs(user(role))
	h.openArea(app.AreaBilling)
	v := h.u.main.billing.invoices
	var docs []delivered
	v.deliver = func(name string, body []byte) { docs = append(docs, delivered{name, body}) }
	h.waitFor("the invoice list", func() bool { return h.called("FindInvoices") >= 1 && !v.loading })
	return v, &docs
}

// newDraft starts a draft for grace from the list.
func (h *clinicHarness) newDraft(v *invoicesView) *invoiceScreen {
	h.t.Helper()
	test.Tap(v.newBtn)
	d := v.draft
	test.Type(d.picker.query, "grace")
	h.waitFor("grace found", func() bool { return d.picker.patientID() == "p-1" })
	test.Tap(d.create)
	h.waitFor("the draft", func() bool { return v.invoice != nil && v.invoice.inv != nil })
	return v.invoice
}

// addListedLine adds the consultation from the price list, twice, 10 % off.
func (h *clinicHarness) addListedLine(s *invoiceScreen) {
	h.t.Helper()
	test.Tap(s.addLine)
	lf := s.lineForm
	h.waitFor("the price list", func() bool { return len(lf.items) == 2 })
	lf.item.SetSelectedIndex(0)
	if lf.description.Text != "General consultation" || lf.unitPrice.Text != "50.00" || lf.taxRate.Text != "24" {
		h.t.Fatalf("item copied as %q, %q, %q%%", lf.description.Text, lf.unitPrice.Text, lf.taxRate.Text)
	}
	lf.quantity.SetText("2")
	test.Type(lf.discRate, "10")
	test.Tap(lf.save)
	h.waitFor("the line", func() bool { return len(s.inv.Lines) == 1 })
}

// issue issues the invoice shown through the confirmation.
func (h *clinicHarness) issue(s *invoiceScreen) {
	h.t.Helper()
	test.Tap(s.issue)
	if !h.shows("cannot be changed after") {
		h.t.Fatal("issuing asks for no confirmation that the invoice is then frozen")
	}
	test.Tap(s.confirm.ok)
	h.waitFor("the invoice issued", func() bool { return s.inv.Status == app.InvoiceIssued })
}

// pay takes a payment of amount for the invoice shown.
func (h *clinicHarness) pay(v *invoicesView, s *invoiceScreen, method, amount, tendered, reference string) *paymentForm {
	h.t.Helper()
	test.Tap(s.pay)
	f := v.pay
	h.waitFor("the unpaid invoices", func() bool { return len(f.rows) == 1 })
	f.method.SetSelected(method)
	f.rows[0].amount.SetText(amount)
	test.Type(f.tendered, tendered)
	test.Type(f.reference, reference)
	test.Tap(f.save)
	h.waitFor("the payment", func() bool { return f.payment != nil })
	return f
}

func TestBillingInvoiceFromPriceListIssuePayAndPrint(t *testing.T) {
	h, _ := newBillingHarness(t)
	v, docs := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)
	if !h.shows("Draft invoice") || !h.shows("Grace Hopper") {
		t.Fatalf("the draft is not shown: %q", h.texts())
	}
	h.addListedLine(s)
	add := h.callsOf("AddLine")[0].(app.LineInput)
	if add.PriceItemID != "pi-1" || add.Quantity != 2 || add.DiscountRate != 1000 || add.UnitPrice != 5000 {
		t.Errorf("AddLine(%+v)", add)
	}
	// 2 × 50.00 = 100.00, 10 % off 90.00, 24 % tax 21.60: 111.60.
	for _, want := range []string{"100.00 EUR", "-10.00 EUR", "90.00 EUR", "21.60 EUR", "111.60 EUR"} {
		if !h.shows(want) {
			t.Errorf("totals do not show %s: %q", want, h.texts())
		}
	}

	// A free-text line; then it is changed and removed again.
	test.Tap(s.addLine)
	lf := s.lineForm
	test.Type(lf.description, "Wound dressing")
	test.Type(lf.unitPrice, "7.5")
	test.Tap(lf.save)
	h.waitFor("the second line", func() bool { return len(s.inv.Lines) == 2 })
	second := s.inv.Lines[1]
	test.Tap(lineButton(s.lineL, second.ID, lineEdit))
	lf = s.lineForm
	if lf.unitPrice.Text != "7.50" {
		t.Errorf("the line form shows the price as %q", lf.unitPrice.Text)
	}
	lf.quantity.SetText("3")
	test.Tap(lf.save)
	h.waitFor("the line changed", func() bool { return s.inv.Lines[1].Quantity == 3 })
	test.Tap(lineButton(s.lineL, second.ID, lineRemove))
	h.waitFor("the line removed", func() bool { return len(s.inv.Lines) == 1 })

	h.issue(s)
	if !h.shows("INV-D1-2026-000001") || containsObject(s.actions.Objects, s.addLine) {
		t.Errorf("the issued invoice shows no number or can still be edited: %q", h.texts())
	}
	if lineButtons(s.lineL) != 0 {
		t.Error("an issued invoice's lines can still be edited")
	}

	// Pay part in cash, with change.
	f := h.pay(v, s, "Cash", "50.00", "60", "")
	p := h.callsOf("TakePayment")[0].(app.PaymentInput)
	if p.Method != app.PayCash || p.Amount != 5000 || p.Tendered != 6000 || len(p.Allocations) != 1 ||
		p.Allocations[0].Amount != 5000 {
		t.Errorf("TakePayment(%+v)", p)
	}
	if !h.shows("R-D1-2026-000001") || !h.shows("change to give 10.00 EUR") {
		t.Errorf("the result shows no receipt number or change: %q", h.texts())
	}
	test.Tap(f.printBtn)
	h.waitFor("the receipt", func() bool { return len(*docs) == 1 })
	if d := (*docs)[0]; d.name != "receipt-R-D1-2026-000001.pdf" || !bytes.HasPrefix(d.body, []byte("%PDF")) {
		t.Errorf("delivered %q (%q)", d.name, d.body)
	}
	if got := h.callsOf("ReceiptPDF")[0]; got != f.payment.ID+" reprint=false" {
		t.Errorf("ReceiptPDF(%v), want the original", got)
	}
	test.Tap(f.doneBtn)
	h.waitFor("partly paid", func() bool { return s.inv.Status == app.InvoicePartiallyPaid })
	if !h.shows("61.60 EUR") {
		t.Errorf("the balance 61.60 is not shown: %q", h.texts())
	}

	// Pay the rest by card.
	f = h.pay(v, s, "Card", "61.60", "", "slip 4411")
	test.Tap(f.doneBtn)
	h.waitFor("paid", func() bool { return s.inv.Status == app.InvoicePaid && len(s.payments) == 2 })
	if containsObject(s.actions.Objects, s.pay) {
		t.Error("a paid invoice still offers a payment")
	}

	// A reprint is a copy.
	first := s.payments[1]
	test.Tap(rowButton(s.payL, first.ID, "Reprint"))
	h.waitFor("the copy", func() bool { return len(*docs) == 2 })
	if got := h.callsOf("ReceiptPDF")[1]; got != first.ID+" reprint=true" || (*docs)[1].name != "receipt-R-D1-2026-000001-copy.pdf" {
		t.Errorf("reprint: ReceiptPDF(%v), delivered %q", got, (*docs)[1].name)
	}

	// The invoice as PDF.
	test.Tap(s.pdf)
	h.waitFor("the invoice PDF", func() bool { return len(*docs) == 3 })
	if (*docs)[2].name != "invoice-INV-D1-2026-000001.pdf" {
		t.Errorf("delivered %q", (*docs)[2].name)
	}

	// Back to the list, which shows the paid invoice.
	test.Tap(s.back)
	h.waitFor("the list", func() bool { return v.invoice == nil && len(v.invoices) == 1 && !v.loading })
	if v.invoices[0].Status != app.InvoicePaid || !h.shows("Paid") {
		t.Errorf("the list shows %+v", v.invoices[0])
	}
}

// containsObject reports whether o is one of objs.
func containsObject(objs []fyne.CanvasObject, o fyne.CanvasObject) bool {
	for _, x := range objs {
		if x == o {
			return true
		}
	}
	return false
}

func TestBillingBadInputShownNextToField(t *testing.T) {
	h, _ := newBillingHarness(t)
	v, _ := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)

	// A line with a price written with a decimal comma is refused.
	test.Tap(s.addLine)
	lf := s.lineForm
	test.Type(lf.description, "Dressing")
	test.Type(lf.unitPrice, "12,50")
	test.Tap(lf.save)
	if lf.errs.text("unit_price") == "" || h.called("AddLine") != 0 {
		t.Fatalf("bad price: message %q, %d calls", lf.errs.text("unit_price"), h.called("AddLine"))
	}
	lf.unitPrice.SetText("12.50")
	lf.quantity.SetText("0")
	test.Tap(lf.save)
	if lf.errs.text("quantity") == "" || h.called("AddLine") != 0 {
		t.Fatalf("zero quantity: message %q, %d calls", lf.errs.text("quantity"), h.called("AddLine"))
	}
	lf.quantity.SetText("1")
	test.Tap(lf.save)
	h.waitFor("the line", func() bool { return len(s.inv.Lines) == 1 })
	h.issue(s)

	// A payment with a bad amount, then one above the balance.
	test.Tap(s.pay)
	f := v.pay
	h.waitFor("the unpaid invoice", func() bool { return len(f.rows) == 1 })
	field := "amount/" + s.inv.ID
	f.rows[0].amount.SetText("-5")
	test.Tap(f.save)
	if f.errs.text(field) == "" || h.called("TakePayment") != 0 {
		t.Fatalf("negative amount: message %q, %d calls", f.errs.text(field), h.called("TakePayment"))
	}
	f.rows[0].amount.SetText("13.00")
	test.Tap(f.save)
	if !strings.Contains(f.errs.text(field), "overpayment") || h.called("TakePayment") != 0 {
		t.Fatalf("overpayment: message %q, %d calls", f.errs.text(field), h.called("TakePayment"))
	}
	// Cash handed over short of the amount.
	f.rows[0].amount.SetText("12.50")
	test.Type(f.tendered, "10")
	test.Tap(f.save)
	if f.errs.text("tendered") == "" || h.called("TakePayment") != 0 {
		t.Fatalf("short cash: message %q, %d calls", f.errs.text("tendered"), h.called("TakePayment"))
	}
	// A bank transfer needs its reference.
	f.method.SetSelected("Bank transfer")
	test.Tap(f.save)
	if f.errs.text("reference") == "" || h.called("TakePayment") != 0 {
		t.Fatalf("transfer without reference: message %q, %d calls", f.errs.text("reference"), h.called("TakePayment"))
	}
	if !f.tendered.Disabled() {
		t.Error("cash tendered can be typed for a bank transfer")
	}
}

func TestBillingVoidAndRefundWithReason(t *testing.T) {
	h, _ := newBillingHarness(t)
	v, _ := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)
	h.addListedLine(s)
	h.issue(s)

	// A refund needs a reason.
	f := h.pay(v, s, "Card", "20.00", "", "")
	test.Tap(f.doneBtn)
	h.waitFor("the payment listed", func() bool { return len(s.payments) == 1 })
	paid := s.payments[0]
	test.Tap(rowButton(s.payL, paid.ID, "Refund…"))
	test.Tap(s.prompt.ok)
	if s.prompt.errs.text("reason") == "" || h.called("RefundPayment") != 0 {
		t.Fatalf("refund without reason: message %q, %d calls", s.prompt.errs.text("reason"), h.called("RefundPayment"))
	}
	test.Type(s.prompt.entry, "Charged twice")
	test.Tap(s.prompt.ok)
	h.waitFor("the refund", func() bool { return len(s.payments) == 2 })
	if got := h.callsOf("RefundPayment")[0]; got != paid.ID+":Charged twice" {
		t.Errorf("RefundPayment(%v)", got)
	}
	if rowButton(s.payL, paid.ID, "Reprint") == nil || rowButton(s.payL, paid.ID, "Refund…") != nil {
		t.Error("a refunded payment can be refunded again")
	}

	// Then the invoice, now unpaid, is voided with a reason.
	h.waitFor("issued again", func() bool { return s.inv.Status == app.InvoiceIssued })
	test.Tap(s.voidBtn)
	if !h.shows("credit note") {
		t.Errorf("the void prompt does not say a credit note is made: %q", h.texts())
	}
	test.Tap(s.prompt.ok)
	if s.prompt.errs.text("reason") == "" || h.called("VoidInvoice") != 0 {
		t.Fatalf("void without reason: message %q, %d calls", s.prompt.errs.text("reason"), h.called("VoidInvoice"))
	}
	test.Type(s.prompt.entry, "Wrong patient")
	test.Tap(s.prompt.ok)
	h.waitFor("the void", func() bool { return s.inv.Status == app.InvoiceVoid })
	if got := h.callsOf("VoidInvoice")[0]; got != s.inv.ID+":Wrong patient" {
		t.Errorf("VoidInvoice(%v)", got)
	}
	if !h.shows("CN-D1-2026-000001") || !h.shows("Wrong patient") || containsObject(s.actions.Objects, s.voidBtn) {
		t.Errorf("the void invoice shows %q", h.texts())
	}
}

func TestBillingReceptionTakesPaymentsButCannotVoid(t *testing.T) {
	h, fb := newBillingHarness(t)
	// An invoice issued by billing, to pay at reception.
	fb.invoices = []*app.Invoice{{ID: "inv-issued", Number: "INV-D1-2026-000009", PatientID: "p-1", PatientName: "Grace Hopper",
		PatientMRN: "P-D1-000001", Status: app.InvoiceIssued, Currency: "EUR", IssuedAt: h.clock(),
		Lines: []*app.InvoiceLine{{ID: "l-1", Code: "CONS-GP", Description: "General consultation", Quantity: 1,
			UnitPrice: 5000, TaxRate: 2400, LineAmounts: app.LineAmounts{Gross: 5000, Net: 5000, Tax: 1200, Total: 6200}}}}}
	v, docs := h.openInvoices(app.RoleReception)
	if v.newBtn != nil || v.visitBtn != nil || v.payBtn == nil {
		t.Fatal("reception is offered to draft invoices or not to take payments")
	}
	h.waitFor("the invoice listed", func() bool { return len(v.invoices) == 1 })
	v.list.Select(0)
	s := v.invoice
	h.waitFor("the invoice", func() bool { return s.inv != nil })
	if containsObject(s.actions.Objects, s.voidBtn) || !containsObject(s.actions.Objects, s.pay) {
		t.Fatalf("reception's actions: void shown or payment missing")
	}

	// From the list's own button, for a patient found by name.
	test.Tap(s.back)
	h.waitFor("the list", func() bool { return v.invoice == nil })
	test.Tap(v.payBtn)
	f := v.pay
	test.Type(f.picker.query, "grace")
	h.waitFor("grace's unpaid invoice", func() bool { return len(f.rows) == 1 && f.rows[0].check.Checked })
	if f.rows[0].amount.Text != "62.00" || !h.shows("62.00 EUR") {
		t.Errorf("the whole balance is not proposed: %q", f.rows[0].amount.Text)
	}
	test.Type(f.tendered, "100")
	if f.change.Text != "Change to give: 38.00 EUR" {
		t.Errorf("change shown as %q", f.change.Text)
	}
	test.Tap(f.save)
	h.waitFor("the payment", func() bool { return f.payment != nil })
	test.Tap(f.printBtn)
	h.waitFor("the receipt", func() bool { return len(*docs) == 1 })

	// Reception sees the payment but cannot refund it.
	v.list.Select(0)
	s = v.invoice
	h.waitFor("the paid invoice", func() bool { return s.inv != nil && len(s.payments) == 1 })
	if id := s.payments[0].ID; rowButton(s.payL, id, "Reprint") == nil || rowButton(s.payL, id, "Refund…") != nil {
		t.Error("reception can refund, or cannot reprint")
	}
}

// TestBillingUnbilledVisits: the completed visits of a period, every
// doctor's, are listed; several chosen are issued in one batch, and the
// visit refused is listed with the reason; one visit billed as a draft
// opens its invoice.
func TestBillingUnbilledVisits(t *testing.T) {
	h, fb := newBillingHarness(t)
	m := h.u.svc.Billing.(*mock.BillingService)
	at := func(day, hour int) time.Time { return time.Date(2026, 2, day, hour, 0, 0, 0, time.UTC) }
	visits := []*app.UnbilledVisit{
		{AppointmentID: "a-1", PatientName: "Grace Hopper", PatientMRN: "P-D1-000001", DoctorName: "Dr Who", Start: at(3, 7)},
		{AppointmentID: "a-2", PatientName: "Ada Lovelace", DoctorName: "Dr House", Start: at(17, 9), DraftID: "inv-d"},
		{AppointmentID: "a-3", PatientName: "Alan Turing", DoctorName: "Dr Who", Start: at(28, 10)},
	}
	m.UnbilledVisitsFn = func(ctx context.Context, from, to string) ([]*app.UnbilledVisit, error) {
		h.record("UnbilledVisits", ctx, from+" "+to)
		if from > to {
			return nil, app.FieldErrorf("to", "The last day is before the first.")
		}
		return visits, nil
	}
	// The batches asked for, read through the harness's lock (BillVisits
	// runs in the background).
	batches := func() []any { return h.callsOf("BillVisits") }
	m.BillVisitsFn = func(ctx context.Context, ids []string, issue bool) (*app.VisitBilling, error) {
		h.record("BillVisits", ctx, fmt.Sprint(ids, issue))
		if len(ids) == 1 {
			inv := fb.copyOf(fb.invoices[0])
			return &app.VisitBilling{Invoices: []*app.Invoice{inv}}, nil
		}
		return &app.VisitBilling{Invoices: []*app.Invoice{{ID: "inv-1", Number: "INV-D1-2026-000007"}},
			Failures: []app.VisitBillFailure{{AppointmentID: "a-3", PatientName: "Alan Turing",
				Message: "The visit is billed already: invoice INV-D1-2026-000003."}}}, nil
	}
	fb.invoices = []*app.Invoice{{ID: "inv-d", PatientID: "p-1", PatientName: "Ada Lovelace", AppointmentID: "a-2",
		Status: app.InvoiceDraft, Currency: "EUR"}}
	v, _ := h.openInvoices(app.RoleBilling)
	test.Tap(v.visitBtn)
	d := v.visits
	h.waitFor("the visits", func() bool { return len(d.rows) == 3 })
	if got := h.callsOf("UnbilledVisits")[0]; got != "2026-03-01 2026-03-02" {
		t.Errorf("UnbilledVisits(%v), want this month in Athens", got)
	}
	if !h.shows("3 completed visits not billed yet") || !h.shows("Dr House") || !h.shows("draft") || !d.issue.Disabled() {
		t.Fatalf("window: %q", h.texts())
	}
	// A period backwards is refused next to its field.
	d.from.SetText("2026-02-28")
	d.to.SetText("2026-02-01")
	test.Tap(d.show)
	h.waitFor("the refusal", func() bool { return d.errs.text("to") != "" })
	d.to.SetText("2026-02-28")
	d.from.SetText("2026-02-01")
	test.Tap(d.show)
	h.waitFor("February", func() bool {
		return slices.Contains(h.callsOf("UnbilledVisits"), any("2026-02-01 2026-02-28")) && len(d.rows) == 3
	})

	d.list.Select(0)
	d.list.Select(2)
	if got := d.picked(); !slices.Equal(got, []string{"a-1", "a-3"}) || d.issue.Disabled() {
		t.Fatalf("picked %v", got)
	}
	test.Tap(d.issue)
	h.waitFor("the batch", func() bool { return len(batches()) == 1 })
	h.waitFor("the result", func() bool { return strings.Contains(d.result.Text, "1 invoice issued.") })
	if batches()[0] != "[a-1 a-3] true" || !strings.Contains(d.result.Text, "Not billed: Alan Turing — The visit is billed already") {
		t.Errorf("batch %v, result %q", batches(), d.result.Text)
	}

	// All, then one visit as a draft: its invoice opens.
	h.waitFor("the reload", func() bool { return len(d.picked()) == 0 })
	d.all.SetChecked(true)
	if len(d.picked()) != 3 {
		t.Errorf("all picks %v", d.picked())
	}
	d.all.SetChecked(false)
	d.list.Select(1)
	test.Tap(d.drafts)
	h.waitFor("the visit's draft", func() bool { return v.invoice != nil && v.invoice.inv != nil })
	if got := batches(); len(got) != 2 || got[1] != "[a-2] false" {
		t.Errorf("batches %v", got)
	}
}

func TestBillingBillFromReceptionBoard(t *testing.T) {
	h, _ := newBillingHarness(t)
	h.appts.ReceptionBoardFn = func(ctx context.Context, day string) (*app.Board, error) {
		return &app.Board{Day: "2026-03-02", Entries: []*app.BoardEntry{{Appointment: &app.Appointment{ID: "a-7",
			PatientID: "p-1", PatientName: "Grace Hopper", DoctorName: "Dr Who", Status: app.AppointmentCompleted}}}}, nil
	}
	h.loginAs(user(app.RoleBilling))
	h.openArea(app.AreaAppointments)
	b := h.u.main.appts.board
	h.waitFor("the board", func() bool { return b.board != nil })
	bill := rowButton(b.list, "a-7", "Bill…")
	if bill == nil {
		t.Fatal("a completed visit has no Bill button for billing")
	}
	test.Tap(bill)
	h.waitFor("the draft in Billing", func() bool {
		return h.u.main.billing != nil && h.u.main.billing.invoices.invoice != nil &&
			h.u.main.billing.invoices.invoice.inv != nil
	})
	if h.u.main.current != app.AreaBilling || h.callsOf("DraftForAppointment")[0] != "a-7" {
		t.Errorf("area %s, calls %v", h.u.main.current, h.callsOf("DraftForAppointment"))
	}
}

func TestBillingListPagesAndFilters(t *testing.T) {
	h, fb := newBillingHarness(t)
	for i := range 60 {
		fb.invoices = append(fb.invoices, &app.Invoice{ID: fmt.Sprintf("inv-%02d", i), PatientID: "p-1",
			Number: fmt.Sprintf("INV-D1-2026-%06d", i+1), Status: app.InvoiceIssued, Currency: "EUR"})
	}
	v, _ := h.openInvoices(app.RoleBilling)
	h.waitFor("the first page", func() bool { return len(v.invoices) == invoicePageSize })
	if v.invoices[0].ID != "inv-59" || !v.more {
		t.Fatalf("first page starts at %s, more %v", v.invoices[0].ID, v.more)
	}
	v.list.ScrollToBottom()
	h.waitFor("the next page", func() bool { return len(v.invoices) == 60 && !v.loading })
	if q := h.callsOf("FindInvoices"); q[len(q)-1].(app.InvoiceFilter).Before != "inv-10" {
		t.Errorf("next page asked with %+v", q[len(q)-1])
	}

	v.status.SetSelected("Paid")
	h.waitFor("no paid invoices", func() bool { return len(v.invoices) == 0 && !v.loading })
	if q := h.callsOf("FindInvoices"); q[len(q)-1].(app.InvoiceFilter).Status != app.InvoicePaid || !v.hint.Visible() {
		t.Errorf("status filter sent as %+v", q[len(q)-1])
	}
	v.status.SetSelected(statusAny)
	test.Type(v.patient.query, "grace")
	h.waitFor("grace's invoices", func() bool {
		for _, q := range h.callsOf("FindInvoices") {
			if q.(app.InvoiceFilter).PatientID == "p-1" {
				return !v.loading
			}
		}
		return false
	})
}

// TestBillingInvoiceDiscount: a draft's invoice discount is typed as a
// percentage or an amount next to the totals, which then show it; a bad
// one is explained next to the field and nothing is sent; an issued
// invoice shows its discount but offers no field.
func TestBillingInvoiceDiscount(t *testing.T) {
	h, _ := newBillingHarness(t)
	v, _ := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)
	h.addListedLine(s) // 2 × 50.00 less 10 %: 90.00 at 24 %
	if !s.discBox.Visible() {
		t.Fatal("a draft offers no invoice discount")
	}

	// Both a percentage and an amount: refused here.
	test.Type(s.discRate, "5")
	test.Type(s.discAmount, "3")
	test.Tap(s.applyDisc)
	if s.discErrs.text("invoice_discount") == "" || h.called("SetInvoiceDiscount") != 0 {
		t.Fatalf("both given: message %q, %d calls", s.discErrs.text("invoice_discount"), h.called("SetInvoiceDiscount"))
	}
	// More than the lines come to.
	s.discRate.SetText("")
	s.discAmount.SetText("90.01")
	test.Tap(s.applyDisc)
	if !strings.Contains(s.discErrs.text("invoice_discount"), "larger") || h.called("SetInvoiceDiscount") != 0 {
		t.Fatalf("too large: message %q", s.discErrs.text("invoice_discount"))
	}
	s.discAmount.SetText("abc")
	test.Tap(s.applyDisc)
	if s.discErrs.text("invoice_discount") == "" || h.called("SetInvoiceDiscount") != 0 {
		t.Fatalf("not an amount: message %q", s.discErrs.text("invoice_discount"))
	}

	// 10 % of 90.00 = 9.00 off; 24 % of 81.00 = 19.44; 100.44 in all.
	s.discAmount.SetText("")
	test.Type(s.discRate, "10")
	test.Tap(s.applyDisc)
	h.waitFor("the discount", func() bool { return s.inv.Totals.InvoiceDiscount != 0 })
	if got := h.callsOf("SetInvoiceDiscount"); len(got) != 1 || got[0] != "1000 0" {
		t.Fatalf("SetInvoiceDiscount(%v)", got)
	}
	for _, want := range []string{"Invoice discount 10%", "-9.00 EUR", "81.00 EUR", "19.44 EUR", "100.44 EUR"} {
		if !h.shows(want) {
			t.Errorf("totals do not show %s: %q", want, h.texts())
		}
	}
	if s.discRate.Text != "10" || s.discAmount.Text != "" || s.discErrs.text("invoice_discount") != "" {
		t.Errorf("the field shows %q / %q, message %q", s.discRate.Text, s.discAmount.Text, s.discErrs.text("invoice_discount"))
	}

	// As an amount instead: 5.00 off, 24 % of 85.00 = 20.40.
	s.discRate.SetText("")
	test.Type(s.discAmount, "5")
	test.Tap(s.applyDisc)
	h.waitFor("the amount", func() bool { return s.inv.DiscountAmount == 500 })
	if !h.shows("-5.00 EUR") || !h.shows("105.40 EUR") || h.shows("Invoice discount 10%") {
		t.Errorf("totals after the amount: %q", h.texts())
	}

	h.issue(s)
	if s.discBox.Visible() || !h.shows("Invoice discount") || !h.shows("105.40 EUR") {
		t.Errorf("issued: field visible %v, %q", s.discBox.Visible(), h.texts())
	}
}

// TestBillingPriceListNoMatch: a search that matches nothing says so and
// leaves "Choose an item" closed; tapping it opens no empty, invisible
// pop-up that would swallow the next clicks.
func TestBillingPriceListNoMatch(t *testing.T) {
	h, _ := newBillingHarness(t)
	v, _ := h.openInvoices(app.RoleBilling)
	s := h.newDraft(v)
	test.Tap(s.addLine)
	lf := s.lineForm
	h.waitFor("the price list", func() bool { return len(lf.items) == 2 })
	lf.search.SetText("zzz-nothing")
	lf.searchItems()
	h.waitFor("the empty result", func() bool { return len(lf.items) == 0 })
	overlays := len(h.u.win.Canvas().Overlays().List())
	test.Tap(lf.item)
	if got := len(h.u.win.Canvas().Overlays().List()); got != overlays {
		t.Fatalf("tapping the empty item list opened a pop-up (%d overlays, was %d)", got, overlays)
	}
	if !lf.item.Disabled() || !strings.Contains(lf.item.PlaceHolder, "No item matches") {
		t.Errorf("the item list reads %q, disabled %v", lf.item.PlaceHolder, lf.item.Disabled())
	}
	// A search that matches again makes the list usable.
	lf.search.SetText("consult")
	lf.searchItems()
	h.waitFor("the match", func() bool { return len(lf.items) == 1 })
	if lf.item.Disabled() || lf.item.Selected == "" {
		t.Errorf("the matching item is not chosen: %q, disabled %v", lf.item.Selected, lf.item.Disabled())
	}
}
