package app

import (
	"strings"
	"time"

	"hms/app/i18n"
)

// ReceiptLines is what a receipt says, every text formatted once (money in
// the payment's currency, the date in the clinic's time zone, the labels of
// a payment or a refund), in the order it prints. The A4 receipt, the
// thermal roll receipts and the ESC/POS receipt all print it, each in its
// own layout, so they cannot drift apart: a field added here is on all of
// them.
type ReceiptLines struct {
	Copy     bool   // a reprint: "COPY" heads it
	CopyWord string // "COPY" in the receipt's language

	ClinicName string
	// ClinicDetails are the clinic's address, phone and tax id line, those
	// set.
	ClinicDetails []string

	Title  string // "Receipt" or "Refund receipt"
	Number string // the receipt number
	Date   string // "Date Mon 2006-01-02 15:04", in the clinic's time zone

	Patient string // the patient's name
	Record  string // "Record no. P-…"

	// The column titles of each invoice's number and amounts.
	InvoiceLabel, TotalLabel, PaidLabel, BalanceLabel string
	Invoices                                          []ReceiptInvoiceLines

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

// Lines returns the receipt's lines, in the language it is printed in
// (r.Language); with copy, as a reprint.
func (r *Receipt) Lines(copy bool) ReceiptLines {
	lang, err := i18n.Parse(r.Language)
	if err != nil {
		lang = i18n.English
	}
	tr := i18n.For(lang)
	p := &r.Payment
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil || r.TimeZone == "" {
		loc = time.UTC
	}
	money := func(m Money) string { return tr.Money(int64(m), CurrencyDigits(p.Currency), p.Currency) }
	refund := p.IsReversal()
	l := ReceiptLines{
		Copy:         copy,
		CopyWord:     tr.T("COPY"),
		ClinicName:   r.Clinic.ClinicName,
		Title:        tr.T("Receipt"),
		Number:       p.ReceiptNumber,
		Date:         tr.F("Date %s", tr.DayTime(p.TakenAt.In(loc))),
		Patient:      p.PatientName,
		Record:       tr.F("Record no. %s", p.PatientMRN),
		InvoiceLabel: tr.T("Invoice"),
		TotalLabel:   tr.T("Invoice total"),
		PaidLabel:    tr.T("Paid now"),
		BalanceLabel: tr.T("Balance after"),
	}
	if refund {
		l.Title, l.PaidLabel = tr.T("Refund receipt"), tr.T("Refunded")
	}
	for _, s := range []string{r.Clinic.Address, r.Clinic.Phone} {
		if s != "" {
			l.ClinicDetails = append(l.ClinicDetails, s)
		}
	}
	if r.Clinic.TaxID != "" {
		l.ClinicDetails = append(l.ClinicDetails, tr.F("Tax id %s", r.Clinic.TaxID))
	}
	for _, inv := range r.Invoices {
		il := ReceiptInvoiceLines{Number: inv.Number, Total: money(inv.Total), Paid: money(inv.Paid), Balance: money(inv.BalanceAfter)}
		if inv.Discount != 0 {
			label := tr.T("Invoice discount")
			if inv.DiscountRate > 0 {
				label = tr.F("Invoice discount %s", FormatRate(inv.DiscountRate))
			}
			il.Discount = &ReceiptPair{Label: label, Value: "-" + money(inv.Discount)}
			il.DiscountLabelForInvoice = tr.F("%[1]s in %[2]s", label, inv.Number)
		}
		l.Invoices = append(l.Invoices, il)
	}
	amount := tr.T("Amount paid")
	if refund {
		amount = tr.T("Amount refunded")
	}
	l.Amounts = append(l.Amounts, ReceiptPair{Label: amount, Value: money(p.Amount), Emphasis: true},
		ReceiptPair{Label: tr.T("Method"), Value: tr.T(PaymentMethodLabel(p.Method))})
	if p.Method == PayCash && !refund {
		l.Amounts = append(l.Amounts, ReceiptPair{Label: tr.T("Cash tendered"), Value: money(p.Tendered)},
			ReceiptPair{Label: tr.T("Change"), Value: money(p.Change)})
	}
	if p.Reference != "" {
		l.Amounts = append(l.Amounts, ReceiptPair{Label: tr.T("Reference"), Value: p.Reference})
	}
	if refund {
		l.Notes = append(l.Notes, tr.F("Refund of payment %[1]s. Reason: %[2]s", r.ReversalOf, p.Reason))
	}
	l.Notes = append(l.Notes, tr.F("Received by %s. Thank you.", p.CashierName))
	return l
}

// Texts is every text the lines print (DiscountLabelForInvoice is made
// of two of them; CopyWord on a copy only), for choosing a font that
// covers them.
func (l *ReceiptLines) Texts() []string {
	t := append([]string{l.ClinicName, l.Title, l.Number, l.Date, l.Patient, l.Record,
		l.InvoiceLabel, l.TotalLabel, l.PaidLabel, l.BalanceLabel}, l.ClinicDetails...)
	for _, inv := range l.Invoices {
		t = append(t, inv.Number, inv.Total, inv.Paid, inv.Balance)
		if inv.Discount != nil {
			t = append(t, inv.Discount.Label, inv.Discount.Value)
		}
	}
	for _, a := range l.Amounts {
		t = append(t, a.Label, a.Value)
	}
	if l.Copy {
		t = append(t, l.CopyWord)
	}
	return append(t, l.Notes...)
}

// paymentMethodLabels are PaymentMethodLabel's words, marked for the
// catalogues: a receipt prints its method through its language's.
var _ = []string{i18n.N("Cash"), i18n.N("Card"), i18n.N("Bank transfer"), i18n.N("Insurance"), i18n.N("Other")}

// PaymentMethodLabel is a payment method as printed: "Bank transfer".
func PaymentMethodLabel(m PaymentMethod) string {
	s := strings.ReplaceAll(string(m), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
