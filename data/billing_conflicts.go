package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"hms/app"
	"hms/app/i18n"
)

// RuleOverpaid is the rule of a billing conflict: an invoice paid more
// than its total, on desks that were apart (migration 0032).
const RuleOverpaid = "billing: paid more than its total on desks that were apart; refund or allocate the excess"

// RuleIssuedLines is the rule of a review item of an invoice line: a
// change or removal of a line made on a desk that had not seen the
// invoice's issue on another desk, which lost to the line as the invoice
// was issued with it (data/sync, invoices.issued_with).
const RuleIssuedLines = "billing: an issued invoice keeps the lines it was issued with"

// RuleIssueRewritten is the rule of a pulled change of the lines an
// invoice was issued with (issued_lines, issued_with) that a desk refused
// because it did not come with the invoice's issue (data/sync, issued.go:
// docs/SYNC-DESIGN.md, "Only the issue sets an invoice's issued lines").
const RuleIssueRewritten = "billing: refused a change of the lines an issued invoice was issued with that did not come with its issue"

// RuleIssuedFirst is the rule of a review item of a desk's issue of an
// invoice (its number, issue date, issued lines) that reached the server
// after another desk's issue of the same draft: the first issue to reach
// the server holds for the clinic (server migration 0114), and the desk
// takes it; the number this desk gave is not used.
const RuleIssuedFirst = "billing: the invoice was issued first on another desk; that issue holds for the clinic"

// RuleRefundedTwice is the rule of a review item of a payment refunded on
// two desks that were apart: both refunds were paid out, and both stay on
// record on every desk (desk migration 0234). The item is billing's: ask
// the patient to return what was refunded twice (taken as a payment), or
// note why not, then mark it done. The refund kept first (the earlier one
// as made) is its won value, the other its lost value.
const RuleRefundedTwice = "billing: a payment was refunded on two desks that were apart; the patient was paid back twice"

// refundedTwiceSQL keeps, for each payment with more than one reversal
// that has no review item yet, one review item of RuleRefundedTwice: its
// id is the payment's (every desk names it alike), won the first refund
// (by created_at, id), lost each later one (the first of them named).
const refundedTwiceSQL = `INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site,
		won_value, won_hlc, won_site, detected_at)
	SELECT 'refunded-twice/' || o.id, 'payments', o.id, '', ?, json_quote(l.receipt_number), '', '',
		json_quote(w.receipt_number), '', '', ?
	FROM payments o
	JOIN payments w ON w.id = (SELECT r.id FROM payments r WHERE r.reversal_of = o.id ORDER BY r.created_at, r.id LIMIT 1)
	JOIN payments l ON l.id = (SELECT r.id FROM payments r WHERE r.reversal_of = o.id ORDER BY r.created_at, r.id LIMIT 1 OFFSET 1)
	WHERE o.id IN (SELECT reversal_of FROM payments WHERE reversal_of IS NOT NULL GROUP BY reversal_of HAVING count(*) > 1)
	ON CONFLICT (id) DO NOTHING`

// RuleRefundedBeyond is the rule of a review item of an invoice that was
// overpaid (paid on desks apart) and whose payments were then refunded on
// two desks that were apart, each taking the excess back (a hand refund
// of one payment, a settlement or hand refund of the other): both refunds
// stand, and the invoice owes again what was refunded beyond the excess.
// The item is billing's: take what the invoice owes from the patient as a
// payment, or note why not, then mark it done. Its won value is the first
// refund, its lost value the next.
const RuleRefundedBeyond = "billing: an overpaid invoice was refunded on two desks that were apart; it owes again what was refunded beyond the excess"

// reversalSeriesSQL is the number series of a refund r (R-D2 of
// R-D2-2026-000001): the desk that made it.
const reversalSeriesSQL = `substr(r.receipt_number, 1, instr(r.receipt_number, '-') + instr(substr(r.receipt_number, instr(r.receipt_number, '-') + 1), '-') - 1)`

