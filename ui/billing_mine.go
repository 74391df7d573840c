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

	// prices is the clinic's price list in force, one line per item.
	prices     []*app.PriceItem
	priceL     *widget.List
	priceEmpty *widget.Label
}

var _ chartTab = (*myBillsTab)(nil)

func newMyBillsTab(u *UI) *myBillsTab {
	t := &myBillsTab{}
	t.statementView = newStatementView(u, u.session.Caller().PatientID)
	t.print.SetText(T("Save statement as PDF"))
	t.actionText, t.actionIcon = T("Save as PDF"), theme.DownloadIcon()
	t.invoiceAction = t.saveInvoice
	t.paymentAction = t.saveReceipt
	t.priceL = widget.NewList(func() int { return len(t.prices) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= 0 && id < len(t.prices) {
				o.(*widget.Label).SetText(priceLine(t.u, t.prices[id]))
			}
		})
	t.priceEmpty = mutedLabel(T("Loading…"))
	t.addSection(T("Price list"), container.NewStack(t.priceL, container.NewVBox(t.priceEmpty)))
	return t
}

// load reads the patient's statement, when the account has a record.
func (t *myBillsTab) load() {
	if t.patientID == "" {
		t.message.SetText(T("No patient record is linked to this account. Please ask at the reception desk."))
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
		t.prices = items
		t.priceEmpty.SetText(T("The clinic has no price list yet."))
		t.priceEmpty.Hidden = len(items) > 0
		t.priceEmpty.Refresh()
		t.priceL.Refresh()
	})
}

// priceLine is an item of the price list as a patient reads it.
func priceLine(u *UI, p *app.PriceItem) string {
	line := p.Name + " (" + p.Code + "): " + formatMoney(u, p.Price)
	if p.TaxRate > 0 {
		line += Tf(" + %s tax", app.FormatRate(p.TaxRate))
	}
	return line
}

func (t *myBillsTab) saveInvoice(b *widget.Button, inv *app.Invoice) {
	t.u.printDocument(b, "invoice-"+inv.Number+".pdf", func(ctx context.Context) ([]byte, error) {
		return t.u.svc.Billing.InvoicePDF(ctx, inv.ID)
	})
}

func (t *myBillsTab) saveReceipt(b *widget.Button, p *app.Payment) {
	t.u.printDocument(b, "receipt-"+p.ReceiptNumber+"-copy.pdf", func(ctx context.Context) ([]byte, error) {
		return t.u.svc.Billing.ReceiptPDF(ctx, p.ID, true)
	})
}
