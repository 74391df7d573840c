package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hms/app"
)

// paymentFault, when set (by tests only), runs inside TakePayment's
// transaction after the receipt number is taken; an error it returns rolls
// the whole payment back, number included.
var paymentFault func() error

// TakePayment implements app.BillingService.
func (s *BillingService) TakePayment(ctx context.Context, in app.PaymentInput) (*app.Payment, error) {
	var p *app.Payment
	entityID := ""
	if len(in.Allocations) > 0 {
		entityID = in.Allocations[0].InvoiceID
	}
	err := s.db.writeFor(ctx, "payment.take", "invoices", entityID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermTakePayment); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		var patientID, patientName, patientMRN, currency string
		allocs := make([]app.Allocation, len(in.Allocations))
		statuses := make([]app.InvoiceStatus, len(in.Allocations))
		for i, a := range in.Allocations {
			var status app.InvoiceStatus
			var number sql.NullString
			var pid, pname, pmrn, cur string
			var total, paid app.Money
			err := tx.QueryRowContext(tx.ctx, `SELECT i.status, i.number, i.patient_id, i.patient_name, i.patient_mrn,
				i.currency, (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id), `+paidSQL+`
				FROM invoices i WHERE i.id = ?`, a.InvoiceID).Scan(&status, &number, &pid, &pname, &pmrn, &cur, &total, &paid)
			if errors.Is(err, sql.ErrNoRows) {
				return app.FieldErrorf("invoices", "There is no such invoice.")
			} else if err != nil {
				return err
			}
			switch status {
			case app.InvoiceDraft:
				return app.FieldErrorf("invoices", "The invoice is still a draft: issue it before taking a payment.")
			case app.InvoiceVoid:
				return app.FieldErrorf("invoices", "Invoice %s is void: it takes no payments.", number.String)
			case app.InvoicePaid:
				return app.FieldErrorf("invoices", "Invoice %s is paid in full already.", number.String)
			}
			if i == 0 {
				patientID, patientName, patientMRN, currency = pid, pname, pmrn, cur
			} else if pid != patientID {
				return app.FieldErrorf("invoices", "One payment pays invoices of one patient only.")
			}
			if a.Amount > total-paid {
				return app.FieldErrorf("amount", "%s is more than the balance of invoice %s (%s): an overpayment is not accepted.",
					app.Format(a.Amount, cur), number.String, app.Format(total-paid, cur))
			}
			allocs[i] = app.Allocation{InvoiceID: a.InvoiceID, InvoiceNumber: number.String, Amount: a.Amount}
			// The status after this payment, from the totals just read in
			// this transaction (refreshStatus's rule for an invoice that is
			// issued, not void, and gets more than zero here).
			statuses[i] = app.InvoicePartiallyPaid
			if paid+a.Amount >= total {
				statuses[i] = app.InvoicePaid
			}
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		receipt, err := tx.billingNumber(seriesReceipt, bc.loc)
		if err != nil {
			return err
		}
		if paymentFault != nil {
			if err := paymentFault(); err != nil {
				return err
			}
		}
		cashier, err := tx.callerName()
		if err != nil {
			return err
		}
		p = &app.Payment{ID: newID(), ReceiptNumber: receipt, PatientID: patientID, PatientName: patientName,
			PatientMRN: patientMRN, Method: in.Method, Amount: in.Amount, Reference: in.Reference, Currency: currency,
			Allocations: allocs, CashierID: tx.caller.UserID, CashierName: cashier, TakenAt: tx.now}
		if in.Method == app.PayCash {
			p.Tendered, p.Change = in.Tendered, in.Tendered-in.Amount
		}
		if err := tx.insertPayment(p); err != nil {
			return err
		}
		if err := tx.insertAllocations(p.ID, allocs); err != nil {
			return err
		}
		for i, a := range allocs {
			if _, err := tx.exec(`UPDATE invoices SET status = ? WHERE id = ?`, statuses[i], a.InvoiceID); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Payment %s: %s by %s for %s", receipt, app.Format(p.Amount, currency),
			strings.ReplaceAll(string(p.Method), "_", " "), invoiceNumbers(allocs))
		if err := tx.timelineEvent(patientID, app.HistoryPayment, summary, p.ID); err != nil {
			return err
		}
		tx.Audit("payment.take", "payments", p.ID, patientID, summary)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func invoiceNumbers(as []app.Allocation) string {
	var s []string
	for _, a := range as {
		s = append(s, a.InvoiceNumber)
	}
	return strings.Join(s, ", ")
}

func (tx *Tx) insertPayment(p *app.Payment) error {
	var rev any
	if p.ReversalOf != "" {
		rev = p.ReversalOf
	}
	now := formatTime(p.TakenAt)
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn,
		method, amount, tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at, reversal_of,
		reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ReceiptNumber, p.PatientID, p.PatientName, p.PatientMRN, p.Method, p.Amount, p.Tendered, p.Change,
		p.Reference, p.Currency, p.CashierID, p.CashierName, now, rev, p.Reason, now, now)
	return err
}

// insertAllocations writes how a payment is spread over invoices; the
// invoices' statuses are the caller's to refresh.
func (tx *Tx) insertAllocations(paymentID string, allocs []app.Allocation) error {
	for _, a := range allocs {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO payment_allocations (payment_id, invoice_id, amount)
			VALUES (?, ?, ?)`, paymentID, a.InvoiceID, a.Amount); err != nil {
			return err
		}
	}
	return nil
}

// RefundPayment implements app.BillingService: a reversal row with its own
// receipt number; the payment's allocations stop counting, and the
// invoices' statuses follow.
func (s *BillingService) RefundPayment(ctx context.Context, paymentID, reason string) (*app.Payment, error) {
	return s.refundPayment(ctx, paymentID, reason, nil, newID())
}

// OverpaymentClaim is an open billing conflict of an invoice a payment is
// allocated to: its overpayment is decided once for the clinic, so a
// refund of the payment by hand takes its server claim first (the sync
// engine, RefundPaymentClaimed).
type OverpaymentClaim struct {
	ID, InvoiceID, InvoiceNumber string
}

// OverpaymentsOf lists the open billing conflicts of the invoices payment
// paymentID (or the payment it reverses) is allocated to, after checking
// the caller may refund it. Staff who manage billing.
func (s *BillingService) OverpaymentsOf(ctx context.Context, paymentID string) ([]OverpaymentClaim, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := authorize(app.RequireAny(caller, app.PermManageBilling)); err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT b.id, b.invoice_id, coalesce(i.number, '') FROM billing_conflicts b
		JOIN invoices i ON i.id = b.invoice_id
		WHERE b.resolved_at IS NULL AND b.invoice_id IN (SELECT a.invoice_id FROM payment_allocations a
			JOIN payments p ON a.payment_id = p.id WHERE p.id = ?1 OR p.receipt_number = ?1)
		ORDER BY b.id`, paymentID)
	if err != nil {
		return nil, internal("payment.refund", err)
	}
	defer rows.Close()
	var out []OverpaymentClaim
	for rows.Next() {
		var c OverpaymentClaim
		if err := rows.Scan(&c.ID, &c.InvoiceID, &c.InvoiceNumber); err != nil {
			return nil, internal("payment.refund", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("payment.refund", err)
	}
	return out, nil
}

// RefundPaymentClaimed is RefundPayment of a payment of overpaid invoices
// whose billing conflicts (claims, OverpaymentsOf) this desk holds the
// server's claim of (MoveBillingClaim "held"): in the refund's own
// transaction it requires each still held, or refuses writing nothing
// (this desk gave a claim up meanwhile), and keeps them as a written
// settlement does (claim ""): kept on the server, it refuses another desk
// that has not pulled the refund yet. The refund is refundID, the id the
// desk named to the server with its claims (NewRefundID).
func (s *BillingService) RefundPaymentClaimed(ctx context.Context, paymentID, reason string, claims []OverpaymentClaim, refundID string) (*app.Payment, error) {
	return s.refundPayment(ctx, paymentID, reason, claims, refundID)
}

func (s *BillingService) refundPayment(ctx context.Context, paymentID, reason string, claims []OverpaymentClaim, refundID string) (*app.Payment, error) {
	var r *app.Payment
	err := s.db.writeFor(ctx, "payment.refund", "payments", paymentID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		for _, c := range claims {
			res, err := tx.ExecContext(tx.ctx, `UPDATE billing_conflicts SET claim = '' WHERE id = ? AND claim = 'held'`, c.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return app.Errorf(app.ECONFLICT, "Invoice %s was settled on another desk while this one claimed it: refresh, and refund again if it is still needed.",
					c.InvoiceNumber)
			}
		}
		reason, err := app.ValidateBillingReason(reason)
		if err != nil {
			return err
		}
		orig, err := findPayment(tx.ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if orig.IsReversal() {
			return app.Errorf(app.ECONFLICT, "%s is a refund already; it is not refunded again.", orig.ReceiptNumber)
		}
		if orig.ReversedBy != "" {
			return app.Errorf(app.ECONFLICT, "Payment %s is refunded already.", orig.ReceiptNumber)
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		number, err := tx.billingNumber(seriesReceipt, bc.loc)
		if err != nil {
			return err
		}
		cashier, err := tx.callerName()
		if err != nil {
			return err
		}
		r = &app.Payment{ID: refundID, ReceiptNumber: number, PatientID: orig.PatientID, PatientName: orig.PatientName,
			PatientMRN: orig.PatientMRN, Method: orig.Method, Amount: orig.Amount, Reference: orig.Reference,
			Currency: orig.Currency, Allocations: orig.Allocations, CashierID: tx.caller.UserID,
			CashierName: cashier, TakenAt: tx.now, ReversalOf: orig.ID, Reason: reason}
		if err := tx.insertPayment(r); err != nil {
			return err
		}
		for _, a := range orig.Allocations {
			if err := tx.refreshStatus(a.InvoiceID); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Refund %s of payment %s: %s, %s", number, orig.ReceiptNumber,
			app.Format(orig.Amount, orig.Currency), reason)
		if err := tx.timelineEvent(orig.PatientID, app.HistoryPayment, summary, r.ID); err != nil {
			return err
		}
		tx.Audit("payment.refund", "payments", r.ID, orig.PatientID, summary)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

const paymentColumns = `p.id, p.receipt_number, p.patient_id, p.patient_name, p.patient_mrn, p.method, p.amount,
	p.tendered, p.change_given, p.reference, p.currency, p.cashier_id, ` + cashierNameSQL + `, p.taken_at,
	coalesce(p.reversal_of, ''), p.reason, coalesce((SELECT r.id FROM payments r WHERE r.reversal_of = p.id ORDER BY r.created_at, r.id LIMIT 1), '')`

func scanPayment(r rowScanner) (*app.Payment, error) {
	var p app.Payment
	var at string
	if err := r.Scan(&p.ID, &p.ReceiptNumber, &p.PatientID, &p.PatientName, &p.PatientMRN, &p.Method, &p.Amount,
		&p.Tendered, &p.Change, &p.Reference, &p.Currency, &p.CashierID, &p.CashierName, &at, &p.ReversalOf,
		&p.Reason, &p.ReversedBy); err != nil {
		return nil, err
	}
	p.TakenAt = parseTime(at)
	return &p, nil
}

// findPayment reads a payment with its allocations (a refund: those of the
// payment it reverses).
func findPayment(ctx context.Context, q rowQuerier, id string) (*app.Payment, error) {
	p, err := scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM payments p WHERE p.id = ?1 OR p.receipt_number = ?1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such payment.")
	} else if err != nil {
		return nil, err
	}
	of := p.ID
	if p.ReversalOf != "" {
		of = p.ReversalOf
	}
	rows, err := q.QueryContext(ctx, `SELECT a.invoice_id, coalesce(i.number, ''), a.amount FROM payment_allocations a
		JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id = ? ORDER BY i.number`, of)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a app.Allocation
		if err := rows.Scan(&a.InvoiceID, &a.InvoiceNumber, &a.Amount); err != nil {
			return nil, err
		}
		p.Allocations = append(p.Allocations, a)
	}
	return p, rows.Err()
}

// FindPayment implements app.BillingService.
func (s *BillingService) FindPayment(ctx context.Context, id string) (*app.Payment, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "payment.view", "payments", id, "", app.CanSeeBills(c)); err != nil {
		return nil, err
	}
	p, err := findPayment(ctx, s.db.r, id)
	if err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			// An unknown payment is nobody's own.
			if derr := s.db.authorizeRead(ctx, "payment.view", "payments", id, "", app.CanSeeBillsOf(c, "")); derr != nil {
				return nil, derr
			}
			return nil, err
		}
		return nil, internal("payment.view", err)
	}
	if err := s.db.authorizeRead(ctx, "payment.view", "payments", id, p.PatientID, app.CanSeeBillsOf(c, p.PatientID)); err != nil {
		return nil, err
	}
	if err := s.db.auditOpen(ctx, "payment.view", "payments", id, p.PatientID, p.ReceiptNumber); err != nil {
		return nil, err
	}
	return p, nil
}
