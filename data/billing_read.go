package data

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"hms/app"
)

// FindInvoice implements app.BillingService: an open of another person's
// invoice is audited.
func (s *BillingService) FindInvoice(ctx context.Context, id string) (*app.Invoice, error) {
	inv, err := s.findInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.db.auditOpen(ctx, "invoice.view", "invoices", id, inv.PatientID, inv.Number); err != nil {
		return nil, err
	}
	return inv, nil
}

// findInvoice is FindInvoice's permission checks and read, for the
// methods that audit the read themselves (a print).
func (s *BillingService) findInvoice(ctx context.Context, id string) (*app.Invoice, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "invoice.view", "invoices", id, "", app.CanSeeBills(c)); err != nil {
		return nil, err
	}
	inv, err := loadInvoice(ctx, s.db.r, id)
	if err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			// An unknown invoice is nobody's own: a patient learns nothing
			// about ids that are not theirs.
			if err := s.db.authorizeRead(ctx, "invoice.view", "invoices", id, "", app.CanSeeBillsOf(c, "")); err != nil {
				return nil, err
			}
			return nil, err
		}
		return nil, internal("invoice.view", err)
	}
	if err := s.db.authorizeRead(ctx, "invoice.view", "invoices", id, inv.PatientID, app.CanSeeInvoice(c, inv)); err != nil {
		return nil, err // a patient sees their own issued bills only
	}
	return inv, nil
}

// FindInvoices implements app.BillingService: newest first by the date the
// list shows (an invoice's issue, a draft's start: invoiceDated), keyset
// paged on that date and the id; by status, by issue date.
func (s *BillingService) FindInvoices(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) {
	c, _ := app.CallerFromContext(ctx)
	staff := app.CanHandleBills(c) == nil
	if err := s.db.authorizeRead(ctx, "invoice.list", "invoices", "", f.PatientID, app.CanSeeBills(c)); err != nil {
		return nil, err
	}
	// The own-record rule holds on every branch below: a patient's list is
	// kept to their own record whatever number, status or page it names.
	scope, err := app.BillsScope(c, f.PatientID)
	if err := s.db.authorizeRead(ctx, "invoice.list", "invoices", "", f.PatientID, err); err != nil {
		return nil, err
	}
	f.PatientID = scope
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	q := `SELECT ` + invoiceColumns + invoiceFrom
	var args []any
	var order string
	switch {
	case f.Number != "":
		q += ` WHERE i.number = ?`
		args = append(args, f.Number)
		order = ` ORDER BY ` + invoiceDated + ` DESC, i.id DESC`
	case f.PatientID != "":
		q += ` WHERE i.patient_id = ?`
		args = append(args, f.PatientID)
		order = ` ORDER BY ` + invoiceDated + ` DESC, i.id DESC`
	case f.Status != "":
		q += ` WHERE i.status = ?`
		args = append(args, f.Status)
		order = ` ORDER BY i.status DESC, i.issued_at DESC, i.id DESC`
	default:
		q += ` WHERE 1`
		order = ` ORDER BY ` + invoiceDated + ` DESC, i.id DESC` // the index invoices_dated (desk 0248)
	}
	if f.Number != "" && f.PatientID != "" {
		q += ` AND i.patient_id = ?`
		args = append(args, f.PatientID)
	}
	if f.Status != "" && (f.PatientID != "" || f.Number != "") {
		q += ` AND i.status = ?`
		args = append(args, f.Status)
	}
	if !staff {
		q += ` AND i.status <> 'draft'`
	}
	if f.Before != "" {
		if f.Status != "" && f.PatientID == "" && f.Number == "" {
			q += ` AND (coalesce(i.issued_at, ''), i.id) < (SELECT coalesce(issued_at, ''), id FROM invoices WHERE id = ?)`
		} else {
			q += invoicesBefore
			args = append(args, f.Before)
		}
		args = append(args, f.Before)
	}
	q += order + ` LIMIT ?`
	args = append(args, f.Limit)
	return scanInvoices(s.db.r.QueryContext(ctx, q, args...))
}

// invoiceDated is the date the invoice list shows and is ordered by: an
// invoice's issue, a draft's start (indexed as invoices_dated, desk 0248:
// a query must spell it so for the index to serve it).
const invoiceDated = `coalesce(i.issued_at, i.created_at)`

