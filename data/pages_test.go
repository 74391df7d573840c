package data_test

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
)

// TestIssueAndPayPages lists the pages an invoice's issue and its payment
// write to the WAL, named by the table or index (b-tree) each belongs to,
// and fails if either writes more b-trees than it did when the count was
// last lowered (docs/ARCHITECTURE.md, "The cost of a payment"). On this
// small database each b-tree is one or two pages; at a million patients
// BenchmarkIssueAndPay's issue-pages/op and pay-pages/op count the pages.
// Every b-tree written costs the commit at least one page: its leaf.
//
// Raised from 24 and 32 by desk 0182 and 0183 (issue #21): an invoice's
// fields keep field clocks (field_clock, one b-tree more for an issue and
// for a payment, which changes the status), and an issue writes the page
// of the schema's first page once the file grows. Lower them again when
// the life-cycle fields stop needing clocks of their own.
//
// Lowered to 25 and 32 by desk 0197: a write's outbox rows no longer write
// the desk's newest clock reading into sync_meta (the outbox's last row
// holds it), so neither commit writes sync_meta's page.
//
// Lowered to 25 and 31 by desk 0221: the index of payments.reversal_of
// holds the refunds only, no longer a NULL entry for every payment.
//
// Lowered to 24 and 30 by desk 0222: audit_log.id has no index (no query
// reads an audit row by its id).
//
// Lowered to 22 and 28 by desk 0228: the outbox's seq is no longer
// AUTOINCREMENT (sqlite_sequence's page) and its op_id no longer UNIQUE
// (the automatic index's page); TestOutboxSeqNeverGivenTwice and
// TestOutboxOpIDsDistinct hold what they guaranteed.
//
// Lowered to 21 and 27 by desk 0243 (issue #18): the dashboard's summaries
// are one b-tree per commit, dash_revenue for the issue (the day's
// invoices and the all-days total in it, no dash_invoices) and
// dash_payments for the payment (the allocated sum in its all-days row,
// no dash_allocated).
func TestIssueAndPayPages(t *testing.T) {
	const wantIssue, wantPay = 21, 27
	b := mustBilling(t)
	ctx := b.billing()
	raw := datatest.RawDB(t, b.db)
	lines := []app.LineInput{{PriceItemID: b.lab.ID, Quantity: 2}}
	for i := range 4 {
		lines = append(lines, app.LineInput{Description: fmt.Sprintf("Item %d", i), Quantity: int64(i + 1),
			UnitPrice: 1234, DiscountRate: 500, TaxRate: 1300})
	}
	// A first issue and payment, so that what is written once ever (the
	// first row of a table) is not counted.
	for range 2 {
		d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: lines})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := b.svc.Billing.IssueInvoice(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
			Tendered: inv.Balance, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	// written runs f with the WAL emptied first and returns the pages f's
	// commits wrote to it.
	written := func(f func()) []uint32 {
		t.Helper()
		truncateWAL(t, raw)
		f()
		wal, err := os.ReadFile(b.db.Path() + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		size := int(binary.BigEndian.Uint32(wal[8:]))
		var pages []uint32
		for off := 32; off+24+size <= len(wal); off += 24 + size {
			pages = append(pages, binary.BigEndian.Uint32(wal[off:]))
		}
		return pages
	}
	var inv *app.Invoice
	issue := written(func() {
		if inv, err = b.svc.Billing.IssueInvoice(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	})
	pay := written(func() {
		if _, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
			Tendered: inv.Balance + 1000, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
			t.Fatal(err)
		}
	})
	truncateWAL(t, raw)
	owner := btreePages(t, b.db)
	for _, c := range []struct {
		name  string
		pages []uint32
		want  int
	}{{"issue", issue, wantIssue}, {"payment", pay, wantPay}} {
		if trees := logTrees(t, c.name, c.pages, owner); trees > c.want {
			t.Errorf("%s wrote %d b-trees, at most %d", c.name, trees, c.want)
		}
	}
}

// logTrees logs the pages a commit wrote by the b-tree each belongs to
// (owner, from btreePages) and returns how many b-trees they are.
func logTrees(t testing.TB, what string, pages []uint32, owner map[uint32]string) int {
	t.Helper()
	trees := map[string]int{}
	for _, p := range pages {
		name := owner[p]
		if name == "" {
			name = "(no b-tree: overflow or free page)"
		}
		trees[name]++
	}
	names := make([]string, 0, len(trees))
	for n, k := range trees {
		names = append(names, fmt.Sprintf("%s ×%d", n, k))
	}
	slices.Sort(names)
	t.Logf("%s: %d pages in %d b-trees: %s", what, len(pages), len(trees), strings.Join(names, ", "))
	return len(trees)
}

// truncateWAL copies the WAL into the database and empties it, trying again
// while the background checkpointer holds the checkpoint.
func truncateWAL(t testing.TB, raw *sql.DB) {
	t.Helper()
	for range 100 {
		var busy, log, done int
		if err := raw.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the WAL could not be emptied")
}

// btreePages maps every page of every table and index of db's file (the
// WAL checkpointed into it) to the b-tree's name, read by walking the
// b-trees from their root pages (the file format's b-tree pages).
func btreePages(t testing.TB, db *data.DB) map[uint32]string {
	t.Helper()
	raw := datatest.RawDB(t, db)
	file, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	size := int(binary.BigEndian.Uint16(file[16:]))
	if size == 1 {
		size = 65536
	}
	owner := map[uint32]string{}
	var walk func(name string, p uint32)
	walk = func(name string, p uint32) {
		if p == 0 || int(p)*size > len(file) || owner[p] != "" {
			return
		}
		owner[p] = name
		page := file[int(p-1)*size : int(p)*size]
		h := 0
		if p == 1 {
			h = 100
		}
		if typ := page[h]; typ != 2 && typ != 5 { // not an interior page
			return
		}
		cells := int(binary.BigEndian.Uint16(page[h+3:]))
		for i := range cells {
			cell := int(binary.BigEndian.Uint16(page[h+12+2*i:]))
			walk(name, binary.BigEndian.Uint32(page[cell:]))
		}
		walk(name, binary.BigEndian.Uint32(page[h+8:]))
	}
	walk("sqlite_schema", 1)
	rows, err := raw.Query(`SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var root uint32
		if err := rows.Scan(&name, &root); err != nil {
			t.Fatal(err)
		}
		walk(name, root)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return owner
}

// TestWALStartsAgainUnderSteadyWrites: with writes following each other
// without pause, the WAL still starts again from its beginning now and
// then (checkpoint.go, walRestartPages), so it stays far smaller than all
// that was written to it and commits mostly overwrite it rather than grow
// the file. Before, a PASSIVE checkpoint never found every page copied
// when a write began, and the WAL grew with every commit.
func TestWALStartsAgainUnderSteadyWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hms.db")
	db, err := data.Open(path, data.Options{HashParams: cheapHash, CheckpointEvery: 20 * time.Millisecond, WALRestartPages: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.ExecWriter(`CREATE TABLE fill (id INTEGER PRIMARY KEY, v BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var written, most, restarts int
	_, salt, err := db.WALFrames()
	if err != nil {
		t.Fatal(err)
	}
	before := 0
	for start := time.Now(); time.Since(start) < 2*time.Second; {
		// About eight pages a commit, as a payment writes some fifty.
		if err := db.ExecWriter(`INSERT INTO fill (v) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8)
			SELECT randomblob(3000) FROM n`); err != nil {
			t.Fatal(err)
		}
		frames, s, err := db.WALFrames()
		if err != nil {
			t.Fatal(err)
		}
		if s != salt {
			restarts++
			before = 0
		}
		written += int(frames) - before
		before, salt, most = int(frames), s, max(most, int(frames))
	}
	t.Logf("%d pages written to the WAL, %d restarts, at most %d pages in it", written, restarts, most)
	if restarts == 0 || most > written/4 {
		t.Errorf("the WAL held up to %d pages of the %d written (%d restarts): it should start again", most, written, restarts)
	}
}

// TestSealsOfAPaymentShareALeaf: the seals of the records a payment writes
// (the payment, its allocation, the invoice, the timeline event: all made
// moments before) go next to each other at the end of audit_seal_row,
// whose key begins with the record's key, a UUIDv7 that begins with the
// time it was made (migration 0175). Before, the index began with the
// table's name, and each went into its own table's range in the middle of
// the index: one leaf each, and more from splits (here 60 pages in ten
// payments before, 42 now).
func TestSealsOfAPaymentShareALeaf(t *testing.T) {
	b := mustBilling(t)
	ctx := b.billing()
	raw := datatest.RawDB(t, b.db)
	// Enough records for the seals' index to have many leaves, and for
	// each table's seals to fill leaves of their own.
	for i := range 150 {
		if _, err := b.svc.Patients.CreatePatient(b.ctx(app.RoleAdmin), app.PatientCreate{GivenName: fmt.Sprintf("Seal%d", i),
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
	seals := 0
	for _, f := range frames {
		for _, p := range f {
			if owner[p] == "audit_seal_row" {
				seals++
			}
		}
	}
	t.Logf("audit_seal_row: %d pages in %d payments", seals, payments)
	if seals > 5*payments {
		t.Errorf("the payments' seals wrote %d pages of audit_seal_row, more than 5 a payment", seals)
	}
}

// walFrames returns the page number of each frame in db's WAL, in order.
func walFrames(t testing.TB, db *data.DB) []uint32 {
	t.Helper()
	wal, err := os.ReadFile(db.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if len(wal) < 32 {
		return nil
	}
	size := int(binary.BigEndian.Uint32(wal[8:]))
	var pages []uint32
	for off := 32; off+24+size <= len(wal); off += 24 + size {
		pages = append(pages, binary.BigEndian.Uint32(wal[off:]))
	}
	return pages
}
