package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hms/app"
	"hms/app/pdf"
)

// The printed billing reports. Each reads what it prints from the reader
// pool, with the permission check (and audited refusal) of the list on
// screen: the statement and the cash-up through PatientStatement and
// CashUp themselves. It renders the document outside any transaction, so
// the desk's one writer is never held for it, and then records the print
// in the audit log; the document is returned only once its audit row is
// committed. The caller travels in the context, so the check and the
// audit row are about the same caller.

// StatementPDF implements app.BillingService.
func (s *BillingService) StatementPDF(ctx context.Context, patientID string) ([]byte, error) {
	st, err := s.statement(ctx, patientID)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("statement.print", err)
	}
	lang, err := patientLang(ctx, s.db.r, patientID)
	if err != nil {
		return nil, internal("statement.print", err)
	}
	b, err := pdf.Statement(settings, st, settings.Location(), s.db.now(), lang)
	if err != nil {
		return nil, internal("statement.print", err)
	}
	detail := fmt.Sprintf("statement of %s: %d invoices, %d payments, balance %s", st.PatientMRN,
		len(st.Invoices), len(st.Payments), app.Format(st.Balance, st.Currency))
	if err := s.auditPrint(ctx, "statement.print", "patients", patientID, patientID, detail); err != nil {
		return nil, err
	}
	return b, nil
}

// CashUpPDF implements app.BillingService.
func (s *BillingService) CashUpPDF(ctx context.Context, cashierID, day string) ([]byte, error) {
	cu, err := s.CashUp(ctx, cashierID, day)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	c, _ := app.CallerFromContext(ctx)
	lang, err := readerLang(ctx, s.db.r, c)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	b, err := pdf.CashUp(settings, cu, settings.Location(), s.db.now(), lang)
	if err != nil {
		return nil, internal("cashup.print", err)
	}
	detail := fmt.Sprintf("cash-up of %s on %s: %d receipts, net %s, cash in hand %s", cu.CashierName, cu.Day,
		len(cu.Receipts), app.Format(cu.Net, cu.Currency), app.Format(cu.CashInHand, cu.Currency))
	if err := s.auditPrint(ctx, "cashup.print", "users", cashierID, "", detail); err != nil {
		return nil, err
	}
	return b, nil
}

// outstandingPDFLimit is how many invoices the outstanding report lists at
// most, the oldest first (about 45 pages): a printout of every one of a
// large clinic's would run to thousands of pages. Its totals count every
// one. Tests lower it.
var outstandingPDFLimit = 2000

// OutstandingPDF implements app.BillingService: the same staff as
// OutstandingInvoices. The list and its totals are read in one read
// transaction, so they agree even while payments are being taken.
func (s *BillingService) OutstandingPDF(ctx context.Context) ([]byte, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "outstanding.print", "invoices", "", "", app.CanHandleBills(c)); err != nil {
		return nil, err
	}
	settings, r, err := s.outstandingReport(ctx)
	if err != nil {
		return nil, internal("outstanding.print", err)
	}
	lang, err := readerLang(ctx, s.db.r, c)
	if err != nil {
		return nil, internal("outstanding.print", err)
	}
	b, err := pdf.Outstanding(settings, r, settings.Location(), lang)
	if err != nil {
		return nil, internal("outstanding.print", err)
	}
	detail := fmt.Sprintf("%d outstanding invoices, %d listed, balance %s", r.Count, len(r.Invoices),
		app.Format(r.Balance, r.Currency))
	if err := s.auditPrint(ctx, "outstanding.print", "invoices", "", "", detail); err != nil {
		return nil, err
	}
	return b, nil
}

// outstandingTotalsSQL sums every outstanding invoice, walking the same
// partial index as the list: the count, what was invoiced and what paid,
// then, for each of the bounds given as arguments, the balance of the
// invoices issued at or after it. The list is materialized so that each
// invoice's total and paid amount are computed once: left to itself,
// SQLite flattens the subquery and evaluates them again for every sum
// that uses them (three times slower).
func outstandingTotalsSQL(bounds int) string {
	var b strings.Builder
	b.WriteString(`WITH open_invoices AS MATERIALIZED (SELECT i.issued_at AS issued_at,
		(SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id) AS total,
		` + paidSQL + ` AS paid
		FROM invoices i INDEXED BY invoices_outstanding WHERE i.status IN ('issued', 'partially_paid'))
	SELECT count(*), coalesce(sum(total), 0), coalesce(sum(paid), 0)`)
	for i := range bounds {
		fmt.Fprintf(&b, `,
	coalesce(sum(CASE WHEN issued_at >= ?%d THEN total - paid END), 0)`, i+1)
	}
	b.WriteString(` FROM open_invoices`)
	return b.String()
}

// outstandingReport reads the oldest outstandingPDFLimit outstanding
// invoices and the totals of all of them, in one snapshot.
func (s *BillingService) outstandingReport(ctx context.Context) (*app.Settings, *pdf.OutstandingReport, error) {
	tx, err := s.db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	settings, err := readSettings(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	loc := settings.Location()
	now := s.db.now()
	r := &pdf.OutstandingReport{Currency: settings.Currency, PrintedAt: now, ByAge: make([]app.Money, len(app.AgeBands))}

	// An invoice is at most n days old when it was issued on or after the
	// start of the day n days before today, in the clinic's time zone. The
	// bands are consecutive, so each one's balance is the difference of
	// two such sums; the last band has no bound and takes the rest.
	today := now.In(loc)
	var bounds []any
	for _, b := range app.AgeBands[:len(app.AgeBands)-1] {
		bounds = append(bounds, formatTime(time.Date(today.Year(), today.Month(), today.Day()-b.MaxDays, 0, 0, 0, 0, loc)))
	}
	within := make([]app.Money, len(bounds))
	dest := []any{&r.Count, &r.Invoiced, &r.Paid}
	for i := range within {
		dest = append(dest, &within[i])
	}
	if err := tx.QueryRowContext(ctx, outstandingTotalsSQL(len(bounds)), bounds...).Scan(dest...); err != nil {
		return nil, nil, fmt.Errorf("outstanding totals: %w", err)
	}
	r.Balance = r.Invoiced - r.Paid
	var prev app.Money
	for i, w := range within {
		r.ByAge[i] = w - prev
		prev = w
	}
	r.ByAge[len(r.ByAge)-1] = r.Balance - prev

	invs, err := scanInvoices(tx.QueryContext(ctx, `SELECT `+invoiceColumns+outstandingFrom+`
		WHERE i.status IN ('issued', 'partially_paid') ORDER BY i.issued_at, i.id LIMIT ?`, outstandingPDFLimit))
	if err != nil {
		return nil, nil, err
	}
	todayDay := civilDay(today)
	for _, inv := range invs {
		age := int(todayDay.Sub(civilDay(inv.IssuedAt.In(loc))).Hours() / 24)
		r.Invoices = append(r.Invoices, &app.OutstandingInvoice{Invoice: inv, AgeDays: age})
	}
	return settings, r, nil
}

// auditPrint records that the caller printed a report. The caller was
// checked by the read that gathered what the report shows.
func (s *BillingService) auditPrint(ctx context.Context, action, entity, entityID, patientID, detail string) error {
	return s.db.writeFor(ctx, action, entity, entityID, patientID, func(tx *Tx) error {
		tx.Audit(action, entity, entityID, patientID, detail)
		return nil
	})
}