// refundedBeyondSQL keeps, for each issued invoice that owes, was paid
// more than its total (its payments' allocations, refunded or not, exceed
// it) and whose payments were refunded on two desks (two series of
// receipts), one review item of RuleRefundedBeyond: its id the invoice's
// (every desk names it alike), won the first refund (by created_at, id),
// lost the next from another desk. Every desk that holds the same rows
// derives the same item.
const refundedBeyondSQL = `INSERT INTO conflicts (id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site,
		won_value, won_hlc, won_site, detected_at)
	SELECT 'refunded-beyond/' || i.id, 'invoices', i.id, '', ?, json_quote(
			(SELECT l.receipt_number FROM refunds l WHERE l.invoice_id = i.id AND l.series <> w.series ORDER BY l.created_at, l.id LIMIT 1)),
		'', '', json_quote(w.receipt_number), '', '', ?
	FROM invoices i
	JOIN refunds w ON w.id = (SELECT f.id FROM refunds f WHERE f.invoice_id = i.id ORDER BY f.created_at, f.id LIMIT 1)
	WHERE i.id IN (SELECT f.invoice_id FROM refunds f GROUP BY f.invoice_id HAVING count(DISTINCT f.series) > 1)
		AND i.status NOT IN ('draft', 'void')
		AND (SELECT sum(a.amount) FROM payment_allocations a WHERE a.invoice_id = i.id) > ` + invoiceTotalSQL + `
		AND ` + paidSQL + ` < ` + invoiceTotalSQL + `
	ON CONFLICT (id) DO NOTHING`

// refundsCTE names the refunds of payments allocated to an invoice, with
// the series of each (the desk that made it), for refundedBeyondSQL.
const refundsCTE = `WITH refunds AS (SELECT a.invoice_id, r.id, r.receipt_number, r.created_at, ` + reversalSeriesSQL + ` AS series
	FROM payment_allocations a JOIN payments r ON r.reversal_of = a.payment_id) `

