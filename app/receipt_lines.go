package app

import (
	"strings"
	"time"
)

// ReceiptLines is what a receipt says, every text formatted once (money in
// the payment's currency, the date in the clinic's time zone, the labels of
// a payment or a refund), in the order it prints. The A4 receipt, the
// thermal roll receipts and the ESC/POS receipt all print it, each in its
// own layout, so they cannot drift apart: a field added here is on all of
// them.
type ReceiptLines struct {
	Copy bool // a reprint: "COPY" heads it

	ClinicName string
	// ClinicDetails are the clinic's address, phone and tax id line, those
	// set.
	ClinicDetails []string

	Title  string // "Receipt" or "Refund receipt"
	Number string // the receipt number
	Date   string // "Date Mon 2006-01-02 15:04", in the clinic's time zone

	Patient string // the patient's name
	Record  string // "Record no. P-…"

	// The column titles of each invoice's amounts.
	TotalLabel, PaidLabel, BalanceLabel string
	Invoices                            []ReceiptInvoiceLines

	// Amounts: the amount paid or refunded first (Emphasis), then the
	// method, cash tendered and change, reference.
	Amounts []ReceiptPair

	// Notes close the receipt: a refund's reason, then who received the
	// payment.
	Notes []string
}

// ReceiptInvoiceLines is one invoice a receipt pays.
type ReceiptInvoiceLines struct {
	Number                  string
	Total, Paid, Balance    string
	Discount                *ReceiptPair // the invoice discount in Total, when there is one
	DiscountLabelForInvoice string       // the discount's label naming the invoice: "Invoice discount 10% in INV-…"
}

// ReceiptPair is a label and its value.
type ReceiptPair struct {
	Label, Value string
	Emphasis     bool
}

// Lines returns the receipt's lines; with copy, as a reprint.
func (r *Receipt) Lines(copy bool) ReceiptLines {
	p := &r.Payment
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		loc = time.UTC
	}
	money := func(m Money) string { return Format(m, p.Currency) }
	refund := p.IsReversal()
	l := ReceiptLines{
		Copy:         copy,
		ClinicName:   r.Clinic.ClinicName,
		Title:        "Receipt",
		Number:       p.ReceiptNumber,
		Date:         "Date " + p.TakenAt.In(loc).Format("Mon 2006-01-02 15:04"),
		Patient:      p.PatientName,
		Record:       "Record no. " + p.PatientMRN,
		TotalLabel:   "Invoice total",
		PaidLabel:    "Paid now",
		BalanceLabel: "Balance after",
	}
	if refund {
		l.Title, l.PaidLabel = "Refund receipt", "Refunded"
	}
	for _, s := range []string{r.Clinic.Address, r.Clinic.Phone} {
		if s != "" {
			l.ClinicDetails = append(l.ClinicDetails, s)
		}
	}
	if r.Clinic.TaxID != "" {
		l.ClinicDetails = append(l.ClinicDetails, "Tax id "+r.Clinic.TaxID)
	}
	for _, inv := range r.Invoices {
		il := ReceiptInvoiceLines{Number: inv.Number, Total: money(inv.Total), Paid: money(inv.Paid), Balance: money(inv.BalanceAfter)}
		if inv.Discount != 0 {
			label := "Invoice discount"
			if inv.DiscountRate > 0 {
				label += " " + FormatRate(inv.DiscountRate)
			}
			il.Discount = &ReceiptPair{Label: label, Value: "-" + money(inv.Discount)}
			il.DiscountLabelForInvoice = label + " in " + inv.Number
		}
		l.Invoices = append(l.Invoices, il)
	}
	amount := "Amount paid"
	if refund {
		amount = "Amount refunded"
	}
	l.Amounts = append(l.Amounts, ReceiptPair{Label: amount, Value: money(p.Amount), Emphasis: true},
		ReceiptPair{Label: "Method", Value: PaymentMethodLabel(p.Method)})
	if p.Method == PayCash && !refund {
		l.Amounts = append(l.Amounts, ReceiptPair{Label: "Cash tendered", Value: money(p.Tendered)},
			ReceiptPair{Label: "Change", Value: money(p.Change)})
	}
	if p.Reference != "" {
		l.Amounts = append(l.Amounts, ReceiptPair{Label: "Reference", Value: p.Reference})
	}
	if refund {
		l.Notes = append(l.Notes, "Refund of payment "+r.ReversalOf+". Reason: "+p.Reason)
	}
	l.Notes = append(l.Notes, "Received by "+p.CashierName+". Thank you.")
	return l
}

// Texts is every text of the lines (DiscountLabelForInvoice is made of
// two of them), for choosing a font that covers them.
func (l *ReceiptLines) Texts() []string {
	t := append([]string{l.ClinicName, l.Title, l.Number, l.Date, l.Patient, l.Record,
		l.TotalLabel, l.PaidLabel, l.BalanceLabel}, l.ClinicDetails...)
	for _, inv := range l.Invoices {
		t = append(t, inv.Number, inv.Total, inv.Paid, inv.Balance)
		if inv.Discount != nil {
			t = append(t, inv.Discount.Label, inv.Discount.Value)
		}
	}
	for _, a := range l.Amounts {
		t = append(t, a.Label, a.Value)
	}
	return append(t, l.Notes...)
}

// PaymentMethodLabel is a payment method as printed: "Bank transfer".
func PaymentMethodLabel(m PaymentMethod) string {
	s := strings.ReplaceAll(string(m), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