// invoicesBefore keeps the invoices that come after the one named twice
// by its parameters in that order (a page's last). The first term lets the
// index seek (a row value over an expression does not); the second breaks
// the date's ties.
const invoicesBefore = ` AND ` + invoiceDated + ` <= (SELECT coalesce(issued_at, created_at) FROM invoices WHERE id = ?)
	AND (` + invoiceDated + `, i.id) < (SELECT coalesce(issued_at, created_at), id FROM invoices WHERE id = ?)`

func scanInvoices(rows *sql.Rows, err error) ([]*app.Invoice, error) {
	if err != nil {
		return nil, internal("invoice.list", err)
	}
	defer rows.Close()
	var out []*app.Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, internal("invoice.list", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("invoice.list", err)
	}
	return out, nil
}

// PatientStatement implements app.BillingService. Drafts are left out:
// they are not bills yet. An open of another person's statement is
// audited.
func (s *BillingService) PatientStatement(ctx context.Context, patientID string) (*app.Statement, error) {
	st, err := s.statement(ctx, patientID)
	if err != nil {
		return nil, err
	}
	if err := s.db.auditOpen(ctx, "billing.statement", "patients", patientID, patientID, st.PatientMRN); err != nil {
		return nil, err
	}
	return st, nil
}

// statement is PatientStatement's permission check and read, for the
// methods that audit the read themselves (a print).
func (s *BillingService) statement(ctx context.Context, patientID string) (*app.Statement, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "billing.statement", "patients", patientID, patientID, app.CanSeeBillsOf(c, patientID)); err != nil {
		return nil, err
	}
	st := &app.Statement{PatientID: patientID}
	err := s.db.r.QueryRowContext(ctx, `SELECT trim(given_name || ' ' || family_name), mrn FROM patients WHERE id = ?`,
		patientID).Scan(&st.PatientName, &st.PatientMRN)
	if err == sql.ErrNoRows {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such patient.")
	} else if err != nil {
		return nil, internal("billing.statement", err)
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("billing.statement", err)
	}
	st.Currency = settings.Currency
	invs, err := scanInvoices(s.db.r.QueryContext(ctx, `SELECT `+invoiceColumns+invoiceFrom+`
		WHERE i.patient_id = ? AND i.status <> 'draft' ORDER BY `+invoiceDated+` DESC, i.id DESC`, patientID))
	if err != nil {
		return nil, err
	}
	st.Invoices = invs
	for _, inv := range invs {
		if inv.Status != app.InvoiceVoid {
			st.TotalInvoiced += inv.Totals.Total
		}
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments p WHERE p.patient_id = ?
		ORDER BY p.taken_at DESC, p.id DESC`, patientID)
	if err != nil {
		return nil, internal("billing.statement", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, internal("billing.statement", err)
		}
		st.Payments = append(st.Payments, p)
		if !p.IsReversal() && p.ReversedBy == "" {
			st.TotalPaid += p.Amount
		}
	}
	if err := rows.Err(); err != nil {
		return nil, internal("billing.statement", err)
	}
	st.Balance = st.TotalInvoiced - st.TotalPaid
	return st, nil
}

// outstandingFrom walks the partial index of unpaid invoices, which is in
// the order the list returns; left alone, the planner prefers the status
// index and sorts.
const outstandingFrom = ` FROM invoices i INDEXED BY invoices_outstanding LEFT JOIN credit_notes c ON c.invoice_id = i.id`

// OutstandingInvoices implements app.BillingService: issued and partly paid
// invoices, oldest first, from the status index.
func (s *BillingService) OutstandingInvoices(ctx context.Context, f app.OutstandingFilter) ([]*app.OutstandingInvoice, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "invoice.outstanding", "invoices", "", "", app.CanHandleBills(c)); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("invoice.outstanding", err)
	}
	loc := settings.Location()
	q := `SELECT ` + invoiceColumns + outstandingFrom + ` WHERE i.status IN ('issued', 'partially_paid')`
	var args []any
	if f.After != "" {
		q += ` AND (i.issued_at, i.id) > (SELECT issued_at, id FROM invoices WHERE id = ?)`
		args = append(args, f.After)
	}
	q += ` ORDER BY i.issued_at, i.id LIMIT ?`
	args = append(args, f.Limit)
	invs, err := scanInvoices(s.db.r.QueryContext(ctx, q, args...))
	if err != nil {
		return nil, err
	}
	today := civilDay(s.db.now().In(loc))
	out := make([]*app.OutstandingInvoice, len(invs))
	for i, inv := range invs {
		age := int(today.Sub(civilDay(inv.IssuedAt.In(loc))).Hours() / 24)
		out[i] = &app.OutstandingInvoice{Invoice: inv, AgeDays: age}
	}
	return out, nil
}

// CashUp implements app.BillingService: the payments and refunds a cashier
// recorded during a day of the clinic's time zone.
func (s *BillingService) CashUp(ctx context.Context, cashierID, day string) (*app.CashUp, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "billing.cashup", "users", cashierID, "", app.CanSeeCashUp(c, cashierID)); err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("billing.cashup", err)
	}
	loc := settings.Location()
	d, err := time.ParseInLocation(app.DateLayout, day, loc)
	if err != nil {
		return nil, app.FieldErrorf("day", "%q is not a date: use YYYY-MM-DD.", day)
	}
	from, to := d, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	cu := &app.CashUp{CashierID: cashierID, Day: day, Currency: settings.Currency}
	_ = s.db.r.QueryRowContext(ctx, `SELECT full_name FROM users WHERE id = ?`, cashierID).Scan(&cu.CashierName)
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments p WHERE p.cashier_id = ?
		AND p.taken_at >= ? AND p.taken_at < ? ORDER BY p.taken_at, p.id`, cashierID, formatTime(from), formatTime(to))
	if err != nil {
		return nil, internal("billing.cashup", err)
	}
	defer rows.Close()
	totals := map[app.PaymentMethod]*app.MethodTotal{}
	for _, m := range app.PaymentMethods {
		cu.Methods = append(cu.Methods, app.MethodTotal{Method: m})
	}
	for i := range cu.Methods {
		totals[cu.Methods[i].Method] = &cu.Methods[i]
	}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, internal("billing.cashup", err)
		}
		cu.Receipts = append(cu.Receipts, p)
		t := totals[p.Method]
		t.Count++
		if p.IsReversal() {
			t.Refunded += p.Amount
			cu.Refunded += p.Amount
		} else {
			t.Taken += p.Amount
			cu.Taken += p.Amount
		}
	}
	if err := rows.Err(); err != nil {
		return nil, internal("billing.cashup", err)
	}
	cu.Net = cu.Taken - cu.Refunded
	cu.CashInHand = totals[app.PayCash].Taken - totals[app.PayCash].Refunded
	return cu, nil
}