// refundsMade fills in a refunds review item (RuleRefundedTwice,
// RuleRefundedBeyond) the refunds it is about, as they were made: each
// reversal of the payment (or of the invoice's payments), first kept
// first, and where its money went. A settlement that allocated the excess
// to another invoice wrote a reversal ("Overpaid invoice …") and a
// replacement payment ("replaces <receipt>") in one transaction (the same
// time, cashier and desk's series), allocated to an invoice the reversed
// payment was not.
func refundsMade(ctx context.Context, q rowQuerier, c *app.Conflict) error {
	var which string
	switch {
	case c.Rule == RuleRefundedTwice && c.Entity == "payments":
		which = `r.reversal_of = ?`
	case c.Rule == RuleRefundedBeyond && c.Entity == "invoices":
		which = `r.reversal_of IN (SELECT a.payment_id FROM payment_allocations a WHERE a.invoice_id = ?)`
	default:
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT r.receipt_number, coalesce((SELECT group_concat(coalesce(i.number, ''), ', ')
			FROM payments o JOIN payments m ON m.reference = 'replaces ' || o.receipt_number
			JOIN payment_allocations a ON a.payment_id = m.id JOIN invoices i ON i.id = a.invoice_id
			WHERE o.id = r.reversal_of AND r.reason LIKE 'Overpaid invoice %' AND m.reversal_of IS NULL
				AND m.taken_at = r.taken_at AND m.cashier_id = r.cashier_id
				AND substr(m.receipt_number, 1, length(`+reversalSeriesSQL+`) + 1) = `+reversalSeriesSQL+` || '-'
				AND a.invoice_id NOT IN (SELECT x.invoice_id FROM payment_allocations x WHERE x.payment_id = o.id)), '')
		FROM payments r WHERE `+which+` ORDER BY r.created_at, r.id`, c.RowID)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.Refunds = []app.RefundMade{}
	for rows.Next() {
		var m app.RefundMade
		if err := rows.Scan(&m.Receipt, &m.MovedTo); err != nil {
			return err
		}
		c.Refunds = append(c.Refunds, m)
	}
	return rows.Err()
}

// invoiceTotalSQL is an invoice i's total.
const invoiceTotalSQL = `(SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)`

// CheckOverpaid finds the invoices that pulled payments have made overpaid
// and keeps each as a billing conflict, and closes as settled those whose
// invoice is no longer overpaid (the correcting payments of another desk
// reached this one). The sync engine calls it after each pull; a desk's
// own services never overpay an invoice. Only invoices paid more than once
// can be overpaid, which keeps it cheap.
//
// A conflict is named by its invoice and its newest payment that is not
// refunded, so that every desk names it alike. An invoice can be overpaid
// again under a name it had before: its overpayment was settled by
// another desk's refund of an older payment, and a payment made earlier
// on a desk that was apart (or stamped by a clock ahead) arrives later,
// leaving the newest payment as it was. The conflict of that name, closed
// as settled by sync, is then opened again; one settled here by refund
// or allocation is not, as the payment it names is reversed and no
// longer names any.
func (db *DB) CheckOverpaid(ctx context.Context) error {
	return db.WriteSyncState(ctx, "sync.billing", func(tx *Tx) error {
		now := formatTime(tx.now)
		// A conflict whose payment another desk's settlement reversed, on
		// an invoice still overpaid (a third payment arrived with the
		// settlement), is closed and listed again below under the newest
		// payment not reversed: the claim of its old name stays with the
		// desk that settled, so no other desk could settle it.
		if _, err := tx.ExecContext(tx.ctx, `UPDATE billing_conflicts AS b SET resolved_at = ?, resolved_by = 'sync',
				resolution = 'settled', note = 'settled in part on another desk: the invoice is still overpaid, listed again',
				claim = CASE WHEN b.claim = 'held' THEN 'release' ELSE b.claim END
			WHERE b.resolved_at IS NULL AND EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = b.payment_id)`, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO billing_conflicts (id, invoice_id, payment_id, total, paid, detected_at)
			SELECT i.id || '/' || o.payment_id, i.id, o.payment_id, o.total, o.paid, ?
			FROM (SELECT m.invoice_id,
					(SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = m.invoice_id) AS total,
					(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = m.invoice_id
						AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)) AS paid,
					(SELECT a.payment_id FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
						WHERE a.invoice_id = m.invoice_id
						AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)
						ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS payment_id
				FROM (SELECT invoice_id FROM payment_allocations GROUP BY invoice_id HAVING count(*) > 1) m) o
			JOIN invoices i ON i.id = o.invoice_id
			WHERE i.status NOT IN ('draft', 'void') AND o.paid > o.total AND o.payment_id IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM billing_conflicts b WHERE b.invoice_id = i.id AND b.resolved_at IS NULL)
			ON CONFLICT (id) DO UPDATE SET total = excluded.total, paid = excluded.paid, detected_at = excluded.detected_at,
				resolved_at = NULL, resolved_by = '', resolution = '', note = ''
			WHERE billing_conflicts.resolution = 'settled'`, now); err != nil {
			return err
		}
		// A claim this desk held for a settlement it has not written goes
		// with the conflict: the engine gives it up on the server
		// (claim 'release', MoveBillingClaim).
		if _, err := tx.ExecContext(tx.ctx, `UPDATE billing_conflicts AS b SET resolved_at = ?, resolved_by = 'sync',
				resolution = 'settled', note = 'settled on another desk: the invoice is no longer overpaid',
				claim = CASE WHEN b.claim = 'held' THEN 'release' ELSE b.claim END
			WHERE b.resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.id = b.invoice_id
				AND i.status NOT IN ('draft', 'void') AND `+paidSQL+` > `+invoiceTotalSQL+`)`, now); err != nil {
			return err
		}
		// A payment refunded on two desks apart: both refunds stand (the
		// money was paid out twice), kept for billing to put right.
		if _, err := tx.ExecContext(tx.ctx, refundedTwiceSQL, RuleRefundedTwice, now); err != nil {
			return err
		}
		// An overpaid invoice's payments refunded on two desks apart, each
		// taking the excess back: it owes again, kept for billing too.
		_, err := tx.ExecContext(tx.ctx, refundsCTE+refundedBeyondSQL, RuleRefundedBeyond, now)
		return err
	})
}

