package data

// SetPaymentFault sets (nil clears) a function TakePayment calls inside its
// transaction right after taking the receipt number, so tests can make a
// payment fail there and roll back.
func SetPaymentFault(f func() error) { paymentFault = f }

// BillingPlanQueries are the billing service's hot list queries, as its
// methods run them, for query-plan tests.
func BillingPlanQueries() map[string]string {
	return map[string]string{
		"outstanding":        `SELECT ` + invoiceColumns + outstandingFrom + ` WHERE i.status IN ('issued', 'partially_paid') ORDER BY i.issued_at, i.id LIMIT 100`,
		"outstanding page":   `SELECT ` + invoiceColumns + outstandingFrom + ` WHERE i.status IN ('issued', 'partially_paid') AND (i.issued_at, i.id) > (SELECT issued_at, id FROM invoices WHERE id = 'x') ORDER BY i.issued_at, i.id LIMIT 100`,
		"patient invoices":   `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE i.patient_id = 'x' ORDER BY i.created_at DESC, i.id DESC LIMIT 50`,
		"invoices":           `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE 1 ORDER BY i.created_at DESC, i.id DESC LIMIT 50`,
		"invoices by status": `SELECT ` + invoiceColumns + invoiceFrom + ` WHERE i.status = 'paid' ORDER BY i.status DESC, i.issued_at DESC, i.id DESC LIMIT 50`,
		"cash-up":            `SELECT ` + paymentColumns + ` FROM payments p WHERE p.cashier_id = 'x' AND p.taken_at >= 'a' AND p.taken_at < 'b' ORDER BY p.taken_at, p.id`,
		"statement payments": `SELECT ` + paymentColumns + ` FROM payments p WHERE p.patient_id = 'x' ORDER BY p.taken_at DESC, p.id DESC`,
	}
}
