package data_test

import (
	"context"
	"fmt"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"

	"hms/app"
)

// TestIssueAndPayStatements counts the statements an invoice's issue and
// its payment in full send to SQLite, BEGIN and COMMIT included (the
// triggers' work is not counted): a figure the machine's load does not
// change, kept here so that a change that adds reads or writes to a
// payment is seen. docs/ARCHITECTURE.md, "The cost of a payment", lists
// them. The database verifies after, chain and seals included.
func TestIssueAndPayStatements(t *testing.T) {
	const wantIssue, wantPay = 16, 19
	b := mustBilling(t)
	ctx := b.billing()
	lines := []app.LineInput{{PriceItemID: b.lab.ID, Quantity: 2}}
	for i := range 4 {
		lines = append(lines, app.LineInput{Description: fmt.Sprintf("Item %d", i), Quantity: int64(i + 1),
			UnitPrice: 1234, DiscountRate: 500, TaxRate: 1300})
	}
	d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var sent []string
	b.db.OnStatement(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, strings.Join(strings.Fields(q), " "))
	})
	defer b.db.OnStatement(nil)
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := sent
		sent = nil
		return out
	}
	inv, err := b.svc.Billing.IssueInvoice(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	issue := take()
	if _, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
		Tendered: inv.Balance + 1000, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
		t.Fatal(err)
	}
	payment := take()
	for name, list := range map[string][]string{"issue": issue, "payment": payment} {
		for i, q := range list {
			t.Logf("%s %2d: %.110s", name, i+1, q)
		}
	}
	t.Logf("issue %d statements, payment %d, together %d", len(issue), len(payment), len(issue)+len(payment))
	if len(issue) > wantIssue || len(payment) > wantPay {
		t.Errorf("issue sent %d statements (at most %d), payment %d (at most %d)", len(issue), wantIssue, len(payment), wantPay)
	}
	if got, err := b.svc.Billing.FindInvoice(ctx, inv.ID); err != nil || got.Status != app.InvoicePaid || got.Balance != 0 {
		t.Fatalf("after payment: %+v %v", got, err)
	}
	rep, err := b.db.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// TestIssueAndPayStartsNoGoroutines: a write in a context that cannot be
// cancelled (the screens' contexts) starts no goroutine. database/sql
// watches a sql.Tx's context with a goroutine for the transaction and one
// for every query's rows, each waking an idle thread, about a sixth of an
// issue and payment's time (docs/ARCHITECTURE.md, "The cost of a
// payment"); inTx runs its transaction on the writer's sql.Conn instead.
// Not parallel, so that other tests' writes start none meanwhile; the
// background checkpoint may start a few, hence the allowance.
//
// Nor in a context that can be cancelled (the sync loop's, an import's):
// the driver ran each statement of such a write on a goroutine of its
// own; inTx runs them without the cancellation, checked before BEGIN and
// COMMIT instead.
func TestIssueAndPayStartsNoGoroutines(t *testing.T) {
	t.Run("screen", func(t *testing.T) { issueAndPayGoroutines(t, false) })
	t.Run("cancellable", func(t *testing.T) { issueAndPayGoroutines(t, true) })
}

func issueAndPayGoroutines(t *testing.T, cancellable bool) {
	const ops, allowance = 20, 10
	b := mustBilling(t)
	ctx := b.billing()
	if ctx.Done() != nil {
		t.Fatal("the screens' context can be cancelled")
	}
	if cancellable {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
	}
	lines := []app.LineInput{{PriceItemID: b.lab.ID, Quantity: 2}, {Description: "Dressing", Quantity: 1, UnitPrice: 1234}}
	drafts := make([]string, ops)
	for i := range drafts {
		d, err := b.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: b.patientID, Lines: lines})
		if err != nil {
			t.Fatal(err)
		}
		drafts[i] = d.ID
	}
	sample := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	created := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	before := created()
	for _, id := range drafts {
		inv, err := b.svc.Billing.IssueInvoice(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
			Tendered: inv.Balance, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
			t.Fatal(err)
		}
	}
	n := created() - before
	t.Logf("%d issues and payments started %d goroutines", ops, n)
	if n > allowance {
		t.Errorf("%d issues and payments started %d goroutines (at most %d, none of them the writes')", ops, n, allowance)
	}
}