// billingConflictColumns are what scanBillingConflict reads, from
// billing_conflicts b joined with its invoice i and payment p.
const billingConflictColumns = `b.id, b.invoice_id, coalesce(i.number, ''), i.patient_id, i.patient_name, i.patient_mrn,
	i.currency, ` + invoiceTotalSQL + `, ` + paidSQL + `, b.total, b.paid, b.payment_id, p.receipt_number,
	b.detected_at, b.resolved_at, coalesce(` + resolverNameSQL + `, ''), b.resolution, b.note,
	(SELECT group_concat(q.receipt_number, ', ') FROM payment_allocations a JOIN payments q ON q.id = a.payment_id
		WHERE a.invoice_id = i.id AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id))`

const billingConflictFrom = ` FROM billing_conflicts b JOIN invoices i ON i.id = b.invoice_id JOIN payments p ON p.id = b.payment_id`

func scanBillingConflict(r rowScanner) (*app.Conflict, error) {
	o := &app.Overpayment{}
	c := &app.Conflict{Entity: "invoices", Rule: RuleOverpaid, Overpaid: o, WonValue: "null"}
	var detected, resolution, note string
	var resolved sql.NullString
	var receipts sql.NullString
	var total, paid, wasTotal, wasPaid app.Money
	if err := r.Scan(&c.ID, &o.InvoiceID, &o.InvoiceNumber, &o.PatientID, &o.PatientName, &o.PatientMRN, &o.Currency,
		&total, &paid, &wasTotal, &wasPaid, &o.PaymentID, &o.ReceiptNumber, &detected, &resolved, &c.ResolvedBy,
		&resolution, &note, &receipts); err != nil {
		return nil, err
	}
	c.RowID = o.InvoiceID
	c.DetectedAt, c.ResolvedAt = parseTime(detected), parseNullTime(resolved)
	c.Resolution = app.Resolution(resolution)
	o.Total, o.Paid = total, paid
	if !c.ResolvedAt.IsZero() {
		o.Total, o.Paid = wasTotal, wasPaid // once settled, what it was when found
	}
	if receipts.String != "" {
		o.Receipts = strings.Split(receipts.String, ", ")
	}
	o.SettledBy, o.SettlementNote = c.ResolvedBy, note
	c.What = i18n.Nf("Invoice %s of %s", o.InvoiceNumber, o.PatientMRN+" "+o.PatientName)
	c.RuleText = ruleText(c.Rule)
	c.LostValue = fmt.Sprintf("%q", "paid "+app.Format(o.Paid, o.Currency)+" of "+app.Format(o.Total, o.Currency))
	return c, nil
}

// listBillingConflicts lists the billing conflicts, open ones or all,
// newest first.
func listBillingConflicts(ctx context.Context, q rowQuerier, all bool, limit int) ([]*app.Conflict, error) {
	where := ` WHERE b.resolved_at IS NULL`
	if all {
		where = ``
	}
	rows, err := q.QueryContext(ctx, `SELECT `+billingConflictColumns+billingConflictFrom+where+
		` ORDER BY b.detected_at DESC, b.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.Conflict
	for rows.Next() {
		c, err := scanBillingConflict(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenOverpayment reads an open billing conflict for settling it, after
// checking that the caller may: what the sync engine claims on the server
// before SettleOverpaymentHere writes. A decision that cannot be taken
// (the wrong invoice, no reason) is refused here, before the claim.
func (s *ConflictService) OpenOverpayment(ctx context.Context, id string, in app.OverpaymentSettlement) (*app.Conflict, error) {
	db := s.db
	caller, _ := app.CallerFromContext(ctx)
	if err := db.authorizeRead(ctx, "billing.overpayment", "billing_conflicts", id, "", app.RequireAny(caller, app.PermManageBilling)); err != nil {
		return nil, err
	}
	c, err := scanBillingConflict(db.r.QueryRowContext(ctx, `SELECT `+billingConflictColumns+billingConflictFrom+` WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such billing conflict.")
	} else if err != nil {
		return nil, internal("billing.overpayment", err)
	}
	if err := checkSettlement(ctx, db.r, c, in); err != nil {
		return nil, err
	}
	return c, nil
}