// Cashiers implements app.BillingService. The users table holds staff and
// patients' accounts; only staff are looked at, each with one index probe
// into the payments they took.
func (s *BillingService) Cashiers(ctx context.Context) ([]*app.Cashier, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "billing.cashiers", "users", "", "", app.CanHandleBills(c)); err != nil {
		return nil, err
	}
	where, args := `u.id = ?`, []any{c.UserID}
	if c.Can(app.PermManageBilling) {
		var takers []string
		for _, r := range app.Roles {
			if app.Can(r, app.PermTakePayment) {
				takers = append(takers, "'"+string(r)+"'")
			}
		}
		where = `u.role <> 'patient' AND ((u.status = 'active' AND u.role IN (` + strings.Join(takers, ", ") + `))
			OR EXISTS (SELECT 1 FROM payments p WHERE p.cashier_id = u.id))`
		args = nil
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT u.id, u.username, u.full_name, u.status = 'active' FROM users u
		WHERE u.deleted_at IS NULL AND `+where+` ORDER BY u.full_name, u.username`, args...)
	if err != nil {
		return nil, internal("billing.cashiers", err)
	}
	defer rows.Close()
	var out []*app.Cashier
	for rows.Next() {
		var ca app.Cashier
		if err := rows.Scan(&ca.ID, &ca.Username, &ca.FullName, &ca.Active); err != nil {
			return nil, internal("billing.cashiers", err)
		}
		out = append(out, &ca)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("billing.cashiers", err)
	}
	return out, nil
}
