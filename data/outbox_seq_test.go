package data_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

// outboxSeqs returns the seqs of the outbox's rows, in order.
func outboxSeqs(t *testing.T, raw *sql.DB, table string) []int64 {
	t.Helper()
	rows, err := raw.Query(`SELECT seq FROM ` + table + ` ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOutboxSeqNeverGivenTwice: without AUTOINCREMENT (migration 0228) an
// operation's seq is still never given again once it has left the outbox
// (outbox_sent keeps it as its primary key, the server as the desk's last
// operation): not when the acknowledged rows were the outbox's top ones
// and a lower one stayed (rejected, waiting), nor when the outbox was
// emptied, nor after a snapshot's deletion. A row put back from outbox_sent
// (requeueSent) keeps its seq, and an edit queued as the first row after
// the outbox emptied still gets its base (the lineage the server merges
// by) before it moves above the seqs given.
func TestOutboxSeqNeverGivenTwice(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	raw := datatest.RawDB(t, b.db)
	line := app.LineInput{PriceItemID: b.lab.ID, Quantity: 1}
	var given int64 // the highest seq given so far
	seen := func(step string) []int64 {
		t.Helper()
		seqs := outboxSeqs(t, raw, "outbox")
		sent := outboxSeqs(t, raw, "outbox_sent")
		for _, s := range seqs {
			if slices.Contains(sent, s) {
				t.Fatalf("%s: seq %d is in the outbox and in outbox_sent", step, s)
			}
		}
		return seqs
	}
	// newRows checks that what step queued took seqs above every seq
	// given before it.
	newRows := func(step string, before []int64) {
		t.Helper()
		n := 0
		for _, s := range seen(step) {
			if slices.Contains(before, s) {
				continue
			}
			n++
			if s <= given {
				t.Errorf("%s: a new operation took seq %d, given before (highest %d)", step, s, given)
			}
		}
		if n == 0 {
			t.Fatalf("%s queued nothing", step)
		}
		for _, s := range append(outboxSeqs(t, raw, "outbox"), outboxSeqs(t, raw, "outbox_sent")...) {
			given = max(given, s)
		}
	}
	// ack moves the outbox's rows but the keep lowest to outbox_sent, as
	// the push's acknowledgment does (push.go).
	ack := func(keep int) {
		t.Helper()
		seqs := outboxSeqs(t, raw, "outbox")
		if len(seqs) <= keep {
			t.Fatalf("%d rows in the outbox, cannot keep %d", len(seqs), keep)
		}
		list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(seqs[keep:])), ","), "[]")
		if _, err := raw.Exec(`INSERT INTO outbox_sent (seq, op_id, entity, row_id, kind, payload, hlc, base, acked_at)
			SELECT seq, op_id, entity, row_id, kind, payload, hlc, base, '2026-01-01T00:00:00Z' FROM outbox WHERE seq IN (` + list + `)`); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`DELETE FROM outbox WHERE seq IN (` + list + `)`); err != nil {
			t.Fatal(err)
		}
	}
	b.issued(t, line)
	for _, s := range seen("a first invoice") {
		given = max(given, s)
	}
	before := seen("before an invoice")
	b.issued(t, line)
	newRows("an invoice", before)

	// The top rows acknowledged, the lowest waiting.
	ack(1)
	before = seen("acked but one")
	b.issued(t, line)
	newRows("an invoice after the top rows left", before)

	// The outbox emptied; the next write is an edit of a patient, whose
	// base (written by outbox_edit_base, the trigger that also moves the
	// row) must be written before the row moves.
	d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: []app.LineInput{line}})
	if err != nil {
		t.Fatal(err)
	}
	ack(0)
	name := "Zoé"
	if _, err := b.svc.Patients.UpdatePatient(b.ctx(app.RoleReception), b.patientID, app.PatientUpdate{GivenName: &name}); err != nil {
		t.Fatal(err)
	}
	newRows("an edit after the outbox emptied", nil)
	var first, kind, base string
	if err := raw.QueryRow(`SELECT entity, kind, base FROM outbox ORDER BY seq LIMIT 1`).Scan(&first, &kind, &base); err != nil {
		t.Fatal(err)
	}
	if first != "patients" || kind != "update" {
		t.Fatalf("the edit's first queued row is %s %s, want the patient's update", kind, first)
	}
	if base == "" || base == "{}" {
		t.Errorf("the patient's edit, queued first after the outbox emptied, has base %q", base)
	}
	if _, err := b.svc.Billing.SetInvoiceDiscount(ctx, d.ID, 500, 0, nil); err != nil {
		t.Fatal(err)
	}

	// Put back from outbox_sent, as requeueSent does: the row keeps its
	// seq, and what comes after still goes above every seq given.
	sent := outboxSeqs(t, raw, "outbox_sent")
	back := sent[len(sent)-1]
	ack(0)
	if _, err := raw.Exec(`INSERT INTO outbox (seq, op_id, entity, row_id, kind, payload, hlc, attempts, last_error, base)
		SELECT seq, op_id, entity, row_id, kind, payload, hlc, 1, 'held', base FROM outbox_sent WHERE seq = ?`, back); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM outbox_sent WHERE seq = ?`, back); err != nil {
		t.Fatal(err)
	}
	if got := seen("put back"); !slices.Equal(got, []int64{back}) {
		t.Fatalf("the outbox after a row was put back: %v, want [%d]", got, back)
	}
	before = seen("put back")
	if _, err := b.svc.Billing.IssueInvoice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	newRows("an issue after a row was put back", before)

	// A snapshot's deletion (snapshot.go) leaves nothing in outbox_sent.
	if _, err := raw.Exec(`DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	b.issued(t, line)
	newRows("an invoice after the outbox was deleted", nil)
}

// TestOutboxOpIDsDistinct: op_id is no longer UNIQUE on the desk (the
// server keeps it so); the column's default still makes them distinct, in
// UUIDv7's form, for many rows queued in the same millisecond.
func TestOutboxOpIDsDistinct(t *testing.T) {
	b := mustBilling(t)
	raw := datatest.RawDB(t, b.db)
	const n = 20000
	if _, err := raw.Exec(`INSERT INTO outbox (entity, row_id, kind, payload, hlc)
		WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ?)
		SELECT 'settings', 'op-id-test-' || k, 'insert', '{}', '2026-01-01T00:00:00.001Z-0000-site' FROM i`, n); err != nil {
		t.Fatal(err)
	}
	var rows, distinct, shaped int
	if err := raw.QueryRow(`SELECT count(*), count(DISTINCT op_id),
			count(*) FILTER (WHERE op_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-7[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')
		FROM outbox WHERE row_id LIKE 'op-id-test-%'`).Scan(&rows, &distinct, &shaped); err != nil {
		t.Fatal(err)
	}
	if rows != n || distinct != n || shaped != n {
		t.Errorf("%d rows, %d distinct op ids, %d shaped as UUIDv7; want %d each", rows, distinct, shaped, n)
	}
}

// TestOutboxRebuildKeepsRows builds a database at the schema before
// migration 0228 with operations queued and sent (the top ones sent, so
// that AUTOINCREMENT's counter is above the outbox's highest seq), opens
// it (which migrates it) and finds every row of the outbox and of
// outbox_sent as it was, the outbox without op_id's index and
// sqlite_sequence's row, its other index and triggers there, and the next
// operation above every seq given before.
func TestOutboxRebuildKeepsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hms.db")
	if err := data.MigrateUpTo(path, 223); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sync_meta (id, site_id) VALUES (1, 'site-0228')`,
		`INSERT INTO outbox (entity, row_id, kind, payload, hlc, base, attempts, last_error)
			WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 9)
			SELECT 'settings', 'key-' || k, iif(k % 2, 'insert', 'update'), json_object('value', k), printf('2026-01-01T00:00:00.%03dZ-0000-site-0228', k),
				iif(k % 2, '', '{"value":[""]}'), k % 3, iif(k % 3, 'refused', '') FROM i`,
		`INSERT INTO outbox_sent (seq, op_id, entity, row_id, kind, payload, hlc, base, acked_at)
			SELECT seq, op_id, entity, row_id, kind, payload, hlc, base, '2026-01-01T00:00:00Z' FROM outbox WHERE seq >= 7`,
		`DELETE FROM outbox WHERE seq >= 7`,
		`INSERT INTO outbox_sent (seq, op_id, entity, row_id, kind, payload, hlc, base, acked_at)
			SELECT seq, op_id, entity, row_id, kind, payload, hlc, base, '2026-01-01T00:00:00Z' FROM outbox WHERE seq <= 2`,
		`DELETE FROM outbox WHERE seq <= 2`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	dump := func(db *sql.DB) (outbox, sent, schema []string) {
		t.Helper()
		return queryStrings(t, db, `SELECT json_array(seq, op_id, entity, row_id, kind, payload, hlc, attempts, last_error, base) FROM outbox ORDER BY seq`),
			queryStrings(t, db, `SELECT json_array(seq, op_id, entity, row_id, kind, payload, hlc, acked_at, base) FROM outbox_sent ORDER BY seq`),
			queryStrings(t, db, `SELECT type || ' ' || name FROM sqlite_schema WHERE tbl_name = 'outbox' ORDER BY 1`)
	}
	outboxBefore, sentBefore, schemaBefore := dump(old)
	if len(outboxBefore) != 4 || len(sentBefore) != 5 {
		t.Fatalf("%d queued and %d sent before, want 4 and 5", len(outboxBefore), len(sentBefore))
	}
	old.Close()

	db, err := data.Open(path, data.Options{HashParams: cheapHash})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw := datatest.RawDB(t, db)
	outboxAfter, sentAfter, schemaAfter := dump(raw)
	if !slices.Equal(outboxBefore, outboxAfter) {
		t.Errorf("the outbox changed:\n  before %q\n  after  %q", outboxBefore, outboxAfter)
	}
	if !slices.Equal(sentBefore, sentAfter) {
		t.Errorf("outbox_sent changed:\n  before %q\n  after  %q", sentBefore, sentAfter)
	}
	var wantSchema []string
	for _, s := range schemaBefore {
		if s != "index sqlite_autoindex_outbox_1" {
			wantSchema = append(wantSchema, s)
		}
	}
	if !slices.Equal(schemaAfter, wantSchema) {
		t.Errorf("the outbox's indexes and triggers:\n  before %q\n  after  %q\n  want   %q", schemaBefore, schemaAfter, wantSchema)
	}
	var autoinc int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_sequence WHERE name = 'outbox'`).Scan(&autoinc); err != nil {
		t.Fatal(err)
	}
	if autoinc != 0 {
		t.Error("the outbox still has a row in sqlite_sequence")
	}
	var seq int64
	if err := raw.QueryRow(`INSERT INTO outbox (entity, row_id, kind, payload, hlc) VALUES ('settings', 'key-10', 'insert', '{}', '2026-01-01T00:00:00.010Z-0000-site-0228')
		RETURNING seq`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	// RETURNING gives the seq as inserted; the trigger may move it.
	if err := raw.QueryRow(`SELECT seq FROM outbox WHERE row_id = 'key-10'`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if seq != 10 {
		t.Errorf("the next operation took seq %d, want 10 (9 was given before the migration)", seq)
	}
	if rep, err := db.Verify(t.Context()); err != nil || !rep.OK() {
		t.Errorf("verify after the migration: %+v %v", rep, err)
	}
}

// TestOutboxRowsOfAPaymentShareALeaf: the outbox's index of records
// (outbox_row, migration 0229) is keyed by the record first, whose key is
// a UUIDv7 beginning with the time it was made, so the operations a
// payment queues (the payment, its allocation, the invoice, the timeline
// event: records made moments before) go next to each other at the end
// of the index, in an outbox that holds many operations (a desk that has
// not pushed for a while). Keyed by the table first, each went into its
// table's range in the middle of the index: one leaf each, and more from
// splits (52 pages in this test's ten payments before, 34 now: the
// records' entries go before those of keys that are not UUIDs, such as
// the power fields' signatures', so not at the very end, where SQLite
// appends to a full leaf without rebalancing it). The queries that look
// the outbox up by record still go through the index.
func TestOutboxRowsOfAPaymentShareALeaf(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	raw := datatest.RawDB(t, b.db)
	// An outbox of many operations, of many tables, none pushed.
	for i := range 150 {
		if _, err := b.svc.Patients.CreatePatient(b.ctx(app.RoleAdmin), app.PatientCreate{GivenName: fmt.Sprintf("Queue%d", i),
			FamilyName: "Leaf", Sex: app.SexFemale, BirthDate: "1980-03-04"}); err != nil {
			t.Fatal(err)
		}
	}
	lines := []app.LineInput{{PriceItemID: b.lab.ID, Quantity: 2}, {Description: "Item", Quantity: 1, UnitPrice: 1234}}
	pay := func(inv *app.Invoice) {
		if _, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
			Tendered: inv.Balance, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
			t.Fatal(err)
		}
	}
	for range 40 {
		pay(b.issued(t, lines...))
	}
	const payments = 10
	var invs []*app.Invoice
	for range payments {
		invs = append(invs, b.issued(t, lines...))
	}
	var frames [][]uint32
	for _, inv := range invs {
		truncateWAL(t, raw)
		pay(inv)
		frames = append(frames, walFrames(t, b.db))
	}
	truncateWAL(t, raw)
	owner := btreePages(t, b.db)
	pages := 0
	for _, f := range frames {
		for _, p := range f {
			if owner[p] == "outbox_row" {
				pages++
			}
		}
	}
	var queued int
	if err := raw.QueryRow(`SELECT count(*) FROM outbox`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	t.Logf("outbox_row: %d pages in %d payments (%d operations queued)", pages, payments, queued)
	// 52 before 0229, 34 after.
	if pages > 4*payments {
		t.Errorf("the payments' outbox rows wrote %d pages of outbox_row, more than 4 a payment", pages)
	}
	for _, q := range []string{
		`SELECT kind, payload, hlc FROM outbox WHERE entity = 'invoices' AND row_id = 'x'`,
		`SELECT count(*) FROM outbox WHERE entity = 'users' AND row_id = 'x' AND kind = 'insert' AND hlc = 'h'`,
		`SELECT max(seq) FROM outbox WHERE entity = 'patients' AND row_id = 'x' AND kind = 'update'`,
		`SELECT 1 FROM invoice_lines l WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'invoice_lines' AND o.row_id = l.id AND o.kind = 'insert')`,
	} {
		if plan := strings.Join(queryPlan(t, b.db, q), "; "); !strings.Contains(plan, "INDEX outbox_row (row_id=? AND entity=?)") {
			t.Errorf("%s\n  does not look the outbox up by outbox_row: %s", q, plan)
		}
	}
}