// checkSettlement refuses a settlement that cannot be made: one settled
// already, no reason, no fitting invoice to allocate to.
func checkSettlement(ctx context.Context, q rowQuerier, c *app.Conflict, in app.OverpaymentSettlement) error {
	o := c.Overpaid
	if !c.ResolvedAt.IsZero() {
		return app.Errorf(app.ECONFLICT, "Invoice %s was settled already (%s by %s).", o.InvoiceNumber, c.Resolution, c.ResolvedBy)
	}
	if o.Paid <= o.Total {
		return app.Errorf(app.ECONFLICT, "Invoice %s is no longer overpaid: it was settled on another desk.", o.InvoiceNumber)
	}
	if _, err := app.ValidateBillingReason(in.Reason); err != nil {
		return err
	}
	switch in.Action {
	case app.OverpaymentRefund:
		if in.InvoiceID != "" {
			return app.FieldErrorf("invoice", "A refund goes to the patient, not to an invoice.")
		}
	case app.OverpaymentAllocate:
		if in.InvoiceID == "" {
			return app.FieldErrorf("invoice", "Choose the invoice that takes the excess.")
		}
		if in.InvoiceID == o.InvoiceID {
			return app.FieldErrorf("invoice", "Choose another invoice than the overpaid one.")
		}
		var status app.InvoiceStatus
		var number sql.NullString
		var patient string
		var total, paid app.Money
		err := q.QueryRowContext(ctx, `SELECT i.status, i.number, i.patient_id, `+invoiceTotalSQL+`, `+paidSQL+`
			FROM invoices i WHERE i.id = ?`, in.InvoiceID).Scan(&status, &number, &patient, &total, &paid)
		if errors.Is(err, sql.ErrNoRows) || err == nil && patient != o.PatientID {
			return app.FieldErrorf("invoice", "Choose an invoice of the same patient.")
		} else if err != nil {
			return internal("billing.overpayment", err)
		}
		if status != app.InvoiceIssued && status != app.InvoicePartiallyPaid {
			return app.FieldErrorf("invoice", "Invoice %s takes no payment (it is %s).", number.String, status)
		}
		if total-paid < o.Excess() {
			return app.FieldErrorf("invoice", "Invoice %s owes %s, less than the excess of %s: refund it instead.",
				number.String, app.Format(total-paid, o.Currency), app.Format(o.Excess(), o.Currency))
		}
	default:
		return app.FieldErrorf("action", "Choose to refund the excess or to allocate it to another invoice.")
	}
	return nil
}

// SettleOverpaymentHere writes a billing conflict's settlement on a desk
// that syncs with no server, where no other desk can race it: see
// settleOverpayment.
func (s *ConflictService) SettleOverpaymentHere(ctx context.Context, id string, in app.OverpaymentSettlement) (*app.Conflict, error) {
	return s.settleOverpayment(ctx, id, in, false, newID())
}

// SettleOverpaymentClaimed writes a billing conflict's settlement on this
// desk once the server has given it the decision: it holds the claim
// (MoveBillingClaim to "held" before claiming). A claim this desk has
// given up since (its sync closed the conflict, which may be open again
// under the same name by now) is refused, writing nothing; see
// settleOverpayment. The reversal it writes is refundID, the id the desk
// named to the server with its claim (NewRefundID).
func (s *ConflictService) SettleOverpaymentClaimed(ctx context.Context, id string, in app.OverpaymentSettlement, refundID string) (*app.Conflict, error) {
	return s.settleOverpayment(ctx, id, in, true, refundID)
}

// NewRefundID is the id of a reversal a desk is about to write under a
// claim on the sync server, which the claim names (server migration 0124).
func NewRefundID() string { return newID() }

