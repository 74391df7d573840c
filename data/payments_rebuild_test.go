package data_test

import (
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// paymentsRebuild and auditLogRebuild are the migrations that build
// payments and audit_log again with fewer indexes written by every payment
// and every audited write (docs/ARCHITECTURE.md, "Pages per commit").
const (
	paymentsRebuild = "migrations/0221_payments_reversal_partial.sql"
	auditLogRebuild = "migrations/0222_audit_log_id_not_indexed.sql"
)

// paymentsAfterRebuild are the later migrations of payments' indexes and
// triggers, run after paymentsRebuild again as the migrations run them:
// a refund index no longer unique, and a refund reverses its payment
// whole (issue #21); the dashboard's allocated sum in dash_payments (#18).
var paymentsAfterRebuild = []string{
	"migrations/0234_payments_reversal_not_unique.sql",
	"migrations/0235_payments_reversal_matches.sql",
	"migrations/0244_dash_allocated_in_payments.sql",
}

// TestPaymentsRefundIndexHoldsRefundsOnly: the index of a payment's
// refunds holds the refunds only, so that a payment that is not a refund
// writes no page of it; it is no longer unique (desk migration 0234: a
// payment refunded on two desks apart keeps both refunds), but a refund
// that does not reverse its payment whole is refused by the database
// (0235), and the queries that look a payment's refund up still go
// through the index.
func TestPaymentsRefundIndexHoldsRefundsOnly(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	p1, err := b.svc.Billing.TakePayment(ctx, pay(b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1}).ID, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.RefundPayment(ctx, p1.ID, "paid by mistake"); err != nil {
		t.Fatal(err)
	}
	raw := datatest.RawDB(t, b.db)
	var reversalIndexes []string
	rows, err := raw.Query(`SELECT l.name, l."unique", l.partial FROM pragma_index_list('payments') l
		WHERE EXISTS (SELECT 1 FROM pragma_index_info(l.name) c WHERE c.name = 'reversal_of')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		var unique, partial bool
		if err := rows.Scan(&name, &unique, &partial); err != nil {
			t.Fatal(err)
		}
		reversalIndexes = append(reversalIndexes, name)
		if unique || !partial {
			t.Errorf("index %s on payments.reversal_of: unique %v, partial %v; want an index of the refunds only, not unique", name, unique, partial)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(reversalIndexes) != 1 {
		t.Fatalf("indexes on payments.reversal_of: %v, want one", reversalIndexes)
	}
	// A refund of p1 of another amount written past the services (a
	// tampered or faulty write, a forged pulled row) is refused.
	_, err = raw.Exec(`INSERT INTO payments (id, receipt_number, patient_id, patient_name, patient_mrn, method, amount,
		currency, taken_at, reversal_of, reason, created_at, updated_at)
		SELECT 'second-refund', 'R-X-1', patient_id, patient_name, patient_mrn, method, 1, currency, taken_at, id,
			'again', created_at, updated_at FROM payments WHERE id = ?`, p1.ID)
	if err == nil || !strings.Contains(err.Error(), "a refund must reverse its payment whole") {
		t.Fatalf("a refund of another amount: %v, want refused", err)
	}
	for _, q := range []string{
		`SELECT 1 FROM payment_allocations a WHERE a.invoice_id = 'i' AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)`,
		`SELECT coalesce((SELECT r.id FROM payments r WHERE r.reversal_of = 'p' ORDER BY r.created_at, r.id LIMIT 1), '')`,
	} {
		plan := strings.Join(queryPlan(t, b.db, q), "; ")
		if !strings.Contains(plan, "INDEX "+reversalIndexes[0]+" (reversal_of=?)") {
			t.Errorf("%s\n  does not look the refund up by %s: %s", q, reversalIndexes[0], plan)
		}
	}
}

// TestPaymentsRebuildKeepsRows runs the migration that builds payments
// again on a database with payments, a refund, allocations and a printed
// receipt, with foreign keys enforced as HMS's connections do: every row
// keeps its values and its rowid (a receipt's "balance after" orders
// payments by it), every index and trigger is there again, no foreign key
// is left dangling and verify (the records' seals) still passes.
func TestPaymentsRebuildKeepsRows(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	var ids []string
	for range 3 {
		inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
		p, err := b.svc.Billing.TakePayment(ctx, pay(inv.ID, 100))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if _, err := b.svc.Billing.RefundPayment(ctx, ids[1], "wrong patient"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.ReceiptPDF(ctx, ids[2], false); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(paymentsRebuild)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range paymentsAfterRebuild {
		later, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		body = append(append(body, '\n'), later...)
	}
	raw, err := sql.Open(datatest.TamperDriver, "file:"+b.db.Path()+"?_busy_timeout=5000&_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	dump := func() (rows, schema []string) {
		t.Helper()
		return queryStrings(t, raw, `SELECT rowid || ' ' || json_array(id, receipt_number, patient_id, patient_name,
				patient_mrn, method, amount, tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at,
				reversal_of, reason, created_at, updated_at, deleted_at, server_seq) FROM payments ORDER BY rowid`),
			queryStrings(t, raw, `SELECT type || ' ' || name FROM sqlite_schema WHERE tbl_name = 'payments' ORDER BY 1`)
	}
	rowsBefore, schemaBefore := dump()
	if len(rowsBefore) != 4 {
		t.Fatalf("%d payments, want 4", len(rowsBefore))
	}
	if _, err := raw.Exec("BEGIN IMMEDIATE;\n" + string(body) + "\nCOMMIT;"); err != nil {
		t.Fatal(err)
	}
	rowsAfter, schemaAfter := dump()
	if !slices.Equal(rowsBefore, rowsAfter) {
		t.Errorf("payments changed:\n  before %q\n  after  %q", rowsBefore, rowsAfter)
	}
	if !slices.Equal(schemaBefore, schemaAfter) {
		t.Errorf("payments' indexes and triggers changed:\n  before %q\n  after  %q", schemaBefore, schemaAfter)
	}
	if dangling := queryStrings(t, raw, `SELECT "table" || ' ' || parent FROM pragma_foreign_key_check`); len(dangling) > 0 {
		t.Errorf("foreign keys left dangling: %v", dangling)
	}
	rep, err := b.db.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("verify after the rebuild: %+v %v", rep, err)
	}
	// The triggers work again: a payment is summed, queued and sealed.
	if _, err := b.svc.Billing.TakePayment(ctx, pay(b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1}).ID, 100)); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.db.Verify(ctx); err != nil || !rep.OK() {
		t.Fatalf("verify after a payment: %+v %v", rep, err)
	}
}

// TestAuditLogRebuildKeepsChain runs the migration that builds audit_log
// again without the index of its ids on a database with an audit trail:
// every row keeps its seq and values, the indexes the queries use and the
// append-only triggers are there again (the log still refuses an edit),
// no index is left on id, and verify (the chain and the seals) passes.
func TestAuditLogRebuildKeepsChain(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	if _, err := b.svc.Billing.TakePayment(ctx, pay(b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1}).ID, 100)); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(auditLogRebuild)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(datatest.TamperDriver, "file:"+b.db.Path()+"?_busy_timeout=5000&_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	dump := func() (rows, schema []string) {
		t.Helper()
		return queryStrings(t, raw, `SELECT json_array(seq, id, site_id, at, user_id, username, role, action, entity,
				entity_id, patient_id, outcome, detail, prev_hash, hash, seal) FROM audit_log ORDER BY seq`),
			queryStrings(t, raw, `SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema
				WHERE tbl_name = 'audit_log' AND type <> 'table' ORDER BY name`)
	}
	rowsBefore, schemaBefore := dump()
	if len(rowsBefore) < 5 {
		t.Fatalf("%d audit rows, want a trail", len(rowsBefore))
	}
	if _, err := raw.Exec("BEGIN IMMEDIATE;\n" + string(body) + "\nCOMMIT;"); err != nil {
		t.Fatal(err)
	}
	rowsAfter, schemaAfter := dump()
	if !slices.Equal(rowsBefore, rowsAfter) {
		t.Errorf("audit_log changed:\n  before %q\n  after  %q", rowsBefore, rowsAfter)
	}
	if !slices.Equal(schemaBefore, schemaAfter) {
		t.Errorf("audit_log's indexes and triggers changed:\n  before %q\n  after  %q", schemaBefore, schemaAfter)
	}
	if onID := queryStrings(t, raw, `SELECT l.name FROM pragma_index_list('audit_log') l
		WHERE EXISTS (SELECT 1 FROM pragma_index_info(l.name) c WHERE c.name = 'id')`); len(onID) > 0 {
		t.Errorf("indexes of audit_log.id, which no query reads: %v", onID)
	}
	if _, err := raw.Exec(`UPDATE audit_log SET detail = 'edited' WHERE seq = 1`); err == nil ||
		!strings.Contains(err.Error(), "append-only") {
		t.Errorf("an audit row edited after the rebuild: %v", err)
	}
	rep, err := b.db.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("verify after the rebuild: %+v %v", rep, err)
	}
	if _, err := b.svc.Billing.TakePayment(ctx, pay(b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1}).ID, 100)); err != nil {
		t.Fatal(err)
	}
	if rep, err := b.db.Verify(ctx); err != nil || !rep.OK() {
		t.Fatalf("verify after a payment: %+v %v", rep, err)
	}
}

// queryStrings returns the first column of q's rows.
func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
