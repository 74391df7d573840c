package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// myBillsTab is a patient's own bills, a tab of My record: their statement
// (invoices, receipts, balance), each invoice and receipt saved as a PDF on
// request. A receipt saved here is the patient's copy, marked COPY.
type myBillsTab struct {
	*statementView

	// The "Save as PDF" buttons of the invoices and receipts shown, by ID.
	invoicePDF map[string]*widget.Button
	receiptPDF map[string]*widget.Button
	// prices is the clinic's price list in force, one label per item.
	prices *fyne.Container
}

var _ chartTab = (*myBillsTab)(nil)

func newMyBillsTab(u *UI) *myBillsTab {
	t := &myBillsTab{invoicePDF: map[string]*widget.Button{}, receiptPDF: map[string]*widget.Button{}}
	t.statementView = newStatementView(u, u.session.Caller().PatientID)
	t.print.SetText("Save statement as PDF")
	t.invoiceAction = t.invoiceButton
	t.paymentAction = t.receiptButton
	t.prices = container.NewVBox(mutedLabel("Loading…"))
	t.more.Add(widget.NewSeparator())
	t.more.Add(sectionTitle("Price list"))
	t.more.Add(t.prices)
	return t
}

// load reads the patient's statement, when the account has a record.
func (t *myBillsTab) load() {
	if t.patientID == "" {
		t.message.SetText("No patient record is linked to this account. Please ask at the reception desk.")
		return
	}
	t.statementView.load()
	t.loadPrices()
}

// loadPrices shows what the clinic charges: the items in force, by code.
func (t *myBillsTab) loadPrices() {
	callThen(t.u, func(ctx context.Context) ([]*app.PriceItem, error) {
		return t.u.svc.Billing.FindPriceItems(ctx, app.PriceFilter{})
	}, func(items []*app.PriceItem) {
		t.prices.RemoveAll()
		if len(items) == 0 {
			t.prices.Add(mutedLabel("The clinic has no price list yet."))
		}
		for _, p := range items {
			line := p.Name + " (" + p.Code + "): " + formatMoney(t.u, p.Price)
			if p.TaxRate > 0 {
				line += " + " + app.FormatRate(p.TaxRate) + " tax"
			}
			t.prices.Add(widget.NewLabel(line))
		}
	})
}

func (t *myBillsTab) invoiceButton(inv *app.Invoice) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("Save as PDF", theme.DownloadIcon(), func() {
		t.u.printDocument(b, "invoice-"+inv.Number+".pdf", func(ctx context.Context) ([]byte, error) {
			return t.u.svc.Billing.InvoicePDF(ctx, inv.ID)
		})
	})
	t.invoicePDF[inv.ID] = b
	return b
}

func (t *myBillsTab) receiptButton(p *app.Payment) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("Save as PDF", theme.DownloadIcon(), func() {
		t.u.printDocument(b, "receipt-"+p.ReceiptNumber+"-copy.pdf", func(ctx context.Context) ([]byte, error) {
			return t.u.svc.Billing.ReceiptPDF(ctx, p.ID, true)
		})
	})
	t.receiptPDF[p.ID] = b
	return b
}