// InvoicePayments lists the payments allocated to an invoice on this desk
// and the refunds of them it holds, which a desk claiming the invoice's
// overpayment tells the server (server migration 0124): a desk that
// holds the refund written under an older claim of the same name sees a
// new overpayment, and one that lacks a refund the server holds has not
// pulled it yet.
func (db *DB) InvoicePayments(ctx context.Context, invoiceID string) (payments, refunds []string, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT a.payment_id, '' FROM payment_allocations a WHERE a.invoice_id = ?1
		UNION ALL SELECT '', r.id FROM payments r JOIN payment_allocations a ON a.payment_id = r.reversal_of WHERE a.invoice_id = ?1
		ORDER BY 1, 2`, invoiceID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, r string
		if err := rows.Scan(&p, &r); err != nil {
			return nil, nil, err
		}
		if p != "" {
			payments = append(payments, p)
		} else {
			refunds = append(refunds, r)
		}
	}
	return payments, refunds, rows.Err()
}

// settleOverpayment writes a billing conflict's settlement on this
// desk, once the server has given this desk the decision (or the desk
// syncs with no server): the payment that overpaid the invoice is
// reversed, and a replacement payment of the same method keeps what was
// not excess, and, to allocate, pays the excess to the other invoice. The
// patient gets back the excess, or nothing moves but the allocation. The
// invoices' statuses follow, each patient's timeline and the audit log
// say what was done. Staff who manage billing.
func (s *ConflictService) settleOverpayment(ctx context.Context, id string, in app.OverpaymentSettlement, claimed bool, refundID string) (*app.Conflict, error) {
	db := s.db
	err := db.writeFor(ctx, "billing.overpayment", "billing_conflicts", id, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		c, err := scanBillingConflict(tx.QueryRowContext(tx.ctx, `SELECT `+billingConflictColumns+billingConflictFrom+` WHERE b.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such billing conflict.")
		} else if err != nil {
			return err
		}
		if err := checkSettlement(tx.ctx, tx, c, in); err != nil {
			return err
		}
		if claimed {
			var claim string
			if err := tx.QueryRowContext(tx.ctx, `SELECT claim FROM billing_conflicts WHERE id = ?`, id).Scan(&claim); err != nil {
				return err
			}
			if claim != "held" {
				return app.Errorf(app.ECONFLICT, "Invoice %s was settled on another desk while this one claimed it, and is overpaid again: settle it again.",
					c.Overpaid.InvoiceNumber)
			}
		}
		reason, _ := app.ValidateBillingReason(in.Reason)
		o := c.Overpaid
		excess := o.Excess()
		orig, err := findPayment(tx.ctx, tx, o.PaymentID)
		if err != nil {
			return err
		}
		if orig.ReversedBy != "" {
			return app.Errorf(app.ECONFLICT, "Payment %s is refunded already.", orig.ReceiptNumber)
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		cashier, err := tx.callerName()
		if err != nil {
			return err
		}
		number, err := tx.billingNumber(seriesReceipt, bc.loc)
		if err != nil {
			return err
		}
		rev := &app.Payment{ID: refundID, ReceiptNumber: number, PatientID: orig.PatientID, PatientName: orig.PatientName,
			PatientMRN: orig.PatientMRN, Method: orig.Method, Amount: orig.Amount, Reference: orig.Reference,
			Currency: orig.Currency, CashierID: tx.caller.UserID, CashierName: cashier, TakenAt: tx.now,
			ReversalOf: orig.ID, Reason: "Overpaid invoice " + o.InvoiceNumber + ": " + reason}
		if err := tx.insertPayment(rev); err != nil {
			return err
		}
		// The reversal leaves the overpaid invoice owing (its status
		// "paid" no longer holds): what stays of the payment on it is
		// allocated again below, which only an invoice that owes takes
		// (payment_allocations_issued).
		for _, a := range orig.Allocations {
			if err := tx.refreshStatus(a.InvoiceID); err != nil {
				return err
			}
		}
		// What stays paid: the payment's allocations less the excess on the
		// overpaid invoice, and the excess on the other one to allocate.
		var allocs []app.Allocation
		for _, a := range orig.Allocations {
			if a.InvoiceID == o.InvoiceID {
				a.Amount -= min(excess, a.Amount)
			}
			if a.Amount > 0 {
				allocs = append(allocs, a)
			}
		}
		if in.Action == app.OverpaymentAllocate {
			var other string
			if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(number, '') FROM invoices WHERE id = ?`, in.InvoiceID).Scan(&other); err != nil {
				return err
			}
			allocs = append(allocs, app.Allocation{InvoiceID: in.InvoiceID, InvoiceNumber: other, Amount: excess})
		}
		var kept app.Money
		for _, a := range allocs {
			kept += a.Amount
		}
		touched := []string{o.InvoiceID, in.InvoiceID}
		for _, a := range orig.Allocations {
			touched = append(touched, a.InvoiceID)
		}
		summary := fmt.Sprintf("Overpaid invoice %s (paid %s of %s): payment %s reversed by %s", o.InvoiceNumber,
			app.Format(o.Paid, o.Currency), app.Format(o.Total, o.Currency), orig.ReceiptNumber, number)
		if kept > 0 {
			renumber, err := tx.billingNumber(seriesReceipt, bc.loc)
			if err != nil {
				return err
			}
			repl := &app.Payment{ID: newID(), ReceiptNumber: renumber, PatientID: orig.PatientID, PatientName: orig.PatientName,
				PatientMRN: orig.PatientMRN, Method: orig.Method, Amount: kept, Reference: "replaces " + orig.ReceiptNumber,
				Currency: orig.Currency, Allocations: allocs, CashierID: tx.caller.UserID, CashierName: cashier, TakenAt: tx.now}
			if repl.Method == app.PayCash {
				repl.Tendered = kept
			}
			if err := tx.insertPayment(repl); err != nil {
				return err
			}
			if err := tx.insertAllocations(repl.ID, allocs); err != nil {
				return err
			}
			summary += fmt.Sprintf(", replaced by %s of %s for %s", renumber, app.Format(kept, o.Currency), invoiceNumbers(allocs))
		}
		for _, inv := range touched {
			if inv == "" {
				continue
			}
			if err := tx.refreshStatus(inv); err != nil {
				return err
			}
		}
		resolution := app.ResolutionRefunded
		if in.Action == app.OverpaymentAllocate {
			resolution = app.ResolutionAllocated
			summary += fmt.Sprintf("; %s allocated to the other invoice", app.Format(excess, o.Currency))
		} else {
			summary += fmt.Sprintf("; %s refunded", app.Format(excess, o.Currency))
		}
		summary += ": " + reason
		// A claim on the server is spent: the payment it names is
		// reversed, so no overpayment is named by it again.
		if _, err := tx.ExecContext(tx.ctx, `UPDATE billing_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ?,
			note = ?, claim = '' WHERE id = ?`, formatTime(tx.now), tx.caller.Username, string(resolution), clip(summary, 1000), id); err != nil {
			return err
		}
		if err := tx.timelineEvent(o.PatientID, app.HistoryPayment, summary, rev.ID); err != nil {
			return err
		}
		tx.Audit("billing.overpayment", "invoices", o.InvoiceID, o.PatientID, summary)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := scanBillingConflict(db.r.QueryRowContext(ctx, `SELECT `+billingConflictColumns+billingConflictFrom+` WHERE b.id = ?`, id))
	if err != nil {
		return nil, internal("billing.overpayment", err)
	}
	return c, nil
}

// MoveBillingClaim records whether this desk holds the server's claim on
// the overpayment of billing conflict id (desk migration 0223): "held"
// just before the desk claims it, "release" when the claim is to be given
// up (the settlement it was for was not written), "" when it holds none
// (another desk holds it, or it was given up on the server). With from,
// only a conflict whose claim is one of from moves; it reports whether
// the conflict's claim moved.
func (db *DB) MoveBillingClaim(ctx context.Context, id, to string, from ...string) (bool, error) {
	q := `UPDATE billing_conflicts SET claim = ? WHERE id = ?`
	args := []any{to, id}
	if len(from) > 0 {
		q += ` AND claim IN (?` + strings.Repeat(", ?", len(from)-1) + `)`
		for _, f := range from {
			args = append(args, f)
		}
	}
	var moved bool
	err := db.WriteSyncState(ctx, "sync.billing", func(tx *Tx) error {
		res, err := tx.ExecContext(tx.ctx, q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		moved = n > 0
		return err
	})
	return moved, err
}

// BillingClaimsToRelease lists the billing conflicts whose claim on the
// server this desk is to give up (MoveBillingClaim, "release").
func (db *DB) BillingClaimsToRelease(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM billing_conflicts WHERE claim = 'release' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
