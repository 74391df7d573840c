package data

import (
	"fmt"
	"strings"

	"hms/app"
)

// SetPaymentFault sets (nil clears) a function TakePayment calls inside its
// transaction right after taking the receipt number, so tests can make a
// payment fail there and roll back.
func SetPaymentFault(f func() error) { paymentFault = f }

// SetOutstandingPDFLimit sets how many invoices OutstandingPDF lists and
// returns a function that restores the limit.
func SetOutstandingPDFLimit(n int) (restore func()) {
	old := outstandingPDFLimit
	outstandingPDFLimit = n
	return func() { outstandingPDFLimit = old }
}

// BillingPlanQueries are the billing service's hot list queries, as its
// methods run them, for query-plan tests.
func BillingPlanQueries() map[string]string {
	return map[string]string{
		"outstanding":      `SELECT ` + invoiceColumns + outstandingFrom + ` WHERE i.status IN ('issued', 'partially_paid') ORDER BY i.issued_at, i.id LIMIT 100`,
		"outstanding page": `SELECT ` + invoiceColumns + outstandingFrom + ` WHERE i.status IN ('issued', 'partially_paid') AND (i.issued_at, i.id) > (SELECT issued_at, id FROM invoices WHERE id = 'x') ORDER BY i.issued_at, i.id LIMIT 100`,
		"patient invoices": `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE i.patient_id = 'x' ORDER BY ` + invoiceDated + ` DESC, i.id DESC LIMIT 50`,
		"invoices":         `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE 1 ORDER BY ` + invoiceDated + ` DESC, i.id DESC LIMIT 50`,
		"invoices page": `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE 1` + strings.ReplaceAll(invoicesBefore, "?", "'x'") +
			` ORDER BY ` + invoiceDated + ` DESC, i.id DESC LIMIT 50`,
		"invoices by status": `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE i.status = 'paid' ORDER BY i.status DESC, i.issued_at DESC, i.id DESC LIMIT 50`,
		"cash-up":            `SELECT ` + paymentColumns + ` FROM payments p WHERE p.cashier_id = 'x' AND p.taken_at >= 'a' AND p.taken_at < 'b' ORDER BY p.taken_at, p.id`,
		"statement payments": `SELECT ` + paymentColumns + ` FROM payments p WHERE p.patient_id = 'x' ORDER BY p.taken_at DESC, p.id DESC`,
		"outstanding totals": withBounds(outstandingTotalsSQL(len(app.AgeBands)-1), len(app.AgeBands)-1),
	}
}

// withBounds puts a literal time for each numbered parameter ?1..?n of q,
// as the plan queries run without arguments.
func withBounds(q string, n int) string {
	for i := n; i >= 1; i-- { // ?10 before ?1
		q = strings.ReplaceAll(q, fmt.Sprintf("?%d", i), "'2026-01-01T00:00:00.000Z'")
	}
	return q
}
